"""The GUI tests' guard against blocking dialogs nobody answers, and against a test's Qt
callbacks running on into a later test.

Offscreen, nobody clicks: ``exec()``, the static ``QMessageBox``/``QFileDialog``/
``QInputDialog``/``QColorDialog`` helpers, the product's ``AskDialog.ask``, a menu's ``exec`` (a
context menu: ``refuse_menus``) and a drag's (on a real display) would wait forever. The guard
replaces them with a refusal that raises, and also *records* the refusal (the test running,
the dialog, the stack): raised inside a Qt slot or inside product code that catches
exceptions, the exception alone could be swallowed, or surface later, in another test. The
test that opened the dialog fails at its teardown, by name, with the dialog and the stack that
opened it.

At the end of each test its leftovers run while it is still the test running: posted events and
deferred deletes are processed, the top-level windows it left open are closed and the timers of
every window it made are stopped (they would otherwise fire in a later test of the same worker,
and an exception there would fail that test), while the refusals are still in place; an
exception raised in a Qt callback then fails this test. Its garbage is then collected, in the
GUI thread (``collect_garbage``): no collection runs during a GUI test, where it would run in
whichever thread allocates, a worker's too.
Between the end of one test and the start of the next no Qt event is processed.

Loaded by ``tests/gui/conftest.py`` (its hooks apply to the GUI tests only).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import traceback
import weakref
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

#: the blocking calls refused, by class name
BLOCKING = {
    "QDialog": ["exec"],
    "QMessageBox": ["exec", "question", "warning", "critical", "information", "about"],
    "QFileDialog": [
        "getOpenFileName",
        "getOpenFileNames",
        "getSaveFileName",
        "getExistingDirectory",
    ],
    "QInputDialog": ["exec", "getText", "getItem", "getInt", "getDouble", "getMultiLineText"],
    "QColorDialog": ["exec", "getColor"],
    "QDrag": ["exec"],  # (QtGui) a drag waits for the mouse's release on a real display
}
#: the product's own: its one text-input dialog (``gui.ask_dialog``), refused by name with
#: what it asked (its ``exec`` is refused as ``QDialog.exec`` too)
PRODUCT_BLOCKING = {"gui.ask_dialog.AskDialog": ["ask"]}


@dataclass
class Refusal:
    """A blocking dialog the test did not answer, or an exception raised in a Qt callback as
    the test ended."""

    test: str  # nodeid of the test running
    what: str  # "QFileDialog.getExistingDirectory ..." or the exception
    stack: str

    def report(self) -> str:
        return f"{self.what}\n{self.stack}"


class _State:
    current: str = ""  # the test running (set-up to teardown)
    collecting: bool = True  # the automatic garbage collection was on before the test
    refusals: list[Refusal] = []  # noqa: RUF012 - one list for the process, on purpose
    menu_answer: Callable[[Any], Any] | None = None  # see ``answer_menus``


def _stack() -> str:
    """Where the dialog was opened: the test's and the product's frames (not pytest's, not
    the guard's own)."""
    frames = [
        f
        for f in traceback.extract_stack()[:-2]
        if not any(part in f.filename for part in ("/_pytest/", "/pluggy/", "/pytestqt/"))
    ]
    return "".join(traceback.format_list(frames[-20:]))


def refusal(name: str) -> Callable[..., Any]:
    """A stand-in for the blocking ``name`` that records the refusal and raises."""

    def refuse(*args: Any, **_kwargs: Any) -> Any:
        texts = [a for a in args if isinstance(a, str)]
        widget = next((a for a in args if hasattr(a, "windowTitle")), None)
        title = widget.windowTitle() if widget is not None else ""
        what = (
            f"a modal {name} opened that the test did not answer "
            f"(it would wait for a click forever): {title!r} {texts!r}"
        )
        _State.refusals.append(Refusal(_State.current, what, _stack()))
        raise AssertionError(what)

    return refuse


def _menu_exec(menu: Any, *_args: Any, **_kwargs: Any) -> Any:
    """A menu's ``exec`` in a test: the action the test chose (``answer_menus``), else refused."""
    if _State.menu_answer is not None:
        action = _State.menu_answer(menu)
        if action is not None:
            action.trigger()
        return action
    texts = [a.text() for a in menu.actions() if a.text()]
    what = (
        "a modal QMenu.exec opened that the test did not answer (it would wait for a click "
        f"forever): {menu.title()!r} {texts!r}"
    )
    _State.refusals.append(Refusal(_State.current, what, _stack()))
    raise AssertionError(what)


class _MenuExec:
    """A menu's own ``exec`` in a test (``_menu_exec``), holding the menu weakly."""

    def __init__(self, menu: Any) -> None:
        self._menu = weakref.ref(menu)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _menu_exec(self._menu(), *args, **kwargs)


def refuse_menus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``QMenu`` made in Python gets its own ``exec``: ``_menu_exec``.

    ``QMenu.exec`` cannot be replaced on the class as the dialogs' are: ``menu.exec(pos)``
    called on a menu still ran Qt's own (PySide 6.12 looks up a method that is both static and
    a method of the menu on the C++ type, past the class's attributes), and a context menu
    opened in a test waited for a click forever. An attribute of the menu itself is found
    first, so each menu gets one as it is made (``QMenu.__init__``, which a subclass's runs
    too). A menu Qt makes itself (``addMenu("…")``, a line edit's own) is not covered.

    The menu's ``exec`` holds the menu weakly (``_MenuExec``): holding it strongly made a
    reference cycle (menu -> its ``__dict__`` -> ``exec`` -> menu), so a parentless menu a test
    dropped was freed only by the cyclic garbage collector, whenever and in whichever thread it
    next ran, rather than at once."""
    from PySide6.QtWidgets import QMenu

    made = QMenu.__init__

    def init(menu: Any, *args: Any, **kwargs: Any) -> None:
        made(menu, *args, **kwargs)
        menu.exec = _MenuExec(menu)

    monkeypatch.setattr(QMenu, "__init__", init)


def answer_menus(monkeypatch: pytest.MonkeyPatch, choose: Callable[[Any], Any]) -> None:
    """The menus' ``exec`` in this test: ``choose(menu)`` gives the action clicked (it is
    triggered and returned), or None (the menu closed, nothing chosen)."""
    monkeypatch.setattr(_State, "menu_answer", choose)


def _fail_with(refusals: list[Refusal], header: str) -> None:
    body = "\n\n".join(r.report() for r in refusals)
    pytest.fail(f"{header}\n\n{body}", pytrace=False)


def _top_levels() -> set[Any]:
    from PySide6.QtWidgets import QApplication

    return set(QApplication.topLevelWidgets()) if QApplication.instance() else set()


def close_left_windows(before: set[Any]) -> None:
    """Close the windows the test made and left open, and stop the timers of every window it
    made (a closed window's timers still run). Called while the refusals are in place: a
    window that asks something as it closes (a recording still running) fails the test that
    left it, and so does one that stays open (the test's answer kept it). Not deleted:
    deleting them here crashed one worker and left another waiting forever."""
    from PySide6.QtCore import QTimer
    from shiboken6 import Shiboken

    for widget in _top_levels() - before:
        if not Shiboken.isValid(widget) or widget.parent() is not None:
            continue
        if widget.isVisible():
            widget.close()
            if widget.isVisible():  # it asked, and an answer the test gave kept it open
                _State.refusals.append(
                    Refusal(
                        _State.current,
                        f"a {type(widget).__name__} the test left open would not close "
                        f"({widget.windowTitle()!r}): what it does then runs on into later tests",
                        "",
                    )
                )
        for timer in widget.findChildren(QTimer):
            timer.stop()


def drain() -> None:
    """Run the test's leftovers now: posted events and deferred deletes."""
    from PySide6.QtCore import QCoreApplication, QEvent

    app = QCoreApplication.instance()
    if app is None:
        return
    for _ in range(2):
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def collect_garbage() -> None:
    """Free the test's garbage now, in the GUI thread, and run what freeing it posted.

    During a GUI test the automatic garbage collection is off (``pytest_runtest_setup``): it
    runs in whichever thread allocates when enough objects piled up, often a worker (a
    transcription, an import, the task pool), and frees there the Qt objects Python owns that
    it finds in reference cycles (a window and its callbacks, a dialog, a model, a timer):
    Shiboken deletes a window of a Python class in that thread, which crashed a reproduction
    while the GUI thread painted it, or hung it; a running timer crashed it. The app collects
    in the GUI thread only too (``gui/heap.py``).

    Everything the test made is in the youngest generation (no collection ran to age it), so
    collecting that one frees the test's own cycles; the older generations are collected when
    the collector's thresholds make them due (one test in 10, one in 100), as it would by
    itself: a full collection walks every object of the process (135 ms a test, 13 % of the
    GUI tests' time, when each test ended with one)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    generation = 2 if counts[2] >= thresholds[2] else 1 if counts[1] >= thresholds[1] else 0
    gc.collect(generation)
    drain()


def _capturing(nodeid: str, what: str, fn: Callable[[], None]) -> None:
    """Run ``fn``; an exception raised in a Qt callback meanwhile is recorded for ``nodeid``
    (pytest-qt's own capture is over by then)."""
    raised: list[str] = []
    old = sys.excepthook
    sys.excepthook = lambda k, v, tb: raised.append("".join(traceback.format_exception(k, v, tb)))
    try:
        fn()
    finally:
        sys.excepthook = old
    if raised:
        _State.refusals.append(Refusal(nodeid, what, "".join(raised)))


def end_test(nodeid: str) -> None:
    """Teardown: fail the test that opened a dialog it did not answer."""
    mine = [r for r in _State.refusals if r.test == nodeid]
    log = os.environ.get("FS_GUARD_LOG")  # every refusal of a run, for reading it whole
    if mine and log:
        with open(log, "a", encoding="utf-8") as out:
            out.writelines(f"=== {nodeid}\n{r.report()}\n" for r in mine)
    _State.refusals = [r for r in _State.refusals if r.test != nodeid]
    _State.current = ""
    if mine:
        _fail_with(mine, f"{nodeid}: {len(mine)} dialog(s) not answered or window(s) left:")


@pytest.fixture(autouse=True)
def modal_dialogs_fail(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[None]:
    """A blocking dialog (or a menu's ``exec``) the test did not answer fails the test instead
    of hanging the run.

    A test that expects one patches it itself (its monkeypatch comes after this one and wins).
    At its end, the windows the test left open are closed and their timers stopped.
    """
    from PySide6 import QtGui, QtWidgets

    for cls_name, names in BLOCKING.items():
        cls = getattr(QtWidgets, cls_name, None) or getattr(QtGui, cls_name)
        for name in names:
            fn = refusal(f"{cls_name}.{name}")
            monkeypatch.setattr(cls, name, fn if name == "exec" else staticmethod(fn))
    for path, names in PRODUCT_BLOCKING.items():
        module, cls_name = path.rsplit(".", 1)
        cls = getattr(importlib.import_module(module), cls_name)
        for name in names:
            monkeypatch.setattr(cls, name, staticmethod(refusal(f"{cls_name}.{name}")))
    refuse_menus(monkeypatch)
    before = _top_levels()
    yield
    nodeid = request.node.nodeid
    _capturing(
        nodeid, "raised in a Qt callback as its windows closed:", lambda: close_left_windows(before)
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    _State.current = item.nodeid
    _State.collecting = gc.isenabled()
    gc.disable()  # until the test's end: ``collect_garbage``
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    # outermost: runs after pytest-qt has closed the test's widgets and checked its hook
    try:
        return (yield)
    finally:
        _capturing(item.nodeid, "raised in a Qt callback as the test ended:", drain)
        _capturing(
            item.nodeid, "raised in a Qt callback as its garbage was freed:", collect_garbage
        )
        try:
            end_test(item.nodeid)
        finally:
            if _State.collecting:
                gc.enable()

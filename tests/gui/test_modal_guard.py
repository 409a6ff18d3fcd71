"""The guard (tests/gui/modal_guard.py) fails the test that opened a blocking dialog it did not
answer, by name, even where the refusal was swallowed; what a test leaves behind runs before
the next test starts, and fails the test that left it."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

CONFTEST = """
pytest_plugins = ["tests.gui.modal_guard"]
"""

TESTS = '''
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget


def test_a_swallows(qtbot):
    """Product code that catches every exception swallowed the refusal: passed before."""
    button = QPushButton()
    qtbot.addWidget(button)

    def choose():
        try:
            QFileDialog.getExistingDirectory(button, "Choose a folder")
        except Exception:
            pass

    button.clicked.connect(choose)
    button.click()


def test_b_fine(qtbot):
    qtbot.wait(10)


def test_c_leaves_a_window(qtbot):
    """A window left open, whose timer asks a question after the test ended."""
    window = QWidget()
    window.show()
    timer = QTimer(window)
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: QMessageBox.question(window, "Save?", "Save the memo?"))
    timer.start(300)
    test_c_leaves_a_window.window = window  # kept alive past the test


def test_c2_closes_a_window_and_keeps_it(qtbot):
    """A window closed (hidden, not deleted): its timer runs still, as an Analysis window's did."""
    window = QWidget()
    window.show()
    timer = QTimer(window)
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: QFileDialog.getExistingDirectory(window, "Where?"))
    timer.start(300)
    window.close()
    test_c2_closes_a_window_and_keeps_it.window = window


class Recording(QWidget):
    def closeEvent(self, event):
        event.ignore()  # "Cancel goes on recording"


def test_c3_leaves_a_window_that_stays(qtbot):
    window = Recording()
    window.show()
    test_c3_leaves_a_window_that_stays.window = window


def test_d_later(qtbot):
    qtbot.wait(600)


def test_e_answered(qtbot, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    assert QMessageBox.question(None, "t", "x") == QMessageBox.StandardButton.Yes


def test_f_asks_a_name(qtbot):
    """The product's text-input dialog, unanswered, its refusal swallowed."""
    from gui.ask_dialog import AskDialog

    try:
        AskDialog.ask(None, "New code", "Name of the new code:")
    except AssertionError:
        pass


GONE_IN = []


def test_g_leaves_a_timer_in_a_reference_cycle(qtbot):
    """A running timer Python owns, kept only by a reference cycle: freed by the collector."""
    import gc
    import threading

    from PySide6.QtCore import Qt

    from tests.gui.modal_guard import _State

    assert not gc.isenabled()  # no automatic collection during a GUI test
    timer = QTimer()
    timer.me = timer
    timer.destroyed.connect(
        lambda *_: GONE_IN.append((threading.current_thread().name, _State.current)),
        Qt.ConnectionType.DirectConnection,
    )
    timer.start(50)


def test_h_that_timer_was_deleted_in_the_gui_thread_as_its_test_ended(qtbot):
    import threading

    ended = "test_inner.py::test_g_leaves_a_timer_in_a_reference_cycle"
    assert GONE_IN == [(threading.main_thread().name, ended)]
'''


MENU_TESTS = '''
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QMenu, QWidget


def test_m_codebook_context_menu(qtbot):
    """The codebook's right-click menu (``menu.exec(pos)``): it waited for a click forever."""
    from gui.codebook_view import CodebookPanel

    view = CodebookPanel()
    qtbot.addWidget(view)
    view.show()
    view.tree.customContextMenuRequested.emit(QPoint(5, 5))


def test_m1_answered(qtbot, monkeypatch):
    """A test that answers the menu: the action it chose is triggered."""
    from gui.codebook_view import CodebookPanel
    from tests.gui.modal_guard import answer_menus

    view = CodebookPanel()
    qtbot.addWidget(view)
    asked = []
    view.add_requested.connect(asked.append)
    new = view.act_new
    answer_menus(monkeypatch, lambda menu: new if new in menu.actions() else None)
    view.tree.customContextMenuRequested.emit(QPoint(5, 5))
    assert asked == [None]


def test_m2_a_menu_popped_up_is_not_refused(qtbot):
    menu = QMenu()
    menu.addAction("Keep me open")
    qtbot.addWidget(menu)
    menu.popup(QPoint(0, 0))
    qtbot.waitUntil(menu.isVisible)
    qtbot.wait(300)  # the watch looked meanwhile
    assert menu.isVisible()
    menu.close()


def test_n_drags(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    drag = QDrag(widget)
    data = QMimeData()
    data.setText("Айгерім")
    drag.setMimeData(data)
    try:
        drag.exec(Qt.DropAction.CopyAction)
    except AssertionError:
        pass
'''

#: the inner run's limit: a menu nobody answers waited for ever (this run takes seconds)
INNER_TIMEOUT_S = 120


def _run_inner(folder: Path, name: str, tests: str) -> str:
    """The output of ``tests``, run in their own pytest with the guard."""
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / name).write_text(textwrap.dedent(tests))
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    env.pop("FS_GUARD_LOG", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-rA", *("-p", "no:randomly", "-p", "no:xdist"), name],
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            timeout=INNER_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        pytest.fail(f"the inner tests hung (still running after {INNER_TIMEOUT_S} s):\n{out}")
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def inner_run(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The output of the inner tests, run once in their own pytest."""
    return _run_inner(tmp_path_factory.mktemp("inner"), "test_inner.py", TESTS)


def test_a_context_menu_nobody_answers_fails_its_test_instead_of_hanging(
    tmp_path: Path,
) -> None:
    """``QMenu.exec`` patched on the class did not stop ``menu.exec(pos)`` (PySide 6.12): the
    codebook's context menu opened in a test waited for ever. It is refused, named with its
    actions and the stack that opened it; a menu shown with ``popup()`` is left alone; a drag's
    ``exec`` is refused."""
    out = _run_inner(tmp_path, "test_inner_menus.py", MENU_TESTS)
    assert _line(out, "ERROR test_inner_menus.py::test_m_codebook_context_menu"), out
    assert "a modal QMenu.exec opened that the test did not answer" in out
    assert "'&New code'" in out and "in open_at" in out  # lettered, as it opens
    assert "PASSED test_inner_menus.py::test_m1_answered" in out, out
    assert "PASSED test_inner_menus.py::test_m2_a_menu_popped_up_is_not_refused" in out, out
    assert _line(out, "ERROR test_inner_menus.py::test_n_drags"), out
    assert "a modal QDrag.exec opened" in out


def _line(out: str, start: str) -> str:
    return next((line for line in out.splitlines() if line.startswith(start)), "")


def test_the_test_that_opened_the_dialog_fails_by_name(inner_run: str) -> None:
    out = inner_run
    assert _line(out, "ERROR test_inner.py::test_a_swallows"), out
    assert "a modal QFileDialog.getExistingDirectory opened" in out
    assert "test_inner.py::test_a_swallows: 1 dialog(s) not answered" in out
    assert "in choose" in out  # the stack that opened it
    assert "_pytest" not in out.split("1 dialog(s) not answered")[1].split("=====")[0]
    assert "PASSED test_inner.py::test_b_fine" in out


def test_the_products_text_input_dialog_unanswered_fails_its_test(inner_run: str) -> None:
    assert _line(inner_run, "ERROR test_inner.py::test_f_asks_a_name"), inner_run
    assert "a modal AskDialog.ask opened" in inner_run
    assert "Name of the new code:" in inner_run


def test_a_window_left_open_that_will_not_close_fails_its_test(inner_run: str) -> None:
    assert _line(inner_run, "ERROR test_inner.py::test_c3_leaves_a_window_that_stays"), inner_run
    assert "a Recording the test left open would not close" in inner_run


def test_a_window_left_open_cannot_raise_in_a_later_test(inner_run: str) -> None:
    out = inner_run
    # closed as its test ended, its timer stopped: it never fires in test_d
    assert "PASSED test_inner.py::test_c_leaves_a_window" in out, out
    assert "PASSED test_inner.py::test_c2_closes_a_window_and_keeps_it" in out, out
    assert "PASSED test_inner.py::test_d_later" in out, out
    assert "PASSED test_inner.py::test_e_answered" in out, out
    assert "Save the memo?" not in out
    assert "Where?" not in out


def test_a_menu_a_test_drops_is_freed_at_once_not_by_the_cycle_collector(qtbot: Any) -> None:
    """The guard gave every menu an ``exec`` that held the menu: a reference cycle, so a
    parentless menu a test dropped stayed until the cyclic garbage collector ran, whenever and
    in whichever thread (a worker's) it next ran. Dropped, it is freed at once."""
    from PySide6.QtWidgets import QMenu

    was_on = gc.isenabled()
    gc.disable()  # no collection between the drop and the look: only the reference count frees
    try:
        menu = QMenu()
        menu.addAction("Rename…")
        assert "exec" in vars(menu)  # the guard's own, still there
        gone = weakref.ref(menu)
        del menu
        assert gone() is None, "the dropped menu is still alive: something holds it in a cycle"
    finally:
        if was_on:
            gc.enable()


def test_a_tests_garbage_is_freed_in_the_gui_thread_as_it_ends(inner_run: str) -> None:
    """What a test left in a reference cycle (a timer Python owns) was freed whenever the
    cyclic collector next ran, in whichever thread allocated then: a worker's, in a later
    test. Qt objects must be deleted in their own thread (a running timer deleted from a
    worker crashes the process). No collection runs during a GUI test; the guard collects
    each test's garbage in the GUI thread as the test ends."""
    assert "PASSED test_inner.py::test_g_leaves_a_timer_in_a_reference_cycle" in inner_run
    assert (
        "PASSED test_inner.py::test_h_that_timer_was_deleted_in_the_gui_thread_as_its_test_ended"
        in inner_run
    ), inner_run

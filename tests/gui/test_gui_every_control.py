"""Every control of FieldScribe's GUI does something a user can see (a tester found "a CSV
button that did nothing"). ``CONTROLS`` is the table: each menu entry, context-menu entry and
button of the main window, its docks and panels, the Analysis window, the merge conflicts
window, the team dialogs, Settings and Project settings -> the effect a user sees, with its
check (rows in tests/gui/every_control_{menus,more_menus,panels,windows}.py, harness in
tests/gui/every_control.py: one ``@control(name, effect=…)`` each). Each is triggered on the demo
project in the state a user works in (its session shown, a segment and a code selected), with
the dialogs answered, and its effect checked. A control that appears without a row in the table
fails ``test_every_control_is_in_the_table``; every control triggered with nothing selected
gives a message, or is greyed out (``test_nothing_selected_is_said``, with no session, on the
start page, the panels' buttons); ``test_every_button_is_in_sight`` at 1024x700 and 1366x768."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication

import tests.gui.every_control_menus
import tests.gui.every_control_more_menus
import tests.gui.every_control_panels
import tests.gui.every_control_windows  # noqa: F401  (the modules fill the table)
from tests.gui.every_control import (
    CONTROLS,
    Harness,
    all_controls,
    buttons,
    demo_template,
    menu_actions_of,
    observe,
    open_demo_window,
    trigger,
)
from tests.gui.every_control_panels import _conflicted


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_template(tmp_path_factory.mktemp("demo") / "Demo.fieldscribe")


@pytest.fixture
def h(
    template: Path, tmp_path: Path, qtbot: Any, qsettings: Any, fake_transcriber: Any, idle: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Harness]:  # fmt: skip
    for harness in open_demo_window(template, tmp_path, qtbot, qsettings, fake_transcriber, idle):
        harness.patch(monkeypatch)
        harness.monkeypatch = monkeypatch
        harness.select()
        yield harness


# ---------------------------------------------------------------------- the tests
@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_control(h: Harness, name: str) -> None:
    h.current = name
    CONTROLS[name][1](h)


def test_every_control_is_in_the_table(h: Harness) -> None:
    """A control added without a row here fails: a new button is checked from its first day."""
    found = set(all_controls(h))
    missing, gone = sorted(found - set(CONTROLS)), sorted(set(CONTROLS) - found)
    assert not missing, "controls missing from CONTROLS:\n" + "\n".join(missing)
    assert not gone, "controls in CONTROLS that are gone:\n" + "\n".join(gone)


def _nothing_selected(h: Harness) -> None:
    """The session shown, no segment and no code selected."""
    w = h.window
    w.transcript.setCurrentIndex(w.segment_model.index(-1, 0))
    w.transcript.clearSelection()
    w.codebook.tree.setCurrentIndex(w.codebook.model.index(-1, 0))
    w.codebook.tree.clearSelection()
    h.wait()
    assert h.segment() is None and w.codebook.current_code() is None


def _menu_names() -> list[str]:
    """The menus' and context menus' entries (not the panels' buttons)."""
    return sorted(
        n
        for n in CONTROLS
        if n.split(" ▸ ")[0] in _MENUS and not re.fullmatch(r"_?[A-Z]\w+", n.split(" ▸ ")[1])
    )


_MENUS = {"File", "Edit", "Playback", "Code", "Memos", "Transcription", "View", "Record",
          "Speakers", "Ethics", "Team", "Sessions list", "Codebook menu"}  # fmt: skip
#: what this does is already so: the layout is the default one
_ALREADY = {"View ▸ Reset layout"}


def _said_or_greyed(h: Harness, name: str) -> bool:
    """Triggered: greyed out, or something a user sees changed (a message at least)."""
    action = dict(menu_actions_of(h)).get(name)
    if action is None or not action.isEnabled() or name in _ALREADY or action.menu():
        return True  # (None: a project's panel entry, gone with the project; a submenu:
        # Open recent, checked in its row)
    h.window.player.seek(10_000)  # Back, Normal speed and Expand all have something to do
    h.window.player.set_speed(1.5)
    if name.endswith("Expand all"):
        h.window.codebook.tree.collapseAll()
    h.window.statusBar().clearMessage()
    changed = observe(h)
    action.trigger()
    h.wait()
    return bool(changed())


def _sweep(h: Harness, names: list[str], back: Callable[[], None]) -> list[str]:
    """Each entry in turn in one window, ``back()`` to the state first; the silent ones."""
    silent = []
    for name in names:
        for top in QApplication.topLevelWidgets():  # memo windows, Analysis: closed
            if top.isVisible() and top.isWindow() and top is not h.window:
                top.close()
        if not h.window.isVisible():  # File ▸ Quit
            h.window.show()
        back()
        if not _said_or_greyed(h, name):
            silent.append(name)
    return silent


def _reopen(h: Harness, folder: Path) -> None:
    w = h.window
    if w.project is None or w.project.folder != folder:
        assert w.projects.open_project(folder)
        h.wait()


def test_nothing_selected_is_said(h: Harness) -> None:
    """Each menu entry with no segment or code selected: greyed out, or it does something a
    user sees (a message at least), never nothing."""
    folder = h.project.folder

    def back() -> None:
        _reopen(h, folder)
        _nothing_selected(h)

    silent = _sweep(h, _menu_names(), back)
    assert not silent, "did nothing a user can see:\n" + "\n".join(silent)


def test_no_session_is_said(h: Harness) -> None:
    """The same in a project with no session yet (a new project)."""
    from storage import Project

    folder = h.tmp / "New.fieldscribe"
    Project.create(folder, name="New", coder="amina").close()

    def back() -> None:
        _reopen(h, folder)
        assert h.window.session is None

    silent = _sweep(h, _menu_names(), back)
    assert not silent, "did nothing a user can see:\n" + "\n".join(silent)


def test_start_page_is_said(h: Harness) -> None:
    """The same on the start page (no project open): greyed out, or said. The entries of a
    greyed-out menu count only when a key reaches them."""

    def back() -> None:
        if h.window.project is not None:
            h.window.projects.close_project()
            h.wait()

    back()
    menus = {t.replace("&", ""): m for t, m in h.window.chrome.menus.items()}
    actions = dict(menu_actions_of(h))
    reachable = [
        name
        for name in _menu_names()
        if not name.startswith("Codebook menu")  # the codebook is not on the start page
        and name in actions
        and (
            name.split(" ▸ ")[0] not in menus
            or menus[name.split(" ▸ ")[0]].menuAction().isEnabled()
            or not actions[name].shortcut().isEmpty()
        )
    ]
    silent = _sweep(h, reachable, back)
    assert not silent, "did nothing a user can see:\n" + "\n".join(silent)


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Code ▸ Remove a coding…", "Remove a coding: select the coded segment"),
        ("Code ▸ Re-assign a coding…", "Re-assign a coding: select the coded segment"),
        ("Code ▸ Coding memo…", "Coding memo: select the coded segment"),
        ("Code ▸ Link passage to…", "Link passage to: select the coded segment"),
        ("Playback ▸ Play current segment", "Select the segment to play"),
        ("Edit ▸ Delete segment", "Select the segments to delete"),
    ],
)
def test_what_needs_a_segment_says_so(h: Harness, name: str, said: str) -> None:
    """These did nothing at all with no segment selected."""
    _nothing_selected(h)
    trigger(h, name)
    assert h.message().startswith(said) and not h.inputs and not h.played


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Sessions list ▸ Rename session… (F2)", "No session to rename"),
        ("Sessions list ▸ Delete session… (Delete)", "No session to delete"),
        ("Transcription ▸ Transcribe session", "Select the session to transcribe"),
        ("Transcription ▸ Transcribe on a cluster…", "Select the session to transcribe"),
    ],
)
def test_what_needs_a_session_says_so(h: Harness, name: str, said: str) -> None:
    """These did nothing at all in a project with no session yet."""
    from storage import Project

    Project.create(h.tmp / "New.fieldscribe", name="New", coder="amina").close()
    assert h.window.projects.open_project(h.tmp / "New.fieldscribe")
    h.wait()
    trigger(h, name)
    assert h.message().startswith(said) and not h.inputs and not h.boxes


def _out_of_sight(h: Harness, top: Any) -> list[str]:
    """The buttons of ``top`` shown but cut off (a scroll area scrolled to them first)."""
    from PySide6.QtWidgets import QDockWidget, QScrollArea

    screen = top.screen().availableGeometry()
    size = top.size()  # (offscreen puts a window 2 px in, for a frame it does not draw)
    laptop = screen.width() >= 1024 and screen.height() >= 700  # not the 800-px test screen
    fits = top is h.window or not laptop or size.boundedTo(screen.size()) == size
    assert fits, f"{type(top).__name__} {size} {screen}"
    cut = []
    for name, button in buttons(top):
        if not isinstance(button, QAbstractButton) or not button.isVisible():
            continue
        dock = button.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None and dock.visibleRegion().isEmpty():
            continue  # a tab behind another: its turn comes when it is in front
        scroll = button.parentWidget()
        while scroll is not None and not isinstance(scroll, QScrollArea):
            scroll = scroll.parentWidget()
        if scroll is not None:
            scroll.ensureWidgetVisible(button)
            QApplication.processEvents()
        if button.visibleRegion().boundingRect() != button.rect():
            cut.append(f"{name}: {button.visibleRegion().boundingRect()} of {button.rect()}")
    return cut


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_every_button_is_in_sight(
    h: Harness, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window at a laptop's size, each panel in front in turn: every button it shows is
    whole in sight, or its panel scrolls to it; the other windows fit the screen (run with
    QT_QPA_PLATFORM=offscreen:configfile=…/screen_1024x700.json for a laptop's)."""
    for module in ("gui.layout", "gui.main_window", "gui.panels"):
        monkeypatch.setattr(f"{module}.fit_to_screen", lambda _w: None)
    h.window.resize(*size)
    h.wait()
    h.window.reset_layout()
    h.wait()
    assert (h.window.width(), h.window.height()) == size
    cut = _out_of_sight(h, h.window)
    for menu in (
        "View ▸ Session details",
        "View ▸ Retrieval",
        "Record ▸ Record a session…",
        "Speakers ▸ Speakers of this session",
        *(f"Ethics ▸ {tab}" for tab in ("Consent", "Pseudonyms", "Redactions", "Audit log")),
        "Team ▸ Inter-coder agreement",
        "Team ▸ Disagreements",
    ):
        trigger(h, menu)
        cut += _out_of_sight(h, h.window)
    trigger(h, "View ▸ Analysis…")
    analysis = h.window_of("AnalysisWindow")
    for i in range(analysis.tabs.count()):  # type: ignore[attr-defined]
        analysis.tabs.setCurrentIndex(i)  # type: ignore[attr-defined]
        h.wait()
        cut += _out_of_sight(h, analysis)
    _conflicted(h)
    cut += _out_of_sight(h, h.window_of("ConflictDialog"))

    def shown(d: Any) -> int:
        d.show()
        h.wait()
        if hasattr(d, "tabs"):
            h.qtbot.waitUntil(lambda: not d.models.busy())
            for i in range(d.tabs.count()):
                d.tabs.setCurrentIndex(i)
                h.wait()
                cut.extend(_out_of_sight(h, d))
        else:
            cut.extend(_out_of_sight(h, d))
        d.hide()
        return 0

    h.dialog_answers["SettingsDialog"] = h.dialog_answers["LanguagesDialog"] = shown
    trigger(h, "File ▸ Settings…")
    trigger(h, "File ▸ Project settings (languages, model)…")
    h.window.projects.close_project()
    h.window.start_page.show_demo_offer(True)
    h.wait()
    cut += _out_of_sight(h, h.window)
    assert not cut, "\n".join(sorted(set(cut)))


#: where each panel's buttons are: the menu entry that brings it in front
_PANEL_OF = {
    "Session details": "View ▸ Session details",
    "Retrieval": "View ▸ Retrieval",
    "Record": "Record ▸ Record a session…",
    "Speakers": "Speakers ▸ Speakers of this session",
    "Ethics ▸ ConsentTab": "Ethics ▸ Consent",
    "Ethics ▸ PseudonymTab": "Ethics ▸ Pseudonyms",
    "Ethics ▸ RedactionTab": "Ethics ▸ Redactions",
    "Ethics ▸ AuditTab": "Ethics ▸ Audit log",
    "Agreement": "Team ▸ Inter-coder agreement",
    "Disagreements": "Team ▸ Disagreements",
    "Analysis": "View ▸ Analysis…",
    "Merge conflicts": "Team ▸ Resolve merge conflicts…",
    "Search": "Edit ▸ Find in project…",
    "Main window ▸ PlayerBar": "View ▸ Codebook",  # always there
}


def _panel_buttons() -> list[str]:
    def in_panel(n: str) -> bool:
        return any(n.startswith(place + " ▸ ") for place in _PANEL_OF) and n.count(" ▸ ") >= 2

    return sorted(n for n in CONTROLS if in_panel(n) or n.startswith("Main window ▸ PlayerBar"))


def _panel_button_acts(h: Harness, name: str) -> bool:
    place = next(p for p in _PANEL_OF if name.startswith(p + " ▸ "))
    if not name.startswith("Main window"):
        trigger(h, _PANEL_OF[place])
    found: dict[str, Any] = {}
    for top in [h.window, *QApplication.topLevelWidgets()]:
        found.update(buttons(top))
    target = found.get(name)
    if target is None:
        return True  # an entry for a coder this project does not have
    if isinstance(target, QAbstractButton) and (not target.isVisible() or not target.isEnabled()):
        return True
    if not isinstance(target, QAbstractButton) and not target.isEnabled():
        return True
    h.window.player.seek(10_000)
    h.window.statusBar().clearMessage()
    if name.endswith("Refresh"):
        h.qtbot.wait(1100)  # it says the time it read the log, to the second
    changed = observe(h)
    if isinstance(target, QAbstractButton):
        target.click()
        menu = target.menu()
        if menu is not None and menu.isVisible():
            h.dialogs.append(menu)  # type: ignore[arg-type]
            menu.close()
    else:
        target.trigger()
    h.wait()
    return bool(changed())


def test_panel_buttons_with_nothing_selected(h: Harness) -> None:
    """Each panel's button, its panel in front and nothing selected in it or in the
    transcript: hidden, greyed out, or it does something a user sees (a message at least)."""
    silent = []
    for name in _panel_buttons():
        for top in QApplication.topLevelWidgets():
            if top.isVisible() and top.isWindow() and top is not h.window:
                top.close()
        _nothing_selected(h)
        if not _panel_button_acts(h, name):
            silent.append(name)
    assert not silent, "did nothing a user can see:\n" + "\n".join(silent)


@pytest.mark.parametrize(
    "keys", ["Ctrl+Shift+R", "Ctrl+J", "Ctrl+R", "Ctrl+Shift+C", "Ctrl+T", "Ctrl+Shift+A"]
)
def test_a_projects_key_on_the_start_page_says_to_open_one(h: Harness, keys: str) -> None:
    """The start page greys out the project's menus, but their keys still reached the entries
    (Record a session…, Project journal…, Transcribe session, …), which did nothing."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtTest import QTest

    from gui.chrome import NO_PROJECT

    h.window.projects.close_project()
    h.wait()
    h.window.activateWindow()
    combo = QKeySequence(keys)[0]
    QTest.keyClick(h.window, combo.key(), combo.keyboardModifiers())
    h.wait()
    assert h.message() == NO_PROJECT and h.window.project is None


def test_last_segment_selected_is_said(h: Harness) -> None:
    """The same with the last segment selected (nothing after it to merge with) and no code."""
    folder = h.project.folder

    def back() -> None:
        _reopen(h, folder)
        h.select(row=h.window.segment_model.rowCount() - 1, code=None)

    names = [n for n in _menu_names() if n.split(" ▸ ")[0] in {"Edit", "Code", "Transcription"}]
    silent = _sweep(h, names, back)
    assert not silent, "did nothing a user can see:\n" + "\n".join(silent)


def test_panel_buttons_with_no_session(h: Harness) -> None:
    """The same in a new project: no session, no code, no participant."""
    from storage import Project

    folder = h.tmp / "New.fieldscribe"
    Project.create(folder, name="New", coder="amina").close()
    silent = []
    for name in _panel_buttons():
        for top in QApplication.topLevelWidgets():
            if top.isVisible() and top.isWindow() and top is not h.window:
                top.close()
        _reopen(h, folder)
        if not _panel_button_acts(h, name):
            silent.append(name)
    assert not silent, "did nothing a user can see:\n" + "\n".join(silent)

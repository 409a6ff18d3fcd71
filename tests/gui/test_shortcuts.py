"""Every key of the main window is unique (an ambiguous one triggers nothing), the main actions
of a transcriber have one, and Help ▸ Keyboard shortcuts lists them as they are."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from gui.shortcuts_help import SPECIAL_KEYS
from storage import Project, SegmentDraft


def _menu_actions(window: Any) -> dict[tuple[str, str], QAction]:
    """(menu, item) -> its action, for every menu item (submenus included)."""
    found: dict[tuple[str, str], QAction] = {}

    def walk(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{where} ▸ {action.text()}")
            elif not action.isSeparator():
                found[(where, action.text())] = action

    for top in window.menuBar().actions():
        walk(top.menu(), top.text().replace("&", ""))
    return found


def every_key(window: Any) -> Counter[str]:
    """Each key the window answers, with how many things answer it: the shortcuts of every
    action (menus, panes' own actions) and QShortcut, and Alt+letter of each menu's title."""
    keys: Counter[str] = Counter()
    for action in window.findChildren(QAction):
        if action.menu() is None:  # a menu's own action: its key is its mnemonic, below
            keys.update({s.toString() for s in action.shortcuts() if not s.isEmpty()})
    for shortcut in window.findChildren(QShortcut):
        sequences = QShortcut.keys(shortcut)  # a Qt method (not a dict's keys)
        keys.update(s.toString() for s in sequences if not s.isEmpty())
    for top in window.menuBar().actions():
        mnemonic = re.search(r"&([^&])", top.text())
        if mnemonic:
            keys[f"Alt+{mnemonic.group(1).upper()}"] += 1
    return keys


def test_no_key_is_used_twice(window: Any) -> None:
    window.extra_panels.show_recorder()  # the Record panel's own keys (M, N)
    window.extra_panels.show_speakers()
    window.extra_panels.show_privacy(0)
    keys = every_key(window)
    twice = {k: n for k, n in keys.items() if n > 1}
    # Transcription, Ethics and Team were all Alt+T: the key opened only one of them
    assert twice == {}
    assert {"F3", "F4", "F5", "Ctrl+Space", "Ctrl+Z", "Ctrl+Shift+S", "Ctrl+T", "M"} <= set(keys)


def test_every_menu_can_be_opened_from_the_keyboard(window: Any) -> None:
    titles = [top.text() for top in window.menuBar().actions()]
    assert all(re.search(r"&[^&]", t) for t in titles), titles
    assert "&Help" in titles


#: what a transcriber does all day without the mouse: each has a key
MAIN_ACTIONS = (
    "File ▸ New project…",
    "File ▸ Open project…",
    "File ▸ Import audio…",
    "File ▸ Close project",
    "File ▸ Quit",
    "Edit ▸ Undo",
    "Edit ▸ Redo",
    "Edit ▸ Edit segment text",
    "Edit ▸ Next segment",
    "Edit ▸ Previous segment",
    "Edit ▸ Go to time…",
    "Edit ▸ Find in project…",
    "Playback ▸ Play / pause",
    "Playback ▸ Back",
    "Playback ▸ Forward",
    "Playback ▸ Play current segment",
    "Code ▸ Code selection with the current code",
    "Transcription ▸ Transcribe session",
    "Record ▸ Record a session…",
    "View ▸ Next pane",
    "Help ▸ Keyboard shortcuts…",
)


def test_the_main_actions_have_a_key(window: Any) -> None:
    actions = _menu_actions(window)
    named = [tuple(name.split(" ▸ ", 1)) for name in MAIN_ACTIONS]
    without = [name for name in named if not actions[name].shortcuts()]
    assert without == []


def test_help_lists_every_menu_key_as_it_is(window: Any, qtbot: Any) -> None:
    window.act_shortcuts.trigger()
    dialog = window.shortcuts_dialog
    qtbot.waitUntil(dialog.isVisible)
    listed = {(where, what): keys for where, what, keys in dialog.rows}
    for (where, what), action in _menu_actions(window).items():
        native = QKeySequence.SequenceFormat.NativeText
        said = [k.toString(native) for k in action.shortcuts()]
        keys = " or ".join(k for k in said if k not in SPECIAL_KEYS)
        if keys:
            assert listed[(where, what.replace("&", ""))] == keys
    assert listed[("Edit", "Next segment")] == "Ctrl+Down"
    # keys of multimedia keyboards read as words ("Ctrl+Shift+Z or Redo"): not listed
    assert not {k for keys in listed.values() for k in keys.split(" or ")} & SPECIAL_KEYS
    assert "Redo" not in listed[("Edit", "Redo")]
    assert ("Transcript", "play the selected segment") in listed
    # it fits a 1024x700 laptop's screen
    assert dialog.width() <= 1024 and dialog.height() <= 700
    dialog.close()


def _three_segments(project: Project) -> str:
    session = project.sessions.add_session("Keys")
    project.transcript.add_segments(
        session.id,
        [SegmentDraft(i * 2000, i * 2000 + 1800, f"segment {i}", language="en") for i in range(3)],
    )
    return session.id


def test_a_transcriber_moves_between_segments_while_typing(
    window: Any, project: Project, qtbot: Any, idle: Any
) -> None:
    sid = _three_segments(project)
    window.sessions.open_session(sid)
    idle(window)
    window.activateWindow()
    window.transcript.go_to_row(0)
    editor = window.segment_editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    QTest.keyClick(editor, Qt.Key.Key_End)
    QTest.keyClicks(editor, " typed")
    QTest.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    idle(window)
    # the typed words kept, the next segment in the editor, the keys still going there
    assert project.transcript.segments(sid)[0].text == "segment 0 typed"
    assert window.transcript.currentIndex().row() == 1 and editor.toPlainText() == "segment 1"
    assert editor.hasFocus()
    QTest.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert window.transcript.currentIndex().row() == 2
    assert "last segment" in window.statusBar().currentMessage()
    QTest.keyClick(editor, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert window.transcript.currentIndex().row() == 1


def test_go_to_time_makes_the_segment_playing_then_current(
    window: Any, project: Project, idle: Any, monkeypatch: Any
) -> None:
    from gui.ask_dialog import AskDialog

    sid = _three_segments(project)
    window.sessions.open_session(sid)
    idle(window)
    answers = iter([("0:04.5", True), ("soon", True)])
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *_a, **_k: next(answers)))
    actions = _menu_actions(window)
    actions[("Edit", "Go to time…")].trigger()
    assert window.transcript.currentIndex().row() == 2
    actions[("Edit", "Go to time…")].trigger()  # not a time: said, nothing moves
    assert window.transcript.currentIndex().row() == 2
    assert "'soon' is not a time" in window.statusBar().currentMessage()


def _opened_menus(window: Any) -> dict[str, QMenu]:
    """Every menu of the menu bar (submenus too), each opened as a person opens it."""
    menus: dict[str, QMenu] = {}

    def walk(menu: QMenu, where: str) -> None:
        menu.popup(window.mapToGlobal(window.rect().center()))  # filled, lettered as it opens
        menu.hide()
        menus[where] = menu
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{where} ▸ {action.text().replace('&', '')}")

    for top in window.menuBar().actions():
        walk(top.menu(), top.text().replace("&", ""))
    return menus


def test_every_menu_item_has_its_own_underlined_letter(
    window: Any, project: Project, idle: Any
) -> None:
    """Alt+F opened File, but no item had a letter: the keyboard walked the list with arrows.
    Every item of every menu (with a project open: the docks it adds to View) underlines one
    letter no other item of its menu underlines."""
    from gui.menu_keys import marked

    window.sessions.open_session(_three_segments(project))
    idle(window)
    window.extra_panels.show_speakers()
    window.extra_panels.show_privacy(0)
    without: list[str] = []
    clashes: list[str] = []
    for where, menu in _opened_menus(window).items():
        letters: Counter[str] = Counter()
        for action in menu.actions():
            if action.isSeparator() or not action.text():
                continue
            letter = marked(action.text())
            if not letter:
                without.append(f"{where} ▸ {action.text()}")
            letters[letter] += 1
        clashes += [f"{where}: &{k} x{n}" for k, n in letters.items() if k and n > 1]
    assert (without, clashes) == ([], [])
    # the words stay as written: only the marker is added
    file_menu = window.chrome.menus["&File"]
    texts = [a.text().replace("&", "") for a in file_menu.actions() if not a.isSeparator()]
    assert "Import audio…" in texts and "Quit" in texts


def test_a_literal_ampersand_in_an_item_stays_one() -> None:
    from gui.menu_keys import marked, without_mark

    menu = QMenu()
    menu.addAction("R&&D notes")
    menu.addAction("&Rename")
    from gui.menu_keys import give_mnemonics

    give_mnemonics(menu)
    texts = [a.text() for a in menu.actions()]
    # "&Rename" keeps its R; R&&D's literal & stays a literal one, a letter of its own marked
    assert texts[1] == "&Rename" and marked(texts[0]) not in ("r", "") and "&&" in texts[0]
    assert without_mark(texts[0]) == "R&&D notes"


def test_an_ampersand_in_a_pinned_code_or_a_recent_folder_is_shown(
    window: Any, project: Project, idle: Any, tmp_path: Any
) -> None:
    """A code "Q&A" pinned to key 1 read "Pinned code 1: QA" (its A underlined), and a recent
    project in "R&D" read "RD": Qt took the "&" for the item's letter."""
    from gui.menu_keys import without_mark

    window.sessions.open_session(_three_segments(project))
    idle(window)
    window.editing.add_code("Q&A")
    idle(window)
    window.editing.pin_code(project.codebook.find_code("Q&A").id, 1)
    menus = _opened_menus(window)
    shown = [without_mark(a.text()).replace("&&", "&") for a in menus["Code"].actions()]
    assert "Pinned code 1: Q&A" in shown
    folder = str(tmp_path / "R&D study.fieldscribe")
    window.settings.add_recent(folder)
    menus = _opened_menus(window)
    recent = menus["File ▸ Open recent"].actions()
    assert without_mark(recent[0].text()).replace("&&", "&") == folder


def test_an_item_keeps_its_first_letter_where_no_earlier_item_starts_with_it() -> None:
    """Open quickly took Q (a word's start) before Quit was reached: Quit read Q&uit."""
    from gui.menu_keys import give_mnemonics

    menu = QMenu()
    for text in ("Open", "Open quickly", "Quit"):
        menu.addAction(text)
    give_mnemonics(menu)
    assert [a.text() for a in menu.actions()] == ["&Open", "O&pen quickly", "&Quit"]

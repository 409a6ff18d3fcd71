"""Every right-click menu (and every button's drop-down menu) gives each item an underlined letter
no other item of it has, as the menu bar's menus do: the sessions list's and the transcript's
menus were built by Qt from their actions and the codebook's by hand, none with a letter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QMenu, QWidget

from gui.context_menu import context_menu_of, restore
from gui.menu_keys import marked
from storage import Project
from tests.analysis_support import build_project
from tests.gui.gui_helpers import main_window


@pytest.fixture
def coded(tmp_path: Path) -> Iterator[Project]:
    project = build_project(tmp_path / "a.fieldscribe", seed=4, sessions=3, segments=8)
    yield project
    project.close()


@pytest.fixture
def main(qtbot: Any, coded: Project, qsettings: Any, fake_transcriber: Any) -> Iterator[Any]:
    with main_window(qtbot, qsettings, fake_transcriber, coded) as w:
        yield w


def _letters_wrong(where: str, menu: QMenu) -> list[str]:
    """Items of ``menu`` with no letter, and letters two items share."""
    wrong = []
    letters: Counter[str] = Counter()
    for action in menu.actions():
        if action.isSeparator() or not action.text() or not action.isVisible():
            continue
        letter = marked(action.text())
        if not letter:
            wrong.append(f"{where} ▸ {action.text()}: no letter")
        letters[letter] += 1
    return wrong + [f"{where}: &{k} x{n}" for k, n in letters.items() if k and n > 1]


def _every_menu(widgets: list[QWidget]) -> tuple[int, list[str]]:
    """How many context and button menus ``widgets`` have, and what is wrong with them."""
    seen, wrong = 0, []
    for widget in widgets:
        where = f"{type(widget).__name__} {widget.objectName() or widget.accessibleName()}"
        policy = widget.contextMenuPolicy()
        if policy == Qt.ContextMenuPolicy.ActionsContextMenu and widget.actions():
            wrong.append(f"{where}: a menu Qt builds from its actions (no letters)")
        own = context_menu_of(widget)
        if policy == Qt.ContextMenuPolicy.CustomContextMenu and own is None:
            wrong.append(f"{where}: a context menu of its own, not gui.context_menu's")
        if own is not None:
            menu, before = own.menu()
            seen += 1
            wrong += _letters_wrong(f"{where} (right-click)", menu)
            restore(before)
        if isinstance(widget, QAbstractButton) and isinstance(
            getattr(widget, "menu", lambda: None)(), QMenu
        ):
            menu = widget.menu()  # type: ignore[attr-defined]
            menu.popup(widget.mapToGlobal(QPoint(0, 0)))  # filled and lettered as it opens
            menu.hide()
            seen += 1
            wrong += _letters_wrong(f"{where} {widget.text()} (button menu)", menu)
    return seen, wrong


def test_every_context_and_button_menu_letters_each_item(
    main: Any, coded: Project, idle: Any
) -> None:
    idle(main)
    session = coded.sessions.all()[0]
    main.sessions.open_session(session.id)
    idle(main)
    main.transcript.selectRow(0)
    code = coded.codebook.codes()[0]
    main.codebook.select_code(code.id)
    main.extra_panels.show_speakers()
    main.extra_panels.show_privacy(0)
    main.extra_panels.show_agreement()
    analysis = main.analysis.show()
    idle(main)
    widgets = [w for w in QApplication.allWidgets() if w.window() in (main, analysis)]
    widgets += [w for w in QApplication.allWidgets() if w.window() not in (main, analysis)]
    seen, wrong = _every_menu([w for w in widgets if w.isVisible() or w.parent() is not None])
    assert wrong == []
    # the sessions list, the transcript, the codebook; the analysis tabs' Export, Sessions…
    assert seen >= 6


def test_a_context_menu_item_is_picked_by_its_letter_and_shared_texts_stay(
    main: Any, coded: Project, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Menu key opens the codebook's menu; an item's letter picks it. The actions it shares
    with the tool bar read as before once it closed."""
    from tests.gui.modal_guard import answer_menus

    idle(main)
    tree = main.codebook.tree
    main.codebook.select_code(coded.codebook.codes()[0].id)
    tree.expandAll()
    shared = {a: a.text() for a in main.codebook.toolbar.findChildren(QAction)}
    shared |= {a: a.text() for a in main.codebook.actions()}
    picked: list[str] = []

    def press_collapse_letter(menu: QMenu) -> None:
        item = next(a for a in menu.actions() if a.text().replace("&", "") == "Collapse all")
        picked.append(item.text())
        menu.popup(tree.mapToGlobal(QPoint(0, 0)))
        QTest.keyClick(menu, marked(item.text()))  # Qt finds the item by its letter
        return None

    answer_menus(monkeypatch, press_collapse_letter)
    at = tree.visualRect(tree.currentIndex()).center()
    # what the Menu key (or Shift+F10) sends the list
    menu_key = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, at, tree.mapToGlobal(at))
    QApplication.sendEvent(tree.viewport(), menu_key)
    idle(main)
    assert picked and marked(picked[0])
    model = main.codebook.model
    assert not any(tree.isExpanded(model.index(r, 0)) for r in range(model.rowCount()))
    assert {a: a.text() for a in shared} == shared

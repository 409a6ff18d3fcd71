"""Qt's own menus of line and text boxes: every item with an underlined letter, as the app's
menus have (Delete and Select All had none), opened with the Menu key in the window's boxes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QPlainTextEdit, QTextEdit, QWidget

from gui.menu_keys import marked, readable


@pytest.fixture
def configured(qapp: Any) -> Iterator[None]:
    """The application set up as the app sets it up (``gui.app.configure``), undone after."""
    from gui.app import configure
    from gui.text_menus import TextBoxMenuLetters

    name = qapp.applicationName()
    configure(qapp)
    yield
    qapp.setApplicationName(name)
    for made in qapp.findChildren(TextBoxMenuLetters):
        qapp.removeEventFilter(made)
        made.deleteLater()


def menu_of(box: QWidget, qtbot: Any) -> QMenu:
    """The menu the Menu key opens in ``box`` (Qt's own), shown and taking the keys (the
    focus: a menu's window takes it a moment after it pops up)."""
    box.setFocus()
    target = box.viewport() if isinstance(box, QTextEdit | QPlainTextEdit) else box
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, QPoint(4, 4), target.mapToGlobal(QPoint(4, 4))
    )
    QApplication.sendEvent(target, event)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    qtbot.waitUntil(lambda: QApplication.focusObject() is menu)
    assert isinstance(menu, QMenu)
    return menu


def letters(menu: QMenu) -> dict[str, str]:
    """Each item's text (as shown) and its underlined letter ("" for none)."""
    return {
        readable(a.text()).split("\t")[0]: marked(a.text())
        for a in menu.actions()
        if not a.isSeparator() and a.text()
    }


@pytest.mark.parametrize("kind", [QLineEdit, QTextEdit, QPlainTextEdit])
def test_every_item_of_a_text_box_menu_has_its_own_letter(
    kind: type, qtbot: Any, configured: None
) -> None:
    box = kind()
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    menu = menu_of(box, qtbot)
    got = letters(menu)
    menu.close()
    assert got["Delete"] == "d" and got["Select All"] == "s", got
    assert got["Cut"] == "t" and got["Paste"] == "p", got  # Qt's own letters kept
    assert "" not in got.values() and len(set(got.values())) == len(got), got


def test_the_search_box_of_the_window_gets_its_letters_and_select_all_works(
    window: Any, qtbot: Any, configured: None
) -> None:
    """In the window's search box, the Menu key then S selects the whole query."""
    from PySide6.QtTest import QTest

    query = window.search_panel.query
    window.search_dock.show()
    query.setText("қазақ тілі")
    query.setCursorPosition(0)
    menu = menu_of(query, qtbot)
    assert letters(menu)["Select All"] == "s"
    QTest.keyClick(menu, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: not menu.isVisible())
    assert query.selectedText() == "қазақ тілі"


def test_no_letter_is_taken_from_the_key_shown_after_a_tab(qapp: Any) -> None:
    """An item whose own letters are all taken stays without one: the "C" of "Ctrl" after its
    tab (shown in the keys' column, not in its name) was underlined instead."""
    from gui.menu_keys import give_mnemonics

    menu = QMenu()
    first, second = menu.addAction("X"), menu.addAction("X\tCtrl+Q")
    give_mnemonics(menu)
    assert marked(first.text()) == "x"
    assert second.text() == "X\tCtrl+Q"


def test_no_event_of_other_widgets_goes_through_the_letters_filter(
    qtbot: Any, configured: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The letters' filter was the application's: a Python call for each event of every
    object (each paint, each mouse move). Events of other widgets (and of the box) now never
    reach it, and a text box's menu still gets its letters."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent

    from gui.text_menus import TextBoxMenuLetters

    seen: list[int] = []
    original = TextBoxMenuLetters.eventFilter

    def counted(self: Any, watched: Any, event: Any) -> bool:
        seen.append(event.type())
        return original(self, watched, event)

    monkeypatch.setattr(TextBoxMenuLetters, "eventFilter", counted)
    holder = QWidget()
    qtbot.addWidget(holder)
    box, other = QLineEdit(holder), QWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    seen.clear()
    for i in range(200):
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(i % 20, 3),
            QPointF(i % 20, 3),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
        for widget in (other, box):
            QApplication.sendEvent(widget, move)
            widget.repaint()
    assert seen == []
    menu = menu_of(box, qtbot)
    got = letters(menu)
    menu.close()
    assert got["Select All"] == "s" and got["Delete"] == "d", got

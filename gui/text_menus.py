"""An underlined letter for every item of Qt's own text-box menus, as the app's menus have.

Right-click (or the Menu key) in a line or text box opens the menu Qt builds for it: Undo,
Redo, Cut, Copy and Paste had letters, Delete and Select All none, in English and in Qt's
Russian and Kazakh translations alike (the app loads none of them: its texts are English), so
a keyboard user walked to those two with the arrows. Such a menu is now lettered by
``gui.menu_keys`` as it opens; the texts of any action it shares with another menu are given
back as they were when it closes.

The filter watches the text boxes alone, never the whole application: an application's
filter ran a Python ``eventFilter`` for every event of every object (each paint, each mouse
move) to find the rare menu of a text box. A box is watched from the moment it or its window
takes the focus (a right-click and the Menu key both give the box the focus first); it then
sees its menu made (the menu is polished as its child) and watches that menu's showing and
hiding.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QWindow
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from gui.menu_keys import give_mnemonics

#: the boxes whose menus Qt makes (a spin box's and an editable list's menu is its line edit's)
TEXT_BOXES = (QLineEdit, QTextEdit, QPlainTextEdit)

#: the property that marks a box (or a text edit's viewport, or a menu) as watched, and by whom
_WATCHED = "_fieldscribe_text_menu_letters"


def is_text_box_menu(menu: QMenu) -> bool:
    """Whether ``menu`` is a menu a text box made for itself (its parent is the box, or the
    box's viewport for a text edit)."""
    parent = menu.parent()
    if isinstance(parent, TEXT_BOXES):
        return True
    box = parent.parent() if parent is not None else None
    return isinstance(box, QTextEdit | QPlainTextEdit) and box.viewport() is parent


class TextBoxMenuLetters(QObject):
    """Letters the items of each text box's menu as it shows (a filter on the boxes and their
    menus only)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._before: dict[QMenu, dict[QAction, str]] = {}
        self._mark = str(id(self))

    def _install(self, obj: QObject) -> None:
        if obj.property(_WATCHED) != self._mark:
            obj.setProperty(_WATCHED, self._mark)
            obj.installEventFilter(self)

    def watch(self, widget: QWidget | None) -> None:
        """Watch ``widget`` if it is a text box, and the line boxes inside it (a spin box's,
        an editable list's)."""
        if widget is None:
            return
        boxes = [widget] if isinstance(widget, TEXT_BOXES) else []
        boxes += widget.findChildren(QLineEdit)
        for box in boxes:
            self._install(box)
            if isinstance(box, QAbstractScrollArea):
                self._install(box.viewport())  # a text edit's menu is its viewport's child

    def focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        """``QApplication.focusChanged``: watch the box that took the focus."""
        self.watch(now)

    def watch_window(self, window: QWindow | None) -> None:
        """Watch every text box of the widgets ``window`` shows (a box right-clicked before
        it ever had the focus)."""
        if window is None:
            return
        for top in QApplication.topLevelWidgets():
            if top.windowHandle() is window:
                self.watch(top)
                for box in top.findChildren(QTextEdit) + top.findChildren(QPlainTextEdit):
                    self.watch(box)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        kind = event.type()
        if kind == QEvent.Type.ChildPolished:
            child = event.child()  # type: ignore[attr-defined]
            if isinstance(child, QMenu) and is_text_box_menu(child):
                self._install(child)  # polished as it pops up: its Show comes next
        elif kind == QEvent.Type.Show and isinstance(watched, QMenu) and is_text_box_menu(watched):
            before = {a: a.text() for a in watched.actions()}
            give_mnemonics(watched)
            self._before[watched] = before
        elif kind == QEvent.Type.Hide and isinstance(watched, QMenu) and watched in self._before:
            for action, text in self._before.pop(watched).items():
                if action.parent() is not watched and action.text() != text:
                    action.setText(text)  # shared with another menu: its own text back
        return False


def letter_text_box_menus(app: QApplication) -> TextBoxMenuLetters:
    """Give every text box's menu in ``app`` its letters (once; the watcher is returned)."""
    found = app.findChild(TextBoxMenuLetters)
    if found is not None:
        return found
    letters = TextBoxMenuLetters(app)
    app.focusChanged.connect(letters.focus_changed)  # a slot: gone with the watcher
    app.focusWindowChanged.connect(letters.watch_window)
    letters.watch(app.focusWidget())
    letters.watch_window(app.focusWindow())
    return letters

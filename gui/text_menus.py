"""An underlined letter for every item of Qt's own text-box menus, as the app's menus have.

Right-click (or the Menu key) in a line or text box opens the menu Qt builds for it: Undo,
Redo, Cut, Copy and Paste had letters, Delete and Select All none, in English and in Qt's
Russian and Kazakh translations alike (the app loads none of them: its texts are English), so
a keyboard user walked to those two with the arrows. Such a menu is now lettered by
``gui.menu_keys`` as it opens; the texts of any action it shares with another menu are given
back as they were when it closes.

Nothing watches every event for it: the filter was the application's, a Python
``eventFilter`` call for each event of every object (each paint, each mouse move) to find
the rare menu of a text box. A menu that pops up takes the focus, and the application says
so (``focusObjectChanged``): a text box's menu is lettered then, and watched alone until it
hides. This holds in a window that is not the active one too (a right-click there opens the
menu without making the window active under some window managers and none).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QPlainTextEdit, QTextEdit

from gui.menu_keys import give_mnemonics

#: the boxes whose menus Qt makes (a spin box's and an editable list's menu is its line edit's)
TEXT_BOXES = (QLineEdit, QTextEdit, QPlainTextEdit)


def is_text_box_menu(menu: QMenu) -> bool:
    """Whether ``menu`` is a menu a text box made for itself (its parent is the box, or the
    box's viewport for a text edit)."""
    parent = menu.parent()
    if isinstance(parent, TEXT_BOXES):
        return True
    box = parent.parent() if parent is not None else None
    return isinstance(box, QTextEdit | QPlainTextEdit) and box.viewport() is parent


class TextBoxMenuLetters(QObject):
    """Letters the items of each text box's menu as it pops up (it takes the focus), and
    gives shared actions their texts back as it hides (a filter on that menu only)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._before: dict[QMenu, dict[QAction, str]] = {}

    def focus_object_changed(self, focused: QObject | None) -> None:
        """``QGuiApplication.focusObjectChanged``: a text box's menu that popped up is
        lettered."""
        menu = focused if isinstance(focused, QMenu) else None
        if menu is not None and menu not in self._before and is_text_box_menu(menu):
            self._before[menu] = {a: a.text() for a in menu.actions()}
            give_mnemonics(menu)
            menu.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Hide and isinstance(watched, QMenu):
            watched.removeEventFilter(self)
            for action, text in self._before.pop(watched, {}).items():
                if action.parent() is not watched and action.text() != text:
                    action.setText(text)  # shared with another menu: its own text back
        return False


def letter_text_box_menus(app: QApplication) -> TextBoxMenuLetters:
    """Give every text box's menu in ``app`` its letters (once; the watcher is returned)."""
    found = app.findChild(TextBoxMenuLetters)
    if found is not None:
        return found
    letters = TextBoxMenuLetters(app)
    app.focusObjectChanged.connect(letters.focus_object_changed)  # a slot: gone with it
    return letters

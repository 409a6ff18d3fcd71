"""Right-click (context) menus with an underlined letter for every item, as the menu bar's.

The sessions list and the transcript let Qt build their menus from their actions, and the
codebook built its own: none of their items had a letter, so a keyboard user (Menu key or
Shift+F10) walked them with the arrows. A widget's context menu is now made here: filled by
its ``fill`` (or from the widget's actions), lettered by ``gui.menu_keys`` as it opens; the
texts of actions shared with the menu bar or a tool bar are given back as they were when it
closes. A button's drop-down menu gets its letters through ``menu_keys.keep_mnemonics``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractScrollArea, QMenu, QWidget

from gui.menu_keys import give_mnemonics

Fill = Callable[[QMenu], None]


class ContextMenu(QObject):
    """The context menu of the widget it is a child of (see ``context_menu``)."""

    def __init__(self, widget: QWidget, fill: Fill | None) -> None:
        super().__init__(widget)
        self.widget = widget
        self.fill = fill
        widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        widget.customContextMenuRequested.connect(self.open_at)

    def menu(self) -> tuple[QMenu, dict[QAction, str]]:
        """The menu as it opens now, lettered, and the texts its letters replaced."""
        menu = QMenu(self.widget)
        if self.fill is not None:
            self.fill(menu)
        else:
            menu.addActions(self.widget.actions())
        before = {a: a.text() for a in menu.actions()}
        give_mnemonics(menu)
        return menu, before

    def open_at(self, pos: QPoint) -> None:
        """Show the menu at ``pos`` (a scroll area's: its viewport's) until an item is picked
        or it is closed."""
        menu, before = self.menu()
        if not menu.actions():
            menu.deleteLater()
            return
        area = self.widget
        at = area.viewport() if isinstance(area, QAbstractScrollArea) else area
        try:
            menu.exec(at.mapToGlobal(pos))
        finally:
            restore(before)
            menu.deleteLater()


def restore(before: dict[QAction, str]) -> None:
    """Give the actions a menu lettered their texts back (a shared action keeps the letter
    its other menu gave it)."""
    for action, text in before.items():
        if action.text() != text:
            action.setText(text)


def context_menu(widget: QWidget, fill: Fill | None = None) -> ContextMenu:
    """Give ``widget`` a lettered context menu: ``fill`` adds its items as it opens (the
    widget's own actions when None)."""
    return ContextMenu(widget, fill)


def context_menu_of(widget: QWidget) -> ContextMenu | None:
    """The lettered context menu ``context_menu`` gave ``widget``, if any."""
    return widget.findChild(ContextMenu, options=Qt.FindChildOption.FindDirectChildrenOnly)

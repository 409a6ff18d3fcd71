"""Keyboard flow between the workbench's panes: F6 / Shift+F6 move focus round them.

The panes are given as widgets (sessions list, transcript, codebook tree, search box); a pane in
a hidden or covered dock is brought to front before it takes the focus, as Ctrl+F does for Search.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from gui.chrome import bring_to_front


def tab_in_order(widgets: Sequence[QWidget]) -> None:
    """Tab walks ``widgets`` in this order (as they are read): Qt's order is the order they
    were made in, and a panel's tool bar made after its list was reached after the list."""
    for before, after in itertools.pairwise(widgets):
        QWidget.setTabOrder(before, after)


def _dock_of(widget: QWidget) -> QDockWidget | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    return parent


class PaneCycler(QObject):
    """Moves the keyboard focus to the next or previous pane."""

    def __init__(self, panes: Sequence[QWidget], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panes = list(panes)

    def current(self) -> int:
        """Index of the pane holding the focus, or -1."""
        focus = QApplication.focusWidget()
        for i, pane in enumerate(self.panes):
            if focus is not None and (focus is pane or pane.isAncestorOf(focus)):
                return i
        return -1

    def step(self, delta: int) -> QWidget | None:
        """Focus the pane ``delta`` steps away (1 next, -1 previous); returns it."""
        n = len(self.panes)
        at = self.current()
        start = at if at >= 0 else (-1 if delta > 0 else 0)
        for k in range(1, n + 1):
            pane = self.panes[(start + delta * k) % n]
            if not pane.isEnabled():
                continue
            dock = _dock_of(pane)
            if dock is not None:
                bring_to_front(dock)
            if not pane.isVisibleTo(pane.window()):
                continue
            pane.setFocus(Qt.FocusReason.TabFocusReason)
            return pane
        return None

    def next(self) -> None:
        """Focus the next pane (F6)."""
        self.step(1)

    def previous(self) -> None:
        """Focus the previous pane (Shift+F6)."""
        self.step(-1)


class KeysOf(QObject):
    """Plain keys (F2, Delete) for one widget, without window-wide shortcuts that would clash
    with the same keys elsewhere (the codebook's F2 and Delete)."""

    def __init__(self, widget: QWidget, keys: dict[Qt.Key, Callable[[], Any]]) -> None:
        super().__init__(widget)
        self.keys = keys
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and not event.modifiers()
            and Qt.Key(event.key()) in self.keys
        ):
            self.keys[Qt.Key(event.key())]()
            return True
        return False

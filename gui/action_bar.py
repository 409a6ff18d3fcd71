"""A row of action buttons that wraps onto more rows when its panel is narrow.

A ``QToolBar`` hides what does not fit behind its » button: in the codebook panel of a
1024-pixel-wide window it showed two of its seven actions. ``ActionBar`` shows every action,
on as many rows as the width needs.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSizePolicy, QToolButton, QWidget

from .flow_row import FlowLayout

#: the keyboard's place on a flat button: a frame in the selection colour. The style drew none
#: on a flat (auto-raised) button: Tab reached "New code" and nothing showed it. Every button
#: has the frame's room, transparent, so that the focus moving makes none of them jump.
FOCUS_FRAME = (
    "QToolButton { border: 2px solid transparent; border-radius: 3px; padding: 0px 1px; }"
    "QToolButton:hover:enabled { border-color: palette(mid); }"
    "QToolButton:pressed { background: palette(midlight); }"
    # the frame also under the mouse (as specific as the hover rule, and after it)
    "QToolButton:focus, QToolButton:focus:hover { border-color: palette(highlight); }"
)


class ActionBar(QWidget):
    """A flat text button for each action, wrapping onto more rows when narrow.
    ``actions()`` lists them, as a toolbar's does."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = FlowLayout(self)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.buttons: list[QToolButton] = []
        for act in actions:
            self.addAction(act)
            button = QToolButton(self)
            button.setDefaultAction(act)
            button.setAutoRaise(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            layout.addWidget(button)
            self.buttons.append(button)
        self.setStyleSheet(FOCUS_FRAME)

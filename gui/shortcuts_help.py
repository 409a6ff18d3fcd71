"""Help ▸ Keyboard shortcuts (F1): every key of the window, read from its menus' actions as they
are (so the list cannot drift from the keys the window has), then the keys of single panes that
no menu shows (they act only where the focus is)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.menu_keys import readable

#: keys that act in one pane only (event filters and widget shortcuts, not menu actions)
PANE_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Menus", "Alt + the underlined letter", "open that menu; arrows and Enter pick an item"),
    ("Transcript", "Enter", "play the selected segment"),
    ("Transcript", "1 … 9", "code the selected segment with the code pinned to that key"),
    ("Transcript", "Up / Down", "the previous / next segment"),
    ("Text editor", "Ctrl+Enter", "keep the typed text"),
    ("Text editor", "Esc", "keep the typed text and go back to the transcript"),
    ("Sessions list", "F2 / Delete", "rename / delete the selected session"),
    ("Codebook", "Ctrl+Shift+N / F2 / Delete", "new / rename / delete the selected code"),
    ("Record panel", "M / N", "drop a marker / go to the guide's next question"),
    ("Dialogs", "Tab / Shift+Tab, Enter, Esc", "next / previous field, OK, Cancel"),
)


#: keys of multimedia keyboards that Qt adds to some platforms' standard keys (Redo: Ctrl+Shift+Z
#: or Redo, Quit: Ctrl+Q or Exit); no laptop has them, and "or Exit" read as a word
SPECIAL_KEYS = frozenset({"Redo", "Undo", "Exit", "Copy", "Paste", "Cut", "Find", "Open", "New"})


def menu_keys(menu_bar: Any) -> list[tuple[str, str, str]]:
    """(menu, item, keys) of every menu item with a shortcut, in menu order (submenus
    included, named "Menu ▸ Submenu")."""
    rows: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{where} ▸ {readable(action.text())}")
                continue
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
            keys = [k for k in keys if k and k not in SPECIAL_KEYS]
            if keys:
                rows.append((where, readable(action.text()), " or ".join(keys)))

    for top in menu_bar.actions():
        sub = top.menu()
        if isinstance(sub, QMenu):
            walk(sub, readable(top.text()))
    return rows


class ShortcutsDialog(QDialog):
    """The table of keys: where, what, which keys."""

    def __init__(self, menu_bar: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Every menu item with a key, then the keys of single panes. F6 and Shift+F6 move "
            "between the panes; Tab moves between the fields of a pane or dialog."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        rows = [*menu_keys(menu_bar)]
        rows += [(where, what, keys) for where, keys, what in PANE_KEYS]
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Where", "What", "Keys"])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.rows = rows
        # as wide as its words, as tall as the screen lets it be (1024x700 laptops)
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.table.resizeColumnsToContents()
        want = sum(self.table.columnWidth(c) for c in range(3)) + 60
        self.resize(min(want, screen.width() - 40), min(640, screen.height() - 60))


def show_shortcuts(window: Any) -> ShortcutsDialog:
    """Help ▸ Keyboard shortcuts…: the table, not modal (read beside the work)."""
    dialog = ShortcutsDialog(window.menuBar(), window)
    dialog.setModal(False)
    dialog.show()
    window.shortcuts_dialog = dialog
    return dialog

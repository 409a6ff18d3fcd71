"""Selecting a row from code, as a plain click on it does.

``QTableView.selectRow`` reads the keyboard modifiers held at that moment: with Ctrl held it
toggles the row (a row already selected is deselected), with Shift it extends the selection from
an anchor (and selects nothing when there is none). Code that selects a row in answer to a
shortcut (Ctrl+Shift+…) or a reload must not depend on which keys the coder is holding.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView


def select_row(view: QAbstractItemView, row: int) -> None:
    """Make ``row`` the current and only selected row of ``view`` (scrolled into sight)."""
    model = view.model()
    selection = view.selectionModel()
    if model is None or selection is None or not 0 <= row < model.rowCount():
        return
    flags = QItemSelectionModel.SelectionFlag
    selection.setCurrentIndex(model.index(row, 0), flags.ClearAndSelect | flags.Rows)

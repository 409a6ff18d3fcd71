"""A table of one-line rows: each cell on one line, a long one elided ("…", whole in its tooltip).

For a log read row by row (Ethics ▸ Audit log): its cells wrapped at word boundaries made each
entry two to four lines high in a laptop's dock, four or five entries in sight. One line a row,
each column as wide as its texts up to a cap, the table scrolling sideways past the dock's edge.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

from gui.fit import CELL_PADDING_PX

#: px: between a row's line of text and the next row's
ROW_PADDING_PX = 8


def one_line_rows(table: QTableWidget) -> None:
    """``table``'s rows one line high, their texts elided at the right, no wrapping."""
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setMinimumSectionSize(1)
    rows.setDefaultSectionSize(table.fontMetrics().lineSpacing() + ROW_PADDING_PX)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setTextElideMode(Qt.TextElideMode.ElideRight)


def fit_one_line_columns(table: QTableWidget, widest: dict[int, int] | None = None) -> None:
    """Each column as wide as its header and its texts on one line (``widest``: column ->
    letters, the most that column gets; a longer text is elided)."""
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        items = (table.item(r, column) for r in range(table.rowCount()))
        texts = [i.text() for i in items if i is not None]
        need = max((metrics.horizontalAdvance(t) for t in texts), default=0)
        width = max(need + CELL_PADDING_PX + 2, header.sectionSizeHint(column))
        letters = (widest or {}).get(column)
        if letters is not None:
            width = min(width, metrics.horizontalAdvance("x" * letters) + CELL_PADDING_PX + 2)
        table.setColumnWidth(column, width)

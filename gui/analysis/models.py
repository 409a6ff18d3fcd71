"""Item models of the Analysis window: a code table with shaded cells, and the segments of a cell.

``CodeTableModel`` shows an ``analysis.table.Table`` (matrix, co-occurrence, frequencies): rows
are codes (indented by depth; sub-codes can be hidden), cells show the count, a percentage of
the row or column total, or a symbol, on a background shaded by the value. ``HitsModel`` lists
``SegmentHit``s. Both are tested without a window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from analysis.matrix import SegmentHit
from analysis.table import Table
from analysis.words import Concordance
from gui.contrast import ink_on
from gui.fmt import fmt_ms
from gui.models.segments import CODINGS_ROLE
from gui.models.table import RowTableModel
from storage.core.models import Code, Coding

Index = QModelIndex | QPersistentModelIndex
DISPLAYS = ("numbers", "shaded", "symbols")
_SYMBOLS = ("", "·", "○", "◐", "●")


def shade(fraction: float) -> QColor:
    """A blue from white (0) to dark (1), as the heatmap charts use."""
    f = min(max(fraction, 0.0), 1.0)
    return QColor(int(255 - 200 * f), int(255 - 150 * f), int(255 - 60 * f))


class CodeTableModel(QAbstractTableModel):
    """A ``Table`` as a grid: code rows × columns, then a total column."""

    def __init__(self) -> None:
        super().__init__()
        self.table: Table | None = None
        self.percent = "none"
        self.display = "shaded"
        self.top_only = False
        self._rows: list[int] = []  # table row index of each shown row
        self._values: list[list[float]] = []
        self._totals: list[int] = []  # each table row's total (the Total column)
        self._high = 1.0

    def set_table(self, table: Table | None) -> None:
        """Show a new table (None: nothing)."""
        self.beginResetModel()
        self.table = table
        self._refresh()
        self.endResetModel()

    def set_options(
        self, *, percent: str | None = None, display: str | None = None, top: bool | None = None
    ) -> None:
        """Change how cells read: percentages, display mode, only top-level codes."""
        self.beginResetModel()
        if percent is not None:
            self.percent = percent
        if display is not None:
            self.display = display
        if top is not None:
            self.top_only = top
        self._refresh()
        self.endResetModel()

    def _refresh(self) -> None:
        t = self.table
        if t is None or t.empty:
            self._rows, self._values, self._high = [], [], 1.0
            return
        self._values = t.percentages(self.percent)
        self._totals = t.row_totals()
        self._rows = [i for i, h in enumerate(t.rows) if not self.top_only or h.depth == 0]
        # co-occurrence: the diagonal (a code with itself) is left out of the shading scale
        self._high = (
            max(
                (
                    v
                    for i in self._rows
                    for j, v in enumerate(self._values[i])
                    if not self._diagonal(i, j)
                ),
                default=0.0,
            )
            or 1.0
        )

    def _diagonal(self, i: int, j: int) -> bool:
        t = self.table
        return bool(
            t is not None
            and t.kind == "cooccurrence"
            and j < len(t.columns)
            and t.rows[i].key == t.columns[j].key
        )

    # ------------------------------------------------------------------ Qt
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.table is None or self.table.empty:
            return 0
        return len(self.table.columns) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        t = self.table
        if t is None or t.empty:
            return None
        if orientation == Qt.Orientation.Horizontal:
            label = (
                t.columns[section].label if section < len(t.columns) else t.total_label.capitalize()
            )
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                # the view elides in the middle: "Interview Almaty, day 1/2" stay apart
                return label
            return None
        header = t.rows[self._rows[section]]
        name = header.label.rsplit("/", 1)[-1]
        if role == Qt.ItemDataRole.DisplayRole:
            return "    " * header.depth + name
        if role == Qt.ItemDataRole.ToolTipRole:
            return header.label
        if role == Qt.ItemDataRole.DecorationRole and header.colour:
            return QColor(header.colour)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        t = self.table
        if t is None or not index.isValid():
            return None
        i = self._rows[index.row()]
        j = index.column()
        total_column = j == len(t.columns)
        total = self._totals[i] if total_column else 0
        value = float(total) if total_column else self._values[i][j]
        raw = total if total_column else t.cells[i][j]
        if role == Qt.ItemDataRole.DisplayRole:
            if self.display == "symbols" and not total_column:
                return _SYMBOLS[min(4, int(4 * value / self._high + 0.999))] if value else ""
            if self.percent in ("row", "column") and not total_column:
                return f"{value:.1f}%" if raw else ""
            if t.measure == "talk_ms":
                return fmt_ms(int(raw)) if raw else ""
            return str(raw) if raw or total_column else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            col = t.total_label if total_column else t.columns[j].label
            return f"{t.rows[i].label} × {col}: {raw}"
        if role == Qt.ItemDataRole.BackgroundRole and self.display != "numbers":
            if total_column or self._diagonal(i, j):
                return QBrush(QColor("#ececec"))
            return QBrush(shade(value / self._high)) if value else None
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and self.display != "numbers"
            and not total_column
            and not self._diagonal(i, j)
            and value
        ):  # white read 2.5:1 on the shade of 61 % (white from 60 %): the better of the two
            return QBrush(ink_on(shade(value / self._high)))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def keys(self, index: Index) -> tuple[str, str | None]:
        """(row key, column key) of a cell; the column key is None for the total column."""
        assert self.table is not None
        i = self._rows[index.row()]
        j = index.column()
        return self.table.rows[i].key, (
            self.table.columns[j].key if j < len(self.table.columns) else None
        )


Spans = dict[str, list[tuple[Coding, Code]]]  # segment id -> its span codings, with their codes


def span_codings(
    project: Any, segment_ids: list[str], code_ids: set[str], coders: tuple[str, ...] = ()
) -> Spans:
    """The span codings (not whole-segment ones) of ``code_ids`` in these segments, by
    ``coders`` (any coder when empty), with their codes: what the cell list marks."""
    codes = {c.id: c for c in project.codebook.codes() if c.id in code_ids}
    found: Spans = {}
    for seg_id in dict.fromkeys(segment_ids):
        for c in project.codebook.codings(segment_id=seg_id):
            if c.code_id in codes and c.start_cp is not None and (not coders or c.coder in coders):
                found.setdefault(seg_id, []).append((c, codes[c.code_id]))
    return found


class HitsModel(RowTableModel):
    """Segments behind a cell: session, time, speaker, text (its coded spans in
    ``CODINGS_ROLE``, drawn as the transcript draws them)."""

    headers = ("Session", "Time", "Speaker", "Text")
    TEXT = 3

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[SegmentHit] = []
        self.spans: Spans = {}

    def row_total(self) -> int:
        return len(self.hits)

    def set_hits(self, hits: list[SegmentHit], spans: Spans | None = None) -> None:
        """Show these segments (``spans``: the coded words to mark in their text)."""
        self.beginResetModel()
        self.hits = list(hits)
        self.spans = dict(spans or {})
        self.endResetModel()

    def coded_words(self, row: int) -> list[str]:
        """The words of a row's text that its span codings cover."""
        h = self.hits[row]
        return [h.text[c.start_cp : c.end_cp] for c, _code in self.spans.get(h.segment_id, [])]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        h = self.hits[index.row()]
        if role == CODINGS_ROLE and index.column() == self.TEXT:
            return self.spans.get(h.segment_id, [])
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.TEXT:
            words = self.coded_words(index.row())
            return h.text + "".join(f"\nCoded: “{w}”" for w in words)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return (h.session_title, fmt_ms(h.start_ms), h.speaker or "", h.text)[index.column()]


class KwicModel(RowTableModel):
    """Keywords in context: session, time, speaker, the line with the keyword in the middle."""

    headers = ("Session", "Time", "Speaker", "Before", "Keyword", "After")

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[Concordance] = []
        self.titles: dict[str, str] = {}  # session id -> title

    def row_total(self) -> int:
        return len(self.lines)

    def set_lines(self, lines: list[Concordance], titles: dict[str, str] | None = None) -> None:
        """Show these concordance lines (``titles``: the sessions' titles by id)."""
        self.beginResetModel()
        self.lines = list(lines)
        self.titles = dict(titles or {})
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            right = index.column() == 3
            align = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return self.titles.get(self.lines[index.row()].session_id, "")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        k = self.lines[index.row()]
        title = self.titles.get(k.session_id, "")
        return (title, fmt_ms(k.start_ms), k.speaker or "", k.left, k.keyword, k.right)[
            index.column()
        ]

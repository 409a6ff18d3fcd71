"""The transcript table model: a lazy view over a list of ``Segment`` dataclasses.

No per-row widgets: ``data()`` formats on demand and a delegate paints the coding stripes, so a
session of 100,000 segments costs one list and one dict. Edits are not written here: ``setData``
emits ``edit_requested`` and the main window turns it into an undoable command; when the command
has run, the window calls ``replace_segment`` / ``insert_segment`` / ``remove_segment``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from gui.fmt import fmt_ms
from gui.models.table import RowTableModel
from gui.qtcompat import emit
from storage.models import Code, Coding, Segment

CODE_MIME = "application/x-fieldscribe-code-ids"
SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 1
CODINGS_ROLE = Qt.ItemDataRole.UserRole + 2  # list[tuple[Coding, Code]]

COL_CODES, COL_TIME, COL_SPEAKER, COL_TEXT = range(4)
HEADERS = ("Codes", "Time", "Speaker", "Text")

Index = QModelIndex | QPersistentModelIndex


@dataclass
class PreparedTranscript:
    """A session's rows with their indexes, built on a worker thread (no Qt objects)."""

    segments: list[Segment]
    starts: list[int]
    row_of: dict[str, int]
    codings: dict[str, list[Coding]]


def prepare_transcript(segments: list[Segment], codings: Iterable[Coding]) -> PreparedTranscript:
    """Index segments and group codings (O(n); run it off the GUI thread for big sessions)."""
    grouped: dict[str, list[Coding]] = {}
    for coding in codings:
        grouped.setdefault(coding.segment_id, []).append(coding)
    return PreparedTranscript(
        segments=list(segments),
        starts=[s.start_ms for s in segments],
        row_of={s.id: i for i, s in enumerate(segments)},
        codings=grouped,
    )


class SegmentTableModel(RowTableModel):
    """Segments of one session: codes stripe, time, speaker, text."""

    edit_requested = Signal(str, str, object)  # segment id, "text" | "speaker", new value
    codes_dropped = Signal(list, list)  # code ids, segment ids

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.session_id: str | None = None
        self._segments: list[Segment] = []
        self._starts: list[int] = []
        self._row_of: dict[str, int] = {}
        self._codings: dict[str, list[Coding]] = {}
        self._codes: dict[str, Code] = {}
        self._visible_coder: str | None = None
        self.playing_row = -1

    # ------------------------------------------------------------------ loading
    def load(
        self,
        session_id: str | None,
        segments: list[Segment] | PreparedTranscript,
        codings: Iterable[Coding] = (),
        codes: Iterable[Code] = (),
    ) -> None:
        """Replace the whole content (a new session was opened)."""
        prepared = (
            segments
            if isinstance(segments, PreparedTranscript)
            else prepare_transcript(segments, codings)
        )
        self.beginResetModel()
        self.session_id = session_id
        self._segments = prepared.segments
        self._starts = prepared.starts
        self._row_of = prepared.row_of
        self._codings = prepared.codings
        self._codes = {c.id: c for c in codes}
        self.playing_row = -1
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.load(None, [], [], [])

    def _reindex(self) -> None:
        self._row_of = {s.id: i for i, s in enumerate(self._segments)}
        self._starts = [s.start_ms for s in self._segments]

    def set_codes(self, codes: Iterable[Code]) -> None:
        """The codebook changed (names, colours): repaint the stripes."""
        self._codes = {c.id: c for c in codes}
        self._changed_column(COL_CODES)

    def set_visible_coder(self, coder: str | None) -> None:
        """Show only this coder's codings (blind coding), or everyone's with None."""
        self._visible_coder = coder
        self._changed_column(COL_CODES)

    def _changed_column(self, column: int) -> None:
        if self._segments:
            emit(
                self.dataChanged, self.index(0, column), self.index(len(self._segments) - 1, column)
            )

    # ------------------------------------------------------------------ access
    def segment(self, row: int) -> Segment:
        """The segment shown in ``row``."""
        return self._segments[row]

    def segments(self) -> list[Segment]:
        """All segments, in order (do not modify)."""
        return self._segments

    def row_of(self, segment_id: str) -> int:
        """The row of a segment id, or -1."""
        return self._row_of.get(segment_id, -1)

    def row_at_time(self, ms: int) -> int:
        """The row playing at ``ms``: the last segment starting at or before it (-1 if none)."""
        # between two segments the previous one stays highlighted until the next starts
        return bisect_right(self._starts, ms) - 1

    def codings_for(self, segment_id: str) -> list[Coding]:
        """The (visible) codings of one segment."""
        codings = self._codings.get(segment_id, [])
        if self._visible_coder is not None:
            codings = [c for c in codings if c.coder == self._visible_coder]
        return codings

    def code(self, code_id: str) -> Code | None:
        """A code of the current codebook."""
        return self._codes.get(code_id)

    # ------------------------------------------------------------------ updates
    def replace_segment(self, segment: Segment, codings: list[Coding] | None = None) -> None:
        """A segment was edited (and maybe its codings changed)."""
        row = self._row_of.get(segment.id, -1)
        if row < 0:
            return
        old = self._segments[row]
        if not segment.words and old.words:
            segment.words = old.words
        self._segments[row] = segment
        if codings is not None:
            self._codings[segment.id] = list(codings)
        if old.start_ms != segment.start_ms:
            self._starts[row] = segment.start_ms
        emit(self.dataChanged, self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def set_codings(self, segment_id: str, codings: list[Coding]) -> None:
        """Replace the codings of one segment."""
        self._codings[segment_id] = list(codings)
        row = self._row_of.get(segment_id, -1)
        if row >= 0:
            emit(self.dataChanged, self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def insert_segment(self, segment: Segment, codings: list[Coding] | None = None) -> int:
        """Insert a new segment (e.g. the right half of a split) at its time position."""
        row = bisect_right(self._starts, segment.start_ms)
        self.beginInsertRows(QModelIndex(), row, row)
        self._segments.insert(row, segment)
        self._codings[segment.id] = list(codings or [])
        self._reindex()
        self.endInsertRows()
        return row

    def remove_segment(self, segment_id: str) -> None:
        """Remove a segment (merged into its neighbour)."""
        row = self._row_of.get(segment_id, -1)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._segments[row]
        self._codings.pop(segment_id, None)
        self._reindex()
        self.endRemoveRows()

    def set_playing_row(self, row: int) -> None:
        """Highlight the segment being played."""
        if row == self.playing_row:
            return
        old, self.playing_row = self.playing_row, row
        for r in (old, row):
            if 0 <= r < len(self._segments):
                emit(self.dataChanged, self.index(r, 0), self.index(r, len(HEADERS) - 1))

    # ------------------------------------------------------------------ Qt model API
    headers = HEADERS

    def row_total(self) -> int:
        return len(self._segments)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        seg = self._segments[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == COL_TIME:
                return fmt_ms(seg.start_ms)
            if col == COL_SPEAKER:
                return seg.speaker or ""
            if col == COL_TEXT:
                return seg.text
            return None
        if role == SEGMENT_ROLE:
            return seg
        if role == CODINGS_ROLE:
            return [
                (c, self._codes[c.code_id])
                for c in self.codings_for(seg.id)
                if c.code_id in self._codes
            ]
        if role == Qt.ItemDataRole.BackgroundRole and row == self.playing_row:
            return QBrush(QColor(255, 236, 160))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_CODES:
                return self._codings_tooltip(seg.id)
            if col == COL_TIME:
                return f"{fmt_ms(seg.start_ms, tenths=True)} – {fmt_ms(seg.end_ms, tenths=True)}"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_TIME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _codings_tooltip(self, segment_id: str) -> str | None:
        lines = []
        for coding in self.codings_for(segment_id):
            code = self._codes.get(coding.code_id)
            if code is None:
                continue
            where = "" if coding.start_cp is None else f" [{coding.start_cp}–{coding.end_cp}]"
            memo = f" — {coding.memo}" if coding.memo else ""
            lines.append(f"{code.path}{where} · {coding.coder}{memo}")
        return "\n".join(lines) or None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        )
        if index.column() in (COL_TEXT, COL_SPEAKER):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        seg = self._segments[index.row()]
        if index.column() == COL_TEXT and str(value) != seg.text:
            emit(self.edit_requested, seg.id, "text", str(value))
            return True
        if index.column() == COL_SPEAKER and (str(value).strip() or None) != seg.speaker:
            emit(self.edit_requested, seg.id, "speaker", str(value).strip() or None)
            return True
        return False

    # ------------------------------------------------------------------ drop codes on rows
    def mimeTypes(self) -> list[str]:
        return [CODE_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(CODE_MIME) and (parent.isValid() or 0 <= row < len(self._segments))

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not data.hasFormat(CODE_MIME):
            return False
        target = parent.row() if parent.isValid() else row
        if not 0 <= target < len(self._segments):
            return False
        code_ids = bytes(data.data(CODE_MIME).data()).decode().split()
        emit(self.codes_dropped, code_ids, [self._segments[target].id])
        return False  # nothing to remove at the source

"""The transcript table model: a lazy view over a session's segments held as columns.

No per-row widgets and no object per row: ``data()`` formats on demand from flat lists and
arrays (``storage.codebook.retrieval.TranscriptColumns``) and a delegate paints the coding stripes.
Edits are not written here: ``setData`` emits ``edit_requested`` and the editing controller
(``gui.editing``) turns it into an undoable command; when the command has run, it calls
``replace_segment`` / ``insert_segment`` / ``remove_segment``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap

from gui.fmt import fmt_ms
from gui.models.table import RowTableModel
from gui.qtcompat import emit
from storage.codebook.retrieval import CodingColumns, TranscriptColumns
from storage.core.languages import language_name
from storage.core.model_names import written_by
from storage.core.models import SEGMENT_ORIGINS, Code, Coding, Segment

CODE_MIME = "application/x-fieldscribe-code-ids"
SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 1
CODINGS_ROLE = Qt.ItemDataRole.UserRole + 2  # list[tuple[Coding, Code]]

UNTRANSCRIBED_ROLE = Qt.ItemDataRole.UserRole + 3  # bool: speech without transcript
#: list[tuple[int, int, str]]: the segment's redacted spans (cp start, cp end, placeholder)
REDACTIONS_ROLE = Qt.ItemDataRole.UserRole + 4

COL_CODES, COL_TIME, COL_LANG, COL_SPEAKER, COL_TEXT = range(5)
HEADERS = ("Codes", "Time", "Lang", "Speaker", "Text")

#: what the Text column shows for speech without transcript (the text itself stays "")
PLACEHOLDER_TEXT = "Speech without transcript — play and type"
#: amber text: 4.6:1 on its row's background, 5.0:1 on white (#b26a00 read 3.9:1 and 4.2:1;
#: WCAG AA asks 4.5:1, tests/gui/test_selection_contrast.py); a selected row has the
#: selection's own text colour
PLACEHOLDER_COLOUR = QColor(0xA2, 0x5F, 0x00)
PLACEHOLDER_BACKGROUND = QColor(0xFF, 0xF4, 0xE0)

Index = QModelIndex | QPersistentModelIndex

_MEMO_ICON: list[QIcon] = []


#: the memo mark's colour on a row, and on a selected row (the highlight): the purple one
#: tinted blue on the selected row's blue read 1.5:1 (measured), hard to see
MEMO_MARK_COLOUR = QColor(0x6A, 0x4C, 0x93)
MEMO_MARK_SELECTED = QColor(0xFF, 0xFF, 0xFF)


def _pencil(colour: QColor) -> QPixmap:
    """The pencil, its strokes thickened (the font's thin strokes read faint on a highlight)."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(0, 0, 0, 0))
    font = QFont()
    font.setPixelSize(15)
    path = QPainterPath()
    path.addText(0, 0, font, "✎")
    box = path.boundingRect()
    path.translate(8 - box.center().x(), 8 - box.center().y())
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillPath(path, colour)
    painter.strokePath(path, QPen(colour, 1.0))
    painter.end()
    return pixmap


def memo_icon() -> QIcon:
    """The mark beside the time of a segment that has memos (a pencil, drawn once): purple on
    a row, white on a selected one."""
    if not _MEMO_ICON:
        icon = QIcon(_pencil(MEMO_MARK_COLOUR))
        icon.addPixmap(_pencil(MEMO_MARK_SELECTED), QIcon.Mode.Selected)
        _MEMO_ICON.append(icon)
    return _MEMO_ICON[0]


@dataclass
class PreparedTranscript:
    """A session's rows with their indexes, built on a worker thread (no Qt objects)."""

    columns: TranscriptColumns
    row_of: dict[str, int]
    codings: CodingColumns
    memos: dict[str, list[str]] = field(default_factory=dict)  # segment id -> memo labels
    #: segment id -> its redacted spans (cp start, cp end, placeholder), read on the worker;
    #: None: read when first painted
    redactions: dict[str, list[tuple[int, int, str]]] | None = None

    @property
    def segment_count(self) -> int:
        """How many segments."""
        return len(self.columns)


def prepare_transcript(
    segments: TranscriptColumns | list[Segment], codings: CodingColumns | Iterable[Coding]
) -> PreparedTranscript:
    """Index segments and group codings (O(n); run it off the GUI thread for big sessions)."""
    if isinstance(segments, TranscriptColumns):
        columns = segments
    else:
        columns = TranscriptColumns(segments[0].session_id if segments else "")
        for i, seg in enumerate(segments):
            columns.insert(i, seg)
    return PreparedTranscript(
        columns=columns,
        row_of={segment_id: i for i, segment_id in enumerate(columns.ids)},
        codings=(
            codings if isinstance(codings, CodingColumns) else CodingColumns.from_codings(codings)
        ),
    )


class SegmentTableModel(RowTableModel):
    """Segments of one session: codes stripe, time, speaker, text.

    Rows live in a ``TranscriptColumns`` (flat lists and arrays, no object per row), so a
    100,000-segment session adds almost nothing for the garbage collector to scan.
    """

    edit_requested = Signal(str, str, object)  # segment id, "text" | "speaker", new value
    codes_dropped = Signal(list, list)  # code ids, segment ids

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.session_id: str | None = None
        self._cols = TranscriptColumns("")
        self._row_of: dict[str, int] = {}
        self._base_codings = CodingColumns()  # as loaded
        self._codings: dict[str, list[Coding]] = {}  # segments whose codings changed since
        self._codes: dict[str, Code] = {}
        self._memos: dict[str, list[str]] = {}  # segment id -> its memos' labels
        self._visible_coder: str | None = None
        self._slots: dict[str, int] | None = None  # code id -> column of the code margin
        self.playing_row = -1
        #: a session id -> its redacted spans by segment id (cp start, cp end, placeholder);
        #: the window reads them from the project. Read once per change, when a row is painted.
        self.redactions_source: Callable[[str], dict[str, list[tuple[int, int, str]]]] = (
            lambda _sid: {}
        )
        self._redactions: dict[str, list[tuple[int, int, str]]] | None = None

    # ------------------------------------------------------------------ loading
    def load(
        self,
        session_id: str | None,
        segments: TranscriptColumns | list[Segment] | PreparedTranscript,
        codings: CodingColumns | Iterable[Coding] = (),
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
        self._cols = prepared.columns
        self._row_of = prepared.row_of
        self._base_codings = prepared.codings
        self._codings = {}
        self._memos = dict(prepared.memos)
        self._codes = {c.id: c for c in codes}
        self._slots = None
        self.playing_row = -1
        self._redactions = prepared.redactions
        self.endResetModel()

    def set_segment_memos(self, segment_id: str, labels: list[str]) -> None:
        """A segment's memos changed: mark its row (or take the mark away)."""
        if labels:
            self._memos[segment_id] = list(labels)
        else:
            self._memos.pop(segment_id, None)
        row = self._row_of.get(segment_id)
        if row is not None:
            emit(self.dataChanged, self.index(row, COL_TIME), self.index(row, COL_TIME))

    def set_memos(self, memos: dict[str, list[str]]) -> None:
        """Every segment's memo labels at once (blind coding turned on or off)."""
        if memos == self._memos:
            return
        self._memos = {k: list(v) for k, v in memos.items()}
        if self.rowCount():
            emit(
                self.dataChanged, self.index(0, COL_TIME), self.index(self.rowCount() - 1, COL_TIME)
            )

    def memos_of(self, segment_id: str) -> list[str]:
        """The labels of a segment's memos (none: [])."""
        return list(self._memos.get(segment_id, []))

    def clear(self) -> None:
        """Show nothing."""
        self.load(None, [], [], [])

    def _reindex(self, first: int = 0) -> None:
        row_of, ids = self._row_of, self._cols.ids
        for row in range(first, len(ids)):
            row_of[ids[row]] = row

    def set_codes(self, codes: Iterable[Code]) -> None:
        """The codebook changed (names, colours): repaint the stripes."""
        self._codes = {c.id: c for c in codes}
        self._slots = None
        self._changed_column(COL_CODES)

    def set_visible_coder(self, coder: str | None) -> None:
        """Show only this coder's codings (blind coding), or everyone's with None."""
        self._visible_coder = coder
        self._slots = None
        self._changed_column(COL_CODES)

    def _changed_column(self, column: int) -> None:
        if len(self._cols):
            emit(self.dataChanged, self.index(0, column), self.index(len(self._cols) - 1, column))

    # ------------------------------------------------------------------ access
    def segment(self, row: int) -> Segment:
        """The segment shown in ``row`` (light: no word timings, empty stamps)."""
        return self._cols.segment(row)

    def is_placeholder(self, row: int) -> bool:
        """True when ``row`` is speech without transcript that nobody has typed yet."""
        cols = self._cols
        return bool(cols.untranscribed[row]) and not cols.texts[row].strip()

    def untranscribed_count(self) -> int:
        """How many segments are speech without transcript."""
        return sum(self._cols.untranscribed)

    def languages(self) -> list[str]:
        """The languages of the segments shown, most segments first."""
        return [code for code, _count in self.language_counts()]

    def language_counts(self) -> list[tuple[str, int]]:
        """The languages of the segments shown and how many segments are in each, most first."""
        counts: dict[str, int] = {}
        for code in self._cols.languages:
            if code:
                counts[code] = counts.get(code, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def segment_ids(self) -> list[str]:
        """All segment ids, in order (do not modify)."""
        return self._cols.ids

    def all_codings(self, segment_id: str) -> list[Coding]:
        """Every coding of one segment, whoever the coder."""
        codings = self._codings.get(segment_id)
        return self._base_codings.of_segment(segment_id) if codings is None else codings

    def reload_codings(self, codings: CodingColumns) -> None:
        """Replace every segment's codings (re-read after a codebook change)."""
        self._base_codings = codings
        self._codings = {}
        self._slots = None
        self._changed_column(COL_CODES)

    def row_of(self, segment_id: str) -> int:
        """The row of a segment id, or -1."""
        return self._row_of.get(segment_id, -1)

    def row_at_time(self, ms: int) -> int:
        """The row playing at ``ms``: the last segment starting at or before it (-1 if none)."""
        # between two segments the previous one stays highlighted until the next starts
        return bisect_right(self._cols.start_ms, ms) - 1

    def codings_for(self, segment_id: str) -> list[Coding]:
        """The (visible) codings of one segment."""
        codings = self.all_codings(segment_id)
        if self._visible_coder is not None:
            codings = [c for c in codings if c.coder == self._visible_coder]
        return codings

    def code(self, code_id: str) -> Code | None:
        """A code of the current codebook."""
        return self._codes.get(code_id)

    def margin_codes(self, row: int) -> dict[str, bool]:
        """The codes on a row for the code margin: code id -> whether only spans of it (not
        the whole segment) are coded. Codes in codebook order."""
        if not 0 <= row < len(self._cols):
            return {}
        out: dict[str, bool] = {}
        for c in self.codings_for(self._cols.ids[row]):
            if c.code_id in self._codes:
                out[c.code_id] = out.get(c.code_id, True) and c.start_cp is not None
        return out

    def code_slots(self) -> dict[str, int]:
        """Code id -> its column in the code margin: the codes used in this session, in
        codebook order (computed once per change of codings or codes)."""
        if self._slots is None:
            used = set(self._base_codings.code_ids)
            if self._visible_coder is not None:
                coder = self._visible_coder
                cols = self._base_codings
                used = {
                    c for c, who in zip(cols.code_ids, cols.coders, strict=True) if who == coder
                }
            for codings in self._codings.values():
                used.update(c.code_id for c in codings)
            order = [cid for cid in self._codes if cid in used]
            self._slots = {cid: i for i, cid in enumerate(order)}
        return self._slots

    def redactions_of(self, segment_id: str) -> list[tuple[int, int, str]]:
        """The redacted spans of a segment (what exports hide), read once per change."""
        if self._redactions is None:
            self._redactions = self.redactions_source(self.session_id) if self.session_id else {}
        return self._redactions.get(segment_id, [])

    def reload_redactions(self) -> None:
        """Redactions changed (redacted, undone, destroyed): the rows show them as they are."""
        self._redactions = None
        if len(self._cols):
            emit(
                self.dataChanged, self.index(0, COL_TEXT), self.index(len(self._cols) - 1, COL_TEXT)
            )

    # ------------------------------------------------------------------ updates
    def replace_segment(self, segment: Segment, codings: list[Coding] | None = None) -> None:
        """A segment was edited (and maybe its codings changed)."""
        row = self._row_of.get(segment.id, -1)
        if row < 0:
            return
        self._cols.set(row, segment)
        self._redactions = None  # they follow their words through the edit
        if codings is not None:
            self._codings[segment.id] = list(codings)
            self._slots = None
        emit(self.dataChanged, self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def set_codings(self, segment_id: str, codings: list[Coding]) -> None:
        """Replace the codings of one segment."""
        self._codings[segment_id] = list(codings)
        self._slots = None
        row = self._row_of.get(segment_id, -1)
        if row >= 0:
            emit(self.dataChanged, self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def insert_segment(self, segment: Segment, codings: list[Coding] | None = None) -> int:
        """Insert a new segment (e.g. the right half of a split) at its time position."""
        row = bisect_right(self._cols.start_ms, segment.start_ms)
        self.beginInsertRows(QModelIndex(), row, row)
        self._cols.insert(row, segment)
        self._codings[segment.id] = list(codings or [])
        self._redactions = None
        self._reindex(row)
        self.endInsertRows()
        return row

    def remove_segment(self, segment_id: str) -> None:
        """Remove a segment (merged into its neighbour)."""
        row = self._row_of.get(segment_id, -1)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        self._cols.delete(row)
        self._codings.pop(segment_id, None)
        self._redactions = None
        del self._row_of[segment_id]
        self._reindex(row)
        self.endRemoveRows()

    def set_playing_row(self, row: int) -> None:
        """Highlight the segment being played."""
        if row == self.playing_row:
            return
        old, self.playing_row = self.playing_row, row
        for r in (old, row):
            if 0 <= r < len(self._cols):
                emit(self.dataChanged, self.index(r, 0), self.index(r, len(HEADERS) - 1))

    # ------------------------------------------------------------------ Qt model API
    headers = HEADERS

    def row_total(self) -> int:
        return len(self._cols)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        cols = self._cols
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == COL_TIME:
                return fmt_ms(cols.start_ms[row])
            if col == COL_LANG:
                return (cols.languages[row] or "").upper()
            if col == COL_SPEAKER:
                return cols.speakers[row] or ""
            if col == COL_TEXT:
                if role == Qt.ItemDataRole.DisplayRole and self.is_placeholder(row):
                    return PLACEHOLDER_TEXT
                if role == Qt.ItemDataRole.DisplayRole:  # an imported text source's blank
                    return cols.texts[row].rstrip()  # lines stay in the text, not in the row
                return cols.texts[row]
            return None
        if role == UNTRANSCRIBED_ROLE:
            return self.is_placeholder(row)
        if role == REDACTIONS_ROLE:
            return [] if self.is_placeholder(row) else self.redactions_of(cols.ids[row])
        if role == SEGMENT_ROLE:
            return cols.segment(row)
        if role == CODINGS_ROLE:
            return [
                (c, self._codes[c.code_id])
                for c in self.codings_for(cols.ids[row])
                if c.code_id in self._codes
            ]
        if role == Qt.ItemDataRole.DecorationRole and col == COL_TIME:
            return memo_icon() if cols.ids[row] in self._memos else None
        if role == Qt.ItemDataRole.BackgroundRole and row == self.playing_row:
            return QBrush(QColor(255, 236, 160))
        if self.is_placeholder(row):
            if role == Qt.ItemDataRole.BackgroundRole:  # the whole row
                return QBrush(PLACEHOLDER_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole and col == COL_TEXT:
                return QBrush(PLACEHOLDER_COLOUR)
            if role == Qt.ItemDataRole.FontRole and col == COL_TEXT:
                font = QFont()
                font.setItalic(True)
                return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_CODES:
                return self._codings_tooltip(cols.ids[row])
            if col == COL_TIME:
                start, end = cols.start_ms[row], cols.end_ms[row]
                span = f"{fmt_ms(start, tenths=True)} – {fmt_ms(end, tenths=True)}"
                memos = "".join(f"\nMemo: {label}" for label in self._memos.get(cols.ids[row], []))
                origin = SEGMENT_ORIGINS[cols.origins[row]]
                who = written_by(cols.models[row], origin, bool(cols.edited[row]))
                said = [span, who] if who else [span]
                return "\n".join([*said, "Click to play from here"]) + memos
            if col == COL_LANG:
                code = cols.languages[row]
                name = f"{language_name(code)} ({code})" if code else "Language unknown"
                return f"{name}\nRight-click: Set language… or Re-transcribe segment"
            if col == COL_TEXT and self.is_placeholder(row):
                return (
                    "Voice detection found speech here but transcription gave no text.\n"
                    "Click the time to play it, then double-click here to type what was said."
                )
            if col == COL_TEXT and (spans := self.redactions_of(cols.ids[row])):
                text = cols.texts[row]
                return "\n".join(
                    f"Redacted “{text[s:e]}”: exports show {placeholder} (Ethics ▸ Redactions)"
                    for s, e, placeholder in spans
                )
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_TIME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_LANG:
            return int(Qt.AlignmentFlag.AlignCenter)
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
        row, cols = index.row(), self._cols
        if index.column() == COL_TEXT and str(value) != cols.texts[row]:
            emit(self.edit_requested, cols.ids[row], "text", str(value))
            return True
        if index.column() == COL_SPEAKER and (str(value).strip() or None) != cols.speakers[row]:
            emit(self.edit_requested, cols.ids[row], "speaker", str(value).strip() or None)
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
        return data.hasFormat(CODE_MIME) and (parent.isValid() or 0 <= row < len(self._cols))

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not data.hasFormat(CODE_MIME):
            return False
        target = parent.row() if parent.isValid() else row
        if not 0 <= target < len(self._cols):
            return False
        code_ids = bytes(data.data(CODE_MIME).data()).decode().split()
        emit(self.codes_dropped, code_ids, [self._cols.ids[target]])
        return False  # nothing to remove at the source

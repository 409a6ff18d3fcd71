"""Retrieval: every segment coded X (and sub-codes) across sessions, filtered, playable, to CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.consent import confirm_consent, nobody_note
from gui.fmt import fmt_ms, plural, wrote_codings
from gui.languages import UNKNOWN_LANGUAGE
from gui.models.segments import PLACEHOLDER_COLOUR
from gui.models.table import RowTableModel
from gui.qtcompat import emit
from gui.whole_rows import WholeRows
from storage.codebook.retrieval import RetrievedCoding
from storage.core.languages import language_name
from storage.core.models import Code
from storage.interop.codings_export import export_retrieved
from storage.privacy.models import ExportPrivacy

if TYPE_CHECKING:
    from gui.tasks import TaskRunner
    from storage import Project

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Code", "Session", "Time", "Speaker", "Participant", "Coder", "Lang", "Coded text")


def retrieved_count(rows: list[RetrievedCoding]) -> str:
    """ "3 coded segments", or "3 codings in 2 segments" when a segment has several of them
    (a code and its sub-code, two coders, two spans)."""
    segments = len({r.segment_id for r in rows})
    if segments == len(rows):
        return plural(segments, "coded segment")
    return f"{plural(len(rows), 'coding')} in {plural(segments, 'segment')}"


TIME_COL = 2
#: Speaker, Participant, Lang: hidden while no coding listed has one (an empty Participant
#: column took about 80 px of the coded text's room at 1024x700, a project without any)
OPTIONAL_COLS = (3, 4, 6)
#: what the Retrieval table shows of a coding, column by column
_CELLS: tuple[Callable[[RetrievedCoding], str], ...] = (
    lambda r: r.code_path,
    lambda r: r.session_title,
    lambda r: fmt_ms(r.start_ms),
    lambda r: r.speaker or "",
    lambda r: r.participant or "",
    lambda r: r.coder,
    lambda r: (r.language or "").upper(),
    lambda r: r.quote,
)


#: the coded text of a segment that is speech without transcript (double-click plays it)
SPEECH_ONLY = "Speech without transcript (double-click to hear it)"


def is_speech_only(r: RetrievedCoding) -> bool:
    """Whether the coding's segment is speech nobody has typed yet."""
    return r.untranscribed and not r.text.strip()


class RetrievalModel(RowTableModel):
    """Retrieved codings as a table."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[RetrievedCoding] = []

    def load(self, rows: list[RetrievedCoding]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    headers = HEADERS

    def row_total(self) -> int:
        return len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if is_speech_only(r) and HEADERS[index.column()] == "Coded text":
            # a blank cell said nothing of what was coded: said as the transcript says it
            if role == Qt.ItemDataRole.DisplayRole:
                return SPEECH_ONLY
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(PLACEHOLDER_COLOUR)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
        if role == Qt.ItemDataRole.DisplayRole:
            return _CELLS[index.column()](r)
        if role == Qt.ItemDataRole.ToolTipRole:
            if HEADERS[index.column()] == "Lang":
                return language_name(r.language) or "Language unknown"
            return r.text + (f"\n\nMemo: {r.memo}" if r.memo else "")
        return None


EMPTY_HINT = "Pick a code and Retrieve (or right-click a code ▸ Retrieve segments)."


class RetrievalPanel(QWidget):
    """Pick a code and filters; double-click a row to hear it."""

    play_requested = Signal(str, str)  # session id, segment id
    details_requested = Signal(str)  # session id: the consent question's Link speakers…
    status = Signal(str)
    results_shown = Signal(int)  # how many codings are listed

    def __init__(self, project: Project, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.project, self.runner = project, runner
        self.code_box = QComboBox(self)
        self.code_box.setMinimumWidth(180)
        self.subcodes = QCheckBox("with sub-codes", self)
        self.subcodes.setChecked(True)
        self.speaker_box = QComboBox(self)
        self.attr_box = QComboBox(self)
        self.coder_box = QComboBox(self)
        self.language_box = QComboBox(self)
        self.language_box.setToolTip("Only segments in this language")
        self.set_languages(project.languages)
        run = QPushButton("Retrieve", self)
        run.clicked.connect(self.refresh)
        self.export_btn = QPushButton("Export CSV…", self)
        # clicked(bool) would hand its checked flag to ``path``: call without arguments
        self.export_btn.clicked.connect(lambda: self._export())
        self.export_btn.setEnabled(False)  # until codings are listed (it wrote an empty CSV)
        self.count = QLabel(self)
        self.model = RetrievalModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.table.activated.connect(self._play)  # double-click or Enter
        # rows as tall as what they hold, once the columns have their widths: a session title
        # wrapped in its fifth of a 1024x700 window showed one line and the top of the next
        # ("services" cut in half), a long quote its first lines; a one-line row is a line
        # and a margin tall, as the Agreement panel's (18 px read cramped at 1366x768)
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(self.table.fontMetrics().lineSpacing() + 8)
        self._rows_timer = QTimer(self)
        self._rows_timer.setSingleShot(True)
        self._rows_timer.setInterval(0)
        self._rows_timer.timeout.connect(self._fit_rows)
        self.table.horizontalHeader().sectionResized.connect(lambda *_a: self._rows_timer.start())
        top = QHBoxLayout()
        for label, w in (
            ("Code", self.code_box),
            (None, self.subcodes),
            ("Speaker", self.speaker_box),
            ("Attribute", self.attr_box),
            ("Coder", self.coder_box),
            ("Language", self.language_box),
        ):
            if label:
                top.addWidget(QLabel(label, self))
            top.addWidget(w)
        top.addWidget(run)
        top.addStretch(1)
        # the filter row scrolls sideways on a laptop (never widens the window); the table and
        # the count/export row below it always stay in sight
        filters = QWidget(self)
        filters.setLayout(top)
        top.setContentsMargins(0, 0, 0, 0)
        self.filters = QScrollArea(self)
        self.filters.setWidgetResizable(True)
        self.filters.setFrameShape(QFrame.Shape.NoFrame)
        self.filters.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.filters.setWidget(filters)
        self.in_front = True  # the dock is not a tab behind another (``set_in_front``)
        self._fit_filters()
        # the rows shown whole: a row cut in half at the bottom (rows are as tall as their
        # wrapped quotes) read as the last one; the part that would show it stays blank
        self.rows_box = WholeRows(self.table, self)
        # the header and a row at least, however small the dock (the table, and its holder)
        least = 2 * self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(least)
        self.rows_box.setMinimumHeight(least)
        # the count and the export sit under the table, so the filters fit a 1024-px window
        self.bottom = QWidget(self)
        bottom = QHBoxLayout(self.bottom)
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.count)
        bottom.addStretch(1)
        bottom.addWidget(self.export_btn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filters)
        layout.addWidget(self.rows_box, 1)
        layout.addWidget(self.bottom)
        layout.addStretch(0)
        # nothing retrieved yet: the dock is the filter row and a hint, no blank table taking the
        # transcript's room (the table appears with the first codings)
        self._show_rows(False)
        self.count.setText(EMPTY_HINT)
        for box in (
            self.code_box, self.speaker_box, self.attr_box, self.coder_box, self.language_box,
        ):  # fmt: skip
            box.activated.connect(lambda _i: self.refresh())
        self.subcodes.toggled.connect(lambda _b: self.refresh())
        self.handle: Any = None
        self._asked = False  # a code was retrieved: edits re-read what is shown (``follow_edits``)

    def _show_rows(self, shown: bool) -> None:
        """The table (and its holder, which takes no room hidden) shown or hidden."""
        self.rows_box.setVisible(shown)
        self.table.setVisible(shown)

    def _fit_filters(self) -> None:
        """The filter row's height: its widgets, and the scroll bar only when it scrolls."""
        row = self.filters.widget()
        if row is None:
            return
        scrollbar = self.filters.horizontalScrollBar().sizeHint().height()
        # a tab behind another keeps the width it last had (519 px when created), not its
        # dock's: its scroll bar held a fresh window's Search area 88 px tall where Reset
        # layout left it 74; whether the row scrolls is known when it comes to the front
        scrolls = self.in_front and row.minimumSizeHint().width() > self.filters.viewport().width()
        self.filters.setFixedHeight(row.sizeHint().height() + (scrollbar if scrolls else 0))

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt's name
        super().resizeEvent(event)
        self._fit_filters()

    def set_in_front(self, front: bool) -> None:
        """Its dock came to the front of its tab group (True) or went behind another tab:
        behind, its rows are hidden, so their minimum height (the table's header and a row) does not
        hold the tab in front taller than its query row (Search stayed 140 px tall after View ▸
        Reset layout, 88 px on a fresh window); in front again, the codings it holds are shown
        and make room for themselves (``results_shown``)."""
        self.in_front = front
        self._fit_filters()
        rows = self.model.rowCount()
        self._show_rows(front and rows > 0)
        # nor its filter row and count row: they held the Search tab in front 74 px tall, 28 px
        # of it blank under the query row
        self.filters.setVisible(front)
        self.bottom.setVisible(front)
        if front and rows:
            emit(self.results_shown, rows)

    def reload_filters(
        self,
        codes: list[Code],
        attributes: dict[str, list[str]] | None = None,
        coders: list[str] | None = None,
    ) -> None:
        """Fill the pickers (attributes and coders are read from the project when not given)."""
        current = self.code_box.currentData()
        self.code_box.clear()
        for code in codes:
            self.code_box.addItem(code.path, code.id)
        if current:  # none (-1) when the code is gone (deleted, undone): not silently another
            self.code_box.setCurrentIndex(self.code_box.findData(current))
        attrs = self.project.retrieval.attribute_values() if attributes is None else attributes
        if coders is None:
            coders = [c.name for c in self.project.coders.all()]
        self._fill(
            self.attr_box, [(f"{k} = {v}", (k, v)) for k, values in attrs.items() for v in values]
        )
        self._fill(self.coder_box, [(c, c) for c in coders])
        self.follow_edits()  # codings or codes changed: frequencies are read with the filters

    def follow_edits(self) -> None:
        """Codings, codes or segment texts changed (an edit, an undo, a merge): what is listed
        is read again, so no undone coding, code that is gone or old wording stays listed (and
        Export CSV… never writes them). Nothing happens before a code was retrieved."""
        if self._asked:
            self.refresh()

    def set_speakers(self, speakers: list[str]) -> None:
        """Fill the speaker filter."""
        self._fill(self.speaker_box, [(s, s) for s in speakers])

    def set_languages(self, codes: list[str]) -> None:
        """Fill the language filter (the languages present in the project)."""
        items = [(f"{c.upper()} · {language_name(c)}", c) for c in codes]
        # "": segments whose language nobody knows, as Search offers them
        self._fill(self.language_box, items + ([(UNKNOWN_LANGUAGE, "")] if codes else []))

    @staticmethod
    def _fill(box: QComboBox, items: list[tuple[str, Any]]) -> None:
        current = box.currentData()
        box.clear()
        box.addItem("All", None)
        for label, value in items:
            box.addItem(label, value)
            if value == current:
                box.setCurrentIndex(box.count() - 1)

    def select_code(self, code_id: str, *, run: bool = True) -> None:
        """Pick a code (and retrieve)."""
        i = self.code_box.findData(code_id)
        if i >= 0:
            self.code_box.setCurrentIndex(i)
        if run:
            self.refresh()

    def refresh(self) -> None:
        """Run the retrieval in the background."""
        code_id = self.code_box.currentData()
        self._asked = bool(code_id)
        if not code_id:
            self.runner.drop_latest("retrieve")  # a retrieval still running would fill it
            self.model.load([])
            self._show_rows(False)
            self.export_btn.setEnabled(False)
            self.count.setText(EMPTY_HINT)
            emit(self.results_shown, 0)
            return
        project = self.project
        kwargs = {
            "include_subcodes": self.subcodes.isChecked(),
            "speaker": self.speaker_box.currentData(),
            "coder": self.coder_box.currentData(),
            "attribute": self.attr_box.currentData(),
            "language": self.language_box.currentData(),
        }

        def job(_ctx: Any) -> list[RetrievedCoding]:
            if project.get_meta("blind_coding") == "1":
                kwargs["coder"] = project.coder  # blind coding: only my codings
            return project.retrieval.retrieve([code_id], **kwargs)

        self.count.setText("Retrieving…")
        self.handle = self.runner.submit("Retrieve", job, on_done=self._loaded, latest="retrieve")

    def _loaded(self, rows: list[RetrievedCoding]) -> None:
        self.model.load(rows)
        self._show_rows(bool(rows) and self.in_front)
        self.export_btn.setEnabled(bool(rows))
        if rows:
            self._fit_columns()
            self._fit_rows()
        self.count.setText(retrieved_count(rows))
        emit(self.results_shown, len(rows))

    #: how many of a column's longest different texts are measured to fit it
    FIT_SAMPLES = 12

    def _fit_columns(self) -> None:
        """A sub-code's whole path ("Доверие/Қазақ тілі", not "Доверие/" wrapped) and the
        short columns as wide as what they hold: the coded text gets the rest of a laptop's
        width (it had 270 px at 1024x700 beside six 100 px columns).

        Each column is measured on its longest different texts, wherever they are in the list:
        Qt's own fit read every cell of a hidden table (a second's freeze for a code with
        thousands of codings) and, shown, missed a long path further down than 1,000 rows."""
        table, header = self.table, self.table.horizontalHeader()
        room = table.viewport().width()
        grid = 1 if table.showGrid() else 0
        for col in range(len(HEADERS) - 1):  # the last (coded text) stretches
            longest = self._longest(col)
            rows = self.model.rows
            empty = col in OPTIONAL_COLS and not any(_CELLS[col](rows[r]) for r in longest)
            table.setColumnHidden(col, empty)
            if empty:
                continue
            wanted = header.sectionSizeHint(col)
            for row in longest:
                hint = table.sizeHintForIndex(self.model.index(row, col)).width() + grid
                wanted = max(wanted, hint)
            cap = room * 2 // 5 if col == 0 else room // 5
            table.setColumnWidth(col, min(wanted, cap))

    def _longest(self, col: int) -> list[int]:
        """Rows holding the ``FIT_SAMPLES`` longest different texts of column ``col``."""
        rows = self.model.rows
        if col == TIME_COL:  # the latest time is the longest ("1:02:03.4" after "59:59.9")
            return [max(range(len(rows)), key=lambda i: rows[i].start_ms)] if rows else []
        cell = _CELLS[col]
        first: dict[str, int] = {}
        for row, r in enumerate(rows):
            text = cell(r)
            if text not in first:
                first[text] = row
        longest = sorted(first, key=len, reverse=True)[: self.FIT_SAMPLES]
        return [first[t] for t in longest]

    #: more rows than this keep one height (measuring each would stall a resize)
    FIT_ROWS_MAX = 500

    def _fit_rows(self) -> None:
        """Each row as tall as its wrapped cells (up to ``FIT_ROWS_MAX`` rows)."""
        if 0 < self.model.rowCount() <= self.FIT_ROWS_MAX:
            self.table.resizeRowsToContents()

    def _play(self, index: QModelIndex) -> None:
        r = self.model.rows[index.row()]
        emit(self.play_requested, r.session_id, r.segment_id)

    def _export(self, path: str | None = None) -> None:
        """Ask the protections (as every export does), the consent question and the file;
        write the shown rows."""
        from gui.export_options import ExportOptionsDialog

        if not isinstance(path, str):  # a signal's bool must never stand for a path
            path = None
        dialog = ExportOptionsDialog("Export retrieved codings", self)
        if not dialog.exec():
            return
        sessions = [r.session_id for r in self.model.rows]
        if not dialog.consented.isChecked() and not confirm_consent(
            self,
            self.project,
            sessions,
            "export",
            "Export",
            show_details=lambda sid: emit(self.details_requested, sid),
        ):
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export retrieved segments", "retrieval.csv", "CSV (*.csv)"
            )
        if not path:
            return
        if Path(path).suffix.lower() != ".csv":
            path += ".csv"  # a name typed without it: the file is still a CSV that opens as one
        self.export_to(Path(path), dialog.privacy())

    def export_to(self, path: Path, privacy: ExportPrivacy | None = None) -> Any:
        """Write the shown rows to CSV in the background, as an export shows them
        (pseudonyms and redactions applied unless ``privacy`` says otherwise; logged)."""
        rows, project = list(self.model.rows), self.project

        def job(_ctx: Any) -> tuple[int, int, str]:
            n = export_retrieved(project, rows, path, privacy=privacy)
            unlabelled = 0
            if n < len(rows) and privacy is not None:
                ids = [r.segment_id for r in rows]
                unlabelled = project.consent.unlabelled_left_out(privacy.consented_only, ids)
            sessions = sorted({r.session_id for r in rows})
            return n, unlabelled, nobody_note(project, sessions, privacy)

        return self.runner.submit(
            "Export CSV",
            job,
            # how many of the rows shown, and why the others were left out (it said
            # "Exported 1 rows to /the/whole/path" when 2 of 3 were left out)
            on_done=lambda done: emit(
                self.status,
                wrote_codings(path, done[0], len(rows), unlabelled=done[1]) + done[2],
            ),
        )

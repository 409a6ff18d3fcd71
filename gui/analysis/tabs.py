"""The tabs of the Analysis window: Matrix, Co-occurrence, Timeline (Frequencies:
``gui.analysis.frequencies``).

Each tab has its controls, a view and a one-line note (why a view is empty). A tab never
computes: it asks the window (``compute(name, fn, on_done)``), which runs ``fn(project)`` on a
worker over a read-only connection and calls ``on_done`` back on the GUI thread, dropping
results overtaken by a newer request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import (
    QFontMetrics,
    QHelpEvent,
    QImage,
    QMouseEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from analysis.filters import Filters
from analysis.matrix import MEASURE_LABELS, SegmentHit
from analysis.table import Table
from gui.analysis.models import (
    DISPLAYS,
    CodeTableModel,
    HitsModel,
    Spans,
    span_codings,
)
from gui.fmt import plural
from gui.menu_keys import keep_mnemonics
from gui.rows_in_sight import RowsInSight

Compute = Callable[[str, Callable[[Any], Any], Callable[[Any], None]], None]
HEADER_MAX_WIDTH = 180  # a column label wider than this is elided in the middle


def _combo(items: list[tuple[str, str]]) -> QComboBox:
    box = QComboBox()
    for text, data in items:
        box.addItem(text, data)
    return box


def _table_view(model: Any) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setDefaultSectionSize(90)
    # long column labels (session titles) share their start: keep both ends visible
    view.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideMiddle)
    view.setAlternatingRowColors(False)
    return view


def _hits_view(model: HitsModel) -> QTableView:
    from gui.transcript_delegates import TextDelegate

    view = QTableView()
    view.setModel(model)
    # the coded words of span codings marked in their codes' colours, as in the transcript
    view.setItemDelegateForColumn(HitsModel.TEXT, TextDelegate(view))
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    # only the text wraps (its delegate wraps it): a long session title is elided in the
    # middle, whole on hover (wrapped, it made each row five lines tall at 1024x700)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    header = view.horizontalHeader()
    header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
    for col, width in enumerate((150, 70, 110)):
        view.setColumnWidth(col, width)
    return view


class AnalysisTab(QWidget):
    """What every tab has: controls row, note, export buttons; ``refresh()`` recomputes."""

    play_segment = Signal(str, str)  # session id, segment id
    export_requested = Signal(str)  # "chart" | "table"

    def __init__(self, compute: Compute, filters: Callable[[], Filters]) -> None:
        super().__init__()
        self.compute = compute
        self.filters = filters
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(6, 6, 6, 6)
        self.controls = QHBoxLayout()
        self.layout_.addLayout(self.controls)
        self.note = QLabel("")
        self.note.setStyleSheet("color: #8a5a00;")
        self.note.setWordWrap(True)
        self.layout_.addWidget(self.note)
        self.result: Any = None
        self.busy = False

    def _finish_controls(self) -> None:
        self.controls.addStretch(1)
        self.export_button = QPushButton("Export")  # its arrow beside the text, not over it
        menu = QMenu(self.export_button)
        for kind, text in (("chart", "Chart (PNG, SVG)…"), ("table", "Table (xlsx, csv)…")):
            action = menu.addAction(text)
            action.triggered.connect(lambda _c=False, k=kind: self.export_requested.emit(k))
        self.export_button.setMenu(menu)
        keep_mnemonics(menu)
        self.controls.addWidget(self.export_button)

    def _add_controls(self, items: Sequence[tuple[str, QWidget]]) -> dict[str, QLabel]:
        labels = {}
        for text, widget in items:
            if text:
                labels[text] = QLabel(text)
                self.controls.addWidget(labels[text])
            self.controls.addWidget(widget)
        return labels

    def _changed(self, *_: Any) -> None:
        self.refresh()

    def set_note(self, text: str) -> None:
        """Show why the view is empty ("" hides the note)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def refresh(self) -> None:  # pragma: no cover - overridden
        """Compute the view again."""

    def export_data(self, kind: str = "") -> tuple[str, Any, str]:
        """(kind, result, percent) for the export functions (``kind``: what the export
        button asked for, "chart", "table" or "kwic")."""
        return "", self.result, "none"


_COLUMN_NAMES = {
    "session": "Sessions",
    "speaker": "Speakers",
    "participant": "Participants",
    "session.kind": "Session kind",
    "session.place": "Session place",
    "session.moderator": "Moderator",
    "session.date": "Session date",
    "all": "All (frequencies)",
}


def column_label(kind: str) -> str:
    """What the Columns list says for a column kind ('participant.age': 'Participant: age')."""
    if kind in _COLUMN_NAMES:
        return _COLUMN_NAMES[kind]
    if kind.startswith("participant."):
        return f"Participant: {kind.removeprefix('participant.')}"
    return kind


_PER_NAMES = {"session.kind": "session kind", "session.place": "session place",
              "session.moderator": "moderator", "session.date": "session date"}  # fmt: skip


def per_label(kind: str) -> str:
    """What the Frequencies tab's split list says for a column kind, in the Columns list's
    words ("participant.age": "Per participant: age"; it read "Per participant.age")."""
    if kind.startswith("participant."):
        return f"Per participant: {kind.removeprefix('participant.')}"
    return f"Per {_PER_NAMES.get(kind, kind)}"


class CodeTableTab(AnalysisTab):
    """A code table (matrix or co-occurrence) with shaded cells and the segments of a cell."""

    rollup: QCheckBox  # each kind of table makes its own

    def __init__(self, compute: Compute, filters: Callable[[], Filters]) -> None:
        super().__init__(compute, filters)
        self.model = CodeTableModel()
        self.view = _table_view(self.model)
        self.view.clicked.connect(self._cell_clicked)
        self.hits = HitsModel()
        self.hits_view = _hits_view(self.hits)
        self.hits_view.doubleClicked.connect(self._hit_activated)
        # rows as tall as their wrapped text, measured as they come into sight
        self.hits_rows = RowsInSight(self.hits_view)
        self.hits_label = QLabel("Click a cell to list its segments; double-click one to play it.")
        self.hits_label.setWordWrap(True)  # a cell named by long titles never widens the window
        bottom = QWidget()
        lay = QVBoxLayout(bottom)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.hits_label)
        lay.addWidget(self.hits_view)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.layout_.addWidget(split, 1)
        self.display = _combo([(d.capitalize(), d) for d in DISPLAYS])
        self.display.setCurrentIndex(1)
        self.display.currentIndexChanged.connect(
            lambda _i: self.model.set_options(display=self.display.currentData())
        )

    def show_table(self, table: Table) -> None:
        """Show a computed table (or its note)."""
        self.result = table
        self.model.set_table(table)
        self.set_note(table.note)
        self.hits.set_hits([])
        # widths from the header labels (resizeColumnsToContents measures every cell: slow)
        header = self.view.horizontalHeader()
        metrics = QFontMetrics(header.font())
        pad = 2 * header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header) + 8
        for col in range(self.model.columnCount()):
            label = str(self.model.headerData(col, Qt.Orientation.Horizontal) or "")
            width = metrics.horizontalAdvance(label) + pad
            self.view.setColumnWidth(col, max(56, min(width, HEADER_MAX_WIDTH)))

    def _cell_clicked(self, index: QModelIndex) -> None:
        if self.model.table is None or not index.isValid():
            return
        row_key, col_key = self.model.keys(index)
        if col_key is None:
            return
        self.hits_label.setText("Loading the segments…")
        # which cell the list is of ("Cost × Group 2"): the list said only "6 segment(s)"
        names = (
            str(self.model.headerData(index.row(), Qt.Orientation.Vertical) or "").strip(),
            str(self.model.headerData(index.column(), Qt.Orientation.Horizontal) or "").strip(),
        )
        self._cell_name = " × ".join(n for n in names if n)
        job = self.cell_job(row_key, col_key)
        coders = self.filters().coders
        rollup = self.rollup.isChecked()
        marked = [row_key] if self.model.table.kind == "matrix" else [row_key, col_key]

        def with_spans(p: Any) -> tuple[list[SegmentHit], Spans]:
            from analysis.matrix import descendants

            hits = job(p)
            codes = {d for c in marked for d in (descendants(p, c) if rollup else [c])}
            return hits, span_codings(p, [h.segment_id for h in hits], codes, coders)

        self.compute("cell", with_spans, self._show_hits)

    def cell_job(self, row_key: str, col_key: str) -> Callable[[Any], Any]:  # pragma: no cover
        """The job listing a cell's segments."""
        raise NotImplementedError

    def _show_hits(self, result: tuple[list[SegmentHit], Spans]) -> None:
        hits, spans = result
        self.hits.set_hits(hits, spans)
        # rows as tall as their wrapped text: a span late in a long segment stays in sight
        self.hits_rows.reset()
        cell = getattr(self, "_cell_name", "")
        where = f"{cell}: " if cell else ""
        self.hits_label.setText(
            f"{where}{plural(len(hits), 'segment')}; double-click one to play it."
            if hits
            else f"{where}no segment in this cell."
        )

    def _hit_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            hit = self.hits.hits[index.row()]
            self.play_segment.emit(hit.session_id, hit.segment_id)


class MatrixTab(CodeTableTab):
    """Codes × sessions / speakers / participants / attribute."""

    def __init__(self, compute: Compute, filters: Callable[[], Filters]) -> None:
        super().__init__(compute, filters)
        self.columns = _combo([("Sessions", "session")])
        self.columns.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.measure = _combo([(v, k) for k, v in MEASURE_LABELS.items()])
        self.percent = _combo([("Counts", "none"), ("Row %", "row"), ("Column %", "column")])
        self.rollup = QCheckBox("Roll up")
        self.rollup.setToolTip("count sub-codes' segments for their parents")
        self.top = QCheckBox("Top level only")
        self.top.setToolTip("collapse the hierarchy: each top-level code counts its sub-codes")
        self._add_controls(
            [
                ("Columns", self.columns),
                ("", self.measure),
                ("", self.percent),
                ("", self.display),
            ]
        )
        self.controls.addWidget(self.rollup)
        self.controls.addWidget(self.top)
        self._finish_controls()
        for box in (self.columns, self.measure):
            box.currentIndexChanged.connect(self._changed)
        self.rollup.toggled.connect(self._changed)
        self.percent.currentIndexChanged.connect(
            lambda _i: self.model.set_options(percent=self.percent.currentData())
        )
        self.top.toggled.connect(self._top_toggled)
        self._rollup_before_top = False

    def _top_toggled(self, on: bool) -> None:
        """Collapsed to the top-level codes, each counts its sub-codes' segments (rolled up):
        the rows hidden were subtracted before, "Services 4" for 17 segments coded under it."""
        if on:
            self._rollup_before_top = self.rollup.isChecked()
            self.rollup.setChecked(True)
        else:
            self.rollup.setChecked(self._rollup_before_top)
        self.rollup.setEnabled(not on)
        self.model.set_options(top=on)

    def set_column_choices(self, choices: list[str]) -> None:
        """The column kinds the project offers."""
        current = self.columns.currentData()
        self.columns.blockSignals(True)
        self.columns.clear()
        for c in choices:
            self.columns.addItem(column_label(c), c)
        index = self.columns.findData(current)
        self.columns.setCurrentIndex(max(index, 0))
        self.columns.blockSignals(False)

    def refresh(self) -> None:
        from analysis.matrix import code_matrix

        columns, measure = self.columns.currentData(), self.measure.currentData()
        rollup, filters = self.rollup.isChecked(), self.filters()
        self.compute(
            "matrix",
            lambda p: code_matrix(p, columns, measure, rollup=rollup, filters=filters),
            self.show_table,
        )

    def cell_job(self, row_key: str, col_key: str) -> Callable[[Any], Any]:
        from analysis.matrix import matrix_cell_segments

        columns, rollup, filters = (
            self.columns.currentData(),
            self.rollup.isChecked(),
            self.filters(),
        )
        return lambda p: matrix_cell_segments(
            p, row_key, col_key, columns, rollup=rollup, filters=filters
        )

    def export_data(self, kind: str = "") -> tuple[str, Any, str]:
        table = self.result
        if self.top.isChecked() and isinstance(table, Table):  # the rows shown, not the hidden
            keep = [i for i, h in enumerate(table.rows) if h.depth == 0]
            table = replace(
                table, rows=[table.rows[i] for i in keep], cells=[table.cells[i] for i in keep]
            )
        return "matrix", table, str(self.percent.currentData())


class CooccurrenceTab(CodeTableTab):
    """Code × code: by segment, overlapping span, or within N seconds."""

    def __init__(self, compute: Compute, filters: Callable[[], Filters]) -> None:
        super().__init__(compute, filters)
        self.mode = _combo(
            [
                ("In the same segment", "segment"),
                ("Overlapping spans", "overlap"),
                ("Within N seconds", "within"),
            ]
        )
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0, 3600)
        self.seconds.setValue(30)
        self.seconds.setSuffix(" s")
        self.rollup = QCheckBox("Roll up")
        self.rollup.setToolTip("count sub-codes as their parents")
        self._add_controls([("Count", self.mode), ("", self.seconds), ("", self.display)])
        self.controls.addWidget(self.rollup)
        self._finish_controls()
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.seconds.valueChanged.connect(self._changed)
        self.rollup.toggled.connect(self._changed)
        self.seconds.setEnabled(False)

    def _mode_changed(self, *_: Any) -> None:
        self.seconds.setEnabled(self.mode.currentData() == "within")
        self.refresh()

    def refresh(self) -> None:
        from analysis.cooccurrence import cooccurrence

        mode, seconds = self.mode.currentData(), self.seconds.value()
        rollup, filters = self.rollup.isChecked(), self.filters()
        self.compute(
            "cooccurrence",
            lambda p: cooccurrence(p, mode, seconds=seconds, rollup=rollup, filters=filters),
            self.show_table,
        )

    def cell_job(self, row_key: str, col_key: str) -> Callable[[Any], Any]:
        from analysis.cooccurrence import cooccurrence_segments

        mode, seconds = self.mode.currentData(), self.seconds.value()
        rollup, filters = self.rollup.isChecked(), self.filters()
        return lambda p: cooccurrence_segments(
            p, row_key, col_key, mode, seconds=seconds, rollup=rollup, filters=filters
        )

    def export_data(self, kind: str = "") -> tuple[str, Any, str]:
        return "cooccurrence", self.result, "none"


class _ClickableLabel(QLabel):
    clicked_at = Signal(int, int)

    def __init__(self, tip_at: Callable[[int, int], str]) -> None:
        super().__init__()
        self.tip_at = tip_at  # the tooltip at a point of the picture ("" for none)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        self.clicked_at.emit(int(pos.x()), int(pos.y()))

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent) and event.type() == QEvent.Type.ToolTip:
            tip = self.tip_at(event.pos().x(), event.pos().y())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class TimelineTab(AnalysisTab):
    """One session (or the filter's sessions, compared) over time; click to play from there."""

    def __init__(self, compute: Compute, filters: Callable[[], Filters]) -> None:
        super().__init__(compute, filters)
        self.session = QComboBox()
        self.session.setMinimumContentsLength(20)
        self.session_label = QLabel("Session")
        self.controls.addWidget(self.session_label)
        self.controls.addWidget(self.session)
        # several sessions picked in the filter bar are drawn, not the box's one: say so
        self.several = QLabel("")
        self.several.hide()
        self.controls.addWidget(self.several)
        self.hint = QLabel("(to compare sessions, pick several in the filter bar)")
        self.controls.addWidget(self.hint)
        self._finish_controls()
        self.session.currentIndexChanged.connect(self._changed)
        self.image = _ClickableLabel(self.lane_at)
        self.image.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.image.clicked_at.connect(self._clicked)
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.image)
        self.scroller.setWidgetResizable(False)
        self.layout_.addWidget(self.scroller, 1)
        self.boxes: list[Any] = []
        self.timelines: list[Any] = []

    def set_sessions(self, sessions: list[tuple[str, str]]) -> None:
        """The sessions to choose from: (id, title)."""
        current = self.session.currentData()
        self.session.blockSignals(True)
        self.session.clear()
        for sid, title in sessions:
            self.session.addItem(title, sid)
        self.session.setCurrentIndex(max(self.session.findData(current), 0))
        self.session.blockSignals(False)

    def _show_which(self, chosen: list[str]) -> None:
        """The Session box for one session; "3 sessions" (their titles in its tooltip) when
        the filter bar's sessions are drawn."""
        several = len(chosen) > 1
        self.session.setVisible(not several)
        self.hint.setVisible(not several)
        self.several.setVisible(several)
        self.session_label.setText("Sessions" if several else "Session")
        if several:
            titles = [self.session.itemText(self.session.findData(sid)) or sid for sid in chosen]
            self.several.setText(f"{len(chosen)} sessions (picked in the filter bar)")
            self.several.setToolTip("\n".join(titles))

    def _session_ids(self) -> list[str]:
        chosen = list(self.filters().sessions)
        self._show_which(chosen)
        if len(chosen) > 1:
            return chosen
        sid = self.session.currentData()
        return [sid] if sid else chosen

    def refresh(self) -> None:
        from dataclasses import replace

        from analysis.charts import timeline_image
        from analysis.timeline import session_timeline

        ids = self._session_ids()
        if not ids:
            self.set_note("The project has no sessions yet.")
            self.image.clear()
            return
        filters = replace(self.filters(), sessions=())
        # leave room for the vertical scroll bar that a tall picture (several sessions) brings
        bar = self.scroller.verticalScrollBar().sizeHint().width()
        width = max(self.scroller.viewport().width() - bar - 4, 400)

        def job(project: Any) -> Any:
            tls = [session_timeline(project, sid, filters=filters) for sid in ids]
            return (tls, *timeline_image(tls, width))

        self.compute("timeline", job, self._show)

    def _show(self, result: Any) -> None:
        tls, pixels, width, height, boxes = result
        self.timelines, self.boxes = tls, boxes
        self.result = tls
        notes = [f"{t.title}: {t.note}" for t in tls if t.note]
        self.set_note(" ".join(notes))
        image = QImage(pixels, width, height, 4 * width, QImage.Format.Format_RGBA8888)
        pixmap = QPixmap.fromImage(image)  # a copy: ``pixels`` may go once it is made
        self.image.setPixmap(pixmap)
        self.image.resize(pixmap.size())

    def _clicked(self, x: int, y: int) -> None:
        for sid, left, right, top, bottom, xmin, xmax, _lanes in self.boxes:
            if left <= x <= right and top <= y <= bottom and right > left:
                ms = int(xmin + (x - left) / (right - left) * (xmax - xmin))
                self.play_at(sid, max(ms, 0))
                return

    def lane_at(self, x: int, y: int) -> str:
        """The full name of the lane (a speaker, a code path) at a point of the picture, its
        label included: the picture shortens long names ("Власть/Довер…к акимату")."""
        for (_sid, _l, _r, top, bottom, _x0, _x1, lanes), tl in zip(
            self.boxes, self.timelines, strict=False
        ):
            if lanes and top <= y < bottom and x >= 0:
                lane = tl.lanes[min(int((y - top) / (bottom - top) * lanes), lanes - 1)]
                return f"{lane.label} — {tl.title}"
        return ""

    def play_at(self, session_id: str, ms: int) -> None:
        """Play the session's segment at ``ms``."""
        from analysis.timeline import segment_at

        def found(segment_id: str | None) -> None:
            if segment_id:
                self.play_segment.emit(session_id, segment_id)

        self.compute("segment", lambda p: segment_at(p, session_id, ms), found)

    def export_data(self, kind: str = "") -> tuple[str, Any, str]:
        return "timeline", self.result, "none"

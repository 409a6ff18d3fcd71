"""The Frequencies tab of the Analysis window: code or word frequencies as bars (QtCharts), and
keywords in context of a word, exported as a table of their own."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QCursor, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from analysis.charts import elide_middle
from analysis.filters import Filters
from analysis.matrix import MEASURE_LABELS
from analysis.table import Table
from gui.analysis.models import KwicModel
from gui.analysis.tabs import AnalysisTab, Compute, _combo, per_label
from gui.fmt import plural


def count_step(high: float) -> int:
    """A whole tick step (1, 2, 5, 10, 20, 50...) giving at most 10 steps up to ``high``."""
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            if high <= 10 * step:
                return step
        scale *= 10


def _count_axis(axis: QValueAxis, high: float) -> None:
    """Whole-number ticks for counts (``%d`` over 0.5 steps read "0, 0, 1, 1, 2")."""
    step = count_step(high)
    axis.setRange(0, max(1, math.ceil(high / step)) * step)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setLabelFormat("%d")


#: the height each bar of a frequency chart needs for its label, and the chart's other parts
#: (title, axis, legend): the chart is at least this tall, scrolled when the window is not
BAR_ROW_PX = 26
BAR_LABEL_CHARS = 48  # a longer bar label loses its middle (the whole name in a tooltip)
BAR_CHART_EXTRA_PX = 120


class FrequenciesTab(AnalysisTab):
    """Code frequencies as bars (QtCharts); word frequencies and keywords in context."""

    def __init__(self, compute: Compute, filters: Callable[[], Filters]) -> None:
        super().__init__(compute, filters)
        self.what = _combo([("Codes", "codes"), ("Words", "words")])
        self.by = _combo([("Overall", "all"), ("Per session", "session"), ("Per speaker",
                          "speaker")])  # fmt: skip
        self.measure = _combo([(v, k) for k, v in MEASURE_LABELS.items()])
        self.measure.setCurrentIndex(1)
        self.source = QComboBox()
        self.languages = QLineEdit("ru,kk,en")
        self.languages.setMaximumWidth(80)
        self.languages.setToolTip("stop-word lists: ru, kk, en")
        self.top_n = QSpinBox()
        self.top_n.setRange(5, 500)
        self.top_n.setValue(30)
        self.labels = self._add_controls(
            [
                ("Show", self.what),
                ("", self.by),
                ("", self.measure),
                ("Text of", self.source),
                ("Stop-words", self.languages),
                ("Top", self.top_n),
            ]
        )
        self._finish_controls()
        for box in (self.what, self.by, self.measure, self.source):
            box.currentIndexChanged.connect(self._changed)
        self.languages.editingFinished.connect(self.refresh)
        self.top_n.valueChanged.connect(self._changed)
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.bar_names: list[str] = []  # the bars' full names, top first
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.kwic_word = QLineEdit()
        self.kwic_word.setPlaceholderText("a word, or its start (ЦОН*): keywords in context")
        self.kwic_word.returnPressed.connect(self.refresh_kwic)
        self.kwic = KwicModel()
        self.kwic_view = QTableView()
        self.kwic_view.setModel(self.kwic)
        self.kwic_view.verticalHeader().setVisible(False)
        self.kwic_view.verticalHeader().setDefaultSectionSize(22)
        header = self.kwic_view.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        self.kwic_view.setColumnWidth(0, 150)  # the session: lines of all transcripts mix
        # titles share their start ("Фокус-группа Алматы, день 1/2"): keep both ends
        # (one line: wrapped, a title showed its first word only, "Фокус-группа ...")
        self.kwic_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.kwic_view.setWordWrap(False)
        self.kwic_view.doubleClicked.connect(self._kwic_activated)
        # the lines to a spreadsheet, as the other views export (xlsx, csv)
        self.kwic_export = QPushButton("Export lines…")
        self.kwic_export.setToolTip("write these keyword-in-context lines to xlsx or csv")
        self.kwic_export.clicked.connect(lambda: self.export_requested.emit("kwic"))
        # as the exports' option: the lines of participants without consent to export left
        # out, on screen and in the file (the export then asks nothing)
        self.kwic_consented = QCheckBox("Only consented")
        self.kwic_consented.setToolTip(
            "leave out the lines of participants without consent to export, here and in "
            "Export lines… (as the export options' “Leave out participants without consent”)"
        )
        self.kwic_consented.toggled.connect(self.refresh_kwic)
        self.kwic_consented_shown = False  # the lines in the table were read so
        word_row = QHBoxLayout()
        word_row.addWidget(self.kwic_word, 1)
        word_row.addWidget(self.kwic_consented)
        word_row.addWidget(self.kwic_export)
        # the keyword-in-context pane shows with word counts only: with code counts it stood
        # empty under the chart, a third of the tab
        self.kwic_pane = bottom = QWidget()
        lay = QVBoxLayout(bottom)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(word_row)
        # why no line was found, as the command line says it (an empty table said nothing)
        self.kwic_note = QLabel("")
        self.kwic_note.setStyleSheet("color: #8a5a00;")
        self.kwic_note.setWordWrap(True)
        self.kwic_note.setVisible(False)
        lay.addWidget(self.kwic_note)
        lay.addWidget(self.kwic_view)
        split = QSplitter(Qt.Orientation.Vertical)
        # tall enough for every bar's label (a scroll bar when the window is not): 30 words
        # squeezed into the pane were drawn as "…"
        self.chart_scroll = QScrollArea()
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.chart_scroll.setWidget(self.chart_view)
        split.addWidget(self.chart_scroll)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.split = split
        self._kwic_share = 0.25  # of the split: the keyword lines' pane's (the user's once dragged)
        self.layout_.addWidget(split, 1)
        self._sync_controls()

    def set_sources(self, codes: list[tuple[str, str]], sessions: list[tuple[str, str]]) -> None:
        """What word counts can read: the whole project, a code's text or a session's."""
        current = self.source.currentData()
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem("All transcripts", None)
        for cid, path in codes:
            self.source.addItem(f"Code: {path}", ("code", cid))
        for sid, title in sessions:
            self.source.addItem(f"Session: {title}", ("session", sid))
        self.source.setCurrentIndex(max(self.source.findData(current), 0))
        self.source.blockSignals(False)

    def set_by_choices(self, choices: list[str]) -> None:
        """Per what code frequencies may be split."""
        current = self.by.currentData()
        self.by.blockSignals(True)
        self.by.clear()
        self.by.addItem("Overall", "all")
        for c in choices:
            if c != "all":
                self.by.addItem(per_label(c), c)
        self.by.setCurrentIndex(max(self.by.findData(current), 0))
        self.by.blockSignals(False)

    def _sync_controls(self) -> None:
        words = self.what.currentData() == "words"
        for box in (self.by, self.measure):
            box.setVisible(not words)
        for w in (self.source, self.languages, self.top_n, self.kwic_word, self.kwic_view,
                  self.kwic_export):  # fmt: skip
            w.setVisible(words)
        for name in ("Text of", "Stop-words", "Top"):
            self.labels[name].setVisible(words)
        shown_before = self.kwic_pane.isVisibleTo(self)
        sizes = self.split.sizes()
        if shown_before and not words and sum(sizes) > 0:
            # the split the user left (Words -> Codes -> Words gave the chart its three
            # quarters back, the user's dragged handle lost)
            self._kwic_share = sizes[1] / sum(sizes)
        self.kwic_pane.setVisible(words)
        total = sum(self.split.sizes())
        if words and not shown_before and total > 0:
            # the pane shown again took what it had (three quarters of the tab: the chart
            # was two bars high at 1024x700); the chart keeps three quarters, or the share
            # the user gave it
            pane = round(total * self._kwic_share)
            self.split.setSizes([total - pane, pane])

    def _scope(self) -> tuple[str | None, str | None]:
        data = self.source.currentData()
        if not data:
            return None, None
        kind, key = data
        return (key, None) if kind == "code" else (None, key)

    def refresh(self) -> None:
        self._sync_controls()
        filters = self.filters()
        if self.what.currentData() == "words":
            from dataclasses import replace

            from analysis.words import word_frequencies

            code_id, session_id = self._scope()
            languages = tuple(x.strip() for x in self.languages.text().split(",") if x.strip())
            top = self.top_n.value()
            text_filters = replace(filters, codes=())
            self.compute(  # one name with the code counts: the later request wins, a code
                # count asked for before and arriving after no longer draws over the words
                "frequencies",
                lambda p: word_frequencies(
                    p,
                    code_id=code_id,
                    session_id=session_id,
                    filters=text_filters,
                    languages=languages,
                    top=top,
                ),
                self._show_words,
            )
            return
        from analysis.matrix import code_frequencies

        by, measure = self.by.currentData(), self.measure.currentData()
        self.compute(
            "frequencies",
            lambda p: code_frequencies(p, by, measure, filters=filters),
            self._show_codes,
        )

    def _bars(self, categories: list[str], sets: Sequence[tuple[str, Sequence[float]]]) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.chart_view.setMinimumHeight(BAR_ROW_PX * len(categories) + BAR_CHART_EXTRA_PX)
        if not categories:
            return
        series = QHorizontalStackedBarSeries()
        series.hovered.connect(self._bar_hovered)
        for name, values in sets:
            bar_set = QBarSet(name)
            bar_set.append([float(v) for v in reversed(values)])
            series.append(bar_set)
        self.chart.addSeries(series)
        y_axis = QBarCategoryAxis()
        y_axis.append(list(reversed(categories)))
        x_axis = QValueAxis()
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(y_axis)
        series.attachAxis(x_axis)
        high = max((sum(float(v[i]) for _, v in sets) for i in range(len(categories))), default=0)
        _count_axis(x_axis, high)
        self.chart.legend().setVisible(len(sets) > 1)

    def bar_tip(self, index: int) -> str:
        """The full name of the bar at ``index`` of its set (the chart draws them bottom up)."""
        names = self.bar_names[::-1]
        return names[index] if 0 <= index < len(names) else ""

    def _bar_hovered(self, status: bool, index: int, _set: Any) -> None:
        if status and self.bar_tip(index):
            QToolTip.showText(QCursor.pos(), self.bar_tip(index), self.chart_view)
        else:
            QToolTip.hideText()

    def _show_codes(self, table: Table) -> None:
        self.result = table
        self.set_note(table.note)
        if table.empty:
            self._bars([], [])
            return
        shown = [i for i, r in enumerate(table.rows) if sum(table.cells[i])] or []
        # the whole path where it fits, else its middle left out (its end was kept: the
        # start cut off, "ие к местной власти"); hovering a bar names it in full
        self.bar_names = [table.rows[i].label for i in shown]
        categories = [elide_middle(name, BAR_LABEL_CHARS) for name in self.bar_names]
        sets = [(c.label, [table.cells[i][j] for i in shown]) for j, c in enumerate(table.columns)][
            :12
        ]
        self.chart.setTitle(f"Code frequencies ({MEASURE_LABELS.get(table.measure, '')})")
        self._bars(categories, sets)

    def _show_words(self, counts: Any) -> None:
        self.result = counts
        self.set_note(counts.note)
        words = counts.words[: self.top_n.value()]
        self.chart.setTitle(f"Most frequent words ({plural(counts.passages, 'passage')})")
        self.bar_names = [w for w, _ in words]
        self._bars(self.bar_names, [("occurrences", [n for _, n in words])])
        if words and not self.kwic_word.text():
            self.kwic_word.setText(words[0][0])
        # the keyword's lines follow the words: same text ("Text of"), same filters
        self.refresh_kwic()

    def refresh_kwic(self) -> None:
        """List the keyword's occurrences in context."""
        from dataclasses import replace

        from analysis.words import keywords_in_context, kwic_not_found
        from storage.privacy.models import ExportPrivacy

        word = self.kwic_word.text().strip()
        self._kwic_note("")
        if not word:
            self.kwic.set_lines([])
            return
        code_id, session_id = self._scope()
        filters = replace(self.filters(), codes=())
        consented = self.kwic_consented.isChecked()
        privacy = ExportPrivacy(consented_only="export") if consented else None

        def job(p: Any) -> tuple[list[Any], dict[str, str]]:
            lines = keywords_in_context(
                p, word, code_id=code_id, session_id=session_id, filters=filters, privacy=privacy
            )
            return lines, {s.id: s.title for s in p.sessions.all()}

        def show(result: tuple[list[Any], dict[str, str]]) -> None:
            self.kwic.set_lines(*result)
            self.kwic_consented_shown = consented
            self._kwic_note("" if result[0] else kwic_not_found(word))

        self.compute("kwic", job, show)

    def _kwic_note(self, text: str) -> None:
        self.kwic_note.setText(text)
        self.kwic_note.setVisible(bool(text))

    def _kwic_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            line = self.kwic.lines[index.row()]
            self.play_segment.emit(line.session_id, line.segment_id)

    def export_data(self, kind: str = "") -> tuple[str, Any, str]:
        if kind == "kwic":
            return "kwic", self.kwic.lines or None, "none"
        if self.what.currentData() == "words":
            return "words", self.result, "none"
        return "frequencies", self.result, "none"

"""Teamwork widgets: agreement table, disagreement view, blind coding (the
conflicts dialog is in ``gui.team_conflicts``).

Each widget takes ``(project, parent=None)`` and calls only ``Project`` methods and
``analysis``; the main window hosts them. The agreement and disagreement panels also take
``runner=``: given one (the window does), they compute on a worker and the window stays
responsive (a merged team's 36,000 codings took 0.3 s for the agreement and 1-2 s for the
disagreements on the GUI thread); without one they compute at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from analysis.agreement import (
    KAPPA_PAIRS_NOTE,
    AgreementReport,
    CodeAgreement,
    Coefficient,
    Disagreement,
    coders_words,
    compute_agreement,
    disagreements,
)
from gui.fmt import plural, verb
from gui.menu_keys import keep_mnemonics, literal
from gui.models.table import RowTableModel
from gui.tasks import TaskRunner
from gui.team_conflicts import ConflictDialog as ConflictDialog  # its old home
from gui.whole_rows import WholeRows
from storage import Project
from storage.core.errors import FieldScribeError

_Index = QModelIndex | QPersistentModelIndex
#: the disagreements listed and their rows' cells
Listed = tuple[list[Disagreement], list[tuple[str, ...]]]


def ticked(coders: list[str], left_out: set[str]) -> list[str]:
    """The coders compared: those not left out (every coder when none would be)."""
    return [c for c in coders if c not in left_out] or list(coders)


def _compute(
    owner: QWidget,
    runner: TaskRunner | None,
    project: Project,
    job: Callable[[Project], Any],
    done: Callable[[Any], None],
    failed: Callable[[BaseException], None],
) -> None:
    """Run ``job`` on ``runner``'s worker over a read-only connection of its own (only the
    newest of ``owner``'s is delivered, and not once ``owner`` is gone), else at once on
    ``project``; then ``done(result)`` on the GUI thread.

    The connection of its own: over the window's, the long read held the project for a
    quarter of a second, and the GUI thread's small reads (a segment's redactions, the
    project's languages) waited behind it."""
    if runner is None:
        done(job(project))
        return
    folder, coder = project.folder, project.coder

    def work(_ctx: Any) -> Any:
        with Project.open(folder, coder=coder, readonly=True, register_coder=False) as reader:
            return job(reader)

    runner.submit(
        f"Compute {type(owner).__name__}",
        work,
        on_done=lambda result: done(result) if shiboken6.isValid(owner) else None,
        on_error=lambda exc: failed(exc) if shiboken6.isValid(owner) else None,
        latest=f"team-panel-{id(owner)}",
    )


class AgreementModel(RowTableModel):
    """One row per code plus "(all codes)": units, agreement, kappa, alpha, span overlap."""

    HEADERS = ("Code", "Units", "Agreement", "Cohen's κ", "Krippendorff's α", "Span overlap")
    headers = HEADERS

    def __init__(self, report: AgreementReport | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[CodeAgreement] = []
        if report is not None:
            self.set_report(report)

    def set_report(self, report: AgreementReport) -> None:
        """Show a new report."""
        self.beginResetModel()
        self._rows = [*report.codes, report.overall]
        self.endResetModel()

    def row_total(self) -> int:
        return len(self._rows)

    def _coef(self, row: CodeAgreement, column: int) -> Coefficient | None:
        return {2: row.percent, 3: row.kappa, 4: row.alpha, 5: row.overlap}.get(column)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        coef = self._coef(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.code_path
            if column == 1:
                return str(row.units)
            return coef.text() if coef is not None else None
        if role == Qt.ItemDataRole.ToolTipRole and coef is not None:
            return coef.note or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole and coef is not None:
            return coef.value
        return None


class CoderChooser(QPushButton):
    """Which coders a team panel compares: a menu with every coder who has codings, each ticked
    or not. All are ticked at first, and so is a coder who arrives later (with a merge); the
    last ticked one cannot be unticked.

    A lead who coded a segment or two as examples is a third coder: without a choice Cohen's
    κ read "n/a" for every code and the Disagreements listed each segment both coders coded as
    "not applied by lead".
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMenu(QMenu(self))
        keep_mnemonics(self.menu())  # each coder's letter
        self.coders: list[str] = []
        self.left_out: set[str] = set()
        self.known = False  # whether the coders were read yet (a worker reads them)
        self._sync()

    def set_coders(self, coders: list[str]) -> None:
        """The coders to offer (those unticked before stay unticked)."""
        self.known = True
        if coders != self.coders:
            self.coders = list(coders)
            menu = self.menu()
            menu.clear()
            for name in self.coders:
                act = menu.addAction(literal(name))  # a name is no shortcut
                act.setData(name)
                act.setCheckable(True)
                act.toggled.connect(partial(self._toggled, name))
        self._sync()

    def _sync(self) -> None:
        """Ticks and label as chosen; the last ticked coder cannot be unticked."""
        chosen = self.chosen()
        for act in self.menu().actions():
            act.blockSignals(True)
            act.setChecked(act.data() in chosen)
            act.setEnabled(len(chosen) > 1 or act.data() not in chosen)
            act.blockSignals(False)
        self._label()

    def menu(self) -> QMenu:
        """The menu of coders (always set)."""
        menu = super().menu()
        assert menu is not None
        return menu

    def chosen(self) -> list[str]:
        """The ticked coders (every coder when none would be)."""
        return ticked(self.coders, self.left_out)

    def choose(self, coders: list[str]) -> None:
        """Tick exactly ``coders`` (what clicking them in the menu does)."""
        self.left_out = set(self.coders) - set(coders)
        self._sync()
        self.changed.emit()

    def _toggled(self, name: str, on: bool) -> None:
        if on:
            self.left_out.discard(name)
        else:
            self.left_out.add(name)
        self._sync()
        self.changed.emit()

    def _label(self) -> None:
        chosen = self.chosen()
        every = len(chosen) == len(self.coders) > 2  # "all 2 coders" read oddly: their names
        text = f"Compare: all {len(chosen)} coders" if every else f"Compare: {', '.join(chosen)}"
        text = text if chosen else "Compare"  # none yet (still computing, or no codings)
        self.setToolTip(f"{text}. Choose the coders to compare: Cohen's κ needs exactly two.")
        if not self.coders and self.known:  # an empty menu opened onto nothing: greyed out
            text = "Compare: no codings yet"
            self.setToolTip("Nobody has coded yet: the coders appear here once they code.")
        elif not self.coders:  # still being read (with the figures)
            self.setToolTip("The coders are read with the figures.")
        self.setEnabled(bool(self.coders))
        self.setText(self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, 260))


def _gui_notes(report: AgreementReport) -> list[str]:
    """The report's notes in the panel's words: the pairs' κ instead of the command line's
    "see pairwise_kappa (--json)", which a workbench user cannot see."""
    notes = [n for n in report.notes if n != KAPPA_PAIRS_NOTE]
    if KAPPA_PAIRS_NOTE in report.notes:
        pairs = "; ".join(f"{pair} {k.text()}" for pair, k in report.pairwise_kappa.items())
        notes.insert(
            0,
            f"Cohen's κ compares two coders: choose two under Compare. "
            f"κ of each pair over all codes: {pairs}.",
        )
    return notes


class AgreementWidget(QWidget):
    """The agreement table for every coder (or the chosen ones), with the unit stated."""

    computed = Signal()  # the figures are shown (computed on a worker, or at once)

    def __init__(
        self, project: Project, parent: QWidget | None = None, *, runner: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.runner = runner
        self.model = AgreementModel(parent=self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # rows of one line each, a line tall: a laptop's short dock shows more of them
        rows = self.view.verticalHeader()
        rows.setMinimumSectionSize(1)
        rows.setDefaultSectionSize(self.view.fontMetrics().lineSpacing() + 8)
        # the overall figures and the unit on one line above the table (on a laptop the dock
        # shows a row or two of it: the overall row is the last)
        self.overall_label = QLabel(self)
        self.unit_label = QLabel(self)
        self.unit_label.setWordWrap(True)
        self.notes_label = QLabel(self)
        self.notes_label.setWordWrap(True)
        self.chooser = CoderChooser(self)
        self.chooser.changed.connect(self.refresh)
        self.recompute = QPushButton("Recompute", self)
        self.recompute.clicked.connect(self.recompute_clicked)
        # the table as a file (.xlsx, .csv): it could be read only off the screen
        self.export_button = QPushButton("Export…", self)
        self.export_button.setToolTip(
            "Write this table (per code and all codes, each coder's coded segments) to an "
            "Excel workbook or a CSV file"
        )
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_dialog)
        #: what Recompute did ("Recomputed at 14:02:11: no change"): when nothing changed the
        #: table stayed as it was and nothing told the user that it had run at all
        self.recomputed_label = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.overall_label, 1)
        top.addWidget(self.recomputed_label)
        top.addWidget(self.chooser)
        top.addWidget(self.recompute)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.unit_label)
        layout.addWidget(WholeRows(self.view, self), 1)  # never a row cut in half
        layout.addWidget(self.notes_label)
        self.report: AgreementReport | None = None
        self.refresh()

    def shown(self) -> list[tuple[Any, ...]]:
        """What the panel shows: the table's cells, the coders and the notes."""
        model = self.model
        cells = [
            tuple(model.index(r, c).data() for c in range(model.columnCount()))
            for r in range(model.rowCount())
        ]
        return [*cells, (self.unit_label.toolTip(), self.notes_label.text())]

    def recompute_clicked(self) -> None:
        """Recompute, and say so (once computed): the time, and whether any figure changed."""
        before = self.shown()
        self.refresh(then=lambda: self._say_recomputed(self.shown() == before))

    def _say_recomputed(self, same: bool) -> None:
        when = datetime.now().strftime("%H:%M:%S")
        self.recomputed_label.setText(
            f"Recomputed at {when}: " + ("no change" if same else "<b>figures updated</b>")
        )
        self.recomputed_label.setToolTip(
            "The figures are the same as before: no codings changed since they were computed."
            if same
            else "Some figures changed since they were last computed."
        )

    def refresh(
        self, coders: list[str] | None = None, *, then: Callable[[], None] | None = None
    ) -> None:
        """Recompute from the project (on the runner's worker, when given) for ``coders``,
        else the coders ticked under Compare; ``then`` once shown. What Recompute said goes:
        it belonged to the figures before (an edit's refresh left "no change" beside new
        ones)."""
        self.recomputed_label.clear()
        left_out = set(self.chooser.left_out)

        def job(project: Project) -> tuple[list[str], AgreementReport]:
            # the coders too: read on the GUI thread, they waited behind the workers' reads
            every = project.team.coding_coders()
            chosen = coders or ticked(every, left_out)
            data = project.team.agreement_data(coders=chosen or None, with_texts=False)
            return every, compute_agreement(data)

        def done(result: tuple[list[str], AgreementReport]) -> None:
            self.chooser.set_coders(result[0])
            self._show(result[1])
            if then is not None:
                then()

        if self.report is None:
            self.overall_label.setText("Computing the agreement…")
        _compute(self, self.runner, self.project, job, done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.overall_label.setText(f"Could not compute the agreement: {exc}")

    def export_dialog(self) -> None:
        """Ask where to write the table shown, then write it."""
        from gui.analysis.window import export_path

        path, chosen = QFileDialog.getSaveFileName(
            self,
            "Export the agreement table",
            "agreement.xlsx",
            "Excel workbook (*.xlsx);;CSV table (*.csv)",
        )
        if path:
            self.export_to(export_path(path, chosen, "table"))

    def export_to(self, dest: Path) -> None:
        """Write the figures shown (the coders compared) to ``dest`` (.xlsx or .csv), code
        names as exports write them; logged as an export. Says what it wrote beside the
        buttons."""
        report, project = self.report, self.project
        if report is None:
            return

        def job(_ctx: Any = None) -> Path:
            from analysis.exports import export_scope, write_agreement
            from analysis.filters import Filters

            label = export_scope(project, Filters(), None)[1]
            return write_agreement(project, report, dest, label)

        def done(path: Path) -> None:
            if shiboken6.isValid(self):
                self.recomputed_label.setText(f"Wrote {path.name}")
                self.recomputed_label.setToolTip(f"Wrote {path}.")

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self.recomputed_label.setText(f"<b>Could not export {dest.name}</b>")
                self.recomputed_label.setToolTip(str(exc))

        if self.runner is None:
            try:
                done(job())
            except FieldScribeError as exc:
                failed(exc)
            return
        self.runner.submit("Export the agreement table", job, on_done=done, on_error=failed)

    def _show(self, report: AgreementReport) -> None:
        self.report = report
        self.export_button.setEnabled(True)
        self.model.set_report(self.report)
        whole = self.report.overall
        self.overall_label.setText(
            f"<b>All codes</b>: agreement {whole.percent.text()}, κ {whole.kappa.text()}, "
            f"α {whole.alpha.text()}"
        )
        # the report says "unit = (segment, code); value = ...": "Unit: unit = ..." read twice
        what = self.report.unit.removeprefix("unit = ")
        unit = (
            f"Coders: {', '.join(self.report.coders) or '(none)'}. Unit: {what}. "
            f"Span overlap in {self.report.overlap_unit}."
        )
        self.unit_label.setText(unit.split(";")[0] + ("… (hover for more)" if ";" in unit else ""))
        self.unit_label.setToolTip(unit)
        self.notes_label.setText("\n".join(_gui_notes(self.report)))
        self.computed.emit()


class DisagreementModel(RowTableModel):
    """The disagreements as table rows, read by the view as it paints (a merged team has tens
    of thousands: an item per cell took a second to make on the GUI thread)."""

    def __init__(self, columns: tuple[str, ...], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = self.headers = columns
        self.rows: list[tuple[str, ...]] = []
        self.segment_ids: list[str] = []

    def set_items(
        self, items: list[Disagreement], rows: list[tuple[str, ...]] | None = None
    ) -> None:
        """Show ``items``, one row each (``rows``: their cells, made on a worker)."""
        self.beginResetModel()
        self.rows = rows if rows is not None else [_cells(d) for d in items]
        self.segment_ids = [d.segment_id for d in items]
        self.endResetModel()

    def row_total(self) -> int:
        return len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[row][column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, 3, 5):
            return self.rows[row][column]  # a long turn (or words) elided in a laptop's dock
        if role == Qt.ItemDataRole.UserRole and column == 0:
            return self.segment_ids[row]
        return None


def _cells(d: Disagreement, titles: dict[str, str] | None = None) -> tuple[str, ...]:
    seconds = d.start_ms // 1000
    applied, not_applied = _who_coded_what(d)
    time = f"{seconds // 60}:{seconds % 60:02d}"
    title = (titles or {}).get(d.session_id, "")
    return title, time, d.speaker or "", d.text, d.code_path, applied, not_applied


class DisagreementWidget(QWidget):
    """Segments where coders differ, side by side: who applied the code, who did not."""

    #: Session: which session a row is of (hidden while every row is of one): a lead
    #: reviewing three sessions read "0:05 Респондент" and could not tell which
    COLUMNS = ("Session", "Time", "Speaker", "Text", "Code", "Applied by", "Not applied by")
    SESSION_WIDTH_MAX = 160  # px: a long title wraps rather than take the text's room
    play_requested = Signal(str, str)  # session id, segment id: Enter or a double-click
    computed = Signal()  # the list is shown (computed on a worker, or at once)

    def __init__(
        self, project: Project, parent: QWidget | None = None, *, runner: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.runner = runner
        self.model = DisagreementModel(self.COLUMNS, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column, name in enumerate(self.COLUMNS):
            mode = {
                "Text": QHeaderView.ResizeMode.Stretch,  # the text gets the room
                "Session": QHeaderView.ResizeMode.Interactive,  # fitted in _fit_rows
            }.get(name, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(column, mode)
        self.table.setColumnHidden(0, True)
        # columns fitted to the rows in sight and a few hundred more, not to every row
        header.setResizeContentsPrecision(200)
        # rows as tall as their wrapped text, once the columns have their widths: at 1024x700
        # a turn of two lines (or two coders' words in Applied by) was cut in a 30 px row; a
        # one-line row is a line and a margin tall, as Retrieval's and Agreement's
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(self.table.fontMetrics().lineSpacing() + 8)
        rows.setDefaultSectionSize(self.table.fontMetrics().lineSpacing() + 8)
        self._rows_timer = QTimer(self)
        self._rows_timer.setSingleShot(True)
        self._rows_timer.setInterval(0)
        self._rows_timer.timeout.connect(self._fit_rows)
        header.sectionResized.connect(lambda *_a: self._rows_timer.start())
        self.table.activated.connect(self._activated)
        layout = QVBoxLayout(self)
        self.count_label = QLabel(self)
        self.count_label.setWordWrap(True)
        self.chooser = CoderChooser(self)
        self.chooser.changed.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.chooser)
        layout.addLayout(top)
        layout.addWidget(WholeRows(self.table, self), 1)  # never a row cut in half
        self.items: list[Disagreement] = []
        self.listed = False  # a computed list is shown (not just "Computing…")
        self.refresh()

    def refresh(self) -> None:
        """Reload the disagreements of the coders ticked under Compare from the project (on
        the runner's worker, when given)."""
        left_out = set(self.chooser.left_out)

        def job(project: Project) -> tuple[list[str], list[str], Listed | None]:
            # the coders and the setting too: read on the GUI thread, they waited behind the
            # workers' reads
            every = project.team.coding_coders()
            chosen = ticked(every, left_out)
            if project.team.blind_coding:
                return every, chosen, None
            items = disagreements(project.team.agreement_data(coders=chosen or None))
            titles = {x.id: x.title for x in project.sessions.all()}
            return every, chosen, (items, [_cells(d, titles) for d in items])

        if not self.listed:
            self.count_label.setText("Computing the disagreements…")
        _compute(self, self.runner, self.project, job, self._computed, self._failed)

    def _computed(self, result: tuple[list[str], list[str], Listed | None]) -> None:
        every, chosen, listed = result
        self.chooser.set_coders(every)
        if listed is None:
            self._blind()
            return
        self.chooser.setEnabled(bool(self.chooser.coders))
        self._show(chosen, listed)

    def _failed(self, exc: BaseException) -> None:
        self.count_label.setText(f"Could not compute the disagreements: {exc}")

    def _show(self, chosen: list[str], listed: Listed) -> None:
        self.listed = True
        self.items, rows = listed
        self.model.set_items(self.items, rows)
        self.table.setColumnHidden(0, len({d.session_id for d in self.items}) < 2)
        self._fit_rows()
        # "1 disagreement(s)"; and none listed read as if nothing had been compared
        compared = ", ".join(chosen) if len(chosen) > 1 else "the coders"
        # a team counted 8 here and found 6 in Agreement: where every coder applied the code
        # to the segment, on other words, the segment counts as agreeing there
        on_words = sum(coders_words(d) is not None for d in self.items)
        words = (
            f", {on_words} of them only on which words (Agreement counts "
            f"{verb(on_words, 'that segment', 'those segments')} as agreeing)"
            if on_words
            else ""
        )
        self.count_label.setText(
            f"{plural(len(self.items), 'disagreement')} to discuss{words}; Enter or a "
            "double-click plays one"
            if self.items
            else f"No disagreements: {compared} applied every code to the same segments and words."
        )
        self.computed.emit()

    #: more rows than this keep one line each, elided (measuring each would stall a resize)
    FIT_ROWS_MAX = 500

    def _fit_rows(self) -> None:
        """Each row as tall as its wrapped cells; past ``FIT_ROWS_MAX`` rows a line each, the
        text elided ("…", whole in its tooltip) rather than wrapped out of its row."""
        count = self.model.rowCount()
        fits = count <= self.FIT_ROWS_MAX
        self.table.setWordWrap(fits)
        if not self.table.isColumnHidden(0):
            # as wide as its titles and its heading ("essio" with short titles), at most 160
            header = self.table.horizontalHeader()
            wanted = max(self.table.sizeHintForColumn(0), header.sectionSizeHint(0))
            self.table.setColumnWidth(0, min(wanted, self.SESSION_WIDTH_MAX))
        if fits and count:
            self.table.resizeRowsToContents()

    def _blind(self) -> None:
        """Blind coding is on: nothing listed (a disagreement shows who coded what, and the
        other coders' words: with blind coding on, the list showed them all)."""
        self.items = []
        self.model.set_items([])
        self.chooser.setEnabled(False)
        self.count_label.setText(
            "Blind coding is on: other coders' codings stay hidden here too. Team ▸ Blind "
            "coding turns it off to discuss the disagreements."
        )

    def _activated(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.items):
            d = self.items[index.row()]
            self.play_requested.emit(d.session_id, d.segment_id)


def _who_coded_what(d: Disagreement) -> tuple[str, str]:
    """The Applied by and Not applied by cells. When every coder applied the code but to
    different words, each coder's words, a line each (the row read "coder-a, coder-b" and an
    empty "Not applied by": nothing said what the disagreement was)."""
    words = coders_words(d)
    if words is None:
        return ", ".join(d.applied_by), ", ".join(d.not_applied_by)
    return "\n".join(f"{coder}: {said}" for coder, said in words), "(different words)"


class BlindCodingToggle(QWidget):
    """A check box for the project's blind-coding setting."""

    toggled = Signal(bool)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.box = QCheckBox("Blind coding (coders see only their own codings)", self)
        self.box.setChecked(project.team.blind_coding)
        self.box.toggled.connect(self._set)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)

    def _set(self, on: bool) -> None:
        self.project.team.set_blind_coding(on)
        self.toggled.emit(on)

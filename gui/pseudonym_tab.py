"""The Ethics dock's Pseudonyms tab: the real name -> pseudonym mapping, the review of every
occurrence of a mapped name in the transcripts, and replacing the checked ones."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QMargins, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyledItemDelegate,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.fit import fill_table, fit_table, new_table, refit
from gui.flow_row import FlowLayout
from gui.fmt import fmt_ms, plural, verb
from storage import Project
from storage.core.errors import FieldScribeError
from storage.privacy.models import PseudonymCandidate

#: the occurrences to review: checked = replace (and how the name matched), the words around
#: it; the name found → its pseudonym, and where it is, are in the line under the table (the
#: current row) and in the tooltips (a third column "Change" left the context 100 px of a
#: 290 px dock)
CANDIDATE_COLUMNS = ("Replace", "Context")
KIND_TIPS = {
    "exact": "exact: the real name as mapped",
    "case": "case: the real name in other capitals",
    "inflected": "inflected: the name's stem with an ending; check it only if it is this person",
}


#: the letters of the context kept before the name in a row (the row starts near the name)
NEAR_LETTERS = 14


def near_match(context: str, letters: int = NEAR_LETTERS) -> str:
    """``context`` ("…words [Name] words…") from a word or two before the name: a row of a
    narrow dock shows the name and the words after it, not only the words before."""
    start = context.find("[")
    if start <= letters + 1:
        return context
    before = context[start - letters : start]
    space = before.find(" ")
    if 0 <= space < len(before) - 1:  # from a word's start
        before = before[space + 1 :]
    return "…" + before + context[start:]


def _forms(candidates: list[PseudonymCandidate]) -> str:
    """The words matched, each once, in order ("Айгулю, Айгулем")."""
    return ", ".join(dict.fromkeys(c.matched for c in candidates))


def _renamed(speakers: dict[str, str]) -> str:
    """Speaker labels and what they become ("Айгүл → Сәуле, Бақыт → P2")."""
    return ", ".join(f"{label} → {pseudonym}" for label, pseudonym in speakers.items())


class PseudonymTab(QWidget):
    """The real name -> pseudonym mapping, review of every occurrence, and applying it.

    It fits the Ethics dock of a laptop window (about 290 pixels wide): the buttons wrap onto
    a second row rather than clip their text, and the occurrences are one line each (the
    context from a word or two before the name, cut at the column's end), so that a reviewer
    of 30 occurrences sees many at once; the current one is read whole under them (where it
    is, and its context), and in each row's tooltip.
    """

    changed = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.confirm: Callable[[str], bool] = self._ask
        self.real = QLineEdit(placeholderText="Real name")
        self.real.setToolTip("The name as spoken in the transcripts, e.g. Айгуль")
        self.pseudonym = QLineEdit(placeholderText="Pseudonym")
        self.pseudonym.setToolTip("What exports and the transcripts show instead, e.g. P01")
        # "Add": beside "Add mapping" the two fields of a 290 px dock were 80 px, their
        # placeholders cut ("Pseudon…"); what it adds is in its tooltip
        self.add = QPushButton("Add")
        self.add.setToolTip("Add the mapping (or change it): exports show the pseudonym instead")
        self.add.clicked.connect(self.add_mapping)
        self.mapping = new_table(["Pseudonym", "Real name", "Rejected forms"])
        # its headers alone were 258 px side by side: in the 290 px dock it scrolled sideways
        fit_table(self.mapping)
        self.review = QPushButton("Review occurrences")
        self.review.clicked.connect(self.load_candidates)
        self.apply = QPushButton("Replace checked occurrences")
        self.apply.clicked.connect(self.apply_checked)
        self.candidates = new_table(list(CANDIDATE_COLUMNS))
        # the context (what the reviewer reads) keeps its words whole first
        fit_table(self.candidates, first=CANDIDATE_COLUMNS.index("Context"))
        # one line a row: wrapped in the 100 px left to it, a context was a word a line, a row
        # 113 px high, and 3 of 30 occurrences were in sight at 1024x700
        self.candidates.setWordWrap(False)
        self.candidates.setItemDelegateForColumn(
            CANDIDATE_COLUMNS.index("Context"), QStyledItemDelegate(self.candidates)
        )
        self.candidates.currentCellChanged.connect(self._show_current)
        # the current occurrence whole: where it is, what it becomes, its segment's words
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        self._details: list[str] = []
        self.status = QLabel()
        self.status.setWordWrap(True)
        self._shown: list[PseudonymCandidate] = []
        # speaker labels that are a real name (label -> pseudonym), as the last review found
        self._speakers: dict[str, str] = {}
        row = QHBoxLayout()
        row.addWidget(self.real, 1)
        row.addWidget(self.pseudonym, 1)
        row.addWidget(self.add)
        actions = QWidget()
        flow = FlowLayout(actions, spacing=6)
        flow.setContentsMargins(QMargins(0, 0, 0, 0))
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        actions.setSizePolicy(policy)
        flow.addWidget(self.review)
        flow.addWidget(self.apply)
        review = self._review = QWidget()
        self._actions = actions
        review.installEventFilter(self)
        below = QVBoxLayout(review)
        below.setContentsMargins(0, 0, 0, 0)
        below.addWidget(actions)
        # what a click did stands under its button: at the tab's foot, in a laptop's short dock
        # that scrolls, it was cut in half below the occurrences ("2 occurrences… Uncheck…")
        below.addWidget(self.status)
        below.addWidget(self.candidates, 1)
        below.addWidget(self.detail)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.mapping)
        split.addWidget(review)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        self.refresh()

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, "FieldScribe", text)
        return answer == QMessageBox.StandardButton.Yes

    def refresh(self) -> None:
        """Reload the mapping."""
        fill_table(
            self.mapping,
            [
                [e.pseudonym, e.real_name, ", ".join(e.exceptions)]
                for e in self.project.privacy.pseudonyms()
            ],
        )

    def add_mapping(self) -> None:
        """Add (or change) one mapping line."""
        try:
            self.project.privacy.set_pseudonym(self.real.text(), self.pseudonym.text())
        except FieldScribeError as exc:
            self.status.setText(str(exc))
            return
        self.real.clear()
        self.pseudonym.clear()
        self.status.setText("Mapping saved; review the occurrences before replacing them.")
        self.refresh()

    def load_candidates(self) -> None:
        """List every occurrence; exact and case matches are checked, inflected forms not."""
        self._shown = self.project.privacy.pseudonym_candidates()
        self._details = []
        self.candidates.setRowCount(len(self._shown))
        titles = {s.id: s.title for s in self.project.sessions.all()}
        segments = self.project.transcript.get_segments([c.segment_id for c in self._shown])
        for r, cand in enumerate(self._shown):
            becomes = f"“{cand.matched}” becomes “{cand.replacement}”"
            box = QTableWidgetItem(cand.kind)
            box.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            checked = cand.kind != "inflected"
            box.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            box.setToolTip(f"{KIND_TIPS.get(cand.kind, cand.kind)}\n{becomes}")
            self.candidates.setItem(r, 0, box)
            # where it is: the same sentence in two sessions (a re-recorded interview) read
            # the same, and the reviewer could not tell which occurrence a row was
            seg = segments.get(cand.segment_id)
            when = f" · {fmt_ms(seg.start_ms)}" if seg is not None else ""
            where = f"{titles.get(cand.session_id, '')}{when}"
            context = QTableWidgetItem(near_match(cand.context))
            context.setToolTip(f"{where}\n{becomes}\n{cand.context}")
            self.candidates.setItem(r, 1, context)
            words = cand.context
            if seg is not None and seg.text[cand.start_cp : cand.end_cp] == cand.matched:
                s, e = cand.start_cp, cand.end_cp  # the whole segment, the name marked
                words = f"{seg.text[:s]}[{seg.text[s:e]}]{seg.text[e:]}"
            self._details.append(
                f"{where} · {cand.kind}: {cand.matched} → {cand.replacement}\n{words}"
            )
        refit(self.candidates)
        self.candidates.setCurrentCell(0, CANDIDATE_COLUMNS.index("Context"))
        self._show_current(self.candidates.currentRow())
        forms = _forms([c for c in self._shown if c.kind == "inflected"])
        self._speakers = self.project.privacy.named_speakers()
        if not self._shown and self._speakers:
            # a name used as a speaker label only (the common case): "No real name … occurs"
            # read as if there were nothing to do, and Replace said "Review … first"
            said = (
                "No real name of the mapping occurs in the transcripts' text; "
                f"{plural(len(self._speakers), 'speaker label')} {verb(len(self._speakers), 'is')}"
                f" one ({_renamed(self._speakers)}): Replace checked occurrences renames "
                f"{verb(len(self._speakers), 'it', 'them')}."
            )
        elif not self._shown:
            said = "No real name of the mapping occurs in the transcripts."
        elif forms:
            # the inflected rows are unchecked and, in a laptop's dock, below the fold: said
            # here, or "Uncheck those that are not..." read as if every row were checked
            said = (
                f"{plural(len(self._shown), 'occurrence')}. Inflected forms are unchecked "
                f"({forms}): check each that is this person."
            )
        else:
            said = (
                f"{plural(len(self._shown), 'occurrence')}. Uncheck "
                f"{verb(len(self._shown), 'it if it is', 'those that are')} not this person."
            )
        if self._shown and self._speakers:
            said += f" Speaker labels are renamed too ({_renamed(self._speakers)})."
        self.status.setText(said)

    def _show_current(self, row: int, *_rest: int) -> None:
        """The occurrence of ``row`` read whole under the table (none: nothing shown)."""
        if not 0 <= row < len(self._details):
            self.detail.clear()
            self.detail.hide()
            return
        self.detail.setText(self._details[row])
        self._place_detail()

    def _place_detail(self) -> None:
        """The current occurrence under the table where there is room for it beside what the
        buttons did (whole) and three rows: a short dock (300 px, beside a tall bottom panel)
        squeezed that status onto fewer lines than it needs, and the table under its minimum."""
        if not self.detail.text():
            self.detail.hide()
            return
        width = self._review.width()
        spacing = max(0, self._review.layout().spacing())  # type: ignore[union-attr]
        table = self.candidates
        rows = 3 * (table.rowHeight(0) if table.rowCount() else table.fontMetrics().height())
        need = (
            self._actions.heightForWidth(width)
            + self.status.heightForWidth(width)
            + table.horizontalHeader().height()
            + rows
            + 2 * table.frameWidth()
            + self.detail.heightForWidth(width)
            + 3 * spacing
        )
        self.detail.setVisible(self._review.height() >= need)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt's name
        if obj is self._review and event.type() == QEvent.Type.Resize:
            self._place_detail()
        return False

    def checked_ids(self) -> list[str]:
        """Ids of the checked candidates."""
        return [
            cand.id
            for r, cand in enumerate(self._shown)
            if (item := self.candidates.item(r, 0)) is not None
            and item.checkState() == Qt.CheckState.Checked
        ]

    def apply_checked(self) -> None:
        """Replace the checked occurrences in the transcripts (after confirmation)."""
        if not self._shown and not self._speakers:
            self.status.setText("Review the occurrences first.")
            return
        ids = self.checked_ids()
        left = [c for c in self._shown if c.id not in set(ids) and c.kind == "inflected"]
        kept = (
            f" {plural(len(left), 'unchecked inflected form')} ({_forms(left)}) "
            f"{verb(len(left), 'is')} then remembered as not this person: "
            f"{verb(len(left), 'it stays', 'they stay')} in the transcripts and in exports."
            if left
            else ""
        )
        of = f" of {len(self._shown)}" if len(ids) < len(self._shown) else ""
        speakers = self._speakers
        renamed = f"the speaker labels {_renamed(speakers)}" if speakers else ""
        if not self._shown:
            question = f"Rename {renamed} in the transcripts?"
        else:
            question = (
                f"Replace {len(ids)}{of} "
                f"{'occurrence' if len(self._shown) == 1 else 'occurrences'} in the transcripts"
                + (f" and rename {renamed}" if renamed else "")
                + "? The real names are removed from the transcript text."
            )
        if not self.confirm(question + kept):
            return
        try:
            report = self.project.privacy.apply_pseudonyms(ids)
        except FieldScribeError as exc:
            self.status.setText(str(exc))
            return
        self._shown, self._speakers = [], {}
        self.candidates.setRowCount(0)
        self._show_current(-1)
        also = ""
        if report.deleted_sessions:
            also = (
                f" Names were replaced in {plural(report.deleted_sessions, 'deleted session')} too."
            )
        said = (
            f"Replaced {plural(report.replaced, 'occurrence')} in "
            f"{plural(report.segments, 'segment')}."
        )
        if speakers and not report.replaced:
            said = f"Renamed {renamed}."
        elif speakers:
            said += f" Renamed {renamed}."
        self.status.setText(said + also)
        self.refresh()
        self.changed.emit()

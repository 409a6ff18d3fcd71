"""Research-ethics panel: consent records, the pseudonym mapping and review, redactions, audit log.

``PrivacyPanel(project, parent=None)`` is self-contained: it calls only ``Project`` methods. Other
windows can call ``consent_warning(project, session_id, purpose)`` before transcribing or
exporting a session and show the text it returns.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent, QTextOption
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.eliding_combo import ElidingComboBox
from gui.fit import fill_table, fit_table, fit_tabs, new_table, scrolling
from gui.fmt import fmt_ms, fmt_when, fmt_when_short, plural
from gui.one_line_table import fit_one_line_columns, one_line_rows
from gui.pseudonym_tab import PseudonymTab
from gui.select_row import select_row
from storage import Project
from storage.core.errors import FieldScribeError
from storage.privacy.models import CONSENT_KINDS, PURPOSE_NEEDS, AuditEntry

#: letters: the audit log's Target and Details columns at most (longer texts elided, whole
#: in the tooltip and under the table)
TARGET_LETTERS = 34
DETAILS_LETTERS = 40

_ANSWERS = (("not recorded", None), ("yes", True), ("no", False))


def consent_warning(project: Project, session_id: str, purpose: str) -> str | None:
    """A warning to show before transcribing or exporting a session, or None when all is well."""
    problems = project.consent.consent_problems(session_id, purpose)
    if not problems:
        unknown = project.consent.unknown_unlabelled(session_id, purpose)
        if unknown:  # nobody is in the session: "Everyone consented" was said of no one
            return (
                "Nobody in this session is linked to a participant or has a consent record, "
                f"so consent to {purpose} is unknown for its {plural(unknown, 'segment')} "
                "without a speaker (exports of only consented participants leave them out): "
                "link speakers or add a participant in Session details, then record their "
                "consent here."
            )
        return None
    lines = "\n".join(f"• {p.describe()}" for p in problems)
    return f"Consent does not cover {purpose} for everyone in this session:\n{lines}"


#: a redaction: the words it hides, the category exports show, hidden or destroyed, and where
REDACTION_COLUMNS = ("Words", "Category", "State", "Where")


def _yn(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


class ConsentTab(QWidget):
    """Record consent per participant and session; check a session for a purpose."""

    changed = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.participant = ElidingComboBox()
        self.session = ElidingComboBox()
        for box in (self.participant, self.session):
            # as wide as the dock allows: a long session title ("Focus group: online public
            # services") made the form wider than a laptop's dock, its right edge cut off; the
            # title ends in "…" in the box (it was cut mid-letter), whole in its list and tooltip
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(8)
        self.answers: dict[str, QComboBox] = {}
        form = QFormLayout()
        form.addRow("Participant", self.participant)
        form.addRow("Session", self.session)
        for kind in CONSENT_KINDS:
            answer = QComboBox()
            for label, value in _ANSWERS:
                answer.addItem(label, value)
            self.answers[kind] = answer
            form.addRow(kind.capitalize(), answer)
        self.date = QLineEdit(placeholderText="YYYY-MM-DD")
        self.form_ref = QLineEdit(placeholderText="F-12")
        self.form_ref.setToolTip("The reference of the signed consent form, e.g. F-12")
        # the date and the form's reference on one row: one row less, and the tab no longer
        # scrolls at 1024x700 to reach the records below (it scrolled 28 px)
        dated = QHBoxLayout()
        # the date as wide as "YYYY-MM-DD" (and a frame's margins): its hint read "YYYY-MM-"
        hint = self.date.fontMetrics().horizontalAdvance(self.date.placeholderText())
        self.date.setFixedWidth(hint + 16)
        dated.addWidget(self.date)
        dated.addWidget(QLabel("Form"))
        dated.addWidget(self.form_ref, 1)
        form.addRow("Date", dated)
        self.save = QPushButton("Save consent")
        self.save.clicked.connect(self.save_consent)
        self.purpose = QComboBox()
        self.purpose.addItems(list(PURPOSE_NEEDS))
        self.check = QPushButton("Check session")
        self.check.clicked.connect(self.check_session)
        self.status = QLabel()
        self.status.setWordWrap(True)
        # the four answers in one column ("recording yes, …"), wrapped: five columns share a
        # 290 px dock, eight did not
        self.table = new_table(["Participant", "Session", "Consent", "Date", "Form"])
        fit_table(self.table, sideways=True)
        # two records of up to six lines (a long session title) in sight, over the sideways
        # scroll bar: under the form in a laptop's dock the table was crushed to one record, cut;
        # the tab scrolls down to it instead
        header = self.table.horizontalHeader().sizeHint().height()
        bar = self.table.horizontalScrollBar().sizeHint().height()
        rows = 2 * (6 * self.table.fontMetrics().lineSpacing() + 6)
        self.table.setMinimumHeight(header + bar + rows)
        # two short rows rather than one long one: the panel fits beside a laptop's transcript
        buttons = QHBoxLayout()
        buttons.addWidget(self.save)
        buttons.addStretch(1)
        # one sentence, "Check session for [transcription]": "Purpose [..] Check session" made
        # the form 303 px wide, wider than the 290 px dock it opens in (``SIDE_PANEL_WIDTH``)
        self.check.setToolTip(
            "Does the consent recorded cover this purpose for everyone in the session above?"
        )
        checks = QHBoxLayout()
        checks.addWidget(self.check)
        checks.addWidget(QLabel("for"))
        checks.addWidget(self.purpose, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addLayout(checks)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        self._filling = False
        # the form shows what is recorded for the pair chosen: it stayed at "not recorded"
        # while the table below said "quotation no"
        self.participant.currentIndexChanged.connect(self._show_record)
        self.session.currentIndexChanged.connect(self._show_record)
        self.refresh()

    def _show_record(self) -> None:
        """Fill the answers, date and form with the record of the chosen participant and
        session (an empty form where there is none)."""
        if self._filling:
            return
        pid, sid = self.participant.currentData(), self.session.currentData()
        record = next(
            (
                c
                for c in (self.project.consent.consents(participant_id=pid) if pid else [])
                if c.session_id == sid
            ),
            None,
        )
        for kind, box in self.answers.items():
            value = record.given(kind) if record is not None else None
            box.setCurrentIndex(next(i for i, (_, v) in enumerate(_ANSWERS) if v is value))
        self.date.setText(record.date or "" if record is not None else "")
        self.form_ref.setText(record.form_ref or "" if record is not None else "")

    def refresh(self) -> None:
        """Reload participants, sessions and consent records (keeping the choices made)."""
        keep_participant, keep_session = self.participant.currentData(), self.session.currentData()
        self._filling = True
        self.participant.clear()
        names = {}
        for p in self.project.sessions.participants():
            self.participant.addItem(p.pseudonym, p.id)
            names[p.id] = p.pseudonym
        self.session.clear()
        self.session.addItem("All sessions", None)
        titles = {}
        for s in self.project.sessions.all():
            self.session.addItem(s.title, s.id)
            titles[s.id] = s.title
        self.participant.setCurrentIndex(max(0, self.participant.findData(keep_participant)))
        self.session.setCurrentIndex(max(0, self.session.findData(keep_session)))
        self._filling = False
        if (self.participant.currentData(), self.session.currentData()) != (
            keep_participant,
            keep_session,
        ):  # another pair: show its record; the same one keeps what is being typed
            self._show_record()
        fill_table(
            self.table,
            [
                [
                    names.get(c.participant_id, c.participant_id),
                    titles.get(c.session_id, "All sessions") if c.session_id else "All sessions",
                    ", ".join(f"{k} {_yn(c.given(k))}" for k in CONSENT_KINDS),
                    c.date or "",
                    c.form_ref or "",
                ]
                for c in self.project.consent.consents()
            ],
        )

    def set_session(self, session_id: str | None) -> None:
        """Choose the session open in the workbench (``None`` or one not listed: no change), so
        that Check session checks it rather than say "Choose a session to check." """
        index = self.session.findData(session_id) if session_id is not None else -1
        if index >= 0:
            self.session.setCurrentIndex(index)

    def save_consent(self) -> None:
        """Record the answers shown in the form."""
        pid = self.participant.currentData()
        if pid is None:
            self.status.setText(  # where: this panel has no way to add one
                "Add a participant first: View ▸ Session details ▸ Add participant."
            )
            return
        try:
            self.project.consent.set_consent(
                pid,
                self.session.currentData(),
                **{k: box.currentData() for k, box in self.answers.items()},
                unset=[k for k, box in self.answers.items() if box.currentData() is None],
                date=self.date.text().strip() or None,
                form_ref=self.form_ref.text().strip() or None,
            )
        except FieldScribeError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText("Consent saved.")
        self.refresh()
        self._show_record()  # what is recorded now
        self.changed.emit()

    def check_session(self) -> None:
        """Show who in the selected session lacks consent for the selected purpose."""
        sid = self.session.currentData()
        if sid is None:
            self.status.setText("Choose a session to check.")
            return
        warning = consent_warning(self.project, sid, self.purpose.currentText())
        self.status.setText(warning or f"Everyone consented to {self.purpose.currentText()}.")


class RedactionTab(QWidget):
    """Redacted spans: un-redact, or destroy the original for good."""

    changed = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.confirm: Callable[[str], bool] = self._ask
        # the words first: a new user recognises a redaction by what it hides, not by ids
        self.table = new_table(list(REDACTION_COLUMNS))
        fit_table(self.table)
        self.remove = QPushButton("Un-redact")
        self.remove.clicked.connect(self.remove_selected)
        self.destroy_btn = QPushButton("Destroy original…")
        self.destroy_btn.clicked.connect(self.destroy_selected)
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove)
        buttons.addWidget(self.destroy_btn)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.refresh()

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.warning(
            self,
            "FieldScribe",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def refresh(self) -> None:
        """Reload the redactions."""
        self._items = self.project.redactions.all()
        segments = self.project.transcript.get_segments({r.segment_id for r in self._items})
        titles: dict[str, str] = {}
        rows = []
        for r in self._items:
            seg = segments.get(r.segment_id)
            if seg is None:
                words, where = "", ""
            else:
                # a destroyed original is the placeholder in the text now
                words = "(destroyed)" if r.destroyed else seg.text[r.start_cp : r.end_cp]
                if seg.session_id not in titles:
                    titles[seg.session_id] = self.project.sessions.get_session(seg.session_id).title
                where = f"{titles[seg.session_id]} · {fmt_ms(seg.start_ms)}"
            state = "destroyed" if r.destroyed else "hidden in exports"
            rows.append([words, r.placeholder, state, where])
        fill_table(self.table, rows)
        for row, r in enumerate(self._items):
            tip = f"Characters {r.start_cp}–{r.end_cp} of the segment; redaction {r.id}"
            for col in range(self.table.columnCount()):
                item = self.table.item(row, col)
                if item is not None:
                    item.setToolTip(f"{item.text()}\n{tip}" if item.text() else tip)

    def _selected(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self._items[r].id for r in rows if r < len(self._items)]

    def remove_selected(self) -> None:
        """Un-redact the selected spans."""
        if not self._selected():  # said, not silently ignored
            self.status.setText("Select the redactions to un-redact first.")
            return
        try:
            for rid in self._selected():
                self.project.redactions.remove_redaction(rid)
        except FieldScribeError as exc:
            self.status.setText(str(exc))
        self.refresh()
        self.changed.emit()

    def destroy_selected(self) -> None:
        """Remove the originals of the selected redactions for good (after a warning)."""
        ids = [
            i for i in self._selected() if not self.project.redactions.get_redaction(i).destroyed
        ]
        if not ids:
            self.status.setText("Select redactions whose original still exists.")
            return
        if not self.confirm(
            f"Destroy the original of {plural(len(ids), 'redaction')}? The text is replaced in the "
            "project, and the audio in the project is rewritten with the span silenced. "
            "This cannot be undone."
        ):
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            report = self.project.redactions.destroy_redactions(ids)
        except FieldScribeError as exc:
            self.status.setText(str(exc))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.status.setText(
            f"Destroyed {plural(report.redactions, 'original')}; "
            f"{plural(len(report.media), 'audio file')} rewritten."
        )
        self.refresh()
        self.changed.emit()


class AuditTab(QWidget):
    """The audit log, newest last: one line an entry, its target named (a session's title, a
    segment's time and first words, a participant's label), the entry whole under the table."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.table = new_table(["When", "Who", "Action", "Target", "Details"])
        one_line_rows(self.table)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        # what Refresh read: an empty log read again changed nothing on screen (dead button)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        # the chosen entry whole, one field a line: in a laptop's 290 px dock the table shows
        # When, Who and Action, its Target and Details columns a sideways scroll away
        # (ids and file paths broken anywhere rather than widen the dock; six lines, scrolling)
        self.entry = QPlainTextEdit(self)
        self.entry.setReadOnly(True)
        self.entry.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.entry.setFixedHeight(6 * self.entry.fontMetrics().lineSpacing() + 12)
        self.entry.setToolTip("The audit entry chosen above, whole")
        self._entries: list[AuditEntry] = []
        self._targets: dict[str, str] = {}
        self.table.itemSelectionChanged.connect(self._show_entry)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.entry)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(refresh, alignment=Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        super().showEvent(event)
        self.table.scrollToBottom()  # the newest entries: what was just done

    def refresh(self) -> None:
        """Reload the log, and say what was read and when; the newest entries in sight (an
        entry is four or five lines high in a laptop's dock: the tab showed the four oldest
        of seventeen, the export just made out of sight below them)."""
        from datetime import datetime

        entries = self._entries = self.project.audit.entries()
        when = datetime.now().strftime("%H:%M:%S")
        self.status.setText(
            f"{plural(len(entries), 'entry', 'entries')}, read at {when}."
            if entries
            else f"Nothing logged yet (read at {when}): exports, consent, pseudonyms and "
            "redactions are recorded here."
        )
        targets = self._targets = self.project.audit.target_names(entries)
        self.table.setRowCount(len(entries))
        for r, e in enumerate(entries):
            details = ", ".join(f"{k}={v}" for k, v in sorted(e.details.items()))
            # the time short (today's: "11:58"), so the Target column is in sight in a 290 px
            # dock; the whole time in the tooltip and under the table
            cells = [fmt_when_short(e.at), e.actor, e.action, targets.get(e.id, ""), details]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                # the whole text (a narrow column elides it); the target's id beside its name
                tip = {0: fmt_when(e.at), 3: f"{text}\n{_target_id(e)}" if text else ""}
                item.setToolTip(tip.get(c, text))
                self.table.setItem(r, c, item)
        fit_one_line_columns(self.table, widest={3: TARGET_LETTERS, 4: DETAILS_LETTERS})
        self.table.scrollToBottom()
        select_row(self.table, len(entries) - 1)  # the newest, whole under the table
        self._show_entry()

    def _show_entry(self) -> None:
        """Show the selected entry whole under the table (nothing chosen: how to choose)."""
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        if len(rows) != 1 or not 0 <= min(rows) < len(self._entries):
            self.entry.setPlainText(
                "Choose an entry to read it whole here." if self._entries else ""
            )
            self.entry.setVisible(bool(self._entries))
            return
        self.entry.setVisible(True)
        chosen = self._entries[min(rows)]
        self.entry.setPlainText(describe_entry(chosen, self._targets.get(chosen.id, "")))


def _target_id(entry: AuditEntry) -> str:
    """The target's kind and id as the log keeps them ("segment 01a2…"; "" when none)."""
    return " ".join(x for x in (entry.target_type, entry.target_id) if x)


def describe_entry(entry: AuditEntry, target: str = "") -> str:
    """An audit entry in full, one field a line (its details one a line too); ``target``:
    its target named (``AuditLog.target_names``), the id on the line under it."""
    lines = [f"{fmt_when(entry.at)} · {entry.actor}", f"Action: {entry.action}"]
    ident = _target_id(entry)
    if target:
        lines.append(f"Target: {target}")
    if ident:
        lines.append(f"Target id: {ident}")
    lines += [f"{k}: {v}" for k, v in sorted(entry.details.items())]
    return "\n".join(lines)


class PrivacyPanel(QTabWidget):
    """Consent, pseudonyms, redactions and the audit log of a project, in four tabs."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.consent = ConsentTab(project)
        self.pseudonyms = PseudonymTab(project)
        self.redactions = RedactionTab(project)
        self.audit = AuditTab(project)
        for tab, label, tip in (
            (self.consent, "Consent", "Consent: what each participant agreed to, per session"),
            (self.pseudonyms, "Pseudonyms", "Pseudonyms: the names exports show for real ones"),
            (self.redactions, "Redactions", "Redactions: words hidden from every export"),
            (self.audit, "Audit log", "Audit log: who exported, replaced or destroyed what"),
        ):
            # a short dock scrolls the tab rather than crush the consent form's rows
            self.setTabToolTip(self.addTab(scrolling(tab), label), tip)
        # the 290 px dock of a 1024x700 screen: short labels, no tab behind scroll arrows
        fit_tabs(self, {"Pseudonyms": "Names", "Redactions": "Redacted", "Audit log": "Audit"})
        for tab in (self.consent, self.pseudonyms, self.redactions):
            tab.changed.connect(self.audit.refresh)
        self.pseudonyms.changed.connect(self.redactions.refresh)

    def set_session(self, session_id: str | None) -> None:
        """Follow the session open in the workbench (the Consent tab checks it)."""
        self.consent.set_session(session_id)

    def refresh(self) -> None:
        """Reload every tab from the project."""
        self.consent.refresh()
        self.pseudonyms.refresh()
        self.redactions.refresh()
        self.audit.refresh()

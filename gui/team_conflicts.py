"""The merge conflicts dialog: each open conflict with every version; keep one or edit."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.ask_dialog import AskDialog
from gui.fmt import fmt_when, plural, them
from gui.team_lead import lead_text
from storage import Conflict, Project
from storage.core.errors import FieldScribeError


class ConflictDialog(QDialog):
    """Open merge conflicts, each with every version; keep mine / keep theirs / edit."""

    resolved = Signal(str)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge conflicts")
        self.project = project
        self.list = QListWidget(self)
        self.versions = QTableWidget(0, 3, self)
        self.versions.setHorizontalHeaderLabels(["Who", "When", "Content"])
        header = self.versions.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.versions.setWordWrap(True)
        self.versions.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.versions.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.versions.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.versions.itemSelectionChanged.connect(self._selection_changed)
        self.list.setWordWrap(True)
        self.keep_mine = QPushButton("Keep mine", self)
        self.keep_theirs = QPushButton("Keep theirs", self)
        self.edit = QPushButton("Edit…", self)
        self.keep_mine.clicked.connect(lambda: self._keep(mine=True))
        self.keep_theirs.clicked.connect(lambda: self._keep(mine=False))
        self.edit.clicked.connect(self._edit)
        self.list.currentRowChanged.connect(self._show)
        buttons = QHBoxLayout()
        for button in (self.keep_mine, self.keep_theirs, self.edit):
            buttons.addWidget(button)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.versions)
        right_layout.addLayout(buttons)
        splitter = QSplitter(self)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setSizes([300, 600])
        hint = QLabel(
            "Each conflict is a row two coders changed differently. Pick the version to keep "
            "(select its row, then the Keep button that names it), or write the text yourself.",
            self,
        )
        hint.setWordWrap(True)
        #: how many conflicts are open ("No open merge conflicts…" when none: else an empty
        #: list and greyed-out buttons said nothing)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        #: who leads, and whether this copy's coder resolves ("Lead: lead. You code as alice…")
        self.lead_label = QLabel(self)
        self.lead_label.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.summary)
        layout.addWidget(self.lead_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)
        self.resize(900, 420)
        self.conflicts: list[Conflict] = []
        self.edit_text: str | None = None  # tests set this instead of typing in a dialog
        self.refresh()

    def refresh(self) -> None:
        """Reload the open conflicts."""
        self.conflicts = self.project.team.conflicts()
        self.list.clear()
        for conflict in self.conflicts:
            self.list.addItem(_conflict_label(conflict, self.project))
            losses = _losses(conflict, self.project)
            self.list.item(self.list.count() - 1).setToolTip(
                conflict.describe() + (f"\n{losses}" if losses else "")
            )
        if self.conflicts:
            self.list.setCurrentRow(0)
        else:
            self.versions.setRowCount(0)
        may = self.project.team.may_resolve
        for button in (self.keep_mine, self.keep_theirs, self.edit):
            button.setEnabled(bool(self.conflicts) and may)
        shown = self.current()  # only an edit has text to write (Edit… did nothing on others)
        self.edit.setEnabled(shown is not None and shown.kind == "edit" and may)
        self._selection_changed()
        count = len(self.conflicts)
        self.summary.setText(
            (
                f"<b>{plural(count, 'open conflict')}</b> to resolve."
                if may
                else f"<b>{plural(count, 'open conflict')}</b>, for the lead to resolve."
            )
            if count
            else "<b>No open merge conflicts</b>: every merged change was taken without one "
            "(or each was resolved)."
        )
        self.lead_label.setText(lead_text(self.project))

    def current(self) -> Conflict | None:
        """The selected conflict."""
        row = self.list.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def _show(self, row: int) -> None:
        conflict = self.current()
        if conflict is None:
            return
        self.versions.clearSelection()  # a row selected for the conflict before
        self.versions.setRowCount(len(conflict.versions))
        losses = _losses(conflict, self.project)
        for i, v in enumerate(conflict.versions):
            content = _describe(v.values, self.project)
            if v.deleted:
                content = f"(deleted) {losses}" if losses else "(deleted)"
            when = fmt_when(v.version)  # the stored UTC time, in this computer's zone
            for column, value in enumerate((v.author, when, content)):
                self.versions.setItem(i, column, QTableWidgetItem(value))
        self.versions.resizeRowsToContents()
        self.edit.setEnabled(conflict.kind == "edit" and self.project.team.may_resolve)
        self._name_keep_buttons(conflict)

    def _name_keep_buttons(self, conflict: Conflict) -> None:
        """ "Keep mine" / "Keep theirs" for a coder whose version is among them; for a lead
        who wrote none, what the buttons keep (they read "Keep mine", which kept a coder's
        version the lead never wrote)."""
        if not self._lead_wrote_none(conflict):
            self.keep_mine.setText("Keep mine")
            self.keep_theirs.setText("Keep theirs")
            return
        shown = conflict.versions[self.mine_index(conflict)].author
        self.keep_mine.setText(f"Keep the version shown ({shown})")
        self.keep_theirs.setText("Keep the selected version")
        self._selection_changed()

    def mine_index(self, conflict: Conflict) -> int:
        """The version of the current coder, else the one the project shows now."""
        for i, v in enumerate(conflict.versions):
            if v.author == self.project.coder:
                return i
        for i, v in enumerate(conflict.versions):
            if not v.deleted and conflict.current is not None and v.values == conflict.current:
                return i
        return 0

    def _keep(self, *, mine: bool) -> None:
        conflict = self.current()
        if conflict is None:
            return
        index = self.mine_index(conflict)
        selected = self.versions.currentRow() if self.versions.selectedItems() else -1
        if not mine and self._lead_wrote_none(conflict):
            # "Keep the selected version" keeps the row selected, whichever it is (the shown
            # one selected kept another coder's version); nothing selected, nothing kept
            if not 0 <= selected < len(conflict.versions):
                return
            index = selected
        elif not mine:
            others = [i for i in range(len(conflict.versions)) if i != index]
            index = selected if selected in others else others[0]
        self._resolve(conflict, keep=index)

    def _lead_wrote_none(self, conflict: Conflict) -> bool:
        return not any(v.author == self.project.coder for v in conflict.versions)

    def _selection_changed(self) -> None:
        """ "Keep the selected version" is pressable once a version is selected."""
        conflict = self.current()
        if conflict is not None and self._lead_wrote_none(conflict):
            picked = bool(self.versions.selectedItems())
            self.keep_theirs.setEnabled(picked and self.project.team.may_resolve)

    def _edit(self) -> None:
        conflict = self.current()
        if conflict is None or conflict.kind != "edit":
            return
        field = "text" if "text" in (conflict.current or {}) else None
        if field is None:
            field = next(iter(conflict.current or {"name": ""}))
        start = str((conflict.current or {}).get(field) or "")
        text = self.edit_text
        if text is None:
            text, ok = AskDialog.ask(self, "Edit", f"New {field}:", start, multiline=True)
            if not ok:
                return
        self._resolve(conflict, values={field: text})

    def _resolve(self, conflict: Conflict, **how: Any) -> None:
        try:
            self.project.team.resolve_conflict(conflict.id, **how)
        except FieldScribeError as exc:
            QMessageBox.warning(self, "Cannot resolve", str(exc))
            return
        self.resolved.emit(conflict.id)
        self.refresh()


def _conflict_label(conflict: Conflict, project: Project) -> str:
    """ "Segment edited differently (alice, bob)" (``Conflict.headline``, as ``fieldscribe
    conflicts`` says it) and what the row holds now."""
    using = project.team.codings_using(conflict) if conflict.kind == "delete" else {}
    now = _describe(conflict.current, project) if conflict.current else ""
    return conflict.headline(using) + (f"\n{now[:80]}" if now else "")


def _losses(conflict: Conflict, project: Project) -> str:
    """What keeping the deletion of a code or segment deletes: other coders' work."""
    using = project.team.codings_using(conflict) if conflict.kind == "delete" else {}
    if not using:
        return ""
    each = ", ".join(f"{plural(n, 'coding')} of {coder}" for coder, n in using.items())
    return (
        f"Keeping the deletion deletes {each}; keeping the row keeps {them(sum(using.values()))}."
    )


def _describe(values: dict[str, Any], project: Project) -> str:
    """A version of a row as a researcher reads it: a coding by its code, coder and words (not
    its ids), other rows by their text, name or title, else every field that is not an id."""
    if "code_id" in values and "segment_id" in values:
        return _describe_coding(values, project)
    keys: list[str] = [k for k in ("speaker", "text", "name", "title", "label") if k in values]
    if not keys:
        keys = [k for k, v in values.items() if k != "id" and not k.endswith("_id") and v]
    # a segment without a speaker read "speaker: None" (Python's word for nothing)
    return "  ".join(f"{k}: {'(none)' if values[k] is None else values[k]}" for k in keys)


def _describe_coding(values: dict[str, Any], project: Project) -> str:
    try:
        code = project.codebook.get_code(str(values["code_id"])).path
    except FieldScribeError:
        code = "(a code no longer here)"
    try:
        text = project.transcript.get_segment(str(values["segment_id"])).text
    except FieldScribeError:
        text = ""
    start, end = values.get("start_cp"), values.get("end_cp")
    words = text[start:end] if start is not None and end is not None else text
    shown = words if len(words) <= 80 else words[:79] + "…"
    parts = [f"code: {code}", f"coder: {values.get('coder') or '?'}"]
    parts.append(f"words: “{shown}”" if start is not None else f"whole segment: “{shown}”")
    if values.get("memo"):
        parts.append(f"memo: {values['memo']}")
    return "  ".join(parts)

"""File ▸ Deleted sessions…: the sessions deleted in this project, each with Restore
(``Sessions.restore_session``: transcript, codings, memos, speakers and audio come back); the
Undo button the status bar offers for a while after a deletion; and the deletion as a command
of the window's undo stack (``DeleteSessionCommand``: Edit ▸ Undo restores the session, Redo
deletes it again). Its outcome names the session deleted or restored, and
``gui.session_edits.SessionEdits`` makes the sessions list and what is shown follow. Edits of
the session's transcript that were on the stack before the deletion can still be undone after
Undo restored it: its rows come back with their own ids.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.select_row import select_row
from gui.undo import EditContext, Outcome, ProjectCommand
from storage import Project
from storage.core.ids import local_minute
from storage.sessions.deleted import DeletedSession

#: how long the status bar offers Undo after a session is deleted
UNDO_OFFER_MS = 30_000
_COLUMNS = ("Session", "Deleted", "By", "Segments", "Codings", "Memos")


class DeletedSessionsDialog(QDialog):
    """The deleted sessions, the latest first; Restore asks for the selected one
    (``restore_requested``) and the caller restores it in the background."""

    restore_requested = Signal(str)
    forget_requested = Signal(str)

    def __init__(self, parent: QWidget | None, deleted: list[DeletedSession]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Deleted sessions")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        self.intro = QLabel(
            "Restore brings a deleted session back with its transcript, codings, memos, "
            "speakers and audio. Codings of codes deleted since stay out."
        )
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(_COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self._restore())
        layout.addWidget(self.table)
        self.empty = QLabel("No deleted sessions to restore.")
        layout.addWidget(self.empty)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.restore_button = QPushButton("Restore", self)
        self.restore_button.setDefault(True)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self._restore)
        self.forget_button = QPushButton("Delete for good…", self)
        self.forget_button.setToolTip(
            "Drop the kept copy (a participant withdrew): it can no longer be restored"
        )
        buttons.addButton(self.forget_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.forget_button.clicked.connect(self._forget)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 320)
        self.set_sessions(deleted)

    def set_sessions(self, deleted: list[DeletedSession]) -> None:
        """Show these deleted sessions (the latest first)."""
        self.sessions = list(deleted)
        self.table.setRowCount(len(deleted))
        for row, d in enumerate(deleted):
            cells = (
                d.title,
                local_minute(d.deleted_at),
                d.deleted_by,
                str(d.counts.get("segments", 0)),
                str(d.counts.get("codings", 0)),
                str(d.counts.get("memos", 0)),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        self.table.setVisible(bool(deleted))
        self.empty.setVisible(not deleted)
        self.restore_button.setEnabled(bool(deleted))
        self.forget_button.setEnabled(bool(deleted))
        if deleted:
            select_row(self.table, 0)

    def selected(self) -> DeletedSession | None:
        """The deleted session selected in the table."""
        rows = self.table.selectionModel().selectedRows()
        return self.sessions[rows[0].row()] if rows else None

    def _restore(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.restore_button.setEnabled(False)  # one restore at a time
            self.restore_requested.emit(chosen.session_id)

    def _forget(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.forget_requested.emit(chosen.session_id)


class UndoDeleteOffer:
    """The status bar's "Undo" button after a deletion: restores the session just deleted,
    for ``UNDO_OFFER_MS`` (File ▸ Deleted sessions… restores it later)."""

    def __init__(self, parent: QWidget, restore: Callable[[str], None]) -> None:
        self.button = QPushButton("Undo delete", parent)
        self.button.setToolTip("Bring the deleted session back (File ▸ Deleted sessions…)")
        self.button.hide()
        self._restore = restore
        self._session_id: str | None = None
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.withdraw)
        self.button.clicked.connect(self._clicked)

    def offer(self, session_id: str) -> None:
        """Offer to undo the deletion of ``session_id``."""
        self._session_id = session_id
        self.button.show()
        self._timer.start(UNDO_OFFER_MS)

    def withdraw(self) -> None:
        """Stop offering (restored, timed out, or the project closed)."""
        self._session_id = None
        self._timer.stop()
        self.button.hide()

    def _clicked(self) -> None:
        session_id = self._session_id
        self.withdraw()
        if session_id is not None:
            self._restore(session_id)


class DeleteSessionCommand(ProjectCommand):
    """Delete a session (undo: restore it from its kept copy; redo: delete it again)."""

    #: each commits its rows before it moves the audio (not inside a transaction of ours,
    #: whose failed commit would leave the audio moved and the rows as they were)
    own_transaction = False

    def __init__(self, ctx: EditContext, session_id: str, title: str, *, force: bool) -> None:
        super().__init__(ctx, f"Delete session “{title}”")
        self.session_id, self.force = session_id, force

    def forward(self, project: Project) -> Outcome:
        report = project.sessions.delete_session(self.session_id, force=self.force)
        self.force = True  # a redo deletes what the person agreed to delete, codings included
        return Outcome(deleted_session=(self.session_id, report))

    def backward(self, project: Project) -> Outcome:
        return Outcome(restored_session=project.sessions.restore_session(self.session_id))

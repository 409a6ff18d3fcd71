"""Renaming, deleting and restoring sessions: Rename session… (F2) and Delete session…
(Delete), on the session selected in the list (else the one shown); a deletion is a command of
the undo stack (Edit ▸ Undo restores it), the status bar offers Undo delete for a while, and
File ▸ Deleted sessions… restores any deleted one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox

from gui.app_state import AppState
from gui.ask_dialog import AskDialog
from gui.chrome import WindowChrome
from gui.deleted_sessions import DeletedSessionsDialog, DeleteSessionCommand, UndoDeleteOffer
from gui.fmt import plural
from gui.tasks import TaskRunner
from gui.views import WorkbenchViews
from storage.core.models import DeletionReport, Session
from storage.sessions.deleted import RestoreReport


class SessionEdits:
    """Rename, delete and restore sessions, in the background; ``row_read`` shows a renamed
    session's row, ``deleted`` what is left once one is deleted, ``restored`` a restored one
    (the controller's)."""

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        views: WorkbenchViews,
        *,
        row_read: Callable[[Session], None],
        deleted: Callable[[str], None],
        restored: Callable[[str], None],
    ) -> None:
        self.state = state
        self.chrome = chrome
        self.runner = runner
        self.views = views
        self.row_read = row_read
        self.deleted = deleted
        self.restored = restored
        self.undo_offer = UndoDeleteOffer(chrome.window, self.restore_session)
        chrome.window.statusBar().addPermanentWidget(self.undo_offer.button)
        self.dialog: DeletedSessionsDialog | None = None
        #: the codebook's counts and the margins follow codings deleted or restored with a
        #: session (set by the window: ``ProjectRefresh.codings_changed``)
        self.codings_changed: Callable[[], None] | None = None

    def selected_session(self) -> Session | None:
        """The session selected in the list (else the one shown)."""
        view, model = self.views.sessions_view, self.views.sessions_model
        rows = view.selectionModel().selectedRows() if view.selectionModel() else []
        if rows:
            return model.session(rows[0].row())
        return self.state.session

    def rename_session_dialog(self) -> None:
        """Sessions ▸ Rename session… (F2 in the list)."""
        session = self.selected_session()
        if session is None:  # said, not silently ignored (the list is empty)
            self.chrome.message("No session to rename: import or record one first.", 5000)
            return
        title, ok = AskDialog.ask(
            self.chrome.window, "Rename session", "Session title:", session.title
        )
        if ok and title.strip() and title.strip() != session.title:
            self.rename_session(session.id, title.strip())

    def rename_session(self, session_id: str, title: str) -> None:
        """Give a session a new title (in the background, after pending writes)."""
        project = self.state.project
        if project is None:
            return

        def done(session: Session) -> None:
            self.row_read(session)
            self.chrome.message(f"Session renamed to {session.title}.", 4000)

        self.runner.submit(
            "Rename session",
            lambda _ctx: project.sessions.update_session(session_id, title=title),
            on_done=done,
            on_error=self.chrome.show_error,
            serial=True,
        )

    def delete_session_dialog(self) -> None:
        """Sessions ▸ Delete session… (Delete in the list): asks first when it is coded."""
        session = self.selected_session()
        if session is None:  # said, not silently ignored (the list is empty)
            self.chrome.message("No session to delete.", 5000)
            return
        force = False
        if session.coded_segment_count:
            answer = QMessageBox.question(
                self.chrome.window,
                "Delete session",
                f"“{session.title}” has {plural(session.coded_segment_count, 'coded segment')}."
                " Delete the session with its transcript and codings? File ▸ Deleted "
                "sessions… brings it all back, audio included.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            force = True
        elif session.segment_count:
            # a transcribed session went at one press of Delete (recording walk, 1024x700):
            # asked, and said how to get it back
            answer = QMessageBox.question(
                self.chrome.window,
                "Delete session",
                f"“{session.title}” has a transcript of "
                f"{plural(session.segment_count, 'segment')}. Delete the session with its "
                "transcript? File ▸ Deleted sessions… brings it all back, audio included.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.delete_session(session.id, force=force)

    def delete_session(self, session_id: str, *, force: bool = False) -> None:
        """Delete a session (``force`` when it has codings) as a command of the undo stack
        (Edit ▸ Undo restores it); the list and views follow, and the status bar offers Undo."""
        project = self.state.project
        if project is None:
            return
        ctx = self.state.ctx
        if ctx is not None and ctx.stack is not None and ctx.project is project:
            row = self.views.sessions_model.row_of(session_id)
            title = self.views.sessions_model.session(row).title if row >= 0 else "session"
            ctx.stack.push(DeleteSessionCommand(ctx, session_id, title, force=force))
            return
        self.runner.submit(
            "Delete session",
            lambda _ctx: project.sessions.delete_session(session_id, force=force),
            on_done=lambda report: self.was_deleted(session_id, report),
            on_error=self.chrome.show_error,
            serial=True,
        )

    def was_deleted(self, session_id: str, report: DeletionReport) -> None:
        """A session was deleted (or a restore undone): the list and views follow, and the
        status bar says so and offers Undo."""
        self.deleted(session_id)
        n_seg, n_cod = report.removed.get("segments", 0), report.removed.get("codings", 0)
        self.chrome.message(
            f"{report.target[0].upper()}{report.target[1:]} deleted "
            f"({plural(n_seg, 'segment')}, {plural(n_cod, 'coding')}): Edit ▸ Undo brings it "
            "back (later: File ▸ Deleted sessions…).",
            15000,
        )
        self.undo_offer.offer(session_id)
        self._refresh_dialog()
        if n_cod and self.codings_changed is not None:
            self.codings_changed()  # "Waiting 3" stayed in the codebook with 2 coded left

    # ------------------------------------------------------------------ restoring
    def deleted_sessions_dialog(self) -> DeletedSessionsDialog | None:
        """File ▸ Deleted sessions…: the deleted sessions, each with Restore (not modal)."""
        project = self.state.project
        if project is None:  # said, not silently ignored (the start page's Sessions list)
            self.chrome.message("No project open: open one to see its deleted sessions.", 5000)
            return None
        if self.dialog is not None:
            self.dialog.set_sessions(project.sessions.deleted_sessions())
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = DeletedSessionsDialog(self.chrome.window, project.sessions.deleted_sessions())
        dialog.restore_requested.connect(self.restore_session)
        dialog.forget_requested.connect(self.forget_deleted_session)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.show()
        return dialog

    def restore_session(self, session_id: str) -> None:
        """Bring a deleted session back (in the background, after pending writes): by Edit ▸
        Undo when its deletion is the last command on the undo stack, else from its copy; the
        list shows it and it opens."""
        project = self.state.project
        if project is None:
            return
        self.undo_offer.withdraw()
        ctx = self.state.ctx
        stack = ctx.stack if ctx is not None and ctx.project is project else None
        if stack is not None and stack.index() > 0:
            last = stack.command(stack.index() - 1)
            if isinstance(last, DeleteSessionCommand) and last.session_id == session_id:
                stack.undo()  # so that Redo deletes it again, and the stack stays true
                return

        def failed(exc: BaseException) -> None:
            self.chrome.show_error(exc)
            self._refresh_dialog()

        self.runner.submit(
            "Restore session",
            lambda _ctx: project.sessions.restore_session(session_id),
            on_done=self.was_restored,
            on_error=failed,
            serial=True,
        )

    def was_restored(self, report: RestoreReport) -> None:
        """A session came back (or its deletion was undone): listed, selected and shown."""
        self.undo_offer.withdraw()
        self.restored(report.session_id)
        if report.restored.get("codings") and self.codings_changed is not None:
            self.codings_changed()
        lines = report.describe()
        if len(lines) > 1:
            self.chrome.report("\n".join(lines))  # what stayed out, or a new title
        else:
            self.chrome.message(lines[0], 10000)
        self._refresh_dialog()

    def forget_deleted_session(self, session_id: str) -> None:
        """Deleted sessions ▸ Delete for good…: asks, then drops the kept copy (its text is
        wiped from project.db; the audio stays in media/.deleted/)."""
        project = self.state.project
        if project is None:
            return
        kept = next(
            (d for d in project.sessions.deleted_sessions() if d.session_id == session_id), None
        )
        if kept is None:
            return
        answer = QMessageBox.question(
            self.dialog or self.chrome.window,
            "Delete for good",
            f"Delete “{kept.title}” for good? Its transcript, codings and memos can then no "
            "longer be restored (its audio stays in the project's media/.deleted folder).",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.undo_offer.withdraw()
        ctx = self.state.ctx
        if ctx is not None and ctx.stack is not None:
            # the stack's commands may restore the session: their copy is what goes now
            ctx.stack.clear()

        def done(_gone: object) -> None:
            self.chrome.message(f"“{kept.title}” deleted for good.", 8000)
            self._refresh_dialog()

        self.runner.submit(
            "Delete for good",
            lambda _ctx: project.sessions.forget_deleted_session(session_id),
            on_done=done,
            on_error=self.chrome.show_error,
            serial=True,
        )

    def _refresh_dialog(self) -> None:
        project = self.state.project
        if self.dialog is not None and project is not None:
            self.dialog.set_sessions(project.sessions.deleted_sessions())

    def project_closed(self) -> None:
        """The project closed: no Undo to offer, no deleted sessions of it to show."""
        self.undo_offer.withdraw()
        if self.dialog is not None:
            self.dialog.close()

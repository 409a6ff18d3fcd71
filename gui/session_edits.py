"""Renaming and deleting sessions: Sessions ▸ Rename session… (F2) and Delete session…
(Delete), on the session selected in the list (else the one shown)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox

from gui.app_state import AppState
from gui.ask_dialog import AskDialog
from gui.chrome import WindowChrome
from gui.fmt import plural
from gui.tasks import TaskRunner
from gui.views import WorkbenchViews
from storage.core.models import Session


class SessionEdits:
    """Rename and delete the selected session, in the background; ``row_read`` shows a
    renamed session's row, ``deleted`` what is left once one is deleted (the controller's)."""

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        views: WorkbenchViews,
        *,
        row_read: Callable[[Session], None],
        deleted: Callable[[str], None],
    ) -> None:
        self.state = state
        self.chrome = chrome
        self.runner = runner
        self.views = views
        self.row_read = row_read
        self.deleted = deleted

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
                " Delete the session with its transcript and codings? (Its audio is kept in "
                "the project's media/.deleted folder.)",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            force = True
        elif session.segment_count:
            # a transcribed session went at one press of Delete, its text (maybe corrected by
            # hand) past any undo: only its audio was kept (recording walk, 1024x700)
            answer = QMessageBox.question(
                self.chrome.window,
                "Delete session",
                f"“{session.title}” has a transcript of "
                f"{plural(session.segment_count, 'segment')}. Delete the session with its "
                "transcript? The transcript cannot be brought back (the audio is kept in the "
                "project's media/.deleted folder).",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.delete_session(session.id, force=force)

    def delete_session(self, session_id: str, *, force: bool = False) -> None:
        """Delete a session (``force`` when it has codings); the list and views follow."""
        project = self.state.project
        if project is None:
            return

        def done(_report: object) -> None:
            self.deleted(session_id)
            # how to get it back: "Session deleted." left the kept audio unmentioned
            self.chrome.message(
                "Session deleted; its audio is kept in media/.deleted (File ▸ Import audio… "
                "brings it back, without its transcript).",
                15000,
            )

        self.runner.submit(
            "Delete session",
            lambda _ctx: project.sessions.delete_session(session_id, force=force),
            on_done=done,
            on_error=self.chrome.show_error,
            serial=True,
        )

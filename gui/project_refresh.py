"""The open project changed underneath the workbench (a merge, an import, Ethics rewrote text,
a recording was saved, codings changed from a panel): ``ProjectRefresh`` shows it as it is now."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDockWidget

from gui.app_state import AppState
from gui.chrome import WindowChrome, bring_to_front
from gui.editing import EditingController
from gui.panels import ExtraPanels
from gui.search_panel import SearchPanel
from gui.sessions import SessionsController


class ProjectRefresh:
    """Reads again what a change made outside the undo stack touched."""

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        undo_stack: QUndoStack,
        editing: EditingController,
        sessions: SessionsController,
        extra_panels: ExtraPanels,
        *,
        search_panel: SearchPanel,
        sessions_dock: QDockWidget,
    ) -> None:
        self.state = state
        self.chrome = chrome
        self.undo_stack = undo_stack
        self.editing = editing
        self.sessions = sessions
        self.extra_panels = extra_panels
        self.search_panel = search_panel
        self.sessions_dock = sessions_dock

    def reload_in_place(self) -> None:
        """The open project changed underneath (a merge, an import): show it as it is now.

        The undo history is cleared (its snapshots predate the change); the sessions, codebook,
        codings, the shown transcript and the open team panels are read again.
        """
        if self.state.project is None:
            return
        self.undo_stack.clear()
        self.codings_changed()
        session = self.state.session
        if session is not None:
            self.sessions.refresh_transcript(session.id)
        for dock in self.extra_panels.docks.values():
            refresh = getattr(dock.widget(), "refresh", None)
            if callable(refresh):
                refresh()

    def text_rewritten(self) -> None:
        """Ethics replaced names or destroyed originals: the undo history, which holds the old
        text, is dropped (and says so), and the transcript and the search hits show the text as
        it is now."""
        had_history = self.undo_stack.count() > 0
        self.reload_in_place()
        # the hits listed still showed the real names just replaced (and led to segments that
        # no longer hold them)
        self.search_panel.search_again()
        if had_history:
            self.chrome.message(
                "Undo history cleared: it held text that was just removed for privacy.", 8000
            )

    def recorded(self, session_id: str) -> None:
        """A recording was saved as a session: listed, opened, the Sessions list in front."""
        self.sessions.reload_sessions()
        self.sessions.open_segment_session(session_id)
        # the Record tab stayed in front of the Sessions list after Stop: the session just
        # recorded (selected there) was out of sight; not while a new recording runs
        dock = self.extra_panels.docks.get("record")
        if dock is None or not getattr(dock.widget(), "is_recording", False):
            bring_to_front(self.sessions_dock)

    def codings_changed(self) -> None:
        """Codings changed outside the undo stack: the codebook, margins and counts follow."""
        self.editing.reload_codebook()
        self.editing._reload_codings()
        self.sessions.reload_sessions()

    def refresh_speaker_dock(self) -> None:
        """The Speakers dock, if open, shows the speakers as they are now."""
        panel = self.extra_panels.speaker_panel()
        if panel is not None:
            panel.refresh()

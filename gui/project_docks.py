"""The two docks that hold the open project: the session details form and code retrieval.

``ProjectDocks`` creates them when a project opens and removes them when it closes; the window
connects their signals (``details_changed``, ``play_requested``) to the controllers.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea

from gui.chrome import WindowChrome, bring_to_front
from gui.qtcompat import emit
from gui.retrieval import RetrievalPanel
from gui.session_panel import SessionPanel
from gui.tasks import TaskRunner
from storage import Project


class ProjectDocks(QObject):
    """Session details (tabbed with the sessions list) and Retrieval (tabbed with Search)."""

    details_changed = Signal(str)  # session id: participants, attributes or the title changed
    play_requested = Signal(str, str)  # session id, segment id
    details_requested = Signal(str)  # session id: show its Session details (link speakers)
    results_shown = Signal(object)  # the Retrieval dock: codings were listed in it
    results_gone = Signal(object)  # the Retrieval dock: it lists none (again)

    def __init__(
        self,
        chrome: WindowChrome,
        runner: TaskRunner,
        *,
        sessions_dock: QDockWidget,
        search_dock: QDockWidget,
    ) -> None:
        super().__init__(chrome.window)
        self.chrome = chrome
        self.runner = runner
        self.sessions_dock = sessions_dock
        self.search_dock = search_dock
        self.session_panel: SessionPanel | None = None
        self.session_panel_dock: QDockWidget | None = None
        self.retrieval: RetrievalPanel | None = None
        self.retrieval_dock: QDockWidget | None = None

    def open(self, project: Project) -> None:
        """Create both panels for a project."""
        window = self.chrome.window
        self.session_panel = SessionPanel(project, self.runner, window)
        self.session_panel.changed.connect(lambda sid: emit(self.details_changed, sid))
        self.session_panel.error.connect(self.chrome.show_error)
        self.session_panel.message.connect(lambda text: self.chrome.message(text, 5000))
        scroll = QScrollArea(window)  # on a small screen the form scrolls, never squeezes tables
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.session_panel)
        # its tab reads "Details" beside Sessions: "Sessions | Session details | Record" needs
        # 256 px, and the list has 212 at 1024x700 ("Ses… | Session d… | R…"); the View menu
        # names it whole
        self.session_panel_dock = self.chrome.add_dock(
            scroll,
            "Details",
            Qt.DockWidgetArea.LeftDockWidgetArea,
            tabify_with=self.sessions_dock,
            name="Session details",
        )
        self.retrieval = RetrievalPanel(project, self.runner, window)
        self.retrieval.play_requested.connect(lambda s, g: emit(self.play_requested, s, g))
        self.retrieval.details_requested.connect(lambda s: emit(self.details_requested, s))
        self.retrieval.status.connect(lambda t: self.chrome.message(t, 5000))
        # codings make room for their table; none (filters that match nothing) show no table,
        # and the dock stays its filter and count rows (it grew 88 -> 174 px over a blank)
        self.retrieval.results_shown.connect(
            lambda n: emit(self.results_shown if n else self.results_gone, self.retrieval_dock)
        )
        # its filter row scrolls sideways on its own: the count and Export CSV… stay in sight
        self.retrieval_dock = self.chrome.add_dock(
            self.retrieval,
            "Retrieval",
            Qt.DockWidgetArea.BottomDockWidgetArea,
            tabify_with=self.search_dock,
        )
        # behind the Search tab, its table takes none of the bottom area's height
        self.retrieval_dock.visibilityChanged.connect(self.retrieval.set_in_front)

    def close(self) -> None:
        """Remove both panels (the project closed)."""
        for dock in (self.session_panel_dock, self.retrieval_dock):
            if dock is not None:
                self.chrome.remove_dock(dock)
        self.session_panel_dock = self.retrieval_dock = None
        self.session_panel = self.retrieval = None

    def show_details(self) -> None:
        """Session details in front, the cursor in its speakers table (to link them)."""
        if self.session_panel is None or self.session_panel_dock is None:
            return
        bring_to_front(self.session_panel_dock)
        self.session_panel.speakers.setFocus()

    def retrieve_code(self, code_id: str) -> None:
        """Show the retrieval of a code."""
        if self.retrieval is None or self.retrieval_dock is None:
            return
        bring_to_front(self.retrieval_dock)
        self.retrieval.select_code(code_id)

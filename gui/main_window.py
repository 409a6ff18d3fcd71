"""The workbench window: it lays out the panels and wires their menus to the controllers.

Sessions, transcript with synced audio, codebook, search and retrieval are widgets the window
builds; what they do lives in controllers that share one ``AppState`` (``gui.app_state``):
``ProjectsController`` (``gui.projects``), ``SessionsController`` (``gui.sessions``),
``EditingController`` (``gui.editing``), ``TranscriptionController`` (``gui.transcription``),
``SpeakerStripController`` (``gui.speaker_strip``), ``ProjectRefresh`` (``gui.project_refresh``),
plus the project docks (``gui.project_docks``) and the extra panels (``gui.panels``). Slow work
goes through ``self.runner`` (gui/tasks.py); edits through ``self.undo_stack`` (gui/undo.py).
Other panels plug in with ``chrome.add_dock`` and ``chrome.add_menu_action`` (``gui.chrome``);
the window's own File and View menus are built by ``gui.window_menus``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QShowEvent,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.analysis.launcher import AnalysisLauncher
from gui.app_state import AppState
from gui.chrome import WindowChrome, bring_to_front
from gui.codebook_view import CodebookPanel
from gui.context_menu import context_menu
from gui.editing import EditingController
from gui.exchange import ExchangeActions
from gui.header_label import HeaderLabel
from gui.heap import freeze_long_lived
from gui.layout import PANEL_ROWS, LayoutKeeper, fit_to_screen
from gui.link_actions import passage_link_lines
from gui.missing_audio import MissingAudioActions
from gui.model_warmup import ModelWarmup
from gui.models.segments import SegmentTableModel
from gui.models.sessions import SessionTableModel
from gui.panels import ExtraPanels
from gui.player import Player
from gui.player_bar import PlayerBar
from gui.project_docks import ProjectDocks
from gui.project_refresh import ProjectRefresh
from gui.projects import ProjectsController
from gui.retrieval import RetrievalPanel
from gui.search_panel import SearchPanel
from gui.segment_editor import SegmentEditor
from gui.session_panel import SessionPanel
from gui.sessions import SessionsController, session_redactions
from gui.sessions_view import SessionsView
from gui.settings import Settings
from gui.speaker_strip import SpeakerStripController
from gui.speaker_timeline import SpeakerTimeline
from gui.start_page import StartPage
from gui.tasks import TaskRunner
from gui.team_actions import TeamActions
from gui.transcript_view import TranscriptView
from gui.transcription import TranscriptionController
from gui.undo import EditContext
from gui.unsaved_text import UnsavedTextBar, UnsavedTextKeeper
from gui.views import WorkbenchViews
from gui.waveform import WaveformStrip
from gui.window_menus import build_help_menu, build_menus, enable_project_menus
from storage import Project
from storage.core.models import Session

Transcriber = Callable[..., Any]


class MainWindow(QMainWindow):
    """FieldScribe's main window: the start page or the workbench, with its docks and menus."""

    refresh: ProjectRefresh  # made once the panels it reads again exist

    def __init__(
        self,
        project: Project | None = None,
        *,
        transcriber: Transcriber | None = None,
        settings: QSettings | None = None,
        warm_models: bool = False,
    ) -> None:
        """``warm_models``: load each opened project's model on a worker before any click
        (the app does; tests that do not measure it leave their workers free)."""
        super().__init__()
        self.setWindowTitle("FieldScribe")
        self.resize(1280, 800)
        fit_to_screen(self)  # a laptop screen may be smaller
        self.setAcceptDrops(True)
        self.settings = Settings(settings)
        self.state = AppState(self)
        self.chrome = WindowChrome(self)
        self.runner = TaskRunner(self)
        self.runner.task_failed.connect(lambda _h, exc: self.chrome.show_error(exc))
        self.undo_stack = QUndoStack(self)
        self.player = Player(self)
        self.player.error.connect(lambda text: self.chrome.message(text, 5000))

        self._build_central()
        self._build_docks()
        self.views = WorkbenchViews(
            player=self.player,
            waveform=self.waveform,
            speaker_strip=self.speaker_strip,
            segment_model=self.segment_model,
            transcript=self.transcript,
            segment_editor=self.segment_editor,
            transcript_label=self.transcript_label,
            sessions_model=self.sessions_model,
            sessions_view=self.sessions_view,
            codebook=self.codebook,
            search_panel=self.search_panel,
        )
        state, chrome, runner, views = self.state, self.chrome, self.runner, self.views
        self.docks = ProjectDocks(
            chrome, runner, sessions_dock=self.sessions_dock, search_dock=self.search_dock
        )
        self.strip = SpeakerStripController(
            state,
            runner,
            chrome,
            self.speaker_strip,
            self.waveform,
            self.player,
            other_timelines=self._dock_timelines,
        )
        self.sessions = SessionsController(state, chrome, runner, views, self.docks, self.strip)
        self.editing = EditingController(
            state,
            chrome,
            runner,
            self.undo_stack,
            self.settings,
            views,
            self.docks,
            self.sessions,
            self.strip,
            speaker_panel=lambda: self.extra_panels.speaker_panel(),
        )
        self.transcription = TranscriptionController(
            state, chrome, runner, self.settings, views, self.sessions, transcriber=transcriber
        )
        self.projects = ProjectsController(
            state,
            chrome,
            runner,
            self.undo_stack,
            self.settings,
            views,
            self.docks,
            self.sessions,
            self.editing,
            self.transcription,
            self.start_page,
            show_workbench=self._show_workbench,
            show_start=self._show_start,
        )
        # keeps what is typed into a segment until it is saved; offers it back after a crash
        self.unsaved_text = UnsavedTextKeeper(
            state, chrome, runner, views, self.sessions, self.unsaved_bar
        )
        self.docks.details_changed.connect(lambda _sid: self.sessions.reload_sessions())
        # participants and attributes feed the retrieval filters (read with the codebook)
        self.docks.details_changed.connect(lambda _sid: self.editing.reload_codebook())
        # the codes' counts: a transcription may bring codings (the demo's examples)
        self.transcription.transcribed.connect(lambda _sid: self.editing.reload_codebook())
        self.docks.play_requested.connect(lambda s, g: self.sessions.open_segment(s, g, play=True))
        # the consent question's Link speakers…: that session's Session details, its speakers
        state.details_requested.connect(self._show_details)
        self.docks.details_requested.connect(self._show_details)

        self.missing_audio = MissingAudioActions(state, chrome, runner, self.sessions)
        self.team_actions = TeamActions(
            state,
            chrome,
            runner,
            coder=lambda: self.settings.coder,
            set_project=self.projects.set_project,
        )
        self.team_actions.merged.connect(lambda _summaries: self.refresh.reload_in_place())
        self.start_page.from_bundle_requested.connect(self.team_actions.new_from_bundle_dialog)
        self.exchange = ExchangeActions(
            state,
            chrome,
            runner,
            coder=lambda: self.settings.coder,
            set_project=self.projects.set_project,
        )
        self.exchange.imported.connect(lambda: self.refresh.reload_in_place())
        self.exchange.session_made.connect(self._open_made_session)
        self.start_page.qdpx_requested.connect(self.exchange.import_qdpx_dialog)

        build_menus(self)
        self.projects.apply_player_settings()
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        # Cancel for what runs in the background with no dialog of its own (shown while it runs)
        self.cancel_button = self._cancel_button(
            "Cancel transcription", lambda: self.transcription.cancel_transcription(None)
        )
        self.cancel_segment_button = self._cancel_button(
            "Cancel re-transcription", self.transcription.cancel_retranscription
        )
        self.runner.task_started.connect(lambda _h: self._update_busy())
        self.runner.task_began.connect(lambda _h: self._update_busy())
        self.runner.task_finished.connect(lambda _h: self._update_busy())
        self.transcription.running_changed.connect(self._update_busy)

        self.extra_panels = ExtraPanels(state, chrome, runner, self.player)
        #: shows what a merge, an import, Ethics or a panel changed outside the undo stack
        self.refresh = ProjectRefresh(
            state,
            chrome,
            self.undo_stack,
            self.editing,
            self.sessions,
            self.extra_panels,
            search_panel=self.search_panel,
            sessions_dock=self.sessions_dock,
        )
        self.team_actions.build_menu()  # the Team menu exists now, after Ethics
        self.layout_keeper = LayoutKeeper(
            self,
            self.settings.q,
            sessions=self.sessions_dock,
            codebook=self.codebook_dock,
            search=self.search_dock,
            extra_docks=lambda: list(self.extra_panels.docks.values()),
            transcript=self.transcript,
        )
        # results arriving in an empty-looking bottom dock make room for themselves; "Nothing
        # found." is a line, which the dock's minimum makes room for (it took 184 px at 1024x700)
        # and give it back when they go (the dock stayed tall over a blank)
        self.search_panel.results_shown.connect(
            lambda n: (
                self.layout_keeper.make_room(self.search_dock, fit=True)
                if n
                else self.layout_keeper.give_room_back(self.search_dock)
            )
        )
        # Retrieval is its table, read row by row like Agreement: it opens tall enough for
        # PANEL_ROWS codings where the transcript keeps its least rows (at 1024x700 it kept
        # eight transcript rows and showed two codings)
        self.docks.results_shown.connect(
            lambda d: self.layout_keeper.make_room(d, table=True, fit=True, least=PANEL_ROWS)
        )
        self.docks.results_gone.connect(self.layout_keeper.give_room_back)
        self.extra_panels.panel_shown.connect(  # Agreement, Disagreements: read row by row
            lambda d: self.layout_keeper.make_room(d, table=True, fit=True, least=PANEL_ROWS)
        )
        # a panel opened as a tab of the codebook (Ethics, Speakers) is as wide as the codebook
        # is for this window: the two share one width
        self.extra_panels.panel_shown.connect(self.layout_keeper.widen_codebook)
        self._wire_extra_panels()
        # File ▸ Close project (Ctrl+W) or opening another one while recording: asked first
        self.projects.may_close = self.extra_panels.recording_may_close
        # View > Analysis… (gui/analysis/): recomputes after edits
        self.analysis = AnalysisLauncher(
            state, chrome, runner, lambda s, g: self.sessions.open_segment(s, g, play=True)
        )
        self.analysis.follow(
            self.undo_stack.indexChanged,
            self.extra_panels.codings_changed,
            self.extra_panels.speakers_changed,  # detection, and dock edits without undo
            self.docks.details_changed,
        )
        build_help_menu(self)
        # the first transcription does not load the model after the click (gui/model_warmup.py)
        self.warmup = ModelWarmup(self.state, self.runner, real=warm_models and transcriber is None)
        self._show_start()
        # what is alive now lives as long as the app: a full collection no longer walks it on
        # the GUI thread (1 s stalls while transcribing, gui/heap.py)
        freeze_long_lived()
        if project is not None:
            self.projects.set_project(project)

    # ------------------------------------------------------------------ what is open
    @property
    def project(self) -> Project | None:
        """The open project (``state.project``)."""
        return self.state.project

    @property
    def session(self) -> Session | None:
        """The shown session (``state.session``)."""
        return self.state.session

    @property
    def ctx(self) -> EditContext | None:
        """The edit context of the open project (``state.ctx``)."""
        return self.state.ctx

    @property
    def blind(self) -> bool:
        """Whether blind coding is on (``state.blind``)."""
        return self.state.blind

    @property
    def session_panel(self) -> SessionPanel | None:
        """The Session details panel of the open project."""
        return self.docks.session_panel

    @property
    def session_panel_dock(self) -> QDockWidget | None:
        return self.docks.session_panel_dock

    @property
    def retrieval(self) -> RetrievalPanel | None:
        """The Retrieval panel of the open project."""
        return self.docks.retrieval

    @property
    def retrieval_dock(self) -> QDockWidget | None:
        return self.docks.retrieval_dock

    @property
    def last_error(self) -> str:
        """The text of the last error shown."""
        return self.chrome.last_error

    def _show_details(self, session_id: str) -> None:
        """A session's Session details in front (to link its speakers to participants)."""
        self.sessions.open_session(session_id)
        self.docks.show_details()

    # ------------------------------------------------------------------ layout
    def _build_central(self) -> None:
        self.stack = QStackedWidget(self)
        self.start_page = StartPage(self)
        start = QScrollArea(self)  # the start page never sets the workbench's minimum width
        start.setWidgetResizable(True)
        start.setFrameShape(QFrame.Shape.NoFrame)
        start.setWidget(self.start_page)
        self.stack.addWidget(start)

        bench = QWidget(self)
        self.waveform = WaveformStrip(bench)
        # who speaks when, on the waveform's time axis
        self.speaker_strip = SpeakerTimeline.compact(bench)
        self.player_bar = PlayerBar(self.player, bench)
        self.segment_model = SegmentTableModel(self)
        self.transcript = TranscriptView(bench)
        self.transcript.setModel(self.segment_model)
        self.segment_editor = SegmentEditor(bench)
        self.transcript_label = HeaderLabel("", bench)
        splitter = QSplitter(Qt.Orientation.Vertical, bench)
        splitter.addWidget(self.transcript)
        splitter.addWidget(self.segment_editor)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(bench)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.transcript_label)
        # typing a crash left unsaved, offered back (gui/unsaved_text.py)
        self.unsaved_bar = UnsavedTextBar(bench)
        layout.addWidget(self.unsaved_bar)
        audio = QVBoxLayout()
        audio.setSpacing(0)  # the strip hangs under the waveform, same width and margins
        audio.addWidget(self.waveform)
        audio.addWidget(self.speaker_strip)
        layout.addLayout(audio)
        layout.addWidget(self.player_bar)
        layout.addWidget(splitter, 1)
        self.stack.addWidget(bench)
        self.setCentralWidget(self.stack)

    def _build_docks(self) -> None:
        self.sessions_model = SessionTableModel(self)
        # the title has priority, the status elides (its tooltip has it whole), no scrolling
        self.sessions_view = SessionsView(self)
        self.sessions_view.setModel(self.sessions_model)
        context_menu(self.sessions_view)  # its actions, each with its letter
        self.sessions_dock = self.chrome.add_dock(
            self.sessions_view, "Sessions", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.codebook = CodebookPanel(self)
        self.codebook_dock = self.chrome.add_dock(
            self.codebook, "Codebook", Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.search_panel = SearchPanel(self)
        self.search_dock = self.chrome.add_dock(
            self.search_panel, "Search", Qt.DockWidgetArea.BottomDockWidgetArea
        )

    def _wire_extra_panels(self) -> None:
        extra, sessions, refresh = self.extra_panels, self.sessions, self.refresh
        extra.transcribe_requested.connect(self.transcription.start_transcription)
        extra.recorded.connect(refresh.recorded)
        extra.session_edited.connect(sessions.refresh_session_row)
        extra.recording_active.connect(sessions.recording_changed)
        extra.recording_paused.connect(sessions.recording_paused)
        extra.speakers_changed.connect(sessions.speakers_changed)
        # a speaker mapped (or a participant renamed) in Session details: the dock shows it
        self.docks.details_changed.connect(lambda _sid: refresh.refresh_speaker_dock())
        extra.sessions_changed.connect(lambda: sessions.reload_sessions())
        extra.codings_changed.connect(refresh.codings_changed)
        sessions.edits.codings_changed = refresh.codings_changed  # a session deleted, restored
        extra.text_rewritten.connect(refresh.text_rewritten)
        # what the typing kept unsaved says now (Ethics rewrote it; a merge changed a segment)
        extra.text_rewritten.connect(self.unsaved_text.reread)
        extra.rows_rewritten.connect(self.unsaved_text.reread)
        self.team_actions.merged.connect(lambda _summaries: self.unsaved_text.reread())
        self.exchange.imported.connect(self.unsaved_text.reread)
        self.transcription.transcribed.connect(lambda _sid: self.unsaved_text.reread())
        # a kept version of a conflict is the project changed underneath: the transcript shows
        # it (else the next edit saves the other version's text), and undo cannot go behind it
        extra.rows_rewritten.connect(refresh.reload_in_place)
        extra.play_requested.connect(lambda s, g: self.sessions.open_segment(s, g, play=True))
        self.editing.codings_edited = extra.codings_edited
        editor = self.segment_editor
        extra.editor_selection = lambda: (editor.segment, editor.selection_cp(), editor.is_dirty())
        # the shown segment's redactions: from the transcript's, read with it on a worker
        editor.redactions = self.segment_model.redactions_of
        editor.passage_links = self._passage_links
        self.segment_model.redactions_source = self._session_redactions
        # a new redaction is marked in the editor and the table at once (its segment shown again)
        extra.redacted.connect(self.segment_model.reload_redactions)
        # the hits listed say "redacted: [PLACE]" of such words: the hit just redacted did not
        extra.redacted.connect(self.search_panel.search_again)
        extra.redacted.connect(
            lambda: self.editing._current_row_changed(self.transcript.currentIndex().row())
        )
        # a participant added in Session details shows in Ethics (consent) at once
        self.docks.details_changed.connect(lambda _sid: extra.refresh_privacy())

    def _open_made_session(self, session_id: str) -> None:
        """A transcript imported as a new session: list it and show its transcript."""
        self.sessions.reload_sessions()
        self.sessions.open_session(session_id)

    def _session_redactions(self, session_id: str) -> dict[str, list[tuple[int, int, str]]]:
        """A session's redacted spans whose original is still there, by segment id."""
        project = self.state.project
        return session_redactions(project, session_id) if project is not None else {}

    def _passage_links(self, coding_id: str) -> list[str]:
        """A passage's links, for the segment editor's hover."""
        project = self.state.project
        return passage_link_lines(project, coding_id) if project is not None else []

    def _dock_timelines(self) -> list[SpeakerTimeline]:
        """The Speakers dock's timeline, when the dock is open (it follows playback too)."""
        extra = getattr(self, "extra_panels", None)
        panel = extra.speaker_panel() if extra is not None else None
        return [panel.timeline] if panel is not None else []

    # ------------------------------------------------------------------ pages
    def _show_start(self) -> None:
        if hasattr(self, "layout_keeper"):
            self.layout_keeper.hidden()
        self.start_page.set_recent(self.settings.recent())
        self.start_page.show_demo_offer(not self.settings.demo_offered)
        self.stack.setCurrentIndex(0)
        for dock in self.findChildren(QDockWidget):
            dock.hide()
        enable_project_menus(self, False)

    def _show_workbench(self) -> None:
        self.stack.setCurrentIndex(1)
        for dock in self.findChildren(QDockWidget):
            dock.show()
        enable_project_menus(self, True)
        self.layout_keeper.shown()
        self._fit_session_columns()
        bring_to_front(self.sessions_dock)
        bring_to_front(self.search_dock)

    def reset_layout(self) -> None:
        """View ▸ Reset layout: the default docks, places and sizes for this screen."""
        tabbed = [
            (partner, dock)
            for dock, partner in (
                (self.docks.session_panel_dock, self.sessions_dock),
                (self.docks.retrieval_dock, self.search_dock),
            )
            if dock is not None
        ]
        self.layout_keeper.reset(tabbed)
        self._fit_session_columns()

    def _fit_session_columns(self) -> None:
        """On a laptop the sessions list keeps title and status (and duration when it fits);
        kind, date and speakers are in the Session details tab."""
        for column, below in ((2, 1600), (3, 1600), (5, 1600), (4, 1200)):
            self.sessions_view.setColumnHidden(column, self.width() < below)

    def _cancel_button(self, text: str, cancel: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(cancel)
        button.hide()
        self.statusBar().addPermanentWidget(button)
        return button

    def _update_busy(self) -> None:
        self.cancel_button.setVisible(bool(self.transcription.running))
        self.cancel_segment_button.setVisible(bool(self.transcription.retranscribing))
        active = self.runner.active
        waiting = sum(1 for h in active if not h.context.started.is_set())
        if len(active) == 1:
            said = f"{active[0].name}…"
        elif waiting:  # ten recordings imported at once: two run, eight wait their turn
            said = f"{len(active) - waiting} running, {waiting} waiting…"
        else:
            said = f"{len(active)} tasks running…" if active else ""
        self.status_label.setText(said)

    # ------------------------------------------------------------------ window events
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_to_screen(self)  # with its frame, known once shown

    def terminate(self) -> None:
        """SIGTERM (logout, shutdown): close as Quit does, asking nothing; a recording running
        is stopped and saved as a session (gui/terminate.py)."""
        for _ in range(10):  # a question or a form open: nobody is there to answer it
            dialog = QApplication.activeModalWidget()
            if dialog is None or dialog is self:
                break
            dialog.close()
        if self.state.project is not None:
            self.extra_panels.recording_may_close(ask=False)
        self.close()
        QApplication.quit()

    def closeEvent(self, event: QCloseEvent) -> None:
        # closed mid-interview, the recording stopped unsaved (only a crash recovery found it)
        if self.state.project is not None and not self.extra_panels.recording_may_close():
            event.ignore()
            return
        self.layout_keeper.hidden()
        self.projects.close_project()
        self.runner.shutdown()  # no worker left for Qt's pool destructor to wait on
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if len(paths) == 1 and (paths[0] / "project.db").is_file():
            self.projects.open_project(paths[0])  # a project folder dropped on the window opens it
        elif self.state.project is None:
            self.chrome.show_error(
                "Create or open a project first (File ▸ New project… or Open project…), "
                "then drop the audio files on the window to import them."
            )
        else:
            self.transcription.import_files(paths)

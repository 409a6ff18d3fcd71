"""The workbench window: sessions, transcript with synced audio, codebook, search, retrieval.

Slow work goes through ``self.runner`` (gui/tasks.py); edits through ``self.undo_stack``
(gui/undo.py). Other panels plug in with ``add_dock`` and ``add_menu_action``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.codebook_view import CodebookPanel
from gui.editing import EditingMixin
from gui.fmt import plural
from gui.models.segments import PreparedTranscript, SegmentTableModel, prepare_transcript
from gui.models.sessions import KIND_LABELS, SessionTableModel
from gui.player import Player
from gui.player_bar import PlayerBar
from gui.projects import ProjectsMixin
from gui.qtcompat import emit
from gui.retrieval import RetrievalPanel
from gui.search_panel import SearchPanel
from gui.session_panel import SessionPanel
from gui.settings import Settings
from gui.speaker_strip import SpeakerStripMixin
from gui.start_page import StartPage
from gui.tasks import TaskRunner
from gui.transcript_view import SegmentEditor, TranscriptView
from gui.transcription import TranscriptionMixin
from gui.undo import EditContext, Outcome
from gui.waveform import WaveformStrip, compute_peaks
from storage import FieldScribeError, Project
from storage.models import Session

Transcriber = Callable[..., Any]


class MainWindow(ProjectsMixin, EditingMixin, TranscriptionMixin, SpeakerStripMixin, QMainWindow):
    """FieldScribe's main window."""

    project_opened = Signal(object)  # Project
    project_closed = Signal()
    session_changed = Signal(object)  # Session | None

    def __init__(
        self,
        project: Project | None = None,
        *,
        transcriber: Transcriber | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("FieldScribe")
        self.resize(1280, 800)
        self.setAcceptDrops(True)
        self.settings = Settings(settings)
        self.transcriber = transcriber
        self.runner = TaskRunner(self)
        self.runner.task_failed.connect(lambda _h, exc: self.show_error(exc))
        self.project: Project | None = None
        self.session: Session | None = None
        self.undo_stack = QUndoStack(self)
        self.ctx: EditContext | None = None
        self._load_generation = 0
        self._pending_segment: tuple[str, bool] | None = None
        self._menus: dict[str, QMenu] = {}
        self._transcriptions: dict[str, Any] = {}
        self.last_error = ""
        self.blind = False

        self.player = Player(self)
        self._build_central()
        self._build_docks()
        self._build_menus()
        self._wire_player()
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        self.cancel_button = QPushButton("Cancel transcription", self)
        self.cancel_button.clicked.connect(lambda: self.cancel_transcription(None))
        self.cancel_button.hide()
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.runner.task_started.connect(lambda _h: self._update_busy())
        self.runner.task_finished.connect(lambda _h: self._update_busy())
        from gui.panels import ExtraPanels

        self.extra_panels = ExtraPanels(self)
        self._show_start()
        if project is not None:
            self.set_project(project)

    # ------------------------------------------------------------------ layout
    def _build_central(self) -> None:
        self.stack = QStackedWidget(self)
        self.start_page = StartPage(self)
        self.start_page.new_requested.connect(self.new_project_dialog)
        self.start_page.open_requested.connect(self.open_project_dialog)
        self.start_page.demo_requested.connect(self.open_demo)
        self.start_page.recent_requested.connect(lambda f: self.open_project(Path(f)))
        self.stack.addWidget(self.start_page)

        bench = QWidget(self)
        self.waveform = WaveformStrip(bench)
        self._build_speaker_strip(bench)  # who speaks when, on the waveform's time axis
        self.player_bar = PlayerBar(self.player, bench)
        self.segment_model = SegmentTableModel(self)
        self.transcript = TranscriptView(bench)
        self.transcript.setModel(self.segment_model)
        self.segment_editor = SegmentEditor(bench)
        self.transcript_label = QLabel("", bench)
        splitter = QSplitter(Qt.Orientation.Vertical, bench)
        splitter.addWidget(self.transcript)
        splitter.addWidget(self.segment_editor)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(bench)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.transcript_label)
        audio = QVBoxLayout()
        audio.setSpacing(0)  # the strip hangs under the waveform, same width and margins
        audio.addWidget(self.waveform)
        audio.addWidget(self.speaker_strip)
        layout.addLayout(audio)
        layout.addWidget(self.player_bar)
        layout.addWidget(splitter, 1)
        self.stack.addWidget(bench)
        self.setCentralWidget(self.stack)

        self.transcript.current_row_changed.connect(self._current_row_changed)
        self.transcript.play_requested.connect(self.play_row)
        self.transcript.quick_code.connect(self.quick_code)
        self.segment_model.edit_requested.connect(self._edit_requested)
        self.segment_model.codes_dropped.connect(self._codes_dropped)
        self.segment_editor.text_committed.connect(
            lambda sid, old, new: self.edit_text(sid, new, old)
        )
        self.waveform.seek_requested.connect(self.player.play_from)

    def _build_docks(self) -> None:
        self.sessions_model = SessionTableModel(self)
        self.sessions_view = QTableView(self)
        self.sessions_view.setModel(self.sessions_model)
        self.sessions_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.sessions_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.sessions_view.verticalHeader().setVisible(False)
        header = self.sessions_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(0)  # measure the visible rows only (GUI stalls)
        # the title takes what is left, so the status (progress, ETA) is never scrolled away
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        self.sessions_view.setWordWrap(False)
        self.sessions_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.sessions_view.selectionModel().currentRowChanged.connect(
            lambda cur, _p: (
                self.open_session(self.sessions_model.session(cur.row()).id)
                if cur.isValid()
                else None
            )
        )
        self.sessions_dock = self.add_dock(
            self.sessions_view, "Sessions", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.codebook = CodebookPanel(self)
        self.codebook_dock = self.add_dock(
            self.codebook, "Codebook", Qt.DockWidgetArea.RightDockWidgetArea
        )
        self._wire_codebook()
        self.search_panel = SearchPanel(self)
        self.search_panel.search_requested.connect(self.run_search)
        self.search_panel.hit_activated.connect(
            lambda sid, seg: self.open_segment(sid, seg, play=True)
        )
        self.search_dock = self.add_dock(
            self.search_panel, "Search", Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.session_panel_dock: QDockWidget | None = None
        self.retrieval_dock: QDockWidget | None = None
        self.session_panel: SessionPanel | None = None
        self.retrieval: RetrievalPanel | None = None

    def add_dock(
        self,
        widget: QWidget,
        title: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        *,
        tabify_with: QDockWidget | None = None,
    ) -> QDockWidget:
        """Host a panel in a dock (for other modules too: teamwork, recording)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(title.replace(" ", "_"))
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if tabify_with is not None:
            self.tabifyDockWidget(tabify_with, dock)
        if "View" in self._menus:
            self._menus["View"].addAction(dock.toggleViewAction())
        return dock

    def menu(self, title: str) -> QMenu:
        """The top-level menu with this title (created if new)."""
        if title not in self._menus:
            self._menus[title] = self.menuBar().addMenu(title)
        return self._menus[title]

    def add_menu_action(
        self,
        menu: str,
        text: str,
        slot: Callable[[], Any],
        shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        """Add an action to a menu (for other modules too)."""
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.menu(menu).addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        a = self.add_menu_action
        a("&File", "New project…", self.new_project_dialog, QKeySequence.StandardKey.New)
        a("&File", "Open project…", self.open_project_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = self.menu("&File").addMenu("Open recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        a("&File", "Open the demo project", self.open_demo)
        self.menu("&File").addSeparator()
        self.act_import = a("&File", "Import audio…", self.import_dialog, "Ctrl+I")
        self.menu("&File").addSeparator()
        a("&File", "Settings…", self.settings_dialog)
        self.act_close = a("&File", "Close project", self.close_project, "Ctrl+W")
        a("&File", "Quit", self.close, QKeySequence.StandardKey.Quit)
        self._build_edit_menus()
        self._build_transcription_menu()
        self.menu("&View")
        self._menus["View"] = self._menus["&View"]
        for dock in (self.sessions_dock, self.codebook_dock, self.search_dock):
            self._menus["View"].addAction(dock.toggleViewAction())
        self.sessions_view.addAction(self.act_transcribe)
        self.sessions_view.addAction(self.act_cancel_transcription)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for folder in self.settings.recent():
            self.recent_menu.addAction(folder).triggered.connect(
                lambda _c=False, f=folder: self.open_project(Path(f))
            )

    def _wire_player(self) -> None:
        self.player.position_changed.connect(self._position_changed)
        self.player.error.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self._apply_player_settings()

    def _apply_player_settings(self) -> None:
        self.player.skip_ms = int(self.settings.skip_s * 1000)
        self.player.rewind_ms = int(self.settings.rewind_s * 1000)

    # ------------------------------------------------------------------ pages
    def _show_start(self) -> None:
        self.start_page.set_recent(self.settings.recent())
        self.start_page.show_demo_offer(not self.settings.demo_offered)
        self.stack.setCurrentIndex(0)
        for dock in self.findChildren(QDockWidget):
            dock.hide()
        self._enable_project_menus(False)

    def _enable_project_menus(self, enabled: bool) -> None:
        """Menus that need an open project are greyed out on the start page (no silent no-ops)."""
        self.act_import.setEnabled(enabled)
        self.act_close.setEnabled(enabled)
        for title, menu in self._menus.items():
            if title != "&File":
                menu.menuAction().setEnabled(enabled)

    def _show_workbench(self) -> None:
        self.stack.setCurrentIndex(1)
        for dock in self.findChildren(QDockWidget):
            dock.show()
        self._enable_project_menus(True)

    def show_error(self, exc: BaseException | str) -> None:
        """Tell the user, without blocking: status bar and a window-modal message box."""
        text = str(exc)
        expected = isinstance(exc, FieldScribeError | str)
        self.last_error = text
        self.statusBar().showMessage(text, 8000)
        box = QMessageBox(
            QMessageBox.Icon.Warning if expected else QMessageBox.Icon.Critical,
            "FieldScribe" if expected else "FieldScribe: unexpected error",
            text if expected else f"{type(exc).__name__}: {text}",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _update_busy(self) -> None:
        self.cancel_button.setVisible(bool(self._transcriptions))
        names = [h.name for h in self.runner.active]
        self.status_label.setText(
            f"{names[0]}…" if len(names) == 1 else (f"{len(names)} tasks running…" if names else "")
        )

    # ------------------------------------------------------------------ sessions
    def reload_sessions(self, *, select_first: bool = False) -> None:
        """Re-read the sessions list (in the background: counts can be slow on big projects)."""
        if self.project is None:
            return
        project = self.project
        self.runner.submit(
            "Sessions",
            lambda _ctx: project.sessions(),
            on_done=lambda sessions: self._sessions_loaded(sessions, select_first),
            serial=True,
        )

    def _sessions_loaded(self, sessions: list[Session], select_first: bool) -> None:
        current = self.session.id if self.session else None
        self.sessions_model.load(sessions)
        row = self.sessions_model.row_of(current) if current else -1
        if row < 0 and select_first and self.sessions_model.rowCount():
            row = 0
        if row >= 0:
            self.sessions_view.blockSignals(True)
            self.sessions_view.selectRow(row)
            self.sessions_view.blockSignals(False)
            session = self.sessions_model.session(row)
            if current != session.id:
                self.open_session(session.id)
            else:
                self.session = session
                if self.session_panel is not None:
                    self.session_panel.show_session(session)
        if self.retrieval is not None:
            self.retrieval.set_speakers(sorted({sp for s in sessions for sp in s.speakers}))

    def refresh_session_row(self, session_id: str) -> None:
        """Re-read one session's counts (in the background)."""
        if self.project is None:
            return
        project = self.project
        self.runner.submit(
            "Session",
            lambda _ctx: project.get_session(session_id),
            on_done=self.sessions_model.update_session,
            serial=True,
        )

    def open_session(self, session_id: str) -> None:
        """Show a session's transcript (loaded in the background)."""
        if self.project is None:
            return
        if self.session is not None and self.session.id == session_id:
            return
        self.segment_editor.commit()
        project = self.project
        row = self.sessions_model.row_of(session_id)
        session = self.sessions_model.session(row) if row >= 0 else project.get_session(session_id)
        self.session = session
        emit(self.session_changed, session)
        if self.session_panel is not None:
            self.session_panel.show_session(session)
        self._load_generation += 1
        generation = self._load_generation
        self.transcript_label.setText(f"<b>{html.escape(session.title)}</b> — loading transcript…")
        self.player.load(None)
        self.waveform.clear()
        self.clear_speaker_strip()

        def done(result: tuple[PreparedTranscript, list[Any], Path | None] | None) -> None:
            if generation != self._load_generation or result is None:
                return  # the user moved on, or the load was cancelled
            self._session_loaded(session, *result)

        self.runner.submit("Load transcript", _transcript_job(project, session_id), on_done=done)

    def refresh_transcript(self, session_id: str) -> None:
        """Re-read the shown transcript (new segments), keeping the place and the audio."""
        if self.project is None or self.segment_model.session_id != session_id:
            return
        if self.segment_editor.is_dirty() or self._pending_segment is not None:
            return  # never disturb typing; the next refresh will do
        generation = self._load_generation

        def done(result: tuple[PreparedTranscript, list[Any], Path | None] | None) -> None:
            if generation != self._load_generation or self.session is None or result is None:
                return
            self._session_loaded(self.session, *result, refresh=True)

        self.runner.submit(
            "Refresh transcript", _transcript_job(self.project, session_id), on_done=done
        )

    def _session_loaded(
        self,
        session: Session,
        prepared: PreparedTranscript,
        markers: list[Any],
        media: Path | None,
        *,
        refresh: bool = False,
    ) -> None:
        assert self.project is not None
        count = prepared.segment_count
        current = self.transcript.currentIndex().row()
        keep = self.segment_model.segment(current).id if refresh and current >= 0 else None
        scroll = self.transcript.verticalScrollBar().value()
        self.segment_model.load(session.id, prepared, codes=self.codebook.model.codes())
        self._apply_blind_coding()
        self.waveform.set_markers(markers)
        self.refresh_speaker_strip()
        self.transcript_label.setText(
            f"<b>{html.escape(session.title)}</b> — {plural(count, 'segment')}"
            + ("" if media else " — <i>no audio</i>")
        )
        if refresh:
            if keep is not None and self.segment_model.row_of(keep) >= 0:
                self.transcript.go_to_row(self.segment_model.row_of(keep))
            self.transcript.verticalScrollBar().setValue(scroll)
            return
        if media is not None:
            self.player.load(media)
            self.waveform.loading = True
            self.waveform.update()
            duration = session.duration_ms
            self.runner.submit(
                "Waveform",
                lambda ctx: compute_peaks(media, cancel=ctx.cancel),
                on_done=lambda peaks: (
                    self.waveform.set_peaks(peaks, duration)
                    if self.session and self.session.id == session.id
                    else None
                ),
                on_error=lambda exc: self.statusBar().showMessage(f"Waveform: {exc}", 5000),
            )
        if self._pending_segment is not None:
            seg_id, play = self._pending_segment
            self._pending_segment = None
            self.open_segment(session.id, seg_id, play=play)
        elif count:
            self.transcript.go_to_row(0)

    def open_segment(self, session_id: str, segment_id: str, *, play: bool = False) -> None:
        """Jump to a segment (opening its session first) and maybe play it."""
        if self.session is None or self.session.id != session_id:
            self._pending_segment = (segment_id, play)
            row = self.sessions_model.row_of(session_id)
            if row >= 0:
                self.sessions_view.selectRow(row)
            self.open_session(session_id)
            return
        row = self.segment_model.row_of(segment_id)
        if row < 0:
            self._pending_segment = (segment_id, play)  # still loading
            return
        self.transcript.go_to_row(row)
        if play:
            self.play_row(row)

    # ------------------------------------------------------------------ playback sync
    def play_row(self, row: int) -> None:
        """Play from a segment's start."""
        if 0 <= row < self.segment_model.rowCount():
            self.player.play_from(self.segment_model.segment(row).start_ms)

    def _position_changed(self, ms: int) -> None:
        self.waveform.set_position(ms)
        row = self.segment_model.row_at_time(ms)
        if row != self.segment_model.playing_row:
            self.segment_model.set_playing_row(row)
            if row >= 0:
                seg = self.segment_model.segment(row)
                self.waveform.set_segment((seg.start_ms, seg.end_ms))
                if (
                    self.player.is_playing()
                    and self.transcript.state() != QTableView.State.EditingState
                ):
                    self.transcript.go_to_row(row, select=False)
        self._speaker_strips_follow(ms)

    def _current_row_changed(self, row: int) -> None:
        if 0 <= row < self.segment_model.rowCount():
            seg = self.segment_model.segment(row)
            self.segment_editor.show_segment(seg, self._codings_with_codes(seg.id))
        else:
            self.segment_editor.show_segment(None, [])

    # ------------------------------------------------------------------ outcomes
    def apply_outcome(self, out: Outcome) -> None:
        """Bring the views up to date after an edit ran."""
        model = self.segment_model
        for seg in out.changed:
            if seg.session_id == model.session_id:
                model.replace_segment(seg, out.codings.get(seg.id))
        for seg in out.inserted:
            if seg.session_id == model.session_id and model.row_of(seg.id) < 0:
                model.insert_segment(seg, out.codings.get(seg.id))
        for seg_id in out.removed:
            model.remove_segment(seg_id)
        touched = {s.id for s in out.changed} | {s.id for s in out.inserted}
        for seg_id, codings in out.codings.items():
            if seg_id not in touched:
                model.set_codings(seg_id, codings)
        if out.codebook_changed:
            self.reload_codebook()
        if out.reload_codings:
            self._reload_codings()
        if out.message:
            self.statusBar().showMessage(out.message, 5000)
        if out.speakers_changed and self.session_panel is not None:
            self.session_panel.show_session(self.session)
        if out.speakers_changed or out.inserted or out.removed:
            # the speaker list and both timeline strips follow the edit (a split or a merge
            # changes the turns of a session whose timeline comes from its segments)
            panel = self.extra_panels.speaker_panel()
            if panel is not None:
                panel.refresh()
            self.refresh_speaker_strip()
        if out.select_segment and model.row_of(out.select_segment) >= 0:
            self.transcript.go_to_row(model.row_of(out.select_segment))
        self._current_row_changed(self.transcript.currentIndex().row())
        if self.session is not None:
            self.refresh_session_row(self.session.id)

    # ------------------------------------------------------------------ search
    def run_search(self, query: str) -> None:
        if self.project is None or not query.strip():
            return
        project = self.project
        self.runner.submit(
            "Search",
            lambda _ctx: project.search(query, limit=500),
            on_done=self.search_panel.show_hits,
            on_error=lambda exc: self.search_panel.show_message(str(exc)),
        )

    # ------------------------------------------------------------------ drag and drop files
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if len(paths) == 1 and (paths[0] / "project.db").is_file():
            self.open_project(paths[0])  # a project folder dropped on the window opens it
        elif self.project is None:
            self.show_error(
                "Create or open a project first (File ▸ New project… or Open project…), "
                "then drop the audio files on the window to import them."
            )
        else:
            self.import_files(paths)

    def import_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import audio",
            "",
            "Audio and video (*.wav *.mp3 *.m4a *.ogg *.opus *.flac "
            "*.aac *.mp4 *.webm *.mkv *.mov *.wma *.aif *.aiff);;All files (*)",
        )
        if files:
            labels = list(KIND_LABELS.values())
            label, ok = QInputDialog.getItem(
                self, "Import audio", "Kind of session:", labels, 0, False
            )
            if ok:
                kind = next(k for k, v in KIND_LABELS.items() if v == label)
                self.import_files([Path(f) for f in files], kind=kind)


def _transcript_job(project: Project, session_id: str) -> Callable[[Any], Any]:
    """The worker side of loading a transcript: rows, codings, markers, media path."""

    def job(ctx: Any) -> tuple[PreparedTranscript, list[Any], Path | None] | None:
        segments = project.transcript_columns(session_id, cancel=ctx.cancel)
        if ctx.cancelled:
            return None  # a part of the transcript: never shown
        coder = project.coder if project.blind_coding else None  # blind coding
        codings = project.coding_columns(session_id, coder=coder)
        prepared = prepare_transcript(segments, codings)
        markers = project.markers(session_id)
        try:
            media: Path | None = project.media_path(session_id)
        except FieldScribeError:
            media = None
        return prepared, markers, media

    return job

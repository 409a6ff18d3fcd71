"""Opening, creating and closing projects (and the demo) in the main window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QFrame, QScrollArea

from gui.qtcompat import emit
from gui.retrieval import RetrievalPanel
from gui.session_panel import SessionPanel
from gui.settings import SettingsDialog
from gui.undo import EditContext
from storage import FieldScribeError, Project

if TYPE_CHECKING:
    from gui.window_base import WindowBase as _Base
else:
    _Base = object


class ProjectsMixin(_Base):
    """File menu: new, open, demo, close, settings."""

    def new_project_dialog(self) -> None:
        folder = QFileDialog.getSaveFileName(
            self, "New FieldScribe project", "", "FieldScribe project (*.fieldscribe)"
        )[0]
        if not folder:
            return
        path = Path(folder)
        if path.suffix != ".fieldscribe":
            path = path.with_name(path.name + ".fieldscribe")
        try:
            self.set_project(Project.create(path, coder=self.settings.coder))
        except FieldScribeError as exc:
            self.show_error(exc)

    def open_project_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a FieldScribe project folder")
        if folder:
            self.open_project(Path(folder))

    def open_project(self, folder: Path) -> bool:
        """Open a project folder (quick: the database opens lazily)."""
        try:
            project = Project.open(folder, coder=self.settings.coder)
        except FieldScribeError as exc:
            self.show_error(exc)
            return False
        self.set_project(project)
        return True

    def open_demo(self) -> None:
        """Open (creating it the first time, in the background) the demo project."""
        from gui.demo import demo_session_id, open_or_create_demo

        self.settings.demo_offered = True
        self.start_page.show_demo_offer(False)
        coder = self.settings.coder
        self.statusBar().showMessage("Preparing the demo project…")

        def done(result: tuple[Project, bool]) -> None:
            project, _created = result
            self.set_project(project)
            sid = demo_session_id(project)
            if sid is not None and project.segment_count(sid) == 0:
                self.start_transcription(sid)

        self.runner.submit("Demo project", lambda _ctx: open_or_create_demo(coder), on_done=done)

    def set_project(self, project: Project) -> None:
        """Show a project (closing the previous one)."""
        self.close_project()
        self.project = project
        self.ctx = EditContext(
            project, self.runner, self.apply_outcome, self.show_error, stack=self.undo_stack
        )
        self.undo_stack.clear()
        self.settings.add_recent(str(project.folder))
        self.setWindowTitle(f"{project.name} — FieldScribe")
        self.session_panel = SessionPanel(project, self.runner, self)
        self.session_panel.changed.connect(lambda _sid: self.reload_sessions())
        # participants and attributes feed the retrieval filters (read with the codebook)
        self.session_panel.changed.connect(lambda _sid: self.reload_codebook())
        self.session_panel.error.connect(self.show_error)
        scroll = QScrollArea(self)  # on a small screen the form scrolls, never squeezes tables
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.session_panel)
        self.session_panel_dock = self.add_dock(
            scroll,
            "Session details",
            Qt.DockWidgetArea.LeftDockWidgetArea,
            tabify_with=self.sessions_dock,
        )
        self.retrieval = RetrievalPanel(project, self.runner, self)
        self.retrieval.play_requested.connect(lambda s, g: self.open_segment(s, g, play=True))
        self.retrieval.status.connect(lambda t: self.statusBar().showMessage(t, 5000))
        self.retrieval_dock = self.add_dock(
            self.retrieval,
            "Retrieval",
            Qt.DockWidgetArea.BottomDockWidgetArea,
            tabify_with=self.search_dock,
        )
        self._show_workbench()
        self.resizeDocks([self.search_dock], [190], Qt.Orientation.Vertical)
        self.resizeDocks(
            [self.sessions_dock, self.codebook_dock],
            [min(max(int(self.width() * 0.36), 460), 560), 260],
            Qt.Orientation.Horizontal,
        )
        self.sessions_dock.raise_()
        self.search_dock.raise_()
        self.reload_codebook()
        self.reload_sessions(select_first=True)
        emit(self.project_opened, project)
        # once the window shows the project: restore recordings a crash left unfinished
        QTimer.singleShot(0, lambda: self._recover_recordings(project))

    def _recover_recordings(self, project: Project) -> None:
        from gui.record_panel import recover_unfinished

        if self.project is not project:
            return  # closed or replaced meanwhile
        try:
            sessions = recover_unfinished(project, self)
        except FieldScribeError as exc:
            self.show_error(exc)
            return
        if sessions and self.project is project:
            self.reload_sessions()

    def close_project(self) -> None:
        """Close the open project (waits for running writes)."""
        if self.project is None:
            return
        self.segment_editor.commit()
        self.runner.cancel_all()
        self.runner.wait(15000)
        self.runner.forget_pending()  # results for the closed project are not shown
        self._transcriptions.clear()
        self._load_generation += 1
        self._pending_segment = None
        self.player.load(None)
        for dock in (self.session_panel_dock, self.retrieval_dock):
            if dock is not None:
                self.removeDockWidget(dock)
                dock.deleteLater()
        self.session_panel_dock = self.retrieval_dock = None
        self.session_panel = self.retrieval = None
        self.segment_model.clear()
        self.segment_editor.show_segment(None, [])
        self.sessions_model.load([])
        self.waveform.clear()
        self.clear_speaker_strip()
        self.undo_stack.clear()
        self.project.close()
        self.project = None
        self.session = None
        self.ctx = None
        self.setWindowTitle("FieldScribe")
        emit(self.project_closed)
        self._show_start()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_project()
        super().closeEvent(event)

    def settings_dialog(self) -> None:
        coder = self.settings.coder
        if SettingsDialog(self.settings, self).exec():
            self._apply_player_settings()
            project = self.project
            if project is not None and self.settings.coder != coder:
                # the new name goes on the next codings at once, not after reopening
                name = self.settings.coder

                def done(_coder: object) -> None:
                    self.statusBar().showMessage(f"You now code as {name}.", 5000)
                    self.reload_codebook()

                self.runner.submit(
                    "Coder",
                    lambda _ctx: project.set_coder(name),
                    on_done=done,
                    on_error=self.show_error,
                    serial=True,
                )

"""What the main window's mixins share, declared once for the type checker.

``MainWindow`` is assembled from mixins (``ProjectsMixin``, ``EditingMixin``,
``TranscriptionMixin``) that use each other's attributes and methods. For mypy each mixin derives
from ``WindowBase``, which declares those names; at run time the mixins derive from ``object``
and ``MainWindow`` (with the other mixins) provides everything, so nothing here ever runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QWidget,
)

if TYPE_CHECKING:
    from gui.codebook_view import CodebookPanel
    from gui.models.segments import SegmentTableModel
    from gui.models.sessions import SessionTableModel
    from gui.panels import ExtraPanels
    from gui.player import Player
    from gui.player_bar import PlayerBar
    from gui.retrieval import RetrievalPanel
    from gui.search_panel import SearchPanel
    from gui.session_panel import SessionPanel
    from gui.settings import Settings
    from gui.speaker_timeline import SpeakerTimeline
    from gui.start_page import StartPage
    from gui.tasks import TaskRunner
    from gui.transcript_view import SegmentEditor, TranscriptView
    from gui.undo import EditContext, Outcome
    from gui.waveform import WaveformStrip
    from storage import Project
    from storage.models import Session


class WindowBase(QMainWindow):
    """The main window's shared state and cross-mixin methods (for type checking only)."""

    project_opened: ClassVar[Signal]
    project_closed: ClassVar[Signal]
    session_changed: ClassVar[Signal]

    settings: Settings
    transcriber: Callable[..., Any] | None
    runner: TaskRunner
    project: Project | None
    session: Session | None
    undo_stack: QUndoStack
    ctx: EditContext | None
    blind: bool
    last_error: str
    _load_generation: int
    _pending_segment: tuple[str, bool] | None
    _menus: dict[str, QMenu]
    _transcriptions: dict[str, Any]

    player: Player
    player_bar: PlayerBar
    stack: QStackedWidget
    start_page: StartPage
    waveform: WaveformStrip
    speaker_strip: SpeakerTimeline
    extra_panels: ExtraPanels
    segment_model: SegmentTableModel
    transcript: TranscriptView
    segment_editor: SegmentEditor
    transcript_label: QLabel
    sessions_model: SessionTableModel
    sessions_view: QTableView
    sessions_dock: QDockWidget
    codebook: CodebookPanel
    codebook_dock: QDockWidget
    search_panel: SearchPanel
    search_dock: QDockWidget
    session_panel: SessionPanel | None
    session_panel_dock: QDockWidget | None
    retrieval: RetrievalPanel | None
    retrieval_dock: QDockWidget | None
    status_label: QLabel
    cancel_button: QPushButton
    act_undo: QAction
    act_redo: QAction
    act_import: QAction
    act_close: QAction
    act_transcribe: QAction
    act_cancel_transcription: QAction

    # defined by MainWindow or by another mixin
    def menu(self, title: str) -> QMenu:
        raise NotImplementedError

    def add_menu_action(
        self,
        menu: str,
        text: str,
        slot: Callable[[], Any],
        shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        raise NotImplementedError

    def add_dock(
        self,
        widget: QWidget,
        title: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        *,
        tabify_with: QDockWidget | None = None,
    ) -> QDockWidget:
        raise NotImplementedError

    def show_error(self, exc: BaseException | str) -> None:
        raise NotImplementedError

    def _show_start(self) -> None:
        raise NotImplementedError

    def _show_workbench(self) -> None:
        raise NotImplementedError

    def _apply_player_settings(self) -> None:
        raise NotImplementedError

    def _update_busy(self) -> None:
        raise NotImplementedError

    def _current_row_changed(self, row: int) -> None:
        raise NotImplementedError

    def refresh_speaker_strip(self) -> None:
        raise NotImplementedError

    def clear_speaker_strip(self) -> None:
        raise NotImplementedError

    def reload_sessions(self, *, select_first: bool = False) -> None:
        raise NotImplementedError

    def open_session(self, session_id: str) -> None:
        raise NotImplementedError

    def refresh_transcript(self, session_id: str) -> None:
        raise NotImplementedError

    def open_segment(self, session_id: str, segment_id: str, *, play: bool = False) -> None:
        raise NotImplementedError

    def play_row(self, row: int) -> None:
        raise NotImplementedError

    def apply_outcome(self, out: Outcome) -> None:
        raise NotImplementedError

    def reload_codebook(self) -> None:
        raise NotImplementedError

    def start_transcription(self, session_id: str | None, *, replace: bool = False) -> Any:
        raise NotImplementedError

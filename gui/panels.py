"""Panels of other modules hosted by the main window: recording and teamwork.

They are created lazily (the first time their menu action is used) and removed when the project
closes, because each holds the open ``Project``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

if TYPE_CHECKING:
    from gui.main_window import MainWindow


class ExtraPanels:
    """Record and Team menus; one dock per panel and project."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.docks: dict[str, QDockWidget] = {}
        a = window.add_menu_action
        a("&Record", "Record a session…", self.show_recorder, "Ctrl+Shift+R")
        a("&Team", "Inter-coder agreement", self.show_agreement)
        a("&Team", "Disagreements", self.show_disagreements)
        a("&Team", "Resolve merge conflicts…", self.show_conflicts)
        self.blind_action = a("&Team", "Blind coding (see only my codings)", self.toggle_blind)
        self.blind_action.setCheckable(True)
        window.project_opened.connect(self._opened)
        window.project_closed.connect(self.close_all)

    def _opened(self, project: Any) -> None:
        self.blind_action.setChecked(project.get_meta("blind_coding") == "1")

    def _dock(self, key: str, title: str, make: Any, area: Qt.DockWidgetArea) -> QWidget | None:
        window = self.window
        if window.project is None:
            return None
        dock = self.docks.get(key)
        if dock is None:
            widget = make(window.project)
            dock = window.add_dock(widget, title, area)
            self.docks[key] = dock
        dock.show()
        dock.raise_()
        return dock.widget()

    def close_all(self) -> None:
        """Remove every panel (the project closed)."""
        for dock in self.docks.values():
            self.window.removeDockWidget(dock)
            dock.deleteLater()
        self.docks.clear()

    # ------------------------------------------------------------------ recording
    def show_recorder(self) -> Any:
        from gui.record_panel import RecordPanel

        panel = self._dock("record", "Record", RecordPanel, Qt.DockWidgetArea.LeftDockWidgetArea)
        if panel is not None and not getattr(panel, "_hosted", False):
            panel._hosted = True  # type: ignore[attr-defined]
            w = self.window
            panel.recording_finished.connect(lambda sid: self._recorded(sid))
            panel.transcribe_requested.connect(lambda sid: w.start_transcription(sid))
            panel.message.connect(lambda text: w.statusBar().showMessage(text, 6000))
        return panel

    def _recorded(self, session_id: str) -> None:
        self.window.reload_sessions()
        self.window.open_segment_session(session_id)

    # ------------------------------------------------------------------ teamwork
    def show_agreement(self) -> Any:
        from gui.teamwork import AgreementWidget

        area = Qt.DockWidgetArea.BottomDockWidgetArea
        return self._dock("agreement", "Agreement", AgreementWidget, area)

    def show_disagreements(self) -> Any:
        from gui.teamwork import DisagreementWidget

        area = Qt.DockWidgetArea.BottomDockWidgetArea
        return self._dock("disagreements", "Disagreements", DisagreementWidget, area)

    def show_conflicts(self) -> Any:
        from gui.teamwork import ConflictDialog

        window = self.window
        if window.project is None:
            return None
        dialog = ConflictDialog(window.project, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(lambda _id: self._changed())
        dialog.open()
        return dialog

    def toggle_blind(self) -> None:
        """Turn blind coding on or off for the project."""
        window = self.window
        if window.project is None:
            return
        project, on = window.project, self.blind_action.isChecked()
        window.runner.submit(
            "Blind coding",
            lambda _ctx: project.set_meta("blind_coding", "1" if on else "0"),
            on_done=lambda _r: self._changed(),
            on_error=window.show_error,
            serial=True,
        )

    def _changed(self) -> None:
        self.window.reload_codebook()
        self.window._reload_codings()
        self.window.reload_sessions()

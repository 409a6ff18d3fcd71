"""The one hook of the Analysis window in the workbench: a View menu action that opens it.

The window is built on first use and kept (non-modal); it closes with the project and follows
edits through the signals given to ``follow`` (the undo stack's index, codings changed...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from gui.analysis.window import AnalysisWindow
from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.tasks import TaskRunner


class AnalysisLauncher(QObject):
    """Adds View > Analysis… and owns the Analysis window of the open project."""

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        play_segment: Callable[[str, str], None],
    ) -> None:
        super().__init__(chrome.window)
        self.state = state
        self.chrome = chrome
        self.runner = runner
        self.play_segment = play_segment
        self.window: AnalysisWindow | None = None
        self.action = chrome.add_menu_action("&View", "Analysis…", self.show, "Ctrl+Shift+A")
        state.project_closed.connect(self._closed)
        state.project_opened.connect(lambda _p: self._reload())

    def follow(self, *signals: Any) -> None:
        """Recompute the shown view after each of these signals (edits)."""
        for signal in signals:
            signal.connect(self._edited)

    def _edited(self, *_args: Any) -> None:
        if self.window is not None:
            self.window.schedule_refresh()

    def show(self) -> AnalysisWindow | None:
        """Open (or raise) the Analysis window of the open project."""
        if self.state.project is None:
            self.chrome.message("Open a project first.", 4000)
            return None
        if self.window is None:
            self.window = AnalysisWindow(
                self.state, self.runner, self.play_segment, self.chrome.window
            )
            self.window.reload()
        self.window.setWindowTitle(f"Analysis — {self.state.project.name}")
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window

    def _reload(self) -> None:
        if self.window is not None and self.window.isVisible():
            self.window.reload()

    def _closed(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None

"""The open project's Whisper model loaded on a worker soon after the project shows, so the
first transcription of an app run does not load it after the click.

Loading a model, faster-whisper reads its tokenizer.json holding the GIL (~0.4 s for base
under load): the window stood still then, right after a user clicked Transcribe. Warmed, the
model is in ``transcribe.model_load``'s cache of loaded models when the transcription asks for
it. Only with the real transcriber (a test's fake, a cluster's, load nothing here) and only a
model already on disk (``transcribe.run_model.warm_model``); the status bar names the task
while it runs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer

from gui.app_state import AppState
from gui.tasks import TaskRunner

#: after the project shows: its sessions and transcript are read first
DELAY_MS = 1500


class ModelWarmup(QObject):
    """Warms the model of each project opened (``AppState.project_opened``)."""

    def __init__(self, state: AppState, runner: TaskRunner, *, real: bool) -> None:
        super().__init__(runner)
        self.state, self.runner, self.real = state, runner, real
        self.warmed: str | None = None  # the model's name, once loaded
        self.handle: Any = None
        state.project_opened.connect(lambda _p: QTimer.singleShot(DELAY_MS, self.warm))

    def warm(self) -> Any:
        """Load the open project's model on a worker (the long lane, where transcriptions run);
        the task handle, or None when there is nothing to load."""
        project = self.state.project
        if not self.real or project is None:
            return None

        def job(_ctx: Any) -> str | None:
            from transcribe.run_model import warm_model

            return warm_model(project)

        def done(name: str | None) -> None:
            self.warmed = name

        # a failure says nothing here: the transcription that needs the model says it
        self.handle = self.runner.submit(
            "Preparing the model", job, on_done=done, on_error=lambda _e: None, long=True
        )
        return self.handle

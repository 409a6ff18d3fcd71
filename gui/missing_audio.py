"""File ▸ Locate missing audio…: recordings a project lacks (a team bundle made without its
audio) found in a folder the user points at (``storage.sessions.missing_audio``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.sessions import SessionsController
from gui.tasks import TaskRunner
from storage.core.words import plural
from storage.sessions.missing_audio import NONE_MISSING, LocatedAudio


def located_text(located: LocatedAudio) -> str:
    """What a search for missing recordings found, said in a few lines
    (``LocatedAudio.lines``, the command line's wording)."""
    return "\n".join(located.lines())


class MissingAudioActions:
    """Asks for a folder and copies in the recordings found there, in the background."""

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        sessions: SessionsController,
    ) -> None:
        self.state, self.chrome, self.runner, self.sessions = state, chrome, runner, sessions

    def locate_dialog(self) -> Any:
        """Say what is missing and ask where to look (nothing asked when nothing is missing)."""
        project = self.state.project
        if project is None:
            return None
        missing = project.missing_audio.missing()
        if not missing:
            self.chrome.message(NONE_MISSING, 5000)
            return None
        prompt = (
            f"Folder holding the {plural(len(missing), 'missing recording')} "
            "(files are copied, never moved)"
        )
        folder = QFileDialog.getExistingDirectory(self.chrome.window, prompt)
        return self.locate([Path(folder)]) if folder else None

    def locate(self, sources: list[Path]) -> Any:
        """Copy the missing recordings found in ``sources`` into the project (background)."""
        project = self.state.project
        if project is None:
            return None
        self.chrome.message("Looking for the missing recordings…")

        def done(located: LocatedAudio) -> None:
            self.chrome.report(located_text(located))
            shown = self.state.session
            if shown is not None and any(m.session_id == shown.id for m, _ in located.found):
                self.sessions.reopen_session(shown.id)  # its player and waveform, now with audio
            else:
                self.sessions.update_transcript_label()

        return self.runner.submit(
            "Locate missing audio",
            lambda ctx: project.missing_audio.locate(sources, cancelled=ctx.cancel.is_set),
            on_done=done,
            on_error=self.chrome.show_error,
        )

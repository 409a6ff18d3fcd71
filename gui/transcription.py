"""Importing audio and transcribing sessions in the background, with progress, ETA and cancel."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox

from gui.fmt import fmt_eta, plural
from gui.models.sessions import LiveStatus

if TYPE_CHECKING:
    from gui.window_base import WindowBase as _Base
else:
    _Base = object


def default_transcriber() -> Callable[..., Any]:
    """The real transcriber (imported lazily: the GUI works without it)."""
    from transcribe.runner import transcribe_session

    return transcribe_session


class TranscriptionMixin(_Base):
    """File > Import audio and the Transcription menu."""

    _last_refresh = 0.0

    def _build_transcription_menu(self) -> None:
        t = "&Transcription"
        self.act_transcribe = self.add_menu_action(
            t, "Transcribe session", lambda: self.start_transcription(None), "Ctrl+R"
        )
        self.act_cancel_transcription = self.add_menu_action(
            t, "Cancel transcription", lambda: self.cancel_transcription(None)
        )

    # ------------------------------------------------------------------ import
    def import_files(self, paths: list[Path], *, kind: str = "interview") -> Any:
        """Import audio files as sessions (in the background; all or nothing)."""
        if self.project is None:
            return None
        project = self.project
        self.statusBar().showMessage(f"Importing {plural(len(paths), 'file')}…")

        def done(sessions: list[Any]) -> None:
            self.statusBar().showMessage(f"Imported {plural(len(sessions), 'session')}.", 5000)
            self.reload_sessions()
            if sessions:
                self.open_segment_session(sessions[0].id)
            if self.settings.transcribe_after_import:
                for s in sessions:
                    self.start_transcription(s.id)

        return self.runner.submit(
            "Import audio",
            lambda _ctx: project.import_audio_files(list(paths), kind=kind),
            on_done=done,
            on_error=self.show_error,
        )

    def open_segment_session(self, session_id: str) -> None:
        row = self.sessions_model.row_of(session_id)
        if row >= 0:
            self.sessions_view.selectRow(row)
        self.open_session(session_id)

    # ------------------------------------------------------------------ transcription
    def start_transcription(self, session_id: str | None, *, replace: bool = False) -> Any:
        """Transcribe a session (the current one by default) in the background."""
        if self.project is None:
            return None
        if session_id is None:
            if self.session is None:
                return None
            session_id = self.session.id
        if session_id in self._transcriptions:
            self.statusBar().showMessage("This session is already being transcribed.", 4000)
            return self._transcriptions[session_id]
        try:
            transcriber = self.transcriber or default_transcriber()
        except ImportError:
            self.show_error("Transcription is not available in this installation.")
            return None
        project = self.project
        sid = session_id
        from gui.panels import confirm_consent

        if not confirm_consent(self, project, [sid], "transcription", "Transcribe"):
            return None

        def job(ctx: Any) -> Any:
            return transcriber(
                project, sid, replace=replace, progress=ctx.progress, cancel=ctx.cancel
            )

        self.sessions_model.set_live(sid, LiveStatus(0.0, None))
        handle = self.runner.submit(
            "Transcribe",
            job,
            on_done=lambda summary: self._transcribed(sid, summary),
            on_error=lambda exc: self._transcription_failed(sid, exc),
            on_progress=lambda p: self._transcription_progress(sid, p),
        )
        self._transcriptions[sid] = handle
        self._update_busy()
        return handle

    def cancel_transcription(self, session_id: str | None) -> None:
        """Stop a running transcription (what was transcribed is kept; it can resume)."""
        sid = session_id or (self.session.id if self.session else None)
        if sid not in self._transcriptions and len(self._transcriptions) == 1:
            sid = next(iter(self._transcriptions))  # the only one running
        handle = self._transcriptions.get(sid) if sid else None
        if handle is not None:
            handle.cancel()
            self.statusBar().showMessage("Cancelling the transcription…", 4000)

    def _transcription_progress(self, sid: str, progress: Any) -> None:
        fraction = float(getattr(progress, "fraction", 0.0))
        eta = getattr(progress, "eta_s", None)
        self.sessions_model.set_live(sid, LiveStatus(fraction, eta))
        if self.session is not None and self.session.id == sid:
            pct = int(fraction * 100)
            rows = self.segment_model.rowCount()
            self.transcript_label.setText(
                f"<b>{html.escape(self.session.title)}</b> — {plural(rows, 'segment')} — "
                f"<i>transcribing {pct} %; the text appears here as it is recognised</i>"
            )
            eta_text = fmt_eta(eta)
            self.statusBar().showMessage(
                f"Transcribing {pct} %" + (f", {eta_text}" if eta_text else "")
            )
            # show new segments as they land, at most every 2 s
            now = time.monotonic()
            rows = self.segment_model.rowCount()
            if getattr(progress, "segments", rows) > rows and now - self._last_refresh > 2.0:
                self._last_refresh = now
                self.refresh_transcript(sid)

    def _transcription_ended(self, sid: str) -> None:
        self._transcriptions.pop(sid, None)
        self.sessions_model.set_live(sid, None)
        self._update_busy()
        if self.session is not None and self.session.id == sid:
            rows = self.segment_model.rowCount()
            title = html.escape(self.session.title)
            self.transcript_label.setText(f"<b>{title}</b> — {plural(rows, 'segment')}")

    def _transcribed(self, sid: str, summary: Any) -> None:
        self._transcription_ended(sid)
        added = getattr(summary, "segments_added", 0)
        if getattr(summary, "cancelled", False):
            self.statusBar().showMessage(
                f"Transcription cancelled; {plural(added, 'segment')} kept. "
                "Transcribe again to resume.",
                8000,
            )
        else:
            self.statusBar().showMessage(f"Transcribed: {plural(added, 'segment')}.", 8000)
        self.reload_sessions()
        if self.session is not None and self.session.id == sid:
            if self.segment_model.session_id == sid:
                self.refresh_transcript(sid)
            else:
                self.session = None  # still loading: load it again
                self.open_session(sid)

    def _transcription_failed(self, sid: str, exc: BaseException) -> None:
        self._transcription_ended(sid)
        self.reload_sessions()
        if type(exc).__name__ == "NeedsReplaceError":
            answer = QMessageBox.question(
                self,
                "Transcribe again?",
                f"{exc}\n\nReplace the existing transcript with a new transcription?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.start_transcription(sid, replace=True)
            return
        self.show_error(exc)

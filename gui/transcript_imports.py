"""File ▸ Import a transcript into this session / as a new session: a transcript made elsewhere
(noScribe, subtitles, a timestamped text, Word, our own exports) put on a session's recording or
made a session of its own; the frame rate of frame times, the clock time a recording began (a
file timed by the time of day, Zoom's saved captions) and the replacing of a session's segments
asked first. Part of the File menu's exchange (``gui.exchange.ExchangeActions``, whose
runner, reports and signals it uses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui.fmt import plural, them
from gui.import_questions import ClockStartDialog, FrameRateDialog, transcript_refusal
from gui.qtcompat import emit
from storage import Project
from storage.interop.transcript_clock import clock, looks_clock_timed, zoom_name_start
from storage.interop.transcript_import import (
    TOLERANCE_MS,
    first_time_ms,
    frame_time_count,
    media_of,
)


def _look(path: Path) -> tuple[int, int | None]:
    """What is asked before the import: the file's frame times and its first time."""
    return frame_time_count(path), first_time_ms(path)


#: a question's answer: (asked through, the answer); (False, None): the user stopped
Asked = tuple[bool, str | None]

#: the transcripts File ▸ Import a transcript… opens (into a session, or as a new one)
TRANSCRIPT_OPEN_FILTER = (
    "Transcripts (*.srt *.vtt *.sbv *.html *.htm *.txt *.docx *.otr *.json *.csv);;All files (*)"
)


class TranscriptImports:
    """The File menu's transcript imports, run through ``actions`` (``gui.exchange``'s
    ExchangeActions: its progress, reports and signals; not imported here, which would make a
    cycle)."""

    def __init__(self, actions: Any) -> None:
        self.actions = actions

    def import_transcript_dialog(self) -> None:
        """Put a transcript made elsewhere (noScribe, subtitles, a timestamped text) on the
        open session's audio; asks before replacing the segments it has."""
        project, session = self.actions.state.project, self.actions.state.session
        if project is None or session is None:
            self.actions.chrome.message(
                "Select a session first: the transcript is put on its recording.", 6000
            )
            return
        coded = project.sessions.get_session(session.id).coded_segment_count
        if coded:  # said now, not after a file was chosen and the replacing agreed to
            self.actions.chrome.show_error(
                f"“{session.title}” has {plural(coded, 'coded segment')}: importing a transcript "
                "would replace them and delete their codings. Remove the codings first (or "
                "import into a new session); nothing was imported."
            )
            return
        path = self._transcript_file(f"Import a transcript into “{session.title}”")
        if path is None:
            return

        def ask(looked: tuple[int, int | None]) -> None:
            if self.actions.state.project is not project or self.actions.state.session is None:
                return  # closed or switched meanwhile
            if self.actions.state.session.id != session.id:
                return
            self._ask_and_import_transcript(project, session.id, session.title, path, looked)

        self.actions.look_first(f"Reading {path.name}", lambda: _look(path), ask)

    def import_transcript_session_dialog(self) -> None:
        """A transcript made elsewhere as a new session of its own, without audio: text is
        enough to code (Import a transcript into this session needs a session, and a session
        came only from a recording)."""
        project = self.actions.state.project
        if project is None:
            return
        path = self._transcript_file("Import a transcript as a new session")
        if path is None:
            return

        def ask(looked: tuple[int, int | None]) -> None:
            if self.actions.state.project is not project:
                return  # closed meanwhile
            frames, first = looked
            asked, fps = self._frame_rate(path, frames)
            if not asked:
                return
            asked, starts_at = self._starts_at(path, first, 0, [])
            if asked:
                self.import_transcript_session(path, fps=fps, starts_at=starts_at)

        self.actions.look_first(f"Reading {path.name}", lambda: _look(path), ask)

    def _transcript_file(self, title: str) -> Path | None:
        """The transcript file the user picks (``TRANSCRIPT_OPEN_FILTER``); None on Cancel."""
        name, _ = QFileDialog.getOpenFileName(
            self.actions.parent_widget, title, "", TRANSCRIPT_OPEN_FILTER
        )
        return Path(name) if name else None

    def import_transcript_session(
        self, path: Path, *, fps: str | None = None, starts_at: str | None = None
    ) -> Any:
        """Make a new session (no audio) of the transcript file ``path`` (``starts_at``: the
        clock time its recording began, for a file timed by the time of day)."""
        from storage.interop.transcript_import import import_transcript_as_session

        project = self.actions.state.project
        assert project is not None

        def done(made: Any) -> str:
            session_id, result = made
            emit(self.actions.imported)
            emit(self.actions.session_made, session_id)
            title = project.sessions.get_session(session_id).title  # as the file may name it
            return self._imported(
                f"New session “{title}” (no audio): {plural(result.segments, 'segment')} "
                f"from {path.name}",
                result,
            )

        return self.actions._run(
            "Import a transcript",
            lambda _ctx: import_transcript_as_session(project, path, fps=fps, starts_at=starts_at),
            done,
            writes=True,
            words=transcript_refusal,
        )

    def _frame_rate(self, path: Path, frames: int) -> tuple[bool, str | None]:
        """The rate of a file's ``frames`` frame times (Premiere's and Transcriptive's
        HH:MM:SS:FF: the CLI's --fps), asked when it has any: (False, None) when the user
        stops, else (True, the rate or None)."""
        if not frames:
            return True, None
        rates = FrameRateDialog(path.name, frames, self.actions.parent_widget)
        if not rates.exec():
            return False, None
        return True, rates.fps()

    def _starts_at(self, path: Path, first: int | None, duration: int, names: list[str]) -> Asked:
        """The clock time the recording began (the CLI's --starts-at), asked when the file's
        times look like times of day (``looks_clock_timed``: past the end of a recording of
        ``duration``; an hour or more in, without audio, where the file's times may be kept):
        (False, None) when the user stops, else (True, the time or None). ``names``: the
        recording's file names, whose Zoom start is offered."""
        if first is None or not looks_clock_timed(first, duration, TOLERANCE_MS):
            return True, None
        named = zoom_name_start(names)
        offered = (named.local_clock(), named.said()) if named else None
        dialog = ClockStartDialog(
            path.name, clock(first), offered, keep=not duration, parent=self.actions.parent_widget
        )
        if not dialog.exec():
            return False, None
        return True, dialog.starts_at()

    @staticmethod
    def _imported(head: str, result: Any) -> str:
        """A transcript import's report: ``head``, the speakers found, then its notes."""
        lines = [f"{head} ({result.format}); {result.speakers_said()}"]
        return "\n".join(lines + [f"note: {n}" for n in result.notes])

    def _ask_and_import_transcript(
        self,
        project: Project,
        session_id: str,
        title: str,
        path: Path,
        looked: tuple[int, int | None],
    ) -> None:
        """Ask the frame rate (when the file gives frame times), the clock time the recording
        began (when its times look like times of day) and whether to replace the session's
        segments, then import (``looked``: the frame times and the first time, ``_look``)."""
        frames, first = looked
        asked, fps = self._frame_rate(path, frames)
        if not asked:
            return
        duration = project.sessions.get_session(session_id).duration_ms
        names = [m.original_name for m in media_of(project, session_id)]
        asked, starts_at = self._starts_at(path, first, duration, names)
        if not asked:
            return
        count = project.transcript.segment_count(session_id)
        replace = False
        if count:
            answer = QMessageBox.question(
                self.actions.parent_widget,
                "Replace the transcript?",
                f"“{title}” already has {plural(count, 'segment')}. "
                f"Replace {them(count)} with the transcript in {path.name}?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            replace = True
        self.import_transcript(session_id, path, replace=replace, fps=fps, starts_at=starts_at)

    def import_transcript(
        self,
        session_id: str,
        path: Path,
        *,
        replace: bool = False,
        fps: str | None = None,
        starts_at: str | None = None,
    ) -> Any:
        """Import the transcript file ``path`` into a session (``replace``: its segments;
        ``fps``: the rate of its frame times, when known; ``starts_at``: the clock time its
        recording began, for a file timed by the time of day)."""
        from storage.interop.transcript_import import import_transcript

        project = self.actions.state.project
        assert project is not None

        def done(result: Any) -> str:
            emit(self.actions.imported)
            return self._imported(
                f"Imported {plural(result.segments, 'segment')} from {path.name}", result
            )

        return self.actions._run(
            "Import a transcript",
            lambda _ctx: import_transcript(
                project, session_id, path, replace=replace, fps=fps, starts_at=starts_at
            ),
            done,
            writes=True,
            words=transcript_refusal,
        )

"""Helpers for the GUI tests: a fake transcriber with the real signature, an event-loop meter."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QElapsedTimer, QTimer

from storage import Project, SegmentDraft
from transcribe.runner import NeedsReplaceError, Progress, TranscriptionSummary

FAKE_TEXTS = [
    ("Moderator", "Good morning and thank you for coming."),
    ("P1", "I trust the portal with my personal data."),
    ("P2", "In the villages the internet is slow."),
    ("P1", "The health portal reminder was very helpful."),
]


def make_fake_transcriber(delay_s: float = 0.0) -> Callable[..., TranscriptionSummary]:
    """A transcriber with the real signature that writes FAKE_TEXTS, sleeping between them."""

    def transcribe_session(
        project: Project,
        session_id: str,
        *,
        model: str | None = None,
        language: str | None = None,
        threads: int | None = None,
        replace: bool = False,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        cancel_wait_s: float | None = None,
        hurry: threading.Event | None = None,
        stop: threading.Event | None = None,
    ) -> TranscriptionSummary:
        t0 = time.monotonic()
        if project.transcript.segment_count(session_id):
            if not replace:
                raise NeedsReplaceError("This session already has a transcript.")
            for seg in project.transcript.segments(session_id):
                project.transcript.delete_segment(seg.id, force=True)
        added = 0
        step = 750  # four segments within the ~3 s of the espeak-ng test recording
        total = step * len(FAKE_TEXTS)
        for i, (speaker, text) in enumerate(FAKE_TEXTS):
            if cancel is not None and cancel.is_set():
                break
            time.sleep(delay_s)
            project.transcript.add_segments(
                session_id, [SegmentDraft(i * step, i * step + 700, text, speaker=speaker)]
            )
            added += 1
            if progress is not None:
                done = (i + 1) * step
                progress(Progress(done / total, done, total, time.monotonic() - t0, 1.0, added))
        cancelled = bool(cancel is not None and cancel.is_set())
        return TranscriptionSummary(
            session_id, "fake", "en", added, total, time.monotonic() - t0, 0, cancelled
        )

    return transcribe_session


class Asked:
    """Stands in for QMessageBox.question: records the texts and gives a set answer."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.texts: list[str] = []

    def __call__(self, _parent: Any, _title: str, text: str, *_a: Any, **_k: Any) -> Any:
        self.texts.append(text)
        return self.answer


class StallMeter:
    """A 10 ms timer; records the longest gap between its ticks (an event-loop stall)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.clock = QElapsedTimer()
        self.last = 0
        self.worst = 0
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def stop(self) -> int:
        self.timer.stop()
        return self.worst


def import_and_transcribe(
    window: Any, qtbot: Any, idle: Any, wav: Any, *, open_session: bool = False
) -> str:
    """Import the four-sentence recording into the open project and transcribe it (fake);
    ``open_session``: open it in the workbench first. Returns the session's id."""
    window.transcription.import_files([wav])
    idle(window)
    sid: str = window.project.sessions.all()[0].id
    if open_session:
        window.sessions.open_segment_session(sid)
        idle(window)
    window.transcription.start_transcription(sid)
    idle(window)
    # the fake transcriber is quick, but a loaded CI machine once took over 5 s (the default)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 4, timeout=30_000)
    return sid


def code_and_retrieve(window: Any, idle: Callable[..., None], name: str, row: int) -> Any:
    """Make a code ``name``, code the transcript's row ``row`` with it and retrieve it in the
    Retrieval dock, as a coder does; return the code."""
    window.editing.add_code(name)
    idle(window)
    code = window.project.codebook.find_code(name)
    window.transcript.go_to_row(row)
    window.editing.apply_code(code.id)
    idle(window)
    window.docks.retrieve_code(code.id)
    idle(window)
    return code

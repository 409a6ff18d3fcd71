"""The shown transcript is read in the background; reads must land in the order they were
asked for. A re-read of the open session that started before the last words were written and
finished after a later re-read left the workbench showing the older transcript (the fake
transcription's four rows "never came": stop 37's CI failure)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import gui.sessions as sessions_module
from storage import Project, SegmentDraft


def _opened(window: Any, idle: Any, texts: list[str]) -> str:
    """A session with a segment for each of ``texts``, open in the workbench."""
    project: Project = window.project
    session = project.sessions.add_session("Reads")
    project.transcript.add_segments(
        session.id, [SegmentDraft(i * 1000, i * 1000 + 900, t) for i, t in enumerate(texts)]
    )
    window.sessions.reload_sessions()
    idle(window)
    window.sessions.open_segment_session(session.id)
    idle(window)
    return session.id


class HeldReads:
    """Wraps the transcript read: the reads asked for while ``hold`` is set read the database
    at once but give their result back only when ``release`` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = sessions_module._transcript_job
        self.hold = False
        self.release = threading.Event()
        self.reads = 0
        self.fail_next = False
        monkeypatch.setattr(sessions_module, "_transcript_job", self._job)

    def _job(self, project: Project, session_id: str) -> Any:
        real = self.real(project, session_id)
        held, fail = self.hold, self.fail_next
        self.fail_next = False

        def job(ctx: Any) -> Any:
            self.reads += 1
            if fail:
                raise OSError("the disk went away")
            result = real(ctx)
            if held:
                self.release.wait(20)
            return result

        return job


def test_an_older_read_that_lands_late_does_not_replace_a_newer_transcript(
    window: Any, qtbot: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    sid = _opened(window, idle, ["one"])
    assert window.segment_model.rowCount() == 1
    reads = HeldReads(monkeypatch)

    reads.hold = True
    window.sessions.refresh_transcript(sid)  # reads one row, then waits
    qtbot.waitUntil(lambda: reads.reads == 1, timeout=10_000)
    reads.hold = False
    project.transcript.add_segments(
        sid, [SegmentDraft(5000 + i * 1000, 5900 + i * 1000, f"more {i}") for i in range(3)]
    )
    window.sessions.refresh_transcript(sid)  # asked later: four rows
    # a newer read that ran at once shows four rows now (or, in order, after the older one)
    qtbot.wait(500)
    reads.release.set()
    idle(window)
    assert window.segment_model.rowCount() == 4
    assert [window.segment_model.segment(r).text for r in range(4)][-1] == "more 2"


def test_a_read_that_fails_does_not_stop_later_reads(
    window: Any, qtbot: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    sid = _opened(window, idle, ["one"])
    shown: list[str] = []
    monkeypatch.setattr(window.chrome, "show_error", lambda exc: shown.append(str(exc)))
    reads = HeldReads(monkeypatch)

    reads.fail_next = True
    window.sessions.refresh_transcript(sid)
    idle(window)
    assert shown == ["the disk went away"]  # the user is told
    project.transcript.add_segments(sid, [SegmentDraft(5000, 5900, "two")])
    window.sessions.refresh_transcript(sid)
    idle(window)
    assert window.segment_model.rowCount() == 2


def test_moving_through_rows_reads_redactions_with_the_transcript_not_on_the_gui_thread(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each row selected read its redactions from the project on the GUI thread: a small
    query, but it waited behind the workers' long reads (0.4 s after a merge into a
    focus-group series). They are read with the transcript, on the worker, and the editor
    still strikes out the redacted words."""
    from storage.privacy.redaction import Redactions

    project: Project = window.project
    session = project.sessions.add_session("Reads")
    segs = project.transcript.add_segments(
        session.id, [SegmentDraft(i * 1000, i * 1000 + 900, f"Марат сказал {i}") for i in range(4)]
    )
    project.redactions.redact(segs[2].id, 0, 5, "NAME")
    on_gui: list[str] = []
    real = Redactions.all

    def recorded(self: Any, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is threading.main_thread():
            on_gui.append(str(kwargs))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Redactions, "all", recorded)
    window.sessions.reload_sessions()
    idle(window)
    window.sessions.open_segment_session(session.id)
    idle(window)
    for row in range(4):
        window.transcript.go_to_row(row)
        window.transcript.viewport().repaint()
    window.transcript.go_to_row(2)
    struck = [s for s in window.segment_editor.extraSelections() if s.format.fontStrikeOut()]
    assert len(struck) == 1 and struck[0].cursor.selectedText() == "Марат"
    assert on_gui == []

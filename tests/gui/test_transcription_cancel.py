"""Cancel in the workbench keeps what is being transcribed, however long its batch takes; a
project that closes meanwhile hurries it (``TaskContext.hurry``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from storage import Project
from tests.slow_engine import LONG_BATCH_S, SlowSecondBatch
from transcribe import runner


def test_cancel_keeps_the_batch_being_decoded_however_long_it_takes(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancel pressed while a batch is decoded: the GUI used to wait at most 10 s
    (``runner.CANCEL_WAIT_S``) and drop a batch needing longer (cancels 10 and 14 s into a run
    on a busy machine wrote nothing); it is now written, the session resumable after it."""
    monkeypatch.setattr(runner, "CANCEL_WAIT_S", 0.3)  # shorter than the batch
    sid = _second_batch_decoding(window, qtbot, idle, speech_wav)
    pressed = time.monotonic()
    window.transcription.cancel_transcription(sid)
    idle(window)
    assert time.monotonic() - pressed >= LONG_BATCH_S - 0.2
    texts = [s.text for s in window.project.transcript.segments(sid)]
    assert texts == ["first batch", "second batch"]
    state = window.project.transcription.transcription_state(sid)
    assert state is not None and state.status == "cancelled" and state.done_ms == 2000
    assert "2 segments kept" in window.statusBar().currentMessage()


def test_closing_hurries_a_job_and_cancel_alone_does_not(qtbot: Any) -> None:
    """``cancel_all`` (a project closing, the app quitting) sets ``hurry`` with ``cancel``;
    the Cancel button (``TaskHandle.cancel``) only ``cancel``."""
    from gui.tasks import TaskRunner

    tasks = TaskRunner()
    seen: list[tuple[bool, bool]] = []

    def job(ctx: Any) -> None:
        ctx.cancel.wait(10)
        time.sleep(0.1)
        seen.append((ctx.cancel.is_set(), ctx.hurry.is_set()))

    first = tasks.submit("one", job)
    first.cancel()
    assert tasks.wait(5000)
    tasks.submit("two", job)
    tasks.cancel_all()
    assert tasks.shutdown(5000)
    assert seen == [(True, False), (True, True)]


def _second_batch_decoding(window: Any, qtbot: Any, idle: Any, speech_wav: Path) -> str:
    """A recording imported, opened and transcribed with ``SlowSecondBatch``: its session's
    id, once its first batch is handed over and the second is being decoded."""
    slow = SlowSecondBatch()

    def transcriber(project: Project, sid: str, **kwargs: Any) -> Any:
        return runner.transcribe_session(
            project, sid, language="en", engine=lambda *_a, **_k: slow, **kwargs
        )

    window.transcription.transcriber = transcriber
    window.transcription.import_files([speech_wav])
    idle(window)
    sid = window.project.sessions.all()[0].id
    window.sessions.open_segment_session(sid)
    idle(window)
    window.transcription.start_transcription(sid)
    qtbot.waitUntil(slow.decoding.is_set, timeout=10000)
    return sid


def test_cancel_pressed_again_stops_at_once(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    """Cancel pressed a second time while the batch being decoded is waited for did nothing
    (the user waited it out); it now stops at once, as a second Ctrl+C does: what is written
    is kept, the batch being decoded is not, and the header says so meanwhile."""
    sid = _second_batch_decoding(window, qtbot, idle, speech_wav)
    pressed = time.monotonic()
    window.transcription.cancel_transcription(sid)
    assert "cancelling at" in window.transcript_label.full_text()
    window.transcription.cancel_transcription(None)  # from the menu: the one running
    assert "stopping now at" in window.transcript_label.full_text()
    qtbot.waitUntil(lambda: sid not in window.transcription.running, timeout=10000)
    assert time.monotonic() - pressed < LONG_BATCH_S - 0.5
    texts = [s.text for s in window.project.transcript.segments(sid)]
    assert texts == ["first batch"]
    state = window.project.transcription.transcription_state(sid)
    assert state is not None and state.status == "cancelled" and state.done_ms == 1000
    assert "1 segment kept" in window.statusBar().currentMessage()


def test_the_sessions_list_says_cancelling_and_no_time_left_after_cancel(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    """Walkthrough (ru-real transcribed again at 1024x700): after Cancel, the header and the
    status bar said "cancelling at 22 %" for the 20 s the part being decoded took to save,
    while the Sessions list went on counting "22 % · 1:55 left", "26 % · 1:37 left", as if
    the run would go on to its end. The list now says what the header says."""
    from PySide6.QtCore import Qt

    from gui.models.sessions import STATUS_COL

    sid = _second_batch_decoding(window, qtbot, idle, speech_wav)
    model = window.sessions_model
    row = next(r for r in range(model.rowCount()) if model.sessions()[r].id == sid)
    cell = model.index(row, STATUS_COL)
    assert "%" in cell.data() and "cancelling" not in cell.data()
    window.transcription.cancel_transcription(sid)
    assert cell.data().startswith("cancelling at "), cell.data()
    assert "left" not in cell.data()
    tip = cell.data(Qt.ItemDataRole.ToolTipRole)
    assert "the part being transcribed is saved first" in tip, tip
    assert "Cancel transcription again to stop now" in tip, tip
    window.transcription.cancel_transcription(None)  # pressed again: it stops now
    assert cell.data().startswith("stopping at "), cell.data()
    assert "what is written is kept" in cell.data(Qt.ItemDataRole.ToolTipRole)
    qtbot.waitUntil(lambda: sid not in window.transcription.running, timeout=10000)

    def status() -> str:
        row = next(r for r in range(model.rowCount()) if model.sessions()[r].id == sid)
        return str(model.index(row, STATUS_COL).data())

    # the list reads the session's state again on a worker: under load it shows the state
    # stored before the run ("imported") for a moment after the run ended
    qtbot.waitUntil(lambda: status().startswith("cancelled at"), timeout=10000)


def test_the_sessions_list_goes_from_cancelling_to_its_end_state_never_back(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load (the list's rows are read again on a worker, here slowly) the Sessions list
    went "cancelling at N %", then "imported" (the state stored before the run) for as long as
    the read took, then "cancelled at N %". It now keeps "cancelling at N %" until the state
    after the run is read: every status shown from Cancel on is one or the other."""
    import gui.sessions
    from gui.models.sessions import STATUS_COL

    slow_read = gui.sessions._with_stopped_runs

    def under_load(*args: Any) -> Any:
        time.sleep(0.6)
        return slow_read(*args)

    sid = _second_batch_decoding(window, qtbot, idle, speech_wav)
    model = window.sessions_model
    shown: list[str] = []

    def seen(*_a: Any) -> None:
        row = model.row_of(sid)
        if row >= 0:
            text = str(model.index(row, STATUS_COL).data())
            if not shown or shown[-1] != text:
                shown.append(text)

    model.dataChanged.connect(seen)
    model.modelReset.connect(seen)
    monkeypatch.setattr(gui.sessions, "_with_stopped_runs", under_load)
    window.transcription.cancel_transcription(sid)
    qtbot.waitUntil(lambda: sid not in window.transcription.running, timeout=10000)
    idle(window)
    seen()
    assert shown[0].startswith("cancelling at "), shown
    assert shown[-1].startswith("cancelled at "), shown
    between = [s for s in shown if not s.startswith(("cancelling at ", "cancelled at "))]
    assert not between, shown
    assert "cancelled at " in window.transcript_label.full_text()  # as the header says it

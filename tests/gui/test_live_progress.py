"""A running transcription's progress between its reports (``gui.live_progress``), checked
against a model of the rule, and in the workbench: the figure moves and the time left counts
down between the reports of a run, and the editor says that segments are on their way."""

from __future__ import annotations

import itertools
import math
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui.live_progress import MAX_ESTIMATE, RISE_S, LiveEstimate
from storage import Project
from transcribe.runner import Progress, TranscriptionSummary

# a run: reports (fraction, eta or None) and looks, each after a pause of some seconds
_event = st.one_of(
    st.tuples(
        st.just("report"),
        st.floats(0, 1),
        st.one_of(st.none(), st.floats(0, 600)),
        st.floats(0, 120),
    ),
    st.tuples(st.just("look"), st.just(0.0), st.none(), st.floats(0, 120)),
)


@given(st.lists(_event, min_size=1, max_size=30))
def test_the_estimate_follows_the_reports_rate_and_never_goes_back(events: list[Any]) -> None:
    estimate = LiveEstimate(started=1000.0)
    now = 1000.0
    last: tuple[float, float | None, float] = (0.0, None, now)  # the model: the last report
    most = 0.0  # the most reported
    shown_before = 0.0
    left: tuple[float, float] | None = None  # the time left shown last, and when
    for kind, fraction, eta, pause in events:
        now += pause
        if kind == "report":
            estimate.report(fraction, eta, now)
            last, most = (fraction, eta, now), max(most, fraction)
        shown = estimate.at(now)
        f, e, at = last
        since = now - at
        target = e if e is None or e <= 0 or f >= 1 else max(0.0, e - since)
        if e is not None and e > 0 and f < 1:
            expected = min(f + (1 - f) * min(1.0, since / e), max(f, MAX_ESTIMATE))
        else:
            expected = f
        if target is None or left is None or f >= 1:
            assert shown.eta_s == target
        else:
            # the time left shown last, counted down, moved toward the report's figure: part
            # of the way (an uneven run's figure jumped by minutes), never past it
            assert shown.eta_s is not None
            counted = max(0.0, left[0] - (now - left[1]))
            low, high = min(counted, target), max(counted, target)
            assert low - 1e-6 <= shown.eta_s <= high + 1e-6
            if target > counted:
                most_rise = (target - counted) * (1 - math.exp(-(now - left[1]) / RISE_S))
                assert shown.eta_s - counted <= most_rise + 1e-6
        left = None if shown.eta_s is None else (shown.eta_s, now)
        # what is shown: the model's estimate, unless more was shown before (never goes back)
        assert abs(shown.fraction - max(expected, shown_before)) < 1e-9
        assert shown.fraction <= max(most, MAX_ESTIMATE) + 1e-9
        assert shown.elapsed_s == now - 1000.0
        shown_before = shown.fraction


def _transcribing_opened(window: Any, qtbot: Any, idle: Any, wav: Path, transcriber: Any) -> str:
    """Import ``wav``, open its session and start transcribing it with ``transcriber``; the
    session's id."""
    window.transcription.transcriber = transcriber
    window.transcription.import_files([wav])
    idle(window)
    sid: str = window.project.sessions.all()[0].id
    window.sessions.open_session(sid)
    qtbot.waitUntil(lambda: window.state.session is not None)
    window.transcription.start_transcription(sid)
    return sid


def test_a_run_between_reports_moves_on_and_counts_down(
    window: Any, qtbot: Any, idle: Any, project: Project, speech_wav: Path
) -> None:
    """One report (30 %, 40 s left), then a long batch: the sessions list and the status bar
    move on and count down; before it, the editor says the segments are on their way."""
    release = threading.Event()
    reported = threading.Event()

    def slow(project: Project, sid: str, *, progress: Any = None, **_k: Any) -> Any:
        reported.wait(10)
        if progress is not None:
            progress(Progress(0.3, 3000, 10000, 1.0, 40.0, 0))
        release.wait(20)
        return TranscriptionSummary(sid, "fake", "en", 0, 10000, 1.0, 0, False)

    window.transcriber = slow
    sid = _transcribing_opened(window, qtbot, idle, speech_wav, slow)
    editor = window.segment_editor
    assert editor.placeholderText().startswith("Transcribing")
    qtbot.wait(1300)  # no report yet: how long it has run
    assert "s so far" in window.statusBar().currentMessage()
    reported.set()
    qtbot.waitUntil(lambda: window.sessions_model.live(sid).fraction >= 0.3)
    first = window.sessions_model.live(sid)
    qtbot.wait(2300)
    later = window.sessions_model.live(sid)
    assert later.fraction > first.fraction and later.fraction < 0.5
    assert later.eta_s is not None and later.eta_s < first.eta_s
    assert "left" in window.sessions_model.index(0, 1).data()
    assert "left" in window.statusBar().currentMessage()
    release.set()
    idle(window)
    assert window.sessions_model.live(sid) is None
    assert editor.placeholderText().startswith("This session has no segments yet")
    assert not window.transcription._tick.isActive()


def test_segments_reported_soon_after_a_refresh_show_before_the_run_ends(
    window: Any, qtbot: Any, idle: Any, project: Project, speech_wav: Path
) -> None:
    """Walkthrough with the real model (3 min, ru/kk/en): at 91 % the transcript still showed 8
    of the 24 segments written, for many seconds: a report that came within 2 s of the last
    refresh was dropped, and the next report came only after the next stretch of speech. Such
    segments now show once the 2 s have passed, while the run goes on."""
    from storage import SegmentDraft

    release = threading.Event()

    def two_reports(project: Project, sid: str, *, progress: Any = None, **_k: Any) -> Any:
        for n in (1, 2):
            project.transcript.add_segments(
                sid, [SegmentDraft(n * 1000, n * 1000 + 900, f"Сегмент {n}", language="ru")]
            )
            if progress is not None:
                progress(Progress(n / 4, n * 1000, 4000, 1.0, 10.0, n))
            time.sleep(0.8)  # the first is shown meanwhile; the second comes within 2 s
        release.wait(60)  # a long stretch of speech before the next report
        return TranscriptionSummary(sid, "fake", "ru", 2, 4000, 1.0, 0, False)

    _transcribing_opened(window, qtbot, idle, speech_wav, two_reports)
    try:
        qtbot.waitUntil(lambda: window.segment_model.rowCount() == 2, timeout=6000)
        assert window.transcription.running  # still transcribing
    finally:
        release.set()
    idle(window)
    assert window.segment_model.rowCount() == 2


def test_a_cancel_before_anything_was_written_says_the_progress_is_lost(
    window: Any, qtbot: Any, idle: Any, project: Project, speech_wav: Path
) -> None:
    """Walkthrough (3 min, ru/kk/en, base model): the list showed 36 %, Cancel, and the status
    bar said "Transcription cancelled; 0 segments kept. Transcribe again to resume.", yet the
    next run began at 0 %: nothing is written before the first minute or two of speech is
    done. The message now says so, and that Transcribe starts over."""
    reported = threading.Event()
    cancelled = threading.Event()

    def cancelled_early(project: Project, sid: str, *, progress: Any = None, **_k: Any) -> Any:
        if progress is not None:
            progress(Progress(0.36, 65000, 181000, 15.0, 30.0, 0))
        reported.set()
        cancelled.wait(20)
        return TranscriptionSummary(sid, "fake", None, 0, 181000, 15.0, 0, True)

    sid = _transcribing_opened(window, qtbot, idle, speech_wav, cancelled_early)
    qtbot.waitUntil(lambda: window.sessions_model.live(sid) is not None and reported.is_set())
    qtbot.waitUntil(lambda: window.sessions_model.live(sid).fraction >= 0.36)
    cancelled.set()
    idle(window)
    said = window.statusBar().currentMessage()
    assert "36 %" in said and "nothing was kept" in said, said
    assert "starts over" in said
    assert "resume" not in said
    # whole in the status bar of a 1024-px window (a longer wording was cut there)
    assert window.statusBar().fontMetrics().horizontalAdvance(said) < 1024 - 40


def test_a_cancel_after_segments_were_written_says_they_are_kept(
    window: Any, qtbot: Any, idle: Any, project: Project, speech_wav: Path
) -> None:
    """A cancel after the first part was written keeps it and resumes from there."""
    done = threading.Event()

    def cancelled_later(project: Project, sid: str, *, progress: Any = None, **_k: Any) -> Any:
        if progress is not None:
            progress(Progress(0.7, 7000, 10000, 1.0, 3.0, 4))
        done.wait(20)
        return TranscriptionSummary(sid, "fake", "en", 4, 10000, 1.0, 0, True)

    sid = _transcribing_opened(window, qtbot, idle, speech_wav, cancelled_later)
    qtbot.waitUntil(lambda: window.sessions_model.live(sid) is not None)
    done.set()
    idle(window)
    said = window.statusBar().currentMessage()
    assert "4 segments kept" in said and "resume" in said, said


def test_a_cancel_before_any_report_says_nothing_was_kept(
    window: Any, qtbot: Any, idle: Any, project: Project, speech_wav: Path
) -> None:
    """Recording walk (1366x768, 12 s, base): Cancel 5 s in, while the list still read 0 %,
    said "Transcription cancelled; 0 segments kept. Transcribe again to resume." and the list's
    tooltip "goes on from where it stopped": nothing had been written, the next run starts over."""
    from PySide6.QtCore import Qt

    from gui.models.sessions import STATUS_COL

    started = threading.Event()
    cancelled = threading.Event()

    def cancelled_at_once(project: Project, sid: str, *, progress: Any = None, **_k: Any) -> Any:
        project.transcription.begin_transcription(
            sid, model="fake", language=None, total_ms=12000, from_ms=0
        )
        started.set()
        cancelled.wait(20)
        project.transcription.end_transcription(sid, "cancelled")
        return TranscriptionSummary(sid, "fake", None, 0, 12000, 5.0, 0, True)

    sid = _transcribing_opened(window, qtbot, idle, speech_wav, cancelled_at_once)
    qtbot.waitUntil(started.is_set)
    # what runs, beside Cancel: "Transcribe…" read as a menu entry that opens a dialog
    assert window.status_label.text() == "Transcribing…"
    cancelled.set()
    idle(window)
    said = window.statusBar().currentMessage()
    assert "nothing was kept" in said and "starts over" in said, said
    assert "resume" not in said and "0 segments" not in said
    row = window.sessions_model.row_of(sid)
    tip = window.sessions_model.index(row, STATUS_COL).data(Qt.ItemDataRole.ToolTipRole)
    assert "nothing kept" in tip and "starts over" in tip, tip
    assert "goes on from where it stopped" not in tip


def test_a_resumed_run_cancelled_before_its_next_part_keeps_the_earlier_text(
    window: Any, qtbot: Any, idle: Any, project: Project, speech_wav: Path
) -> None:
    """A run that resumed at 1:00 and was cancelled before writing more keeps the first minute:
    the status bar said "nothing was kept; Transcribe starts over" (the next run goes on)."""
    reported = threading.Event()
    cancelled = threading.Event()

    def resumed(project: Project, sid: str, *, progress: Any = None, **_k: Any) -> Any:
        if progress is not None:
            progress(Progress(0.5, 90000, 181000, 15.0, 30.0, 0))
        reported.set()
        cancelled.wait(20)
        return TranscriptionSummary(sid, "fake", None, 0, 181000, 15.0, 60000, True)

    sid = _transcribing_opened(window, qtbot, idle, speech_wav, resumed)
    qtbot.waitUntil(lambda: window.sessions_model.live(sid) is not None and reported.is_set())
    cancelled.set()
    idle(window)
    said = window.statusBar().currentMessage()
    assert "up to 1:00 is kept" in said and "goes on from there" in said, said
    assert "nothing was kept" not in said and "starts over" not in said
    assert window.statusBar().fontMetrics().horizontalAdvance(said) < 1024 - 40


@pytest.mark.parametrize("cancelled", [False, True])
def test_a_resumed_run_says_what_the_session_holds_in_all(
    window: Any, qtbot: Any, idle: Any, project: Project, speech_wav: Path, cancelled: bool
) -> None:
    """A run cancelled, then resumed: the status bar said "13 segments" of the resumed run
    alone, for a session of 40. It now says what the session holds in all as well."""
    done = threading.Event()

    def resumed(project: Project, sid: str, *, progress: Any = None, **_k: Any) -> Any:
        if progress is not None:
            progress(Progress(0.7, 126000, 181000, 15.0, 30.0, 13))
        done.wait(20)
        summary = TranscriptionSummary(sid, "fake", "ru", 13, 181000, 15.0, 60000, cancelled)
        summary.done_ms, summary.session_segments = 126000, 40
        return summary

    sid = _transcribing_opened(window, qtbot, idle, speech_wav, resumed)
    qtbot.waitUntil(lambda: window.sessions_model.live(sid) is not None)
    done.set()
    idle(window)
    said = window.statusBar().currentMessage()
    assert "13 segments" in said, said
    assert ("(40 in the session)" if cancelled else "the session has 40 segments in all") in said
    assert window.statusBar().fontMetrics().horizontalAdvance(said) < 1024 - 40


def test_the_status_bar_counts_the_transcriptions_waiting_apart(
    window: Any, qtbot: Any, idle: Any
) -> None:
    """Ten recordings imported at once read "10 tasks running…" beside Cancel while two ran and
    eight waited (the sessions list said "waiting"). Now "2 running, 8 waiting…", following
    each one as it begins."""
    release = threading.Event()

    def job(_ctx: Any) -> None:
        assert release.wait(20)

    for _ in range(4):
        window.runner.submit("Transcribing", job, long=True)
    qtbot.waitUntil(lambda: window.status_label.text() == "2 running, 2 waiting…")
    release.set()
    idle(window)
    assert window.status_label.text() == ""


def test_a_run_resuming_a_stopped_one_starts_where_its_text_ends(
    window: Any, qtbot: Any, idle: Any, project: Project, speech_wav: Path
) -> None:
    """A session whose transcription stopped at 46 % (the app killed) goes on from there: until
    the run's first report (the model loading, 10 to 20 s on a busy laptop) the sessions list and
    the status bar read 46 %, not "0 %, 9 s so far" over "stopped at 46 %". The run's first
    report replaces the figure, also below it (a run that starts over)."""
    window.transcription.import_files([speech_wav])
    idle(window)
    sid = project.sessions.all()[0].id
    # what a run killed at 46 % leaves: begun, never ended
    project.transcription.begin_transcription(
        sid, model="base", language=None, total_ms=10_000, from_ms=4_600
    )
    window.sessions.reload_sessions()
    idle(window)
    assert "stopped at 46 %" in window.sessions_model.index(0, 1).data()
    window.sessions.open_session(sid)
    qtbot.waitUntil(lambda: window.state.session is not None)
    go, report = threading.Event(), threading.Event()

    def resuming(project: Project, sid: str, *, progress: Any = None, **_k: Any) -> Any:
        report.wait(10)
        if progress is not None:
            progress(Progress(0.12, 1200, 10000, 1.0, None, 0))  # started over after all
        go.wait(10)
        return TranscriptionSummary(sid, "fake", None, 0, 10000, 1.0, 0, False)

    window.transcription.transcriber = resuming
    window.transcription.start_transcription(sid)
    qtbot.wait(1200)
    assert window.sessions_model.live(sid).fraction == 0.46
    assert window.sessions_model.index(0, 1).data() == "46 %"
    assert "Transcribing 46 %" in window.statusBar().currentMessage()
    report.set()
    qtbot.waitUntil(lambda: window.sessions_model.live(sid).fraction < 0.46)
    assert abs(window.sessions_model.live(sid).fraction - 0.12) < 1e-9
    assert "Transcribing 12 %" in window.statusBar().currentMessage()
    go.set()
    idle(window)


def test_the_header_says_a_transcription_stopped_as_the_sessions_list_does(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """A session open after its transcription was killed at 46 %: the sessions list read
    "stopped at 46 %", the header over its transcript said nothing of it (a coder took the
    transcript for whole)."""
    from storage import SegmentDraft

    session = project.sessions.add_session("Focus group 2")
    project.transcription.begin_transcription(
        session.id, model="base", language=None, total_ms=10_000, from_ms=0
    )
    project.transcription.add_transcribed(
        session.id,
        [SegmentDraft(0, 2000, "first words", "S1"), SegmentDraft(2000, 4500, "more", "S2")],
        from_ms=0,
        done_ms=4_600,
    )
    window.sessions.reload_sessions()
    idle(window)
    listed = window.sessions_model.index(0, 1).data()
    assert listed == "stopped at 46 %"
    window.sessions.open_session(session.id)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 2)
    idle(window)
    header = window.transcript_label.full_text()
    assert "2 segments — <b>stopped at 46 %</b>" in header, header
    assert "goes on from where it stopped" in window.transcript_label.toolTip()


#: the test's run goes this many times faster than a laptop's (batches 20 to 60 s apart)
QUICKER = 30.0


def test_the_time_left_of_an_uneven_run_moves_gradually(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: Any
) -> None:
    """Batches written at an uneven pace (quick ones, then one that takes long): the time
    left in the sessions list jumped by minutes at a written batch ("1:55 left", then "4:10",
    then "0:40"). It now moves toward each new figure gradually: from one figure shown to the
    next, never more than a tenth of a figure up or a third down beyond counting down, until
    the end (said at once). The run, the clock and every time constant are ``QUICKER`` than
    a laptop's, so it takes seconds."""
    import gui.live_progress
    import transcribe.progress
    from tests.slow_engine import UnevenBatches
    from transcribe import runner

    for module, name in (
        (transcribe.progress, "FIRST_S"),
        (transcribe.progress, "WINDOW_S"),
        (transcribe.progress, "SETTLE_S"),
        (gui.live_progress, "RISE_S"),
        (gui.live_progress, "FALL_S"),
    ):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, getattr(module, name) / QUICKER)
    window.transcription._tick.setInterval(round(1000 / QUICKER))  # once a second
    shown: list[tuple[float, float]] = []
    model = window.sessions_model
    set_live = model.set_live

    def seen(sid: str, live: Any) -> None:
        if live is not None and live.eta_s is not None and not live.ending:
            shown.append((time.monotonic(), live.eta_s))
        set_live(sid, live)

    monkeypatch.setattr(model, "set_live", seen)
    # quick batches, then one that takes long: 1 s, 2 s or 60 s apart on a laptop
    pauses = [0.1, 0.1, 1.6, 0.1, 0.1, 0.1, 1.8, 0.1, 0.1, 1.5, 0.1, 0.1]

    def transcriber(project: Project, sid: str, **kwargs: Any) -> Any:
        engine = UnevenBatches(project.sessions.get_session(sid).duration_ms, pauses)
        return runner.transcribe_session(
            project, sid, language="en", engine=lambda *_a, **_k: engine, **kwargs
        )

    sid = _transcribing_opened(window, qtbot, idle, speech_wav, transcriber)
    qtbot.waitUntil(lambda: not window.transcription.running, timeout=30000)
    idle(window)
    assert window.project.transcript.segments(sid)[-1].text == f"batch {len(pauses)}"
    assert len(shown) > 20, shown
    while len(shown) > 1 and shown[-1][1] == shown[-2][1] == 0.0:
        shown.pop()  # the end said again (a report and a tick both after it): one end
    steps = []  # the figure shown, the next one, and how far that is above the first counted
    for (t1, e1), (t2, e2) in itertools.pairwise(shown):
        steps.append((round(e1, 2), round(e2, 2), round(e2 - max(0.0, e1 - (t2 - t1)), 2)))
    assert steps[-1][1] == 0.0  # the end reached: said at once
    jumps = [s for s in steps[:-1] if not -(s[0] / 3) - 0.05 <= s[2] <= 0.1 * s[0] + 0.05]
    assert not jumps, (jumps, steps)

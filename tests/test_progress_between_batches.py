"""Progress between batches: a batch of speech takes 10 to 60 s on a laptop, and the first one
used to leave the figure at 0 % that long. The engine says how far the batches being decoded
are (``InFlight``) and the runner reports it, marked as an estimate, never going back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import tone_wav
from transcribe.batches import BatchPlan, ChunkResult, InFlight
from transcribe.runner import Progress, transcribe_session


def _plan(start_ms: int, done_ms: int) -> BatchPlan:
    return BatchPlan([[{"start": 0, "end": 1}]], start_ms, done_ms, False)


def test_in_flight_counts_each_batch_s_span_by_its_share_done_until_it_is_yielded() -> None:
    tally = InFlight()
    assert tally.ms() == 0
    tally.begin(_plan(0, 20_000))
    tally.begin(_plan(20_000, 30_000))
    tally.advance(0, 0.25)
    assert tally.ms() == 5_000
    tally.advance(20_000, 0.5)
    assert tally.ms() == 10_000
    tally.advance(0, 0.1)  # a share never goes back
    assert tally.ms() == 10_000
    tally.advance(0, 3.0)  # nor past the whole batch
    assert tally.ms() == 25_000
    tally.advance(99_999, 1.0)  # a batch not begun here (a cluster's): ignored
    assert tally.ms() == 25_000
    tally.end(0)  # yielded: the caller counts it as done from now on
    assert tally.ms() == 5_000
    tally.end(0)
    tally.end(20_000)
    assert tally.ms() == 0


OPS = st.lists(
    st.tuples(
        st.sampled_from(["begin", "advance", "end"]),
        st.integers(0, 5),  # which batch (its start: k * 10 s)
        st.floats(-0.5, 2.0, allow_nan=False),
    ),
    max_size=40,
)


@given(OPS)
def test_in_flight_follows_a_model_of_its_batches(ops: list[tuple[str, int, float]]) -> None:
    """Any order of begin / advance / end (a batch's work steps out of order, a cancelled
    run's late step, an end twice): the tally is each begun, unyielded batch's span times the
    largest share it reported, clipped to [0, 1]; never negative, never past the spans."""
    tally = InFlight()
    model: dict[int, tuple[int, float]] = {}
    for op, k, share in ops:
        start, span = k * 10_000, 7_000 + k * 500
        if op == "begin":
            tally.begin(_plan(start, start + span))
            model[start] = (span, 0.0)
        elif op == "advance":
            tally.advance(start, share)
            if start in model:
                model[start] = (span, max(model[start][1], min(1.0, share)))
        else:
            tally.end(start)
            model.pop(start, None)
        expected = round(sum(s * f for s, f in model.values()))
        assert tally.ms() == expected
        assert 0 <= tally.ms() <= sum(s for s, _ in model.values())


class SteppingEngine:
    """Two batches of a 4-s recording ([0, 2) s and [2, 4) s). Before yielding each batch it
    says how far it is, step by step, and waits until the runner has reported each step."""

    STEPS = ((500, 1_500), (1_000,))  # in_flight_ms before each batch is yielded

    def __init__(self, *_a: Any, **_k: Any) -> None:
        self.threads = 1
        self.beam_size = 5
        self.multilingual = True
        self._ms = 0
        self.reported: list[int] = []
        self._seen = threading.Condition()

    def check_language(self, language: str | None) -> str | None:
        return language

    def check_languages(self, languages: list[str] | None) -> list[str]:
        return list(languages or [])

    def in_flight_ms(self) -> int:
        return self._ms

    def saw(self, ms: int) -> None:
        with self._seen:
            self.reported.append(ms)
            self._seen.notify_all()

    def transcribe_chunks(self, _path: Any, *, cancel: threading.Event, **_k: Any) -> Any:
        for batch, steps in enumerate(self.STEPS):
            start = batch * 2_000
            for step in steps:
                self._ms = step
                at = start + step
                deadline = time.monotonic() + 10
                while not cancel.is_set():  # the runner stops it after a cancel
                    assert time.monotonic() < deadline, f"{at} ms was never reported"
                    with self._seen:
                        if self._seen.wait_for(lambda at=at: at in self.reported, 0.05):
                            break
                if cancel.is_set():
                    return
            self._ms = 0
            text = SegmentDraft(start + 100, start + 900, f"batch {batch}")
            yield ChunkResult([text], start, start + 2_000, "ru", final=batch == 1)


def _run(
    project: Project,
    tmp_path: Path,
    kind: type[SteppingEngine] = SteppingEngine,
    cancel_when: Callable[[Progress], bool] | None = None,
) -> tuple[Any, Any, list[tuple[Progress, int]]]:
    """A 4-s session of a Russian/Kazakh project transcribed by ``kind``: the session, the
    summary, and each report with the segments written when it came. ``cancel_when``: a
    report after which the run is cancelled."""
    project.set_languages("ru,kk")
    session = project.sessions.import_audio(tone_wav(tmp_path / "t.wav", seconds=4.0))
    cancel = threading.Event()
    engines: list[SteppingEngine] = []
    seen: list[tuple[Progress, int]] = []

    def make(*a: Any, **k: Any) -> SteppingEngine:
        engines.append(kind(*a, **k))
        return engines[-1]

    def on_progress(p: Progress) -> None:
        seen.append((p, len(project.transcript.segments(session.id))))
        if p.estimated:
            engines[0].saw(p.done_ms)
        if cancel_when is not None and cancel_when(p):
            cancel.set()

    summary = transcribe_session(
        project, session.id, progress=on_progress, engine=make, cancel=cancel
    )
    return session, summary, seen


def test_a_run_reports_how_far_its_batches_are_between_them(
    project: Project, tmp_path: Path
) -> None:
    _session, summary, seen = _run(project, tmp_path)
    assert not summary.cancelled and summary.segments_added == 2
    got = [(p.estimated, p.done_ms, round(p.fraction, 3), written) for p, written in seen]
    assert got == [
        (True, 500, 0.125, 0),  # nothing written yet: an estimate of the first batch
        (True, 1_500, 0.375, 0),
        (False, 2_000, 0.5, 1),  # the first batch written
        (True, 3_000, 0.75, 1),
        (False, 4_000, 1.0, 2),
    ]
    # no time left in the first seconds (``transcribe.progress.FIRST_S``: the first reports say
    # little of the rate, and the figure jumped); the end says 0
    assert all(p.eta_s is None for p, _ in seen[:-1])
    assert seen[-1][0].eta_s == 0.0


class OvershootingEngine(SteppingEngine):
    """The second batch gets far (decoded beside the first) before the first is yielded."""

    STEPS = ((1_500, 3_000), ())


def test_a_written_report_never_reads_less_than_an_estimate_before_it(
    project: Project, tmp_path: Path
) -> None:
    _session, _summary, seen = _run(project, tmp_path, OvershootingEngine)
    assert [(p.estimated, p.done_ms, p.fraction) for p, _ in seen] == [
        (True, 1_500, 0.375),
        (True, 3_000, 0.75),
        (False, 2_000, 0.75),  # written up to 2 s; the figure stays where it was shown
        (False, 4_000, 1.0),
    ]


@pytest.mark.parametrize("kind", ["estimated", "written"])
def test_cancel_during_an_estimate_keeps_only_what_was_written(
    project: Project, tmp_path: Path, kind: str
) -> None:
    session, summary, _seen = _run(
        project,
        tmp_path,
        cancel_when=lambda p: p.estimated == (kind == "estimated") and p.done_ms >= 1_500,
    )
    assert summary.cancelled
    state = project.transcription.transcription_state(session.id)
    assert state is not None and state.status == "cancelled"
    # an estimate is never written down as done: the resume starts after the written batch
    assert state.done_ms == (0 if kind == "estimated" else 2_000)
    assert len(project.transcript.segments(session.id)) == (0 if kind == "estimated" else 1)

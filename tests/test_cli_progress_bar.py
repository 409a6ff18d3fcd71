"""The terminal progress bar: one time left, and a resumed run's pace measured on this run."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli import output
from cli.output import ProgressBar


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _bar(monkeypatch: pytest.MonkeyPatch) -> tuple[ProgressBar, io.StringIO, Clock]:
    clock = Clock()
    monkeypatch.setattr(output.time, "monotonic", clock)
    out = io.StringIO()
    return ProgressBar("long90", enabled=True, out=out), out, clock


def _lines(out: io.StringIO) -> list[str]:
    return [line for line in out.getvalue().split("\r") if line]


def _eta(line: str) -> list[str]:
    return re.findall(r"ETA\s+(-|\d+)", line)


def test_a_resumed_run_is_not_taken_to_have_done_the_earlier_part_just_now(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 90-minute recording resumed at 26.4 %: 1.6 % more in 10 s leaves 72 % at that pace,
    450 s; the bar said 27 s, counting the first 26.4 % as done in those 10 s."""
    bar, out, clock = _bar(monkeypatch)
    bar.update(0.264)
    clock.now += 10
    bar.update(0.28)
    assert _eta(_lines(out)[-1]) == ["450"]


@given(
    start=st.floats(0.0, 0.9),
    steps=st.lists(st.tuples(st.floats(0.2, 30.0), st.floats(0.002, 0.05)), min_size=1, max_size=8),
)
def test_the_bar_s_own_time_left_is_the_pace_of_this_run(
    start: float, steps: list[tuple[float, float]]
) -> None:
    clock = Clock()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(output.time, "monotonic", clock)
        out = io.StringIO()
        bar = ProgressBar("x", enabled=True, out=out)
        bar.update(start)
        fraction, elapsed = start, 0.0
        for dt, more in steps:
            clock.now += dt
            elapsed += dt
            fraction = min(1.0, fraction + more)
            bar.update(fraction)
        made = fraction - start
        expected = elapsed * (1 - fraction) / made  # an independent model: this run's pace
        (shown,) = _eta(_lines(out)[-1])
        assert abs(int(shown) - expected) <= 0.5 + 1e-6


def test_the_caller_s_time_left_is_the_only_one_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Transcription knows its time left (from the real-time factor): the line showed the bar's
    guess and the run's, "ETA 130s 24 segments ETA 688s"; now the run's alone, "-" before it
    knows."""
    bar, out, clock = _bar(monkeypatch)
    bar.update(0.264, "0 segments", None)
    clock.now += 10
    bar.update(0.28, "24 segments", 688.0)
    first, last = _lines(out)
    assert _eta(first) == ["-"] and _eta(last) == ["688"]
    assert "24 segments" in last


def test_a_shorter_line_blanks_what_the_longer_one_left(monkeypatch: pytest.MonkeyPatch) -> None:
    bar, out, clock = _bar(monkeypatch)
    bar.update(0.1, "x" * 40, 100.0)
    clock.now += 1
    bar.update(0.2, "12 segments", 90.0)
    first, last = _lines(out)
    assert len(last) >= len(first) and last.rstrip().endswith("12 segments")

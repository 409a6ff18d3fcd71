"""How steady and how right the time left of a transcription is: one run on a recording, its
reports replayed through the old formula (elapsed x remaining / done, afresh at each report)
and ``transcribe.progress.TimeLeft``.

For each: the largest rise over the figure counted down since the report before (what the GUI
shows), and the mean error against the time the run really went on after each report.

Usage: python bench/time_left_bench.py RECORDING [LANGUAGES]   (LANGUAGES e.g. ru,kk,en)
       python bench/time_left_bench.py --uneven

``--uneven`` needs no recording: a model of 20 ten-minute runs whose batches (30 s of audio
each) take 5 to 60 s at random, with estimates between them every 3 s, read once a second as
the GUI reads them (``gui.live_progress.LiveEstimate``): the largest rise and fall of the time
left shown from one second to the next, beyond counting down, and its mean error, with the
GUI's smoothing (``RISE_S``, ``FALL_S``) and without it (the report's figure said at once).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import transcribe.run_loop as run_loop
from storage import Project
from transcribe.progress import TimeLeft
from transcribe.runner import transcribe_session

SEEN: list[tuple[float, float, float | None, float | None]] = []  # t, fraction, old, new


class _Recorded(TimeLeft):
    def __init__(self, started: float, from_ms: int, total_ms: int) -> None:
        super().__init__(started, from_ms, total_ms)
        self.first = (started, from_ms)

    def update(self, now: float, done_ms: int) -> float | None:
        new = super().update(now, done_ms)
        start, from_ms = self.first
        old = None
        if done_ms >= self.total_ms:
            old = 0.0
        elif done_ms > from_ms:
            old = (now - start) * (self.total_ms - done_ms) / (done_ms - from_ms)
        SEEN.append((now - start, done_ms / max(1, self.total_ms), old, new))
        return new


def _describe(column: int) -> str:
    end = SEEN[-1][0]
    rises, errors, last = [], [], None
    for t, fraction, *etas in SEEN:
        eta = etas[column]
        if eta is None:
            continue
        if fraction < 1:
            errors.append(abs(eta - (end - t)))
        if last is not None:
            rises.append(eta - max(0.0, last[1] - (t - last[0])))
        last = (t, eta)
    first = next(t for t, _f, *etas in SEEN if etas[column] is not None)
    return (
        f"largest rise {max(rises):.1f} s, mean error {sum(errors) / len(errors):.1f} s, "
        f"first figure at {first:.0f} s"
    )


def _uneven_run(seed: int) -> tuple[list[tuple[float, int]], int, float]:
    """The reports of a modelled run: (seconds, ms of audio done), the audio's length, the
    run's length."""
    import random

    rnd = random.Random(seed)
    total, batch = 600_000, 30_000
    reports: list[tuple[float, int]] = []
    now, done = 0.0, 0
    while done < total:
        took = rnd.uniform(5, 60)
        for k in range(1, int(took // 3)):  # between batches: how far the batch being decoded is
            share = (k * 3 / took) ** rnd.choice([0.5, 1.0, 2.0])
            reports.append((now + k * 3, done + int(batch * share * 0.999)))
        now, done = now + took, min(total, done + batch)
        reports.append((now, done))
    return reports, total, now


def _shown_each_second(seed: int) -> list[tuple[float, float | None, float]]:
    """(second, time left shown, time really left) of a modelled run, read once a second."""
    from gui.live_progress import LiveEstimate

    reports, total, end = _uneven_run(seed)
    left, live = TimeLeft(0.0, 0, total), LiveEstimate(0.0)
    shown, i, reported, second = [], 0, 0, 0.0
    while second < end:
        while i < len(reports) and reports[i][0] <= second:
            at, done = reports[i]
            i += 1
            if done > reported:
                reported = done
                live.report(done / total, left.update(at, done), at)
        shown.append((second, live.at(second).eta_s, end - second))
        second += 1.0
    return shown


def uneven() -> None:
    import gui.live_progress as live_progress

    smoothing = (live_progress.RISE_S, live_progress.FALL_S)
    for name, (rise_s, fall_s) in (("said at once", (1e-9, 1e-9)), ("LiveEstimate", smoothing)):
        live_progress.RISE_S, live_progress.FALL_S = rise_s, fall_s
        steps, errors = [], []
        for seed in range(20):
            shown = _shown_each_second(seed)
            for (_t, before, _r), (_t2, after, really) in itertools.pairwise(shown):
                if before is not None and after is not None:
                    steps.append(after - max(0.0, before - 1.0))
                    errors.append(abs(after - really))
        print(
            f"{name:13}: largest rise {max(steps):.1f} s and fall {-min(steps):.1f} s from one "
            f"second to the next, mean error {sum(errors) / len(errors):.1f} s"
        )
    live_progress.RISE_S, live_progress.FALL_S = smoothing


def main() -> None:
    if sys.argv[1:] == ["--uneven"]:
        uneven()
        return
    wav = Path(sys.argv[1])
    languages = sys.argv[2] if len(sys.argv) > 2 else "ru,kk,en"
    run_loop.TimeLeft = _Recorded  # type: ignore[misc]
    with tempfile.TemporaryDirectory() as folder:
        with Project.create(Path(folder) / "P.fieldscribe", coder="bench") as project:
            project.set_languages(languages)
            session = project.sessions.import_audio(wav)
            started = time.monotonic()
            summary = transcribe_session(project, session.id, progress=lambda _p: None)
            took = time.monotonic() - started
    print(
        f"{wav.name}: {summary.duration_ms / 1000:.0f} s of audio, model {summary.model}, "
        f"{len(SEEN)} reports, the run took {took:.0f} s"
    )
    print(f"old (elapsed x remaining / done): {_describe(0)}")
    print(f"TimeLeft: {_describe(1)}")


if __name__ == "__main__":
    main()

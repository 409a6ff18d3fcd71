"""How steady and how right the time left of a transcription is: one run on a recording, its
reports replayed through the old formula (elapsed x remaining / done, afresh at each report)
and ``transcribe.progress.TimeLeft``.

For each: the largest rise over the figure counted down since the report before (what the GUI
shows), and the mean error against the time the run really went on after each report.

Usage: python bench/time_left_bench.py RECORDING [LANGUAGES]   (LANGUAGES e.g. ru,kk,en)
"""

from __future__ import annotations

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


def main() -> None:
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

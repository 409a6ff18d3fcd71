"""How soon and how often a transcription reports progress (estimates between batches and
batches written), on one recording, in one run.

Before the estimates (``transcribe.batches.InFlight``) a run reported only when a batch of
speech was written: the first report was the first written one. Both are printed here.

Usage: python bench/progress_bench.py RECORDING [LANGUAGES]   (LANGUAGES e.g. ru,kk,en)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage import Project
from transcribe.runner import Progress, transcribe_session


def main() -> None:
    wav = Path(sys.argv[1])
    languages = sys.argv[2] if len(sys.argv) > 2 else "ru,kk,en"
    seen: list[tuple[float, bool, float, float | None]] = []
    with tempfile.TemporaryDirectory() as folder:
        with Project.create(Path(folder) / "P.fieldscribe", coder="bench") as project:
            project.set_languages(languages)
            session = project.sessions.import_audio(wav)
            started = time.monotonic()

            def on_progress(p: Progress) -> None:
                seen.append((time.monotonic() - started, p.estimated, p.fraction, p.eta_s))

            summary = transcribe_session(project, session.id, progress=on_progress)
            took = time.monotonic() - started
    print(
        f"{wav.name}: {summary.duration_ms / 1000:.0f} s of audio, model {summary.model}, "
        f"languages {languages}; the run took {took:.1f} s (model load included)"
    )
    for label, estimated in (("first report (an estimate)", True), ("first batch written", False)):
        at = next((s for s in seen if s[1] == estimated), None)
        if at is not None:
            print(f"  {label:28s} after {at[0]:5.1f} s at {at[2]:6.1%}")
    gaps = [b[0] - a[0] for a, b in zip([(0.0,), *seen], seen, strict=False)]
    written = [s[0] for s in seen if not s[1]]
    written_gaps = [b - a for a, b in zip([0.0, *written], written, strict=False)]
    print(
        f"  reports: {len(seen)} ({sum(s[1] for s in seen)} estimates); longest wait "
        f"{max(gaps):.1f} s (batches written only: {max(written_gaps):.1f} s)"
    )


if __name__ == "__main__":
    main()

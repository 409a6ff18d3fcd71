"""Quick comparison of pipeline settings on the focus group of ``transcribe_bench.py``.

Each variant (beam size, batch size) runs FieldScribe's pipeline in its own subprocess on the
same audio (built once into ``--keep``, reused afterwards) and prints the same row as the main
benchmark, so settings can be compared without running plain faster-whisper each time. CPU time
is steadier than wall time on a shared machine.

    nice -n 5 .venv/bin/python bench/transcribe_variants.py --keep /tmp/tb 1x4 2x4 5x8

A variant is BEAMxBATCH. ``--errors`` also prints each word error (jiwer alignment).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import transcribe_bench as tb  # noqa: E402


def worker(path: str, beam: int, batch: int, threads: int) -> None:
    """Run in a subprocess: print the words and figures as JSON."""
    from transcribe.engine import Transcriber

    tr = Transcriber("tiny.en", threads=threads, device="cpu", beam_size=beam, batch_size=batch)
    t0, cpu0 = time.monotonic(), tb._cpu()
    words = [
        ((w.start_ms + w.end_ms) / 2000, w.text) for seg in tr.transcribe(path) for w in seg.words
    ]
    print(
        json.dumps(
            {
                "transcribe_s": time.monotonic() - t0,
                "cpu_s": tb._cpu() - cpu0,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "words": words,
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=["2x4"], help="BEAMxBATCH")
    parser.add_argument("--keep", type=Path, required=True, help="folder of the audio")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--errors", action="store_true", help="print each word error")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        path, beam, batch = args.worker
        worker(path, int(beam), int(batch), args.threads)
        return 0
    args.keep.mkdir(parents=True, exist_ok=True)
    saved = args.keep / "focus_group.json"
    if saved.exists():
        fg = json.loads(saved.read_text())
    else:
        fg = tb.build_focus_group(args.keep)
        saved.write_text(json.dumps(fg))
    for variant in args.variants:
        beam, batch = variant.split("x")
        cmd = [sys.executable, __file__, "--keep", str(args.keep), "--threads", str(args.threads)]
        out = subprocess.run(
            [*cmd, "--worker", str(fg["path"]), beam, batch],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        tb.report(f"beam {beam} batch {batch}", result, fg)
        if args.errors:
            _errors(str(fg["reference"]), " ".join(w for _, w in result["words"]))
    return 0


def _errors(reference: str, hypothesis: str) -> None:
    import jiwer

    ref, hyp = tb.normalise(reference).split(), tb.normalise(hypothesis).split()
    for chunk in jiwer.process_words(" ".join(ref), " ".join(hyp)).alignments[0]:
        if chunk.type != "equal":
            said = " ".join(ref[chunk.ref_start_idx : chunk.ref_end_idx])
            heard = " ".join(hyp[chunk.hyp_start_idx : chunk.hyp_end_idx])
            print(f"    {chunk.type:<10} {said!r} -> {heard!r}")


if __name__ == "__main__":
    sys.exit(main())

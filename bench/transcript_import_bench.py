"""Transcript import benchmark: reading a long timestamped text transcript and a long WebVTT.

Writes transcripts of N, 3N and 6N lines (``[hh:mm:ss] Speaker k: ...`` with a line under
each; a WebVTT of as many cues) and prints the time ``parse_transcript`` takes for each, and per
thousand lines: it stays flat when the reader is linear (both were quadratic, a list searched
once per segment: 120,000 text lines took 30 s, 40,000 cues 31 s), next to the time of reading
the same file's lines with Python's ``str.splitlines`` and one regular expression per line (the
peer, same run).

Usage: nice -n 10 python bench/transcript_import_bench.py [--lines 20000]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.interop.transcript_import import parse_transcript


def write(path: Path, n: int) -> None:
    lines = []
    for i in range(n // 2):
        s = i * 2
        stamp = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
        lines.append(f"[{stamp}] Speaker {i % 3}: Мен Алматыданмын, рақмет. Позвоните Мне 10:15")
        lines.append("продолжение строки")
    path.write_text("\n".join(lines), encoding="utf-8")


def write_vtt(path: Path, n: int) -> None:
    def clock(ms: int) -> str:
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    cues = [
        f"{i}\n{clock(i * 1000)} --> {clock(i * 1000 + 900)}\n<v Speaker {i % 3}>Сәлем, рақмет.\n"
        for i in range(n)
    ]
    path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20000)
    args = parser.parse_args()
    stamp = re.compile(r"^\[?(\d\d):(\d\d):(\d\d)[\]. ]")
    with tempfile.TemporaryDirectory() as tmp:
        for n, kind in [(k * args.lines, kind) for kind in ("txt", "vtt") for k in (1, 3, 6)]:
            path = Path(tmp) / f"t{n}.{kind}"
            (write if kind == "txt" else write_vtt)(path, n)
            t0 = time.perf_counter()
            segments = len(parse_transcript(path).drafts)
            ours = time.perf_counter() - t0
            t0 = time.perf_counter()
            peer = sum(1 for ln in path.read_text("utf-8").splitlines() if stamp.match(ln))
            theirs = time.perf_counter() - t0
            print(
                f"{kind} {n:>7} lines or cues, {segments} segments: parse_transcript {ours:6.2f} s "
                f"({1000 * ours / n:.3f} s per 1000 lines); splitlines + regex {theirs:.2f} s "
                f"({peer} stamped lines)"
            )


if __name__ == "__main__":
    main()

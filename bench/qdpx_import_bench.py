"""REFI-QDA import benchmark: a large project written as other tools write it.

Builds a ``.qdpx`` of 300 text sources (40 speaker-labelled lines each: 12,000 segments) with
10,605 codings, some of them on a speaker's label alone (as a random big file had: each made a
report line of its own), then imports it into a new project and prints the time of the whole
import, the time of one parse of ``project.qde`` (``read_qde``), how many times the import
parsed it, and how many lines its report has.

Usage: nice -n 10 python bench/qdpx_import_bench.py [--sources 300] [--runs 2]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import storage.interop.qdpx_import as qdpx_import
from storage.interop.qdpx_import import import_qdpx, read_qde

LINES = 40
CODES = 60
CODINGS = 10_605
LABEL_ONLY = 310  # selections covering only "NAME: " (reported, not imported)


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build(path: Path, n_sources: int) -> None:
    rng = random.Random(11)
    codes = [_guid(rng) for _ in range(CODES)]
    user = _guid(rng)
    book = "".join(
        f'<Code guid="{g}" name="Code {i}" isCodable="true"/>' for i, g in enumerate(codes)
    )
    per_source = [CODINGS // n_sources + (i < CODINGS % n_sources) for i in range(n_sources)]
    label_only = [LABEL_ONLY // n_sources + (i < LABEL_ONLY % n_sources) for i in range(n_sources)]
    sources, files = [], {}
    for s in range(n_sources):
        guid = _guid(rng)
        lines, starts = [], []
        pos = 0
        for i in range(LINES):
            name = "Interviewer" if i % 2 == 0 else f"Respondent {s}"
            line = f"{name}: " + " ".join(f"word{rng.randrange(999)}" for _ in range(12))
            starts.append((pos, len(name) + 2, len(line)))
            lines.append(line)
            pos += len(line) + 1
        sels = []
        for k in range(per_source[s]):
            start, label, length = starts[k % LINES]
            if k < label_only[s]:
                a, b = start, start + label  # the speaker's label alone
            else:
                a = start + label + rng.randrange(length - label - 10)
                b = min(start + length, a + 5 + rng.randrange(40))
            sels.append(
                f'<PlainTextSelection guid="{_guid(rng)}" startPosition="{a}" endPosition="{b}">'
                f'<Coding guid="{_guid(rng)}" creatingUser="{user}">'
                f'<CodeRef targetGUID="{rng.choice(codes)}"/></Coding></PlainTextSelection>'
            )
        files[f"sources/{guid}.txt"] = "\n".join(lines).encode()
        sources.append(
            f'<TextSource guid="{guid}" name="Interview {s}" '
            f'plainTextPath="internal://{guid}.txt">{"".join(sels)}</TextSource>'
        )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="Bench" origin="Bench"><Users><User guid="{user}" name="coder"/></Users>'
        f"<CodeBook><Codes>{book}</Codes></CodeBook><Sources>{''.join(sources)}</Sources>"
        "</Project>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in files.items():
            zf.writestr(name, data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=300)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    parses = 0
    real = qdpx_import.parse_project

    def counting(root):  # type: ignore[no-untyped-def]
        nonlocal parses
        parses += 1
        return real(root)

    qdpx_import.parse_project = counting  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "big.qdpx"
        build(archive, args.sources)
        print(f"{archive.stat().st_size / 1e6:.1f} MB .qdpx, {args.sources} sources")
        for run in range(args.runs):
            t = time.perf_counter()
            zf, _qp = read_qde(archive)
            zf.close()
            one = time.perf_counter() - t
            parses = 0
            t = time.perf_counter()
            report = import_qdpx(archive, Path(tmp) / f"p{run}", coder="bench")
            took = time.perf_counter() - t
            lines = report.describe().count("\n") + 1
            print(
                f"run {run + 1}: import {took:.2f} s ({report.segments} segments, "
                f"{report.codings} codings); one parse of project.qde {one:.2f} s; "
                f"parsed {parses}x; report {lines} lines"
            )


if __name__ == "__main__":
    main()

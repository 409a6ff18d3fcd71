"""Export benchmark: coded segments to xlsx next to csv, and deep code paths.

Builds a project with 150,000 codings (50,000 segments in 25 sessions, 60 codes two levels
deep, three coders), then prints the time of ``export_codings`` to .xlsx (openpyxl write-only
mode; it used to be quadratic: 10,000 codings took 136 s) next to the time of the same export
to .csv (the peer, same rows, same run), with file sizes and peak memory. It also prints the
time to create a path MAX_CODE_DEPTH levels deep and to list a 1,200-level codebook left by an
old merge (both used to re-read the codebook per level).

Usage: nice -n 10 python bench/export_bench.py [--codings 150000] [--segments 50000]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Project
from storage.codebook.codebook import MAX_CODE_DEPTH
from storage.core.ids import new_id
from storage.interop.codings_export import export_codings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import TS, insert_segments


def memo(seed: int) -> str | None:
    return "a memo on this passage" if seed % 10 == 0 else None


def build(folder: Path, n_segments: int, n_codings: int) -> None:
    rng = random.Random(7)
    with Project.create(folder, coder="lead") as project:
        conn = project.db.conn
        sessions = [new_id() for _ in range(25)]
        with project.transaction():
            conn.executemany(
                "INSERT INTO sessions (id, title, kind, status, created_by, created_at,"
                " updated_at) VALUES (?, ?, 'interview', 'transcribed', 'lead', ?, ?)",
                [(s, f"Interview {i}", TS, TS) for i, s in enumerate(sessions)],
            )
            segments = insert_segments(
                conn,
                sessions,
                n_segments,
                speaker=lambda i: f"S{i % 4}",
                text=lambda i: (
                    f"participant {i % 97} says the clinic {i} is far; =SUM(A1) stays text"
                ),
            )
        codes = [
            project.codebook.ensure_code_path(f"Theme {t}/Sub {s}").id
            for t in range(12)
            for s in range(5)
        ]
        coders = ["coder-a", "coder-b", "coder-c"]
        for coder in coders:
            project.coders.use(coder)
        pairs: set[tuple[int, int, int]] = set()
        while len(pairs) < n_codings:
            pairs.add((rng.randrange(n_segments), rng.randrange(len(codes)), rng.randrange(3)))
        with project.transaction():
            conn.executemany(
                "INSERT INTO codings (id, segment_id, code_id, coder, memo, created_by,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        new_id(),
                        segments[s],
                        codes[c],
                        coders[k],
                        "memo" if s % 10 == 0 else None,
                        coders[k],
                        TS,
                        TS,
                    )
                    for s, c, k in sorted(pairs)
                ),
            )
        project.transcript.rebuild_search_index()


def timed_export(folder: Path, dest: Path) -> float:
    with Project.open(folder, readonly=True) as project:
        start = time.perf_counter()
        export_codings(project, dest)
        return time.perf_counter() - start


def deep_paths(work: Path) -> tuple[float, float, float]:
    with Project.create(work / "deep.fieldscribe", coder="lead") as project:
        start = time.perf_counter()
        project.codebook.ensure_code_path("/".join(f"level {i}" for i in range(MAX_CODE_DEPTH)))
        create = time.perf_counter() - start
        parent = None
        with project.transaction() as db:
            for i in range(1200):
                code_id = new_id()
                db.conn.execute(
                    "INSERT INTO codes (id, parent_id, name, colour, created_by, created_at,"
                    " updated_at) VALUES (?, ?, ?, '#000000', 'lead', ?, ?)",
                    (code_id, parent, f"old {i}", TS, TS),
                )
                parent = code_id
        start = time.perf_counter()
        listed = len(project.codebook.codes())
        listing = time.perf_counter() - start
        assert listed == MAX_CODE_DEPTH + 1200 and parent is not None
        start = time.perf_counter()
        project.codebook.get_code(parent)
        lookup = time.perf_counter() - start
    return create, listing, lookup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=150_000)
    parser.add_argument("--segments", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fs-export-bench-") as tmp:
        work = Path(tmp)
        folder = work / "big.fieldscribe"
        start = time.perf_counter()
        build(folder, args.segments, args.codings)
        print(
            f"built {args.codings:,} codings on {args.segments:,} segments "
            f"in {time.perf_counter() - start:.1f} s"
        )
        csv_s = timed_export(folder, work / "codings.csv")
        xlsx_s = timed_export(folder, work / "codings.xlsx")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"export-codings {args.codings:,} codings:")
        print(
            f"  xlsx (streamed)  : {xlsx_s:6.1f} s  "
            f"{(work / 'codings.xlsx').stat().st_size / 2**20:6.1f} MiB"
        )
        print(
            f"  csv  (peer)      : {csv_s:6.1f} s  "
            f"{(work / 'codings.csv').stat().st_size / 2**20:6.1f} MiB"
        )
        print(f"  xlsx / csv: {xlsx_s / csv_s:.1f}x   peak memory {peak:.0f} MiB")
        create, listing, lookup = deep_paths(work)
        print(
            f"code path {MAX_CODE_DEPTH} levels deep (the cap): created in {create * 1000:.0f} ms"
        )
        print(
            f"codebook with a 1,200-level chain (from an old merge): listed in "
            f"{listing * 1000:.0f} ms, deepest code looked up in {lookup * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()

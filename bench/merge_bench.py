"""Merge and agreement at team scale.

Ten bundles from ten coders, each with 50,000 codings, on a shared 300,000-segment project:
prints the time to merge all ten (goal: under 10 s), the merge's peak memory, and the time to
compute agreement for ten coders (goal: under 5 s). It also merges the same codings from
``--since`` bundles (what later exchanges send). Peers measured in the same run:

* merge: a plain ``INSERT INTO codings SELECT ... FROM bundle`` of the same codings (no
  validation, no version rules, no FTS): the floor any merge pays;
* agreement: the ``krippendorff`` package on the dense coders x segments matrix of one code,
  next to our figure for that code (same value expected).

Setup writes rows with executemany (a bench may write SQL to build data quickly), with ids from
the app's own generator (``storage.core.ids.new_id``), made in the order the app would make them:
segments in transcript order, each coder's codings one after another.

    nice -n 10 python bench/merge_bench.py [--segments 300000] [--codings 50000] [--coders 10]
        [--reuse DIR]   # set up in DIR once, later runs reuse its bundles (a DIR set up by an
                        # older bench holds random version-4 ids: use a new DIR for today's ids)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Project
from storage.core.ids import new_id
from storage.team.bundle_export import export_bundle
from storage.team.bundle_open import open_bundle

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import insert_segments

N_CODES = 20
SINCE = "2026-03-02"  # after the lead's rows, before every coder's codings


def setup(work: Path, n_segments: int, n_codings: int, n_coders: int) -> None:
    rng = random.Random(42)
    lead = Project.create(work / "lead.fieldscribe", coder="lead")
    conn = lead.db.conn
    ts = "2026-03-01T10:00:00.000Z"
    sessions = [new_id() for _ in range(30)]
    codes = [new_id() for _ in range(N_CODES)]
    with lead.transaction():
        conn.executemany(
            "INSERT INTO sessions (id, title, kind, status, created_by, created_at, updated_at)"
            " VALUES (?, ?, 'focus_group', 'transcribed', 'lead', ?, ?)",
            [(s, f"Session {i}", ts, ts) for i, s in enumerate(sessions)],
        )
        segments = insert_segments(
            conn,
            sessions,
            n_segments,
            speaker=lambda i: f"S{i % 6}",
            text=lambda i: f"participant {i % 97} talks about topic {i % 13} and the clinic {i}",
            ts=ts,
        )
        conn.executemany(
            "INSERT INTO codes (id, parent_id, name, colour, created_by, created_at, updated_at)"
            " VALUES (?, NULL, ?, '#888888', 'lead', ?, ?)",
            [(c, f"Code {i}", ts, ts) for i, c in enumerate(codes)],
        )
    lead.transcript.rebuild_search_index()
    lead.close()
    # the agreed "truth" most coders mostly follow
    truth = [(rng.randrange(n_segments), rng.randrange(N_CODES)) for _ in range(n_codings)]
    for k in range(n_coders):
        name = f"coder{k:02d}"
        folder = work / f"{name}.fieldscribe"
        shutil.copytree(work / "lead.fieldscribe", folder, ignore=shutil.ignore_patterns("*.lock"))
        chosen: set[tuple[int, int]] = set()
        for pair in truth:
            chosen.add(pair if rng.random() < 0.8 else (rng.randrange(n_segments), pair[1]))
        with Project.open(folder, coder=name) as p:
            p.set_meta("owner", name)
            cts = f"2026-03-0{2 + k % 7}T12:00:00.000Z"
            with p.transaction():
                p.db.conn.executemany(
                    "INSERT INTO codings (id, segment_id, code_id, coder, created_by,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        (new_id(), segments[s], codes[c], name, name, cts, cts)
                        for s, c in sorted(chosen)
                    ),
                )
            export_bundle(p, work / f"{name}.fsbundle")
            # what a coder sends on later exchanges: only what changed since the last one
            (work / "since").mkdir(exist_ok=True)
            export_bundle(p, work / "since" / f"{name}.fsbundle", since=SINCE)
        shutil.rmtree(folder)


def _copy_lead(work: Path, name: str) -> Path:
    """Copy the lead's project for one phase, on disk before the clock starts.

    A project being merged into was written long before; a fresh copy's pages would otherwise
    still wait in the OS's write cache, and the first commit's fsync would write them inside
    the timed part.
    """
    target = work / name
    shutil.copytree(work / "lead.fieldscribe", target, ignore=shutil.ignore_patterns("*.lock"))
    for item in target.rglob("*"):
        if item.is_file():
            with open(item, "rb") as fh:
                os.fsync(fh.fileno())
    return target


def _peak_mib() -> float:
    # VmHWM is this program's own peak; ru_maxrss survives exec on Linux, so a phase's child
    # would report the parent's peak from the setup
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_merge(work: Path) -> dict[str, float]:
    bundles = sorted(work.glob("coder*.fsbundle"))
    target = _copy_lead(work, "merge.fieldscribe")
    from storage.team.merging import merge_bundles

    with Project.open(target) as p:
        started, cpu = time.perf_counter(), time.process_time()
        summaries = merge_bundles(p, bundles)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = _peak_mib()
        codings = p.db.conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    added = sum(s.tables["codings"].added for s in summaries)
    return {"seconds": elapsed, "cpu": cpu, "peak_mib": peak, "codings": codings, "added": added}


def phase_merge_since(work: Path) -> dict[str, float]:
    """Merge the ``--since`` bundles (each coder's codings only) into a copy of the lead."""
    bundles = sorted((work / "since").glob("coder*.fsbundle"))
    target = _copy_lead(work, "since.fieldscribe")
    from storage.team.merging import merge_bundles

    with Project.open(target) as p:
        started, cpu = time.perf_counter(), time.process_time()
        summaries = merge_bundles(p, bundles)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    added = sum(s.tables["codings"].added for s in summaries)
    mib = sum(b.stat().st_size for b in bundles) / 2**20
    return {"seconds": elapsed, "cpu": cpu, "peak_mib": _peak_mib(), "added": added, "mib": mib}


def phase_peer_merge(work: Path) -> dict[str, float]:
    """The floor: unpack each bundle and copy its codings with one INSERT ... SELECT."""
    bundles = sorted(work.glob("coder*.fsbundle"))
    target = _copy_lead(work, "peer.fieldscribe")
    conn = sqlite3.connect(target / "project.db")
    conn.isolation_level = None
    started, cpu = time.perf_counter(), time.process_time()
    for bundle in bundles:
        with open_bundle(bundle) as opened:
            conn.execute("ATTACH DATABASE ? AS b", (str(opened.db_path),))
            conn.execute("BEGIN")
            conn.execute("INSERT OR IGNORE INTO coders SELECT * FROM b.coders")
            conn.execute(
                "INSERT OR IGNORE INTO codings (id, segment_id, code_id, coder, start_cp, end_cp,"
                " memo, created_by, created_at, updated_at) SELECT id, segment_id, code_id,"
                " coder, start_cp, end_cp, memo, created_by, created_at, updated_at FROM b.codings"
            )
            conn.execute("COMMIT")
            conn.execute("DETACH DATABASE b")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return {"seconds": elapsed, "cpu": cpu, "peak_mib": _peak_mib()}


def phase_agreement(work: Path) -> dict[str, float]:
    import krippendorff
    import numpy as np

    from analysis.agreement import compute_agreement

    with Project.open(work / "merge.fieldscribe", readonly=True) as p:
        # what `fieldscribe agreement DIR` does (texts only come with --disagreements)
        started, cpu = time.perf_counter(), time.process_time()
        data = p.team.agreement_data(with_texts=False)
        loaded = time.perf_counter() - started
        report = compute_agreement(data)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        texts_started = time.perf_counter()
        p.team.agreement_data()
        with_texts = time.perf_counter() - texts_started
    code_id, entry = next((c.code_id, c) for c in report.codes if c.units)
    # peer: the krippendorff package on the dense matrix of that code (everyone coded all)
    index = {s[0]: i for i, s in enumerate(data.segments)}
    coders = {c: i for i, c in enumerate(data.coders)}
    dense = np.zeros((len(coders), len(index)))
    for seg, code, who, _a, _b in data.codings:
        if code == code_id:
            dense[coders[who], index[seg]] = 1.0
    peer_start = time.perf_counter()
    peer = krippendorff.alpha(reliability_data=dense, level_of_measurement="nominal")
    peer_seconds = time.perf_counter() - peer_start
    return {
        "seconds": elapsed,
        "cpu": cpu,
        "load_seconds": loaded,
        "load_with_texts_seconds": with_texts,
        "coders": len(report.coders),
        "units": report.overall.units,
        "alpha_overall": report.overall.alpha.value or 0.0,
        "alpha_code": entry.alpha.value or 0.0,
        "peer_alpha_code": float(peer),
        "peer_seconds_one_code": peer_seconds,
        "peak_mib": _peak_mib(),
    }


def _child(phase: str, work: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--work", str(work)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=300_000)
    parser.add_argument("--codings", type=int, default=50_000)
    parser.add_argument("--coders", type=int, default=10)
    parser.add_argument("--phase", choices=["merge", "since", "peer", "agreement"])
    parser.add_argument("--work", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--reuse",
        type=Path,
        help="work folder: set up there if empty, else reuse its bundles (kept afterwards)",
    )
    args = parser.parse_args()
    if args.phase:
        fn = {
            "merge": phase_merge,
            "since": phase_merge_since,
            "peer": phase_peer_merge,
            "agreement": phase_agreement,
        }
        print(json.dumps(fn[args.phase](args.work)))
        return
    if args.reuse:
        work = args.reuse
        work.mkdir(parents=True, exist_ok=True)
        args.keep = True
        for stale in ("merge", "peer", "since"):
            shutil.rmtree(work / f"{stale}.fieldscribe", ignore_errors=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="fs-merge-bench-"))
    try:
        started = time.perf_counter()
        reused = (work / "lead.fieldscribe").is_dir()
        if not reused:
            setup(work, args.segments, args.codings, args.coders)
        size = sum(b.stat().st_size for b in work.glob("coder*.fsbundle")) / 2**20
        with sqlite3.connect(work / "lead.fieldscribe" / "project.db") as conn:
            n_segments = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        n_bundles = len(list(work.glob("coder*.fsbundle")))
        print(
            f"setup{' (reused)' if reused else ''}: {n_segments} segments, {n_bundles} bundles "
            f"({size:.0f} MiB of bundles) in {time.perf_counter() - started:.1f} s"
        )
        merge = _child("merge", work)
        peer = _child("peer", work)
        print(
            f"merge {n_bundles} bundles: {merge['seconds']:.2f} s (goal < 10 s; CPU "
            f"{merge['cpu']:.2f} s), peak RSS {merge['peak_mib']:.0f} MiB, "
            f"{merge['added']:.0f} codings added"
        )
        print(
            f"  peer (unpack + bare INSERT ... SELECT of the codings): {peer['seconds']:.2f} s "
            f"(CPU {peer['cpu']:.2f} s), peak RSS {peer['peak_mib']:.0f} MiB"
        )
        since = _child("since", work)
        print(
            f"merge {n_bundles} --since bundles ({since['mib']:.1f} MiB, the codings only): "
            f"{since['seconds']:.2f} s (CPU {since['cpu']:.2f} s), peak RSS "
            f"{since['peak_mib']:.0f} MiB, {since['added']:.0f} codings added"
        )
        agreement = _child("agreement", work)
        print(
            f"agreement, {agreement['coders']:.0f} coders, {agreement['units']:.0f} "
            f"(segment, code) units: {agreement['seconds']:.2f} s (goal < 5 s; CPU "
            f"{agreement['cpu']:.2f} s; loading {agreement['load_seconds']:.2f} s, "
            f"{agreement['load_with_texts_seconds']:.2f} s with the texts for "
            f"--disagreements), overall alpha {agreement['alpha_overall']:.4f}"
        )
        print(
            f"  peer (krippendorff package, dense matrix, one code only): "
            f"{agreement['peer_seconds_one_code']:.2f} s; alpha of that code "
            f"{agreement['alpha_code']:.6f} (ours) vs {agreement['peer_alpha_code']:.6f} (peer)"
        )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

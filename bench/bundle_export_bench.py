"""Team bundle export at field scale: the snapshot's sanitising and stripping.

Builds a project of ``--segments`` segments in 20 sessions, with participants whose real names
are mapped to pseudonyms (so most texts change in the bundle), redactions, span codings with
memos, markers, speaker turns and an open conflict, then exports a full and a ``--since`` bundle
``--repeat`` times and prints the CPU time (``time.process_time``) of one export of each.
``--dump FILE`` writes every row of the last full bundle's database, table by table in a fixed
order, to compare the bundles two versions of the code write (row for row).

    nice -n 10 python bench/bundle_export_bench.py [--segments 20000] [--repeat 3] [--dump F]
        [--project DIR]   # same project for two versions of the code
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Project
from storage.core.ids import new_id
from storage.team.bundle_export import export_bundle

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import insert_segments

NAMES = ["Aigerim", "Daniyar", "Svetlana", "Nurlan", "Olga", "Yerlan"]
SINCE = "2026-03-02"


def setup(folder: Path, n_segments: int) -> Project:
    p = Project.create(folder, coder="lead")
    conn = p.db.conn
    ts = "2026-03-01T10:00:00.000Z"
    sessions = [new_id() for _ in range(20)]
    with p.transaction():
        conn.executemany(
            "INSERT INTO sessions (id, title, kind, status, created_by, created_at, updated_at)"
            " VALUES (?, ?, 'focus_group', 'transcribed', 'lead', ?, ?)",
            [(s, f"Session with {NAMES[i % 6]}", ts, ts) for i, s in enumerate(sessions)],
        )
        segments = insert_segments(
            conn,
            sessions,
            n_segments,
            speaker=lambda i: NAMES[i % 6] if i % 3 else f"S{i % 4}",
            text=lambda i: f"{NAMES[i % 6]} said topic {i % 13} at the clinic {i}",
            ts=ts,
        )
        conn.executemany(
            "INSERT INTO speaker_turns (id, session_id, run_id, run_at, speaker, start_ms, end_ms,"
            " created_by, created_at, updated_at) VALUES (?, ?, 'r1', ?, ?, ?, ?, 'lead', ?, ?)",
            [
                (new_id(), s, ts, NAMES[k % 6], k * 1000, k * 1000 + 900, ts, ts)
                for s in sessions
                for k in range(50)
            ],
        )
    for i, name in enumerate(NAMES):
        part = p.sessions.add_participant(f"P{i + 1:02d}", {"age": str(20 + i)})
        p.privacy.set_pseudonym(name, f"P{i + 1:02d}", participant_id=part.id)
    codes = [
        p.codebook.add_code(f"Code {i}", description=f"about {NAMES[i % 6]}") for i in range(8)
    ]
    for k, seg in enumerate(segments[: min(3000, n_segments)]):
        if k % 2:
            p.codebook.apply_code(seg, codes[k % 8].id, memo=f"{NAMES[k % 6]} again")
        else:
            p.codebook.apply_code(seg, codes[k % 8].id, start_cp=0, end_cp=5)
    for k, seg in enumerate(segments[:200]):
        p.redactions.redact(seg, 0, 3)
        p.codebook.add_memo("segment", seg, f"note on {NAMES[k % 6]}", title="memo")
    for k, s in enumerate(sessions):
        p.sessions.add_marker(s, 1000 * k, f"{NAMES[k % 6]} laughs", note="aside")
    return p


def canonical_rows(bundle: Path) -> list[str]:
    """Every row of a bundle's database, tables in name order, rows sorted."""
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(bundle) as zf:
        db = Path(zf.extract("project.db", tmp))
        conn = sqlite3.connect(db)
        out = []
        for (table,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ):
            rows = [
                json.dumps(r, ensure_ascii=False) for r in conn.execute(f'SELECT * FROM "{table}"')
            ]
            out += [f"{table}\t{r}" for r in sorted(rows)]
        conn.close()
        manifest = json.loads(zf.read("manifest.json"))
    out.append("counts\t" + json.dumps(manifest["counts"], sort_keys=True))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--segments", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--project", type=Path, help="build the project here once, reuse it later")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.project and args.project.exists():
            shutil.copytree(args.project, work / "lead.fieldscribe")
            p = Project.open(work / "lead.fieldscribe", coder="lead")
        else:
            p = setup(work / "lead.fieldscribe", args.segments)
            if args.project:
                p.close()
                shutil.copytree(work / "lead.fieldscribe", args.project)
                p = Project.open(work / "lead.fieldscribe", coder="lead")
        try:
            for label, since in (("full", None), ("since", SINCE)):
                best, wall = float("inf"), float("inf")
                for _ in range(args.repeat):
                    cpu, started = time.process_time(), time.perf_counter()
                    export_bundle(p, work / f"{label}.fsbundle", since=since)
                    best = min(best, time.process_time() - cpu)
                    wall = min(wall, time.perf_counter() - started)
                n = p.db.conn.execute("SELECT count(*) FROM segments").fetchone()[0]
                print(f"bundle export ({label}, {n} segments): {best:.3f} s CPU, {wall:.3f} s wall")
            if args.dump:
                args.dump.write_text("\n".join(canonical_rows(work / "full.fsbundle")) + "\n")
        finally:
            p.close()


if __name__ == "__main__":
    main()

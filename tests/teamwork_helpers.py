"""Shared helpers of the teamwork tests: projects, bundles, dumps and bundle tampering."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

from storage import Project, SegmentDraft
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles

# The audit log records every merge and export, so it grows even when nothing else changes.
SKIP_TABLES = {"_sqlite_migrations", "audit_log"}


def dump(folder: Path, *, ignore_seq: bool = False) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a project database (FTS shadow tables included)."""
    conn = sqlite3.connect(folder / "project.db")
    try:
        result: dict[str, list[tuple[object, ...]]] = {}
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for name in names:
            if name in SKIP_TABLES or (ignore_seq and name.startswith("segments_fts")):
                continue
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            if ignore_seq:
                cols = [c for c in cols if c != "seq"]
            sel = ", ".join(f'"{c}"' for c in cols)
            rows = conn.execute(f'SELECT {sel} FROM "{name}"').fetchall()
            result[name] = sorted(rows, key=repr)
        return result
    finally:
        conn.close()


def make_lead(tmp: Path, n_segments: int = 6) -> tuple[Project, list[str]]:
    """A lead project with one interview of ``n_segments`` segments and one code."""
    lead = Project.create(tmp / "lead.fieldscribe", coder="lead")
    session = lead.sessions.add_session("Interview 1")
    drafts = [
        SegmentDraft(i * 1000, i * 1000 + 900, f"segment number {i} talks about clinics", "S1")
        for i in range(n_segments)
    ]
    segs = [s.id for s in lead.transcript.add_segments(session.id, drafts)]
    lead.codebook.ensure_code_path("Services/Health")
    return lead, segs


def forget_lead(project: Project) -> None:
    """Make ``project`` look made before projects recorded their lead (none recorded)."""
    with project.store.tx() as db:
        db.conn.execute("DELETE FROM project_meta WHERE key IN ('lead', 'lead:changed')")


def team(tmp: Path, *names: str) -> tuple[Project, list[str], dict[str, Project]]:
    """A lead project plus one project per coder started from the lead's bundle."""
    lead, segs = make_lead(tmp)
    export_bundle(lead, tmp / "lead.fsbundle")
    coders = {
        name: Project.from_bundle(tmp / "lead.fsbundle", tmp / f"{name}.fieldscribe", coder=name)
        for name in names
    }
    return lead, segs, coders


_SENT = itertools.count()


def send(source: Project, target: Project, folder: Path) -> Path:
    """``source``'s bundle, exported into ``folder`` under a new name, merged into ``target``."""
    path = folder / f"sent-{next(_SENT)}.fsbundle"
    export_bundle(source, path)
    merge_bundles(target, [path])
    return path


def rebuild(
    good: Path,
    out: Path,
    *,
    db_change: Callable[[sqlite3.Connection], None] | None = None,
    db_file_change: Callable[[Path], None] | None = None,
    manifest_change: Callable[[dict[str, object]], None] | None = None,
    fix_checksums: bool = True,
    extra: list[tuple[zipfile.ZipInfo | str, bytes]] | None = None,
) -> Path:
    """Copy a good bundle with its database (through SQLite or its bytes) and/or manifest
    changed (checksums redone)."""
    work = out.with_suffix(".d")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    with zipfile.ZipFile(good) as zf:
        zf.extractall(work)
    db = work / "project.db"
    db.chmod(0o600)
    if db_change is not None:
        conn = sqlite3.connect(db)
        conn.isolation_level = None
        conn.execute("PRAGMA ignore_check_constraints = ON")  # a hostile sender would
        db_change(conn)
        conn.close()
    if db_file_change is not None:  # the file's bytes (a damaged page, say)
        db_file_change(db)
    manifest = json.loads((work / "manifest.json").read_text())
    if fix_checksums:
        data = db.read_bytes()
        manifest["members"]["project.db"] = {  # type: ignore[index]
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    if manifest_change is not None:
        manifest_change(manifest)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.write(db, "project.db")
        for info, payload in extra or []:
            zf.writestr(info, payload)
    shutil.rmtree(work)
    return out

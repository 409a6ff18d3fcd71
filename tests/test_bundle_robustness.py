"""Bundles as real teams produce them: older schemas, newer ones, damaged files, repeats.

Older bundles are built here as a FieldScribe at migration N wrote them: a database made by the
first N migrations only (no later tables or columns), filled with a current bundle's rows, its
triggers and search index dropped as an export drops them, ``user_version`` and the manifest
saying N. Each merges and brings its codings. Every refusal is checked through the command line
as a user meets it: exit status 1, one line naming the file, and the project unchanged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage import Project
from storage.core.errors import NewerSchemaError
from storage.core.schema import MIGRATION_SET, MIGRATION_STEPS, SCHEMA_VERSION
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.hardening_support import fs_here
from tests.teamwork_helpers import dump, rebuild, team


def fs(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``fieldscribe ARGS`` through the CLI's entry point (its code, stdout and stderr as a
    fresh ``main.py`` gives them, without 0.5 s of CPU to start one)."""
    return fs_here(*args, ok=False)


def old_bundle(good: Path, out: Path, n: int) -> Path:
    """``good`` as FieldScribe at migration ``n`` would have written it."""
    work = out.with_suffix(".d")
    work.mkdir()
    with zipfile.ZipFile(good) as zf:
        zf.extractall(work)
    db_path = work / "old.db"
    db = Database(sqlite3.connect(db_path))
    migrations = Migrations(MIGRATION_SET)
    for name, fn in MIGRATION_STEPS[:n]:
        migrations(name=name)(fn)
    migrations.apply(db)
    conn = db.conn
    conn.execute(f"PRAGMA user_version = {n}")
    for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
    ).fetchall():
        conn.execute(f'DROP {kind} "{name}"')
    conn.execute("DROP TABLE IF EXISTS segments_fts")
    conn.commit()
    conn.execute("ATTACH ? AS s", (str(work / "project.db"),))
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite%' AND name <> '_sqlite_migrations'"
        )
    ]
    for table in tables:
        ours = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')]
        theirs = {r[1] for r in conn.execute(f'PRAGMA s.table_info("{table}")')}
        cols = ", ".join(f'"{c}"' for c in ours if c in theirs)
        conn.execute(f'DELETE FROM main."{table}"')
        if theirs:
            conn.execute(f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM s."{table}"')
    conn.commit()
    conn.execute("DETACH s")
    conn.execute("VACUUM")
    conn.close()
    manifest = json.loads((work / "manifest.json").read_text())
    data = db_path.read_bytes()
    manifest["schema_version"] = n
    manifest["members"]["project.db"] = {
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.write(db_path, "project.db")
    shutil.rmtree(work)
    return out


def _coded(tmp: Path) -> tuple[Project, list[str], Path]:
    lead, segs, coders = team(tmp, "ann")
    ann = coders["ann"]
    code = ann.codebook.ensure_code_path("Тақырып/ёлка")
    for seg in segs[:3]:
        ann.codebook.apply_code(seg, code.id)
    ann.codebook.apply_code(segs[4], code.id, start_cp=8, end_cp=14)  # "number"
    export_bundle(ann, tmp / "ann.fsbundle")
    ann.close()
    return lead, segs, tmp / "ann.fsbundle"


@pytest.mark.parametrize("n", range(1, SCHEMA_VERSION + 1))
def test_a_bundle_of_every_older_schema_merges_with_its_codings(tmp_path: Path, n: int) -> None:
    lead, segs, good = _coded(tmp_path)
    old = old_bundle(good, tmp_path / f"schema{n}.fsbundle", n)
    (summary,) = merge_bundles(lead, [old])
    assert summary.table("codings").added == 4
    text = lead.transcript.get_segment(segs[4]).text
    spans = sorted(
        text[c.start_cp : c.end_cp] for c in lead.codebook.codings() if c.start_cp is not None
    )
    assert spans == ["number"]
    assert lead.codebook.find_code("Тақырып/ёлка") is not None
    before = dump(lead.folder)
    merge_bundles(lead, [old])  # again: nothing changes
    assert dump(lead.folder) == before
    lead.close()


def _refused_by_cli(folder: Path, bundle: Path, *more: str) -> str:
    """Merge through the command line; it must refuse in one line and change nothing."""
    before = dump(folder)
    result = fs("bundle", "merge", folder, bundle, *more)
    err = result.stderr.strip()
    assert result.returncode == 1, (result.stdout, err)
    assert len(err.splitlines()) == 1 and err.startswith("fieldscribe: error:"), err
    assert dump(folder) == before
    return err


def test_a_manifest_from_a_newer_fieldscribe_is_refused(tmp_path: Path) -> None:
    """A newer FieldScribe's bundle says so in its manifest: refused before anything is read."""
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    newer = rebuild(
        good,
        tmp_path / "newer.fsbundle",
        manifest_change=lambda m: m.update(schema_version=SCHEMA_VERSION + 1),
    )
    with Project.open(lead.folder) as p, pytest.raises(NewerSchemaError, match="newer"):
        merge_bundles(p, [newer])
    err = _refused_by_cli(lead.folder, newer)
    assert "newer FieldScribe" in err and "Update FieldScribe" in err and str(newer) in err


def test_a_truncated_bundle_says_it_is_incomplete(tmp_path: Path) -> None:
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    data = good.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 100):
        part = tmp_path / f"cut{cut}.fsbundle"
        part.write_bytes(data[:cut])
        err = _refused_by_cli(lead.folder, part)
        assert "incomplete or damaged" in err and "again" in err and str(part) in err


def test_a_project_database_given_as_a_bundle_says_what_to_do(tmp_path: Path) -> None:
    lead, _segs, _good = _coded(tmp_path)
    lead.close()
    raw = tmp_path / "project-copy.fsbundle"
    shutil.copy(tmp_path / "ann.fieldscribe" / "project.db", raw)
    err = _refused_by_cli(lead.folder, raw)
    assert "SQLite database" in err and "bundle export" in err


def _drop_codings(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE codings")


def _future_migration(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('fieldscribe', '0099_future', '2030-01-01')"
    )


def _future_user_version(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("not a zip", "not a FieldScribe bundle"),
        ("empty", "not a FieldScribe bundle"),
        ("zip without manifest", "zipped FieldScribe project folder"),
        ("no codings table", "no table 'codings'"),
        ("missing column", "lacks column 'memo'"),
        ("future migration", "newer FieldScribe"),
        ("future user_version", "newer FieldScribe"),
        ("other project", "another project"),
        ("wrong passphrase", "wrong passphrase"),
        ("encrypted, no passphrase", "--passphrase-file"),
    ],
)
def test_the_cli_refuses_damaged_and_foreign_bundles_in_one_line(
    tmp_path: Path, case: str, expected: str
) -> None:
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    bad = tmp_path / "bad.fsbundle"
    more: list[str] = []
    if case == "not a zip":
        bad.write_text("field notes, not a bundle\n")
    elif case == "empty":
        bad.write_bytes(b"")
    elif case == "zip without manifest":
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("project.db", b"SQLite format 3\x00")
    elif case == "no codings table":
        rebuild(good, bad, db_change=_drop_codings)
    elif case == "missing column":
        rebuild(good, bad, db_change=lambda c: c.execute("ALTER TABLE codings DROP COLUMN memo"))
    elif case == "future migration":
        rebuild(good, bad, db_change=_future_migration)
    elif case == "future user_version":
        rebuild(good, bad, db_change=_future_user_version)
    elif case == "other project":
        other = Project.create(tmp_path / "other.fieldscribe", coder="zed")
        export_bundle(other, bad)
        other.close()
    else:
        pw = tmp_path / "pw.txt"
        pw.write_text("right horse battery\n")
        assert fs("bundle", "export", tmp_path / "ann.fieldscribe", "-o", bad, "--encrypt",
                  "--passphrase-file", pw).returncode == 0  # fmt: skip
        if case == "wrong passphrase":
            wrong = tmp_path / "wrong.txt"
            wrong.write_text("wrong horse\n")
            more = ["--passphrase-file", str(wrong)]
    err = _refused_by_cli(lead.folder, bad, *more)
    assert expected in err and str(bad) in err


def test_the_same_bundle_merged_twice_and_in_one_call_changes_nothing_more(
    tmp_path: Path,
) -> None:
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    assert fs("bundle", "merge", lead.folder, good).returncode == 0
    once = dump(lead.folder)
    again = fs("bundle", "merge", lead.folder, good, good, "--json")
    assert again.returncode == 0
    assert dump(lead.folder) == once
    for summary in json.loads(again.stdout)["bundles"]:
        assert all(
            t["added"] == t["updated"] == t["conflicts"] == t["deleted"] == 0
            for t in summary["tables"].values()
        )
    # a refusal after a good bundle: the good one stays merged, the bad one changes nothing
    with Project.open(lead.folder) as p, pytest.raises(InvalidBundleError):
        merge_bundles(p, [good, tmp_path / "missing.fsbundle"])
    assert dump(lead.folder) == once

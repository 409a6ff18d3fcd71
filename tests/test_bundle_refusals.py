"""Every refusal of a bundle, through the command line as a user meets it: exit status 1, one
line naming the file that says what is wrong, then "; nothing was changed.", then what to do
where there is something (``storage.team.bundle.refusal``); the project's database file is
byte for byte as it was. Before, the wording went its own way at each check: "...; refusing
it.", "...; refusing the bundle.", "Nothing changed.", or no word of the project at all
("the manifest lists no members.", "the bundle has no project.db.", "member 'x' is a link;
refusing the bundle.")."""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage import Project
from storage.core.schema import SCHEMA_VERSION
from storage.team.bundle import NOTHING_CHANGED
from storage.team.bundle_export import export_bundle
from tests.hardening_support import fs_here
from tests.teamwork_helpers import rebuild, team

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A lead project (closed) and a good bundle of a coder's copy with codings."""
    tmp = tmp_path_factory.mktemp("refusals")
    lead, segs, coders = team(tmp, "ann")
    ann = coders["ann"]
    code = ann.codebook.ensure_code_path("Тақырып")
    ann.codebook.apply_code(segs[0], code.id)
    ann.codebook.apply_code(segs[1], code.id, start_cp=8, end_cp=14)
    export_bundle(ann, tmp / "ann.fsbundle")
    ann.close()
    lead.close()
    return lead.folder, tmp / "ann.fsbundle"


def _zip(out: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out


def _parts(good: Path) -> tuple[dict[str, Any], bytes]:
    with zipfile.ZipFile(good) as zf:
        return json.loads(zf.read("manifest.json")), zf.read("project.db")


def _with_manifest(change: Callable[[dict[str, Any]], None]) -> Callable[[Path, Path], Path]:
    return lambda good, out: rebuild(good, out, manifest_change=change)


def _with_db(change: Callable[[sqlite3.Connection], None]) -> Callable[[Path, Path], Path]:
    return lambda good, out: rebuild(good, out, db_change=change)


def _extra(name: str, listed: bool) -> Callable[[Path, Path], Path]:
    """The good bundle with one more member ``name`` (in the manifest or not)."""

    def build(good: Path, out: Path) -> Path:
        manifest, db = _parts(good)
        if listed:
            manifest["members"][name] = {"size": 1, "sha256": hashlib.sha256(b"x").hexdigest()}
        return _zip(
            out, {"manifest.json": json.dumps(manifest).encode(), "project.db": db, name: b"x"}
        )

    return build


def _missing(good: Path, out: Path) -> Path:
    manifest, db = _parts(good)
    manifest["members"]["media/a.wav"] = {"size": 1, "sha256": "0" * 64}
    return _zip(out, {"manifest.json": json.dumps(manifest).encode(), "project.db": db})


def _twice(good: Path, out: Path) -> Path:
    manifest, db = _parts(good)
    with pytest.warns(UserWarning), zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("project.db", db)
        zf.writestr("project.db", db)
    return out


def _other_project(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE project_meta SET value = 'other' WHERE key = 'project_id'")


def _dangling(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE codings SET segment_id = 'nowhere'")


CASES: list[tuple[str, Callable[[Path, Path], Path], str]] = [
    ("no file", lambda good, out: out, "no such bundle file"),
    ("a folder", lambda good, out: (out.mkdir(), out)[1], "is a folder, not a bundle file"),
    ("a text file", lambda good, out: (out.write_text("hello"), out)[1], "(not a zip file)"),
    (
        "a database",
        lambda good, out: (out.write_bytes(b"SQLite format 3\x00" + b"\0" * 100), out)[1],
        "is a SQLite database",
    ),
    (
        "cut short",
        lambda good, out: (out.write_bytes(good.read_bytes()[:300]), out)[1],
        "is incomplete or damaged",
    ),
    (
        "no manifest",
        lambda good, out: _zip(out, {"a.txt": b"x"}),
        "a zip file without manifest.json",
    ),
    ("a qdpx", lambda good, out: _zip(out, {"project.qde": b"<x/>"}), "is a REFI-QDA project"),
    ("a member twice", _twice, "the bundle lists a member twice"),
    (
        "manifest not JSON",
        lambda good, out: _zip(out, {"manifest.json": b"{", "project.db": b""}),
        "manifest.json is not valid JSON",
    ),
    (
        "wrong format",
        _with_manifest(lambda m: m.update(format="other")),
        "wrong manifest format",
    ),
    (
        "newer format",
        _with_manifest(lambda m: m.update(format_version=99)),
        "uses bundle format 99",
    ),
    (
        "no format version",
        _with_manifest(lambda m: m.pop("format_version")),
        "no bundle format version",
    ),
    ("no members", _with_manifest(lambda m: m.update(members=[])), "the manifest lists no members"),
    (
        "bad member entry",
        _with_manifest(lambda m: m["members"].update({"project.db": {"size": -1}})),
        "the manifest entry of 'project.db' is invalid",
    ),
    ("no coder", _with_manifest(lambda m: m.pop("coder")), "the manifest has no coder"),
    (
        "no schema version",
        _with_manifest(lambda m: m.pop("schema_version")),
        "the manifest has no schema version",
    ),
    (
        "newer schema",
        _with_manifest(lambda m: m.update(schema_version=SCHEMA_VERSION + 1)),
        "was written by a newer FieldScribe",
    ),
    ("unlisted member", _extra("media/a.wav", listed=False), "is not in the manifest"),
    ("unsafe name", _extra("../a.wav", listed=True), "unsafe member name"),
    ("unexpected member", _extra("notes.txt", listed=True), "unexpected member 'notes.txt'"),
    ("listed, missing", _missing, "'media/a.wav' is in the manifest but missing"),
    (
        "wrong size",
        lambda good, out: rebuild(
            good,
            out,
            manifest_change=lambda m: m["members"]["project.db"].update(size=1),
            fix_checksums=False,
        ),
        "project.db is damaged",
    ),
    (
        "a trigger",
        _with_db(lambda c: c.execute("CREATE TRIGGER t AFTER INSERT ON codes BEGIN SELECT 1; END")),
        "the bundle's database has a trigger (t)",
    ),
    (
        "a view",
        _with_db(lambda c: c.execute("CREATE VIEW v AS SELECT 1")),
        "the bundle's database has a view (v)",
    ),
    (
        "not a project",
        _with_db(lambda c: c.execute("DROP TABLE project_meta")),
        "project.db is not a FieldScribe project",
    ),
    ("two projects", _with_db(_other_project), "the manifest and the database name different"),
    (
        "another project",
        lambda good, out: rebuild(
            good,
            out,
            db_change=_other_project,
            manifest_change=lambda m: m.update(project_id="other"),
        ),
        "belongs to another project",
    ),
    (
        "no table",
        _with_db(lambda c: c.execute("DROP TABLE links")),
        "the bundle has no table 'links'",
    ),
    (
        "bad value",
        _with_db(lambda c: c.execute("UPDATE codings SET start_cp = 'x'")),
        "of 'codings'",
    ),
    ("dangling rows", _with_db(_dangling), "some rows refer to rows that exist neither"),
]


def _hash(folder: Path) -> str:
    return hashlib.sha256((folder / "project.db").read_bytes()).hexdigest()


@pytest.mark.parametrize(("case", "build", "said"), CASES, ids=[c[0] for c in CASES])
def test_each_refusal_says_what_is_wrong_and_that_nothing_was_changed(
    made: tuple[Path, Path],
    tmp_path: Path,
    case: str,
    build: Callable[[Path, Path], Path],
    said: str,
) -> None:
    folder, good = made
    bad = build(good, tmp_path / "bad.fsbundle")
    before = _hash(folder)
    result = fs_here("bundle", "merge", folder, bad, ok=False)
    err = result.stderr.strip()
    assert result.returncode == 1, (result.stdout, err)
    assert len(err.splitlines()) == 1, err
    line = err.removeprefix("fieldscribe: error: ")
    assert line.startswith(str(bad)), line
    assert said in line, line
    what, sep, advice = line.partition(f"; {NOTHING_CHANGED}")
    assert sep and said in what, line  # what is wrong, then that nothing was changed
    assert not advice or (advice.startswith(" ") and advice[1].isupper()), line
    assert _hash(folder) == before


def test_every_refusal_in_the_code_is_worded_by_refusal() -> None:
    """No bundle refusal writes its own words: every ``InvalidBundleError`` (and its kin) made
    in the bundle and merge code is ``refused(...)`` or ``refusal(...)``, or passes on such a
    message (with the user's file named in place of its decrypted copy)."""
    own: list[str] = []
    for path in sorted((ROOT / "storage" / "team").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("InvalidBundleError", "OtherProjectBundleError"):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Call) and isinstance(first.func, (ast.Name, ast.Attribute)):
                continue  # a message made by a function: refusal(), not_a_file(), str(exc)...
            own.append(f"{path.name}:{node.lineno}")
    assert own == [], own


def test_a_refusal_after_merged_bundles_says_those_are_kept(
    made: tuple[Path, Path], tmp_path: Path
) -> None:
    """``bundle merge DIR A B C`` with B refused: A's table was printed, then B's line said
    "nothing was changed", read as the whole merge; A is merged and kept. The line says B was
    not merged, the one before it is kept, and C was not tried."""
    folder, good = made
    work = tmp_path / "lead.fieldscribe"
    shutil.copytree(folder, work)
    bad = tmp_path / "bob.fsbundle"
    bad.write_bytes(b"PK\x03\x04 cut short")
    later = tmp_path / "cem.fsbundle"
    shutil.copy(good, later)
    result = fs_here("bundle", "merge", work, good, bad, later, ok=False)
    err = result.stderr.strip()
    assert result.returncode == 1 and len(err.splitlines()) == 1, err
    assert f"Merged {good}" in result.stdout
    line = err.removeprefix("fieldscribe: error: ")
    assert line.startswith(str(bad)) and NOTHING_CHANGED not in line, line
    assert "; it was not merged." in line, line
    assert "The 1 bundle before it is merged and kept (above)" in line, line
    assert f"not tried: {later}: merge it again." in line, line
    with Project.open(work, readonly=True) as project:  # ann's two codings are kept
        assert sorted(c.coder for c in project.codebook.codings()) == ["ann", "ann"]

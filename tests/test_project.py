"""Creating, opening, locking and refusing projects."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storage import (
    SCHEMA_VERSION,
    NewerSchemaError,
    NotAProjectError,
    Project,
    ProjectExistsError,
    ProjectLockedError,
    ReadOnlyError,
)
from tests.crash_support import hold_project
from tests.fs_helpers import read_only

ROOT = Path(__file__).resolve().parent.parent


def _dump(folder: Path) -> list[str]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_create_makes_folder_db_and_media(tmp_path: Path) -> None:
    folder = tmp_path / "Almaty.fieldscribe"
    with Project.create(folder, name="E-government focus groups", coder="coder-a") as p:
        assert p.name == "E-government focus groups"
        assert p.coder == "coder-a"
        assert len(p.id) == 36
        assert [c.name for c in p.coders.all()] == ["coder-a"]
    assert (folder / "project.db").is_file()
    assert (folder / "media").is_dir()
    conn = sqlite3.connect(folder / "project.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table in (
        "project_meta", "coders", "sessions", "media", "participants", "session_speakers",
        "segments", "markers", "codes", "codings", "memos", "segments_fts",
    ):  # fmt: skip
        assert table in tables
    conn.close()


def test_foreign_keys_are_enforced(project: Project) -> None:
    with pytest.raises(sqlite3.IntegrityError), project.transaction() as db:
        db.conn.execute(
            "INSERT INTO markers (id, session_id, time_ms, label, created_by, created_at,"
            " updated_at) VALUES ('m', 'no-such-session', 0, 'x', 'a', 'now', 'now')"
        )


def test_every_lookup_path_is_indexed(project: Project) -> None:
    plans = {
        "SELECT * FROM segments WHERE session_id = ? ORDER BY start_ms": ("x",),
        "SELECT * FROM codings WHERE code_id = ?": ("x",),
        "SELECT * FROM codings WHERE segment_id = ?": ("x",),
        "SELECT * FROM codings WHERE coder = ?": ("x",),
        "SELECT * FROM markers WHERE session_id = ? ORDER BY time_ms": ("x",),
        "SELECT * FROM media WHERE session_id = ?": ("x",),
        "SELECT * FROM codes WHERE parent_id = ? AND name = ?": ("x", "y"),
        "SELECT * FROM memos WHERE target_type = ? AND target_id = ?": ("x", "y"),
        "SELECT * FROM session_speakers WHERE session_id = ?": ("x",),
    }
    for sql, params in plans.items():
        plan = " ".join(r[3] for r in project.store.rows(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "USING" in plan and "SCAN" not in plan.replace("SCAN segments_fts", ""), (sql, plan)


def test_create_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ProjectExistsError, match="already exists"):
        Project.create(folder, coder="a")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_open_refuses_a_folder_that_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(NotAProjectError, match="not a FieldScribe project"):
        Project.open(tmp_path)
    with pytest.raises(NotAProjectError, match="no such project folder"):
        Project.open(tmp_path / "missing")
    (tmp_path / "project.db").write_text("hello, I am not SQLite")
    with pytest.raises(NotAProjectError, match="not a SQLite database"):
        Project.open(tmp_path)
    assert (tmp_path / "project.db").read_text() == "hello, I am not SQLite"


def test_open_refuses_a_foreign_sqlite_file(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "project.db")
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(NotAProjectError, match="not a FieldScribe project"):
        Project.open(tmp_path)


def test_project_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "new.fieldscribe"
    Project.create(folder, coder="a").close()
    conn = sqlite3.connect(folder / "project.db")
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('fieldscribe', '9999_from_the_future', 'x')"
    )
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = _dump(folder)
    with pytest.raises(NewerSchemaError, match="newer FieldScribe"):
        Project.open(folder)
    with pytest.raises(NewerSchemaError):
        Project.open(folder, readonly=True)
    assert _dump(folder) == before


def test_second_writer_gets_in_use_message(tmp_path: Path) -> None:
    folder = tmp_path / "shared.fieldscribe"
    Project.create(folder, coder="a").close()
    holder = hold_project(folder, seconds=60)
    try:
        with pytest.raises(ProjectLockedError, match=r"is in use by .*pid \d+"):
            Project.open(folder)
        # readers are not blocked
        with Project.open(folder, readonly=True) as reader:
            assert reader.sessions.all() == []
        holder.kill()  # a crash: the OS releases the lock; the stale file is taken over
        holder.wait()
        with Project.open(folder) as p:
            assert p.coder == "a"
            info = json.loads((folder / "project.lock").read_text())
            assert info["pid"] != holder.pid
    finally:
        holder.kill()


def test_stale_lock_file_from_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    folder = tmp_path / "stale.fieldscribe"
    Project.create(folder, coder="a").close()
    (folder / "project.lock").write_text(json.dumps({"pid": 999999, "host": "old-laptop"}))
    with Project.open(folder) as p:
        assert p.coder == "a"


def test_readonly_open_refuses_writes(tmp_path: Path) -> None:
    folder = tmp_path / "ro.fieldscribe"
    Project.create(folder, coder="a").close()
    with Project.open(folder, readonly=True) as p, pytest.raises(ReadOnlyError, match="read-only"):
        p.sessions.add_session("x")


def test_create_in_read_only_folder_is_refused_cleanly(tmp_path: Path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    with read_only(parent):
        with pytest.raises(ReadOnlyError, match="cannot create the project folder"):
            Project.create(parent / "x.fieldscribe", coder="a")
        assert list(parent.iterdir()) == []


def test_open_for_writing_a_read_only_project_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "p.fieldscribe"
    Project.create(folder, coder="a").close()
    before = _dump(folder)
    with read_only(folder):
        with pytest.raises(ReadOnlyError, match="cannot write to the project folder"):
            Project.open(folder)
    assert _dump(folder) == before


def test_metadata_and_coders(project: Project) -> None:
    project.set_meta("place", "Almaty")
    assert project.metadata()["place"] == "Almaty"
    project.coders.use("coder-b")
    assert [c.name for c in project.coders.all()] == ["coder-a", "coder-b"]
    assert project.coder == "coder-b"


def test_reopen_as_other_coder_and_default_owner(tmp_path: Path) -> None:
    folder = tmp_path / "p.fieldscribe"
    Project.create(folder, coder="lead").close()
    with Project.open(folder) as p:
        assert p.coder == "lead"
    with Project.open(folder, coder="coder-b") as p:
        assert p.coder == "coder-b"
        assert {c.name for c in p.coders.all()} == {"lead", "coder-b"}


def test_a_coder_is_registered_by_the_first_committed_write(tmp_path: Path) -> None:
    folder = tmp_path / "p.fieldscribe"
    Project.create(folder, coder="lead").close()
    with Project.open(folder, coder="coder-b", register_coder=False) as p:
        assert [c.name for c in p.coders.all()] == ["lead"]  # opening changed nothing
        with pytest.raises(RuntimeError), p.transaction():
            p.codebook.ensure_code_path("A")  # an inner transaction that completes...
            raise RuntimeError("...inside an outer one that fails")
        assert [c.name for c in p.coders.all()] == ["lead"]
        p.codebook.ensure_code_path("B")
        assert [c.name for c in p.coders.all()] == ["coder-b", "lead"]

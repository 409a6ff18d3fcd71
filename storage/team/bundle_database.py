"""Checking an unpacked bundle's database, and bringing one from an older FieldScribe up to date."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from storage.core.schema import SCHEMA_VERSION, applied_names, check_not_newer, migrate
from storage.team.bundle import (
    DB_MEMBER,
    OpenedBundle,
    drop_triggers_and_views,
    refused,
)


def connect_readonly(db_path: Path) -> sqlite3.Connection:
    """Open an unpacked bundle database read-only, distrusting its schema."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def check_database(opened: OpenedBundle) -> bool:
    """Refuse a database a bundle must not hold; return whether its schema is older than ours."""
    path = opened.path
    with open(opened.db_path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise refused(f"{path}: {DB_MEMBER} is not a SQLite database")
    conn = connect_readonly(opened.db_path)
    try:
        # pages damaged on the sender's disk (the manifest's checksum is of the damaged file):
        # otherwise a damaged table reads as rows breaking our rules, a damaged index not at
        # all. The whole check, not quick_check: an index out of step with its table (each
        # page well formed) hides rows from lookups by id, and only this compares them (0.7 s
        # on a 30 MB bundle, beside the merge's seconds)
        (problem,) = conn.execute("PRAGMA integrity_check(1)").fetchone()
        if problem != "ok":
            raise sqlite3.DatabaseError(" ".join(str(problem).split())[:200])
        objects = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        for kind, name, sql in objects:
            if kind in ("trigger", "view"):
                raise refused(f"{path}: the bundle's database has a {kind} ({name})")
            if kind == "table" and (sql or "").upper().startswith("CREATE VIRTUAL"):
                raise refused(f"{path}: the bundle's database has a virtual table ({name})")
        tables = {name for kind, name, _ in objects if kind == "table"}
        if "project_meta" not in tables or "_sqlite_migrations" not in tables:
            raise refused(f"{path}: {DB_MEMBER} is not a FieldScribe project")
        db = Database(conn)
        check_not_newer(db, str(path))
        row = conn.execute("SELECT value FROM project_meta WHERE key = 'project_id'").fetchone()
        if row is None or row[0] != opened.project_id:
            raise refused(f"{path}: the manifest and the database name different projects")
        return len(applied_names(db)) < SCHEMA_VERSION
    except sqlite3.DatabaseError as exc:
        raise refused(
            f"{path}: {DB_MEMBER} is damaged ({exc})",
            "Ask for the bundle to be exported again (its sender's project may be damaged too).",
        ) from exc
    finally:
        conn.close()


def upgrade_older(opened: OpenedBundle) -> None:
    """Bring the database of a bundle from an older FieldScribe up to this version's schema.

    A coder who has not updated yet sends a bundle without the tables and columns added since
    (the speaker timeline, say). The unpacked copy is ours (the bundle file is not touched):
    this version's migrations add what is missing (empty tables, columns with their defaults),
    and what they create that a bundle never holds (version-history triggers) is dropped again,
    as in an exported bundle. Runs when ``check_database`` found the schema older, after it
    refused triggers, views, virtual tables and schemas from the future; the rows are validated
    by the merge as usual.
    """
    path = opened.path
    os.chmod(opened.db_path, 0o600)  # unpacked read-only: writable while it is upgraded
    conn = sqlite3.connect(opened.db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        db = Database(conn)
        migrate(db, str(path))
        conn.execute("BEGIN")
        drop_triggers_and_views(conn)
        conn.execute("COMMIT")
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise refused(
            f"{path}: the bundle comes from an older FieldScribe and its database cannot be "
            f"brought up to date ({str(exc).splitlines()[0][:200]})",
            "Ask for a bundle exported with this version.",
        ) from exc
    finally:
        conn.close()
        os.chmod(opened.db_path, 0o400)

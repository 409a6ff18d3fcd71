"""The project schema as versioned sqlite-utils migrations.

Migrations are applied in order and recorded in ``_sqlite_migrations``. ``SCHEMA_VERSION`` is the
number of migrations this FieldScribe knows; it is also written to ``PRAGMA user_version`` so other
tools can read it. A database that has applied a migration we do not know was written by a newer
FieldScribe and is refused, never "upgraded" blindly.

New migrations are appended at the end of ``MIGRATION_STEPS``; existing ones never change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from storage.core.errors import NewerSchemaError
from storage.core.held_codings import held_codings_migration
from storage.core.schema_deleted_sessions import deleted_sessions_migration
from storage.core.schema_deletions import deleted_speech_migration
from storage.core.schema_languages import migrate_segment_language
from storage.core.schema_links import links_migration
from storage.core.schema_models import segment_model_migration
from storage.core.schema_privacy import privacy_migration
from storage.core.schema_search import search_fold_migration
from storage.core.schema_speakers import migrate_speaker_turns, migrate_speakers
from storage.core.schema_teamwork import speaker_profiles_travel_migration, teamwork_migration
from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "fieldscribe"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' Migrations.migrations_table

_V1 = """
CREATE TABLE project_meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE coders (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('focus_group', 'interview', 'observation')),
    date TEXT,
    place TEXT,
    moderator TEXT,
    notes TEXT,
    status TEXT NOT NULL DEFAULT 'imported',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE media (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    path TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    sample_rate INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    codec TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX media_session ON media(session_id);
CREATE INDEX media_sha256 ON media(sha256);
CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    pseudonym TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX participants_pseudonym ON participants(pseudonym);
CREATE TABLE session_speakers (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    label TEXT NOT NULL,
    participant_id TEXT REFERENCES participants(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX session_speakers_label ON session_speakers(session_id, label);
CREATE INDEX session_speakers_participant ON session_speakers(participant_id);
-- seq is a local integer key (stable across VACUUM) used by the full-text index; id travels.
CREATE TABLE segments (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    start_ms INTEGER NOT NULL CHECK (start_ms >= 0),
    end_ms INTEGER NOT NULL CHECK (end_ms >= start_ms),
    speaker TEXT,
    text TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT 'whisper' CHECK (origin IN ('whisper', 'manual', 'import')),
    confidence REAL,
    words TEXT,
    edited INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX segments_session_start ON segments(session_id, start_ms);
CREATE INDEX segments_speaker ON segments(session_id, speaker);
CREATE VIRTUAL TABLE segments_fts USING fts5(
    text, content='segments', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE markers (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    time_ms INTEGER NOT NULL CHECK (time_ms >= 0),
    label TEXT NOT NULL,
    note TEXT,
    source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('recording', 'manual', 'guide')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX markers_session_time ON markers(session_id, time_ms);
CREATE TABLE codes (
    id TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES codes(id),
    name TEXT NOT NULL,
    colour TEXT NOT NULL DEFAULT '#888888',
    description TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX codes_parent_name ON codes(parent_id, name);
CREATE TABLE codings (
    id TEXT PRIMARY KEY,
    segment_id TEXT NOT NULL REFERENCES segments(id),
    code_id TEXT NOT NULL REFERENCES codes(id),
    coder TEXT NOT NULL REFERENCES coders(name),
    start_cp INTEGER,
    end_cp INTEGER,
    memo TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((start_cp IS NULL AND end_cp IS NULL) OR (start_cp >= 0 AND end_cp > start_cp))
);
CREATE UNIQUE INDEX codings_unique ON codings(
    segment_id, code_id, coder, coalesce(start_cp, -1), coalesce(end_cp, -1)
);
CREATE INDEX codings_code ON codings(code_id);
CREATE INDEX codings_coder ON codings(coder);
CREATE TABLE memos (
    id TEXT PRIMARY KEY,
    target_type TEXT NOT NULL
        CHECK (target_type IN ('project', 'session', 'segment', 'code', 'coding', 'journal')),
    target_id TEXT,
    title TEXT,
    text TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX memos_target ON memos(target_type, target_id);
-- Deletions travel in bundles: one tombstone per deleted row that had a global id.
CREATE TABLE deletions (
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    deleted_by TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    PRIMARY KEY (table_name, row_id)
);
-- Where a transcription stopped, so that it can resume after cancel, crash or power loss.
CREATE TABLE transcription_state (
    session_id TEXT PRIMARY KEY REFERENCES sessions(id),
    model TEXT NOT NULL,
    language TEXT,
    status TEXT NOT NULL,
    done_ms INTEGER NOT NULL DEFAULT 0,
    total_ms INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
"""


def _initial(db: Database) -> None:
    run_script(db, _V1)


#: The ordered migration steps. Append only.
MIGRATION_STEPS: list[tuple[str, Callable[[Database], None]]] = [
    ("0001_initial", _initial),
    ("0002_teamwork", teamwork_migration),
    ("0003_privacy", privacy_migration),
    ("0004_speakers", migrate_speakers),
    ("0005_speaker_profiles_travel", speaker_profiles_travel_migration),
    ("0006_speaker_turns", migrate_speaker_turns),
    ("0007_segment_language", migrate_segment_language),
    ("0008_search_fold_yo", search_fold_migration),
    ("0009_deleted_speech", deleted_speech_migration),
    ("0010_segment_model", segment_model_migration),
    ("0011_deleted_sessions", deleted_sessions_migration),
    ("0012_held_codings", held_codings_migration),
    ("0013_links", links_migration),
]

SCHEMA_VERSION = len(MIGRATION_STEPS)


def _migrations() -> Migrations:
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, fn in MIGRATION_STEPS:
        migrations(name=name)(fn)
    return migrations


def _conn(db: Database | sqlite3.Connection) -> sqlite3.Connection:
    return db if isinstance(db, sqlite3.Connection) else db.conn


def applied_names(db: Database | sqlite3.Connection) -> list[str]:
    """Return the names of the migrations a database has applied, in order.

    Read with plain SQL from sqlite-utils' ``_sqlite_migrations`` table (as
    ``Migrations.applied`` reads it), so opening a project to read it needs no sqlite-utils.
    """
    conn = _conn(db)
    table = MIGRATIONS_TABLE
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone():
        return []
    rows = conn.execute(
        f"SELECT name FROM {table} WHERE migration_set = ? ORDER BY rowid", (MIGRATION_SET,)
    ).fetchall()
    return [str(r[0]) for r in rows]


def check_not_newer(db: Database | sqlite3.Connection, what: str) -> None:
    """Refuse a database that applied migrations this version does not know.

    Args:
        db: the database to check.
        what: how to name the file in the message (a path).

    Raises:
        NewerSchemaError: the database comes from a newer FieldScribe.
    """
    _checked_state(_conn(db), what)


def _checked_state(conn: sqlite3.Connection, what: str) -> tuple[int, int]:
    """(migrations applied, ``user_version``) of a database not from the future."""
    known = {name for name, _ in MIGRATION_STEPS}
    applied = applied_names(conn)
    unknown = [name for name in applied if name not in known]
    user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if unknown or user_version > SCHEMA_VERSION:
        theirs = max(user_version, len(applied))
        raise NewerSchemaError(
            f"{what} was written by a newer FieldScribe (schema {theirs}, this version knows "
            f"{SCHEMA_VERSION}); update FieldScribe to open it. Nothing was changed."
        )
    return len(applied), user_version


def migrate(db: Database | sqlite3.Connection, what: str) -> None:
    """Apply pending migrations after checking the database is not from the future."""
    conn = _conn(db)
    before, user_version = _checked_state(conn, what)
    if before == SCHEMA_VERSION and user_version == SCHEMA_VERSION:
        return  # up to date: nothing to write
    import sqlite_utils

    database = db if isinstance(db, sqlite_utils.Database) else sqlite_utils.Database(conn)
    _migrations().apply(database)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    if len(applied_names(conn)) != before:
        # Give the migrations table its statistics now: otherwise the PRAGMA optimize run at
        # close adds them on the next open, and a project that was only opened would change.
        conn.execute("ANALYZE _sqlite_migrations")

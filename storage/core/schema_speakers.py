"""Migrations of the speaker tables: speaker edits and profiles (0002), speaker turns (0006)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

_V2_SPEAKERS = """
ALTER TABLE segments ADD COLUMN speaker_edited INTEGER NOT NULL DEFAULT 0;
-- Voice profiles: an embedding of an enrolled speaker (never audio). participant_id is a
-- plain reference (no foreign key) so that deleting a participant never fails on a profile.
CREATE TABLE speaker_profiles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    participant_id TEXT,
    embedding BLOB NOT NULL,
    dim INTEGER NOT NULL CHECK (dim > 0),
    model TEXT NOT NULL,
    source_session_id TEXT,
    source_ms INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX speaker_profiles_name ON speaker_profiles(name);
CREATE INDEX speaker_profiles_model ON speaker_profiles(model);
"""


def migrate_speakers(db: Database) -> None:
    """Migration 0002: ``segments.speaker_edited`` and the ``speaker_profiles`` table."""
    run_script(db, _V2_SPEAKERS)


_V6 = """
CREATE TABLE speaker_turns (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    run_id TEXT NOT NULL CHECK (length(run_id) > 0),
    run_at TEXT NOT NULL,
    start_ms INTEGER NOT NULL CHECK (start_ms >= 0),
    end_ms INTEGER NOT NULL CHECK (end_ms > start_ms),
    speaker TEXT NOT NULL CHECK (length(speaker) BETWEEN 1 AND 200),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX speaker_turns_session ON speaker_turns(session_id, run_at, start_ms);
CREATE TRIGGER speaker_turns_version_history AFTER UPDATE ON speaker_turns
WHEN OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT OR IGNORE INTO row_versions (table_name, row_id, version)
    VALUES ('speaker_turns', OLD.id, OLD.updated_at);
END;
"""


def migrate_speaker_turns(db: Database) -> None:
    """Migration 0006: the ``speaker_turns`` table (with its version-history trigger)."""
    run_script(db, _V6)

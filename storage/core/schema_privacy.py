"""Schema of the research-ethics features (registered in ``schema.MIGRATION_STEPS``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

_PRIVACY = """
-- Consent per participant and session (session_id NULL: a consent that covers every session).
-- Each kind: 1 yes, 0 no, NULL not recorded.
CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants(id),
    session_id TEXT REFERENCES sessions(id),
    recording INTEGER CHECK (recording IN (0, 1)),
    transcription INTEGER CHECK (transcription IN (0, 1)),
    quotation INTEGER CHECK (quotation IN (0, 1)),
    archiving INTEGER CHECK (archiving IN (0, 1)),
    date TEXT,
    form_ref TEXT,
    notes TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX consents_unique ON consents(participant_id, coalesce(session_id, ''));
CREATE INDEX consents_session ON consents(session_id);
-- Real name -> pseudonym. Holds real names: it stays in the project and never travels.
-- exceptions: JSON list of inflected forms a reviewer rejected (not this person).
CREATE TABLE pseudonyms (
    id TEXT PRIMARY KEY,
    real_name TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    participant_id TEXT REFERENCES participants(id),
    exceptions TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX pseudonyms_real_name ON pseudonyms(real_name COLLATE NOCASE);
-- A span of a segment hidden from exports; destroyed = 1 once the original was removed.
-- The hidden text itself is never stored here.
CREATE TABLE redactions (
    id TEXT PRIMARY KEY,
    segment_id TEXT NOT NULL REFERENCES segments(id),
    start_cp INTEGER NOT NULL CHECK (start_cp >= 0),
    end_cp INTEGER NOT NULL,
    category TEXT NOT NULL DEFAULT 'REDACTED',
    destroyed INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (end_cp > start_cp)
);
CREATE INDEX redactions_segment ON redactions(segment_id);
-- Who exported, merged, redacted or destroyed what, and when. Details never hold the
-- hidden text or a real name.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_action ON audit_log(action);
"""

#: Tables that hold real names and must never leave the project (bundles, exports).
PROJECT_ONLY_TABLES = ("pseudonyms",)


def privacy_migration(db: Database) -> None:
    """Create the consent, pseudonym, redaction and audit-log tables."""
    run_script(db, _PRIVACY)

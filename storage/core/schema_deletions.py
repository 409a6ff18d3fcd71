"""Migration 0009: the speech a coder deleted, so that a new transcription does not bring it back.

A segment's tombstone in ``deletions`` said which row went, not what it held. Deleting a segment
(``Transcript.delete_segment``: a person removing speech, such as small talk before an
interview) now also records its session and time span there; a re-transcription of the session
leaves out new segments lying mostly inside such a span (``transcribe.run_loop``). Tombstones
of segments a transcription replaced, merged away or an import replaced have no span. Undoing
the deletion removes the tombstone, span and all (``storage.history.undo``); the span travels
with the tombstone in bundles (``storage.team.merge_deletions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

_V9 = """
ALTER TABLE deletions ADD COLUMN session_id TEXT;
ALTER TABLE deletions ADD COLUMN start_ms INTEGER CHECK (start_ms IS NULL OR start_ms >= 0);
ALTER TABLE deletions ADD COLUMN end_ms INTEGER CHECK (end_ms IS NULL OR end_ms >= start_ms);
CREATE INDEX deletions_session ON deletions(session_id) WHERE session_id IS NOT NULL;
"""


def deleted_speech_migration(db: Database) -> None:
    """Migration 0009: ``deletions.session_id``, ``start_ms`` and ``end_ms``."""
    run_script(db, _V9)

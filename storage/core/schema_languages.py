"""Migration 0007: the language of each segment, and speech left without a transcript."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

_V7 = """
-- The language a segment was transcribed in (a Whisper code such as ru, kk, en), or NULL
-- when unknown (typed by hand, imported, or transcribed before 0007).
ALTER TABLE segments ADD COLUMN language TEXT;
-- 1: speech that voice detection found but that gave no text ("speech without transcript");
-- the segment's text stays empty until a coder types it (which clears the flag).
ALTER TABLE segments ADD COLUMN untranscribed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX segments_language ON segments(session_id, language);
"""


def migrate_segment_language(db: Database) -> None:
    """Migration 0007: ``segments.language`` and ``segments.untranscribed``."""
    run_script(db, _V7)

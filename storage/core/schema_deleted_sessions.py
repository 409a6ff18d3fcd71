"""Migration 0011: deleted sessions are kept, so that they can be restored whole.

``Sessions.delete_session`` used to delete a session's rows for good (leaving tombstones) and
keep only its audio (in ``media/.deleted/``). It now also writes one ``deleted_sessions`` row:
a JSON copy of every row it deletes (``rows``: the session, its media, segments with their
local ``seq``, codings, markers, speaker mappings and turns, redactions, consents, the memos on
the session, its segments and its codings, the transcription state) and where each audio file
was kept (``audio``). ``Sessions.restore_session`` writes them back with their own ids.

Why a table and not a file beside the kept audio: the copy is written in the transaction that
deletes the rows (a file cannot be), so a crash leaves either the session or its copy, never
neither; it survives restarts with the project; and it stays in ``project.db``, which the
project's privacy operations, backups and integrity checks already cover.

The table never leaves the project: a bundle's snapshot empties it (``NEVER_TRAVEL`` in
``storage.privacy.bundle``: the deleted session's text would otherwise travel in every bundle,
consented-only ones included), and no export reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

_V11 = """
CREATE TABLE deleted_sessions (
    session_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    deleted_by TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}',
    rows TEXT NOT NULL,
    audio TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX deleted_sessions_at ON deleted_sessions(deleted_at);
"""


def deleted_sessions_migration(db: Database) -> None:
    """Migration 0011: the ``deleted_sessions`` table."""
    run_script(db, _V11)

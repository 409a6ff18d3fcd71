"""Migration 0012: whole-segment codings held by a flagged span of the same coding's place.

There is one coding per segment, code, coder and words (``codings_unique``); a whole-segment
coding has no words. A coder's span whose words the lead's text lost is, at the lead, a
flagged whole-segment coding ("⚑ coded words deleted"). When the coder's whole-segment coding
of the same code on the same segment arrives meanwhile (her copy holds both: the span there
still has its words), it cannot be added beside it. It waits here, in ``held_codings``, with
the id of the flagged coding that holds its place (``held_by``), and comes into ``codings``,
as the coder sent it, when that coding gets its span back (a text that holds its words again:
``Transcript.restore_lost_spans``). Before, the lead held the span and not the whole-segment
coding until the coder's next bundle, and agreement computed in between counted her coded
words, not the whole segment.

The table never leaves the project (``NEVER_TRAVEL`` in ``storage.privacy.bundle``): a
bundle carries the coder's rows themselves. A held row whose coding reached ``codings``
otherwise (a later bundle, the place freed), was deleted (a tombstone), or whose holder went
or is no longer flagged, is dropped (``drop_settled``): the coder's next bundle brings the
whole-segment coding, as before.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from storage.core.anchors import LOST_FLAG
from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

_V12 = """
CREATE TABLE held_codings (
    id TEXT PRIMARY KEY,
    held_by TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    code_id TEXT NOT NULL,
    coder TEXT NOT NULL,
    memo TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX held_codings_by ON held_codings(held_by);
"""

#: the columns a held row shares with ``codings`` (a whole-segment coding: no words)
HELD_COLUMNS = ("id", "segment_id", "code_id", "coder", "memo", "created_by", "created_at")


def held_codings_migration(db: Database) -> None:
    """Migration 0012: the ``held_codings`` table."""
    run_script(db, _V12)


def release_held(conn: sqlite3.Connection, holder_id: str) -> int:
    """The whole-segment codings ``holder_id`` held the place of, into ``codings`` (it has a
    span again), with their own id and version; how many. Inside the caller's transaction."""
    cols = ", ".join(HELD_COLUMNS)
    added = conn.execute(
        f"INSERT OR IGNORE INTO codings ({cols}, start_cp, end_cp, updated_at) "
        f"SELECT {cols}, NULL, NULL, updated_at FROM held_codings h WHERE h.held_by = ? "
        "AND NOT EXISTS (SELECT 1 FROM deletions d WHERE d.table_name = 'codings' "
        "AND d.row_id = h.id) "
        "AND EXISTS (SELECT 1 FROM segments s WHERE s.id = h.segment_id) "
        "AND EXISTS (SELECT 1 FROM codes c WHERE c.id = h.code_id) "
        "AND EXISTS (SELECT 1 FROM coders k WHERE k.name = h.coder)",
        (holder_id,),
    ).rowcount
    conn.execute("DELETE FROM held_codings WHERE held_by = ?", (holder_id,))
    return int(added)


def hold_again(conn: sqlite3.Connection, coding: dict[str, object], holder_id: str) -> None:
    """Put a whole-segment coding (a row of ``codings``, removed by the caller) back among the
    held ones, held by ``holder_id``: an undo flagged its holder's span again."""
    cols = ", ".join(HELD_COLUMNS)
    conn.execute(
        f"INSERT OR REPLACE INTO held_codings (held_by, {cols}, updated_at) "
        f"VALUES (?, {', '.join('?' * len(HELD_COLUMNS))}, ?)",
        (holder_id, *(coding[c] for c in HELD_COLUMNS), coding["updated_at"]),
    )


def drop_settled(conn: sqlite3.Connection) -> None:
    """Drop the held rows nothing holds any more: their coding is in ``codings`` or deleted,
    or their holder went or is no longer a flagged whole-segment coding of their code."""
    conn.execute(
        "DELETE FROM held_codings AS h WHERE "
        "EXISTS (SELECT 1 FROM codings c WHERE c.id = h.id) "
        "OR EXISTS (SELECT 1 FROM deletions d WHERE d.table_name = 'codings' "
        "AND d.row_id = h.id) "
        "OR NOT EXISTS (SELECT 1 FROM codings w WHERE w.id = h.held_by "
        "AND w.start_cp IS NULL AND w.segment_id = h.segment_id AND w.code_id = h.code_id "
        "AND w.coder = h.coder AND substr(w.memo, 1, ?) = ?)",
        (len(LOST_FLAG), LOST_FLAG),
    )

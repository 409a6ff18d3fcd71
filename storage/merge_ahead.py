"""The merge's work done ahead, in the thread that unpacks the next bundle while one merges.

``find_differing`` compares the bundle's transcript with the project as last committed, checks
the values of the rows the merge will copy, and notes whether the bundle's codings are stored in
segment order; ``storage.merge`` then skips what was found identical or valid.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from .bundle import OpenedBundle
from .merge_validation import AHEAD_TABLES, PRECHECK_TABLES, _bad_values, _not_identical
from .teamwork import content_columns

#: page cache (KiB) of the comparison's own connection
AHEAD_CACHE_KIB = 32 * 1024
#: bytes of the project and of a bundle mapped into memory by the comparison (read-only)
AHEAD_MMAP_BYTES = 1 << 30


def _differing_sql(conn: sqlite3.Connection, table: str, b: str) -> str:
    """SQL: the rowids of the bundle rows no row here has identically (see ``_not_identical``).

    Segments join our row at the same ``seq`` (a join, cheaper than a correlated lookup per
    row); only where that misses is our row looked up by id.
    """
    bundle_cols = {r[1] for r in conn.execute(f"PRAGMA {b}.table_info({table})")}
    if table != "segments" or "seq" not in bundle_cols:
        return f"SELECT r.rowid FROM {_not_identical(conn, table, b)}"
    cols = ["updated_at", *content_columns(conn, table)]
    same_s = " AND ".join(f"s.{c} IS r.{c}" for c in cols)
    same_l = " AND ".join(f"l.{c} IS r.{c}" for c in cols)
    return (
        f"SELECT r.rowid FROM {b}.segments r "
        "LEFT JOIN main.segments s ON s.seq = r.seq AND s.id = r.id "
        f"WHERE CASE WHEN s.seq IS NOT NULL THEN NOT ({same_s}) ELSE NOT EXISTS "
        f"(SELECT 1 FROM main.segments l WHERE l.id = r.id AND {same_l}) END"
    )


def find_differing(project_db: Path, opened: OpenedBundle) -> None:
    """Find, ahead of the merge and on another connection, the bundle rows that differ from ours.

    Runs in the thread that unpacks the next bundle while the current one merges, against the
    project as last committed. A row identical then (same id, version and content) is skipped
    by the merge's rules whatever happened here since: later edits and deletions here keep
    that version in ``row_versions`` or leave a tombstone, so the bundle's copy is old news; and
    being equal to a row of ours, it is valid. Rows that differed then are checked and merged as
    usual (whether we have the row is looked up again at merge time). Any problem (a malformed
    bundle, a locked file) leaves ``opened.differing`` empty: the merge then compares itself,
    and refuses what must be refused.
    """
    opened.differing = {}
    opened.checked = opened.in_order = frozenset()
    try:
        conn = sqlite3.connect(f"{project_db.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA query_only = ON")
        conn.execute(f"PRAGMA cache_size = -{AHEAD_CACHE_KIB}")
        uri = f"{opened.db_path.resolve().as_uri()}?mode=ro"
        conn.execute("ATTACH DATABASE ? AS b", (uri,))
        # both are read once from end to end: mapped, their pages are not copied into a cache
        for schema in ("main", "b"):
            conn.execute(f"PRAGMA {schema}.mmap_size = {AHEAD_MMAP_BYTES}")
        found = {}
        for table in AHEAD_TABLES:
            found[table] = [r[0] for r in conn.execute(_differing_sql(conn, table, "b"))]
        checked = set()
        for table in AHEAD_TABLES:
            rows = found[table]
            for start in range(0, len(rows), 500):
                chunk = ", ".join(str(int(rid)) for rid in rows[start : start + 500])
                if _bad_values(conn, table, "b", f" WHERE rowid IN ({chunk})") is not None:
                    break
            else:
                checked.add(table)
        for table in PRECHECK_TABLES:
            if _bad_values(conn, table, "b") is None:
                checked.add(table)
        opened.in_order = frozenset({"codings"} if _stored_in_order(conn, "b") else ())
        opened.differing = found
        opened.checked = frozenset(checked)
    except sqlite3.Error:
        opened.differing = {}
        opened.checked = opened.in_order = frozenset()
    finally:
        conn.close()


def _stored_in_order(conn: sqlite3.Connection, b: str) -> bool:
    """Whether the bundle's codings, as stored, (nearly) follow their segments' order.

    Codings a coder makes one after another through a transcript are stored in that order,
    with time-ordered ids (``new_id``) and segments whose ids follow the transcript: inserted
    as stored, they fill the id index at its end and the unique index (segment first) in order,
    and sorting them first would cost more than it saves. Codings in any other order (random
    ids of older projects, a coder jumping around) are sorted by segment. The order changes the
    speed of the insert only, never what it inserts.
    """
    total = down = 0
    previous: Any = None
    for (segment,) in conn.execute(f"SELECT segment_id FROM {b}.codings ORDER BY rowid"):
        total += 1
        if previous is not None and type(segment) is type(previous) and segment < previous:
            down += 1
        previous = segment
    return bool(total) and down * 64 <= total

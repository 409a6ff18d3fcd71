"""The merge's work done ahead, in a worker thread, on bundles unpacked while one merges.

``find_differing`` compares the bundle's transcript with the project as last committed, checks
the values of the rows the merge will copy, and notes whether the bundle's codings are stored in
segment order; ``storage.team.merge`` then skips what was found identical or valid.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.team.bundle import OpenedBundle
from storage.team.conflicts import content_columns
from storage.team.merge_validation import AHEAD_TABLES, PRECHECK_TABLES, _bad_values, _not_identical

#: page cache (KiB) of the comparison's own connection
AHEAD_CACHE_KIB = 32 * 1024


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


@dataclass
class Compared:
    """One bundle table as compared with the project, to know another bundle's is the same.

    ``pages``: the table's pages (its B-tree and overflow pages, from SQLite's ``dbstat``) in
    the bundle's file; ``digest``: the sha256 of their bytes, computed here from the file this
    FieldScribe unpacked (never a value the bundle states); ``layout``: what else decides how
    those bytes read (page size, format bytes of the header, the table's root page and its
    ``CREATE`` statement). A bundle whose file has the same layout and the same bytes at those
    pages holds the very same rows.
    """

    layout: tuple[object, ...]
    pages: list[int]
    digest: bytes
    differing: list[int]


def _layout(conn: sqlite3.Connection, db_path: Path, b: str, table: str) -> tuple[object, ...]:
    row = conn.execute(
        f"SELECT rootpage, sql FROM {b}.sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    root, sql = row if row is not None else (None, None)
    with open(db_path, "rb") as fh:
        header = fh.read(100)
    # page size, file format versions, reserved bytes, payload fractions; schema format; encoding
    return (header[16:24], header[44:48], header[56:60], root, sql)


def _pages_digest(db_path: Path, pages: list[int], page_size: int) -> bytes | None:
    """The sha256 of the bytes of ``pages`` (in that order); None where the file ends before."""
    digest = hashlib.sha256()
    with open(db_path, "rb") as fh:
        i = 0
        while i < len(pages):
            j = i
            while j + 1 < len(pages) and pages[j + 1] == pages[j] + 1 and j - i < 1023:
                j += 1
            fh.seek((pages[i] - 1) * page_size)
            size = (j - i + 1) * page_size
            block = fh.read(size)
            if len(block) != size:
                return None
            digest.update(block)
            i = j + 1
    return digest.digest()


def _same_as_before(
    conn: sqlite3.Connection, db_path: Path, table: str, before: Compared | None
) -> tuple[tuple[object, ...], list[int] | None]:
    """The table's layout, and the rows found differing before if its pages are the same."""
    layout = _layout(conn, db_path, "b", table)
    if before is None or before.layout != layout:
        return layout, None
    page_size = int(conn.execute("PRAGMA b.page_size").fetchone()[0])
    if _pages_digest(db_path, before.pages, page_size) != before.digest:
        return layout, None
    return layout, list(before.differing)


def _remember(
    conn: sqlite3.Connection, db_path: Path, table: str, layout: tuple[object, ...], rows: list[int]
) -> Compared | None:
    try:
        pages = [
            int(r[0])
            for r in conn.execute(
                "SELECT pageno FROM dbstat('b') WHERE name = ? ORDER BY pageno", (table,)
            )
        ]
    except sqlite3.Error:  # a SQLite built without dbstat: every bundle is compared
        return None
    page_size = int(conn.execute("PRAGMA b.page_size").fetchone()[0])
    digest = _pages_digest(db_path, pages, page_size)
    if not pages or digest is None:
        return None
    return Compared(layout, pages, digest, list(rows))


def find_differing(
    project_db: Path, opened: OpenedBundle, memo: dict[str, Compared] | None = None
) -> None:
    """Find, ahead of the merge and on another connection, the bundle rows that differ from ours.

    Runs in the thread that unpacks the next bundle while the current one merges, against the
    project as last committed. A row identical then (same id, version and content) is skipped
    by the merge's rules whatever happened here since: later edits and deletions here keep
    that version in ``row_versions`` or leave a tombstone, so the bundle's copy is old news; and
    being equal to a row of ours, it is valid. Rows that differed then are checked and merged as
    usual (whether we have the row is looked up again at merge time). Any problem (a malformed
    bundle, a locked file) leaves ``opened.differing`` empty: the merge then compares itself,
    and refuses what must be refused.

    ``memo`` (one per ``merge_bundles`` call, used by its one comparing thread) keeps what the
    last comparison of each table found (``Compared``). Bundles of one team mostly carry the same
    transcript, stored byte for byte alike: when this bundle's table has the same layout and its
    pages the same sha256 (both computed here), its rows are the rows compared before, identical
    to ours at that time, so old news now: what differed then is what differs. Otherwise the
    rows are compared and remembered.
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
        found = {}
        for table in AHEAD_TABLES:
            layout, rows = _same_as_before(conn, opened.db_path, table, (memo or {}).get(table))
            if rows is None:
                rows = [r[0] for r in conn.execute(_differing_sql(conn, table, "b"))]
                if memo is not None:
                    memo.pop(table, None)
                    remembered = _remember(conn, opened.db_path, table, layout, rows)
                    if remembered is not None:
                        memo[table] = remembered
            found[table] = rows
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
    except (sqlite3.Error, OSError):
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

"""Rows of ``links`` (schema 0013) that several features keep right: a code merged into
another takes its links along (``Codebook.merge_codes``, a bundle merge's same-path codes), a
coding another stands for now hands them to it (a re-transcription, a text edit, a split or a
join of segments: ``follow_coding``; a bundle merge's twin codings: ``follow_twins``), a merge
makes one of copies of a link (``merge_twins``) and drops links that arrived without one of
their ends."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storage.core.ids import now_iso
from storage.core.schema_links import END_TABLES

if TYPE_CHECKING:
    from storage.core.store import Store


def twin_link(
    conn: sqlite3.Connection,
    name: str,
    one: tuple[str, str],
    other: tuple[str, str],
    *,
    besides: str = "",
    schema: str = "main",
) -> str | None:
    """The id of a link named ``name`` between ends ``one`` and ``other`` (each ``(kind,
    id)``), either way round, other than link ``besides``; None if there is none."""
    row = conn.execute(
        f"SELECT id FROM {schema}.links WHERE id != ? AND name = ? AND ("
        "(origin_kind = ? AND origin_id = ? AND target_kind = ? AND target_id = ?) OR "
        "(origin_kind = ? AND origin_id = ? AND target_kind = ? AND target_id = ?))",
        (besides, name, *one, *other, *other, *one),
    ).fetchone()
    return None if row is None else str(row[0])


def move_links(
    conn: sqlite3.Connection,
    kind: str,
    source: str,
    target: str,
    stamp: Callable[[str], str],
    tombstone: Callable[[str, str], None],
    schema: str = "main",
    *,
    twins: bool = True,
) -> int:
    """Point the links of ``kind`` ``source`` at ``kind`` ``target`` (a merge of two codes, a
    coding that another stands for now); the number moved. A link that would join ``target``
    to itself, or (``twins``) repeat a link ``target`` has (the same two ends, either way
    round, and the same name: what ``Links.add`` refuses), is removed instead
    (``tombstone(link id, its version)``), its memo joined to that link's (``joined_memos``).
    A bundle merge passes ``twins=False``: its ``merge_twins`` makes one of copies afterwards,
    by its own rule (the same direction too, the same order when one-way); removing them here
    dropped a coder's "passage — shows — code" as a copy of another's "passage → shows →
    code" when their passages were twins, and not when they were not.
    ``stamp(version)``: the new ``updated_at`` of a link moved from that version."""
    moved = 0
    rows = conn.execute(
        f"SELECT id, origin_kind, origin_id, target_kind, target_id, name, updated_at "
        f"FROM {schema}.links WHERE (origin_kind = ? AND origin_id = ?) "
        "OR (target_kind = ? AND target_id = ?) ORDER BY created_at, id",
        (kind, source, kind, source),
    ).fetchall()
    for link_id, o_kind, o_id, t_kind, t_id, name, version in rows:
        ends = [
            (o_kind, target if (o_kind, o_id) == (kind, source) else o_id),
            (t_kind, target if (t_kind, t_id) == (kind, source) else t_id),
        ]
        twin = (
            twin_link(conn, name, ends[0], ends[1], besides=link_id, schema=schema)
            if twins
            else None
        )
        if ends[0] == ends[1] or twin is not None:
            if twin is not None:  # the twin keeps this one's memo too
                _take_memo(conn, twin, link_id, stamp, schema)
            conn.execute(f"DELETE FROM {schema}.links WHERE id = ?", (link_id,))
            tombstone(link_id, version)
            continue
        conn.execute(
            f"UPDATE {schema}.links SET origin_id = ?, target_id = ?, updated_at = ? WHERE id = ?",
            (ends[0][1], ends[1][1], stamp(version), link_id),
        )
        moved += 1
    return moved


def follow_coding(store: Store, gone: str, kept: str | None) -> int:
    """Inside the caller's transaction, before coding ``gone`` is deleted because coding
    ``kept`` stands for it now (its words went into its coder's whole-segment coding of the
    code, a split or a join made it one with another): its links go to ``kept``
    (``move_links``); the number moved. Nothing when ``kept`` is None or ``gone`` itself."""
    if kept is None or kept == gone:
        return 0
    return move_links(
        store.conn,
        "coding",
        gone,
        kept,
        stamp=lambda _version: now_iso(),
        tombstone=lambda link_id, _version: store.tombstone("links", link_id),
    )


def follow_twins(
    conn: sqlite3.Connection,
    replaced: dict[str, str],
    bundle: str,
    stamp: Callable[[str], str],
    tombstone: Callable[[str, str], None],
) -> int:
    """After a bundle's links merged (before ``drop_dangling``): a link to a coding that is
    not here goes to the coding that stands for it, when there is one: the one the merge
    kept in its place (``replaced``: gone -> kept, followed on while the kept one went too),
    else this project's twin of the bundle's row of it (the same segment, code, coder and
    words: a coding the merge skipped as one we have, or one a merge made a twin of ours and
    dropped earlier). ``move_links``; the number moved."""
    moved = 0
    for (gone,) in conn.execute(
        "SELECT DISTINCT x.id FROM (SELECT origin_id AS id FROM main.links "
        "WHERE origin_kind = 'coding' UNION SELECT target_id FROM main.links "
        "WHERE target_kind = 'coding') x "
        "WHERE NOT EXISTS (SELECT 1 FROM main.codings c WHERE c.id = x.id)"
    ).fetchall():
        kept, seen = replaced.get(gone), {gone}
        while kept is not None and kept not in seen and not end_exists(conn, "coding", kept):
            seen.add(kept)
            kept = replaced.get(kept)
        if kept is None or not end_exists(conn, "coding", kept):
            row = conn.execute(
                f"SELECT l.id FROM {bundle}.codings r CROSS JOIN main.codings l "
                "ON l.segment_id = r.segment_id AND l.code_id = r.code_id AND l.coder = r.coder "
                "AND coalesce(l.start_cp, -1) = coalesce(r.start_cp, -1) "
                "AND coalesce(l.end_cp, -1) = coalesce(r.end_cp, -1) WHERE r.id = ?",
                (gone,),
            ).fetchone()
            kept = None if row is None else str(row[0])
        if kept is not None:
            moved += move_links(conn, "coding", gone, kept, stamp, tombstone, twins=False)
    return moved


def _take_memo(
    conn: sqlite3.Connection,
    keeper: str,
    gone: str,
    stamp: Callable[[str], str],
    schema: str,
) -> None:
    """Join link ``gone``'s memo to link ``keeper``'s (``joined_memos``)."""
    (kept, version), (other,) = (
        conn.execute(
            f"SELECT memo, updated_at FROM {schema}.links WHERE id = ?", (keeper,)
        ).fetchone(),
        conn.execute(f"SELECT memo FROM {schema}.links WHERE id = ?", (gone,)).fetchone(),
    )
    memo = joined_memos(kept, other)
    if memo != kept:
        conn.execute(
            f"UPDATE {schema}.links SET memo = ?, updated_at = ? WHERE id = ?",
            (memo, stamp(version), keeper),
        )


def joined_memos(*memos: str | None) -> str | None:
    """The memos of copies of one link made one: each in turn, less those empty or said
    already (a memo another holds whole), a blank line between; None when none."""
    kept: list[str] = []
    for memo in memos:
        text = (memo or "").strip()
        if text and not any(text in other for other in kept):
            kept = [other for other in kept if other not in text] + [text]
    return "\n\n".join(kept) or None


def merge_twins(
    conn: sqlite3.Connection,
    stamp: Callable[[str], str],
    tombstone: Callable[[str, str], None],
    schema: str = "main",
) -> int:
    """Make one of each group of links that say the same (two coders each linked the same
    ends under the same name and direction, and a bundle merge brought both): the same name,
    the same direction and the same ends (in the same order for a one-way link, either way
    round otherwise). The one made first stays (``created_at``, then id: any order of merges
    keeps the same one), its memo the memos of all (``joined_memos``, in the order they were
    made); the others are removed (``tombstone(link id, its version)``). ``stamp(version)``:
    the new ``updated_at`` of a link whose memo changed. The number removed."""
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for row in conn.execute(
        f"SELECT id, origin_kind, origin_id, target_kind, target_id, name, direction, memo, "
        f"updated_at FROM {schema}.links ORDER BY created_at, id"
    ):
        ends: tuple[Any, ...] = ((row[1], row[2]), (row[3], row[4]))
        if row[6] not in (None, "OneWay"):
            ends = tuple(sorted(ends))
        groups[(row[5], row[6], ends)].append(row)
    removed = 0
    for rows in groups.values():
        if len(rows) < 2:
            continue
        first = rows[0]
        memo = joined_memos(*(row[7] for row in rows))
        if memo != first[7]:
            conn.execute(
                f"UPDATE {schema}.links SET memo = ?, updated_at = ? WHERE id = ?",
                (memo, stamp(first[8]), first[0]),
            )
        for row in rows[1:]:
            conn.execute(f"DELETE FROM {schema}.links WHERE id = ?", (row[0],))
            tombstone(row[0], row[8])
            removed += 1
    return removed


def drop_dangling(conn: sqlite3.Connection, schema: str = "main") -> int:
    """Delete the links one of whose ends is not in the project (a merged bundle brought a
    link to a code deleted here); no tombstone: the end's deletion is what travels. The
    number deleted."""
    missing = " OR ".join(
        f"(k.{side}_kind = '{kind}' AND NOT EXISTS (SELECT 1 FROM {schema}.{table} t "
        f"WHERE t.id = k.{side}_id))"
        for table, kind in END_TABLES
        for side in ("origin", "target")
    )
    return conn.execute(
        f"DELETE FROM {schema}.links WHERE id IN (SELECT k.id FROM {schema}.links k "
        f"WHERE {missing})"
    ).rowcount


def end_exists(conn: sqlite3.Connection, kind: str, row_id: str) -> bool:
    """Whether a link's end (``kind``, ``row_id``) is a row of the project."""
    table = dict((k, t) for t, k in END_TABLES).get(kind)
    if table is None:
        return False
    return conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone() is not None

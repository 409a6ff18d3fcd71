"""Codings of other coders that a bundle's deleted code or segment would take with it.

Deleting a code (with its sub-codes) or a segment deletes its codings and leaves a tombstone
for each, so a bundle whose coder deleted a code that other coders used (their codings came
in the lead's bundle) carries tombstones of those coders' codings too. Applied, they wiped
other coders' work at the lead without anyone deciding. Such coding tombstones are held back
here: the codings stay, so the code's (or segment's) own tombstone finds them and becomes the
``delete`` conflict ("Code deleted by bob, still used by ...") that the lead decides. The
deleter's own codings go as before. A deletion the sender decided on a conflict (the bundle
carries the conflict resolved, on the code, a parent of it, or the segment) is a decision
already and goes through. A coding that a code merge there took off its code because the same
coding was already on the target (the bundle has it there, and the merged code's
``merged-into:<target>`` mark in ``row_versions`` that ``Codebook.merge_codes`` leaves) is a
move, not a loss, and goes through too.

A single coding of another coder that the bundle's coder removed (with blind coding off a
coder sees and can remove others' codings) is ``removed_codings``: its tombstone becomes the
``delete`` conflict on the coding itself, unless the sender decided it on a conflict.
Part of ``storage.team.merge_rows._Merge``.
"""

from __future__ import annotations

import sqlite3


def _same_coding(schema: str, code: str) -> str:
    """SQL: ``schema`` has coding ``c`` (its coder, segment and span) on code ``code``."""
    return (
        f"EXISTS (SELECT 1 FROM {schema}.codings m WHERE m.code_id = {code} "
        "AND m.segment_id = c.segment_id AND m.coder = c.coder "
        "AND m.start_cp IS c.start_cp AND m.end_cp IS c.end_cp)"
    )


def held_back_codings(conn: sqlite3.Connection, schema: str, coder: str) -> set[str]:
    """Ids of our codings, by coders other than ``coder`` (the bundle's), whose tombstones in
    the bundle (``schema``) came with the deletion of their code or segment there."""
    b = schema

    def gone(table: str, col: str) -> str:
        return (
            f"(EXISTS (SELECT 1 FROM {b}.deletions e WHERE e.table_name = '{table}' "
            f"AND e.row_id = c.{col}) "
            f"AND NOT EXISTS (SELECT 1 FROM {b}.{table} y WHERE y.id = c.{col}))"
        )

    rows = conn.execute(
        f"SELECT c.id, c.code_id, c.segment_id, {gone('codes', 'code_id')}, "
        f"{gone('segments', 'segment_id')} FROM {b}.deletions d "
        "CROSS JOIN main.codings c ON c.id = d.row_id "
        "WHERE d.table_name = 'codings' AND c.coder <> ? "
        f"AND NOT EXISTS (SELECT 1 FROM {b}.codings x WHERE x.id = c.id) "
        # not dropped by a code merge onto a code that had the same coding already (here or
        # in the bundle: one exported ``since`` a time leaves the older out)
        f"AND NOT EXISTS (SELECT 1 FROM {b}.row_versions v WHERE v.table_name = 'codes' "
        "AND v.row_id = c.code_id AND v.version LIKE 'merged-into:%' AND ("
        f"{_same_coding('main', 'substr(v.version, 13)')} OR "
        f"{_same_coding(b, 'substr(v.version, 13)')}))",
        (coder,),
    ).fetchall()
    rows = [r for r in rows if r[3] or r[4]]
    if not rows:
        return set()
    decided: set[tuple[str, str]] = set()
    if conn.execute(
        f"SELECT 1 FROM {b}.sqlite_master WHERE type = 'table' AND name = 'conflicts'"
    ).fetchone():
        decided = {
            (str(r[0]), str(r[1]))
            for r in conn.execute(
                f"SELECT table_name, row_id FROM {b}.conflicts WHERE status = 'resolved' "
                "AND table_name IN ('codes', 'segments')"
            )
        }
    parents = dict(conn.execute("SELECT id, parent_id FROM main.codes").fetchall())

    def code_decided(code_id: str | None) -> bool:
        seen: set[str] = set()
        while code_id is not None and code_id not in seen:  # the code or a parent of it
            if ("codes", code_id) in decided:
                return True
            seen.add(code_id)
            code_id = parents.get(code_id)
        return False

    return {
        str(cid)
        for cid, code_id, segment_id, code_gone, segment_gone in rows
        if (code_gone and not code_decided(code_id))
        or (segment_gone and ("segments", str(segment_id)) not in decided)
    }


def removed_codings(conn: sqlite3.Connection, schema: str, coder: str) -> set[str]:
    """Ids of our codings, by coders other than ``coder`` (the bundle's), that the bundle
    (``schema``) removed one by one: their code and segment are still there. A removal the
    sender decided on a conflict is left out."""
    b = schema
    decided = ""
    if conn.execute(
        f"SELECT 1 FROM {b}.sqlite_master WHERE type = 'table' AND name = 'conflicts'"
    ).fetchone():
        decided = (
            f"AND NOT EXISTS (SELECT 1 FROM {b}.conflicts k WHERE k.table_name = 'codings' "
            "AND k.row_id = c.id AND k.status = 'resolved') "
        )
    return {
        str(r[0])
        for r in conn.execute(
            f"SELECT c.id FROM {b}.deletions d CROSS JOIN main.codings c ON c.id = d.row_id "
            "WHERE d.table_name = 'codings' AND c.coder <> ? "
            f"AND NOT EXISTS (SELECT 1 FROM {b}.codings x WHERE x.id = c.id) "
            f"AND EXISTS (SELECT 1 FROM {b}.codes y WHERE y.id = c.code_id) "
            f"AND EXISTS (SELECT 1 FROM {b}.segments z WHERE z.id = c.segment_id) {decided}",
            (coder,),
        )
    }

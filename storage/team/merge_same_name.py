"""Codes with one path and different ids: merged by default for a bundle of this project.

Two coders who start from the lead's bundle and each create "Corruption" mean one code. They
merge into the oldest (by ``created_at``, then id), every stamp derived from the rows, not the
clock, so any merge order gives the same project and codings keep their coder. The merged code's
creator and creation time stay with the kept code as a ``row_versions`` entry
``merged:<created_at>:<id>`` (author: its creator), which travels in bundles like any version
(``Team.code_origins`` reads it back). ``merge_same_name=False`` (``--keep-same-name-apart``)
keeps them apart and only reports them. Part of ``storage.team.merge_rows._Merge``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from storage.core.link_rows import move_links
from storage.core.names import path_key
from storage.team.conflicts import mark_resolved

if TYPE_CHECKING:
    from storage.team.merge_rows import _Merge

#: prefix of the ``row_versions`` entry that records a code merged into another
MERGED_PREFIX = "merged:"


def _next_version(version: str) -> str:
    """The version after ``version`` (an ISO time with milliseconds): one millisecond later."""
    try:
        when = datetime.strptime(version, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return version + "+"  # not a time this FieldScribe wrote: still a new, later string
    return (when + timedelta(milliseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class SameNameCodes:
    """Reports and merges same-path codes for one merge (``storage.team.merge_rows._Merge``)."""

    def __init__(self, merge: _Merge) -> None:
        self._m = merge

    def run(self) -> None:
        """Report the codes that share a path; merge them when the merge was asked to."""
        merged_ids: set[str] = set()
        for _ in range(1000):
            groups: dict[str, list[Any]] = {}
            for code in self._m.project.codebook.codes():
                # one path whatever its letter case, Unicode form (NFC, NFD) and spaces
                groups.setdefault(path_key(code.path), []).append(code)
            dups = sorted(
                ((p, cs) for p, cs in groups.items() if len(cs) > 1),
                key=lambda item: (item[0].count("/"), item[0]),
            )
            if not dups:
                return
            for _, cs in dups:  # the oldest first: its path is the one shown and kept
                cs.sort(key=lambda c: (c.created_at, c.id))
            if not self._m.merge_same_name:
                self._m.summary.same_name_codes = [
                    (cs[0].path, sorted(c.id for c in cs)) for _, cs in dups
                ]
                return
            self._m.summary.same_name_merged = True
            _, codes = dups[0]
            self._m.summary.same_name_codes.append((codes[0].path, [c.id for c in codes]))
            for other in codes[1:]:
                self._merge_code_into(other.id, codes[0].id)
                merged_ids.add(other.id)
                self._m.summary.merged_codes += 1

    def _merge_code_into(self, source: str, target: str) -> None:
        """Move a code's codings, sub-codes, memos and links to ``target``; delete ``source``.

        Unlike ``Project.merge_codes`` (a user's act, stamped with its time), every stamp here
        derives from the rows themselves: each changed row's new version is its old version plus
        one millisecond, each tombstone is dated likewise, and of two equal codings (same segment,
        coder and span) the one created first stays. So merging bundles with ``--merge-same-name``
        gives the same project in any order, and again changes nothing; codings keep their coder.
        """
        conn, by = self._m.conn, self._m.project.coder
        # provenance: who created the merged code and when (with what it carried before)
        origin = conn.execute(
            "SELECT created_at, created_by FROM main.codes WHERE id = ?", (source,)
        ).fetchone()
        marks = [(f"{MERGED_PREFIX}{origin[0]}:{source}", origin[1])]
        marks += conn.execute(
            "SELECT version, author FROM main.row_versions WHERE table_name = 'codes' "
            "AND row_id = ? AND version LIKE ?",
            (source, MERGED_PREFIX + "%"),
        ).fetchall()
        conn.executemany(
            "INSERT OR IGNORE INTO main.row_versions (table_name, row_id, version, author) "
            "VALUES ('codes', ?, ?, ?)",
            [(target, version, author) for version, author in marks],
        )

        def tombstone(table: str, row_id: str, version: str) -> None:
            self._m._union_tombstone((table, row_id, by, _next_version(version)))

        def links_gone(link_id: str, version: str) -> None:
            tombstone("links", link_id, version)

        for cid, created, version, seg, coder, start, end in conn.execute(
            "SELECT id, created_at, updated_at, segment_id, coder, start_cp, end_cp "
            "FROM main.codings WHERE code_id = ? ORDER BY created_at, id",
            (source,),
        ).fetchall():
            twin = conn.execute(
                "SELECT id, created_at, updated_at FROM main.codings WHERE code_id = ? "
                "AND segment_id = ? AND coder = ? AND start_cp IS ? AND end_cp IS ?",
                (target, seg, coder, start, end),
            ).fetchone()
            if twin is not None:
                # the one made first stays, and takes the other's links (``move_links``)
                first = (twin[1], twin[0]) < (created, cid)
                gone, kept = (cid, twin[0]) if first else (twin[0], cid)
                move_links(
                    conn,
                    "coding",
                    gone,
                    kept,
                    stamp=_next_version,
                    tombstone=links_gone,
                    twins=False,  # copies: ``merge_twins``
                )
                if gone == cid:
                    conn.execute("DELETE FROM main.codings WHERE id = ?", (cid,))
                    tombstone("codings", cid, version)
                    continue
                conn.execute("DELETE FROM main.codings WHERE id = ?", (twin[0],))
                tombstone("codings", twin[0], twin[2])
            conn.execute(
                "UPDATE main.codings SET code_id = ?, updated_at = ? WHERE id = ?",
                (target, _next_version(version), cid),
            )
        for table, column, extra in (
            ("codes", "parent_id", ""),
            ("memos", "target_id", " AND target_type = 'code'"),
        ):
            for row_id, version in conn.execute(
                f"SELECT id, updated_at FROM main.{table} WHERE {column} = ?{extra}", (source,)
            ).fetchall():
                conn.execute(
                    f"UPDATE main.{table} SET {column} = ?, updated_at = ? WHERE id = ?",
                    (target, _next_version(version), row_id),
                )
        # its links too (one that would link the kept code to itself, or repeat one, goes)
        move_links(
            conn,
            "code",
            source,
            target,
            stamp=_next_version,
            tombstone=links_gone,
            twins=False,  # copies: ``merge_twins``
        )
        version = conn.execute(
            "SELECT updated_at FROM main.codes WHERE id = ?", (source,)
        ).fetchone()[0]
        conn.execute("DELETE FROM main.codes WHERE id = ?", (source,))
        tombstone("codes", source, version)
        # a deletion of the code held open here (others' codings used it) went with the
        # merge: left open, it named a code that is gone and could not be resolved
        kept = conn.execute("SELECT name FROM main.codes WHERE id = ?", (target,)).fetchone()
        mark_resolved(
            conn,
            f"went with the merge into the code of the same name {kept[0]!r}",
            by,
            "table_name = 'codes' AND row_id = ? AND status = 'open'",
            [source],
        )

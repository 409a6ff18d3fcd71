"""Deletions in a merge: the bundle's tombstones applied here, or ``delete`` conflicts where
rows here still use the row, and rows deleted here that the bundle's codings still use brought
back. Part of ``storage.team.merge_rows._Merge``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from storage.core.schema_teamwork import TRAVELLING_TABLES
from storage.team.conflicts import ConflictVersion, content_columns, mark_resolved, version_key
from storage.team.merge_cascade import held_back_codings, removed_codings
from storage.team.merge_retranscribed import follow_into_ours

if TYPE_CHECKING:
    from storage.team.merge_rows import _Merge

#: parent table -> the (child table, column) pairs that point at it
FK_CHILDREN: dict[str, list[tuple[str, str]]] = {
    "sessions": [
        ("media", "session_id"),
        ("session_speakers", "session_id"),
        ("segments", "session_id"),
        ("markers", "session_id"),
        ("speaker_turns", "session_id"),
    ],
    "participants": [("session_speakers", "participant_id")],
    # redactions never travel, but one here keeps its segment like a coding does: a bundle's
    # deletion of a segment redacted here is a conflict for a person to decide (keeping the
    # deletion deletes the segment with its redactions: ``Transcript.delete_segment``)
    "segments": [("codings", "segment_id"), ("redactions", "segment_id")],
    "codes": [("codings", "code_id"), ("codes", "parent_id")],
}
#: child table -> its (column, parent table) pairs
FK_PARENTS: dict[str, list[tuple[str, str]]] = {}
for _parent, _children in FK_CHILDREN.items():
    for _child, _col in _children:
        FK_PARENTS.setdefault(_child, []).append((_col, _parent))
FK_PARENTS.setdefault("codings", []).append(("coder", "coders"))

_DELETE_ORDER = (
    "links",
    "speaker_profiles",
    "speaker_turns",
    "codings",
    "memos",
    "markers",
    "session_speakers",
    "media",
    "segments",
    "codes",
    "participants",
    "sessions",
)


class Deletions:
    """Applies the bundle's deletions, for one merge (``storage.team.merge_rows._Merge``)."""

    def __init__(self, merge: _Merge) -> None:
        self._m = merge

    def _references(self, table: str, row_id: str) -> int:
        total = 0
        for child, col in FK_CHILDREN.get(table, []):
            total += self._m.conn.execute(
                f"SELECT count(*) FROM main.{child} WHERE {col} = ?", (row_id,)
            ).fetchone()[0]
        return int(total)

    def _delete_local(self, table: str, row_id: str) -> None:
        conn = self._m.conn
        if table == "segments":
            seq, text = conn.execute(
                "SELECT seq, text FROM main.segments WHERE id = ?", (row_id,)
            ).fetchone()
            self._m.project.store.fts_delete(seq, text)
        if table == "sessions":
            conn.execute("DELETE FROM main.transcription_state WHERE session_id = ?", (row_id,))
        conn.execute(f"DELETE FROM main.{table} WHERE id = ?", (row_id,))

    def apply(self) -> None:
        conn = self._m.conn
        tombs = conn.execute(
            f"SELECT table_name, row_id, deleted_by, deleted_at FROM {self._m.b}.deletions "
            "ORDER BY table_name, row_id"
        ).fetchall()
        order = {t: i for i, t in enumerate(_DELETE_ORDER)}
        pending = sorted((t for t in tombs if t[0] in order), key=lambda t: (order[t[0]], t[1]))
        blocked: list[tuple[str, str, str, str]] = []
        held: set[str] = set()
        removed: set[str] = set()
        # the lead's removals and deletions are decisions, final in a coder's copy: only the
        # rows the lead never saw (codings made here since) keep a deleted code or segment
        if not self._m.from_lead:
            held = held_back_codings(conn, self._m.b, self._m.opened.coder)
            removed = removed_codings(conn, self._m.b, self._m.opened.coder)
        progress = True
        while pending and progress:  # codes: children before parents, whatever the order
            progress = False
            retry = []
            for tomb in pending:
                table, row_id = tomb[0], tomb[1]
                if table == "codings" and row_id in held:
                    continue  # another coder's: its code's (segment's) deletion is a conflict
                if conn.execute(
                    "SELECT 1 FROM main.row_versions WHERE table_name = ? AND row_id = ? "
                    "AND version LIKE 'undeleted:%' AND substr(version, 11) >= ?",
                    (table, row_id, tomb[3]),
                ).fetchone():
                    continue  # undone here after that deletion (an undo restored the row)
                if conn.execute(
                    f"SELECT 1 FROM {self._m.b}.{table} WHERE id = ?", (row_id,)
                ).fetchone():
                    self._m._union_tombstone(tomb)  # the sender keeps the row (its own conflict)
                    continue
                if not conn.execute(
                    f"SELECT 1 FROM main.{table} WHERE id = ?", (row_id,)
                ).fetchone():
                    self._m._union_tombstone(tomb)
                    continue
                if self._references(table, row_id) or (table == "codings" and row_id in removed):
                    retry.append(tomb)  # in use, or another coder's coding: a conflict
                    continue
                self._delete_local(table, row_id)
                self._m._union_tombstone(tomb)
                self._m.summary.table(table).deleted += 1
                # an open conflict on it (another's removal of a coding its coder removed too)
                # would name a row that is gone and could not be resolved
                mark_resolved(
                    conn,
                    f"deleted by {tomb[2]}",
                    self._m.project.coder,
                    "table_name = ? AND row_id = ? AND status = 'open'",
                    [table, row_id],
                )
                progress = True
            blocked, pending = retry, retry
        for tomb in blocked:
            table, row_id, by, at = tomb
            local = conn.execute(f"SELECT * FROM main.{table} WHERE id = ?", (row_id,)).fetchone()
            content = content_columns(conn, table)
            lvals = {c: local[c] for c in content}
            lv = local["updated_at"]
            versions = [
                ConflictVersion(str(at), str(by), {}, deleted=True),
                ConflictVersion(
                    lv, self._m._author("main", table, row_id, lv, self._m.owner), lvals
                ),
            ]
            if self._resolved_with(table, row_id, versions[0]):
                continue  # already decided to keep the row
            self._m._union_tombstone(tomb)
            if self._m._record_conflict(table, row_id, versions, current=None):
                self._m.summary.table(table).conflicts += 1
        for tomb in tombs:
            if tomb[0] not in order and tomb[0] in TRAVELLING_TABLES:
                self._m._union_tombstone(tomb)
        # the speech a coder deleted with a segment (schema 0009) travels with its tombstone:
        # a new transcription here leaves it out too
        conn.execute(
            "UPDATE main.deletions AS d SET session_id = x.session_id, start_ms = x.start_ms, "
            f"end_ms = x.end_ms FROM {self._m.b}.deletions AS x WHERE x.table_name = "
            "'segments' AND x.start_ms IS NOT NULL AND x.end_ms >= x.start_ms AND "
            "d.table_name = x.table_name AND d.row_id = x.row_id AND d.start_ms IS NULL"
        )

    def _resolved_with(self, table: str, row_id: str, version: ConflictVersion) -> bool:
        row = self._m.conn.execute(
            "SELECT status, versions FROM main.conflicts WHERE table_name = ? AND row_id = ?",
            (table, row_id),
        ).fetchone()
        if row is None or row[0] != "resolved":
            return False
        keys = {
            version_key(ConflictVersion(str(v["version"]), "", {}, bool(v["deleted"])))
            for v in json.loads(row[1])
            if v["deleted"]
        }
        return version_key(version) in keys

    def restore_used(self, table: str) -> None:
        """Bring back rows deleted here that new codings from the bundle still use."""
        conn = self._m.conn
        col = "segment_id" if table == "segments" else "code_id"
        if not conn.execute(
            "SELECT 1 FROM main.deletions WHERE table_name = ? LIMIT 1", (table,)
        ).fetchone():
            return  # nothing of that table was deleted here: nothing to bring back
        wanted = [
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT r.{col} FROM {self._m.b}.codings r "
                f"WHERE EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = '{table}' "
                f"AND d.row_id = r.{col}) "
                "AND NOT EXISTS (SELECT 1 FROM main.codings l WHERE l.id = r.id) "
                "AND NOT EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = 'codings' "
                "AND d.row_id = r.id) "
                f"AND NOT EXISTS (SELECT 1 FROM main.{table} x WHERE x.id = r.{col}) "
                f"AND EXISTS (SELECT 1 FROM {self._m.b}.{table} y WHERE y.id = r.{col}) ORDER BY 1"
            )
        ]
        cols = self._m._cols(table)
        collist = ", ".join(cols)
        content = content_columns(conn, table)
        while wanted:
            row_id = wanted.pop(0)
            if conn.execute(f"SELECT 1 FROM main.{table} WHERE id = ?", (row_id,)).fetchone():
                continue
            row = conn.execute(
                f"SELECT {collist} FROM {self._m.b}.{table} WHERE id = ?", (row_id,)
            ).fetchone()
            values = dict(zip(cols, tuple(row), strict=True))
            if table == "codes" and values["parent_id"] is not None:
                parent = values["parent_id"]
                if not conn.execute("SELECT 1 FROM main.codes WHERE id = ?", (parent,)).fetchone():
                    wanted.insert(0, row_id)
                    wanted.insert(0, parent)
                    if (
                        wanted.count(parent) > 1
                        or not conn.execute(
                            f"SELECT 1 FROM {self._m.b}.codes WHERE id = ?", (parent,)
                        ).fetchone()
                    ):
                        return
                    continue
            if (
                table == "segments"
                and not conn.execute(
                    "SELECT 1 FROM main.sessions WHERE id = ?", (values["session_id"],)
                ).fetchone()
            ):
                continue  # its session is gone too: the codings stay out
            if table == "segments" and follow_into_ours(self._m, values):
                continue  # its words live on in our segments: the codings went there
            cur = conn.execute(
                f"INSERT INTO main.{table} ({collist}) VALUES ({', '.join('?' * len(cols))})",
                tuple(values.values()),
            )
            if table == "segments":
                self._m.project.store.fts_insert(cur.lastrowid, values["text"])
            tomb = conn.execute(
                "SELECT deleted_by, deleted_at FROM main.deletions WHERE table_name = ? "
                "AND row_id = ?",
                (table, row_id),
            ).fetchone()
            rv = values["updated_at"]
            versions = [
                ConflictVersion(str(tomb[1]), str(tomb[0]), {}, deleted=True),
                ConflictVersion(
                    rv,
                    self._m._author(self._m.b, table, row_id, rv, self._m.opened.coder),
                    {c: values[c] for c in content},
                ),
            ]
            if self._m.from_lead:
                # the lead's bundle still uses a row deleted here: the lead's data is final,
                # the row stays back (recorded, decided here: it could not reach the lead)
                conn.execute(
                    "DELETE FROM main.deletions WHERE table_name = ? AND row_id = ?",
                    (table, row_id),
                )
                self._m._record_conflict(table, row_id, versions, current=None)
                mark_resolved(
                    conn,
                    f"brought back: the lead's bundle uses it ({self._m.opened.coder})",
                    self._m.project.coder,
                    "table_name = ? AND row_id = ? AND status = 'open'",
                    [table, row_id],
                )
                self._m.summary.table(table).updated += 1
                continue
            if self._m._record_conflict(table, row_id, versions, current=None):
                self._m.summary.table(table).conflicts += 1

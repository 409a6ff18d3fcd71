"""Undo and redo of edits by snapshots: rows come back with their own ids.

An edit is recorded with ``record_edit``: the rows it may touch (its *scope*: some segments
and codes, with their codings and memos) are read before and after it runs, in the same
transaction. ``undo_edit`` writes the "before" rows back and ``redo_edit`` the "after" rows, each
in one transaction:

* a row of the scope that the target state lacks is deleted (with a tombstone, as any deletion),
  except a coder's whole-segment coding whose place the target's flagged span of the same code
  holds: it waits in ``held_codings`` again (``storage.core.held_codings``), no one's deletion;
* a row the target state has and the project lacks is inserted again with its id and its
  ``created_*`` stamps; its tombstone is removed (a segment's with the span of speech its
  deletion removed: a new transcription no longer leaves that speech out), and the deletion
  it undoes is remembered in ``row_versions`` as ``undeleted:<deleted_at>``, so a bundle merge
  elsewhere that already applied the tombstone brings the row back (``storage/team/merge.py``);
* a row whose content differs is written back.

Rows written back get a fresh ``updated_at``: they are a new version, so a merge takes them
over the versions they replace (which other copies may have seen). Memos are only written back
(e.g. moved back to the code they were on), never deleted or re-created: a memo someone wrote
meanwhile is kept, one deleted meanwhile stays deleted. When rows the target state needs are
gone (say a merged bundle deleted the code), nothing is written and ``InUseError`` says so.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from storage.core.anchors import TextDiff, is_flagged
from storage.core.errors import InUseError
from storage.core.held_codings import drop_settled, hold_again
from storage.core.ids import now_iso
from storage.core.link_rows import end_exists
from storage.core.store import Store

if TYPE_CHECKING:
    from storage.project import Project

T = TypeVar("T")

#: the version marker a restore leaves for the deletion it undid (see ``storage/team/merge.py``)
UNDELETED_PREFIX = "undeleted:"
_SKIP = {"seq"}
_NOT_COMPARED = {"seq", "updated_at"}


@dataclass(frozen=True)
class UndoScope:
    """The rows an edit may touch: these segments and codes, their codings and their memos
    (and the speaker turns under the segments); for ``speaker_sessions`` also every speaker
    turn and every speaker-to-participant mapping (``session_speakers``) of those sessions."""

    segment_ids: frozenset[str] = frozenset()
    code_ids: frozenset[str] = frozenset()
    speaker_sessions: frozenset[str] = frozenset()
    #: links added or removed by the edit (the links of its codes and codings are in anyway)
    link_ids: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        segments: Iterable[str] = (),
        codes: Iterable[str] = (),
        speaker_sessions: Iterable[str] = (),
        links: Iterable[str] = (),
    ) -> UndoScope:
        """Build a scope from segment, code, session and link ids."""
        return cls(
            frozenset(segments), frozenset(codes), frozenset(speaker_sessions), frozenset(links)
        )

    def __or__(self, other: UndoScope) -> UndoScope:
        return UndoScope(
            self.segment_ids | other.segment_ids,
            self.code_ids | other.code_ids,
            self.speaker_sessions | other.speaker_sessions,
            self.link_ids | other.link_ids,
        )


@dataclass
class Snapshot:
    """The rows of a scope at one moment: ``rows[table][id] = {column: value}``."""

    scope: UndoScope
    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        """The rows of one table (``segments``, ``codes``, ``codings``, ``memos``,
        ``redactions``, ``speaker_turns``, ``session_speakers`` or ``links``;
        ``deleted_speech``: the spans of deleted segments' tombstones, by segment id)."""
        return self.rows.get(name, {})


@dataclass
class EditRecord:
    """An edit that can be undone and redone: its rows before and after."""

    before: Snapshot
    after: Snapshot
    #: ``Store.privacy_epoch`` when recorded: after a privacy operation (names replaced,
    #: originals destroyed) the snapshots hold texts that must not come back
    epoch: int = 0

    @property
    def scope(self) -> UndoScope:
        """Every row either state covers."""
        return self.before.scope | self.after.scope


def _ids_param(ids: Iterable[str]) -> str:
    return json.dumps(sorted(ids))


class History:
    """Snapshots of rows and restoring them (the workbench's undo stack builds on it)."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    # ----------------------------------------------------------------- scopes
    def code_scope(self, code_id: str, *, merge_into: str | None = None) -> UndoScope:
        """The scope of deleting a code (with its sub-codes) or of merging it into another.

        Args:
            code_id: the code deleted or merged away.
            merge_into: the code it is merged into (a merge also re-parents its sub-codes).
        """
        rows = self._store.rows(
            "WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT c.id FROM codes c JOIN d "
            "ON c.parent_id = d.id) SELECT id FROM d",
            (code_id,),
        )
        codes = {r[0] for r in rows}
        if merge_into is not None:
            codes.add(merge_into)
        return UndoScope.of(codes=codes)

    def speaker_scope(self, session_id: str, labels: Iterable[str]) -> UndoScope:
        """The scope of renaming, merging or mapping speakers of a session: the segments that
        carry these labels, with every speaker turn and mapping of the session."""
        labels = sorted(set(labels))
        rows = self._store.rows(
            "SELECT id FROM segments WHERE session_id = ? AND speaker IN "
            "(SELECT value FROM json_each(?))",
            (session_id, json.dumps(labels)),
        )
        return UndoScope.of(segments=[r[0] for r in rows], speaker_sessions=[session_id])

    # ----------------------------------------------------------------- snapshots
    def snapshot(self, scope: UndoScope) -> Snapshot:
        """Read the rows of ``scope`` as they are now."""
        segs, codes = _ids_param(scope.segment_ids), _ids_param(scope.code_ids)
        sessions = _ids_param(scope.speaker_sessions)
        snap = Snapshot(scope)
        with self._store.mutex:
            conn = self._store.conn
            queries = {
                "segments": (
                    "SELECT * FROM segments WHERE id IN (SELECT value FROM json_each(?))",
                    (segs,),
                ),
                "codes": (
                    "SELECT * FROM codes WHERE id IN (SELECT value FROM json_each(?))",
                    (codes,),
                ),
                "codings": (
                    "SELECT * FROM codings WHERE segment_id IN (SELECT value FROM json_each(?)) "
                    "OR code_id IN (SELECT value FROM json_each(?))",
                    (segs, codes),
                ),
                # redactions are anchored to the segments' text: they follow it back and forth
                "redactions": (
                    "SELECT * FROM redactions WHERE segment_id IN (SELECT value FROM json_each(?))",
                    (segs,),
                ),
                # the speaker timeline under the segments (edges included: cut parts start there)
                "speaker_turns": (
                    "SELECT t.* FROM segments g JOIN speaker_turns t ON t.session_id = "
                    "g.session_id AND t.start_ms <= g.end_ms AND t.end_ms >= g.start_ms "
                    "WHERE g.id IN (SELECT value FROM json_each(?)) GROUP BY t.id "
                    "UNION SELECT * FROM speaker_turns WHERE session_id IN "
                    "(SELECT value FROM json_each(?))",
                    (segs, sessions),
                ),
                "session_speakers": (
                    "SELECT * FROM session_speakers WHERE session_id IN "
                    "(SELECT value FROM json_each(?))",
                    (sessions,),
                ),
            }
            for table, (sql, params) in queries.items():
                snap.rows[table] = {
                    r["id"]: {k: r[k] for k in r.keys() if k not in _SKIP}  # noqa: SIM118
                    for r in conn.execute(sql, params).fetchall()
                }
            # the speech a deletion of these segments removed (schema 0009): a redo of the
            # deletion records it again (an undo removes the tombstone, span and all)
            snap.rows["deleted_speech"] = {
                r["row_id"]: dict(r)
                for r in conn.execute(
                    "SELECT row_id, session_id, start_ms, end_ms FROM deletions "
                    "WHERE table_name = 'segments' AND start_ms IS NOT NULL "
                    "AND row_id IN (SELECT value FROM json_each(?))",
                    (segs,),
                ).fetchall()
            }
            codings = _ids_param(snap.rows["codings"])
            snap.rows["memos"] = {
                r["id"]: dict(r)
                for r in conn.execute(
                    "SELECT * FROM memos WHERE (target_type = 'segment' AND target_id IN "
                    "(SELECT value FROM json_each(?))) OR (target_type = 'code' AND target_id IN "
                    "(SELECT value FROM json_each(?))) OR (target_type = 'coding' AND target_id "
                    "IN (SELECT value FROM json_each(?)))",
                    (segs, codes, codings),
                ).fetchall()
            }
            # the links of these codes and codings (a deleted code's come back with it), and
            # the links the edit names
            snap.rows["links"] = {
                r["id"]: dict(r)
                for r in conn.execute(
                    "SELECT * FROM links WHERE id IN (SELECT value FROM json_each(?)) OR "
                    "(origin_kind = 'code' AND origin_id IN (SELECT value FROM json_each(?))) OR "
                    "(target_kind = 'code' AND target_id IN (SELECT value FROM json_each(?))) OR "
                    "(origin_kind = 'coding' AND origin_id IN (SELECT value FROM json_each(?))) "
                    "OR (target_kind = 'coding' AND target_id IN (SELECT value FROM json_each(?)))",
                    (_ids_param(scope.link_ids), codes, codes, codings, codings),
                ).fetchall()
            }
        return snap

    def record_edit(
        self,
        scope: UndoScope,
        operation: Callable[[], T],
        *,
        grows: Callable[[T], UndoScope] | None = None,
    ) -> tuple[T, EditRecord]:
        """Run ``operation`` in one transaction, reading ``scope`` before and after it.

        Args:
            scope: the rows the edit may change.
            operation: the edit (calls of the project API).
            grows: rows the edit created, from its result (e.g. the new half of a split).

        Returns:
            The operation's result and the record to undo or redo it.
        """
        with self._store.tx():
            before = self.snapshot(scope)
            result = operation()
            after_scope = scope | grows(result) if grows is not None else scope
            after = self.snapshot(after_scope)
        return result, EditRecord(before, after, self._store.privacy_epoch)

    def _check_epoch(self, record: EditRecord) -> None:
        if record.epoch != self._store.privacy_epoch:
            record.before.rows.clear()  # the old texts are dropped from memory too
            record.after.rows.clear()
            raise InUseError(
                "This edit was made before names were replaced or originals destroyed; it can "
                "no longer be undone or redone (that would bring the old text back)."
            )

    def undo_edit(self, record: EditRecord) -> None:
        """Bring the rows of an edit back to how they were before it (ids kept).

        Raises:
            InUseError: a privacy operation ran since the edit was recorded.
        """
        self._check_epoch(record)
        self.restore_snapshot(record.before, scope=record.scope)

    def redo_edit(self, record: EditRecord) -> None:
        """Bring the rows of an edit back to how they were after it (ids kept).

        Raises:
            InUseError: a privacy operation ran since the edit was recorded.
        """
        self._check_epoch(record)
        self.restore_snapshot(record.after, scope=record.scope)

    # ----------------------------------------------------------------- restoring
    def restore_snapshot(self, target: Snapshot, *, scope: UndoScope | None = None) -> None:
        """Write the rows of ``scope`` (default: the snapshot's) back to ``target``, keeping ids.

        One transaction; see the module notes for deletions, tombstones and versions.

        Raises:
            InUseError: rows the target state needs were changed since; nothing was written.
        """
        scope = target.scope if scope is None else scope | target.scope
        try:
            self._restore(target, scope)
        except sqlite3.IntegrityError as exc:
            raise InUseError(
                f"{self._store.folder}: this edit can no longer be undone or redone: rows it "
                f"needs were changed since (for example by a merged bundle) ({exc}). "
                "Nothing was changed."
            ) from exc

    def _restore(self, target: Snapshot, scope: UndoScope) -> None:
        ts = now_iso()
        with self._store.tx() as db:
            conn = db.conn
            now = self.snapshot(scope)
            holders = _flagged_holders(target)
            for coding_id in sorted(now.table("codings").keys() - target.table("codings").keys()):
                coding = now.table("codings")[coding_id]
                conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
                holder = holders.get((coding["segment_id"], coding["code_id"], coding["coder"]))
                if coding["start_cp"] is None and holder not in (None, coding_id):
                    # a coder's whole-segment coding that came in when her flagged span got
                    # its words back: it waits again, and is no one's deletion
                    hold_again(conn, coding, str(holder))
                    continue
                self._store.tombstone("codings", coding_id)
            for code in _parents_first(target.table("codes")):
                self._put("codes", code, now.table("codes").get(code["id"]), ts)
            for seg in target.table("segments").values():
                self._put("segments", seg, now.table("segments").get(seg["id"]), ts)
            turns_now, turns_target = now.table("speaker_turns"), target.table("speaker_turns")
            for turn_id in sorted(turns_now.keys() - turns_target.keys()):
                conn.execute("DELETE FROM speaker_turns WHERE id = ?", (turn_id,))
                self._store.tombstone("speaker_turns", turn_id)
            for turn in turns_target.values():
                self._put("speaker_turns", turn, turns_now.get(turn["id"]), ts)
            maps_now, maps_target = now.table("session_speakers"), target.table("session_speakers")
            for map_id in sorted(maps_now.keys() - maps_target.keys()):
                conn.execute("DELETE FROM session_speakers WHERE id = ?", (map_id,))
                self._store.tombstone("session_speakers", map_id)
            for mapping in maps_target.values():
                self._put("session_speakers", mapping, maps_now.get(mapping["id"]), ts)
            # the codings there first: one written back can free the place of one inserted
            # (a span back on its words, then the whole-segment coding it held the place of)
            codings_now = now.table("codings")
            for coding in sorted(
                target.table("codings").values(), key=lambda c: c["id"] not in codings_now
            ):
                self._put("codings", coding, codings_now.get(coding["id"]), ts)
            self._restore_redactions(now, target, ts)
            for memo in target.table("memos").values():
                current = self._memo_now(memo["id"])
                if current is not None:  # a memo deleted meanwhile stays deleted
                    self._put("memos", memo, current, ts)
            for seg_id in sorted(now.table("segments").keys() - target.table("segments").keys()):
                seq, text = conn.execute(
                    "SELECT seq, text FROM segments WHERE id = ?", (seg_id,)
                ).fetchone()
                self._store.fts_delete(seq, text)
                conn.execute("DELETE FROM segments WHERE id = ?", (seg_id,))
                speech = target.table("deleted_speech").get(seg_id)
                self._store.tombstone(
                    "segments",
                    seg_id,
                    None
                    if speech is None
                    else (speech["session_id"], speech["start_ms"], speech["end_ms"]),
                )
            gone = now.table("codes").keys() - target.table("codes").keys()
            for code in reversed(_parents_first({k: now.table("codes")[k] for k in gone})):
                conn.execute("DELETE FROM codes WHERE id = ?", (code["id"],))
                self._store.tombstone("codes", code["id"])
            self._restore_links(now, target, ts)
            drop_settled(conn)  # a held coding a redo brought back waits no more

    def _restore_links(self, now: Snapshot, target: Snapshot, ts: str) -> None:
        """Links go back to how they were, after their ends did: one the target lacks goes
        (with a tombstone), one it has comes back while both its ends are in the project."""
        conn = self._store.conn
        links_now, links_target = now.table("links"), target.table("links")
        for link_id in sorted(links_now.keys() - links_target.keys()):
            if conn.execute("DELETE FROM links WHERE id = ?", (link_id,)).rowcount:
                self._store.tombstone("links", link_id)
        present = {
            r[0]
            for r in conn.execute(
                "SELECT id FROM links WHERE id IN (SELECT value FROM json_each(?))",
                (_ids_param(links_target),),
            )
        }
        for link in links_target.values():
            if link["id"] not in present and not all(
                end_exists(conn, link[f"{side}_kind"], link[f"{side}_id"])
                for side in ("origin", "target")
            ):
                continue  # an end went meanwhile (a merged bundle deleted it)
            current = None
            if link["id"] in present:
                row = conn.execute("SELECT * FROM links WHERE id = ?", (link["id"],)).fetchone()
                current = dict(row)
            self._put("links", link, current, ts)

    def _restore_redactions(self, now: Snapshot, target: Snapshot, ts: str) -> None:
        """Redactions go back to where they were (a text edit moved or dropped them). One
        made since the snapshot (or one the restored state lacks) follows the text back; it
        goes only when none of the words it hid are in the restored text."""
        conn = self._store.conn
        reds_now, reds_target = now.table("redactions"), target.table("redactions")
        for red in reds_target.values():
            self._put("redactions", red, reds_now.get(red["id"]), ts)
        texts_now = {k: v["text"] for k, v in now.table("segments").items()}
        texts_target = {k: v["text"] for k, v in target.table("segments").items()}
        for red_id in sorted(reds_now.keys() - reds_target.keys()):
            red = reds_now[red_id]
            old, new = texts_now.get(red["segment_id"]), texts_target.get(red["segment_id"])
            if old is None or new is None or old == new:
                continue
            span = TextDiff(old, new).map_span(red["start_cp"], red["end_cp"], keep_any=True)
            if span is None:
                conn.execute("DELETE FROM redactions WHERE id = ?", (red_id,))
                self._store.tombstone("redactions", red_id)
                continue
            conn.execute(
                "UPDATE redactions SET start_cp = ?, end_cp = ?, updated_at = ? WHERE id = ?",
                (*span, ts, red_id),
            )

    def _memo_now(self, memo_id: str) -> dict[str, Any] | None:
        row = self._store.conn.execute("SELECT * FROM memos WHERE id = ?", (memo_id,)).fetchone()
        return None if row is None else dict(row)

    def _put(
        self, table: str, row: dict[str, Any], current: dict[str, Any] | None, ts: str
    ) -> None:
        """Insert ``row`` again (same id) or write its content over ``current``."""
        conn = self._store.conn
        content = {k: v for k, v in row.items() if k not in _NOT_COMPARED}
        if current is None:
            self._store.insert_back(table, {**content, "updated_at": ts}, ts)
            tomb = conn.execute(
                "SELECT deleted_by, deleted_at FROM deletions WHERE table_name = ? AND row_id = ?",
                (table, row["id"]),
            ).fetchone()
            if tomb is not None:
                conn.execute(
                    "INSERT OR IGNORE INTO row_versions (table_name, row_id, version, author) "
                    "VALUES (?, ?, ?, ?)",
                    (table, row["id"], UNDELETED_PREFIX + tomb[1], self._store.coder or tomb[0]),
                )
                conn.execute(
                    "DELETE FROM deletions WHERE table_name = ? AND row_id = ?", (table, row["id"])
                )
            return
        changed = {k: v for k, v in content.items() if current.get(k) != v}
        if not changed:
            return
        if table == "segments" and "text" in changed:
            seq = conn.execute("SELECT seq FROM segments WHERE id = ?", (row["id"],)).fetchone()[0]
            self._store.fts_delete(seq, current["text"])
            self._store.fts_insert(seq, row["text"])
        sets = "".join(f"{k} = ?, " for k in changed)
        conn.execute(
            f"UPDATE {table} SET {sets}updated_at = ? WHERE id = ?",
            (*changed.values(), ts, row["id"]),
        )


def _flagged_holders(state: Snapshot) -> dict[tuple[str, str, str], str]:
    """The flagged whole-segment codings of a state, by (segment, code, coder): the codings
    that hold a coder's whole-segment coding's place (``storage.core.held_codings``)."""
    return {
        (c["segment_id"], c["code_id"], c["coder"]): str(coding_id)
        for coding_id, c in state.table("codings").items()
        if c["start_cp"] is None and is_flagged(c["memo"])
    }


def _parents_first(codes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Order codes so that a code comes after its parent when both are in ``codes``."""
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()

    def place(code_id: str, seen: frozenset[str]) -> None:
        if code_id in placed or code_id in seen:
            return
        code = codes[code_id]
        parent = code.get("parent_id")
        if parent in codes:
            place(parent, seen | {code_id})
        placed.add(code_id)
        ordered.append(code)

    for code_id in sorted(codes):
        place(code_id, frozenset())
    return ordered

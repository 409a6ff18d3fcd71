"""Decisions on conflicts travel: taking the resolutions a bundle's sender made.

A conflict's id is the same on every laptop (``conflict_id``). A bundle carries the conflicts
its sender resolved, without the competing values; merging it resolves the same conflict here
when the decision saw every version we know, records it when we never had it, and keeps the
later of two decisions (any merge order). A project that records its lead takes the lead's
decisions only (``storage.team.lead``). Part of ``storage.team.merge_rows._Merge``.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from storage.core.schema_teamwork import TRAVELLING_TABLES
from storage.team.bundle import refused
from storage.team.conflicts import ConflictVersion
from storage.team.lead import read_lead

if TYPE_CHECKING:
    from storage.team.merge_rows import _Merge

_CONFLICT_NS = uuid.UUID("6f1c1f0e-8d3b-4c59-9a57-3f0b8a1d2c11")


def conflict_id(table: str, row_id: str) -> str:
    """The conflict id of a row: the same on every laptop and in every merge order."""
    return str(uuid.uuid5(_CONFLICT_NS, f"{table}/{row_id}"))


class BundleResolutions:
    """Takes the bundle's resolved conflicts, for one merge (``storage.team.merge_rows._Merge``)."""

    def __init__(self, merge: _Merge) -> None:
        self._m = merge

    def _bundle_resolutions(
        self,
    ) -> list[tuple[str, str, str, list[ConflictVersion], tuple[str, str, str]]]:
        """The resolved conflicts the bundle carries, checked (a bundle is untrusted)."""
        b, path = self._m.b, self._m.opened.path
        if not self._m.conn.execute(
            f"SELECT 1 FROM {b}.sqlite_master WHERE type = 'table' AND name = 'conflicts'"
        ).fetchone():
            return []
        result = []
        for table, row_id, kind, raw, resolution, by, at in self._m.conn.execute(
            "SELECT table_name, row_id, kind, versions, resolution, resolved_by, resolved_at "
            f"FROM {b}.conflicts WHERE status = 'resolved' ORDER BY table_name, row_id"
        ).fetchall():
            try:
                if table not in TRAVELLING_TABLES or kind not in ("edit", "delete"):
                    raise ValueError("unknown table or kind")
                if not all(isinstance(x, str) and x for x in (row_id, resolution, by, at)):
                    raise ValueError("missing fields")
                versions = [
                    ConflictVersion(v["version"], v["author"], {}, v["deleted"])
                    for v in json.loads(raw)
                ]
                if not all(
                    isinstance(v.version, str)
                    and isinstance(v.author, str)
                    and isinstance(v.deleted, bool)
                    for v in versions
                ):
                    raise ValueError("bad version")
            except (TypeError, ValueError, KeyError) as exc:
                raise refused(
                    f"{path}: a resolved conflict of the bundle is malformed ({exc})"
                ) from exc
            result.append((table, row_id, kind, versions, (at, by, resolution)))
        return result

    def take(self) -> None:
        """Take the decisions on conflicts that the bundle's sender (a lead) made.

        A conflict open here whose every version the decision saw is resolved the same way; a
        conflict this project never had is recorded as resolved (versions without their
        values, which bundles do not carry), so that it is shown as decided, not raised again.
        Of two different decisions on one conflict the later stays (any merge order). When the
        decision kept a row that this project deleted (the row is in the bundle), the deletion
        the decision saw is dropped here, so the row comes back with the rows of the bundle.
        The rows themselves then merge by the usual rules: the resolved version descends from
        every competing one, so it is taken.
        """
        conn = self._m.conn
        lead = read_lead(conn)
        for table, row_id, kind, versions, decision in self._bundle_resolutions():
            if lead is not None and decision[1] != lead:
                continue  # a project with a lead takes the lead's decisions only
            theirs = {(v.version, v.deleted) for v in versions}
            local = conn.execute(
                "SELECT status, versions, resolved_at, resolved_by, resolution "
                "FROM main.conflicts WHERE table_name = ? AND row_id = ?",
                (table, row_id),
            ).fetchone()
            if local is None:
                conn.execute(
                    "INSERT INTO main.conflicts (id, table_name, row_id, kind, versions, status,"
                    " resolution, resolved_by, resolved_at, created_at)"
                    " VALUES (?, ?, ?, ?, ?, 'resolved', ?, ?, ?, ?)",
                    (
                        conflict_id(table, row_id),
                        table,
                        row_id,
                        kind,
                        json.dumps([v.as_json() for v in versions], ensure_ascii=False),
                        decision[2],
                        decision[1],
                        decision[0],
                        max((v.version for v in versions), default=decision[0]),
                    ),
                )
            else:
                ours = {(str(v["version"]), bool(v["deleted"])) for v in json.loads(local[1])}
                if local[0] == "open" and not ours <= theirs:
                    continue  # we know a version the decision did not see: still open
                if local[0] == "resolved" and tuple(x or "" for x in local[2:]) >= decision:
                    continue
                conn.execute(
                    "UPDATE main.conflicts SET status = 'resolved', resolved_at = ?,"
                    " resolved_by = ?, resolution = ? WHERE table_name = ? AND row_id = ?",
                    (*decision, table, row_id),
                )
            if (
                kind == "delete"
                and conn.execute(
                    f"SELECT 1 FROM {self._m.b}.{table} WHERE id = ?", (row_id,)
                ).fetchone()
            ):
                seen = {v.version for v in versions if v.deleted}
                conn.execute(
                    "DELETE FROM main.deletions WHERE table_name = ? AND row_id = ? "
                    f"AND deleted_at IN ({', '.join('?' * len(seen))})",
                    (table, row_id, *sorted(seen)),
                )

"""Merge conflicts as records, and the content columns a merge compares.

``Conflict`` and ``ConflictVersion`` are shared by the merge and by ``project.team``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.core.ids import now_iso
from storage.core.words import plural

_NOT_CONTENT = {"seq", "id", "created_by", "created_at", "updated_at"}
#: a conflict's table as a researcher names one of its rows
ROW_NAMES = {
    "segments": "Segment",
    "codes": "Code",
    "codings": "Coding",
    "memos": "Memo",
    "sessions": "Session",
    "participants": "Participant",
    "links": "Link",
}


@dataclass
class ConflictVersion:
    """One competing version of a row.

    ``deleted`` versions stand for a deletion (a tombstone) rather than row values.
    """

    version: str
    author: str
    values: dict[str, Any]
    deleted: bool = False

    def as_json(self) -> dict[str, Any]:
        """Return the JSON-friendly form stored in ``conflicts.versions``."""
        return {
            "version": self.version,
            "author": self.author,
            "values": self.values,
            "deleted": self.deleted,
        }


@dataclass
class Conflict:
    """Two or more coders changed (or deleted) the same row differently."""

    id: str
    table_name: str
    row_id: str
    kind: str
    versions: list[ConflictVersion]
    status: str
    resolution: str | None
    resolved_by: str | None
    resolved_at: str | None
    created_at: str
    current: dict[str, Any] | None = None

    def describe(self) -> str:
        """Return a one-line summary with the row's table and id (``headline`` without the
        codings' counts)."""
        return f"{self.table_name} {self.row_id}: {self.headline({})}"

    def headline(self, using: dict[str, int]) -> str:
        """What the conflict is about, as the conflicts dialog and ``fieldscribe conflicts``
        both say it: "Segment edited differently (alice, bob)", "Coding of alice removed by
        bob", "Code deleted by bob, still used by 3 codings: 2 of alice, 1 of carol".

        Args:
            using: per coder, the codings keeping the deletion would delete
                (``Team.codings_using``; empty for an edit conflict).
        """
        name = ROW_NAMES.get(self.table_name, self.table_name)
        if self.kind == "edit":
            who = ", ".join(sorted({v.author for v in self.versions}))
            return f"{name} edited differently ({who})"
        deleters = ", ".join(sorted({v.author for v in self.versions if v.deleted})) or "one"
        if self.table_name == "codings":  # one coding another coder removed
            owner = (self.current or {}).get("coder") or "another coder"
            return f"{name} of {owner} removed by {deleters}"
        total = sum(using.values())
        if not total:
            return f"{name} deleted by {deleters}, still used"
        codings = plural(total, "coding")
        if len(using) == 1:
            return f"{name} deleted by {deleters}, still used by {codings} of {next(iter(using))}"
        each = ", ".join(f"{n} of {coder}" for coder, n in using.items())
        return f"{name} deleted by {deleters}, still used by {codings}: {each}"


def version_key(v: ConflictVersion) -> tuple[str, bool, str]:
    """A version as a merge tells versions apart and orders them: stamp, deleted, values."""
    return (v.version, v.deleted, json.dumps(v.values, sort_keys=True, default=str))


def content_columns(conn: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    """Return the columns of ``table`` that hold content (not ids, seq or stamps)."""
    cols = [r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})")]
    return [c for c in cols if c not in _NOT_CONTENT]


def conflict_from_row(row: sqlite3.Row) -> Conflict:
    """Build a ``Conflict`` from a ``conflicts`` row."""
    versions = [
        ConflictVersion(
            version=str(v["version"]),
            author=str(v["author"]),
            values=dict(v.get("values") or {}),
            deleted=bool(v.get("deleted")),
        )
        for v in json.loads(row["versions"])
    ]
    return Conflict(
        id=row["id"],
        table_name=row["table_name"],
        row_id=row["row_id"],
        kind=row["kind"],
        versions=versions,
        status=row["status"],
        resolution=row["resolution"],
        resolved_by=row["resolved_by"],
        resolved_at=row["resolved_at"],
        created_at=row["created_at"],
    )


def mark_resolved(
    conn: sqlite3.Connection, resolution: str, by: str, where: str, params: Sequence[Any]
) -> None:
    """Resolve the conflicts that ``where`` (SQL on ``main.conflicts``) selects, as
    ``resolution``, by ``by``, now."""
    conn.execute(
        "UPDATE main.conflicts SET status = 'resolved', resolution = ?, resolved_by = ?, "
        f"resolved_at = ? WHERE {where}",
        (resolution, by, now_iso(), *params),
    )

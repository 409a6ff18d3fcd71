"""Migration 0013: links between codes, sessions, codings, memos and participants are rows.

A link (ATLAS.ti's "is cause of" between two codes, NVivo's relationships, a REFI-QDA
``Link``) was kept only as a JSON value in ``project_meta`` (``exchange.links``), written by a
``.qdpx`` import and read back by an export; nobody could see, add or remove one. Now each is a
row of ``links`` that travels in bundles and merges by id like a code (``TRAVELLING_TABLES``):
adds from every bundle are kept, a removal (a tombstone) wins as it does for other rows.

* ``origin_kind``/``origin_id`` and ``target_kind``/``target_id``: each end, as a code, a
  session, a coding (a passage), a memo or a participant (``LINK_KINDS``);
* ``name`` ("is cause of"), ``direction`` (REFI-QDA's ``OneWay``, ``Bidirectional`` or
  ``Associative``), ``colour`` (``#rrggbb`` or NULL) and ``memo`` (a note on the link).

A link goes with either end: triggers delete the links of a deleted code, session, coding,
memo or participant (no tombstone: the end's own deletion travels, and a merge drops a link
whose end is not in the project, ``storage.codebook.links.drop_dangling``). Undo brings a
deleted code back with its links (``storage.history.undo``), a restored session with its own
(``storage.sessions.deleted``).

The migration moves the links an import kept in ``exchange.links`` into the table (same ids:
the link GUIDs), with a fixed stamp so that two copies of a project that kept the same links
migrate to the same rows, and removes the JSON value. A bundle of an older schema is migrated
the same way before a merge reads it.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from storage.core.meta import read_meta
from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

#: ``(table, link kind)`` of each table a link's end may be a row of
END_TABLES = (
    ("codes", "code"),
    ("sessions", "session"),
    ("codings", "coding"),
    ("memos", "memo"),
    ("participants", "participant"),
)
#: what a link's end may be
LINK_KINDS = tuple(kind for _, kind in END_TABLES)
#: REFI-QDA's ``Link/@direction`` values
LINK_DIRECTIONS = ("OneWay", "Bidirectional", "Associative")
#: the stamp of links moved here from ``exchange.links`` (the same in every copy)
MOVED_STAMP = "2000-01-01T00:00:00.000Z"
#: where an older FieldScribe kept the links an import brought
OLD_KEY = "exchange.links"
_COLOUR = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")

_KINDS_SQL = ", ".join(f"'{k}'" for k in LINK_KINDS)
_DIRECTIONS_SQL = ", ".join(f"'{d}'" for d in LINK_DIRECTIONS)

_V13 = f"""
CREATE TABLE links (
    id TEXT PRIMARY KEY,
    origin_kind TEXT NOT NULL CHECK (origin_kind IN ({_KINDS_SQL})),
    origin_id TEXT NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ({_KINDS_SQL})),
    target_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    direction TEXT CHECK (direction IS NULL OR direction IN ({_DIRECTIONS_SQL})),
    colour TEXT,
    memo TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX links_origin ON links(origin_kind, origin_id);
CREATE INDEX links_target ON links(target_kind, target_id);
CREATE TRIGGER links_version_history AFTER UPDATE ON links
WHEN OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT OR IGNORE INTO row_versions (table_name, row_id, version)
    VALUES ('links', OLD.id, OLD.updated_at);
END;
"""

_END_TRIGGER = """
CREATE TRIGGER {table}_links_go AFTER DELETE ON {table}
BEGIN
    DELETE FROM links WHERE (origin_kind = '{kind}' AND origin_id = OLD.id)
        OR (target_kind = '{kind}' AND target_id = OLD.id);
END;
"""


def kept_links(raw: str | None) -> list[dict[str, Any]]:
    """The rows of ``links`` that the JSON value ``exchange.links`` of an older project stands
    for (what the migration writes; also what a read-only project not migrated yet shows)."""
    try:
        kept = json.loads(raw) if raw else {}
    except ValueError:
        kept = {}
    rows: list[dict[str, Any]] = []
    for guid, link in sorted(kept.items() if isinstance(kept, dict) else []):
        if not isinstance(link, dict):
            continue
        ends: list[list[Any]] = [
            e
            for e in (link.get("origin"), link.get("target"))
            if isinstance(e, list) and len(e) == 2 and e[0] in LINK_KINDS
        ]
        if len(ends) != 2:
            continue
        direction, colour = link.get("direction"), link.get("color")
        rows.append(
            {
                "id": str(guid),
                "origin_kind": ends[0][0],
                "origin_id": str(ends[0][1]),
                "target_kind": ends[1][0],
                "target_id": str(ends[1][1]),
                "name": str(link.get("name") or ""),
                "direction": direction if direction in LINK_DIRECTIONS else None,
                "colour": colour if isinstance(colour, str) and _COLOUR.match(colour) else None,
                "memo": None,
                "created_by": "",
                "created_at": MOVED_STAMP,
                "updated_at": MOVED_STAMP,
            }
        )
    return rows


def links_migration(db: Database) -> None:
    """Migration 0013: the ``links`` table, its triggers, and the links kept as JSON moved in."""
    run_script(db, _V13 + "".join(_END_TRIGGER.format(table=t, kind=k) for t, k in END_TABLES))
    conn = db.conn
    kept = read_meta(conn, "main", OLD_KEY)
    if kept is None:
        return
    for link in kept_links(kept):
        conn.execute(
            f"INSERT OR IGNORE INTO links ({', '.join(link)}) "
            f"VALUES ({', '.join('?' * len(link))})",
            tuple(link.values()),
        )
    conn.execute("DELETE FROM project_meta WHERE key = ?", (OLD_KEY,))

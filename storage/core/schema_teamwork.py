"""Schema step 0002: what teamwork needs (merge conflicts and row version history).

* ``conflicts``: one row per (table, row id) where two coders changed the same row differently
  (``kind = 'edit'``) or where one deleted a row that another still uses (``kind = 'delete'``).
  ``versions`` is a JSON list of every competing version, so nothing is overwritten silently.
* ``row_versions``: the versions (``updated_at`` stamps) of each row that this copy of the project
  has had or has seen in a merged bundle, with their author when known. A merge uses it as the
  "base" notion: a bundle row whose version is already known here is old news (skipped); a bundle
  row that knows our current version descends from it (taken); otherwise both sides edited the
  row since they last met (conflict).
* triggers record a row's previous version in ``row_versions`` whenever an update changes its
  ``updated_at``. They are plain SQL (any SQLite tool can edit the project) and are removed from
  bundle snapshots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

#: The travelling tables as migration 0002 knew them (frozen: it creates their triggers, and
#: a migration never changes once released).
TRAVELLING_TABLES_0002 = (
    "sessions",
    "media",
    "participants",
    "session_speakers",
    "segments",
    "markers",
    "codes",
    "codings",
    "memos",
)

#: Tables whose rows travel in bundles and merge by id, parents before children. A table
#: added here needs a new migration that creates its version-history trigger (see
#: ``speaker_profiles_travel_migration``; ``speaker_turns`` has its own in migration 0006,
#: ``links`` in 0013).
TRAVELLING_TABLES = (*TRAVELLING_TABLES_0002, "speaker_profiles", "speaker_turns", "links")

_V2 = """
CREATE TABLE conflicts (
    id TEXT PRIMARY KEY,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('edit', 'delete')),
    versions TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolution TEXT,
    resolved_by TEXT,
    resolved_at TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX conflicts_row ON conflicts(table_name, row_id);
CREATE TABLE row_versions (
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    version TEXT NOT NULL,
    author TEXT,
    PRIMARY KEY (table_name, row_id, version)
) WITHOUT ROWID;
"""

_TRIGGER = """
CREATE TRIGGER {table}_version_history AFTER UPDATE ON {table}
WHEN OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT OR IGNORE INTO row_versions (table_name, row_id, version)
    VALUES ('{table}', OLD.id, OLD.updated_at);
END;
"""


def teamwork_migration(db: Database) -> None:
    """Create the conflicts and row-version tables and the version-history triggers."""
    script = _V2 + "".join(_TRIGGER.format(table=t) for t in TRAVELLING_TABLES_0002)
    run_script(db, script)


def speaker_profiles_travel_migration(db: Database) -> None:
    """Schema step 0005: voice profiles travel in bundles (their version-history trigger)."""
    run_script(db, _TRIGGER.format(table="speaker_profiles"))


#: Suffix of the version (``updated_at``) a row gets in a bundle when it was made safe: the
#: exporting project records it as one of its own versions, so the same row coming back in a
#: teammate's bundle is "old news" for the merge, never a change to the original, and one a
#: teammate edited from it is taken as edited from ours (``storage.team.merge_rows``).
SAFE_VERSION_SUFFIX = "~safe"

"""Merging a bundle into a project (one transaction; a refusal changes nothing).

Rules, per row of a travelling table (matched by its global id):

* new in the bundle and not deleted here: added (codings keep their coder);
* same content here: skipped;
* the bundle's version is one this project already had or saw (``row_versions``): skipped;
* the bundle's version history contains our current version: the bundle edited it since we
  last met and we did not, so it is taken ("edited on one side only");
* otherwise both sides edited it: a conflict that keeps every version (``conflicts``); the row
  shows the newest version meanwhile (by ``updated_at``, then content), so merging A then B
  gives the same project as B then A, and merging a bundle twice changes nothing;
* a deletion (tombstone) in the bundle deletes the row here unless rows here still use it
  (codings of a code or of a segment that the bundle did not know about): then it is a conflict;
  rows the bundle brings that use a row deleted here bring it back, as a conflict too;
* decisions travel: a conflict the bundle's sender resolved is resolved here too when the
  decision saw every version we know (a kept row comes back over the deletion it overrode);
* ``merge_same_name``: codes with one path merge into the oldest, every stamp derived from the
  rows (not the clock), so any order gives the same project and codings keep their coder.

Several bundles merge in one transaction, each in a savepoint (``MergeSession``).
"""

from __future__ import annotations

import array
import contextlib
import json
import math
import re
import shutil
import sqlite3
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .bundle import InvalidBundleError, OpenedBundle
from .errors import ReadOnlyError
from .teamwork import ConflictVersion, content_columns
from .teamwork_schema import TRAVELLING_TABLES

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
    "segments": [("codings", "segment_id")],
    "codes": [("codings", "code_id"), ("codes", "parent_id")],
}
#: child table -> its (column, parent table) pairs
FK_PARENTS: dict[str, list[tuple[str, str]]] = {}
for _parent, _children in FK_CHILDREN.items():
    for _child, _col in _children:
        FK_PARENTS.setdefault(_child, []).append((_col, _parent))
FK_PARENTS.setdefault("codings", []).append(("coder", "coders"))

_DELETE_ORDER = (
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
_OTHER_TABLES = ("coders", "deletions", "row_versions", "project_meta")
_MEDIA_PATH = re.compile(r"^media/[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
#: page cache (KiB) of the project during a merge (the bundle gets half); given back after
MERGE_CACHE_KIB = 64 * 1024
#: the most bundles a merge session commits at once (each stays attached until the commit)
MERGE_BATCH = 8
#: the largest voice-profile embedding a bundle may bring (float32 values)
MAX_EMBEDDING_DIM = 8192
_CONFLICT_NS = uuid.UUID("6f1c1f0e-8d3b-4c59-9a57-3f0b8a1d2c11")


@dataclass
class TableSummary:
    """What a merge did to one table."""

    added: int = 0
    updated: int = 0
    conflicts: int = 0
    skipped: int = 0
    deleted: int = 0


@dataclass
class MergeSummary:
    """What merging one bundle did."""

    bundle: str
    coder: str
    tables: dict[str, TableSummary] = field(default_factory=dict)
    same_name_codes: list[tuple[str, list[str]]] = field(default_factory=list)
    merged_codes: int = 0
    media_copied: int = 0
    media_missing: int = 0

    def table(self, name: str) -> TableSummary:
        """Return (creating) the summary of one table."""
        return self.tables.setdefault(name, TableSummary())

    @property
    def conflicts(self) -> int:
        """Conflicts recorded by this merge, all tables together."""
        return sum(t.conflicts for t in self.tables.values())

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "bundle": self.bundle,
            "coder": self.coder,
            "tables": {k: vars(v) for k, v in self.tables.items()},
            "same_name_codes": [{"path": p, "ids": ids} for p, ids in self.same_name_codes],
            "merged_codes": self.merged_codes,
            "media_copied": self.media_copied,
            "media_missing": self.media_missing,
        }


def _undeleted(table: str, tomb: str, schema: str = "b") -> str:
    """SQL: the bundle brought back the row of tombstone ``tomb`` after that deletion.

    An undo that restores a deleted row leaves ``undeleted:<deleted_at>`` in ``row_versions``
    (``storage/undo.py``); a later tombstone of the same row is not covered by it.
    """
    return (
        f"EXISTS (SELECT 1 FROM {schema}.row_versions u WHERE u.table_name = '{table}' "
        f"AND u.row_id = {tomb}.row_id AND u.version LIKE 'undeleted:%' "
        f"AND substr(u.version, 11) >= {tomb}.deleted_at)"
    )


def conflict_id(table: str, row_id: str) -> str:
    """The conflict id of a row: the same on every laptop and in every merge order."""
    return str(uuid.uuid5(_CONFLICT_NS, f"{table}/{row_id}"))


def _next_version(version: str) -> str:
    """The version after ``version`` (an ISO time with milliseconds): one millisecond later."""
    try:
        when = datetime.strptime(version, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return version + "+"  # not a time this FieldScribe wrote: still a new, later string
    return (when + timedelta(milliseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _version_key(v: ConflictVersion) -> tuple[str, bool, str]:
    return (v.version, v.deleted, json.dumps(v.values, sort_keys=True, default=str))


def merge_bundle(
    project: Any,
    opened: OpenedBundle,
    *,
    allow_other_project: bool = False,
    merge_same_name: bool = False,
    adopt: bool = False,
) -> MergeSummary:
    """Merge one checked, unpacked bundle into ``project`` in one transaction.

    Args:
        project: an open, writable ``Project``.
        opened: from ``storage.bundle.open_bundle``.
        allow_other_project: merge a bundle exported from another project.
        merge_same_name: merge codes that have the same path but different ids.
        adopt: the project is new and takes the bundle's identity (``new --from-bundle``).

    Raises:
        InvalidBundleError: the bundle is refused; the project is unchanged.
    """
    with MergeSession(project) as session:
        return session.merge(
            opened,
            allow_other_project=allow_other_project,
            merge_same_name=merge_same_name,
            adopt=adopt,
        )


class MergeSession:
    """Bundles merged one after another into a project, with as few commits as possible.

    Each bundle merges inside its own savepoint: a refused bundle changes nothing, and the bundles
    merged before it stay merged (they are committed when the session ends, whatever ends it). A
    commit writes every page the merges changed, so one commit for several bundles writes the
    pages they share (the codings' indexes) once instead of once per bundle. SQLite cannot detach
    a database that the open transaction has read, so every bundle stays attached (and its
    unpacked folder stays on disk) until the commit; a session commits whenever it runs out of
    attachment slots (``MERGE_BATCH`` at most).

    Use it as a context manager; the project's lock is held throughout.
    """

    def __init__(self, project: Any, *, batch: int | None = None) -> None:
        if project.readonly:
            raise ReadOnlyError(f"{project.folder} was opened read-only; nothing was changed.")
        self.project = project
        self.conn: sqlite3.Connection = project.db.conn
        self.batch = batch or MERGE_BATCH
        self._stack: contextlib.ExitStack | None = None
        self._attached: list[str] = []
        self._folders: list[Path] = []
        self._copied: list[Path] = []
        self._pragmas: tuple[int, int] | None = None

    def __enter__(self) -> MergeSession:
        self.project._mutex.acquire()
        try:
            conn = self.conn
            trusted = conn.execute("PRAGMA trusted_schema").fetchone()[0]
            cache = conn.execute("PRAGMA main.cache_size").fetchone()[0]
            self._pragmas = (int(trusted), int(cache))
            conn.execute("PRAGMA trusted_schema = OFF")
            # the merge looks rows up by random UUIDs in both databases: with SQLite's default
            # 2 MiB page cache nearly every lookup re-reads pages from the OS
            conn.execute(f"PRAGMA main.cache_size = -{MERGE_CACHE_KIB}")
            limit = conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)
            in_use = len(conn.execute("PRAGMA database_list").fetchall()) - 2
            self.batch = max(1, min(self.batch, limit - in_use))
        except BaseException:
            self.project._mutex.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.commit()
        finally:
            conn = self.conn
            if self._pragmas is not None:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(f"PRAGMA trusted_schema = {self._pragmas[0]}")
                    conn.execute(f"PRAGMA main.cache_size = {self._pragmas[1]}")
            self.project._mutex.release()

    def commit(self) -> None:
        """Commit what the session merged so far, detach the bundles and remove their folders."""
        stack, self._stack = self._stack, None
        copied, self._copied = self._copied, []
        try:
            if stack is not None:
                try:
                    stack.close()  # COMMIT
                except BaseException:
                    for item in copied:  # audio of rows that were rolled back
                        item.unlink(missing_ok=True)
                    raise
        finally:
            for schema in self._attached:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute(f"DETACH DATABASE {schema}")
            self._attached = []
            for folder in self._folders:
                shutil.rmtree(folder, ignore_errors=True)
            self._folders = []

    def merge(
        self,
        opened: OpenedBundle,
        *,
        allow_other_project: bool = False,
        merge_same_name: bool = False,
        adopt: bool = False,
        remove_folder: bool = False,
    ) -> MergeSummary:
        """Merge one checked, unpacked bundle (in a savepoint of the session's transaction).

        Args:
            opened: from ``storage.bundle.open_bundle``.
            allow_other_project: merge a bundle exported from another project.
            merge_same_name: merge codes that have the same path but different ids.
            adopt: the project is new and takes the bundle's identity.
            remove_folder: the session removes the bundle's unpacked folder when done with it.

        Raises:
            InvalidBundleError: the bundle is refused; it changed nothing.
        """
        project, conn, path = self.project, self.conn, opened.path
        if len(self._attached) >= self.batch:
            self.commit()
        if remove_folder:
            self._folders.append(opened.folder)
        if opened.project_id != project.id and not allow_other_project:
            theirs = opened.manifest.get("project_name") or opened.project_id
            raise InvalidBundleError(
                f"{path} belongs to another project ({theirs!r}, id {opened.project_id}), not "
                f"{project.name!r}; use --allow-other-project to merge it anyway. Nothing changed."
            )
        if self._stack is None:
            stack = contextlib.ExitStack()
            stack.enter_context(project._tx())  # BEGIN
            self._stack = stack
        schema = f"fs_bundle{len(self._attached)}"
        uri = f"{opened.db_path.resolve().as_uri()}?mode=ro"
        conn.execute(f"ATTACH DATABASE ? AS {schema}", (uri,))
        self._attached.append(schema)
        conn.execute(f"PRAGMA {schema}.cache_size = -{MERGE_CACHE_KIB // 2}")
        summary = MergeSummary(bundle=str(path), coder=opened.coder)
        copied: list[Path] = []
        try:
            attached = {r[1]: r[2] for r in conn.execute("PRAGMA database_list")}
            if Path(attached.get(schema) or "/").resolve() != opened.db_path.resolve():
                raise InvalidBundleError(f"{path}: could not open the bundle read-only.")
            try:
                with project._tx():  # a savepoint
                    _validate(conn, path, schema, opened.differing)
                    run = _Merge(project, conn, opened, summary, merge_same_name, schema)
                    run.run()
                    if adopt:
                        run.adopt()
                    run.copy_media(copied)
            except sqlite3.IntegrityError as exc:
                if "FOREIGN KEY" in str(exc):
                    raise InvalidBundleError(
                        f"{path}: some rows refer to rows that exist neither in the bundle nor "
                        "in this project (a partial bundle needs the project it was made from);"
                        " refusing it. Nothing was changed."
                    ) from exc
                raise InvalidBundleError(
                    f"{path}: a row breaks a rule of the project schema ({exc}); "
                    "refusing the bundle. Nothing was changed."
                ) from exc
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
                    raise
                raise InvalidBundleError(
                    f"{path}: the bundle's database cannot be read ({exc}); nothing was changed."
                ) from exc
        except BaseException:
            for item in copied:
                item.unlink(missing_ok=True)
            raise
        finally:
            with contextlib.suppress(sqlite3.Error):
                for table in TRAVELLING_TABLES:
                    conn.execute(f"DROP TABLE IF EXISTS temp.fs_touch_{table}")
            with contextlib.suppress(sqlite3.Error):  # done with it: give its pages back
                conn.execute(f"PRAGMA {schema}.cache_size = 16")
        self._copied.extend(copied)
        return summary


# --------------------------------------------------------------------------- validation
def _not_identical(conn: sqlite3.Connection, table: str, b: str) -> str:
    """FROM and WHERE clauses: bundle rows ``r`` that no row ``l`` here has identically.

    ``l`` is our row with the same id, if any. Most rows of a bundle are the ones we already
    have, so this is the merge's hot loop: one indexed lookup per bundle row, in C. Segments
    first try our row at the same ``seq`` (a local key, but the same on copies made from one
    project while nobody split or deleted segments): an in-order integer-key lookup, far cheaper
    than a lookup by text id, which runs only where that misses.
    """
    same = " AND ".join(
        ["l.updated_at IS r.updated_at"] + [f"l.{c} IS r.{c}" for c in content_columns(conn, table)]
    )
    where = f"l.rowid IS NULL OR NOT ({same})"
    bundle_cols = {r[1] for r in conn.execute(f"PRAGMA {b}.table_info({table})")}
    if table == "segments" and "seq" in bundle_cols:  # seq is not required of a bundle
        fast = f"l.seq = r.seq AND l.id = r.id AND {same}"
        where = f"NOT EXISTS (SELECT 1 FROM main.segments l WHERE {fast}) AND ({where})"
    return f"{b}.{table} r LEFT JOIN main.{table} l ON l.id = r.id WHERE {where}"


#: tables whose rows ``find_differing`` compares ahead (most of a full bundle: the transcript)
AHEAD_TABLES = ("segments",)


def find_differing(project_db: Path, opened: OpenedBundle) -> None:
    """Find, ahead of the merge and on another connection, the bundle rows that differ from ours.

    Runs in the thread that unpacks the next bundle while the current one merges, against the
    project as last committed. A row identical then (same id, version and content) is skipped
    by the merge's rules whatever happened here since: later edits and deletions here keep
    that version in ``row_versions`` or leave a tombstone, so the bundle's copy is old news; and
    being equal to a row of ours, it is valid. Rows that differed then are checked and merged as
    usual (whether we have the row is looked up again at merge time). Any problem (a malformed
    bundle, a locked file) leaves ``opened.differing`` empty: the merge then compares itself,
    and refuses what must be refused.
    """
    opened.differing = {}
    try:
        conn = sqlite3.connect(f"{project_db.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA query_only = ON")
        conn.execute(f"PRAGMA cache_size = -{MERGE_CACHE_KIB // 2}")
        uri = f"{opened.db_path.resolve().as_uri()}?mode=ro"
        conn.execute("ATTACH DATABASE ? AS b", (uri,))
        found = {}
        for table in AHEAD_TABLES:
            found[table] = [
                r[0]
                for r in conn.execute(f"SELECT r.rowid FROM {_not_identical(conn, table, 'b')}")
            ]
        opened.differing = found
    except sqlite3.Error:
        opened.differing = {}
    finally:
        conn.close()


def _allowed_types(decl: str, notnull: bool, pk: bool, name: str) -> list[str]:
    decl = decl.upper()
    if "INT" in decl:
        types = ["integer"]
    elif "REAL" in decl:
        types = ["real", "integer"]
    elif "BLOB" in decl:
        types = ["blob"]
    else:
        types = ["text"]
    if not notnull and not pk and name not in ("id", "row_id"):
        types.append("null")
    return types


def _check_clauses(conn: sqlite3.Connection, table: str) -> list[str]:
    """The CHECK expressions of one of the project's own tables (from its trusted schema)."""
    row = conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    sql = row[0] if row else ""
    clauses = []
    for match in re.finditer(r"\bCHECK\s*\(", sql, flags=re.IGNORECASE):
        depth, i = 1, match.end()
        while depth and i < len(sql):
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        clauses.append(sql[match.end() : i - 1])
    return clauses


def _validate(
    conn: sqlite3.Connection, path: Path, b: str, differing: dict[str, list[int]] | None = None
) -> None:
    """Check the bundle's tables: every expected column present, every value of the right type.

    ``differing``: rows already found to differ from ours (``find_differing``), per table.
    """
    differing = differing or {}
    btables = {r[0] for r in conn.execute(f"SELECT name FROM {b}.sqlite_master WHERE type='table'")}
    for table in (*TRAVELLING_TABLES, *_OTHER_TABLES):
        if table not in btables:
            raise InvalidBundleError(f"{path}: the bundle has no table {table!r}; refusing it.")
        main_cols = conn.execute(f"PRAGMA main.table_info({table})").fetchall()
        bcols = {r[1] for r in conn.execute(f"PRAGMA {b}.table_info({table})")}
        checks: list[tuple[str, str]] = []
        for _, name, decl, notnull, _default, pk in main_cols:
            if name == "seq":
                continue
            if name not in bcols:
                raise InvalidBundleError(
                    f"{path}: table {table!r} of the bundle lacks column {name!r}; refusing it."
                )
            types = ", ".join(f"'{t}'" for t in _allowed_types(decl, bool(notnull), bool(pk), name))
            cond = f"typeof({name}) NOT IN ({types})"
            if name in ("id", "row_id", "name") and table != "project_meta":
                cond += f" OR length({name}) = 0"
            checks.append((name, cond))
        for clause in _check_clauses(conn, table):
            checks.append((f"CHECK ({' '.join(clause.split())})", f"NOT coalesce(({clause}), 1)"))
        if table == "segments":
            checks.append(("words", "words IS NOT NULL AND NOT json_valid(words)"))
        if table == "participants":
            checks.append(("attributes", "NOT json_valid(attributes)"))
        if table == "speaker_profiles":
            # float32 values, as many as ``dim`` says, and a sane number of them
            checks.append(
                (
                    "embedding (float32 values: its length must be 4 x dim, at most "
                    f"{MAX_EMBEDDING_DIM} values)",
                    "typeof(embedding) = 'blob' AND (length(embedding) % 4 != 0 "
                    "OR typeof(dim) != 'integer' OR length(embedding) != 4 * dim "
                    f"OR dim > {MAX_EMBEDDING_DIM})",
                )
            )
        sums = ", ".join(f"coalesce(sum({cond}), 0)" for _, cond in checks)
        source = f"{b}.{table}"
        if table in TRAVELLING_TABLES:
            # rows equal to ours are never copied: check (and later merge) only the others
            conn.execute(f"DROP TABLE IF EXISTS temp.fs_touch_{table}")
            conn.execute(
                f"CREATE TEMP TABLE fs_touch_{table} (rid INTEGER PRIMARY KEY, known INTEGER)"
            )
            ahead = differing.get(table)
            if ahead is None:
                conn.execute(
                    f"INSERT INTO temp.fs_touch_{table} (rid, known) "
                    f"SELECT r.rowid, l.rowid IS NOT NULL FROM {_not_identical(conn, table, b)}"
                )
            else:  # compared ahead: whether we have each row is asked now
                conn.executemany(
                    f"INSERT INTO temp.fs_touch_{table} (rid, known) VALUES (?, 0)",
                    ((rid,) for rid in ahead),
                )
                conn.execute(
                    f"UPDATE temp.fs_touch_{table} SET known = EXISTS (SELECT 1 FROM "
                    f"{b}.{table} r JOIN main.{table} l ON l.id = r.id WHERE r.rowid = rid)"
                )
            source += f" WHERE rowid IN (SELECT rid FROM temp.fs_touch_{table})"
        counts = conn.execute(f"SELECT {sums} FROM {source}").fetchone()
        for (name, _), bad in zip(checks, counts, strict=True):
            if bad:
                what = name if name.startswith(("CHECK", "embedding ")) else repr(name)
                raise InvalidBundleError(
                    f"{path}: {bad} row(s) of {table!r} have an invalid {what}; refusing the "
                    "bundle. Nothing was changed."
                )
    _check_embeddings_finite(conn, path, b)
    for (media_path,) in conn.execute(f"SELECT path FROM {b}.media"):
        if not _MEDIA_PATH.match(media_path):
            raise InvalidBundleError(
                f"{path}: media path {media_path!r} is not allowed; refusing the bundle."
            )


def _check_embeddings_finite(conn: sqlite3.Connection, path: Path, b: str) -> None:
    """Refuse voice-profile embeddings with NaN or infinite values (rows the merge would copy)."""
    rows = conn.execute(
        f"SELECT embedding FROM {b}.speaker_profiles "
        "WHERE rowid IN (SELECT rid FROM temp.fs_touch_speaker_profiles)"
    )
    for (blob,) in rows:
        values = array.array("f")
        values.frombytes(blob)
        if sys.byteorder == "big":
            values.byteswap()  # stored little-endian
        if not all(math.isfinite(v) for v in values):
            raise InvalidBundleError(
                f"{path}: a voice profile's embedding holds values that are not finite "
                "numbers; refusing the bundle. Nothing was changed."
            )


# --------------------------------------------------------------------------- the merge
class _Merge:
    def __init__(
        self,
        project: Any,
        conn: sqlite3.Connection,
        opened: OpenedBundle,
        summary: MergeSummary,
        merge_same_name: bool,
        schema: str,
    ) -> None:
        self.b = schema
        self.project = project
        self.conn = conn
        self.opened = opened
        self.summary = summary
        self.merge_same_name = merge_same_name
        self.owner = project.get_meta("owner") or project.coder
        self.new_media: list[tuple[str, str]] = []

    # ------------------------------------------------------------- driver
    def run(self) -> None:
        conn = self.conn
        n = conn.execute(
            "INSERT OR IGNORE INTO main.coders (name, created_at) "
            f"SELECT name, created_at FROM {self.b}.coders"
        ).rowcount
        total = conn.execute(f"SELECT count(*) FROM {self.b}.coders").fetchone()[0]
        self.summary.table("coders").added = n
        self.summary.table("coders").skipped = total - n
        self._take_resolutions()
        for table in TRAVELLING_TABLES:
            if table == "codings":
                self._restore_used("segments")
                self._restore_used("codes")
            self._merge_rows(table)
        self._apply_deletions()
        conn.execute(
            "INSERT INTO main.row_versions (table_name, row_id, version, author) "
            f"SELECT table_name, row_id, version, author FROM {self.b}.row_versions WHERE true "
            "ON CONFLICT DO UPDATE SET author = excluded.author "
            "WHERE row_versions.author IS NULL AND excluded.author IS NOT NULL"
        )
        self._same_name_codes()

    def adopt(self) -> None:
        """Take the bundle's project id and team settings (for ``new --from-bundle``)."""
        for key in ("project_id", "blind_coding"):
            row = self.conn.execute(
                f"SELECT value FROM {self.b}.project_meta WHERE key = ?", (key,)
            )
            value = row.fetchone()
            if value is not None:
                self.conn.execute(
                    "INSERT INTO main.project_meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value[0]),
                )

    # ------------------------------------------------------------- helpers
    def _cols(self, table: str) -> list[str]:
        return [
            r[1] for r in self.conn.execute(f"PRAGMA main.table_info({table})") if r[1] != "seq"
        ]

    def _author(self, schema: str, table: str, row_id: str, version: str, fallback: str) -> str:
        row = self.conn.execute(
            f"SELECT author FROM {schema}.row_versions WHERE table_name = ? AND row_id = ? "
            "AND version = ?",
            (table, row_id, version),
        ).fetchone()
        if row is not None and row[0]:
            return str(row[0])
        created = self.conn.execute(
            f"SELECT created_by, created_at FROM {schema}.{table} WHERE id = ?", (row_id,)
        ).fetchone()
        if created is not None and created[1] == version:
            return str(created[0])
        return fallback

    def _record_version(self, table: str, row_id: str, version: str, author: str | None) -> None:
        self.conn.execute(
            "INSERT INTO main.row_versions (table_name, row_id, version, author) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO UPDATE SET author = coalesce(row_versions.author, excluded.author)",
            (table, row_id, version, author),
        )

    def _write_row(self, table: str, row_id: str, values: dict[str, Any], version: str) -> None:
        conn = self.conn
        if table == "segments" and "text" in values:
            seq, text = conn.execute(
                "SELECT seq, text FROM main.segments WHERE id = ?", (row_id,)
            ).fetchone()
            if text != values["text"]:
                self.project._fts_delete(seq, text)
                self.project._fts_insert(seq, values["text"])
        sets = "".join(f"{k} = ?, " for k in values)
        conn.execute(
            f"UPDATE main.{table} SET {sets}updated_at = ? WHERE id = ?",
            (*values.values(), version, row_id),
        )

    # ------------------------------------------------------------- rows
    def _merge_rows(self, table: str) -> None:
        conn = self.conn
        stats = self.summary.table(table)
        cols = self._cols(table)
        content = content_columns(conn, table)
        collist = ", ".join(cols)
        rcols = ", ".join(f"r.{c}" for c in cols)
        where = [
            f"r.rowid IN (SELECT rid FROM temp.fs_touch_{table} WHERE NOT known)",
            f"NOT EXISTS (SELECT 1 FROM main.{table} l WHERE l.id = r.id)",
            f"NOT EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = '{table}' "
            f"AND d.row_id = r.id AND NOT {_undeleted(table, 'd', self.b)})",
        ]
        for col, parent in FK_PARENTS.get(table, []):
            if parent == "coders":
                continue
            where.append(
                f"(r.{col} IS NULL OR NOT EXISTS (SELECT 1 FROM main.deletions d2 WHERE "
                f"d2.table_name = '{parent}' AND d2.row_id = r.{col}) "
                f"OR EXISTS (SELECT 1 FROM main.{parent} p WHERE p.id = r.{col}))"
            )
        verb = "INSERT"
        if table == "codings":
            # The same coding under another id is skipped (the rule), and so is a row whose id
            # arrived since the touch table was made (none can: nothing else adds codings). The
            # insert looks both up anyway (its unique indexes), so OR IGNORE spares two index
            # searches per row; it ignores nothing else: NOT NULL and CHECK were validated for
            # these rows, and foreign-key errors are not ignored.
            del where[1]
            verb = "INSERT OR IGNORE"
        sql_where = " AND ".join(where)
        if table == "media":
            self.new_media = [
                (r[0], r[1])
                for r in conn.execute(
                    f"SELECT r.path, r.sha256 FROM {self.b}.media r WHERE {sql_where}"
                )
            ]
        lcols = ", ".join(f"l.{c}" for c in cols)
        changed = conn.execute(
            f"SELECT {rcols}, {lcols} FROM temp.fs_touch_{table} t "
            f"CROSS JOIN {self.b}.{table} r ON r.rowid = t.rid "
            f"CROSS JOIN main.{table} l ON l.id = r.id WHERE t.known"
        ).fetchall()
        max_seq = 0
        if table == "segments":
            max_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM main.segments").fetchone()[0]
        # in the order of the table's widest index: its pages fill in order, not at random
        order = " ORDER BY r.segment_id, r.code_id, r.coder" if table == "codings" else ""
        stats.added = conn.execute(
            f"{verb} INTO main.{table} ({collist}) SELECT {rcols} FROM {self.b}.{table} r "
            f"WHERE {sql_where}{order}"
        ).rowcount
        if table == "segments" and stats.added:
            conn.execute(
                "INSERT INTO main.segments_fts (rowid, text) "
                "SELECT seq, text FROM main.segments WHERE seq > ?",
                (max_seq,),
            )
        if stats.added:  # rows the sender deleted and brought back: their tombstones go
            conn.execute(
                f"DELETE FROM main.deletions AS d WHERE d.table_name = '{table}' "
                f"AND EXISTS (SELECT 1 FROM main.{table} x WHERE x.id = d.row_id) "
                f"AND {_undeleted(table, 'd', self.b)}"
            )
        total = conn.execute(f"SELECT count(*) FROM {self.b}.{table}").fetchone()[0]
        n = len(cols)
        for row in changed:
            remote = dict(zip(cols, tuple(row)[:n], strict=True))
            local = dict(zip(cols, tuple(row)[n:], strict=True))
            self._merge_one(table, content, remote, local, stats)
        stats.skipped = total - stats.added - stats.updated - stats.conflicts

    def _merge_one(
        self,
        table: str,
        content: list[str],
        remote: dict[str, Any],
        local: dict[str, Any],
        stats: TableSummary,
    ) -> None:
        conn = self.conn
        row_id = remote["id"]
        rv, lv = remote["updated_at"], local["updated_at"]
        rvals = {c: remote[c] for c in content}
        lvals = {c: local[c] for c in content}
        if rvals == lvals:
            return
        known_local = {lv} | {
            r[0]
            for r in conn.execute(
                "SELECT version FROM main.row_versions WHERE table_name = ? AND row_id = ?",
                (table, row_id),
            )
        }
        if rv in known_local and rv != lv:
            return  # an older version of ours
        history = {
            r[0]
            for r in conn.execute(
                f"SELECT version FROM {self.b}.row_versions WHERE table_name = ? AND row_id = ?",
                (table, row_id),
            )
        }
        remote_author = self._author(self.b, table, row_id, rv, self.opened.coder)
        if lv in history and rv != lv:
            self._write_row(table, row_id, rvals, rv)
            self._record_version(table, row_id, rv, remote_author)
            stats.updated += 1
            return
        versions = [
            ConflictVersion(lv, self._author("main", table, row_id, lv, self.owner), lvals),
            ConflictVersion(rv, remote_author, rvals),
        ]
        if self._record_conflict(table, row_id, versions, current=lvals):
            stats.conflicts += 1

    def _record_conflict(
        self,
        table: str,
        row_id: str,
        new_versions: list[ConflictVersion],
        *,
        current: dict[str, Any] | None,
    ) -> bool:
        """Add versions to the row's conflict; show the newest version. True if it changed."""
        conn = self.conn
        existing = conn.execute(
            "SELECT status, versions FROM main.conflicts WHERE table_name = ? AND row_id = ?",
            (table, row_id),
        ).fetchone()
        versions: dict[tuple[str, bool, str], ConflictVersion] = {}
        if existing is not None:
            for v in json.loads(existing[1]):
                cv = ConflictVersion(
                    str(v["version"]), str(v["author"]), dict(v["values"]), bool(v["deleted"])
                )
                versions[_version_key(cv)] = cv
        known = set(versions)
        for v in new_versions:
            versions.setdefault(_version_key(v), v)
        if existing is not None and set(versions) == known:
            return False
        ordered = sorted(versions.values(), key=lambda v: (*_version_key(v), v.author))
        kind = "delete" if any(v.deleted for v in ordered) else "edit"
        created = max(v.version for v in ordered)
        conn.execute(
            "INSERT INTO main.conflicts (id, table_name, row_id, kind, versions, status,"
            " created_at) VALUES (?, ?, ?, ?, ?, 'open', ?) "
            "ON CONFLICT(table_name, row_id) DO UPDATE SET kind = excluded.kind,"
            " versions = excluded.versions, status = 'open', resolution = NULL,"
            " resolved_by = NULL, resolved_at = NULL, created_at = excluded.created_at",
            (
                conflict_id(table, row_id),
                table,
                row_id,
                kind,
                json.dumps([v.as_json() for v in ordered], ensure_ascii=False, default=str),
                created,
            ),
        )
        rows = [v for v in ordered if not v.deleted]
        if kind == "edit" and rows and current is not None:
            winner = max(rows, key=_version_key)
            for v in rows:
                self._record_version(table, row_id, v.version, v.author)
            if winner.values != current:
                self._write_row(table, row_id, winner.values, winner.version)
        return True

    # ------------------------------------------------------------- resolutions
    def _bundle_resolutions(
        self,
    ) -> list[tuple[str, str, str, list[ConflictVersion], tuple[str, str, str]]]:
        """The resolved conflicts the bundle carries, checked (a bundle is untrusted)."""
        b, path = self.b, self.opened.path
        if not self.conn.execute(
            f"SELECT 1 FROM {b}.sqlite_master WHERE type = 'table' AND name = 'conflicts'"
        ).fetchone():
            return []
        result = []
        for table, row_id, kind, raw, resolution, by, at in self.conn.execute(
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
                raise InvalidBundleError(
                    f"{path}: a resolved conflict of the bundle is malformed ({exc}); refusing "
                    "the bundle. Nothing was changed."
                ) from exc
            result.append((table, row_id, kind, versions, (at, by, resolution)))
        return result

    def _take_resolutions(self) -> None:
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
        conn = self.conn
        for table, row_id, kind, versions, decision in self._bundle_resolutions():
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
                    f"SELECT 1 FROM {self.b}.{table} WHERE id = ?", (row_id,)
                ).fetchone()
            ):
                seen = {v.version for v in versions if v.deleted}
                conn.execute(
                    "DELETE FROM main.deletions WHERE table_name = ? AND row_id = ? "
                    f"AND deleted_at IN ({', '.join('?' * len(seen))})",
                    (table, row_id, *sorted(seen)),
                )

    # ------------------------------------------------------------- deletions
    def _references(self, table: str, row_id: str) -> int:
        total = 0
        for child, col in FK_CHILDREN.get(table, []):
            total += self.conn.execute(
                f"SELECT count(*) FROM main.{child} WHERE {col} = ?", (row_id,)
            ).fetchone()[0]
        return int(total)

    def _delete_local(self, table: str, row_id: str) -> None:
        conn = self.conn
        if table == "segments":
            seq, text = conn.execute(
                "SELECT seq, text FROM main.segments WHERE id = ?", (row_id,)
            ).fetchone()
            self.project._fts_delete(seq, text)
        if table == "sessions":
            conn.execute("DELETE FROM main.transcription_state WHERE session_id = ?", (row_id,))
        conn.execute(f"DELETE FROM main.{table} WHERE id = ?", (row_id,))

    def _apply_deletions(self) -> None:
        conn = self.conn
        tombs = conn.execute(
            f"SELECT table_name, row_id, deleted_by, deleted_at FROM {self.b}.deletions "
            "ORDER BY table_name, row_id"
        ).fetchall()
        order = {t: i for i, t in enumerate(_DELETE_ORDER)}
        pending = sorted((t for t in tombs if t[0] in order), key=lambda t: (order[t[0]], t[1]))
        blocked: list[tuple[str, str, str, str]] = []
        progress = True
        while pending and progress:  # codes: children before parents, whatever the order
            progress = False
            retry = []
            for tomb in pending:
                table, row_id = tomb[0], tomb[1]
                if conn.execute(
                    "SELECT 1 FROM main.row_versions WHERE table_name = ? AND row_id = ? "
                    "AND version LIKE 'undeleted:%' AND substr(version, 11) >= ?",
                    (table, row_id, tomb[3]),
                ).fetchone():
                    continue  # undone here after that deletion (an undo restored the row)
                if conn.execute(
                    f"SELECT 1 FROM {self.b}.{table} WHERE id = ?", (row_id,)
                ).fetchone():
                    self._union_tombstone(tomb)  # the sender keeps the row (its own conflict)
                    continue
                if not conn.execute(
                    f"SELECT 1 FROM main.{table} WHERE id = ?", (row_id,)
                ).fetchone():
                    self._union_tombstone(tomb)
                    continue
                if self._references(table, row_id):
                    retry.append(tomb)
                    continue
                self._delete_local(table, row_id)
                self._union_tombstone(tomb)
                self.summary.table(table).deleted += 1
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
                ConflictVersion(lv, self._author("main", table, row_id, lv, self.owner), lvals),
            ]
            if self._resolved_with(table, row_id, versions[0]):
                continue  # already decided to keep the row
            self._union_tombstone(tomb)
            if self._record_conflict(table, row_id, versions, current=None):
                self.summary.table(table).conflicts += 1
        for tomb in tombs:
            if tomb[0] not in order and tomb[0] in TRAVELLING_TABLES:
                self._union_tombstone(tomb)

    def _resolved_with(self, table: str, row_id: str, version: ConflictVersion) -> bool:
        row = self.conn.execute(
            "SELECT status, versions FROM main.conflicts WHERE table_name = ? AND row_id = ?",
            (table, row_id),
        ).fetchone()
        if row is None or row[0] != "resolved":
            return False
        keys = {
            _version_key(ConflictVersion(str(v["version"]), "", {}, bool(v["deleted"])))
            for v in json.loads(row[1])
            if v["deleted"]
        }
        return _version_key(version) in keys

    def _union_tombstone(self, tomb: tuple[str, str, str, str]) -> None:
        self.conn.execute(
            "INSERT INTO main.deletions (table_name, row_id, deleted_by, deleted_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(table_name, row_id) DO UPDATE SET "
            "deleted_by = excluded.deleted_by, deleted_at = excluded.deleted_at "
            "WHERE (excluded.deleted_at, excluded.deleted_by) < (deleted_at, deleted_by)",
            tuple(tomb),
        )

    def _restore_used(self, table: str) -> None:
        """Bring back rows deleted here that new codings from the bundle still use."""
        conn = self.conn
        col = "segment_id" if table == "segments" else "code_id"
        if not conn.execute(
            "SELECT 1 FROM main.deletions WHERE table_name = ? LIMIT 1", (table,)
        ).fetchone():
            return  # nothing of that table was deleted here: nothing to bring back
        wanted = [
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT r.{col} FROM {self.b}.codings r "
                f"WHERE EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = '{table}' "
                f"AND d.row_id = r.{col}) "
                "AND NOT EXISTS (SELECT 1 FROM main.codings l WHERE l.id = r.id) "
                "AND NOT EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = 'codings' "
                "AND d.row_id = r.id) "
                f"AND NOT EXISTS (SELECT 1 FROM main.{table} x WHERE x.id = r.{col}) "
                f"AND EXISTS (SELECT 1 FROM {self.b}.{table} y WHERE y.id = r.{col}) ORDER BY 1"
            )
        ]
        cols = self._cols(table)
        collist = ", ".join(cols)
        content = content_columns(conn, table)
        while wanted:
            row_id = wanted.pop(0)
            if conn.execute(f"SELECT 1 FROM main.{table} WHERE id = ?", (row_id,)).fetchone():
                continue
            row = conn.execute(
                f"SELECT {collist} FROM {self.b}.{table} WHERE id = ?", (row_id,)
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
                            f"SELECT 1 FROM {self.b}.codes WHERE id = ?", (parent,)
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
            cur = conn.execute(
                f"INSERT INTO main.{table} ({collist}) VALUES ({', '.join('?' * len(cols))})",
                tuple(values.values()),
            )
            if table == "segments":
                self.project._fts_insert(cur.lastrowid, values["text"])
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
                    self._author(self.b, table, row_id, rv, self.opened.coder),
                    {c: values[c] for c in content},
                ),
            ]
            if self._record_conflict(table, row_id, versions, current=None):
                self.summary.table(table).conflicts += 1

    # ------------------------------------------------------------- codes by name
    def _same_name_codes(self) -> None:
        merged_ids: set[str] = set()
        for _ in range(1000):
            groups: dict[str, list[Any]] = {}
            for code in self.project.codes():
                groups.setdefault(code.path, []).append(code)
            dups = sorted(
                ((p, cs) for p, cs in groups.items() if len(cs) > 1),
                key=lambda item: (item[0].count("/"), item[0]),
            )
            if not dups:
                return
            if not self.merge_same_name:
                self.summary.same_name_codes = [(p, sorted(c.id for c in cs)) for p, cs in dups]
                return
            path, codes = dups[0]
            codes.sort(key=lambda c: (c.created_at, c.id))
            self.summary.same_name_codes.append((path, [c.id for c in codes]))
            for other in codes[1:]:
                self._merge_code_into(other.id, codes[0].id)
                merged_ids.add(other.id)
                self.summary.merged_codes += 1

    def _merge_code_into(self, source: str, target: str) -> None:
        """Move a code's codings, sub-codes and memos to ``target``; delete ``source``.

        Unlike ``Project.merge_codes`` (a user's act, stamped with its time), every stamp here
        derives from the rows themselves: each changed row's new version is its old version plus
        one millisecond, each tombstone is dated likewise, and of two equal codings (same segment,
        coder and span) the one created first stays. So merging bundles with ``--merge-same-name``
        gives the same project in any order, and again changes nothing; codings keep their coder.
        """
        conn, by = self.conn, self.project.coder

        def tombstone(table: str, row_id: str, version: str) -> None:
            self._union_tombstone((table, row_id, by, _next_version(version)))

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
                if (twin[1], twin[0]) < (created, cid):
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
        version = conn.execute(
            "SELECT updated_at FROM main.codes WHERE id = ?", (source,)
        ).fetchone()[0]
        conn.execute("DELETE FROM main.codes WHERE id = ?", (source,))
        tombstone("codes", source, version)

    # ------------------------------------------------------------- media
    def copy_media(self, copied: list[Path]) -> None:
        """Copy the audio of newly added media rows (when the bundle has it)."""
        from .sessions import _copy_into, sha256_of

        media_dir = self.project.media_dir
        for rel, sha in self.new_media:
            src = self.opened.media.get(rel)
            if src is None:
                self.summary.media_missing += 1
                continue
            if sha256_of(src) != sha:
                raise InvalidBundleError(
                    f"{self.opened.path}: {rel} does not match its checksum in the database; "
                    "refusing the bundle. Nothing was changed."
                )
            dest = self.project.folder / rel
            if dest.exists():
                continue
            media_dir.mkdir(exist_ok=True)
            _copy_into(src, dest)
            copied.append(dest)
            self.summary.media_copied += 1

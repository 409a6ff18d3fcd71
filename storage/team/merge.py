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
  (codings of a code or of a segment that the bundle did not know about, or codings of other
  coders that its deletion took with it: ``merge_cascade``): then it is a conflict;
  rows the bundle brings that use a row deleted here bring it back, as a conflict too;
* decisions travel: a conflict the bundle's sender resolved is resolved here too when the
  decision saw every version we know (a kept row comes back over the deletion it overrode);
* same-path codes (``merge_same_name``, on by default for a bundle of this project, i.e. one
  that descends from the same lead project): codes with one path merge into the oldest, every
  stamp derived from the rows (not the clock), so any order gives the same project and codings
  keep their coder; the merged code's creator and creation time stay in ``row_versions`` as
  ``merged:<created_at>:<id>`` (``Team.code_origins``). ``merge_same_name=False`` keeps them apart.

Several bundles merge in one transaction, each in a savepoint (``MergeSession``).

This module holds the session (``MergeSession``: savepoints, attachments, the commit); the
row rules (new rows, edits, conflicts) are ``merge_rows._Merge``. The rest, each a part of one
merge: the checks of a bundle in ``merge_validation``, the work done ahead in a worker thread
in ``merge_ahead``, deletions and rows brought back in ``merge_deletions`` (with the references
between travelling tables), codings following the words of a segment deleted here in
``merge_retranscribed``, span codings moved into the text shown here in ``merge_spans``,
travelling decisions in ``merge_resolutions``, same-path codes in ``merge_same_name``, project
settings in ``merge_settings``, the lead in ``lead``, and the summary in ``merge_summary``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from storage.core.atomic import final_name, renaming
from storage.core.errors import ReadOnlyError
from storage.core.schema_teamwork import TRAVELLING_TABLES
from storage.core.tempdirs import remove_private_dir
from storage.team.bundle import (
    OpenedBundle,
    OtherProjectBundleError,
    refusal,
    refused,
)
from storage.team.merge_ahead import (
    find_differing as find_differing,  # re-exported: bundle.py, tests
)
from storage.team.merge_deletions import FK_CHILDREN as FK_CHILDREN  # re-exported
from storage.team.merge_resolutions import conflict_id as conflict_id  # re-exported
from storage.team.merge_rows import _Merge
from storage.team.merge_same_name import _next_version as _next_version  # re-exported (tests)
from storage.team.merge_summary import MergeSummary as MergeSummary  # re-exported
from storage.team.merge_validation import _validate

#: page cache (KiB) of the project during a merge; given back after. The codings' indexes of a
#: large merge (hundreds of thousands of rows) then stay in memory: 128 MiB merged ten
#: 50,000-coding bundles about 1 s faster than 64 MiB (docs/TEAMWORK.md)
MERGE_CACHE_KIB = 128 * 1024
#: page cache (KiB) of each attached bundle while it merges
BUNDLE_CACHE_KIB = 32 * 1024
#: a merge session that adds at least this many codings, and twice as many as the project had,
#: drops the codings' code index while it inserts and builds it again before its commit (one
#: sorted build costs less than keeping it up to date row by row: docs/TEAMWORK.md)
BULK_CODINGS = 20_000
#: the index that is dropped and built again (its entries are few keys with many rows each)
BULK_INDEX = "codings_code"
#: the most bundles a merge session commits at once (each stays attached until the commit;
#: SQLite attaches at most 10 databases to a connection unless built otherwise)
MERGE_BATCH = 10


def merge_bundle(
    project: Any,
    opened: OpenedBundle,
    *,
    allow_other_project: bool = False,
    merge_same_name: bool | None = None,
    adopt: bool = False,
) -> MergeSummary:
    """Merge one checked, unpacked bundle into ``project`` in one transaction.

    Args:
        project: an open, writable ``Project``.
        opened: from ``storage.team.bundle_open.open_bundle``.
        allow_other_project: merge a bundle exported from another project.
        merge_same_name: merge codes that have the same path but different ids (default: when
            the bundle belongs to this project, i.e. descends from the same lead).
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
        self.conn: sqlite3.Connection = project.store.conn
        self.batch = batch or MERGE_BATCH
        self._stack: contextlib.ExitStack | None = None
        self._attached: list[str] = []
        self._folders: list[Path] = []
        self._copied: list[Path] = []
        self._pragmas: tuple[int, int] | None = None
        self.bulk = _Bulk()
        #: the summaries of the bundles merged since the last commit: a failed commit (a full
        #: disk) rolls them back, and they stay here, so that nobody reports them as kept
        self.uncommitted: list[MergeSummary] = []

    def __enter__(self) -> MergeSession:
        self.project.store.mutex.acquire()
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
            self.project.store.mutex.release()
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
            self.project.store.mutex.release()

    def commit(self) -> None:
        """Commit what the session merged so far, detach the bundles and remove their folders."""
        stack, self._stack = self._stack, None
        copied, self._copied = self._copied, []
        bulk, self.bulk = self.bulk, _Bulk()
        renamed: list[Path] = []
        try:
            if stack is not None:
                try:
                    try:
                        bulk.restore(self.conn)  # inside the transaction, before its commit
                    except BaseException:
                        if not stack.__exit__(*sys.exc_info()):  # ROLLBACK
                            raise
                    else:
                        media = self.project.media_dir
                        with renaming(media, [final_name(item) for item in copied]):
                            for item in copied:  # the audio takes its name with its rows
                                os.replace(item, final_name(item))
                                renamed.append(final_name(item))
                            stack.close()  # COMMIT
                        self.uncommitted = []
                except BaseException:
                    for item in copied + renamed:  # audio of rows that were rolled back
                        item.unlink(missing_ok=True)
                    raise
        finally:
            for schema in self._attached:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute(f"DETACH DATABASE {schema}")
            self._attached = []
            for folder in self._folders:
                remove_private_dir(folder, shred=False)
            self._folders = []

    def merge(
        self,
        opened: OpenedBundle,
        *,
        allow_other_project: bool = False,
        merge_same_name: bool | None = None,
        adopt: bool = False,
        remove_folder: bool = False,
    ) -> MergeSummary:
        """Merge one checked, unpacked bundle (in a savepoint of the session's transaction).

        Args:
            opened: from ``storage.team.bundle_open.open_bundle``.
            allow_other_project: merge a bundle exported from another project.
            merge_same_name: merge codes that have the same path but different ids (None: when
                the bundle belongs to this project, i.e. descends from the same lead).
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
            raise OtherProjectBundleError(
                refusal(
                    f"{path} belongs to another project ({theirs!r}, id {opened.project_id}), "
                    f"not {project.name!r}",
                    "Use --allow-other-project to merge it anyway.",
                ),
                bundle=str(path),
                theirs=str(theirs),
                project_id=opened.project_id,
            )
        if merge_same_name is None:
            merge_same_name = opened.project_id == project.id
        if self._stack is None:
            stack = contextlib.ExitStack()
            stack.enter_context(project.store.tx())  # BEGIN
            self._stack = stack
        schema = f"fs_bundle{len(self._attached)}"
        uri = f"{opened.db_path.resolve().as_uri()}?mode=ro"
        conn.execute(f"ATTACH DATABASE ? AS {schema}", (uri,))
        self._attached.append(schema)
        conn.execute(f"PRAGMA {schema}.cache_size = -{BUNDLE_CACHE_KIB}")
        summary = MergeSummary(bundle=str(path), coder=opened.coder)
        copied: list[Path] = []
        try:
            attached = {r[1]: r[2] for r in conn.execute("PRAGMA database_list")}
            if Path(attached.get(schema) or "/").resolve() != opened.db_path.resolve():
                raise refused(f"{path}: could not open the bundle read-only")
            try:
                with project.store.tx():  # a savepoint
                    _validate(conn, path, schema, opened.differing, opened.checked)
                    run = _Merge(project, conn, opened, summary, merge_same_name, schema)
                    run.bulk = self.bulk
                    run.run()
                    if adopt:
                        run.adopt()
                    run.copy_media(copied)
                self.bulk.merged(run.dropped, summary.table("codings").added)
            except sqlite3.IntegrityError as exc:
                if "FOREIGN KEY" in str(exc):
                    raise refused(
                        f"{path}: some rows refer to rows that exist neither in the bundle nor "
                        "in this project (a partial bundle needs the project it was made from)"
                    ) from exc
                raise refused(f"{path}: a row breaks a rule of the project schema ({exc})") from exc
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
                    raise
                raise refused(f"{path}: the bundle's database cannot be read ({exc})") from exc
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
        self.uncommitted.append(summary)
        return summary


# --------------------------------------------------------------------------- the merge
class _Bulk:
    """A merge session's large insert of codings: the code index it dropped, rows it added.

    ``dropped`` holds only drops whose bundle merged (a refused bundle's savepoint brought the
    index back); ``restore`` builds the index again, with its planner statistics, before the
    session commits, so a committed project always has it.
    """

    def __init__(self) -> None:
        self.before: int | None = None  # codings the project had when the session began
        self.added = 0
        self.dropped: dict[str, tuple[str, str | None]] = {}  # index -> (CREATE sql, stat1 row)

    def worth_dropping(self, conn: sqlite3.Connection, adding: int) -> bool:
        if BULK_INDEX in self.dropped:
            return False
        if self.before is None:
            self.before = int(conn.execute("SELECT count(*) FROM main.codings").fetchone()[0])
        total = self.added + adding
        return adding >= BULK_CODINGS and total >= 2 * self.before

    def drop_index(
        self, conn: sqlite3.Connection, adding: int
    ) -> dict[str, tuple[str, str | None]]:
        """Drop the code index when inserting ``adding`` codings is worth it
        (``worth_dropping``); return what was dropped (index -> CREATE sql, stat1 row)."""
        if not self.worth_dropping(conn, adding):
            return {}
        dropped = _drop_index(conn, BULK_INDEX)
        return {} if dropped is None else {BULK_INDEX: dropped}

    def merged(self, dropped: dict[str, tuple[str, str | None]], added: int) -> None:
        self.dropped.update(dropped)
        self.added += added

    def restore(self, conn: sqlite3.Connection) -> None:
        for name, (sql, stat) in self.dropped.items():
            conn.execute(sql)
            if stat is not None:
                conn.execute(
                    "INSERT INTO main.sqlite_stat1 (tbl, idx, stat) VALUES ('codings', ?, ?)",
                    (name, stat),
                )
        self.dropped = {}


def _drop_index(conn: sqlite3.Connection, name: str) -> tuple[str, str | None] | None:
    """Drop one of our indexes; return its CREATE statement and its planner statistics."""
    row = conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND name = ?", (name,)
    ).fetchone()
    if row is None or not row[0]:
        return None
    stat = None
    if conn.execute(
        "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).fetchone():
        found = conn.execute(
            "SELECT stat FROM main.sqlite_stat1 WHERE tbl = 'codings' AND idx = ?", (name,)
        ).fetchone()
        stat = None if found is None else str(found[0])
    conn.execute(f"DROP INDEX main.{name}")
    return str(row[0]), stat

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

This module holds the session, the row rules and deletions (with the lists of travelling tables
and their references); the checks of a bundle are in ``merge_validation``, the work done ahead in
a worker thread in ``merge_ahead``, travelling decisions in ``merge_resolutions`` and
same-path codes in ``merge_same_name``.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.core.anchors import TextDiff
from storage.core.errors import InvalidInputError, ReadOnlyError
from storage.core.ids import now_iso
from storage.core.languages import parse_languages
from storage.core.models import CASE_NOTES_KEY, CHANGED_SUFFIX, NUMBER_STYLES, SHARED_SETTINGS
from storage.core.schema_search import fold_search_sql
from storage.core.schema_teamwork import TRAVELLING_TABLES
from storage.core.tempdirs import remove_private_dir
from storage.team.bundle import InvalidBundleError, OpenedBundle, OtherProjectBundleError
from storage.team.conflicts import ConflictVersion, content_columns, mark_resolved
from storage.team.lead import adopt_lead, lead_decides, take_lead
from storage.team.merge_ahead import (
    find_differing as find_differing,  # re-exported: bundle.py, tests
)
from storage.team.merge_cascade import held_back_codings, removed_codings
from storage.team.merge_resolutions import BundleResolutions
from storage.team.merge_resolutions import conflict_id as conflict_id  # re-exported
from storage.team.merge_same_name import SameNameCodes
from storage.team.merge_same_name import _next_version as _next_version  # re-exported (tests)
from storage.team.merge_validation import _validate

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

#: namespace of the ids of whole-segment codings copied to the parts of a segment split here
_SPLIT_COPY_NS = uuid.UUID("3d5e7a52-0c4b-4f8e-9b21-6a0f4c2d8e17")


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
    same_name_merged: bool = False  # whether ``same_name_codes`` were merged or only found
    merged_codes: int = 0
    media_copied: int = 0
    media_missing: int = 0
    settings: dict[str, str] = field(default_factory=dict)  # project settings taken, new values

    def settings_text(self) -> str:
        """The project settings taken, as "languages ru,kk,en; numbers digits"."""
        return "; ".join(f"{key} {value or 'automatic'}" for key, value in self.settings.items())

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
            "same_name_merged": self.same_name_merged,
            "merged_codes": self.merged_codes,
            "media_copied": self.media_copied,
            "media_missing": self.media_missing,
            "settings": dict(self.settings),
        }


_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?$")


def _usable_setting(key: str, value: str) -> bool:
    """Whether a project setting a bundle brings can be used here (bundles are untrusted)."""
    if key == "languages":
        try:
            return ",".join(parse_languages(value)) == value
        except InvalidInputError:
            return False
    if key == "numbers":
        return value in NUMBER_STYLES
    # a model: a name, "owner/repo" or "" (the default), not a folder of another machine
    folder = value.startswith(("/", "\\", "~")) or ".." in value or re.match(r"^[A-Za-z]:", value)
    return len(value) <= 200 and value.isprintable() and not folder


def _undeleted(table: str, tomb: str, schema: str = "b") -> str:
    """SQL: the bundle brought back the row of tombstone ``tomb`` after that deletion.

    An undo that restores a deleted row leaves ``undeleted:<deleted_at>`` in ``row_versions``
    (``storage/history/undo.py``); a later tombstone of the same row is not covered by it.
    """
    return (
        f"EXISTS (SELECT 1 FROM {schema}.row_versions u WHERE u.table_name = '{table}' "
        f"AND u.row_id = {tomb}.row_id AND u.version LIKE 'undeleted:%' "
        f"AND substr(u.version, 11) >= {tomb}.deleted_at)"
    )


class _Joined:
    """Segments read as one text (joined by a space), to find which of them holds a span."""

    def __init__(self, pieces: list[tuple[str, str]]) -> None:
        """``pieces``: (segment id, text), in reading order."""
        self.text = " ".join(text for _, text in pieces)
        self.offsets: list[tuple[int, str, int]] = []  # (start in the text, id, length)
        at = 0
        for segment_id, text in pieces:
            self.offsets.append((at, segment_id, len(text)))
            at += len(text) + 1

    def place(self, start: int, end: int) -> tuple[str, int | None, int | None] | None:
        """The segment holding ``[start, end)`` of the joined text and the span in it (a span
        even when it is all of that segment's text: words typed there later stay outside it);
        None when the span runs over two segments."""
        home = next((o for o in self.offsets if o[0] <= start and end <= o[0] + o[2]), None)
        if home is None:
            return None
        return home[1], start - home[0], end - home[0]


class _Retranscribed:
    """Our segments that overlap a segment deleted here (``_follow_into_ours``), to find where
    the words of its codings are now.

    Times inside a segment are estimated from the position in its text (speech spread evenly
    over the segment's time): the old segment's words are looked for in our text estimated
    within its time range (its window, a quarter of its length wider either side)."""

    SLACK = 0.25  # of the window's length, either side: the estimate is rough

    def __init__(self, segment: dict[str, Any], pieces: list[tuple[int, int, str, str]]) -> None:
        """``pieces``: (start_ms, end_ms, segment id, text) of ours, in reading order."""
        self.old = str(segment["text"])
        self.window = (int(segment["start_ms"]), int(segment["end_ms"]))
        self.pieces = pieces
        self.joined = _Joined([(pid, text) for _, _, pid, text in pieces])
        self._diff: TextDiff | None = None
        self._whole: int | None = None  # where the old text is, found once as it was; -1: not
        self._region: tuple[int, int] | None = None  # the old text's words in the window text

    def _ms(self, start: int, end: int) -> float:
        """The estimated time of the middle of ``[start, end)`` of our joined text."""
        middle = (start + end) / 2
        for (at, _pid, length), (s_ms, e_ms, _id, _text) in zip(
            self.joined.offsets, self.pieces, strict=True
        ):
            if middle <= at + length:
                return s_ms + (e_ms - s_ms) * max(0.0, middle - at) / max(1, length)
        return float(self.pieces[-1][1])

    def _at(self, ms: float) -> int:
        """The position in our joined text estimated to be spoken at ``ms``."""
        for (at, _pid, length), (s_ms, e_ms, _id, _text) in zip(
            self.joined.offsets, self.pieces, strict=True
        ):
            if ms <= s_ms:
                return at
            if ms <= e_ms:
                return at + round(length * (ms - s_ms) / max(1, e_ms - s_ms))
        return len(self.joined.text)

    def _window_text(self) -> tuple[int, int]:
        """Our text estimated within the old window (with its slack), on whole words."""
        s_ms, e_ms = self.window
        extra = (e_ms - s_ms) * self.SLACK
        text = self.joined.text
        lo, hi = self._at(s_ms - extra), self._at(e_ms + extra)
        while lo > 0 and text[lo - 1].isalnum():
            lo -= 1
        while hi < len(text) and text[hi].isalnum():
            hi += 1
        return lo, hi

    def find(self, start: int, end: int) -> tuple[str, int | None, int | None] | None:
        """Where old ``[start, end)`` is in our segments: (segment id, span; (None, None): all
        of it); None when not found, not clearly, or across two segments.

        The old text found once as it was places every coding as before. Otherwise our text
        of the old window is compared with the old text (``TextDiff``), which finds the words
        that are the old segment's now (its region: the old text followed by the anchoring's
        rules, so a reworded first or last word is left out). The coded words found there as
        they were, once, are followed; twice or more, they are a repeat nobody can tell apart
        (None). Not there as they were, they are followed through the diff (a typo fixed, an
        ending changed; never another word).
        """
        text = self.joined.text
        if self._whole is None:
            whole = [m.start() for m in re.finditer(re.escape(self.old), text)]
            self._whole = whole[0] if len(whole) == 1 else -1
        if self._whole >= 0:  # the old text as it was, once: the words are where they were
            return self.joined.place(self._whole + start, self._whole + end)
        words = self.old[start:end]
        if not words.strip():
            return None
        lo, hi = self._window_text()
        window = text[lo:hi]
        if self._diff is None:
            self._diff = TextDiff(self.old, window)
            self._region = self._diff.map_span(0, len(self.old))
        if self._region is None:
            return None  # none of the old segment's words is there
        r0, r1 = self._region
        found = [
            r0 + m.start()
            for m in re.finditer(re.escape(words), window[r0:r1])
            if not _glued(window, r0 + m.start(), r0 + m.end(), words)
        ]
        if len(found) > 1:
            return None  # said twice: ask, do not guess
        if found:
            return self.joined.place(lo + found[0], lo + found[0] + len(words))
        span = self._diff.map_span(start, end)
        if span is None or not (r0 <= span[0] and span[1] <= r1):
            return None
        return self.joined.place(lo + span[0], lo + span[1])


def _glued(text: str, start: int, end: int, words: str) -> bool:
    """Whether ``text[start:end]`` is part of a longer word (its letters run on past it)."""
    before = start > 0 and text[start - 1].isalnum() and words[:1].isalnum()
    after = end < len(text) and text[end].isalnum() and words[-1:].isalnum()
    return before or after


def _version_key(v: ConflictVersion) -> tuple[str, bool, str]:
    return (v.version, v.deleted, json.dumps(v.values, sort_keys=True, default=str))


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
        opened: from ``storage.team.bundle.open_bundle``.
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
        try:
            if stack is not None:
                try:
                    try:
                        bulk.restore(self.conn)  # inside the transaction, before its commit
                    except BaseException:
                        if not stack.__exit__(*sys.exc_info()):  # ROLLBACK
                            raise
                    else:
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
            opened: from ``storage.team.bundle.open_bundle``.
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
                f"{path} belongs to another project ({theirs!r}, id {opened.project_id}), not "
                f"{project.name!r}; use --allow-other-project to merge it anyway. Nothing changed.",
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
                raise InvalidBundleError(f"{path}: could not open the bundle read-only.")
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
        self.bulk: _Bulk | None = None  # set by the session: it may drop the code index
        self.dropped: dict[str, tuple[str, str | None]] = {}
        self.from_lead = False  # set by ``run``: a coder's copy merging the lead's bundle

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
        if self.opened.project_id == self.project.id:  # first: the lead's bundle decides now
            lead = take_lead(conn, self.b, self.opened.coder)
            if lead is not None:
                self.summary.settings["lead"] = lead
        # a coder's copy merging the lead's bundle: the lead's decisions are final here
        self.from_lead = lead_decides(conn, self.opened.coder) and (
            self.opened.coder != self.project.coder
        )
        BundleResolutions(self).take()
        for table in TRAVELLING_TABLES:
            if table == "codings":
                self._restore_used("segments")
                self._restore_used("codes")
            self._merge_rows(table)
            if table == "codings":
                self._anchor_arrived_spans()
        self._apply_deletions()
        conn.execute(
            "INSERT INTO main.row_versions (table_name, row_id, version, author) "
            f"SELECT table_name, row_id, version, author FROM {self.b}.row_versions WHERE true "
            "ON CONFLICT DO UPDATE SET author = excluded.author "
            "WHERE row_versions.author IS NULL AND excluded.author IS NOT NULL"
        )
        SameNameCodes(self).run()
        self._take_case_notes()
        if self.opened.project_id == self.project.id:
            self._take_settings()

    def _take_case_notes(self) -> None:
        """The bundle's ties of journal memos to participants (notes a REFI-QDA file put on a
        case, ``CASE_NOTES_KEY``) whose memo and participant are both here. Of two ties of one
        memo, the smaller participant id stays: the same in any order of bundles."""
        theirs, ours = self._json_meta(self.b), self._json_meta("main")
        merged = dict(ours)
        for memo_id, pid in sorted(theirs.items()):
            if ours.get(memo_id, pid) < pid:
                continue
            here = self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM main.memos WHERE id = ?) "
                "AND EXISTS (SELECT 1 FROM main.participants WHERE id = ?)",
                (memo_id, pid),
            ).fetchone()[0]
            if here:
                merged[memo_id] = pid
        if merged != ours:
            self._set_meta(CASE_NOTES_KEY, json.dumps(merged, ensure_ascii=False, sort_keys=True))

    def _json_meta(self, schema: str) -> dict[str, str]:
        """``CASE_NOTES_KEY`` of this project or the bundle; empty when missing or unreadable."""
        raw = self._meta(schema, CASE_NOTES_KEY)
        try:
            value = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        if not isinstance(value, dict):
            return {}
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}

    def _take_settings(self, *, adopt: bool = False) -> None:
        """The project's settings (``SHARED_SETTINGS``) changed in the bundle after they
        changed here (``adopt``: whatever they are here): the newest change wins (the lead
        adds a language; coders get it). A value this project could not use (an unknown
        language, a model given as a folder of another machine) is left out."""
        for key in SHARED_SETTINGS:
            stamp = f"{key}{CHANGED_SUFFIX}"
            theirs, mine = self._meta(self.b, stamp), self._meta("main", stamp)
            if theirs is not None and not _STAMP.match(theirs):
                theirs = None  # not a time: taken only when starting from the bundle
            value = self._meta(self.b, key)
            if value is None or not _usable_setting(key, value):
                continue
            if not adopt and (theirs is None or (mine is not None and mine >= theirs)):
                continue
            if not adopt and value != self._meta("main", key):
                self.summary.settings[key] = value
            self._set_meta(key, value)
            if theirs is not None:
                self._set_meta(stamp, theirs)

    def _meta(self, schema: str, key: str) -> str | None:
        """One ``project_meta`` value of this project ("main") or of the bundle (``self.b``)."""
        row = self.conn.execute(
            f"SELECT value FROM {schema}.project_meta WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        """Set one ``project_meta`` value of this project."""
        self.conn.execute(
            "INSERT INTO main.project_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def adopt(self) -> None:
        """Take the bundle's project id and team settings (for ``new --from-bundle``): blind
        coding, and how the project transcribes (its languages, model and numbers), so that a
        coder's copy transcribes and filters as the lead's does."""
        self._take_settings(adopt=True)
        for key in ("project_id", "blind_coding"):
            value = self._meta(self.b, key)
            if value is not None:
                self._set_meta(key, value)
        adopt_lead(self.conn, self.b)

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
                self.project.store.fts_delete(seq, text)
                self.project.store.fts_insert(seq, values["text"])
                # this project's span codings and redactions follow their words into the new
                # text, except the codings whose version from the bundle will be taken: those
                # are anchored in the new text already
                self.project.transcript.reanchor_spans(
                    row_id, text, values["text"], leave=self._codings_arriving(row_id)
                )
        sets = "".join(f"{k} = ?, " for k in values)
        conn.execute(
            f"UPDATE main.{table} SET {sets}updated_at = ? WHERE id = ?",
            (*values.values(), version, row_id),
        )

    def _anchor_arrived_spans(self) -> None:
        """Move the span codings this merge wrote from the bundle's text of their segment into
        the text this project shows, where the two differ.

        A bundle's span codings are anchored in the bundle's segment text. When the project
        shows another text (its own later edit, or the newer side of a text conflict), a span
        written at the bundle's code points would cover other words: it follows its words
        (``reanchor_spans``), or becomes a flagged whole-segment coding when they are gone.
        Only rows that now hold the bundle's version are moved (new ones and ones taken); the
        project's own rows are anchored in its text already.
        """
        rows = self.conn.execute(
            f"SELECT c.segment_id, c.id, r.text, l.text FROM temp.fs_touch_codings t "
            f"CROSS JOIN {self.b}.codings bc ON bc.rowid = t.rid "
            "CROSS JOIN main.codings c ON c.id = bc.id "
            f"CROSS JOIN {self.b}.segments r ON r.id = c.segment_id "
            "CROSS JOIN main.segments l ON l.id = c.segment_id "
            "WHERE bc.start_cp IS NOT NULL AND c.updated_at = bc.updated_at "
            "AND c.start_cp IS bc.start_cp AND c.end_cp IS bc.end_cp AND r.text <> l.text"
        ).fetchall()
        moving: dict[str, tuple[str, str, set[str]]] = {}
        for segment_id, coding_id, theirs, ours in rows:
            moving.setdefault(segment_id, (theirs, ours, set()))[2].add(coding_id)
        for segment_id, (theirs, ours, ids) in moving.items():
            ids -= self._follow_split(segment_id, theirs, ours, ids)
            if ids:
                self.project.transcript.reanchor_spans(
                    segment_id, theirs, ours, only=frozenset(ids)
                )
        self._whole_into_split_parts()

    def _split_parts(self, segment_id: str) -> list[tuple[int, int, str, str]]:
        """Our segments split off a bundle's segment here: (start_ms, seq, id, text) of the
        segments of its session inside the bundle's time range of it that the bundle lacks."""
        seg = self.conn.execute(
            f"SELECT session_id, start_ms, end_ms FROM {self.b}.segments WHERE id = ?",
            (segment_id,),
        ).fetchone()
        return [
            (int(r[0]), int(r[1]), str(r[2]), str(r[3]))
            for r in self.conn.execute(
                "SELECT start_ms, seq, id, text FROM main.segments l WHERE l.session_id = ? "
                "AND l.id <> ? AND l.start_ms >= ? AND l.end_ms <= ? "
                f"AND NOT EXISTS (SELECT 1 FROM {self.b}.segments r WHERE r.id = l.id)",
                (seg[0], segment_id, seg[1], seg[2]),
            ).fetchall()
        ]

    def _whole_into_split_parts(self) -> None:
        """A whole-segment coding this merge wrote on a segment split here applies to every
        part, as a split here applies it (``Transcript.split_segment``).

        Each copy's id derives from the coding's and the part's (``uuid5``), so merging the
        bundle again, or in another project, makes the same row; a copy deleted here is not
        made again, nor one whose coding the part has already.
        """
        conn = self.conn
        rows = conn.execute(
            f"SELECT c.id FROM temp.fs_touch_codings t "
            f"CROSS JOIN {self.b}.codings bc ON bc.rowid = t.rid "
            "CROSS JOIN main.codings c ON c.id = bc.id "
            f"CROSS JOIN {self.b}.segments r ON r.id = c.segment_id "
            "CROSS JOIN main.segments l ON l.id = c.segment_id "
            "WHERE bc.start_cp IS NULL AND c.start_cp IS NULL "
            "AND c.updated_at = bc.updated_at AND r.text <> l.text"
        ).fetchall()
        if not rows:
            return
        cols = self._cols("codings")
        for (coding_id,) in rows:
            row = conn.execute(
                f"SELECT {', '.join(cols)} FROM main.codings WHERE id = ?", (coding_id,)
            ).fetchone()
            coding = dict(zip(cols, tuple(row), strict=True))
            for _, _, part_id, _ in self._split_parts(coding["segment_id"]):
                copy_id = str(uuid.uuid5(_SPLIT_COPY_NS, f"{coding_id}/{part_id}"))
                if conn.execute(
                    "SELECT 1 FROM main.deletions WHERE table_name = 'codings' AND row_id = ?",
                    (copy_id,),
                ).fetchone():
                    continue
                copy = {**coding, "id": copy_id, "segment_id": part_id}
                self.summary.table("codings").added += self._add_coding(cols, copy)

    def _add_coding(self, cols: list[str], coding: dict[str, Any]) -> int:
        """Write a coding made by the merge unless its id is here already; 1 if written."""
        return self.conn.execute(
            f"INSERT OR IGNORE INTO main.codings ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' * len(cols))})",
            tuple(coding[c] for c in cols),
        ).rowcount

    def _follow_split(self, segment_id: str, theirs: str, ours: str, ids: set[str]) -> set[str]:
        """Move arrived spans whose words this project split off into another segment; return
        the codings moved.

        A split here keeps the segment's id for the first part and gives the rest a new segment
        within the old one's time range, which the bundle does not have. A span whose words are
        gone from our text of the segment is looked up in our parts (the segment and the
        segments of its session inside the bundle's time range of it, not in the bundle),
        read as one text; a span that lies in one part moves there, with its words.
        """
        conn = self.conn
        parts = self._split_parts(segment_id)
        if not parts:
            return set()
        own = conn.execute(
            "SELECT start_ms, seq FROM main.segments WHERE id = ?", (segment_id,)
        ).fetchone()
        pieces = sorted([(int(own[0]), int(own[1]), segment_id, ours), *parts])
        joined = _Joined([(part_id, text) for _, _, part_id, text in pieces])
        own_diff, joined_diff = TextDiff(theirs, ours), TextDiff(theirs, joined.text)
        moved: set[str] = set()
        for coding_id, code_id, coder, start, end in conn.execute(
            "SELECT id, code_id, coder, start_cp, end_cp FROM main.codings WHERE id IN "
            f"({','.join('?' * len(ids))}) ORDER BY start_cp, id",
            sorted(ids),
        ).fetchall():
            if own_diff.map_span(start, end) is not None:
                continue  # its words are still here: reanchored in place
            span = joined_diff.map_span(start, end)
            placed = None if span is None else joined.place(*span)
            if placed is None or placed[0] == segment_id:
                continue
            twin = conn.execute(
                "SELECT 1 FROM main.codings WHERE segment_id = ? AND code_id = ? AND coder = ? "
                "AND start_cp IS ? AND end_cp IS ?",
                (placed[0], code_id, coder, placed[1], placed[2]),
            ).fetchone()
            if twin is not None:
                conn.execute("DELETE FROM main.codings WHERE id = ?", (coding_id,))
                self.project.store.tombstone("codings", coding_id)
            else:
                conn.execute(
                    "UPDATE main.codings SET segment_id = ?, start_cp = ?, end_cp = ?, "
                    "updated_at = ? WHERE id = ?",
                    (*placed, now_iso(), coding_id),
                )
            moved.add(coding_id)
        return moved

    def _codings_arriving(self, segment_id: str) -> frozenset[str]:
        """The codings of a segment whose version in the bundle the merge will write here
        (``_outcome``: made from ours, or the newer side of a conflict)."""
        arriving = set()
        for coding_id, rv, lv in self.conn.execute(
            f"SELECT l.id, r.updated_at, l.updated_at FROM {self.b}.codings r "
            "JOIN main.codings l ON l.id = r.id WHERE l.segment_id = ? "
            "AND r.updated_at IS NOT l.updated_at",
            (segment_id,),
        ).fetchall():
            outcome = self._outcome("codings", str(coding_id), rv, lv)
            # a conflict shows the newer side, except in a coder's copy taking the lead's
            # bundle: ours stays there (it waits for the lead), so it follows our new text
            newer = outcome == "conflict" and str(rv) > str(lv) and not self.from_lead
            if outcome == "theirs" or newer:
                arriving.add(str(coding_id))
        return frozenset(arriving)

    def _outcome(self, table: str, row_id: str, rv: str, lv: str) -> str:
        """What merging the bundle's version ``rv`` of a row over ours (``lv``, other content)
        does: "ours" stays (``rv`` is an older version of ours), "theirs" is taken (made from
        ours), or "conflict"."""
        known_local = {lv} | {
            r[0]
            for r in self.conn.execute(
                "SELECT version FROM main.row_versions WHERE table_name = ? AND row_id = ?",
                (table, row_id),
            )
        }
        if rv in known_local and rv != lv:
            return "ours"
        history = {
            r[0]
            for r in self.conn.execute(
                f"SELECT version FROM {self.b}.row_versions WHERE table_name = ? AND row_id = ?",
                (table, row_id),
            )
        }
        return "theirs" if lv in history and rv != lv else "conflict"

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
        if table == "codings" and self.bulk is not None:
            adding = conn.execute(
                "SELECT count(*) FROM temp.fs_touch_codings WHERE NOT known"
            ).fetchone()[0]
            if self.bulk.worth_dropping(conn, int(adding)):
                dropped = _drop_index(conn, BULK_INDEX)
                if dropped is not None:
                    self.dropped[BULK_INDEX] = dropped
        order = ""
        if table == "codings" and table not in self.opened.in_order:
            # in the order of the table's widest index: its pages fill in order, not at random
            # (codings stored in that order already go in as stored: see ``_stored_in_order``)
            order = " ORDER BY r.segment_id, r.code_id, r.coder"
        stats.added = conn.execute(
            f"{verb} INTO main.{table} ({collist}) SELECT {rcols} FROM {self.b}.{table} r "
            f"WHERE {sql_where}{order}"
        ).rowcount
        if table == "segments" and stats.added:
            conn.execute(
                "INSERT INTO main.segments_fts (rowid, text) "
                f"SELECT seq, {fold_search_sql('text')} FROM main.segments WHERE seq > ?",
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
        row_id = remote["id"]
        rv, lv = remote["updated_at"], local["updated_at"]
        rvals = {c: remote[c] for c in content}
        lvals = {c: local[c] for c in content}
        if rvals == lvals:
            return
        outcome = self._outcome(table, row_id, rv, lv)
        if outcome == "ours":
            return  # an older version of ours
        remote_author = self._author(self.b, table, row_id, rv, self.opened.coder)
        if outcome == "theirs":
            self._write_row(table, row_id, rvals, rv)
            self._record_version(table, row_id, rv, remote_author)
            stats.updated += 1
            return
        versions = [
            ConflictVersion(lv, self._author("main", table, row_id, lv, self.owner), lvals),
            ConflictVersion(rv, remote_author, rvals),
        ]
        # in a coder's copy the conflict with the lead's version waits for the lead: our row and
        # history stay as they were, so our next bundle takes the conflict to the lead (shown
        # the newest version, with both in its history, it took ours as old news)
        if self._record_conflict(
            table, row_id, versions, current=None if self.from_lead else lvals
        ):
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
            self.project.store.fts_delete(seq, text)
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
        held: set[str] = set()
        removed: set[str] = set()
        # the lead's removals and deletions are decisions, final in a coder's copy: only the
        # rows the lead never saw (codings made here since) keep a deleted code or segment
        if not self.from_lead:
            held = held_back_codings(conn, self.b, self.opened.coder)
            removed = removed_codings(conn, self.b, self.opened.coder)
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
                    f"SELECT 1 FROM {self.b}.{table} WHERE id = ?", (row_id,)
                ).fetchone():
                    self._union_tombstone(tomb)  # the sender keeps the row (its own conflict)
                    continue
                if not conn.execute(
                    f"SELECT 1 FROM main.{table} WHERE id = ?", (row_id,)
                ).fetchone():
                    self._union_tombstone(tomb)
                    continue
                if self._references(table, row_id) or (table == "codings" and row_id in removed):
                    retry.append(tomb)  # in use, or another coder's coding: a conflict
                    continue
                self._delete_local(table, row_id)
                self._union_tombstone(tomb)
                self.summary.table(table).deleted += 1
                # an open conflict on it (another's removal of a coding its coder removed too)
                # would name a row that is gone and could not be resolved
                mark_resolved(
                    conn,
                    f"deleted by {tomb[2]}",
                    self.project.coder,
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
            if table == "segments" and self._follow_into_ours(values):
                continue  # its words live on in our segments: the codings went there
            cur = conn.execute(
                f"INSERT INTO main.{table} ({collist}) VALUES ({', '.join('?' * len(cols))})",
                tuple(values.values()),
            )
            if table == "segments":
                self.project.store.fts_insert(cur.lastrowid, values["text"])
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
            if self.from_lead:
                # the lead's bundle still uses a row deleted here: the lead's data is final,
                # the row stays back (recorded, decided here: it could not reach the lead)
                conn.execute(
                    "DELETE FROM main.deletions WHERE table_name = ? AND row_id = ?",
                    (table, row_id),
                )
                self._record_conflict(table, row_id, versions, current=None)
                mark_resolved(
                    conn,
                    f"brought back: the lead's bundle uses it ({self.opened.coder})",
                    self.project.coder,
                    "table_name = ? AND row_id = ? AND status = 'open'",
                    [table, row_id],
                )
                self.summary.table(table).updated += 1
                continue
            if self._record_conflict(table, row_id, versions, current=None):
                self.summary.table(table).conflicts += 1

    def _follow_into_ours(self, segment: dict[str, Any]) -> bool:
        """Put the bundle's new codings of a segment deleted here on our segments that hold its
        words now; True when every one of them found its words (then it is not brought back).

        A segment merged here into the one before it, or replaced by a new transcription of the
        same audio, is deleted here while its words live on in our segments of that time. A
        coder who coded it before sends codings on the old id. Our segments of its session that
        overlap its time are read as one text, and each coding's words (a whole-segment
        coding's: all its text) are looked up there (``_Retranscribed.find``): found once, they
        are followed; found more than once (a repeated phrase), the one whose estimated time is
        clearly nearest the old one is; not found as they were (reworded), the words are
        followed through the diff of the old text and ours, by the anchoring's rules (a typo
        fixed, an ending changed; never another word). A coding moves onto the one segment
        that holds its words, with its span. When any coding's words are not found so, or
        cross two of our segments, nothing moves and the segment comes back as a "deleted by
        one, still used" conflict, as before: the lead decides. Each moved coding gets its
        bundle version plus one millisecond and keeps that version in its history, so the
        bundle merged again changes nothing.
        """
        conn = self.conn
        pieces = conn.execute(
            "SELECT start_ms, end_ms, seq, id, text FROM main.segments WHERE session_id = ? "
            "AND start_ms < ? AND end_ms > ? ORDER BY start_ms, seq",
            (segment["session_id"], segment["end_ms"], segment["start_ms"]),
        ).fetchall()
        if not pieces or not segment["text"]:
            return False
        here = _Retranscribed(
            segment, [(int(p[0]), int(p[1]), str(p[3]), str(p[4])) for p in pieces]
        )
        cols = self._cols("codings")
        rows = conn.execute(
            f"SELECT {', '.join(cols)} FROM {self.b}.codings r WHERE r.segment_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM main.codings l WHERE l.id = r.id) "
            "AND NOT EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = 'codings' "
            "AND d.row_id = r.id) ORDER BY r.id",
            (segment["id"],),
        ).fetchall()
        moves: list[tuple[dict[str, Any], str, int | None, int | None]] = []
        for row in rows:
            coding = dict(zip(cols, tuple(row), strict=True))
            if not conn.execute(
                "SELECT 1 FROM main.codes WHERE id = ?", (coding["code_id"],)
            ).fetchone():
                return False  # its code was deleted here: it comes back with the segment
            start, end = coding["start_cp"], coding["end_cp"]
            placed = here.find(start or 0, len(segment["text"]) if end is None else end)
            if placed is None:
                return False
            moves.append((coding, *placed))
        for coding, part_id, new_start, new_end in moves:
            version = coding["updated_at"]
            moved = {
                **coding,
                "segment_id": part_id,
                "start_cp": new_start,
                "end_cp": new_end,
                "updated_at": _next_version(version),
            }
            if self._add_coding(cols, moved):
                author = self._author(self.b, "codings", coding["id"], version, self.opened.coder)
                self._record_version("codings", coding["id"], version, author)
                self.summary.table("codings").updated += 1
        return True

    # ------------------------------------------------------------- media
    def copy_media(self, copied: list[Path]) -> None:
        """Copy the audio of newly added media rows (when the bundle has it)."""
        from storage.core.atomic import copy_file
        from storage.core.audio import sha256_of

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
            copy_file(src, dest)
            copied.append(dest)
            self.summary.media_copied += 1

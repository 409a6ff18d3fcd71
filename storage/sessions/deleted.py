"""Deleted sessions kept whole, and brought back: ``DeletedSessions`` (used by ``Sessions``).

Deleting a session (``Sessions.delete_session``) copies every row it deletes into one
``deleted_sessions`` row (schema 0011, ``storage.core.schema_deleted_sessions``: why a table and
not a file), in the transaction that deletes them, and moves its audio to ``media/.deleted/``.
What is copied: the session; its media, segments (with their local ``seq``), markers, speaker
mappings (``session_speakers``), speaker turns, consents and transcription state; the codings
and redactions of its segments; the memos on the session, on its segments and on those
codings. Each of those rows (but the transcription state, which has no id) leaves a
tombstone, so that a merge elsewhere deletes it too.

``restore`` writes the rows back with their own ids (a segment with its ``seq`` where that is
still free) and re-indexes their text for search; the audio goes back to its path in
``media/`` (or a free name beside it, when another file took that path). What differs from
before the deletion, on purpose:

* every restored row gets a fresh ``updated_at``: it is a new version, so an incremental
  bundle (``--since``) carries it and a merge takes it. The version it replaces is recorded in
  ``row_versions`` (as the version-history triggers do on an update), so a copy that still has
  the old version takes the new one as "edited on one side only", not as a conflict;
* the tombstones the deletion wrote are removed, and each leaves ``undeleted:<deleted_at>`` in
  ``row_versions`` (as ``storage.history.undo`` does), so a copy that merged the deletion
  brings the rows back when it merges a bundle made after the restore
  (``storage.team.merge_rows._undeleted``).

What cannot come back is left out and counted, the rest is restored (rather than refusing,
which would keep the transcript out for the sake of a few codings): codings whose code was
deleted meanwhile (with their memos), consents of a participant deleted meanwhile; a speaker
mapping to such a participant comes back unmapped (as ``delete_participant`` leaves it). A
session that took the same title meanwhile makes the restored one "TITLE (restored)".

Only this copy of the project can restore a session it deleted: the copies are never in a
bundle (``storage.privacy.bundle.NEVER_TRAVEL``), so a copy that merged the deletion has the
tombstones, not the text.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.core.errors import InvalidInputError, NotFoundError, ReadOnlyError
from storage.core.ids import now_iso
from storage.core.store import Store
from storage.core.words import plural, verb
from storage.sessions.kept_audio import RestoreMoves

#: the tables a deletion copies, parents before children (the order ``restore`` writes them)
KEPT_TABLES = (
    "sessions",
    "media",
    "session_speakers",
    "segments",
    "markers",
    "speaker_turns",
    "consents",
    "codings",
    "redactions",
    "memos",
    "transcription_state",
    "links",
)
#: the tables counted in a deletion's report, in the order it names them
_COUNTED = (
    "codings",
    "segments",
    "markers",
    "session_speakers",
    "speaker_turns",
    "media",
    "memos",
    "redactions",
    "consents",
)
#: what a restored session's title gets when another session took its title meanwhile
RESTORED_SUFFIX = " (restored)"
#: characters no file name may hold on some system the project folder may travel to
_NOT_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


#: each ``left_out`` kind as one of it reads ("Left out: 1 coding of a deleted code")
_ONE_LEFT_OUT = {
    "codings of deleted codes": "coding of a deleted code",
    "consents of deleted participants": "consent of a deleted participant",
    "links to other items": "link to another item",
}


@dataclass
class DeletedSession:
    """A deleted session that can be restored (``Sessions.deleted_sessions``)."""

    session_id: str
    title: str
    deleted_by: str
    deleted_at: str
    #: rows deleted with it, by table (``segments``, ``codings``, ``memos``, ...)
    counts: dict[str, int]
    #: where its audio is kept, relative to the project folder
    audio: list[str] = field(default_factory=list)


@dataclass
class RestoreReport:
    """What ``Sessions.restore_session`` brought back."""

    session_id: str
    title: str
    #: rows written back, by table
    restored: dict[str, int]
    #: the title it had when deleted, when it came back under another (a session took it)
    renamed_from: str | None = None
    #: rows that could not come back, by what they are ("codings of deleted codes", ...)
    left_out: dict[str, int] = field(default_factory=dict)
    #: where its audio is now, relative to the project folder
    audio: list[str] = field(default_factory=list)
    #: audio files that were not found where they were kept
    audio_missing: list[str] = field(default_factory=list)
    #: names were replaced across the project after the deletion: the restored text had
    #: the project's current replacement applied too (``names_replaced`` of them)
    names_replaced_since: bool = False
    names_replaced: int = 0

    def describe(self) -> list[str]:
        """The lines to show: what came back, and anything left out or to look at."""
        n_seg = self.restored.get("segments", 0)
        n_cod = self.restored.get("codings", 0)
        lines = [
            f"Restored session {self.title!r} ({plural(n_seg, 'segment')}, "
            f"{plural(n_cod, 'coding')}, {plural(self.restored.get('memos', 0), 'memo')})."
        ]
        if self.renamed_from is not None:
            lines.append(
                f"Another session is titled {self.renamed_from!r} now: the restored one is "
                f"titled {self.title!r}."
            )
        for what, n in self.left_out.items():
            if n:
                counted = plural(n, _ONE_LEFT_OUT.get(what, what), what)
                lines.append(f"Left out: {counted} (deleted meanwhile).")
        for path in self.audio_missing:
            lines.append(
                f"Its audio was not found at {path}: the session is back without it "
                "(File ▸ Locate missing audio…, or `locate-audio`, links it again)."
            )
        if self.names_replaced_since and not self.names_replaced:
            lines.append(  # its kept copy had them replaced with the rest of the project
                "Names were replaced across the project after this session was deleted: it came "
                "back with the pseudonyms."
            )
        elif self.names_replaced_since:
            n = self.names_replaced
            lines.append(
                "Names were replaced across the project after this session was deleted: "
                f"{plural(n, 'name')} in its transcript {verb(n, 'was', 'were')} replaced by "
                f"{verb(n, 'its', 'their')} pseudonyms, and the names in its speaker labels and "
                "memos too."
            )
        return lines


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, tuple(r), strict=True)) for r in cursor.fetchall()]


class DeletedSessions:
    """The copies of deleted sessions: written by a deletion, read back by a restore."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # ----------------------------------------------------------------- deleting
    def read_rows(self, session_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row of the project that hangs off one session, by table (``KEPT_TABLES``)."""
        conn = self._store.conn
        seg_ids = json.dumps(
            [
                r[0]
                for r in conn.execute("SELECT id FROM segments WHERE session_id = ?", (session_id,))
            ]
        )
        segs_in = "(SELECT value FROM json_each(?))"
        rows: dict[str, list[dict[str, Any]]] = {
            "sessions": _rows(conn, "SELECT * FROM sessions WHERE id = ?", (session_id,)),
            "codings": _rows(
                conn, f"SELECT * FROM codings WHERE segment_id IN {segs_in} ORDER BY id", (seg_ids,)
            ),
            "redactions": _rows(
                conn,
                f"SELECT * FROM redactions WHERE segment_id IN {segs_in} ORDER BY id",
                (seg_ids,),
            ),
        }
        for table in (
            "media",
            "session_speakers",
            "segments",
            "markers",
            "speaker_turns",
            "consents",
            "transcription_state",
        ):
            order = "seq" if table == "segments" else "rowid"
            rows[table] = _rows(
                conn, f"SELECT * FROM {table} WHERE session_id = ? ORDER BY {order}", (session_id,)
            )
        codings = json.dumps([c["id"] for c in rows["codings"]])
        rows["memos"] = _rows(
            conn,
            "SELECT * FROM memos WHERE (target_type = 'session' AND target_id = ?) OR "
            f"(target_type = 'segment' AND target_id IN {segs_in}) OR "
            "(target_type = 'coding' AND target_id IN (SELECT value FROM json_each(?))) "
            "ORDER BY id",
            (session_id, seg_ids, codings),
        )
        # the links to the session, its passages and its memos (schema 0013)
        ends = json.dumps(
            [["session", session_id]]
            + [["coding", c["id"]] for c in rows["codings"]]
            + [["memo", m["id"]] for m in rows["memos"]]
        )
        rows["links"] = _rows(
            conn,
            "SELECT * FROM links WHERE EXISTS (SELECT 1 FROM json_each(?) e WHERE "
            "(json_extract(e.value, '$[0]') = origin_kind AND "
            "json_extract(e.value, '$[1]') = origin_id) OR "
            "(json_extract(e.value, '$[0]') = target_kind AND "
            "json_extract(e.value, '$[1]') = target_id)) ORDER BY id",
            (ends,),
        )
        return {table: rows[table] for table in KEPT_TABLES}

    def keep(
        self,
        session_id: str,
        rows: dict[str, list[dict[str, Any]]],
        audio: list[dict[str, str]],
    ) -> dict[str, int]:
        """Delete the rows of a session (read by ``read_rows``), with tombstones, and keep
        their copy; in the caller's transaction. Returns the rows deleted, by table.

        Args:
            session_id: the session.
            rows: from ``read_rows``, in the same transaction.
            audio: ``{"media_id", "path", "kept"}`` for each media file: where it is kept.
        """
        conn = self._store.conn
        session = rows["sessions"][0]
        deleted_at = now_iso()
        self._store.fts_delete_where("session_id = ?", (session_id,))
        conn.execute("DELETE FROM transcription_state WHERE session_id = ?", (session_id,))
        # a statement per table, not per row: a session of 2,000 coded segments took 1.7-2.1 s
        # row by row; so 0.2-0.4 s, as long as a deletion took before sessions were kept
        # (0.3-0.7 s; /tmp timings on a shared machine, alternating runs)
        for table in reversed(KEPT_TABLES):
            if table == "transcription_state" or not rows[table]:
                continue
            ids = json.dumps([row["id"] for row in rows[table]])
            conn.execute(
                f"DELETE FROM {table} WHERE id IN (SELECT value FROM json_each(?))", (ids,)
            )
            conn.execute(
                "INSERT OR REPLACE INTO deletions (table_name, row_id, deleted_by, deleted_at) "
                "SELECT ?, value, ?, ? FROM json_each(?)",
                (table, self._store.coder, deleted_at, ids),
            )
        counts = {t: len(rows[t]) for t in _COUNTED}
        conn.execute(
            "INSERT OR REPLACE INTO deleted_sessions (session_id, title, deleted_by, deleted_at, "
            "counts, rows, audio) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                session["title"],
                self._store.coder,
                deleted_at,
                json.dumps(counts),
                json.dumps(rows, ensure_ascii=False),
                json.dumps(audio, ensure_ascii=False),
            ),
        )
        return counts

    def kept_names(self, title: str, media: list[dict[str, Any]]) -> list[dict[str, str]]:
        """Where each media file of a session being deleted is kept in ``media/.deleted/``:
        named after the session's title (imported again, it came back as "01a24ceb-a2ee-…",
        its id), with the file's own name when that name is taken."""
        trash = self._store.media_dir / ".deleted"
        taken: set[Path] = set()
        kept = []
        for item in media:
            src = self._store.folder / item["path"]
            name = _NOT_IN_FILE_NAMES.sub("-", title).strip(" .")[:120] or src.stem
            dest = trash / f"{name}{src.suffix}"
            n = 1
            while dest.exists() or dest in taken:
                n += 1
                stem = f"{name} ({src.stem})" if n == 2 else f"{name} ({src.stem} {n - 1})"
                dest = trash / f"{stem}{src.suffix}"
            taken.add(dest)
            kept.append(
                {
                    "media_id": str(item["id"]),
                    "path": str(item["path"]),
                    "kept": dest.relative_to(self._store.folder).as_posix(),
                }
            )
        return kept

    def move_audio_away(self, audio: list[dict[str, str]]) -> None:
        """After the deletion's commit: move each file to where it is kept (a file that cannot
        be moved stays where it was; ``restore`` finds it there)."""
        for item in audio:
            src = self._store.folder / item["path"]
            if src.exists():
                dest = self._store.folder / item["kept"]
                with contextlib.suppress(OSError):
                    dest.parent.mkdir(exist_ok=True)
                    os.replace(src, dest)

    # ----------------------------------------------------------------- listing
    def _migrated(self) -> bool:
        return (
            self._store.one(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deleted_sessions'"
            )
            is not None
        )

    def all(self, *, listed_only: bool = True) -> list[DeletedSession]:
        """The deleted sessions that can be restored, the latest deleted first
        (``listed_only=False``: also the copies of sessions a merge brought back since)."""
        if not self._migrated():
            return []  # a project of schema 10 or older, opened read-only: none was kept
        where = (
            "WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = d.session_id) "
            if listed_only
            else ""
        )
        rows = self._store.rows(
            "SELECT session_id, title, deleted_by, deleted_at, counts, audio FROM "
            f"deleted_sessions d {where}ORDER BY deleted_at DESC, session_id"
        )
        return [
            DeletedSession(
                session_id=r["session_id"],
                title=r["title"],
                deleted_by=r["deleted_by"],
                deleted_at=r["deleted_at"],
                counts=json.loads(r["counts"]),
                audio=[a["kept"] for a in json.loads(r["audio"])],
            )
            for r in rows
        ]

    def resolve(self, ref: str) -> str:
        """The id of the deleted session ``ref`` names: its id, its title or the start of its
        id (4 characters or more), in any case.

        Raises:
            NotFoundError: no deleted session is named so (or it is in the project again).
            InvalidInputError: several are (their ids are listed).
        """
        rows = (
            self._store.rows("SELECT session_id, title FROM deleted_sessions")
            if self._migrated()
            else []
        )
        wanted = ref.strip().casefold()
        named = [r for r in rows if str(r[0]).casefold() == wanted]
        named = named or [r for r in rows if str(r[1]).strip().casefold() == wanted]
        if not named and len(wanted) >= 4:
            named = [r for r in rows if str(r[0]).casefold().startswith(wanted)]
        if not named:
            in_project = self._store.one(
                "SELECT id, title FROM sessions WHERE id = ? OR lower(title) = lower(?)",
                (ref.strip(), ref.strip()),
            )
            if in_project is not None:
                raise NotFoundError(
                    f"Session {in_project['title']!r} is not deleted; nothing to restore."
                )
            raise NotFoundError(
                f"No deleted session with id or title {ref!r}; list them with `deleted-sessions`."
            )
        if len(named) > 1:
            ids = ", ".join(str(r[0]) for r in named[:5])
            raise InvalidInputError(
                f"{ref!r} names {len(named)} deleted sessions ({ids}); give the id of one."
            )
        return str(named[0][0])

    def forget(
        self, session_id: str, log: Callable[[DeletedSession], object] | None = None
    ) -> DeletedSession:
        """Drop the copy of a deleted session for good (a participant withdrew): its text is
        gone from ``project.db`` and its WAL (SQLite's secure delete, then VACUUM, which also
        drops the pages the deletion itself freed, and a checkpoint); its kept audio in
        ``media/.deleted/`` is left for the person to remove.

        Raises:
            NotFoundError: no deleted session has that id.
            InUseError: another program holds the project open, so old pages stay until it
                closes (the copy itself is gone).
        """
        # also the copy of a session a merged bundle brought back meanwhile (not listed)
        kept = next((d for d in self.all(listed_only=False) if d.session_id == session_id), None)
        if kept is None:
            raise NotFoundError(
                f"No deleted session with id {session_id!r}; list them with `deleted-sessions`."
            )
        self._store.secure_delete_on()
        with self._store.tx() as db:
            db.conn.execute("DELETE FROM deleted_sessions WHERE session_id = ?", (session_id,))
            if log is not None:
                log(kept)  # in the same transaction
            # the search index kept its words (a deletion in FTS5 only adds a delete marker)
            db.conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")
        with self._store.mutex:  # the pages the deletion freed still held its text
            self._store.conn.execute("VACUUM")
        self._store.wipe_or_fail("forgetting the deleted session")
        return kept

    # ----------------------------------------------------------------- restoring
    def restore(
        self, session_id: str, then: Callable[[RestoreReport], None] | None = None
    ) -> RestoreReport:
        """Write a deleted session back whole (see the module notes); ``then(report)`` runs in
        the same transaction, after the rows are written (``Sessions.restore_session``
        replaces names there).

        Raises:
            NotFoundError: no deleted session has that id.
            InvalidInputError: the session is in the project again (a merge brought it back).
        """
        kept = self._store.one(
            "SELECT title, deleted_at, rows, audio FROM deleted_sessions WHERE session_id = ?",
            (session_id,),
        )
        if kept is None:
            raise NotFoundError(
                f"No deleted session with id {session_id!r}; list them with `deleted-sessions`."
            )
        if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is not None:
            raise InvalidInputError(
                f"Session {kept['title']!r} is in the project again (a merged bundle brought "
                "it back); nothing to restore."
            )
        if self._store.readonly:
            raise ReadOnlyError(f"{self._store.folder} was opened read-only; nothing was changed.")
        rows: dict[str, list[dict[str, Any]]] = json.loads(kept["rows"])
        rows.setdefault("links", [])  # kept before links were rows (schema 0013)
        audio: list[dict[str, str]] = json.loads(kept["audio"])
        report = RestoreReport(session_id=session_id, title=str(kept["title"]), restored={})
        self._plan(rows, report)
        moved: list[tuple[Path, Path]] = []
        # each move listed first: killed before the commit, the next open puts the files back
        listed = RestoreMoves(self._store)
        try:
            self._audio_back(rows, audio, report, moved, listed)
        except OSError as exc:
            for src, dest in reversed(moved):
                with contextlib.suppress(OSError):
                    os.replace(dest, src)
            listed.drop()
            raise ReadOnlyError(
                f"{exc.filename or self._store.media_dir}: the audio could not be moved back "
                f"({exc.strerror or exc}); nothing was changed."
            ) from exc
        try:
            with self._store.tx() as db:
                self._write(db.conn, rows, report)
                db.conn.execute("DELETE FROM deleted_sessions WHERE session_id = ?", (session_id,))
                report.names_replaced_since = (
                    db.conn.execute(
                        "SELECT 1 FROM audit_log WHERE action = 'pseudonym_apply' AND "
                        "target_type = 'project' AND at > ?",
                        (kept["deleted_at"],),
                    ).fetchone()
                    is not None
                )
                if then is not None:
                    then(report)
        except BaseException:
            for src, dest in reversed(moved):  # the files go back where they were kept
                with contextlib.suppress(OSError):
                    os.replace(dest, src)
            listed.drop()
            raise
        listed.drop()
        return report

    def _plan(self, rows: dict[str, list[dict[str, Any]]], report: RestoreReport) -> None:
        """Leave out what cannot come back; retitle the session when its title was taken."""
        conn = self._store.conn
        session = rows["sessions"][0]
        titles = {str(r[0]).strip().casefold() for r in conn.execute("SELECT title FROM sessions")}
        title = str(session["title"])
        if title.strip().casefold() in titles:
            report.renamed_from = title
            new, n = f"{title}{RESTORED_SUFFIX}", 1
            while new.strip().casefold() in titles:
                n += 1
                new = f"{title} (restored {n})"
            session["title"] = report.title = new
        codes = {r[0] for r in conn.execute("SELECT id FROM codes")}
        people = {r[0] for r in conn.execute("SELECT id FROM participants")}
        lost = [c for c in rows["codings"] if c["code_id"] not in codes]
        lost_ids = {c["id"] for c in lost}
        rows["codings"] = [c for c in rows["codings"] if c["id"] not in lost_ids]
        rows["memos"] = [
            m
            for m in rows["memos"]
            if not (m["target_type"] == "coding" and m["target_id"] in lost_ids)
        ]
        consents = [c for c in rows["consents"] if c["participant_id"] in people]
        for mapping in rows["session_speakers"]:
            if mapping["participant_id"] is not None and mapping["participant_id"] not in people:
                mapping["participant_id"] = None
        # a link's other end may have gone meanwhile (a code deleted): the link stays out
        here = {
            "code": codes,
            "participant": people,
            "session": {session["id"]} | {r[0] for r in conn.execute("SELECT id FROM sessions")},
            "coding": {c["id"] for c in rows["codings"]}
            | {r[0] for r in conn.execute("SELECT id FROM codings")},
            "memo": {m["id"] for m in rows["memos"]}
            | {r[0] for r in conn.execute("SELECT id FROM memos")},
        }
        links = [
            k
            for k in rows["links"]
            if k["origin_id"] in here[k["origin_kind"]] and k["target_id"] in here[k["target_kind"]]
        ]
        report.left_out = {
            "codings of deleted codes": len(lost),
            "consents of deleted participants": len(rows["consents"]) - len(consents),
        }
        rows["consents"] = consents
        if len(links) < len(rows["links"]):
            report.left_out["links to other items"] = len(rows["links"]) - len(links)
        rows["links"] = links

    def _audio_back(
        self,
        rows: dict[str, list[dict[str, Any]]],
        audio: list[dict[str, str]],
        report: RestoreReport,
        moved: list[tuple[Path, Path]],
        listed: RestoreMoves,
    ) -> None:
        """Move the kept files back into ``media/`` (before the rows are written; ``restore``
        moves them back out if that fails), each listed in ``moved`` (kept, now); set each
        media row's path to where its file is."""
        folder = self._store.folder
        used = {r[0] for r in self._store.rows("SELECT path FROM media")}
        where = {a["media_id"]: a for a in audio}
        for media in rows["media"]:
            item = where.get(media["id"])
            kept = folder / item["kept"] if item else None
            original = folder / media["path"]
            if kept is None or not kept.exists():
                if not original.exists() and item is not None:
                    report.audio_missing.append(item["kept"])
                media["path"] = _free_path(folder, str(media["path"]), used, keep=original.exists())
                used.add(media["path"])
                report.audio.append(media["path"])
                continue
            media["path"] = _free_path(folder, str(media["path"]), used)
            used.add(media["path"])
            dest = folder / media["path"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            listed.add(kept, dest)
            os.replace(kept, dest)
            moved.append((kept, dest))
            report.audio.append(media["path"])

    def _write(
        self, conn: sqlite3.Connection, rows: dict[str, list[dict[str, Any]]], report: RestoreReport
    ) -> None:
        ts = now_iso()
        for table in KEPT_TABLES:
            for row in rows[table]:
                values = dict(row)
                if (
                    table == "segments"
                    and conn.execute(
                        "SELECT 1 FROM segments WHERE seq = ?", (row["seq"],)
                    ).fetchone()
                ):
                    del values["seq"]  # taken by a segment added since: a new local key
                if table == "transcription_state":
                    self._store.insert_back(table, values, ts)
                    continue
                values["updated_at"] = ts
                self._store.insert_back(table, values, ts)
                self._undelete(conn, table, row)
            report.restored[table] = len(rows[table])

    def _undelete(self, conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
        """Remove the row's tombstone, leaving ``undeleted:<deleted_at>``, and record the
        version the restored row replaces (see the module notes)."""
        tomb = conn.execute(
            "SELECT deleted_by, deleted_at FROM deletions WHERE table_name = ? AND row_id = ?",
            (table, row["id"]),
        ).fetchone()
        conn.execute(
            "INSERT OR IGNORE INTO row_versions (table_name, row_id, version) VALUES (?, ?, ?)",
            (table, row["id"], row["updated_at"]),
        )
        if tomb is None:
            return
        conn.execute(
            "INSERT OR IGNORE INTO row_versions (table_name, row_id, version, author) "
            "VALUES (?, ?, ?, ?)",
            (table, row["id"], "undeleted:" + tomb[1], self._store.coder or tomb[0]),
        )
        conn.execute(
            "DELETE FROM deletions WHERE table_name = ? AND row_id = ?", (table, row["id"])
        )


def _free_path(folder: Path, path: str, used: set[str], *, keep: bool = False) -> str:
    """``path`` when no media row uses it and no file is there (``keep``: the file there is
    this one), else the first free "NAME (restored N).EXT" beside it."""
    if path not in used and (keep or not (folder / path).exists()):
        return path
    p = Path(path)
    n = 1
    while True:
        suffix = " (restored)" if n == 1 else f" (restored {n})"
        candidate = (p.parent / f"{p.stem}{suffix}{p.suffix}").as_posix()
        if candidate not in used and not (folder / candidate).exists():
            return candidate
        n += 1


__all__ = ["DeletedSession", "DeletedSessions", "RestoreReport"]

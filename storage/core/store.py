"""``Store``: one project's open database — connection, transactions, coder and row helpers."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.atomic import RenameList, renaming
from storage.core.errors import DiskFullError, InUseError, ReadOnlyError, is_disk_full
from storage.core.ids import now_iso
from storage.core.schema_search import fold_search

if TYPE_CHECKING:
    from sqlite_utils import Database


def where_equal(filters: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """The ``column = ?`` condition of each filter that is given (not None), in order, and
    their values: ``where_equal({"c.coder": "ann", "g.session_id": None})`` ->
    ``(["c.coder = ?"], ["ann"])``."""
    given = [(column, value) for column, value in filters.items() if value is not None]
    return [f"{column} = ?" for column, _ in given], [value for _, value in given]


class Store:
    """The database handle that ``Project`` owns and hands to every feature object.

    Threading: one ``sqlite3`` connection is opened with ``check_same_thread=False`` and every
    use of it goes through ``self.mutex`` (a re-entrant lock), so a GUI worker thread and the GUI
    thread can share a project safely, one statement batch at a time.
    """

    def __init__(self, folder: Path, conn: sqlite3.Connection, readonly: bool) -> None:
        self.folder = folder
        self.conn = conn
        self.readonly = readonly
        self.mutex = threading.RLock()
        self.coder = ""
        self._registered: set[str] = set()  # coders whose registration was committed
        self._depth = 0  # nesting of tx() (inner ones are savepoints)
        #: what waits for the outermost transaction to end, told whether it committed
        self._at_end: list[Callable[[bool], None]] = []
        #: bumped by each privacy operation (pseudonyms applied, originals destroyed): undo
        #: records made before it hold the old texts and may not be written back
        self.privacy_epoch = 0

    @cached_property
    def db(self) -> Database:
        """The sqlite-utils ``Database`` on the connection (loaded when a write first needs it)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @property
    def media_dir(self) -> Path:
        """The folder holding the project's copies of audio files."""
        return self.folder / "media"

    @contextmanager
    def tx(self) -> Iterator[Database]:
        """One write transaction (nested calls become savepoints)."""
        if self.readonly:
            raise ReadOnlyError(f"{self.folder} was opened read-only; nothing was changed.")
        try:
            with self.mutex:
                outermost = self._depth == 0
                try:
                    with self.db.atomic() as db:
                        self._depth += 1
                        try:
                            self._register(db.conn)
                            yield db
                        finally:
                            self._depth -= 1
                except BaseException:
                    if outermost:
                        self._ended(committed=False)
                    raise
                if outermost:  # committed: the registration stays
                    self._registered.add(self.coder)
                    self._ended(committed=True)
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if is_disk_full(exc):
                raise DiskFullError(
                    f"{self.folder}: the disk is full; nothing was changed. Free some space."
                ) from exc
            if "readonly" in text or "read-only" in text:
                raise ReadOnlyError(
                    f"{self.folder}: the project cannot be written ({text}); nothing was changed."
                ) from exc
            raise

    def _register(self, conn: sqlite3.Connection) -> None:
        """Who writes is registered by their first write, in its transaction."""
        if self.coder and self.coder not in self._registered:
            conn.execute(
                "INSERT OR IGNORE INTO coders (name, created_at) VALUES (?, ?)",
                (self.coder, now_iso()),
            )

    def _ended(self, *, committed: bool) -> None:
        ends, self._at_end = self._at_end, []
        for then in ends:
            then(committed)

    def after_commit(self, then: Callable[[], None]) -> None:
        """Run ``then`` once the outermost transaction now running commits (at once when none
        runs); never when it rolls back. For file moves that must follow the rows' commit."""
        with self.mutex:
            if self._depth > 0:
                self._at_end.append(lambda committed: then() if committed else None)
                return
        then()

    @contextmanager
    def renaming(self, names: Sequence[Path] = ()) -> Iterator[RenameList]:
        """``atomic.renaming`` in ``media/``, around copies taking their names and the
        transaction of the rows that name them. Inside an outer transaction (``tx`` nested),
        whose commit is the one that counts, the list lives until that commit (a kill before it
        leaves the list for the next open's sweep), and the copies go if it rolls back."""
        with self.mutex:
            nested = self._depth > 0
        with renaming(self.media_dir, names, keep=nested) as listed:
            yield listed
        if nested:
            self._at_end.append(lambda committed: listed.drop() if committed else listed.forget())

    def rows(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run a query and return all its rows."""
        with self.mutex:
            cursor = self.conn.execute(sql, params)
            rows: list[sqlite3.Row] = cursor.fetchall()
            return rows

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        """Run a query and return its first row, or None."""
        with self.mutex:
            row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def scalar(self, sql: str, params: Any = ()) -> Any:
        """Run a query and return the first column of its first row, or None."""
        row = self.one(sql, params)
        return None if row is None else row[0]

    def stamp(self) -> dict[str, str]:
        """created_by / created_at / updated_at for a new row."""
        ts = now_iso()
        return {"created_by": self.coder, "created_at": ts, "updated_at": ts}

    def tombstone(
        self, table: str, row_id: str, speech: tuple[str, int, int] | None = None
    ) -> None:
        """Record a deletion, so that a merge does not bring the row back.

        ``speech``: (session id, start ms, end ms) of a segment a person deleted: the speech a
        new transcription of the session leaves out (schema 0009).
        """
        session_id, start_ms, end_ms = speech or (None, None, None)
        self.conn.execute(
            "INSERT OR REPLACE INTO deletions (table_name, row_id, deleted_by, deleted_at, "
            "session_id, start_ms, end_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (table, row_id, self.coder, now_iso(), session_id, start_ms, end_ms),
        )

    # The full-text index is external-content FTS5 over the view ``segments_search`` (the
    # text with ё as е: storage.core.schema_search), kept in sync here (no triggers, so that
    # bundles carry none). What goes in and out of the index is the folded text.
    def fts_insert(self, seq: int, text: str) -> None:
        """Index one segment's text."""
        self.conn.execute(
            "INSERT INTO segments_fts (rowid, text) VALUES (?, ?)", (seq, fold_search(text))
        )

    def insert_back(self, table: str, values: dict[str, Any], ts: str) -> None:
        """Insert a row that an undo or a restore brings back with its own id: a segment's
        text is indexed again, a coding's coder known again (``ts``: when, for the coder)."""
        cursor = self.conn.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            tuple(values.values()),
        )
        if table == "segments":
            assert cursor.lastrowid is not None
            self.fts_insert(cursor.lastrowid, values["text"])
        if table == "codings":
            self.conn.execute(
                "INSERT OR IGNORE INTO coders (name, created_at) VALUES (?, ?)",
                (values["coder"], ts),
            )

    def fts_delete(self, seq: int, text: str) -> None:
        """Remove one segment's text from the index."""
        self.conn.execute(
            "INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', ?, ?)",
            (seq, fold_search(text)),
        )

    def fts_delete_where(self, where: str, params: tuple[Any, ...]) -> None:
        """Remove from the index the segments a WHERE clause selects."""
        for seq, text in self.conn.execute(
            f"SELECT seq, text FROM segments WHERE {where}", params
        ).fetchall():
            self.fts_delete(seq, text)

    def secure_delete_on(self) -> None:
        """Make SQLite overwrite deleted content with zeros (for this connection)."""
        if not self.readonly:
            with self.mutex:
                self.conn.execute("PRAGMA secure_delete = ON")

    def checkpoint(self) -> None:
        """Copy the WAL into the database and truncate it, so old page images are gone."""
        with self.mutex, contextlib.suppress(sqlite3.Error):
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def bump_privacy_epoch(self) -> None:
        """Mark that texts were replaced or destroyed for privacy (see ``privacy_epoch``)."""
        self.privacy_epoch += 1

    def try_truncate_checkpoint(self, seconds: float = 2.0) -> bool:
        """Checkpoint with TRUNCATE until it completes (True) or ``seconds`` pass (False).

        It cannot complete while another connection (another program, a second FieldScribe
        reading the project) holds a read transaction: the database file then keeps the pages
        that connection may still read, and the WAL is not emptied.
        """
        deadline = time.monotonic() + seconds
        with self.mutex:
            old = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
            self.conn.execute("PRAGMA busy_timeout = 200")
            try:
                while True:
                    try:
                        busy, log, _ = self.conn.execute(
                            "PRAGMA wal_checkpoint(TRUNCATE)"
                        ).fetchone()
                    except sqlite3.OperationalError:
                        busy, log = 1, 1  # locked by a writer: try again
                    if not busy and log <= 0:  # emptied (-1: not in WAL mode)
                        return True
                    if time.monotonic() >= deadline:
                        return False
                    time.sleep(0.05)
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {int(old)}")

    def wipe_or_fail(self, what: str) -> None:
        """After a privacy operation: make sure the old texts left project.db and its WAL.

        Raises:
            InUseError: another connection keeps the checkpoint from completing; the text is
                gone from the project's tables, but old copies of the pages stay in
                ``project.db`` / ``project.db-wal`` until it closes.
        """
        if self.readonly or self.try_truncate_checkpoint():
            return
        raise InUseError(
            f"{self.folder}: {what} removed the text from the project, but another program "
            "holds project.db open, so old copies stay in project.db and project.db-wal; close "
            "it and run the same command again to wipe them."
        )

    def refuse_if_read_elsewhere(self, what: str) -> None:
        """Before a privacy operation: refuse while another connection holds an old snapshot.

        Raises:
            InUseError: the WAL cannot be emptied now (another program is reading project.db);
                nothing was changed.
        """
        if self.readonly or self.try_truncate_checkpoint(seconds=1.0):
            return
        raise InUseError(
            f"{self.folder}: another program is reading project.db, so {what} could not wipe "
            "the old text from the file; close it and try again. Nothing was changed."
        )

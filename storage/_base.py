"""Shared machinery of ``Project``: the connection, transactions, ids and clocks."""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .errors import DiskFullError, ReadOnlyError

_id_lock = threading.Lock()
_id_last = [0, 0]  # the last id's (unix milliseconds, 74 random-and-counter bits)
_ID_RAND_BITS = 74


def new_id() -> str:
    """Return a new globally unique row id: a time-ordered UUID (version 7, RFC 9562).

    48 bits of Unix time in milliseconds, then 74 random bits; ids made by one process are
    strictly increasing (within a millisecond the random part counts up by a random step), so
    the rows a coder makes one after another sit next to each other in the id indexes, which
    keeps inserts (a merge of that coder's bundle) near-sequential. Still an ordinary UUID text
    (ids of older projects, version 4, are as valid); it reveals when the row was made, as the
    row's ``created_at`` does.
    """
    with _id_lock:
        ms = time.time_ns() // 1_000_000
        last_ms, last_rand = _id_last
        if ms > last_ms:
            rand = secrets.randbits(_ID_RAND_BITS - 1)  # top bit clear: room to count up
        else:
            ms, rand = last_ms, last_rand + 1 + secrets.randbits(16)
            if rand >> _ID_RAND_BITS:  # the counter ran over: borrow the next millisecond
                ms, rand = last_ms + 1, secrets.randbits(_ID_RAND_BITS - 1)
        _id_last[0], _id_last[1] = ms, rand
    rand_a, rand_b = rand >> 62, rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 with milliseconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ProjectBase:
    """Holds the database and the coder; the feature mixins build on it.

    Threading: one ``sqlite3`` connection is opened with ``check_same_thread=False`` and every
    use of it goes through ``self._mutex`` (a re-entrant lock), so a GUI worker thread and the GUI
    thread can share a project safely, one statement batch at a time.
    """

    folder: Path
    db: Database
    coder: str
    readonly: bool
    _mutex: threading.RLock

    def _init_base(self, folder: Path, conn: sqlite3.Connection, readonly: bool) -> None:
        self.folder = folder
        self.db = Database(conn)
        self.readonly = readonly
        self._mutex = threading.RLock()
        self.coder = ""

    @property
    def media_dir(self) -> Path:
        """The folder holding the project's copies of audio files."""
        return self.folder / "media"

    @contextmanager
    def _tx(self) -> Iterator[Database]:
        """One write transaction (nested calls become savepoints)."""
        if self.readonly:
            raise ReadOnlyError(f"{self.folder} was opened read-only; nothing was changed.")
        try:
            with self._mutex, self.db.atomic() as db:
                yield db
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "full" in text:
                raise DiskFullError(
                    f"{self.folder}: the disk is full; nothing was changed. Free some space."
                ) from exc
            if "readonly" in text or "read-only" in text:
                raise ReadOnlyError(
                    f"{self.folder}: the project cannot be written ({text}); nothing was changed."
                ) from exc
            raise

    def transaction(self) -> Any:
        """A context manager grouping several API calls into one transaction."""
        return self._tx()

    def _rows(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        with self._mutex:
            cursor = self.db.conn.execute(sql, params)
            rows: list[sqlite3.Row] = cursor.fetchall()
            return rows

    def _one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        with self._mutex:
            row: sqlite3.Row | None = self.db.conn.execute(sql, params).fetchone()
            return row

    def _scalar(self, sql: str, params: Any = ()) -> Any:
        row = self._one(sql, params)
        return None if row is None else row[0]

    def _stamp(self) -> dict[str, str]:
        """created_by / created_at / updated_at for a new row."""
        ts = now_iso()
        return {"created_by": self.coder, "created_at": ts, "updated_at": ts}

    def _tombstone(self, table: str, row_id: str) -> None:
        self.db.conn.execute(
            "INSERT OR REPLACE INTO deletions (table_name, row_id, deleted_by, deleted_at) "
            "VALUES (?, ?, ?, ?)",
            (table, row_id, self.coder, now_iso()),
        )

    # The full-text index is external-content FTS5, kept in sync here (no triggers, so that
    # bundles carry none).
    def _fts_insert(self, seq: int, text: str) -> None:
        self.db.conn.execute("INSERT INTO segments_fts (rowid, text) VALUES (?, ?)", (seq, text))

    def _fts_delete(self, seq: int, text: str) -> None:
        self.db.conn.execute(
            "INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', ?, ?)",
            (seq, text),
        )

    def _fts_delete_where(self, where: str, params: tuple[Any, ...]) -> None:
        for seq, text in self.db.conn.execute(
            f"SELECT seq, text FROM segments WHERE {where}", params
        ).fetchall():
            self._fts_delete(seq, text)

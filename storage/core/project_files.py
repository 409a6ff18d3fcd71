"""The project folder on disk, below ``Project``: the SQLite connection (read-only ones in
folders nobody may write to), a database file's header, and how a new project is built
beside its folder and moved into place (abandoned builds swept, full disks told apart)."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import sqlite3
import stat
from pathlib import Path

from storage.core.errors import (
    DiskFullError,
    NotAProjectError,
    ProjectExistsError,
    ReadOnlyError,
    is_disk_full,
)
from storage.core.left_behind import tell
from storage.core.lock import LOCK_NAME, in_use
from storage.core.tempdirs import process_alive, remove_private_dir
from storage.core.words import plural


def connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = _connect_readonly(path)
    else:
        conn = sqlite3.connect(str(path), check_same_thread=False)
    conn.isolation_level = None  # transactions are explicit (Database.atomic)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Open ``path`` for reading, also in a folder nobody may write to.

    A WAL database is read through its ``-shm`` index, which SQLite creates beside it; in a
    read-only folder (a write-protected USB stick, a shared drive) of a project closed cleanly
    there is none and cannot be one, and ``mode=ro`` fails with "unable to open database
    file". With no ``-wal`` left (or an empty one) every commit is in the database file itself,
    so it is then opened as immutable: read as it is, without any index.
    """
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        wal = path.with_name(path.name + "-wal")
        if os.access(path.parent, os.W_OK) or (wal.exists() and wal.stat().st_size > 0):
            return conn  # the error is reported by the first query, as before
        conn.close()
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    return conn


def check_sqlite_header(db_path: Path) -> None:
    try:
        with open(db_path, "rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise NotAProjectError(f"{db_path}: cannot read ({exc.strerror}).") from exc
    if header != b"SQLite format 3\x00":
        raise NotAProjectError(
            f"{db_path} is not a SQLite database; is this a FieldScribe project?"
        )


def refuse_existing(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ProjectExistsError(
            f"{folder} already exists and is not empty; choose a new folder name."
        )


# ``Project.create``'s hidden build folder: ``.NAME.creating-PID-XXXXXXXX`` (``mkdtemp``)
_BUILD = re.compile(r"^\.(?P<name>.+)\.creating-(?P<pid>\d+)-[A-Za-z0-9_]+$")


def sweep_abandoned_builds(parent: Path) -> list[str]:
    """Remove the hidden build folders in ``parent`` that creators killed meanwhile left (of
    any project name), their files overwritten with zeros first; return the project names.

    They hold a project that never appeared under its name: a new, empty one, or one half
    filled from a bundle or a .qdpx (``Project.create(fill=)``), its audio included. Only a
    build whose creator is gone is removed: not this process's, not one whose process id
    runs on this host, not one whose write lock someone holds, and not one another host's
    FieldScribe made (its lock file names that host: its process cannot be checked here).
    """
    removed: list[str] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        found = _BUILD.match(entry.name)
        if found is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or (uid is not None and info.st_uid != uid):
            continue
        pid = int(found.group("pid"))
        if pid == os.getpid() or not _abandoned(Path(entry.path), pid):
            continue
        remove_private_dir(Path(entry.path))
        if not os.path.lexists(entry.path):
            removed.append(found.group("name"))
    return removed


def _abandoned(build: Path, pid: int) -> bool:
    """Whether the creator ``pid`` of ``build`` is gone: nobody holds its write lock, and its
    lock file (if it wrote one) names this host; and its process no longer runs, or its lock
    file names that process (it took the lock, and a live creator keeps it until the build is
    renamed away: the number now belongs to another program, as after a restart)."""
    if in_use(build):
        return False
    try:
        holder = json.loads((build / LOCK_NAME).read_text(encoding="utf-8") or "{}")
    except FileNotFoundError:
        holder = {}  # killed before it took the lock (or just about to take it: its pid runs)
    except (OSError, ValueError):
        return False
    if not isinstance(holder, dict) or holder.get("host") not in (None, socket.gethostname()):
        return False
    took_lock = holder.get("pid") == pid and holder.get("host") is not None
    return took_lock or not process_alive(pid)


def tell_swept(parent: Path, names: list[str]) -> None:
    """One line for the person about the builds ``sweep_abandoned_builds`` removed."""
    if names:
        shown = ", ".join(sorted(set(names)))
        tell(
            f"removed {plural(len(names), 'half-made project')} ({shown}) that a FieldScribe "
            f"killed while creating {'it' if len(names) == 1 else 'them'} left hidden in "
            f"{parent}."
        )


def umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def move_into_place(work: Path, folder: Path) -> None:
    """Rename the finished project onto ``folder`` (new, or an empty folder), in one step."""
    try:
        os.rename(work, folder)  # replaces an empty folder; fails on a non-empty one
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR):
            raise ProjectExistsError(
                f"{folder} already exists (another FieldScribe created it or is creating it "
                "just now); choose a new folder name. Nothing was changed."
            ) from None
        raise


# SQLite reports a full disk as SQLITE_FULL when a write does not fit, but as an I/O error or
# "unable to open" when it cannot even make the -wal/-shm files on open
_IO_CODES = (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN)


def no_space_left(folder: Path, exc: sqlite3.Error) -> bool:
    """Whether an I/O failure of SQLite comes with a full disk (under 64 KiB free)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in _IO_CODES:
        return False
    try:
        return shutil.disk_usage(folder).free < 64 * 1024
    except OSError:
        return False


def create_error(folder: Path, exc: BaseException) -> ReadOnlyError:
    if is_disk_full(exc):
        return DiskFullError(
            f"{folder}: the disk is full; the project was not created. Free some space."
        )
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return ReadOnlyError(f"{folder}: could not create the project ({reason}).")

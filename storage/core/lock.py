"""A write lock on a project folder that survives crashes.

The lock is an OS file lock (``flock`` / ``msvcrt.locking``) on ``project.lock``: the operating
system releases it when the holding process dies, so a stale lock left by a crash or power loss is
simply taken over. The file also records which process holds it (host, process id, since when),
so that the second process can say "in use by ..." instead of a bare "locked"; never the login
name (the file lies in the project folder, which travels), and nothing once released.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from storage.core.errors import ProjectLockedError, ReadOnlyError

LOCK_NAME = "project.lock"


def try_lock(handle: IO[str]) -> bool:
    """Take an exclusive, non-blocking OS lock on an open file; False when another holds it."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def in_use(folder: Path) -> bool | None:
    """Whether a process holds ``folder``'s write lock now (None: cannot tell, e.g. no lock
    file). Takes nothing: the lock file is only opened for reading and probed."""
    try:
        handle = open(folder / LOCK_NAME, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError:
        return None
    try:
        return not try_lock(handle)
    finally:
        handle.close()  # closing releases the probe's lock, if it got one


def _holder_text(info: dict[str, Any]) -> str:
    return (
        f"FieldScribe on {info.get('host', '?')} (pid {info.get('pid', '?')}, since "
        f"{info.get('since', '?')})"
    )


class ProjectLock:
    """An exclusive, crash-safe lock on one project folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._handle: IO[str] | None = None

    def acquire(self, purpose: str = "writing") -> None:
        """Take the lock or raise ``ProjectLockedError`` naming the holder."""
        try:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        except PermissionError as exc:
            raise ReadOnlyError(
                f"{self.path.parent}: cannot write to the project folder ({exc.strerror}); "
                "check its permissions or open it read-only."
            ) from exc
        except OSError as exc:
            raise ReadOnlyError(
                f"{self.path.parent}: cannot write to the project folder ({exc.strerror})."
            ) from exc
        if not try_lock(handle):
            handle.seek(0)
            try:
                info = json.loads(handle.read() or "{}")
            except ValueError:
                info = {}
            handle.close()
            raise ProjectLockedError(
                f"{self.path.parent} is in use by {_holder_text(info)}; close it there first."
            )
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "purpose": purpose,
        }
        handle.seek(0)
        handle.truncate()
        # who holds it is a courtesy for the "in use by" line: on a full disk the lock holds all
        # the same, unnamed, so that the project still opens (to free space, to read it)
        with contextlib.suppress(OSError):
            os.write(handle.fileno(), json.dumps(info).encode("utf-8"))
        self._handle = handle

    def release(self) -> None:
        """Release the lock (the file stays, empty: its lock is what counts, and who held it
        is nobody's business once the process is done)."""
        if self._handle is not None:
            with contextlib.suppress(OSError):  # a read-only or vanished folder: only closed
                self._handle.seek(0)
                self._handle.truncate()
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._handle is not None

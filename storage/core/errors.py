"""Errors raised by the storage layer.

Every error carries a message written for a person: it names the file or object and says what to
do. The command line prints ``str(error)`` as its one-line message.
"""

from __future__ import annotations

import errno
import sqlite3


class FieldScribeError(Exception):
    """Base class of all errors that FieldScribe reports to the user."""


class NotAProjectError(FieldScribeError):
    """The folder is not a FieldScribe project."""


class NewerSchemaError(FieldScribeError):
    """The project or bundle was written by a newer FieldScribe."""


class ProjectLockedError(FieldScribeError):
    """Another running FieldScribe holds the project open for writing."""


class ProjectExistsError(FieldScribeError):
    """A new project would overwrite an existing folder."""


class NotFoundError(FieldScribeError):
    """An id or a name does not exist in the project."""


class InvalidInputError(FieldScribeError):
    """A value given by the user is not acceptable."""


class AudioError(FieldScribeError):
    """An audio file is missing, empty, truncated or not audio."""


class UnfinishedDestroyError(AudioError):
    """A session's recording is the clear audio a killed ``redact --destroy`` has not yet
    replaced by its silenced copy: it is not played, transcribed or copied. ``remedy``: what
    finishes it, in a few words (a window's status line has no room for the file's path)."""

    def __init__(self, message: str, remedy: str = "") -> None:
        super().__init__(message)
        self.remedy = remedy


class InUseError(FieldScribeError):
    """A delete would remove data that other rows depend on; it must be asked for explicitly."""


class ChangedMeanwhileError(FieldScribeError):
    """A row a long job read was changed by a person before the job wrote over it; nothing was
    written (their change is kept)."""


class ReadOnlyError(FieldScribeError):
    """The project was opened read-only or its folder cannot be written."""


class DiskFullError(ReadOnlyError):
    """The disk filled up during a write; the write was rolled back."""


class DuplicateMediaError(InvalidInputError):
    """An audio file is already in the project (same sha256); import it again only if asked."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error says the disk (or the quota, or SQLite's page limit) is full."""
    if isinstance(exc, DiskFullError):
        return True
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or (
            "database or disk is full" in str(exc)
        )
    return False


class CancelledError(FieldScribeError):
    """The user cancelled a write before it was finished; nothing was written."""

"""Atomic writes of export files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storage.core.atomic import staged
from storage.core.errors import DiskFullError, InvalidInputError, ReadOnlyError, is_disk_full


def write_atomic(dest: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` and move ``tmp`` onto ``dest``; never leave a half-written file."""
    if dest.is_dir():
        raise InvalidInputError(f"{dest} is a folder; give a file name.")
    if not dest.parent.is_dir():
        raise InvalidInputError(
            f"{dest}: the folder {dest.parent} does not exist; create it first or write the "
            "file elsewhere. Nothing was written."
        )
    try:
        with staged(dest, chosen=True) as tmp:
            write(tmp)
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(
                f"{dest}: the disk is full; nothing was written. Free some space."
            ) from exc
        raise ReadOnlyError(f"{dest}: cannot write ({exc.strerror or exc}).") from exc
    return dest

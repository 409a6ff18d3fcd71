"""Atomic writes of export files."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from ..errors import InvalidInputError, ReadOnlyError


def write_atomic(dest: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` and move ``tmp`` onto ``dest``; never leave a half-written file."""
    if dest.is_dir():
        raise InvalidInputError(f"{dest} is a folder; give a file name.")
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        write(tmp)
        os.replace(tmp, dest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ReadOnlyError(f"{dest}: cannot write ({exc.strerror or exc}).") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return dest

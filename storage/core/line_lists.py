"""Lists of names kept in small files, line by line, so that a process killed in the middle of
an operation leaves behind what it was doing (``atomic.renaming``, a restore's moves in
``storage.sessions.kept_audio``, an export's ``.part`` in ``tempdirs.note_output``): each line
is appended and fsynced before the act it announces; the reader takes only whole lines."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from pathlib import Path


def append_lines(path: Path, lines: Iterable[str]) -> None:
    """Append ``lines`` (each without its line end) to ``path``, on disk when this returns."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("".join(f"{line}\n" for line in lines))
        fh.flush()
        os.fsync(fh.fileno())


def whole_lines(path: Path) -> list[str] | None:
    """The lines of ``path`` that were written whole (a kill while one was appended leaves a
    part of it, without its line end); None when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8").split("\n")[:-1]
    except (OSError, ValueError):
        return None


def lists_in(folder: Path, name: re.Pattern[str]) -> list[Path]:
    """The files of ``folder`` (not links) whose names match ``name``."""
    found: list[Path] = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if name.match(entry.name) and entry.is_file(follow_symlinks=False):
                found.append(Path(entry.path))
    return found

"""The audio of deleted sessions, made safe against a kill (SIGKILL, a flat battery) between its
moves and the commit of the rows that name it (``storage.sessions.deleted``).

A restore moves each kept file from ``media/.deleted/`` back into ``media/`` before it commits
the restored rows; each move is listed first in a hidden file (``media/.restoring-<uuid>.list``,
a ``KEPT<TAB>RESTORED`` line per file, fsynced), removed once the restore committed or undid
its moves. A deletion commits first and then moves the audio away. Killed in between, the
recording of a deleted session lay in ``media/`` under a name no media row had, until a restore
ran again (and for good when the deleted session was forgotten instead).

``put_back`` (the next open for writing, under the project's lock) moves such files to where
the deleted session keeps them, so ``restore-session`` finds them there, and says so in one
line: a listed restore's files whose rows were never committed, and a deleted session's files
still at their old path that no row names.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import uuid
from pathlib import Path

from storage.core.left_behind import tell
from storage.core.line_lists import append_lines, lists_in, whole_lines
from storage.core.store import Store
from storage.core.words import plural

_RESTORING = re.compile(r"^\.restoring-[0-9a-f]{32}\.list$")


class RestoreMoves:
    """The moves of one restore, listed before each is made (see the module notes)."""

    def __init__(self, store: Store) -> None:
        self.path = store.media_dir / f".restoring-{uuid.uuid4().hex}.list"
        self._folder = store.folder

    def add(self, kept: Path, restored: Path) -> None:
        """List the move of ``kept`` onto ``restored`` (both in the project folder)."""
        line = f"{kept.relative_to(self._folder).as_posix()}\t"
        line += restored.relative_to(self._folder).as_posix()
        self.path.parent.mkdir(exist_ok=True)
        append_lines(self.path, [line])

    def drop(self) -> None:
        """Remove the list (the restore committed, or moved its files back)."""
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


def _inside(folder: Path, relative: str) -> Path | None:
    """``folder / relative`` when it stays inside ``media/`` (or its ``.deleted/``)."""
    media = (folder / "media").resolve()
    path = (folder / relative).resolve()
    return path if media in (path.parent, path.parent.parent) else None


def _named(store: Store, relative: str) -> bool:
    return store.one("SELECT 1 FROM media WHERE path = ?", (relative,)) is not None


def _move_back(store: Store, kept: str, restored: str) -> bool:
    """Move ``restored`` to ``kept`` when no row names it and nothing is there yet."""
    src, dest = _inside(store.folder, restored), _inside(store.folder, kept)
    if src is None or dest is None or not src.is_file() or src.is_symlink():
        return False
    if _named(store, restored) or dest.exists():
        return False
    try:
        dest.parent.mkdir(exist_ok=True)
        os.replace(src, dest)
    except OSError:
        return False
    return True


def _listed_restores(store: Store) -> int:
    moved = 0
    for listed in lists_in(store.media_dir, _RESTORING):
        for line in whole_lines(listed) or []:
            kept, _, restored = line.partition("\t")
            if kept and restored:
                moved += _move_back(store, kept, restored)
        with contextlib.suppress(OSError):
            listed.unlink()
    return moved


def _unmoved_deletions(store: Store) -> int:
    try:
        kept = store.rows("SELECT audio FROM deleted_sessions")
    except sqlite3.Error:  # a project from before deleted sessions were kept
        return 0
    moved = 0
    for row in kept:
        try:
            items = json.loads(row[0] or "[]")
        except ValueError:
            continue
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and {"path", "kept"} <= item.keys():
                moved += _move_back(store, str(item["kept"]), str(item["path"]))
    return moved


def put_back(store: Store) -> None:
    """On opening for writing: move to ``media/.deleted/`` the recordings of deleted sessions
    that a restore or a deletion killed before its commit (or its moves) left in ``media/``."""
    moved = _listed_restores(store) + _unmoved_deletions(store)
    if moved:
        tell(
            f"{store.folder}: moved {plural(moved, 'recording')} of deleted sessions back to "
            "media/.deleted/ (a FieldScribe killed while restoring or deleting a session left "
            f"{'it' if moved == 1 else 'them'} in media/); restore-session brings a session back."
        )

"""Audio files a project records but does not hold, and finding them again.

A team bundle made without its audio (``bundle export`` without ``--with-media``) gives a
colleague every session, segment and coding but no recording: the transcript reads "no audio",
and speech without transcript cannot be played and typed. The lead sends the recordings apart
(a USB stick, a shared drive); ``locate`` takes the files or folders the colleague points at
and copies into the project each file whose content is a missing recording's, known by the
size and sha256 the project kept when the audio was imported. A file is never moved or
altered, one whose content differs is never taken (a same-named file from another interview
stays out), and a recording the project still holds is left as it is.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storage.core.atomic import copy_file
from storage.core.audio import sha256_of
from storage.core.errors import InvalidInputError, ReadOnlyError
from storage.core.store import Store
from storage.core.words import plural

if TYPE_CHECKING:
    from storage.project import Project


@dataclass(frozen=True)
class MissingAudio:
    """A recording the project records (``media`` row) whose file is not in its folder."""

    session_id: str
    title: str
    media_id: str
    original_name: str
    size_bytes: int
    sha256: str
    path: Path  # where the project keeps it (absolute)


#: nothing is missing (said by the workbench's File ▸ Locate missing audio… and the command)
NONE_MISSING = "Every session's audio is in the project."


@dataclass
class LocatedAudio:
    """What ``locate`` found: each recording copied in with the file it came from, the
    recordings still missing, and how many files were looked at."""

    found: list[tuple[MissingAudio, Path]] = field(default_factory=list)
    still_missing: list[MissingAudio] = field(default_factory=list)
    files_seen: int = 0

    def lines(self, *, ids: bool = False) -> list[str]:
        """What was found, in a few lines: the one wording of the workbench's report and
        ``fieldscribe locate-audio``; ``ids`` puts each session's id before its title (the
        command line's, for the commands that take it)."""

        def who(m: MissingAudio) -> str:
            return f"{m.session_id}  {m.title}" if ids else m.title

        out = [f"{who(m)}: audio found in {src}" for m, src in self.found]
        if not self.found:
            out.append(
                f"None of the {plural(self.files_seen, 'file')} looked at is a missing recording "
                "(its content must be the recording's, whatever its name)."
            )
        if self.still_missing:
            out.append(
                "Still missing: "
                + ", ".join(f"{who(m)} (was {m.original_name})" for m in self.still_missing)
            )
        elif self.found:
            out.append("Every session's audio is in the project now.")
        return out


class MissingAudioFiles:
    """Recordings a project lacks (``missing``) and finding them in files or folders."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    def missing(self) -> list[MissingAudio]:
        """The recordings whose files are not in the project folder, by session title."""
        rows = self._store.rows(
            "SELECT m.id, m.session_id, m.path, m.original_name, m.size_bytes, m.sha256, "
            "s.title FROM media m JOIN sessions s ON s.id = m.session_id "
            "ORDER BY s.title, m.created_at"
        )
        folder = self._store.folder
        return [
            MissingAudio(
                session_id=r["session_id"],
                title=r["title"],
                media_id=r["id"],
                original_name=r["original_name"],
                size_bytes=int(r["size_bytes"]),
                sha256=r["sha256"],
                path=folder / r["path"],
            )
            for r in rows
            if not (folder / r["path"]).is_file()
        ]

    def locate(
        self,
        sources: Iterable[Path],
        *,
        cancelled: Callable[[], bool] | None = None,
    ) -> LocatedAudio:
        """Copy into the project each missing recording found among ``sources`` (files, and
        every file inside folders): a file of the recording's size whose sha256 is the
        recording's. Raises InvalidInputError (nothing copied) for a source that does not
        exist, ReadOnlyError for a project opened read-only or a copy that fails (what was
        copied before it stays: each copy is whole or absent)."""
        if self._store.readonly:
            raise ReadOnlyError(f"{self._store.folder} was opened read-only; nothing was changed.")
        sources = [Path(s) for s in sources]
        for src in sources:
            if not src.exists():
                raise InvalidInputError(f"{src}: no such file or folder; nothing was changed.")
        wanted = self.missing()
        result = LocatedAudio()
        by_size: dict[int, list[MissingAudio]] = {}
        for item in wanted:
            by_size.setdefault(item.size_bytes, []).append(item)
        done: set[str] = set()
        for path in _files(sources):
            if cancelled is not None and cancelled():
                break
            result.files_seen += 1
            try:
                size = path.stat().st_size
            except OSError:
                continue
            candidates = [m for m in by_size.get(size, []) if m.media_id not in done]
            if not candidates:
                continue
            try:
                digest = sha256_of(path)
            except OSError:
                continue  # unreadable: not the recording as far as we can tell
            for item in candidates:
                if item.sha256 == digest:
                    self._copy(path, item)
                    done.add(item.media_id)
                    result.found.append((item, path))
            if len(done) == len(wanted):
                break
        result.still_missing = [m for m in wanted if m.media_id not in done]
        return result

    def _copy(self, src: Path, item: MissingAudio) -> None:
        try:
            item.path.parent.mkdir(parents=True, exist_ok=True)
            copy_file(src, item.path)
        except OSError as exc:
            reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise ReadOnlyError(
                f"{src}: could not copy into {item.path.parent} ({reason}); "
                f"the audio of {item.title!r} is still missing."
            ) from exc


def _files(sources: list[Path]) -> Iterator[Path]:
    """Each file of ``sources``: a file itself, a folder's files at any depth (links to
    folders not followed), each once."""
    seen: set[Path] = set()
    for src in sources:
        if src.is_dir():
            for root, dirs, names in os.walk(src):
                dirs.sort()
                for name in sorted(names):
                    path = Path(root) / name
                    if path not in seen and path.is_file():
                        seen.add(path)
                        yield path
        elif src not in seen:
            seen.add(src)
            yield src

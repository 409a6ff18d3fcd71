"""Audio and video files copied into a project's ``media/``, one new session each: all or
nothing (every file decoded first, copies through temporary files, the rows in one
transaction), duplicates refused unless asked for (``Sessions.import_audio_files``)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import Any

from storage.core.atomic import copy_to_staging
from storage.core.audio import AudioInfo, sha256_of
from storage.core.errors import (
    AudioError,
    DuplicateMediaError,
    InvalidInputError,
    ReadOnlyError,
)
from storage.core.ids import new_id
from storage.core.names import readable_file_name
from storage.core.store import Store

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def title_of(file_name: str) -> str:
    """A session's default title: the file name without extension, on one line (a newline,
    tab or other control character in a file name would break every listing of sessions)."""
    return " ".join(_CONTROL.sub(" ", Path(file_name).stem).split())


class MediaImport:
    """Copies recordings into a project and writes their sessions (see ``copy_in``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def copy_in(
        self,
        srcs: list[Path],
        *,
        kind: str,
        titles: list[str] | None,
        infos: list[AudioInfo] | None,
        status: str,
        again: bool,
    ) -> list[str]:
        """The new sessions' ids, in the order of ``srcs`` (``Sessions.import_audio_files``
        says the rest: ``kind`` is checked by the caller).

        Raises:
            AudioError, DuplicateMediaError, ReadOnlyError: nothing was changed.
        """
        if self._store.readonly:
            raise ReadOnlyError(f"{self._store.folder} was opened read-only; nothing was changed.")
        if not srcs:
            raise InvalidInputError("No files to import.")
        if infos is None:
            from storage.core.audio import probe  # domain-to-domain; no Qt

            infos = [probe(src) for src in srcs]
        digests = self._digests(srcs)
        if not again:
            self._refuse_duplicates(srcs, digests)
        staging: list[tuple[Path, Path]] = []  # (temporary copy, its name once committed)
        copied: list[Path] = []
        rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
        try:
            for i, (src, info) in enumerate(zip(srcs, infos, strict=True)):
                media_id = new_id()
                suffix = src.suffix.lower()
                if not (suffix[1:].isascii() and suffix[1:].isalnum()):
                    suffix = ".audio"
                dest = self._store.media_dir / f"{media_id}{suffix}"
                try:
                    self._store.media_dir.mkdir(exist_ok=True)
                    digest = digests[i]
                    # under a temporary name until the rows are committed: a copy killed
                    # half-way (or one of several) leaves no file the project does not know
                    staging.append((copy_to_staging(src, dest), dest))
                except OSError as exc:
                    reason = (
                        "the disk is full"
                        if exc.errno == errno.ENOSPC
                        else (exc.strerror or str(exc))
                    )
                    raise ReadOnlyError(
                        f"{src}: could not copy into {self._store.media_dir} ({reason}); "
                        "the project is unchanged."
                    ) from exc
                stamp = self._store.stamp()
                session_id = new_id()
                name = readable_file_name(src.name)
                title = titles[i] if titles and i < len(titles) else title_of(name)
                session = {
                    "id": session_id,
                    "title": title.strip() or name,
                    "kind": kind,
                    "status": status,
                    **stamp,
                }
                media = {
                    "id": media_id,
                    "session_id": session_id,
                    "path": f"media/{dest.name}",
                    "original_name": name,
                    "sha256": digest,
                    "size_bytes": staging[-1][0].stat().st_size,
                    "duration_ms": info.duration_ms,
                    "sample_rate": info.sample_rate,
                    "channels": info.channels,
                    "codec": info.codec,
                    **stamp,
                }
                rows.append((session, media))
            # the copies are listed before they take their names: a kill before the commit
            # leaves none that the next open cannot tell from a user's file
            with (
                self._store.renaming([dest for _, dest in staging]),
                self._store.tx() as db,
            ):
                for session, media in rows:
                    db.table("sessions").insert(session)
                    db.table("media").insert(media)
                for tmp, dest in staging:  # renamed just before the commit
                    os.replace(tmp, dest)
                    copied.append(dest)
        except BaseException:
            for path in [tmp for tmp, _ in staging] + copied:
                path.unlink(missing_ok=True)
            raise
        return [str(session["id"]) for session, _ in rows]

    def _digests(self, srcs: list[Path]) -> list[str]:
        digests = []
        for src in srcs:
            try:
                digests.append(sha256_of(src))
            except OSError as exc:
                raise AudioError(
                    f"{src}: cannot read the file ({exc.strerror or exc}); nothing was changed."
                ) from exc
        return digests

    def _refuse_duplicates(self, srcs: list[Path], digests: list[str]) -> None:
        seen: dict[str, Path] = {}
        for src, digest in zip(srcs, digests, strict=True):
            if digest in seen:
                raise DuplicateMediaError(
                    f"{src} has the same content as {seen[digest]}; give it once, or add "
                    "--again to import both. Nothing was changed."
                )
            seen[digest] = src
            row = self._store.one(
                "SELECT s.id, s.title FROM media m JOIN sessions s ON s.id = m.session_id "
                "WHERE m.sha256 = ? ORDER BY m.created_at LIMIT 1",
                (digest,),
            )
            if row is not None:
                raise DuplicateMediaError(
                    f"{src} is already in the project as session {row['title']!r} "
                    f"({row['id']}); add --again to import it once more. Nothing was changed."
                )

"""Text typed into a segment but not saved yet, kept in a small file so a crash loses none of it.

While a coder types a correction into a segment, the workbench writes what is typed, about a
second after the last keystroke, to ``DIR/drafts/segment-<id>.json`` (atomically: the file is
whole or absent). The file holds the segment and session ids, the segment's stored text the
typing started from (``base_text``: tells whether the segment changed since), the typed text
and the time. It is removed once the edit is saved. A file left behind (the program was killed
or the computer lost power) is offered back the next time the project is opened.

The ``drafts`` folder is not part of the project's data: bundles, exports and REFI-QDA files are
built from the database and the listed media files, so it never travels.

What is typed may hold words the project is told to remove. The privacy operations rewrite the
files as they rewrite the segments (``rewrite``: ``redact --destroy`` for the files of the
segments it rewrites, ``pseudonym --apply`` for every file, or those of its session), and
forgetting a deleted session for good removes the files of its segments (``forget_session``).
A file that cannot be read there cannot be rewritten, so it is removed, and so are temporary
files a crash left while writing (``.segment-<id>.json.part``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from storage.core.atomic import staged
from storage.core.errors import ReadOnlyError
from storage.core.ids import now_iso
from storage.core.store import Store

if TYPE_CHECKING:
    from storage.project import Project

DRAFTS_DIR = "drafts"

#: ``current``: the segment still holds the text the typing started from (restore it there);
#: ``changed``: its stored text changed since (a merge, a new transcription, an edit elsewhere);
#: ``gone``: the segment (or its session) no longer exists
UnsavedState = Literal["current", "changed", "gone"]

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")

#: ``fix(kept) -> (base_text, text)``: what a privacy operation makes of one kept text
Rewriter = Callable[["UnsavedText"], tuple[str, str]]


@dataclass(frozen=True)
class RewriteReport:
    """What ``UnsavedTexts.rewrite`` or ``forget_session`` changed in ``DIR/drafts``.

    Attributes:
        rewritten: files whose text changed.
        removed: files removed (unreadable ones, which could not be rewritten, and with
            ``forget_session`` those of the forgotten session).
    """

    rewritten: int = 0
    removed: int = 0


@dataclass(frozen=True)
class UnsavedText:
    """Text typed into a segment and not saved, as found in its file.

    Attributes:
        segment_id: the segment typed into.
        session_id: its session.
        base_text: the segment's stored text when the typing started.
        text: what was typed (the whole text of the segment in the editor).
        saved_at: when the file was written (UTC, ISO 8601).
        state: ``current``, ``changed`` or ``gone`` (see ``UnsavedState``).
        number: the segment's number in its session (1 for the first), None when gone.
        start_ms: the segment's start, None when gone.
        speaker: the segment's speaker label, None when gone or not known.
        stored_text: the segment's text in the project now, None when gone.
    """

    segment_id: str
    session_id: str
    base_text: str
    text: str
    saved_at: str
    state: UnsavedState = "gone"
    number: int | None = None
    start_ms: int | None = None
    speaker: str | None = None
    stored_text: str | None = None


def _file_name(segment_id: str) -> str:
    if _SAFE_ID.fullmatch(segment_id):
        return f"segment-{segment_id}.json"
    # an id imported from elsewhere may hold characters a file name cannot
    return f"segment-{hashlib.sha256(segment_id.encode()).hexdigest()[:32]}.json"


class UnsavedTexts:
    """Text typed into segments and not saved yet: keep it, find it after a crash, drop it.

    Handed out as ``project.unsaved_text``. It writes files in ``DIR/drafts``, never the
    database.
    """

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    @property
    def folder(self) -> Path:
        """The folder the files are kept in (``DIR/drafts``)."""
        return self._store.folder / DRAFTS_DIR

    def path(self, segment_id: str) -> Path:
        """The file that keeps the text typed into ``segment_id``."""
        return self.folder / _file_name(segment_id)

    def keep(self, segment_id: str, session_id: str, base_text: str, text: str) -> Path:
        """Write what is typed into a segment, replacing what was kept for it before.

        The file is written whole or not at all (a temporary file, flushed to disk, then
        renamed over the old one), so a crash while writing leaves the previous text.

        Args:
            segment_id: the segment typed into.
            session_id: its session.
            base_text: the segment's stored text the typing started from.
            text: the text in the editor now.

        Returns:
            The file written.

        Raises:
            ReadOnlyError: the project was opened read-only, or the file cannot be written.
        """
        if self._store.readonly:
            raise ReadOnlyError("The project is open read-only; typed text is not kept.")
        record = {
            "segment_id": segment_id,
            "session_id": session_id,
            "base_text": base_text,
            "text": text,
            "saved_at": now_iso(),
        }
        dest = self.path(segment_id)
        try:
            self.folder.mkdir(exist_ok=True)
            with staged(dest, fsync=True) as tmp:
                tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            raise ReadOnlyError(
                f"{dest}: cannot keep the typed text ({exc.strerror or exc})."
            ) from exc
        return dest

    def read(self, segment_id: str) -> UnsavedText | None:
        """What is kept for a segment, with where the segment stands now; None when nothing
        is kept (or the file cannot be read)."""
        found = self._read_file(self.path(segment_id))
        return self._with_state(found) if found is not None else None

    def clear(self, segment_id: str, *, text: str | None = None, saved: bool = False) -> bool:
        """Remove what is kept for a segment; with ``text``, only when the kept text is that
        text (an edit saved while newer typing was kept already leaves the newer typing).

        Args:
            segment_id: the segment typed into.
            text: remove the file only when it keeps this text.
            saved: remove it only when the segment holds ``text`` now: the edit that was to
                save it may have failed (the segment was deleted, merged away or transcribed
                again meanwhile), and then the typing is all that is left of it.

        Returns:
            Whether a file was removed.
        """
        path = self.path(segment_id)
        if text is not None:
            kept = self._read_file(path)
            if kept is None or kept.text != text:
                return False
            if saved and self._with_state(kept).stored_text != text:
                return False
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ReadOnlyError(
                f"{path}: cannot remove the kept typed text ({exc.strerror or exc})."
            ) from exc
        return True

    def left(self, session_id: str | None = None) -> list[UnsavedText]:
        """Typed text left behind (by a crash), oldest first; of one session with
        ``session_id``.

        A file whose text the segment already holds (the edit was saved, then the program
        stopped before removing the file) is removed here and not listed: nothing is lost.
        Files that cannot be read are left where they are and not listed.
        """
        if not self.folder.is_dir():
            return []
        found: list[UnsavedText] = []
        for entry in sorted(self.folder.glob("segment-*.json")):
            kept = self._read_file(entry)
            if kept is None or (session_id is not None and kept.session_id != session_id):
                continue
            kept = self._with_state(kept)
            if kept.stored_text == kept.text:
                if not self._store.readonly:
                    with contextlib.suppress(OSError):
                        entry.unlink()
                continue
            found.append(kept)
        return sorted(found, key=lambda k: k.saved_at)

    # ------------------------------------------------------------------ privacy
    def rewrite(
        self,
        fix: Rewriter,
        *,
        segment_ids: Collection[str] | None = None,
        session_id: str | None = None,
    ) -> RewriteReport:
        """Rewrite the kept texts as a privacy operation rewrote their segments.

        ``fix`` gets each kept text (as in its file: ``state`` is not looked up) and returns
        its new ``(base_text, text)``; a file whose text does not change is left as it is.
        Each file is replaced whole (as ``keep`` writes it). A file of the scope that cannot
        be read cannot be rewritten: it is removed, and so is every temporary file a crash
        left behind while writing one.

        Args:
            fix: the rewriting.
            segment_ids: only the files of these segments.
            session_id: only the files of this session's segments.

        Raises:
            ReadOnlyError: a file could neither be rewritten nor removed.
        """
        if not self.folder.is_dir():
            return RewriteReport()
        names = None if segment_ids is None else {_file_name(i) for i in segment_ids}
        rewritten = 0
        removed, files = self._kept_files()
        for entry, kept in files:
            if names is not None and entry.name not in names:
                continue
            if kept is None:  # not known to be out of scope: it may hold the words too
                removed += self._remove(entry)
                continue
            if session_id is not None and kept.session_id != session_id:
                continue
            base, text = fix(kept)
            if (base, text) == (kept.base_text, kept.text):
                continue
            self._write(entry, {**self._record(kept), "base_text": base, "text": text})
            rewritten += 1
        return RewriteReport(rewritten=rewritten, removed=removed)

    def forget_session(self, session_id: str) -> RewriteReport:
        """Remove the kept texts of a session (forgotten for good: nothing of it may stay),
        with the files that cannot be read (they may be of it) and the temporary files a
        crash left while writing."""
        if not self.folder.is_dir():
            return RewriteReport()
        removed, files = self._kept_files()
        for entry, kept in files:
            if kept is None or kept.session_id == session_id:
                removed += self._remove(entry)
        return RewriteReport(removed=removed)

    # ------------------------------------------------------------------ helpers
    def _kept_files(self) -> tuple[int, list[tuple[Path, UnsavedText | None]]]:
        """Remove the temporary files a crash left while writing (``.segment-<id>.json.part``)
        and list the kept-text files with what each holds (None: it cannot be read): how many
        were removed, and the files, in name order."""
        removed = 0
        files: list[tuple[Path, UnsavedText | None]] = []
        for entry in sorted(self.folder.iterdir()):
            if entry.name.startswith(".segment-") and entry.name.endswith(".json.part"):
                removed += self._remove(entry)  # a write a crash cut short
            elif entry.name.startswith("segment-") and entry.suffix == ".json":
                files.append((entry, self._read_file(entry)))
        return removed, files

    @staticmethod
    def _record(kept: UnsavedText) -> dict[str, str]:
        return {
            "segment_id": kept.segment_id,
            "session_id": kept.session_id,
            "base_text": kept.base_text,
            "text": kept.text,
            "saved_at": kept.saved_at,
        }

    def _write(self, dest: Path, record: dict[str, str]) -> None:
        try:
            with staged(dest, fsync=True) as tmp:
                tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            # what cannot be rewritten must not stay as it was
            with contextlib.suppress(OSError):
                dest.unlink()
            if dest.exists():
                raise ReadOnlyError(
                    f"{dest}: cannot rewrite or remove the kept typed text ({exc.strerror or exc})."
                ) from exc

    @staticmethod
    def _remove(path: Path) -> int:
        try:
            path.unlink()
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise ReadOnlyError(
                f"{path}: cannot remove the kept typed text ({exc.strerror or exc})."
            ) from exc
        return 1

    @staticmethod
    def _read_file(path: Path) -> UnsavedText | None:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        fields = ("segment_id", "session_id", "base_text", "text", "saved_at")
        if not isinstance(record, dict) or not all(isinstance(record.get(f), str) for f in fields):
            return None
        return UnsavedText(**{f: record[f] for f in fields})

    def _with_state(self, kept: UnsavedText) -> UnsavedText:
        row = self._store.one(
            "SELECT session_id, start_ms, seq, speaker, text FROM segments WHERE id = ?",
            (kept.segment_id,),
        )
        if row is None:
            return kept
        number = 1 + int(
            self._store.scalar(
                "SELECT count(*) FROM segments WHERE session_id = ? "
                "AND (start_ms < ? OR (start_ms = ? AND seq < ?))",
                (row["session_id"], row["start_ms"], row["start_ms"], row["seq"]),
            )
        )
        state: UnsavedState = "current" if row["text"] == kept.base_text else "changed"
        return UnsavedText(
            segment_id=kept.segment_id,
            session_id=row["session_id"],
            base_text=kept.base_text,
            text=kept.text,
            saved_at=kept.saved_at,
            state=state,
            number=number,
            start_ms=int(row["start_ms"]),
            speaker=row["speaker"],
            stored_text=row["text"],
        )

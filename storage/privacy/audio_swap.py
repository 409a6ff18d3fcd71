"""The audio side of destroying originals, made safe against a kill (SIGKILL, a flat battery).

``Redactions.destroy_redactions`` writes each silenced (or beeped) copy under a hidden name
beside the clear audio (``.NAME.redacted.EXT``), then commits in one transaction the new text,
the media rows as the silenced copies are (path, sha256, size) and the list of files still to
swap (``PENDING_KEY``). Only after that commit do the silenced copies take the clear files'
place (``finish``), and the list is cleared. A process killed anywhere leaves one of two states:

- before the commit: nothing changed (text, rows and the clear audio as before); the hidden
  copies are removed on the next open for writing, and the same command does it all again;
- after it: the text is destroyed and the rows name the silenced audio; the next open for
  writing finishes the swap (the clear files go) and says so in one line, before any command
  can read the audio. Destroying is never reported done while a clear file is left.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from storage.core.atomic import fsync_folder
from storage.core.destroy_pending import PENDING_KEY, Swap, pending, record
from storage.core.errors import AudioError
from storage.core.left_behind import tell
from storage.core.store import Store
from storage.core.words import plural

# a silenced copy being written or waiting for its swap: ``.NAME.redacted.EXT``
_SILENCED = re.compile(r"^\..+\.redacted\.[A-Za-z0-9]+$")


def silenced_name(final: Path) -> Path:
    """The hidden name the silenced copy bound for ``final`` is written under."""
    return final.with_name(f".{final.stem}.redacted{final.suffix}")


def _inside(folder: Path, relative: str) -> Path | None:
    """``folder / relative`` when it stays inside ``media/`` (the value is the project's, but
    a bundle's copy of it is no reason to touch files elsewhere)."""
    media = (folder / "media").resolve()
    path = (folder / relative).resolve()
    return path if path.parent == media else None


def finish(store: Store, swaps: list[Swap]) -> int:
    """Put each silenced copy in place of the clear audio, remove the clear file and its
    leftovers, then clear the list. Returns how many clear files went. Called right after the
    destroy's commit, and on opening for writing (under the write lock) with ``pending``."""
    replaced = 0
    lost: list[Swap] = []
    for swap in swaps:
        staged = _inside(store.folder, swap.staged)
        final = _inside(store.folder, swap.final)
        clear = _inside(store.folder, swap.clear)
        if staged is None or final is None or clear is None:
            continue
        if not staged.is_file() and clear == final and _still_clear(store, swap, final):
            lost.append(swap)  # the silenced copy is gone and the clear file is still here
            continue
        did = False
        if staged.is_file():
            os.replace(staged, final)
            did = True
        if clear != final and clear.exists():
            clear.unlink()
            did = True
        for leftover in (
            store.media_dir / ".deleted" / clear.name,
            clear.with_name(f".{clear.name}.part"),
        ):
            leftover.unlink(missing_ok=True)
        replaced += did
    if swaps:
        fsync_folder(store.media_dir)
        with store.tx() as db:
            if lost:  # kept: every open says so, never a silent "done"
                record(db.conn, lost)
            else:
                db.conn.execute("DELETE FROM project_meta WHERE key = ?", (PENDING_KEY,))
    if lost:
        raise AudioError(
            f"{store.folder}: the silenced copy of {plural(len(lost), 'recording')} "
            f"({', '.join(s.final for s in lost)}) is missing, so the clear audio is still "
            "there although its redacted text was destroyed; delete that file, or silence it "
            "with another program, before sharing the project."
        )
    return replaced


def _still_clear(store: Store, swap: Swap, final: Path) -> bool:
    """Whether ``final`` is not the silenced copy its media row was committed for."""
    from storage.core.audio import sha256_of  # domain-to-domain; no Qt

    row = store.one("SELECT sha256 FROM media WHERE path = ?", (swap.final,))
    try:
        return row is not None and final.is_file() and sha256_of(final) != row[0]
    except OSError:
        return True


def finish_left_over(store: Store) -> None:
    """On opening for writing: finish a destroy whose process was killed after its commit
    (saying so in one line), and remove silenced copies a destroy killed before it left."""
    swaps = pending(store.conn)
    try:
        done = finish(store, swaps)
    except AudioError as exc:
        tell(str(exc))
        return
    if swaps:
        tell(
            f"{store.folder}: a FieldScribe killed while destroying redacted originals had "
            f"destroyed the text; the audio is now done too ({plural(done, 'clear recording')} "
            "replaced by the silenced copy)."
        )
    kept = {Path(s.staged).name for s in swaps}
    with contextlib.suppress(OSError):
        for entry in os.scandir(store.media_dir):
            if _SILENCED.match(entry.name) and entry.name not in kept:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def refuse_unfinished(store: Store, what: str) -> None:
    """Before ``what`` (an export) carries the project's audio: refuse while a destroy's swap is
    unfinished (opened read-only, or a silenced copy lost), since the clear recordings it
    would carry are those whose redacted words were destroyed.

    Raises:
        AudioError: swaps are pending (``pending``).
    """
    swaps = pending(store.conn)
    if swaps:
        raise AudioError(
            f"{store.folder}: a FieldScribe killed during `redact --destroy` left the clear audio "
            f"of {plural(len(swaps), 'recording')} ({', '.join(s.final for s in swaps)}), whose "
            f"redacted words are destroyed; {what} would carry it, so nothing was written. Open "
            "the project once where its folder can be written (any command that writes finishes "
            "the destroy), or export without the audio."
        )


def tell_unfinished(store: Store) -> None:
    """On opening read-only: say that a killed destroy left clear audio until a write."""
    swaps = pending(store.conn)
    if swaps:
        tell(
            f"{store.folder}: a FieldScribe was killed while destroying redacted originals: "
            f"the text is destroyed, the audio of {plural(len(swaps), 'recording')} not yet; "
            "any command that writes to the project (e.g. redact --destroy) finishes it."
        )

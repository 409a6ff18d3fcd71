"""The audio swaps a committed ``redact --destroy`` has not done yet (``privacy.audio_swap``),
read where any feature reads a session's audio: while one is listed, the file in ``media/`` may
still be the clear recording whose redacted words were destroyed, and nothing plays, transcribes
or copies it (``refuse_clear_audio``) until an open for writing finishes the destroy."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from storage.core.errors import UnfinishedDestroyError
from storage.core.meta import put_meta, read_meta
from storage.core.store import Store

PENDING_KEY = "destroy_audio_pending"


@dataclass(frozen=True)
class Swap:
    """A silenced copy (``staged``) to take the place of ``final``; ``clear`` (the clear
    audio, when its name differs: a video's track written as .flac) goes. Paths relative to
    the project folder."""

    staged: str
    final: str
    clear: str


def record(conn: sqlite3.Connection, swaps: list[Swap]) -> None:
    """Note the swaps still to do, inside the transaction that destroys the text."""
    put_meta(conn, PENDING_KEY, json.dumps([vars(s) for s in swaps]))


def pending(conn: sqlite3.Connection) -> list[Swap]:
    """The swaps a committed destroy has not finished (a process killed after its commit)."""
    value = read_meta(conn, "main", PENDING_KEY)
    try:
        items = json.loads(value) if value else []
    except ValueError:
        return []
    return [
        Swap(str(i["staged"]), str(i["final"]), str(i["clear"]))
        for i in items
        if isinstance(i, dict) and {"staged", "final", "clear"} <= i.keys()
    ]


def refuse_clear_audio(store: Store, relative: str) -> None:
    """Before the audio file ``relative`` (a media row's path) is read (played, transcribed,
    copied): refuse while an unfinished destroy lists it.

    Raises:
        UnfinishedDestroyError: a swap of ``relative`` is pending.
    """
    with store.mutex:  # (a GUI worker thread loads a session's recording)
        swaps = pending(store.conn)
    swap = next((s for s in swaps if relative in (s.final, s.clear)), None)
    if swap is None:
        return
    folder = store.folder
    if (folder / swap.staged).is_file():
        what = (
            "open the project once where its folder can be written (any command that writes "
            "finishes the destroy)"
        )
        remedy = "open the project where its folder can be written to finish the destroy"
    else:
        what = (
            "its silenced copy is missing: delete that file, or silence it with another "
            "program, before using the project"
        )
        remedy = "its silenced copy is missing; delete the clear file or silence it elsewhere"
    raise UnfinishedDestroyError(
        f"{folder / relative}: a FieldScribe killed during `redact --destroy` left this clear "
        f"recording, whose redacted words are destroyed; it is not read until the destroy is "
        f"finished: {what}.",
        remedy,
    )

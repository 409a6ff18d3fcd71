"""The speaker timeline of a session: who spoke when, as speaker detection found it.

Speaker detection (``transcribe.speakers.diarize_session``) stores its turns here, next to the
labels it writes on the transcript segments: the turns cover the speech the backend heard,
including speech no Whisper segment holds and without the pauses segments span, so the
timeline is as good as the backend's. Labels use the segments' namespace (enrolled voices by
their profile name, others ``Speaker N``), and follow every speaker edit:

* rename and merge relabel the turns of a speaker;
* giving a segment to a speaker by hand relabels the turn parts inside the segment's span (turns
  are cut at its bounds; a span without any turn gets one); clearing its speaker removes them;
* when such an edit takes a label off the last segment that carried it, the label's other
  turns go too: a speaker no segment uses is not on the timeline and has no talk time.

Rows travel in bundles like any other (UUID ids, version history, tombstones). Each detection
run has a ``run_id`` and a ``run_at`` time, copied to every turn it made and to the parts cut
from them. Re-running detection deletes the session's turns (with tombstones) and stores the
new run, so a merge elsewhere replaces them too. When two laptops re-ran detection on the same
session, a merge brings both runs; the timeline then shows the newest run only (greatest
``run_at``, then ``run_id``: the same on every copy, whatever the merge order), and the next
write to that session's timeline deletes the older run's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.ids import new_id
from storage.core.store import Store

if TYPE_CHECKING:
    from storage.project import Project


@dataclass
class SpeakerTurn:
    """One stretch of speech of one speaker on a session's timeline."""

    id: str
    session_id: str
    start_ms: int
    end_ms: int
    speaker: str
    run_id: str
    run_at: str
    created_by: str
    created_at: str
    updated_at: str


_COLS = (
    "id, session_id, start_ms, end_ms, speaker, run_id, run_at, created_by, created_at, updated_at"
)


def _turn(row: Any) -> SpeakerTurn:
    return SpeakerTurn(
        id=row["id"],
        session_id=row["session_id"],
        start_ms=int(row["start_ms"]),
        end_ms=int(row["end_ms"]),
        speaker=row["speaker"],
        run_id=row["run_id"],
        run_at=row["run_at"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def check_turns(turns: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Validate ``(start_ms, end_ms, speaker)`` turns; return them in time order.

    Raises:
        InvalidInputError: a negative start, an end not after its start, or a bad label.
    """
    checked = []
    for start, end, speaker in turns:
        start, end = int(start), int(end)
        if start < 0 or end <= start:
            raise InvalidInputError(f"Invalid speaker turn {start}-{end} ms; nothing was changed.")
        label = (speaker or "").strip()
        if not label or len(label) > 200:
            raise InvalidInputError(
                "A speaker turn needs a label of 1 to 200 characters; nothing was changed."
            )
        checked.append((start, end, label))
    return sorted(checked)


#: the run a session's timeline shows: the newest (the same in any merge order)
_NEWEST_RUN = (
    "SELECT run_id, run_at FROM speaker_turns WHERE session_id = ? "
    "ORDER BY run_at DESC, run_id DESC LIMIT 1"
)


class SpeakerTurns:
    """The stored speaker timeline of sessions (see the module notes)."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    # ----------------------------------------------------------------- reading
    def _current_run(self, session_id: str) -> str | None:
        row = self._store.one(_NEWEST_RUN, (session_id,))
        return None if row is None else str(row[0])

    def stored(self, session_id: str) -> list[SpeakerTurn]:
        """The stored timeline of a session (newest detection run), in time order.

        Empty when speaker detection never stored one (sessions labelled by hand, imported,
        or detected before timelines were stored).
        """
        with self._store.mutex:
            run = self._current_run(session_id)
            if run is None:
                return []
            return [
                _turn(r)
                for r in self._store.rows(
                    f"SELECT {_COLS} FROM speaker_turns WHERE session_id = ? AND run_id = ? "
                    "ORDER BY start_ms, end_ms, id",
                    (session_id, run),
                )
            ]

    def has_timeline(self, session_id: str) -> bool:
        """True when the session has a stored speaker timeline."""
        return self._current_run(session_id) is not None

    # ----------------------------------------------------------------- writing
    def save(self, session_id: str, turns: Iterable[tuple[int, int, str]]) -> int:
        """Replace a session's timeline with these ``(start_ms, end_ms, speaker)`` turns.

        The previous turns are deleted with tombstones (the replacement travels). Runs in the
        caller's transaction when there is one. Returns how many turns were stored.

        Raises:
            InvalidInputError: a bad turn (nothing is changed).
            NotFoundError: no such session.
        """
        checked = check_turns(turns)
        if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None:
            raise NotFoundError(f"No session with id {session_id!r}; list them with `sessions`.")
        stamp = self._store.stamp()
        run_id, run_at = new_id(), stamp["created_at"]
        with self._store.tx() as db:
            conn = db.conn
            self._drop_turns(conn, session_id, keep_run=None)
            conn.executemany(
                f"INSERT INTO speaker_turns ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (new_id(), session_id, a, b, label, run_id, run_at, *stamp.values())
                    for a, b, label in checked
                ],
            )
        return len(checked)

    def clear(self, session_id: str) -> int:
        """Delete a session's stored timeline (tombstones travel); returns rows deleted."""
        with self._store.tx() as db:
            return self._drop_turns(db.conn, session_id, keep_run=None)

    def _drop_turns(self, conn: Any, session_id: str, keep_run: str | None) -> int:
        """Delete the session's turns (all, or those of runs other than ``keep_run``)."""
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM speaker_turns WHERE session_id = ? AND run_id IS NOT ?",
                (session_id, keep_run),
            )
        ]
        for turn_id in ids:
            conn.execute("DELETE FROM speaker_turns WHERE id = ?", (turn_id,))
            self._store.tombstone("speaker_turns", turn_id)
        return len(ids)

    # ----------------------------------------------------------------- following edits
    def _edited_run(self, conn: Any, session_id: str) -> tuple[str, str] | None:
        """The run an edit changes, as ``(run_id, run_at)``: the newest one; older runs (merged
        from another laptop) are deleted now. None: the session has no stored timeline."""
        row = conn.execute(_NEWEST_RUN, (session_id,)).fetchone()
        if row is None:
            return None
        self._drop_turns(conn, session_id, keep_run=str(row[0]))
        return str(row[0]), str(row[1])

    def relabel(self, conn: Any, session_id: str, old: str, new: str, ts: str) -> int:
        """Give the turns of ``old`` to ``new`` (rename, merge); returns turns changed."""
        edited = self._edited_run(conn, session_id)
        if edited is None:
            return 0
        run = edited[0]
        return int(
            conn.execute(
                "UPDATE speaker_turns SET speaker = ?, updated_at = ? "
                "WHERE session_id = ? AND run_id = ? AND speaker = ?",
                (new, ts, session_id, run, old),
            ).rowcount
        )

    def _turns_assign_span(
        self,
        conn: Any,
        session_id: str,
        edited: tuple[str, str],
        start_ms: int,
        end_ms: int,
        speaker: str | None,
        ts: str,
    ) -> None:
        """The timeline inside ``[start_ms, end_ms)`` now belongs to ``speaker`` (None: nobody).

        Turns of the ``edited`` run (``_edited_run``) are cut at the span's bounds; the part of
        a turn left of the span keeps its row, other parts get new rows of the same run. A span
        no turn touches gets a turn of its own.
        """
        if end_ms <= start_ms:
            return
        run, run_at = edited
        rows = conn.execute(
            f"SELECT {_COLS} FROM speaker_turns WHERE session_id = ? AND run_id = ? "
            "AND start_ms < ? AND end_ms > ? ORDER BY start_ms, id",
            (session_id, run, end_ms, start_ms),
        ).fetchall()
        new_rows: list[tuple[Any, ...]] = []

        def add(a: int, b: int, label: str) -> None:
            new_rows.append(
                (new_id(), session_id, a, b, label, run, run_at, self._store.coder, ts, ts)
            )

        if not rows and speaker is not None:
            add(start_ms, end_ms, speaker)
        for row in rows:
            t = _turn(row)
            if t.speaker == speaker:
                continue
            parts: list[tuple[int, int, str]] = []
            if t.start_ms < start_ms:
                parts.append((t.start_ms, start_ms, t.speaker))
            if speaker is not None:
                parts.append((max(t.start_ms, start_ms), min(t.end_ms, end_ms), speaker))
            if t.end_ms > end_ms:
                parts.append((end_ms, t.end_ms, t.speaker))
            if not parts:
                conn.execute("DELETE FROM speaker_turns WHERE id = ?", (t.id,))
                self._store.tombstone("speaker_turns", t.id)
                continue
            a, b, label = parts[0]
            conn.execute(
                "UPDATE speaker_turns SET start_ms = ?, end_ms = ?, speaker = ?, updated_at = ? "
                "WHERE id = ?",
                (a, b, label, ts, t.id),
            )
            for a, b, label in parts[1:]:
                add(a, b, label)
        if new_rows:
            conn.executemany(
                f"INSERT INTO speaker_turns ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new_rows,
            )

    def follow_segments(
        self,
        conn: Any,
        segment_ids: Sequence[str],
        speaker: str | None,
        ts: str,
        previous: Iterable[str | None] = (),
    ) -> None:
        """Relabel the timeline under these segments (their speaker was set by hand); a no-op
        for sessions without a stored timeline.

        ``previous`` are the labels the segments had: a label that no segment of the session
        carries any more loses its turns elsewhere on the timeline too (else its leftover
        speech would still count as talk time, and come back to whoever is given the label).
        """
        marks = ",".join("?" * len(segment_ids))
        spans = conn.execute(
            f"SELECT session_id, start_ms, end_ms FROM segments WHERE id IN ({marks}) "
            "ORDER BY session_id, start_ms",
            tuple(segment_ids),
        ).fetchall()
        runs: dict[str, tuple[str, str] | None] = {}
        for session_id, start, end in spans:
            if session_id not in runs:
                runs[session_id] = self._edited_run(conn, session_id)
            edited = runs[session_id]
            if edited is not None:
                self._turns_assign_span(conn, session_id, edited, int(start), int(end), speaker, ts)
        gone = {label for label in previous if label is not None and label != speaker}
        for session_id, edited in runs.items():
            if edited is not None and gone:
                self._drop_unused(conn, session_id, edited[0], gone)

    def _drop_unused(self, conn: Any, session_id: str, run: str, labels: set[str]) -> None:
        """Delete the turns of those ``labels`` that no segment of the session carries."""
        for label in sorted(labels):
            used = conn.execute(
                "SELECT 1 FROM segments WHERE session_id = ? AND speaker = ? LIMIT 1",
                (session_id, label),
            ).fetchone()
            if used is not None:
                continue
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM speaker_turns WHERE session_id = ? AND run_id = ? "
                    "AND speaker = ?",
                    (session_id, run, label),
                )
            ]
            for turn_id in ids:
                conn.execute("DELETE FROM speaker_turns WHERE id = ?", (turn_id,))
                self._store.tombstone("speaker_turns", turn_id)


def turn_talk(turns: Sequence[tuple[int, int, str | None]]) -> dict[str, tuple[int, int]]:
    """Per speaker: total talk time (ms) and first start, from ``(start, end, speaker)`` turns."""
    talk: dict[str, tuple[int, int]] = {}
    for start, end, speaker in turns:
        if speaker is None:
            continue
        total, first = talk.get(speaker, (0, start))
        talk[speaker] = (total + end - start, min(first, start))
    return talk


__all__ = [
    "SpeakerTurn",
    "SpeakerTurns",
    "check_turns",
    "turn_talk",
]

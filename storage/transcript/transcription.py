"""Where a session's transcription stands, and the segment writes a transcription makes.

The ``transcription_state`` row of a session records the model, the language, how far the audio
was transcribed (``done_ms``) and a status (``running``, ``cancelled``, ``failed``, ``done``). The
transcriber writes the segments of each piece of audio together with the new ``done_ms`` in ONE
transaction (``add_transcribed``), so after a cancel, a crash or a power cut the project holds
exactly the segments up to ``done_ms`` and the work resumes from there without duplicates.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.core.errors import NotFoundError
from storage.core.ids import now_iso
from storage.core.models import Segment
from storage.core.schema_search import fold_search_sql
from storage.core.store import Store
from storage.core.words import plural

if TYPE_CHECKING:
    from storage.project import Project

TRANSCRIPTION_STATUSES = ("running", "cancelled", "failed", "done")

# Work a person did on a segment, each as an SQL condition on a row of ``segments``. ``edited``
# covers the text and the language corrected by hand and names replaced by pseudonyms (see
# ``Transcript.update_segment`` and ``Privacy.apply_pseudonyms``); codings (whole or span),
# redactions and segment memos point at the segment by its id.
_CODED = "EXISTS (SELECT 1 FROM codings c WHERE c.segment_id = segments.id)"
_REDACTED = "EXISTS (SELECT 1 FROM redactions r WHERE r.segment_id = segments.id)"
_WITH_MEMO = (
    "EXISTS (SELECT 1 FROM memos m WHERE m.target_type = 'segment' AND m.target_id = segments.id)"
)

# A segment is "untouched" machine output when Whisper wrote it and nobody worked on it since
# (no text, language or speaker correction, no coding, redaction or memo): only such segments
# may be removed by a new transcription. Removing any other would lose someone's work (and a
# coded or redacted one cannot be removed at all: their rows refer to it by foreign key).
_UNTOUCHED = (
    "origin = 'whisper' AND edited = 0 AND speaker_edited = 0 AND "
    f"NOT {_CODED} AND NOT {_REDACTED} AND NOT {_WITH_MEMO}"
)


@dataclass
class TranscriptionState:
    """How far the transcription of one session went."""

    session_id: str
    model: str
    language: str | None
    status: str
    done_ms: int
    total_ms: int
    options: dict[str, Any] = field(default_factory=dict)
    updated_at: str = ""


@dataclass
class TranscriptStats:
    """What a new transcription of a session would touch.

    A segment can hold several kinds of work (edited and coded, say): the kinds are counted
    each on its own, ``protected`` counts every segment once.
    """

    untouched: int  # Whisper segments nobody worked on (replaceable)
    edited: int  # Whisper segments whose text or language was corrected by hand, or pseudonymised
    manual: int  # segments typed or imported by hand (origin manual or import)
    coded_segments: int  # segments with at least one coding
    codings: int  # codings on the session's segments
    redacted: int = 0  # segments with at least one redaction (hidden or destroyed)
    speakers: int = 0  # segments whose speaker was set by hand
    memos: int = 0  # segments with a memo
    protected: int = 0  # segments holding someone's work: every segment that is not untouched
    # untouched segments with a speaker label (from detection, perhaps renamed): replaced, their
    # labels go to the new segments (``transcribe.carry``)
    labelled: int = 0

    def kinds(self) -> list[str]:
        """The kinds of work found, as words for a message (``["1 hand-edited", ...]``)."""
        parts = [
            (self.edited, f"{self.edited} hand-edited (text, language or pseudonyms)"),
            (self.manual, f"{self.manual} hand-made"),
            (
                self.coded_segments,
                f"{self.coded_segments} coded ({plural(self.codings, 'coding')})",
            ),
            (self.redacted, f"{self.redacted} redacted"),
            (self.speakers, f"{self.speakers} with a speaker set by hand"),
            (self.memos, f"{self.memos} with a memo"),
        ]
        return [text for n, text in parts if n]


def _no_state(session_id: str, status: str, updated_at: str) -> TranscriptionState:
    options = {"_session_status": status, "_session_updated_at": updated_at}
    return TranscriptionState(session_id, "", None, "none", 0, 0, options)


def _state(row: sqlite3.Row) -> TranscriptionState:
    return TranscriptionState(
        session_id=row["session_id"],
        model=row["model"],
        language=row["language"],
        status=row["status"],
        done_ms=int(row["done_ms"]),
        total_ms=int(row["total_ms"]),
        options=json.loads(row["options"] or "{}"),
        updated_at=row["updated_at"],
    )


def _by_model(draft: Any, model: str) -> Any:
    """A draft of this run, its model recorded (as a name: ``SegmentDraft`` cuts a folder's
    path to its name) unless the draft names its own."""
    if getattr(draft, "model", None) is None and getattr(draft, "origin", "whisper") == "whisper":
        draft.model = model or None
    return draft


class Transcription:
    """Transcription progress of sessions (resumable) and replacing machine segments."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    def transcription_state(self, session_id: str) -> TranscriptionState | None:
        """Return the session's transcription state, or None if it was never transcribed."""
        row = self._store.one(
            "SELECT * FROM transcription_state WHERE session_id = ?", (session_id,)
        )
        return None if row is None else _state(row)

    def transcript_stats(self, session_id: str) -> TranscriptStats:
        """Count what a new transcription of the session would have to respect."""
        row = self._store.one(
            f"""
            SELECT
              (SELECT count(*) FROM segments WHERE session_id = ?1 AND {_UNTOUCHED}) AS untouched,
              (SELECT count(*) FROM segments WHERE session_id = ?1 AND origin = 'whisper'
                 AND edited != 0) AS edited,
              (SELECT count(*) FROM segments WHERE session_id = ?1 AND origin != 'whisper')
                 AS manual,
              (SELECT count(*) FROM segments WHERE session_id = ?1 AND {_CODED})
                 AS coded_segments,
              (SELECT count(*) FROM codings c JOIN segments g ON g.id = c.segment_id
                 WHERE g.session_id = ?1) AS codings,
              (SELECT count(*) FROM segments WHERE session_id = ?1 AND {_REDACTED}) AS redacted,
              (SELECT count(*) FROM segments WHERE session_id = ?1 AND speaker_edited = 1)
                 AS speakers,
              (SELECT count(*) FROM segments WHERE session_id = ?1 AND {_WITH_MEMO}) AS memos,
              (SELECT count(*) FROM segments WHERE session_id = ?1 AND NOT ({_UNTOUCHED}))
                 AS protected,
              (SELECT count(*) FROM segments WHERE session_id = ?1 AND {_UNTOUCHED}
                 AND speaker IS NOT NULL AND speaker != '') AS labelled
            """,
            (session_id,),
        )
        assert row is not None
        return TranscriptStats(**{k: int(row[k]) for k in row.keys()})  # noqa: SIM118

    def protected_segments(self, session_id: str) -> list[tuple[int, int]]:
        """Time spans (start_ms, end_ms) of the segments a transcription must keep.

        These are the segments holding someone's work: edited (text, language, pseudonyms),
        hand-made, coded, redacted, with a speaker set by hand or with a memo.
        """
        rows = self._store.rows(
            f"SELECT start_ms, end_ms FROM segments WHERE session_id = ? AND NOT ({_UNTOUCHED})"
            " ORDER BY start_ms",
            (session_id,),
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    def kept_without_text(self, session_id: str) -> list[str]:
        """Ids of the segments of speech without transcript that a transcription keeps (coded,
        hand-made, with a memo: see ``protected_segments``) and that hold no text yet, in time
        order: codings of a recording imported without its transcript (MAXQDA, ATLAS.ti), a
        stretch a coder marked. A transcription of the session reads each one again in place,
        its codings staying on it."""
        rows = self._store.rows(
            "SELECT id FROM segments WHERE session_id = ? AND untranscribed = 1 AND"
            f" trim(text) = '' AND end_ms > start_ms AND NOT ({_UNTOUCHED}) ORDER BY start_ms",
            (session_id,),
        )
        return [str(r[0]) for r in rows]

    def speaker_spans(self, session_id: str) -> list[tuple[int, int, str]]:
        """``(start_ms, end_ms, speaker)`` of the session's segments with a speaker label: what
        a new transcription carries onto its segments (``transcribe.carry``)."""
        rows = self._store.rows(
            "SELECT start_ms, end_ms, speaker FROM segments WHERE session_id = ?"
            " AND speaker IS NOT NULL AND speaker != '' ORDER BY start_ms",
            (session_id,),
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    def deleted_spans(self, session_id: str) -> list[tuple[int, int]]:
        """Time spans (start_ms, end_ms) of the segments a person deleted from the session
        (``Transcript.delete_segment``; not those undone since): speech a new transcription
        leaves out."""
        rows = self._store.rows(
            "SELECT start_ms, end_ms FROM deletions WHERE table_name = 'segments' "
            "AND session_id = ? AND start_ms IS NOT NULL AND end_ms IS NOT NULL "
            "ORDER BY start_ms",
            (session_id,),
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    def begin_transcription(
        self,
        session_id: str,
        *,
        model: str,
        language: str | None,
        total_ms: int,
        from_ms: int,
        options: dict[str, Any] | None = None,
    ) -> TranscriptionState:
        """Record that a transcription starts (or resumes) at ``from_ms``; nothing is deleted.

        The state becomes ``running`` and the session status ``transcribing``. Old segments are
        replaced piece by piece as new ones are written (see ``add_transcribed``), so a failure
        or a cancel never leaves a hole in the transcript.

        Args:
            session_id: the session.
            model: the model's name.
            language: the language code, or None while it is still to be detected.
            total_ms: the audio duration.
            from_ms: where the transcription starts (0, or ``done_ms`` when resuming).
            options: settings to remember for a resume (JSON-serialisable).

        Returns:
            The state before this call (for ``restore_transcription``).
        """
        session = self._project.sessions.get_session(session_id)
        previous = self.transcription_state(session_id)
        if previous is not None:
            previous.options = {
                **previous.options,
                "_session_status": session.status,
                "_session_updated_at": session.updated_at,
            }
        with self._store.tx() as db:
            conn = db.conn
            conn.execute(
                "INSERT OR REPLACE INTO transcription_state (session_id, model, language, status,"
                " done_ms, total_ms, options, updated_at) VALUES (?, ?, ?, 'running', ?, ?, ?, ?)",
                (
                    session_id,
                    model,
                    language,
                    int(from_ms),
                    int(total_ms),
                    json.dumps(options or {}, sort_keys=True),
                    now_iso(),
                ),
            )
            conn.execute(
                "UPDATE sessions SET status = 'transcribing', updated_at = ? WHERE id = ?",
                (now_iso(), session_id),
            )
        if previous is None:
            previous = _no_state(session_id, session.status, session.updated_at)
        return previous

    def restore_transcription(self, previous: TranscriptionState) -> None:
        """Undo ``begin_transcription`` when a run failed before writing anything."""
        status = previous.options.pop("_session_status", None)
        updated_at = previous.options.pop("_session_updated_at", None)
        with self._store.tx() as db:
            conn = db.conn
            if previous.status == "none":
                conn.execute(
                    "DELETE FROM transcription_state WHERE session_id = ?", (previous.session_id,)
                )
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO transcription_state (session_id, model, language,"
                    " status, done_ms, total_ms, options, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        previous.session_id,
                        previous.model,
                        previous.language,
                        previous.status,
                        previous.done_ms,
                        previous.total_ms,
                        json.dumps(previous.options, sort_keys=True),
                        previous.updated_at,
                    ),
                )
            if status is not None:
                conn.execute(
                    "UPDATE sessions SET status = ?, updated_at = coalesce(?, updated_at) "
                    "WHERE id = ?",
                    (status, updated_at, previous.session_id),
                )

    def add_transcribed(
        self,
        session_id: str,
        drafts: Iterable[Any],
        *,
        from_ms: int,
        done_ms: int,
        final: bool = False,
        language: str | None = None,
    ) -> tuple[list[Segment], int]:
        """Write the segments of one piece of audio and advance ``done_ms``, atomically.

        In the same transaction, untouched Whisper segments (nobody worked on them: see
        ``protected_segments``) starting in ``[from_ms, done_ms)`` -- or at/after ``from_ms``
        when ``final`` -- are removed: they are the output of an earlier run over the same
        audio. Segments holding someone's work are never removed.

        Args:
            session_id: the session (its state must exist: see ``begin_transcription``).
            drafts: ``SegmentDraft`` objects.
            from_ms: where this piece of audio starts.
            done_ms: the audio is transcribed up to here once this returns.
            final: this is the last piece (also remove old segments after ``done_ms``).
            language: the detected language, recorded when given.

        Each Whisper draft that names no model gets the run's (``begin_transcription``) as
        its ``model``.

        Returns:
            The new segments and how many old ones were removed.

        Raises:
            NotFoundError: the session has no transcription in progress.
        """
        with self._store.tx() as db:
            sets = "done_ms = ?, updated_at = ?"
            params: list[Any] = [int(done_ms), now_iso()]
            if language is not None:
                sets += ", language = ?"
                params.append(language)
            cursor = db.conn.execute(
                f"UPDATE transcription_state SET {sets} WHERE session_id = ?",
                (*params, session_id),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"Session {session_id} has no transcription in progress.")
            removed = self._remove_untouched(session_id, from_ms, None if final else done_ms)
            run = self._store.one(
                "SELECT model FROM transcription_state WHERE session_id = ?", (session_id,)
            )
            written = [_by_model(d, run[0] if run is not None else "") for d in drafts]
            return self._project.transcript.add_segments(session_id, written), removed

    def end_transcription(self, session_id: str, status: str) -> None:
        """Record how a transcription run ended.

        ``done`` also sets the session status to ``transcribed``; ``cancelled`` and ``failed``
        leave it ``transcribing`` (incomplete: a later run resumes from ``done_ms``).
        """
        if status not in TRANSCRIPTION_STATUSES:
            raise ValueError(f"unknown transcription status {status!r}")
        with self._store.tx() as db:
            db.conn.execute(
                "UPDATE transcription_state SET status = ?, updated_at = ? WHERE session_id = ?",
                (status, now_iso(), session_id),
            )
            if status == "done":
                db.conn.execute(
                    "UPDATE transcription_state SET done_ms = max(done_ms, total_ms) "
                    "WHERE session_id = ?",
                    (session_id,),
                )
                db.conn.execute(
                    "UPDATE sessions SET status = 'transcribed', updated_at = ? WHERE id = ?",
                    (now_iso(), session_id),
                )

    def _remove_untouched(self, session_id: str, from_ms: int, to_ms: int | None) -> int:
        conn = self._store.conn
        where = f"session_id = ? AND start_ms >= ? AND {_UNTOUCHED}"
        params: tuple[Any, ...] = (session_id, int(from_ms))
        if to_ms is not None:
            where += " AND start_ms < ?"
            params = (*params, int(to_ms))
        ids = [r[0] for r in conn.execute(f"SELECT id FROM segments WHERE {where}", params)]
        if not ids:
            return 0
        # (the full-text index is kept in sync by hand, as in Transcript)
        conn.execute(
            "INSERT INTO segments_fts (segments_fts, rowid, text) "
            f"SELECT 'delete', seq, {fold_search_sql('text')} FROM segments WHERE {where}",
            params,
        )
        conn.execute(f"DELETE FROM segments WHERE {where}", params)
        for segment_id in ids:
            self._store.tombstone("segments", segment_id)
        return len(ids)

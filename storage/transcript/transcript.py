"""Transcript segments: written, edited (their anchored spans moved along), deleted and read;
their cuts (``cuts``) and full-text search (``search``) are features of their own."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.core.anchors import LOST_FLAG, TextDiff, flag_lost, lost_span
from storage.core.errors import (
    ChangedMeanwhileError,
    InUseError,
    InvalidInputError,
    NotFoundError,
)
from storage.core.held_codings import release_held
from storage.core.ids import new_id, now_iso
from storage.core.languages import check_language_code
from storage.core.link_rows import follow_coding
from storage.core.model_names import TYPED_BY_HAND, shown_model_name
from storage.core.models import SEGMENT_ORIGINS, DeletionReport, SearchHit, Segment, Word
from storage.core.segment_rows import (
    EDITED_LANGUAGE,
    EDITED_TEXT,
    SEGMENT_COLUMNS,
    segment_from_row,
    words_kept_by,
)
from storage.core.segment_rows import words_from_json as _words_from_json
from storage.core.segment_rows import words_to_json as _words_json
from storage.core.store import Store
from storage.core.typed_back import typed_back
from storage.core.words import plural
from storage.transcript.cuts import SegmentCuts
from storage.transcript.search import TranscriptSearch

if TYPE_CHECKING:
    from storage.project import Project

#: where a moving span waits for a moment, past any text (see ``reanchor_spans``)
_PARKED = 1 << 40

_IDS_PER_QUERY = 500  # under SQLite's host parameter limit (999 in old builds)


@dataclass
class SegmentDraft:
    """A segment to be written: what a transcriber or a user provides."""

    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None
    confidence: float | None = None
    words: list[Word] = field(default_factory=list)
    origin: str = "whisper"
    language: str | None = None  # the language it was transcribed in (a Whisper code)
    untranscribed: bool = False  # speech that gave no text (a "speech without transcript")
    #: the model that wrote it (a name: a folder's path is cut to its name), ``TYPED_BY_HAND``
    #: for text a person typed, None when not known (imported); ``storage.core.model_names``.
    #: A hand-made segment (origin ``manual``) without one is typed by hand.
    model: str | None = None


def _check_draft(draft: SegmentDraft) -> None:
    if draft.start_ms < 0 or draft.end_ms < draft.start_ms:
        raise InvalidInputError(
            f"Invalid segment times {draft.start_ms}-{draft.end_ms} ms (start >= 0, end >= start)."
        )
    if draft.origin not in SEGMENT_ORIGINS:
        raise InvalidInputError(f"Unknown segment origin {draft.origin!r}.")
    if draft.language is not None:
        draft.language = check_language_code(draft.language)
    if draft.model is not None:
        draft.model = shown_model_name(draft.model)
    elif draft.origin == "manual":
        draft.model = TYPED_BY_HAND


class Transcript:
    """Segments of sessions and full-text search over them."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project
        self._cuts = SegmentCuts(store, self)
        self._search = TranscriptSearch(store)

    def rebuild_search_index(self) -> None:
        """Rebuild the full-text index from the segments table."""
        with self._store.tx() as db:
            db.conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")

    # ----------------------------------------------------------------- writing
    def add_segments(self, session_id: str, drafts: Iterable[SegmentDraft]) -> list[Segment]:
        """Write segments to a session in one transaction and return them."""
        if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None:
            raise NotFoundError(f"No session with id {session_id!r}.")
        ids = []
        with self._store.tx() as db:
            conn = db.conn
            for draft in drafts:
                _check_draft(draft)
                segment_id = new_id()
                stamp = self._store.stamp()
                cursor = conn.execute(
                    "INSERT INTO segments (id, session_id, start_ms, end_ms, speaker, text, origin,"
                    " confidence, words, edited, created_by, created_at, updated_at, language,"
                    " untranscribed, model)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
                    (
                        segment_id,
                        session_id,
                        int(draft.start_ms),
                        int(draft.end_ms),
                        draft.speaker,
                        draft.text,
                        draft.origin,
                        draft.confidence,
                        _words_json(draft.words),
                        stamp["created_by"],
                        stamp["created_at"],
                        stamp["updated_at"],
                        draft.language,
                        int(draft.untranscribed),
                        draft.model,
                    ),
                )
                assert cursor.lastrowid is not None
                self._store.fts_insert(cursor.lastrowid, draft.text)
                ids.append(segment_id)
        return [self.get_segment(i) for i in ids]

    def add_segment(
        self,
        session_id: str,
        start_ms: int,
        end_ms: int,
        text: str,
        *,
        speaker: str | None = None,
        origin: str = "manual",
    ) -> Segment:
        """Add one segment (by default a hand-made one)."""
        draft = SegmentDraft(start_ms, end_ms, text, speaker=speaker, origin=origin)
        return self.add_segments(session_id, [draft])[0]

    def update_segment(
        self,
        segment_id: str,
        *,
        text: str | None = None,
        speaker: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        clear_speaker: bool = False,
        language: str | None = None,
    ) -> Segment:
        """Edit a segment. A text or language change marks it ``edited`` (hand-corrected:
        ``EDITED_TEXT``, or ``EDITED_LANGUAGE`` for a segment whose text nobody changed).

        Typing text into a "speech without transcript" segment clears that flag; clearing a
        segment's text sets it (its speech is still there, now without transcript). ``language``
        (a Whisper code) corrects the language the segment is in; like a text correction it is
        a person's work, which a new transcription of the session keeps
        (``Transcription.protected_segments``).
        Span codings and redactions follow their words (``storage.core.anchors``); a coding
        whose words were deleted covers the whole segment and says so in its memo.
        """
        row = self._segment_row(segment_id)
        fields: dict[str, Any] = {}
        if text is not None and text != row["text"]:
            fields["text"] = text
            fields["edited"] = EDITED_TEXT
            if row["untranscribed"] and text.strip():
                fields["untranscribed"] = 0
                if not row["text"].strip():  # no model wrote any of it: a person typed it
                    fields["model"] = TYPED_BY_HAND
            elif not row["untranscribed"] and not text.strip():
                # text cleared (words nobody can make out): the speech is still there, so the
                # segment is "speech without transcript" again (flagged, exported as such)
                fields["untranscribed"] = 1
        if language is not None:
            code = check_language_code(language)
            if code != row["language"]:
                fields["language"] = code
                # the language alone: the text stays Whisper's (unless typed in, now or before)
                text_edited = row["edited"] == EDITED_TEXT or "edited" in fields
                fields["edited"] = EDITED_TEXT if text_edited else EDITED_LANGUAGE
        if speaker is not None or clear_speaker:
            fields["speaker"] = None if clear_speaker else speaker
            fields["speaker_edited"] = 1  # a speaker set by hand survives re-detection
        new_start = row["start_ms"] if start_ms is None else start_ms
        new_end = row["end_ms"] if end_ms is None else end_ms
        if new_start < 0 or new_end < new_start:
            raise InvalidInputError(f"Invalid segment times {new_start}-{new_end} ms.")
        if start_ms is not None:
            fields["start_ms"] = start_ms
        if end_ms is not None:
            fields["end_ms"] = end_ms
        if not fields:
            return segment_from_row(row)
        fields["updated_at"] = now_iso()
        with self._store.tx() as db:
            if "text" in fields:
                self._store.fts_delete(row["seq"], row["text"])
                self._store.fts_insert(row["seq"], fields["text"])
                self.reanchor_spans(segment_id, row["text"], fields["text"])
                # word timings keep only the words the new text still says
                words = _words_from_json(row["words"])
                kept = words_kept_by(fields["text"], words)
                if len(kept) != len(words):
                    fields["words"] = _words_json(kept)
            sets = ", ".join(f"{k} = ?" for k in fields)
            db.conn.execute(
                f"UPDATE segments SET {sets} WHERE id = ?", (*fields.values(), segment_id)
            )
            if "text" in fields:  # flagged codings whose words were typed back get them
                self.restore_typed_back(segment_id, row["text"], fields["text"])
            if "speaker" in fields:  # the timeline follows the hand
                self._project.speakers.turns.follow_segments(
                    db.conn,
                    [segment_id],
                    fields["speaker"],
                    fields["updated_at"],
                    previous=[row["speaker"]],
                )
        return self.get_segment(segment_id)

    def text_corrected(self, segment_id: str) -> bool:
        """Whether a person changed the segment's text (typed it, merged it, replaced names
        by pseudonyms): re-transcribing it would lose that. False for a segment whose only
        hand correction is its language (its text is Whisper's).

        Raises:
            NotFoundError: no such segment.
        """
        return int(self._segment_row(segment_id)["edited"]) == EDITED_TEXT

    def replace_transcription(
        self,
        segment_id: str,
        *,
        text: str,
        words: list[Word],
        confidence: float | None,
        language: str | None,
        language_by_hand: bool = False,
        was: Segment | None = None,
        model: str | None = None,
    ) -> Segment:
        """Put a new transcription of a segment's audio in its place (re-transcribe one segment).

        The segment keeps its id, times, speaker, codings and redactions (spans follow their
        words where the new text still has them). Empty ``text`` makes it "speech without
        transcript".

        Re-transcribing one segment is a person's deliberate action, so it never takes away
        the segment's protection from a re-transcription of the session: a segment marked
        ``edited`` stays marked (its language may be one a person set), and with
        ``language_by_hand`` a language other than the segment's own is a language correction
        that marks it, as ``update_segment(language=...)`` does. Either way the mark is then
        ``EDITED_LANGUAGE`` (the text is Whisper's: ``text_corrected`` is False). Otherwise the
        segment stays unmarked.

        Args:
            segment_id: the segment.
            text: the new text.
            words: its word timings.
            confidence: the mean word probability, when known.
            language: the language it was transcribed in (a Whisper code), or None.
            language_by_hand: a person chose ``language``.
            was: the segment as the re-transcription read it, seconds ago. Where its text,
                language or times are no longer those (a coder typed in it, set its language,
                split it meanwhile), nothing is written: the person's change is kept.
            model: the model that read it (its name; a folder's path is cut to its name),
                recorded as the segment's ``model``; None: not known (recorded so).

        Raises:
            NotFoundError: no such segment (deleted or merged meanwhile).
            ChangedMeanwhileError: ``was`` is not the segment any more.
        """
        code = None if language is None else check_language_code(language)
        stamp = now_iso()
        with self._store.tx() as db:
            row = self._segment_row(segment_id)  # read in the write's transaction
            if was is not None and _content(segment_from_row(row)) != _content(was):
                raise ChangedMeanwhileError(
                    "The segment was changed while it was being re-transcribed (its text, "
                    "language or times); the change is kept and the new reading was not "
                    "stored. Re-transcribe it again to replace it."
                )
            # the new text is Whisper's; a mark stays (its language may be a person's), as one
            # of the language alone
            corrected = bool(row["edited"]) or (language_by_hand and code != row["language"])
            self._store.fts_delete(row["seq"], row["text"])
            self._store.fts_insert(row["seq"], text)
            self.reanchor_spans(segment_id, row["text"], text)
            db.conn.execute(
                "UPDATE segments SET text = ?, words = ?, confidence = ?, language = ?,"
                " untranscribed = ?, edited = ?, updated_at = ?, model = ? WHERE id = ?",
                (
                    text,
                    _words_json(words),
                    confidence,
                    code,
                    int(not text.strip()),
                    EDITED_LANGUAGE if corrected else 0,
                    stamp,
                    None if model is None else shown_model_name(model),
                    segment_id,
                ),
            )
        return self.get_segment(segment_id)

    def reanchor_spans(
        self,
        segment_id: str,
        old_text: str,
        new_text: str,
        *,
        leave: frozenset[str] = frozenset(),
        only: frozenset[str] | None = None,
        mapper: Callable[[int, int], tuple[int, int] | None] | None = None,
        merged: bool = False,
        followed: dict[str, str] | None = None,
    ) -> tuple[int, int]:
        """Move span codings and redactions with their words from ``old_text`` to ``new_text``,
        inside the caller's transaction (``update_segment``, ``replace_transcription``, and a
        merge that takes a colleague's text). ``leave``: codings not to move (a merge brings
        their own version, anchored in the new text already). ``only``: move just these codings
        (a merge wrote them as a colleague anchored them, in ``old_text``, the colleague's text),
        and no redaction; the segment's other span codings, already in ``new_text``, stay put.

        A coding whose words were deleted stays on its segment as a whole-segment coding with a
        flag in its memo (``storage.core.anchors.LOST_FLAG``); when that coding already exists
        the span is removed instead (with a tombstone). A redaction whose words were deleted
        has nothing left to hide and is removed. ``mapper``: where a span of ``old_text`` is
        in ``new_text`` when that is known exactly (a bundle's text as this project exports
        it: pseudonyms, redactions), instead of the diff's guess. ``merged``: a merge shows
        ``new_text`` (a bundle's, or a conflict's newest side): a coding it removes goes here
        only, without a tombstone, so the coder's copy, whose text may hold its words, keeps
        it (a tombstone deleted it there, for good, before the lead decided on the text).
        ``followed``: where given, each coding removed because another stands for it now is
        noted there (removed id -> kept id): a merge's links to it arrive later.

        Returns the span codings whose words were deleted: (kept on the segment, flagged;
        gone into their coder's whole-segment coding of their code), for a merge's summary.
        """
        conn = self._store.conn
        diff = TextDiff(old_text, new_text)
        if not diff.changed:
            return 0, 0
        flagged = into_whole = 0
        place = mapper or diff.map_span
        stamp = now_iso()
        rows = [
            row
            for row in conn.execute(
                "SELECT id, code_id, coder, start_cp, end_cp, memo FROM codings "
                "WHERE segment_id = ? AND start_cp IS NOT NULL ORDER BY start_cp, id",
                (segment_id,),
            ).fetchall()
            if row[0] not in leave and (only is None or row[0] in only)
        ]
        moves: list[tuple[str, int | None, int | None, str | None]] = []
        #: the coding at each place (code, coder, span): one that lands there hands it its links
        taken: dict[tuple[str, str, int | None, int | None], str] = {}
        if only is not None:  # the codings that stay where they are keep their places
            taken = {
                (code_id, coder, start, end): coding_id
                for coding_id, code_id, coder, start, end in conn.execute(
                    "SELECT id, code_id, coder, start_cp, end_cp FROM codings "
                    "WHERE segment_id = ? AND start_cp IS NOT NULL",
                    (segment_id,),
                ).fetchall()
                if coding_id not in only
            }
        whole = {
            (r[0], r[1]): r[2]
            for r in conn.execute(
                "SELECT code_id, coder, id FROM codings WHERE segment_id = ? AND start_cp IS NULL",
                (segment_id,),
            ).fetchall()
        }
        for coding_id, code_id, coder, start, end, memo in rows:
            span = place(start, end)
            new_memo = memo
            if span is None:
                new_span: tuple[int | None, int | None] = (None, None)
                new_memo = flag_lost(memo, start, end, old_text[start:end])
            else:  # a span that is now the whole text stays a span: typed words stay outside it
                new_span = span
            key = (code_id, coder, *new_span)
            if key in taken or (new_span[0] is None and (code_id, coder) in whole):
                # the coding there stands for this one: it takes its links
                kept = taken.get(key) or whole[(code_id, coder)]
                follow_coding(self._store, coding_id, kept)
                if followed is not None:
                    followed[coding_id] = kept
                conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
                if not merged:
                    self._store.tombstone("codings", coding_id)
                into_whole += new_span[0] is None
                continue
            taken[key] = coding_id
            flagged += new_span[0] is None
            if new_span != (start, end) or new_memo != memo:
                moves.append((coding_id, *new_span, new_memo))
        # two steps, so a span never collides with one that has not moved yet
        for k, (coding_id, *_rest) in enumerate(moves):
            conn.execute(
                "UPDATE codings SET start_cp = ?, end_cp = ? WHERE id = ?",
                (_PARKED + 2 * k, _PARKED + 2 * k + 1, coding_id),
            )
        for coding_id, start_, end_, memo_ in moves:
            conn.execute(
                "UPDATE codings SET start_cp = ?, end_cp = ?, memo = ?, updated_at = ? "
                "WHERE id = ?",
                (start_, end_, memo_, stamp, coding_id),
            )
        if only is not None:
            return flagged, into_whole  # the project's redactions are in ``new_text`` already
        for red_id, start, end in conn.execute(
            "SELECT id, start_cp, end_cp FROM redactions WHERE segment_id = ?", (segment_id,)
        ).fetchall():
            span = diff.map_span(start, end, keep_any=True)
            if span is None:
                self._drop_redaction(red_id, segment_id, "the redacted words were deleted")
            elif span != (start, end):
                conn.execute(
                    "UPDATE redactions SET start_cp = ?, end_cp = ?, updated_at = ? WHERE id = ?",
                    (*span, stamp, red_id),
                )
        return flagged, into_whole

    def restore_typed_back(self, segment_id: str, old_text: str, new_text: str) -> int:
        """Give flagged codings of a segment their span back where the edit from ``old_text``
        to ``new_text`` (the segment's text now) typed their words back, inside the caller's
        transaction; how many (``storage.core.typed_back``: whole words the edit typed, the
        place nearest the flag's). The flag quotes the words and their old place; before, a
        lead typing them back by hand left the coding on the whole segment, flagged."""
        diff = TextDiff(old_text, new_text)
        places: dict[str, tuple[int, int]] = {}
        for coding_id, memo in self._store.conn.execute(
            "SELECT id, memo FROM codings WHERE segment_id = ? AND start_cp IS NULL "
            "AND substr(memo, 1, ?) = ?",
            (segment_id, len(LOST_FLAG), LOST_FLAG),
        ).fetchall():
            lost = lost_span(memo)
            place = None if lost is None else typed_back(diff, lost[2], lost[0])
            if place is not None:
                places[str(coding_id)] = place
        if not places:
            return 0
        return self.restore_lost_spans(segment_id, places=places, at_flag=False)

    def restore_lost_spans(
        self,
        segment_id: str,
        *,
        places: dict[str, tuple[int, int]] | None = None,
        were: dict[str, tuple[int, int, str | None, str]] | None = None,
        at_flag: bool = True,
    ) -> int:
        """Give flagged whole-segment codings of a segment their span back where its text holds
        their words at their places again, inside the caller's transaction; how many.

        A merge flags a colleague's span coding when the text shown has lost its words (the
        other side of a text conflict); the lead may then keep the colleague's own text, in
        which the words stand where they were coded (``storage.core.anchors.lost_span``). Only
        the very words at the very places count: never a span on other words. ``places``:
        where else a coding's words are known to stand in the text (a merged bundle's span of
        it, moved into this text), tried when the flag's own place does not hold them.
        ``were``: a coding's row as it was here before a merge flagged it (start, end, memo,
        version); restored to just that, it takes that version back rather than a new one (a
        new one went to the sender as an edit, which flagged it again: two versions a round).
        ``at_flag=False``: only ``places`` count (words typed back: ``restore_typed_back``).
        A whole-segment coding of the same code and coder whose place the flagged coding held
        (``storage.core.held_codings``) comes in with the span.
        """
        conn = self._store.conn
        text = self.get_segment(segment_id).text
        spans = {
            (r[0], r[1], r[2], r[3])
            for r in conn.execute(
                "SELECT code_id, coder, start_cp, end_cp FROM codings "
                "WHERE segment_id = ? AND start_cp IS NOT NULL",
                (segment_id,),
            ).fetchall()
        }
        restored = 0
        for coding_id, code_id, coder, memo in conn.execute(
            "SELECT id, code_id, coder, memo FROM codings "
            "WHERE segment_id = ? AND start_cp IS NULL ORDER BY id",
            (segment_id,),
        ).fetchall():
            lost = lost_span(memo)
            if lost is None:
                continue
            start, end, words, before = lost
            if not at_flag and coding_id not in (places or {}):
                continue
            if (text[start:end] != words or not at_flag) and coding_id in (places or {}):
                start, end = (places or {})[coding_id]
            if text[start:end] != words or (code_id, coder, start, end) in spans:
                continue
            was = (were or {}).get(coding_id)
            same = was is not None and (was[0], was[1], was[2] or None) == (
                start,
                end,
                before or None,
            )
            conn.execute(
                "UPDATE codings SET start_cp = ?, end_cp = ?, memo = ?, updated_at = ? "
                "WHERE id = ?",
                (start, end, before, was[3] if was is not None and same else now_iso(), coding_id),
            )
            spans.add((code_id, coder, start, end))
            release_held(conn, str(coding_id))
            restored += 1
        return restored

    def _drop_redaction(self, red_id: str, segment_id: str, reason: str) -> None:
        """Remove a redaction whose words are gone (tombstoned for bundles, logged with why),
        inside the caller's transaction."""
        self._store.conn.execute("DELETE FROM redactions WHERE id = ?", (red_id,))
        self._store.tombstone("redactions", red_id)
        self._project.audit.log_event(
            "unredact", "segment", segment_id, {"redaction_id": red_id, "reason": reason}
        )

    def delete_segment(
        self, segment_id: str, *, force: bool = False, removes_speech: bool = True
    ) -> DeletionReport:
        """Delete a segment; with codings only when ``force`` is given.

        Its redactions go with it (logged): the words they hid are deleted too. A person
        deleting a segment removes its speech from the transcript: its tombstone records the
        session and time span, and a new transcription of the session leaves out what it hears
        there (``Transcription.deleted_spans``); undoing the deletion forgets it.
        ``removes_speech=False`` (a transcript replaced by an import) records no span.
        """
        row = self._segment_row(segment_id)
        n = int(
            self._store.scalar("SELECT count(*) FROM codings WHERE segment_id = ?", (segment_id,))
        )
        if n and not force:
            raise InUseError(
                f"Segment {segment_id} has {plural(n, 'coding')}; use --force to delete "
                f"{'it' if n == 1 else 'them'}."
            )
        with self._store.tx() as db:
            for (coding_id,) in db.conn.execute(
                "SELECT id FROM codings WHERE segment_id = ?", (segment_id,)
            ).fetchall():
                self._store.tombstone("codings", coding_id)
            db.conn.execute("DELETE FROM codings WHERE segment_id = ?", (segment_id,))
            for (red_id,) in db.conn.execute(
                "SELECT id FROM redactions WHERE segment_id = ?", (segment_id,)
            ).fetchall():
                self._drop_redaction(red_id, segment_id, "the segment was deleted")
            self._store.fts_delete(row["seq"], row["text"])
            db.conn.execute("DELETE FROM segments WHERE id = ?", (segment_id,))
            speech = (row["session_id"], int(row["start_ms"]), int(row["end_ms"]))
            self._store.tombstone("segments", segment_id, speech if removes_speech else None)
        return DeletionReport(target=f"segment {segment_id}", removed={"codings": n})

    def split_segment(
        self, segment_id: str, at_cp: int, at_ms: int | None = None, *, move_codings: bool = False
    ) -> tuple[Segment, Segment]:
        """Split a segment at a code point (``SegmentCuts.split_segment``)."""
        return self._cuts.split_segment(segment_id, at_cp, at_ms, move_codings=move_codings)

    def merge_with_next(self, segment_id: str) -> Segment:
        """Merge a segment with the next one of its session (``SegmentCuts.merge_with_next``)."""
        return self._cuts.merge_with_next(segment_id)

    # ----------------------------------------------------------------- reading
    def _segment_row(self, segment_id: str) -> sqlite3.Row:
        row = self._store.one("SELECT * FROM segments WHERE id = ?", (segment_id,))
        if row is None:
            raise NotFoundError(f"No segment with id {segment_id!r}.")
        return row

    def get_segment(self, segment_id: str) -> Segment:
        """Return one segment or raise ``NotFoundError``."""
        return segment_from_row(self._segment_row(segment_id))

    def get_segments(self, segment_ids: Iterable[str]) -> dict[str, Segment]:
        """The segments with these ids, by id, in a few queries (ids not found are left out)."""
        wanted = list(dict.fromkeys(segment_ids))
        found: dict[str, Segment] = {}
        for first in range(0, len(wanted), _IDS_PER_QUERY):
            batch = wanted[first : first + _IDS_PER_QUERY]
            marks = ",".join("?" * len(batch))
            with self._store.mutex:
                cursor = self._store.conn.execute(
                    f"SELECT {SEGMENT_COLUMNS} FROM segments WHERE id IN ({marks})", batch
                )
                cursor.row_factory = None
                rows = cursor.fetchall()
            for row in rows:
                seg = segment_from_row(row)
                found[seg.id] = seg
        return found

    def segments(self, session_id: str) -> list[Segment]:
        """Return a session's segments in time order."""
        if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None:
            raise NotFoundError(f"No session with id {session_id!r}; list them with `sessions`.")
        with self._store.mutex:
            cursor = self._store.conn.execute(
                f"SELECT {SEGMENT_COLUMNS} FROM segments WHERE session_id = ? "
                "ORDER BY start_ms, seq",
                (session_id,),
            )
            cursor.row_factory = None  # plain tuples: about twice as fast as sqlite3.Row
            rows = cursor.fetchall()
        return [segment_from_row(r) for r in rows]

    def segment_count(self, session_id: str | None = None) -> int:
        """Count the segments of one session or of the project."""
        if session_id is None:
            return int(self._store.scalar("SELECT count(*) FROM segments"))
        return int(
            self._store.scalar("SELECT count(*) FROM segments WHERE session_id = ?", (session_id,))
        )

    # ----------------------------------------------------------------- search
    def search(
        self,
        query: str,
        *,
        limit: int | None = 100,
        session_id: str | None = None,
        language: str | None = None,
        forms: bool = False,
    ) -> list[SearchHit]:
        """Full-text search, best first (``TranscriptSearch.search``)."""
        return self._search.search(
            query, limit=limit, session_id=session_id, language=language, forms=forms
        )

    def search_ids(
        self,
        query: str,
        *,
        session_id: str | None = None,
        language: str | None = None,
        forms: bool = False,
    ) -> list[str]:
        """The ids of every segment ``search`` finds, in transcript order
        (``TranscriptSearch.search_ids``)."""
        return self._search.search_ids(query, session_id=session_id, language=language, forms=forms)


def _content(segment: Segment) -> tuple[str, str | None, int, int]:
    """What a re-transcription writes over, or reads from: text, language and times."""
    return segment.text, segment.language, segment.start_ms, segment.end_ms

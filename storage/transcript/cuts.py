"""Cutting a segment in two and joining it to the next: what its codings, redactions, words and
memos become (``Transcript.split_segment``, ``Transcript.merge_with_next``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from storage.core.errors import InvalidInputError
from storage.core.ids import new_id, now_iso
from storage.core.link_rows import follow_coding
from storage.core.meta import put_meta, read_meta, time_ranges_in
from storage.core.model_names import joined_models
from storage.core.models import TIME_RANGES_KEY, Segment
from storage.core.segment_rows import segment_from_row
from storage.core.segment_rows import words_from_json as _words_from_json
from storage.core.segment_rows import words_to_json as _words_json
from storage.core.store import Store

if TYPE_CHECKING:
    from storage.transcript.transcript import Transcript


class SegmentCuts:
    """Splits and merges of a project's segments, inside the transcript's transactions."""

    def __init__(self, store: Store, transcript: Transcript) -> None:
        self._store = store
        self._transcript = transcript

    def split_segment(
        self, segment_id: str, at_cp: int, at_ms: int | None = None, *, move_codings: bool = False
    ) -> tuple[Segment, Segment]:
        """Split a segment at a code point; the second part gets a new id.

        The split time is ``at_ms`` or, failing that, taken from the word timings or
        interpolated by character position. Whole-segment codings apply to both halves; span
        codings follow their text (a span across the cut is cut in two). With
        ``move_codings`` (a cut between speakers, not the coder's own split) no coding is
        copied: a whole-segment coding stays with the longer part, a span with the part that
        holds most of it. Either way a coding of a time range another tool coded follows its
        range (``_split_time_ranges``): it is on the part or parts the range overlaps.
        """
        row = self._transcript._segment_row(segment_id)
        seg = segment_from_row(row)
        if not 0 < at_cp < len(seg.text):
            raise InvalidInputError(f"Cannot split at {at_cp}: the text has {len(seg.text)} chars.")
        if at_ms is None:
            at_ms = _split_time(seg, at_cp)
        at_ms = max(seg.start_ms, min(seg.end_ms, at_ms))
        left_text, right_text = seg.text[:at_cp].rstrip(), seg.text[at_cp:].lstrip()
        shift = len(seg.text) - len(right_text)  # code points removed before the right part
        left_words = [w for w in seg.words if w.start_ms < at_ms]
        right_words = [w for w in seg.words if w.start_ms >= at_ms]
        new_id_ = new_id()
        with self._store.tx() as db:
            conn = db.conn
            stamp = self._store.stamp()
            cursor = conn.execute(
                "INSERT INTO segments (id, session_id, start_ms, end_ms, speaker, text, origin,"
                " confidence, words, edited, created_by, created_at, updated_at, language, model)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                (
                    new_id_,
                    seg.session_id,
                    at_ms,
                    seg.end_ms,
                    seg.speaker,
                    right_text,
                    seg.origin,
                    seg.confidence,
                    _words_json(right_words),
                    stamp["created_by"],
                    stamp["created_at"],
                    stamp["updated_at"],
                    seg.language,
                    seg.model,
                ),
            )
            assert cursor.lastrowid is not None
            self._store.fts_insert(cursor.lastrowid, right_text)
            times = (seg.start_ms, at_ms, seg.end_ms)
            if move_codings:
                lengths = (len(left_text), len(right_text))
                self._move_codings(segment_id, new_id_, at_cp, shift, lengths, times)
            else:
                self._split_codings(segment_id, new_id_, at_cp, shift, len(left_text))
            self._split_time_ranges(segment_id, new_id_, times, copied=not move_codings)
            self._split_redactions(segment_id, new_id_, at_cp, shift, len(left_text))
            self._transcript.update_segment(segment_id, text=left_text, end_ms=at_ms)
            conn.execute(
                "UPDATE segments SET words = ? WHERE id = ?", (_words_json(left_words), segment_id)
            )
        return self._transcript.get_segment(segment_id), self._transcript.get_segment(new_id_)

    def _split_redactions(
        self, left_id: str, right_id: str, at_cp: int, shift: int, left_len: int
    ) -> None:
        """Redactions follow their words into the part that holds them; one across the cut
        hides its words in both parts (the hidden words never show in either)."""
        conn = self._store.conn
        rows = conn.execute("SELECT * FROM redactions WHERE segment_id = ?", (left_id,)).fetchall()
        stamp = self._store.stamp()
        for r in rows:
            start, end = r["start_cp"], r["end_cp"]
            if end <= at_cp and start < left_len:  # in the left part: stays
                if end > left_len:
                    conn.execute(
                        "UPDATE redactions SET end_cp = ?, updated_at = ? WHERE id = ?",
                        (left_len, stamp["updated_at"], r["id"]),
                    )
                continue
            right = (max(0, start - shift), end - shift)
            if start >= min(at_cp, left_len):  # in the right part: moves there
                conn.execute(
                    "UPDATE redactions SET segment_id = ?, start_cp = ?, end_cp = ?, updated_at = ?"
                    " WHERE id = ?",
                    (right_id, *right, stamp["updated_at"], r["id"]),
                )
                continue
            conn.execute(  # across the cut: its left part stays, its right part is a new one
                "UPDATE redactions SET end_cp = ?, updated_at = ? WHERE id = ?",
                (min(end, left_len), stamp["updated_at"], r["id"]),
            )
            if right[1] > right[0]:
                conn.execute(
                    "INSERT INTO redactions (id, segment_id, start_cp, end_cp, category, destroyed,"
                    " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (new_id(), right_id, *right, r["category"], r["destroyed"],
                     stamp["created_by"], stamp["created_at"], stamp["updated_at"]),
                )  # fmt: skip

    def _split_codings(
        self, left_id: str, right_id: str, at_cp: int, shift: int, left_len: int
    ) -> None:
        conn = self._store.conn
        rows = conn.execute("SELECT * FROM codings WHERE segment_id = ?", (left_id,)).fetchall()
        # the left part ends where its text does: spaces before the cut are not kept, so a span
        # that starts in them has no words on the left (cut there, it was start = end: refused
        # by the table's CHECK, and the split failed), as ``_split_redactions`` reads them
        left_end = min(at_cp, left_len)
        for c in rows:
            start, end = c["start_cp"], c["end_cp"]
            right_span: tuple[int | None, int | None] | None = None
            if start is None:
                right_span = (None, None)
            elif end > at_cp:
                right_span = (max(0, start - shift), end - shift)
                if start < left_end:
                    conn.execute(
                        "UPDATE codings SET end_cp = ?, updated_at = ? WHERE id = ?",
                        (min(end, left_len), now_iso(), c["id"]),
                    )
            if right_span is not None and _nonempty(right_span):
                conn.execute(
                    "INSERT OR IGNORE INTO codings (id, segment_id, code_id, coder, start_cp,"
                    " end_cp, memo, created_by, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        new_id(),
                        right_id,
                        c["code_id"],
                        c["coder"],
                        right_span[0],
                        right_span[1],
                        c["memo"],
                        c["created_by"],
                        c["created_at"],
                        now_iso(),
                    ),
                )
            if start is not None and start >= left_end and end > at_cp:  # in the right: moved
                follow_coding(self._store, c["id"], _coding_at(conn, right_id, c, right_span))
                conn.execute("DELETE FROM codings WHERE id = ?", (c["id"],))
                self._store.tombstone("codings", c["id"])

    def _split_time_ranges(
        self, left_id: str, right_id: str, times: tuple[int, int, int], *, copied: bool
    ) -> None:
        """A coding of a time range another tool coded (``TIME_RANGES_KEY``) stays on the
        halves its range overlaps, on both splits (the coder's own and one between speakers):
        on both halves it has the range on each, on one half it is that half's; the coded
        stretch of the recording is what it was, and so is what an export writes. ``copied``:
        the right half's whole-segment codings are copies of the left's (``_split_codings``),
        not codings moved there (``_move_codings``, which leaves these on the left)."""
        ranges = _time_ranges(self._store.conn)
        if not ranges:
            return
        conn = self._store.conn
        changed = False
        for c in conn.execute(
            "SELECT * FROM codings WHERE segment_id = ? AND start_cp IS NULL", (left_id,)
        ).fetchall():
            span = ranges.get(c["id"])
            if span is None or not _follows_range(span, times):
                continue  # a range that fits neither any more: as any whole-segment coding
            start, at_ms, end = times
            on_left, on_right = _overlaps(span, start, at_ms), _overlaps(span, at_ms, end)
            twin = conn.execute(
                "SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND coder = ? "
                "AND start_cp IS NULL",
                (right_id, c["code_id"], c["coder"]),
            ).fetchone()
            if on_left and on_right:  # on both halves: the right one's coding has it too
                if twin is None:
                    twin_id = new_id()
                    conn.execute(
                        "INSERT INTO codings (id, segment_id, code_id, coder, start_cp, end_cp,"
                        " memo, created_by, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)",
                        (twin_id, right_id, c["code_id"], c["coder"], c["memo"],
                         c["created_by"], c["created_at"], now_iso()),
                    )  # fmt: skip
                else:
                    twin_id = twin["id"]
                ranges[twin_id] = span
                changed = True
            elif on_right and twin is not None and not copied:
                # the right half already has this code's coding (moved there): it stands
                # for this one, which goes
                ranges[twin["id"]] = ranges.pop(c["id"])
                changed = True
                follow_coding(self._store, c["id"], twin["id"])
                conn.execute("DELETE FROM codings WHERE id = ?", (c["id"],))
                self._store.tombstone("codings", c["id"])
            elif on_right:  # wholly in the right half: the coding is the right half's
                if twin is not None:  # the split's own copy
                    conn.execute("DELETE FROM codings WHERE id = ?", (twin["id"],))
                    changed = ranges.pop(twin["id"], None) is not None or changed
                conn.execute(
                    "UPDATE codings SET segment_id = ?, updated_at = ? WHERE id = ?",
                    (right_id, now_iso(), c["id"]),
                )
            elif twin is not None and copied:  # wholly in the left half: no copy
                conn.execute("DELETE FROM codings WHERE id = ?", (twin["id"],))
        if changed:
            _put_time_ranges(conn, ranges)

    def _move_codings(
        self,
        left_id: str,
        right_id: str,
        at_cp: int,
        shift: int,
        lengths: tuple[int, int],
        times: tuple[int, int, int],
    ) -> None:
        """Each coding goes to one part: whole-segment ones to the longer part, a span to the
        part holding most of it (clipped to that part's text). A whole-segment coding of a time
        range that overlaps a part stays where it is, for ``_split_time_ranges``: it follows
        its range. ``lengths``: the left and right parts' lengths in code points."""
        conn = self._store.conn
        left_len, right_len = lengths
        ranges = _time_ranges(conn)
        for c in conn.execute("SELECT * FROM codings WHERE segment_id = ?", (left_id,)).fetchall():
            start, end = c["start_cp"], c["end_cp"]
            if start is None:
                own = ranges.get(c["id"])
                if own is not None and _follows_range(own, times):
                    continue
                to_right = right_len > left_len
                span: tuple[int | None, int | None] = (None, None)
            else:
                to_right = (end - max(start, at_cp)) > (min(end, at_cp) - start)
                if to_right:
                    lo, hi = max(0, start - shift), min(right_len, end - shift)
                else:
                    lo, hi = start, min(end, left_len)
                # on its words, even all of the part's (words typed there later stay outside)
                span = (lo, hi) if lo < hi else (None, None)
            if not to_right:
                if span != (start, end):
                    conn.execute(
                        "UPDATE codings SET start_cp = ?, end_cp = ?, updated_at = ? WHERE id = ?",
                        (*span, now_iso(), c["id"]),
                    )
                continue
            clash = _coding_at(conn, right_id, c, span)
            if clash is None:  # the coding keeps its id: it moved, it was not copied
                conn.execute(
                    "UPDATE codings SET segment_id = ?, start_cp = ?, end_cp = ?, updated_at = ? "
                    "WHERE id = ?",
                    (right_id, *span, now_iso(), c["id"]),
                )
            else:
                follow_coding(self._store, c["id"], clash)
                conn.execute("DELETE FROM codings WHERE id = ?", (c["id"],))
                self._store.tombstone("codings", c["id"])

    def merge_with_next(self, segment_id: str) -> Segment:
        """Merge a segment with the next one of its session.

        Codings, redactions and memos of both are kept: the next one's move to the merged
        segment (spans shifted to where their words now are). A segment without words (speech
        without transcript) takes the next one's language with its words.
        """
        row = self._transcript._segment_row(segment_id)
        nxt = self._store.one(
            "SELECT * FROM segments WHERE session_id = ? AND (start_ms > ? OR "
            "(start_ms = ? AND seq > ?)) ORDER BY start_ms, seq LIMIT 1",
            (row["session_id"], row["start_ms"], row["start_ms"], row["seq"]),
        )
        if nxt is None:
            raise InvalidInputError("This is the last segment of the session; nothing to merge.")
        sep = " " if row["text"] and nxt["text"] else ""
        offset = len(row["text"]) + len(sep)
        merged_text = row["text"] + sep + nxt["text"]
        words = _words_from_json(row["words"]) + _words_from_json(nxt["words"])
        with self._store.tx() as db:
            conn = db.conn
            # all the words are the next one's: so is their language
            words_from_next = not row["text"].strip() and nxt["text"].strip()
            self._transcript.update_segment(
                segment_id,
                text=merged_text,
                end_ms=max(row["end_ms"], nxt["end_ms"]),
                language=nxt["language"] if words_from_next and nxt["language"] else None,
            )
            ranges = _time_ranges(conn)
            ranged = False  # a coding of a time range another tool coded was involved
            for c in conn.execute(
                "SELECT * FROM codings WHERE segment_id = ?", (nxt["id"],)
            ).fetchall():
                start = None if c["start_cp"] is None else c["start_cp"] + offset
                end = None if c["end_cp"] is None else c["end_cp"] + offset
                if start is None:
                    # a coding of a time range keeps it on the merged segment; one that the
                    # merged segment's coding of the same code stands for too keeps none
                    # unless both had the same (it codes both parts as FieldScribe holds them)
                    same = conn.execute(
                        "SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND "
                        "coder = ? AND start_cp IS NULL",
                        (segment_id, c["code_id"], c["coder"]),
                    ).fetchone()
                    theirs = ranges.get(c["id"])
                    if same is not None and ranges.get(same["id"]) != theirs:
                        ranged = ranges.pop(same["id"], None) is not None or ranged
                    elif same is None and theirs is not None:
                        moved = new_id()
                        ranges[moved] = ranges.pop(c["id"])
                        ranged = True
                        conn.execute(
                            "INSERT INTO codings (id, segment_id, code_id, coder, start_cp,"
                            " end_cp, memo, created_by, created_at, updated_at)"
                            " VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)",
                            (
                                moved,
                                segment_id,
                                c["code_id"],
                                c["coder"],
                                c["memo"],
                                c["created_by"],
                                c["created_at"],
                                now_iso(),
                            ),
                        )
                        follow_coding(self._store, c["id"], moved)
                        self._store.tombstone("codings", c["id"])
                        continue
                conn.execute(
                    "INSERT OR IGNORE INTO codings (id, segment_id, code_id, coder, start_cp,"
                    " end_cp, memo, created_by, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        new_id(),
                        segment_id,
                        c["code_id"],
                        c["coder"],
                        start,
                        end,
                        c["memo"],
                        c["created_by"],
                        c["created_at"],
                        now_iso(),
                    ),
                )
                # the coding on the merged segment (this one's copy, or the same one there)
                follow_coding(self._store, c["id"], _coding_at(conn, segment_id, c, (start, end)))
                self._store.tombstone("codings", c["id"])
            conn.execute("DELETE FROM codings WHERE segment_id = ?", (nxt["id"],))
            if ranged:
                _put_time_ranges(conn, ranges)
            # redactions and memos move (same ids): they refer to the segment that goes
            conn.execute(
                "UPDATE redactions SET segment_id = ?, start_cp = start_cp + ?,"
                " end_cp = end_cp + ?, updated_at = ? WHERE segment_id = ?",
                (segment_id, offset, offset, now_iso(), nxt["id"]),
            )
            conn.execute(
                "UPDATE memos SET target_id = ?, updated_at = ? "
                "WHERE target_type = 'segment' AND target_id = ?",
                (segment_id, now_iso(), nxt["id"]),
            )
            self._store.fts_delete(nxt["seq"], nxt["text"])
            conn.execute("DELETE FROM segments WHERE id = ?", (nxt["id"],))
            self._store.tombstone("segments", nxt["id"])
            # the text is both segments' (a part with no text wrote none of it)
            models = [r["model"] for r in (row, nxt) if r["text"].strip()] or [row["model"]]
            conn.execute(
                "UPDATE segments SET words = ?, model = ? WHERE id = ?",
                (_words_json(words), joined_models(*models), segment_id),
            )
        return self._transcript.get_segment(segment_id)


def _time_ranges(conn: Any) -> dict[str, tuple[int, int]]:
    """``{coding id: (begin ms, end ms)}``: the time ranges codings came with from another
    tool (``TIME_RANGES_KEY``, ``storage.interop.exchange_meta``)."""
    raw = read_meta(conn, "main", TIME_RANGES_KEY)
    try:
        return time_ranges_in(json.loads(raw)) if raw else {}
    except ValueError:
        return {}


def _put_time_ranges(conn: Any, ranges: dict[str, tuple[int, int]]) -> None:
    value = {k: list(v) for k, v in ranges.items()}
    put_meta(conn, TIME_RANGES_KEY, json.dumps(value, ensure_ascii=False, sort_keys=True))


def _follows_range(span: tuple[int, int], times: tuple[int, int, int]) -> bool:
    """Whether a coding of the time range ``span`` follows it through a split at ``times``
    (start, cut, end ms): the range overlaps either part."""
    start, at_ms, end = times
    return _overlaps(span, start, at_ms) or _overlaps(span, at_ms, end)


def _overlaps(span: tuple[int, int], start: int, end: int) -> bool:
    """Whether a time range overlaps ``start``-``end`` (a point range: lies within it)."""
    return start < max(span[1], span[0] + 1) and end > span[0]


def _split_time(seg: Segment, at_cp: int) -> int:
    """Estimate the time of a code-point position from word timings or by proportion.

    Each timed word is looked up in the text (words are stored without the spaces between
    them, and a coder's edits may have changed some): the cut falls at the start of the word found
    at it or after it, or after the last word found before it (words typed after the
    timed ones have no time of their own)."""
    if seg.words:
        pos = 0
        last_end: int | None = None
        for word in seg.words:
            found = seg.text.find(word.text.strip(), pos) if word.text.strip() else -1
            if found < 0:
                continue  # edited away: no place in the text
            pos = found + len(word.text.strip())
            if pos > at_cp:  # the cut is before this word or inside it
                return word.start_ms
            last_end = word.end_ms
        if last_end is not None:
            return last_end
    if not seg.text:
        return seg.start_ms
    return seg.start_ms + round((seg.end_ms - seg.start_ms) * at_cp / len(seg.text))


def _coding_at(
    conn: Any, segment_id: str, coding: Any, span: tuple[int | None, int | None] | None
) -> str | None:
    """The id of the coding of ``coding``'s code and coder at ``span`` of a segment; None when
    there is none (or no span)."""
    if span is None:
        return None
    row = conn.execute(
        "SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND coder = ? "
        "AND start_cp IS ? AND end_cp IS ?",
        (segment_id, coding["code_id"], coding["coder"], *span),
    ).fetchone()
    return None if row is None else str(row[0])


def _nonempty(span: tuple[int | None, int | None]) -> bool:
    start, end = span
    return start is None or end is None or end > start

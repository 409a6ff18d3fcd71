"""Codings of a segment deleted here whose words live on in our segments (merged into the
one before, or a new transcription of the same audio): where their words are now. Part of
``storage.team.merge_rows._Merge`` (``storage.team.merge_deletions``); ``Joined`` also serves
``storage.team.merge_spans``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from storage.core.anchors import TextDiff
from storage.team.merge_same_name import _next_version

if TYPE_CHECKING:
    from storage.team.merge_rows import _Merge


class Joined:
    """Segments read as one text (joined by a space), to find which of them holds a span."""

    def __init__(self, pieces: list[tuple[str, str]]) -> None:
        """``pieces``: (segment id, text), in reading order."""
        self.text = " ".join(text for _, text in pieces)
        self.offsets: list[tuple[int, str, int]] = []  # (start in the text, id, length)
        at = 0
        for segment_id, text in pieces:
            self.offsets.append((at, segment_id, len(text)))
            at += len(text) + 1

    def place(self, start: int, end: int) -> tuple[str, int | None, int | None] | None:
        """The segment holding ``[start, end)`` of the joined text and the span in it (a span
        even when it is all of that segment's text: words typed there later stay outside it);
        None when the span runs over two segments."""
        home = next((o for o in self.offsets if o[0] <= start and end <= o[0] + o[2]), None)
        if home is None:
            return None
        return home[1], start - home[0], end - home[0]


class _Retranscribed:
    """Our segments that overlap a segment deleted here (``follow_into_ours``), to find where
    the words of its codings are now.

    Times inside a segment are estimated from the position in its text (speech spread evenly
    over the segment's time): the old segment's words are looked for in our text estimated
    within its time range (its window, a quarter of its length wider either side)."""

    SLACK = 0.25  # of the window's length, either side: the estimate is rough

    def __init__(self, segment: dict[str, Any], pieces: list[tuple[int, int, str, str]]) -> None:
        """``pieces``: (start_ms, end_ms, segment id, text) of ours, in reading order."""
        self.old = str(segment["text"])
        self.window = (int(segment["start_ms"]), int(segment["end_ms"]))
        self.pieces = pieces
        self.joined = Joined([(pid, text) for _, _, pid, text in pieces])
        self._diff: TextDiff | None = None
        self._whole: int | None = None  # where the old text is, found once as it was; -1: not
        self._region: tuple[int, int] | None = None  # the old text's words in the window text

    def _ms(self, start: int, end: int) -> float:
        """The estimated time of the middle of ``[start, end)`` of our joined text."""
        middle = (start + end) / 2
        for (at, _pid, length), (s_ms, e_ms, _id, _text) in zip(
            self.joined.offsets, self.pieces, strict=True
        ):
            if middle <= at + length:
                return s_ms + (e_ms - s_ms) * max(0.0, middle - at) / max(1, length)
        return float(self.pieces[-1][1])

    def _at(self, ms: float) -> int:
        """The position in our joined text estimated to be spoken at ``ms``."""
        for (at, _pid, length), (s_ms, e_ms, _id, _text) in zip(
            self.joined.offsets, self.pieces, strict=True
        ):
            if ms <= s_ms:
                return at
            if ms <= e_ms:
                return at + round(length * (ms - s_ms) / max(1, e_ms - s_ms))
        return len(self.joined.text)

    def _window_text(self) -> tuple[int, int]:
        """Our text estimated within the old window (with its slack), on whole words."""
        s_ms, e_ms = self.window
        extra = (e_ms - s_ms) * self.SLACK
        text = self.joined.text
        lo, hi = self._at(s_ms - extra), self._at(e_ms + extra)
        while lo > 0 and text[lo - 1].isalnum():
            lo -= 1
        while hi < len(text) and text[hi].isalnum():
            hi += 1
        return lo, hi

    def find(self, start: int, end: int) -> tuple[str, int | None, int | None] | None:
        """Where old ``[start, end)`` is in our segments: (segment id, span; (None, None): all
        of it); None when not found, not clearly, or across two segments.

        The old text found once as it was places every coding as before. Otherwise our text
        of the old window is compared with the old text (``TextDiff``), which finds the words
        that are the old segment's now (its region: the old text followed by the anchoring's
        rules, so a reworded first or last word is left out). The coded words found there as
        they were, once, are followed; twice or more, they are a repeat nobody can tell apart
        (None). Not there as they were, they are followed through the diff (a typo fixed, an
        ending changed; never another word).
        """
        text = self.joined.text
        if self._whole is None:
            whole = [m.start() for m in re.finditer(re.escape(self.old), text)]
            self._whole = whole[0] if len(whole) == 1 else -1
        if self._whole >= 0:  # the old text as it was, once: the words are where they were
            return self.joined.place(self._whole + start, self._whole + end)
        words = self.old[start:end]
        if not words.strip():
            return None
        lo, hi = self._window_text()
        window = text[lo:hi]
        if self._diff is None:
            self._diff = TextDiff(self.old, window, in_place=False)
            self._region = self._diff.map_span(0, len(self.old))
        if self._region is None:
            return None  # none of the old segment's words is there
        r0, r1 = self._region
        found = [
            r0 + m.start()
            for m in re.finditer(re.escape(words), window[r0:r1])
            if not _glued(window, r0 + m.start(), r0 + m.end(), words)
        ]
        if len(found) > 1:
            return None  # said twice: ask, do not guess
        if found:
            return self.joined.place(lo + found[0], lo + found[0] + len(words))
        span = self._diff.map_span(start, end)
        if span is None or not (r0 <= span[0] and span[1] <= r1):
            return None
        return self.joined.place(lo + span[0], lo + span[1])


def _glued(text: str, start: int, end: int, words: str) -> bool:
    """Whether ``text[start:end]`` is part of a longer word (its letters run on past it)."""
    before = start > 0 and text[start - 1].isalnum() and words[:1].isalnum()
    after = end < len(text) and text[end].isalnum() and words[-1:].isalnum()
    return before or after


def follow_into_ours(m: _Merge, segment: dict[str, Any]) -> bool:
    """Put the bundle's new codings of a segment deleted here on our segments that hold its
    words now; True when every one of them found its words (then it is not brought back).

    A segment merged here into the one before it, or replaced by a new transcription of the
    same audio, is deleted here while its words live on in our segments of that time. A
    coder who coded it before sends codings on the old id. Our segments of its session that
    overlap its time are read as one text, and each coding's words (a whole-segment
    coding's: all its text) are looked up there (``_Retranscribed.find``): found once, they
    are followed; found more than once (a repeated phrase), the one whose estimated time is
    clearly nearest the old one is; not found as they were (reworded), the words are
    followed through the diff of the old text and ours, by the anchoring's rules (a typo
    fixed, an ending changed; never another word). A coding moves onto the one segment
    that holds its words, with its span. When any coding's words are not found so, or
    cross two of our segments, nothing moves and the segment comes back as a "Segment
    deleted by ..., still used by ..." conflict, as before: the lead decides. Each moved
    coding gets its bundle version plus one millisecond and keeps that version in its
    history, so the bundle merged again changes nothing.
    """
    conn = m.conn
    pieces = conn.execute(
        "SELECT start_ms, end_ms, seq, id, text FROM main.segments WHERE session_id = ? "
        "AND start_ms < ? AND end_ms > ? ORDER BY start_ms, seq",
        (segment["session_id"], segment["end_ms"], segment["start_ms"]),
    ).fetchall()
    if not pieces or not segment["text"]:
        return False
    here = _Retranscribed(segment, [(int(p[0]), int(p[1]), str(p[3]), str(p[4])) for p in pieces])
    cols = m._cols("codings")
    rows = conn.execute(
        f"SELECT {', '.join(cols)} FROM {m.b}.codings r WHERE r.segment_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM main.codings l WHERE l.id = r.id) "
        "AND NOT EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = 'codings' "
        "AND d.row_id = r.id) ORDER BY r.id",
        (segment["id"],),
    ).fetchall()
    moves: list[tuple[dict[str, Any], str, int | None, int | None]] = []
    for row in rows:
        coding = dict(zip(cols, tuple(row), strict=True))
        if not conn.execute(
            "SELECT 1 FROM main.codes WHERE id = ?", (coding["code_id"],)
        ).fetchone():
            return False  # its code was deleted here: it comes back with the segment
        start, end = coding["start_cp"], coding["end_cp"]
        placed = here.find(start or 0, len(segment["text"]) if end is None else end)
        if placed is None:
            return False
        moves.append((coding, *placed))
    for coding, part_id, new_start, new_end in moves:
        version = coding["updated_at"]
        moved = {
            **coding,
            "segment_id": part_id,
            "start_cp": new_start,
            "end_cp": new_end,
            "updated_at": _next_version(version),
        }
        if m._add_coding(cols, moved):
            author = m._author(m.b, "codings", coding["id"], version, m.opened.coder)
            m._record_version("codings", coding["id"], version, author)
            m.summary.table("codings").updated += 1
    return True

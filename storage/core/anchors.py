"""Where anchored spans go when a text is edited: a diff from the old text to the new one.

A span of code points (a coding, a redaction) is anchored to words. When the text changes
(typing in the editor, a conflict resolved, a merge), ``TextDiff(old, new).map_span(start, end)``
says where those words are now, or ``None`` when they were deleted, so the caller can keep the
anchored thing on its segment and flag it instead of moving it onto other words.

The diff first matches the words found exactly once in both texts, in order (patience diff),
then compares the stretches between them per character with ``difflib.SequenceMatcher``, so a
corrected typo keeps its span and a word glued to typed text is still found. An untouched word
that occurs once in each text is therefore always found again, wherever text was inserted or
deleted around it (``tests/test_anchors.py`` checks this on random edit sequences).

Nothing here touches the database.
"""

from __future__ import annotations

import bisect
import re
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w", re.UNICODE)

#: What a coding's memo starts with once the words it was anchored to were deleted.
LOST_FLAG = "\u2691 coded words deleted"

# opcode: (tag, old start, old end, new start, new end) in code points
Opcode = tuple[str, int, int, int, int]


def tokens(text: str) -> list[str]:
    """Split a text into words, runs of white space and single other characters."""
    return _TOKEN.findall(text)


def _unique_matches(
    a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Pairs (i, j) of tokens occurring once in ``a[alo:ahi]`` and once in ``b[blo:bhi]``,
    restricted to a longest increasing run (patience sorting)."""
    count_a: dict[str, int] = {}
    pos_a: dict[str, int] = {}
    for i in range(alo, ahi):
        t = a[i]
        count_a[t] = count_a.get(t, 0) + 1
        pos_a[t] = i
    count_b: dict[str, int] = {}
    pos_b: dict[str, int] = {}
    for j in range(blo, bhi):
        t = b[j]
        count_b[t] = count_b.get(t, 0) + 1
        pos_b[t] = j
    pairs = sorted(
        (pos_a[t], pos_b[t])
        for t, n in count_a.items()
        if n == 1 and count_b.get(t) == 1 and _WORD.match(t)
    )
    # longest increasing subsequence of the b positions (pairs sorted by a position)
    tails: list[int] = []  # index into pairs of the last element of a run of each length
    tail_js: list[int] = []
    prev: list[int] = [-1] * len(pairs)
    for k, (_i, j) in enumerate(pairs):
        n = bisect.bisect_left(tail_js, j)
        if n > 0:
            prev[k] = tails[n - 1]
        if n == len(tails):
            tails.append(k)
            tail_js.append(j)
        else:
            tails[n] = k
            tail_js[n] = j
    run: list[tuple[int, int]] = []
    k = tails[-1] if tails else -1
    while k >= 0:
        run.append(pairs[k])
        k = prev[k]
    run.reverse()
    return run


def diff_opcodes(old: str, new: str) -> list[Opcode]:
    """Character opcodes (``equal``, ``replace``, ``delete``, ``insert``) from old to new.

    Tokens found once in each text are matched first (in order); the stretches between them
    are compared per character, so a word glued to typed text is still found.
    """
    if old == new:
        return [("equal", 0, len(old), 0, len(new))] if old else []
    a, b = tokens(old), tokens(new)
    a_off = [0]
    for t in a:
        a_off.append(a_off[-1] + len(t))
    b_off = [0]
    for t in b:
        b_off.append(b_off[-1] + len(t))
    out: list[Opcode] = []

    def chars(o1: int, o2: int, n1: int, n2: int) -> None:
        if o1 == o2 and n1 == n2:
            return
        sm = SequenceMatcher(None, old[o1:o2], new[n1:n2], autojunk=False)
        for tag, p1, p2, q1, q2 in sm.get_opcodes():
            out.append((tag, o1 + p1, o1 + p2, n1 + q1, n1 + q2))

    i0 = j0 = 0
    for i, j in _unique_matches(a, b, 0, len(a), 0, len(b)):
        chars(a_off[i0], a_off[i], b_off[j0], b_off[j])
        out.append(("equal", a_off[i], a_off[i + 1], b_off[j], b_off[j + 1]))
        i0, j0 = i + 1, j + 1
    chars(a_off[i0], a_off[len(a)], b_off[j0], b_off[len(b)])
    return out


class TextDiff:
    """The edit from ``old`` to ``new`` text, for moving spans anchored in ``old``."""

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self.opcodes = diff_opcodes(old, new)

    @property
    def changed(self) -> bool:
        """Whether the text changed."""
        return self.old != self.new

    def map_span(self, start: int, end: int, *, keep_any: bool = False) -> tuple[int, int] | None:
        """The new ``[start, end)`` of an old span, or ``None`` when its words were deleted.

        Text inserted at either edge of the span stays outside it; text inserted inside, and
        characters replaced inside, belong to it. The words count as deleted when none of their
        letters is left, or when more of them were typed over than kept (a corrected typo or a
        shortened phrase keeps its span, a phrase typed over the coded one does not inherit it).
        With ``keep_any`` (redactions: better hide too much than too little) the span lives
        while any of it is left.
        """
        if not self.changed:
            return start, end
        new_start: int | None = None
        new_end: int | None = None
        kept = replaced = 0
        for tag, i1, i2, j1, j2 in self.opcodes:
            if i2 <= start or i1 >= end or tag in ("delete", "insert"):
                continue
            lo, hi = max(i1, start), min(i2, end)
            if tag == "equal":
                a, b = j1 + (lo - i1), j1 + (hi - i1)
                kept += _word_chars(self.old, lo, hi)
            else:  # replace: the replacement as a whole belongs to the span
                a, b = j1, j2
                replaced += _word_chars(self.old, lo, hi)
            if new_start is None:
                new_start = a
            new_end = b
        if new_start is None or new_end is None or new_end <= new_start:
            return None
        if keep_any:
            return new_start, new_end
        if _word_chars(self.old, start, end) and (
            kept == 0 or kept < replaced or _WORD.search(self.new, new_start, new_end) is None
        ):
            return None
        return new_start, new_end


def _word_chars(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end))


def flag_lost(memo: str | None, start: int, end: int) -> str:
    """A memo flagged for a coding whose words (``start:end`` of the old text) were deleted."""
    flag = f"{LOST_FLAG} (was characters {start}-{end}); now on the whole segment."
    if memo and memo.startswith(LOST_FLAG):
        return memo
    return flag if not memo else f"{flag}\n{memo}"


def is_flagged(memo: str | None) -> bool:
    """Whether a coding's memo carries the "coded words deleted" flag."""
    return bool(memo) and str(memo).startswith(LOST_FLAG)

"""Where anchored spans go when a text is edited: a diff from the old text to the new one.

A span of code points (a coding, a redaction) is anchored to words. When the text changes
(typing in the editor, a conflict resolved, a merge), ``TextDiff(old, new).map_span(start, end)``
says where those words are now, or ``None`` when they were deleted, so the caller can keep the
anchored thing on its segment and flag it instead of moving it onto other words.

The diff keeps the text both versions share at the start and at the end, then, in between,
matches the words found exactly once in both texts, in order (patience diff), and compares the
stretches between them per character with ``difflib.SequenceMatcher``, so a corrected typo
keeps its span and a word glued to typed text is still found; a plain per-character diff of
the middle is the second opinion, and the one that keeps more letters wins (see
``diff_opcodes``). ``tests/test_anchors.py`` checks on random edit sequences that an untouched
word is found where the edits put it.

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

# Texts longer than this (both together, code points) skip the second, whole-text diff: its
# cost grows with the product of the lengths. Transcript segments are far shorter.
_PLAIN_DIFF_MAX = 20_000
# The longest-common-subsequence diff fills a table of this many cells at most (~0.1 s).
_LCS_CELLS_MAX = 160_000

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

    The whole words both texts share at the start and at the end are equal as they stand
    (most edits touch one place). In between, tokens found once in each text are matched
    first (in order), and the stretches between them are compared per character, so a word
    glued to typed text is still found.

    A token unique in both texts can still be a false anchor: the "a" left of "and" once a
    full stop was typed into it, matched with a word "a" further on, drags every word between
    them into a deletion. So a second diff of the middle is computed too, and the one that
    keeps more letters wins. The second is the heaviest common subsequence of characters
    (letters count double) when the middle is small enough, else ``SequenceMatcher`` on the
    whole middle (it takes the longest common stretch first, which can be the wrong one of
    two repeats).
    """
    if old == new:
        return [("equal", 0, len(old), 0, len(new))] if old else []
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    while head and (inside_word(old, head) or inside_word(new, head)):
        head -= 1  # a word is kept whole or compared in the middle, never split
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    while tail and (inside_word(old, len(old) - tail) or inside_word(new, len(new) - tail)):
        tail -= 1
    o2, n2 = len(old) - tail, len(new) - tail
    middle = _anchored_opcodes(old, head, o2, new, head, n2)
    if (o2 - head) * (n2 - head) <= _LCS_CELLS_MAX:
        second = _lcs_opcodes(old, head, o2, new, head, n2)
    elif (o2 - head) + (n2 - head) <= _PLAIN_DIFF_MAX:
        second = _char_opcodes(old, head, o2, new, head, n2)
    else:
        second = middle
    if _kept_letters(old, second) > _kept_letters(old, middle):
        middle = second
    out: list[Opcode] = [("equal", 0, head, 0, head)] if head else []
    out += middle
    if tail:
        out.append(("equal", o2, len(old), n2, len(new)))
    return out


def inside_word(text: str, i: int) -> bool:
    """Whether position ``i`` falls between two letters of one word."""
    return 0 < i < len(text) and bool(_WORD.match(text, i - 1)) and bool(_WORD.match(text, i))


def _lcs_opcodes(old: str, o1: int, o2: int, new: str, n1: int, n2: int) -> list[Opcode]:
    """Opcodes of a heaviest common subsequence of ``old[o1:o2]`` and ``new[n1:n2]``: each
    matched character weighs 1, a matched letter 2."""
    a, b = old[o1:o2], new[n1:n2]
    n, m = len(a), len(b)
    weight = [2 if _WORD.match(c) else 1 for c in a]
    # best[i][j]: the heaviest common subsequence of a[i:] and b[j:]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below, ai, wi = best[i], best[i + 1], a[i], weight[i]
        for j in range(m - 1, -1, -1):
            if ai == b[j]:
                row[j] = below[j + 1] + wi
            else:
                row[j] = below[j] if below[j] >= row[j + 1] else row[j + 1]
    out: list[Opcode] = []
    i = j = i0 = j0 = 0

    def gap(i1: int, j1: int) -> None:
        if i1 > i0 or j1 > j0:
            tag = "replace" if i1 > i0 and j1 > j0 else "delete" if i1 > i0 else "insert"
            out.append((tag, o1 + i0, o1 + i1, n1 + j0, n1 + j1))

    while i < n and j < m:
        if a[i] == b[j] and best[i][j] == best[i + 1][j + 1] + weight[i]:
            gap(i, j)
            if out and out[-1][0] == "equal" and out[-1][2] == o1 + i and out[-1][4] == n1 + j:
                _tag, s1, _e1, t1, _e2 = out.pop()
                out.append(("equal", s1, o1 + i + 1, t1, n1 + j + 1))
            else:
                out.append(("equal", o1 + i, o1 + i + 1, n1 + j, n1 + j + 1))
            i, j = i + 1, j + 1
            i0, j0 = i, j
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    gap(n, m)
    return out


def _kept_letters(old: str, opcodes: list[Opcode]) -> int:
    return sum(_word_chars(old, i1, i2) for tag, i1, i2, _j1, _j2 in opcodes if tag == "equal")


def _char_opcodes(old: str, o1: int, o2: int, new: str, n1: int, n2: int) -> list[Opcode]:
    if o1 == o2 and n1 == n2:
        return []
    sm = SequenceMatcher(None, old[o1:o2], new[n1:n2], autojunk=False)
    return [(tag, o1 + p1, o1 + p2, n1 + q1, n1 + q2) for tag, p1, p2, q1, q2 in sm.get_opcodes()]


def _anchored_opcodes(old: str, o1: int, o2: int, new: str, n1: int, n2: int) -> list[Opcode]:
    """Opcodes of the patience diff of ``old[o1:o2]`` and ``new[n1:n2]``: unique tokens
    first, characters between them."""
    a, b = tokens(old[o1:o2]), tokens(new[n1:n2])
    a_off = [o1]
    for t in a:
        a_off.append(a_off[-1] + len(t))
    b_off = [n1]
    for t in b:
        b_off.append(b_off[-1] + len(t))
    out: list[Opcode] = []
    i0 = j0 = 0
    for i, j in _unique_matches(a, b, 0, len(a), 0, len(b)):
        out += _char_opcodes(old, a_off[i0], a_off[i], new, b_off[j0], b_off[j])
        out.append(("equal", a_off[i], a_off[i + 1], b_off[j], b_off[j + 1]))
        i0, j0 = i + 1, j + 1
    out += _char_opcodes(old, a_off[i0], a_off[len(a)], new, b_off[j0], b_off[len(b)])
    return out


class TextDiff:
    """The edit from ``old`` to ``new`` text, for moving spans anchored in ``old``."""

    def __init__(self, old: str, new: str, *, in_place: bool = True) -> None:
        """``in_place``: ``new`` is ``old`` edited, so a word typed over a coded word where it
        stood is that word corrected. False where ``new`` is another text of the same speech
        (a new transcription, its segments cut elsewhere): a word at the edge there is as
        likely the next segment's, and only the same word edited (``same_word_edited``)
        follows."""
        self.old = old
        self.new = new
        self._in_place = in_place
        self._opcodes: list[Opcode] | None = None

    @property
    def opcodes(self) -> list[Opcode]:
        """The character opcodes, computed when a span is first mapped (most edited segments
        have no span to move)."""
        if self._opcodes is None:
            self._opcodes = diff_opcodes(self.old, self.new)
        return self._opcodes

    @property
    def changed(self) -> bool:
        """Whether the text changed."""
        return self.old != self.new

    def map_span(self, start: int, end: int, *, keep_any: bool = False) -> tuple[int, int] | None:
        """The new ``[start, end)`` of an old span, or ``None`` when its words were deleted.

        Text inserted at either edge of the span stays outside it; text inserted inside, and
        characters replaced inside, belong to it. The words count as deleted when none of their
        letters is left, or when none of the words is left whole and more of their letters were
        typed over than kept (a corrected typo, a shortened phrase or a phrase with one word
        corrected keeps its span; a phrase typed over the coded one does not inherit it).
        With ``keep_any`` (redactions: better hide too much than too little) the span lives
        while any of it is left. Otherwise the span covers whole words of the new text: an
        edited word at its edge is covered all of it when it was typed over one of the span's
        own words, there ("альфа" corrected to "қала": a word Whisper misheard), or is that
        word edited (``same_word_edited``: "кала" and "қала" across the edge); a word made of
        the span's word and one outside it that is neither leaves the span.
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
            kept == 0
            or (kept < replaced and not self._a_word_copied(start, end))
            or _WORD.search(self.new, new_start, new_end) is None
        ):
            return None
        return self._whole_words(
            new_start,
            new_end,
            (start, end),
            left=not inside_word(self.old, start),
            right=not inside_word(self.old, end),
        )

    def _whole_words(
        self, new_start: int, new_end: int, old: tuple[int, int], *, left: bool, right: bool
    ) -> tuple[int, int] | None:
        """The mapped span on whole words of the new text, or None when none is left.

        A word at either edge that was edited (its letters are not all the old word's, or it
        runs past the mapped span) stays in the span, all of it, when it was typed over one
        word of the ``old`` span and nothing else (a transcript corrected: "альфа" to "қала",
        the same stretch of speech), or when ``same_word_edited`` says it is the old word(s)
        edited. Otherwise it leaves the span (one word made of a coded word and the next one,
        unlike either), and a span left with no word counts as deleted. So a span never covers
        part of a word. An edge that was inside a word already (a span made elsewhere, on
        part of a word) is left where the diff puts it (``left``/``right`` False).
        """
        new = self.new
        lo, hi = new_start, new_end
        while left:  # the first word: kept, or dropped for the next one
            word = _word_at(new, lo, hi)
            if word is None:
                return None
            if self._edge_word_kept(*word, lo, hi, old):
                lo, hi = min(lo, word[0]), max(hi, word[1]) if right else hi
                break
            lo = _skip_gap(new, word[1], hi)
        while right:  # the last word (the first, kept, stops this loop at the latest)
            word = _word_at(new, lo, hi, last=True)
            if word is None:
                return None
            if self._edge_word_kept(*word, lo, hi, old):
                return lo, max(hi, word[1])
            hi = _skip_gap(new, word[0], lo, back=True)
        return (lo, hi) if _WORD.search(new, lo, hi) else None

    def _edge_word_kept(self, ws: int, we: int, lo: int, hi: int, old: tuple[int, int]) -> bool:
        """Whether the new word ``[ws, we)`` at the span's edge stays in the span that was
        ``old`` in the old text: copied unchanged inside it, typed over one of its words
        alone, or the old word(s) edited."""
        if lo <= ws and we <= hi and self._copied(ws, we):
            return True  # inside the span and copied unchanged
        sources = self._source_words(ws, we)
        if self._in_place and len(sources) == 1:
            (a, b) = sources[0]
            if old[0] <= a and b <= old[1] and self._went_only_into(a, b, ws, we):
                return True  # one coded word, typed over by one word where it stood
        source = "".join(self.old[a:b] for a, b in sources)
        return bool(source) and same_word_edited(source, self.new[ws:we])

    def _went_only_into(self, a: int, b: int, ws: int, we: int) -> bool:
        """Whether everything the diff made of old ``[a, b)`` lies in new ``[ws, we)``."""
        for tag, i1, i2, j1, j2 in self.opcodes:
            if i2 <= a or i1 >= b:
                continue  # elsewhere (an insert inside the word is neither)
            if tag == "equal":
                j1, j2 = j1 + (max(i1, a) - i1), j1 + (min(i2, b) - i1)
            if j1 < ws or j2 > we:
                return False
        return True

    def _a_word_copied(self, start: int, end: int) -> bool:
        """Whether one word of old ``[start, end)`` at least is in the new text unchanged."""
        for m in re.finditer(r"\w+", self.old[start:end]):
            ws, we = start + m.start(), start + m.end()
            if inside_word(self.old, ws) or inside_word(self.old, we):
                continue  # part of a word the span cuts
            if any(t == "equal" and i1 <= ws and we <= i2 for t, i1, i2, _j1, _j2 in self.opcodes):
                return True
        return False

    def _copied(self, ws: int, we: int) -> bool:
        """Whether new ``[ws, we)`` is an unchanged copy of one old word."""
        for tag, i1, _i2, j1, j2 in self.opcodes:
            if tag == "equal" and j1 <= ws and we <= j2:
                o1 = i1 + (ws - j1)
                return not inside_word(self.old, o1) and not inside_word(self.old, o1 + we - ws)
        return False

    def _source_words(self, ws: int, we: int) -> list[tuple[int, int]]:
        """The old words (``[start, end)``, in order) the new ``[ws, we)`` was made from:
        those whose letters the diff keeps or replaces there; none when it was typed from
        nothing."""
        old = self.old
        starts: dict[int, int] = {}  # old word start -> end
        for tag, i1, i2, j1, j2 in self.opcodes:
            if j2 <= ws or j1 >= we or tag not in ("equal", "replace"):
                continue
            if tag == "equal":
                i1, i2 = i1 + (max(j1, ws) - j1), i1 + (min(j2, we) - j1)
            for m in _WORD.finditer(old, i1, i2):
                word = _word_at(old, m.start(), m.start() + 1)
                if word is not None:
                    starts[word[0]] = word[1]
        return sorted(starts.items())


def _word_at(text: str, lo: int, hi: int, *, last: bool = False) -> tuple[int, int] | None:
    """The whole word of ``text`` holding the first (``last``: the last) letter in
    ``[lo, hi)``, or None when there is no letter there."""
    if last:
        i = hi - 1
        while i >= lo and not _WORD.match(text, i):
            i -= 1
        if i < lo:
            return None
    else:
        i = lo
        while i < hi and not _WORD.match(text, i):
            i += 1
        if i >= hi:
            return None
    ws, we = i, i + 1
    while ws > 0 and _WORD.match(text, ws - 1):
        ws -= 1
    while we < len(text) and _WORD.match(text, we):
        we += 1
    return ws, we


def _skip_gap(text: str, at: int, limit: int, *, back: bool = False) -> int:
    """From ``at`` past the spaces and punctuation towards ``limit`` (left with ``back``)."""
    if back:
        while at > limit and not _WORD.match(text, at - 1):
            at -= 1
    else:
        while at < limit and not _WORD.match(text, at):
            at += 1
    return at


def _letters(word: str) -> str:
    return "".join(_WORD.findall(word.casefold()))


def same_word_edited(old: str, new: str) -> bool:
    """Whether ``new`` is plausibly the word ``old`` edited, not another word typed over it.

    Compared without case, spaces and punctuation ("in to" and "into" are one word), the two
    are the same word edited when a spell checker would take one for a typo of the other, the
    tolerance that search engines call fuzzy matching (Damerau-Levenshtein distance: none for
    words of one or two letters, one edit up to five letters, two from six on, counted on the
    longer word), or when one starts with the other and keeps at least three letters and half
    of the longer (an ending added or cut: "қала" and "қалада", "clinic" and "clinics").
    "альфа" and "қала" share three letters but are two words.
    """
    a, b = _letters(old), _letters(new)
    if a == b:
        return True
    if not a or not b:
        return False
    longer = max(len(a), len(b))
    short, long_ = sorted((a, b), key=len)
    if long_.startswith(short) and len(short) >= 3 and 2 * len(short) >= longer:
        return True
    allowed = 0 if longer <= 2 else 1 if longer <= 5 else 2
    return _edit_distance(a, b, allowed) <= allowed


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment) of ``a`` and ``b``; any value
    above ``limit`` stands for "more than ``limit``"."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


def _word_chars(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end))


def flag_lost(memo: str | None, start: int, end: int, words: str | None = None) -> str:
    """A memo flagged for a coding whose words (``start:end`` of the old text, ``words``) were
    deleted. The words are quoted, so the coder sees what was coded, and a text that holds them
    at those places again (a merge conflict resolved to the coder's own text) gets the span
    back (``lost_span``)."""
    said = f": \u201c{words}\u201d" if words else ""
    flag = f"{LOST_FLAG} (was characters {start}-{end}{said}); now on the whole segment."
    if memo and memo.startswith(LOST_FLAG):
        return memo
    return flag if not memo else f"{flag}\n{memo}"


_LOST = re.compile(
    re.escape(LOST_FLAG)
    + r" \(was characters (\d+)-(\d+): \u201c(.+?)\u201d\); now on the whole segment\."
    + r"(?:\n(.*))?\Z",
    re.DOTALL,
)


def lost_span(memo: str | None) -> tuple[int, int, str, str | None] | None:
    """The span a flagged coding lost, its words and the memo it had before the flag:
    ``(start, end, words, memo)``; None for a memo without the flag or without the words (a
    flag written before they were quoted)."""
    found = _LOST.match(memo or "")
    if found is None:
        return None
    return int(found[1]), int(found[2]), found[3], found[4]


def is_flagged(memo: str | None) -> bool:
    """Whether a coding's memo carries the "coded words deleted" flag."""
    return bool(memo) and str(memo).startswith(LOST_FLAG)


def unflagged(memo: str | None) -> str | None:
    """A flagged memo (``flag_lost``) as it was before the flag: a coding its coder applied to
    the whole segment on purpose is no longer one whose words were deleted."""
    if not is_flagged(memo):
        return memo
    lost = lost_span(memo)
    if lost is not None:
        return lost[3]
    rest = str(memo).split("\n", 1)
    return rest[1] if len(rest) > 1 else None

"""Pure text helpers of the privacy features: name matching, span rewriting, word alignment.

Nothing here touches the database, so every rule can be tested on plain strings.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storage.core.models import Word
from storage.privacy.inflect import inflected, possessive
from storage.privacy.names import contains_name, fold, name_spans

CONTEXT_CHARS = 30


@dataclass(frozen=True)
class Replacement:
    """Replace ``text[start:end]`` (original code points) with ``text``."""

    start: int
    end: int
    text: str


class RewrittenText:
    """A text after replacements, with a map from original to new code-point positions."""

    def __init__(self, original: str, replacements: Iterable[Replacement]) -> None:
        reps = _merge(replacements, len(original))
        parts: list[str] = []
        pos = 0
        # (original start, original end, new start, new end) of each replacement
        self._spans: list[tuple[int, int, int, int]] = []
        new_len = 0
        for rep in reps:
            parts.append(original[pos : rep.start])
            new_len += rep.start - pos
            self._spans.append((rep.start, rep.end, new_len, new_len + len(rep.text)))
            parts.append(rep.text)
            new_len += len(rep.text)
            pos = rep.end
        parts.append(original[pos:])
        self.text = "".join(parts)
        self.original = original
        self.replacements = reps
        self._starts = [s[0] for s in self._spans]

    @property
    def changed(self) -> bool:
        """Whether any replacement applied."""
        return bool(self.replacements)

    def _shift(self, cp: int, *, end: bool) -> int:
        i = bisect.bisect_right(self._starts, cp) - 1
        if i < 0:
            return cp
        o_start, o_end, n_start, n_end = self._spans[i]
        if cp >= o_end:
            return n_end + (cp - o_end)
        if cp == o_start:
            return n_start
        return n_end if end else n_start  # inside a replaced span

    def map_start(self, cp: int) -> int:
        """New position of a span start (inside a replaced span: the replacement's start)."""
        return self._shift(cp, end=False)

    def map_end(self, cp: int) -> int:
        """New position of a span end (inside a replaced span: the replacement's end)."""
        return self._shift(cp, end=True)

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span; the result is never empty when the input was not."""
        new_start, new_end = self.map_start(start), self.map_end(end)
        if end > start and new_end <= new_start:
            new_end = new_start + 1
        return new_start, new_end

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Where a ``[start, end)`` span of the new text lies in the original: a span on a
        replacement (a pseudonym, ``[PLACE]``) covers the words it replaced."""

        def back(cp: int, *, at_end: bool) -> int:
            shift = 0
            for o_start, o_end, n_start, n_end in self._spans:
                if cp < n_start or (at_end and cp == n_start):
                    break
                if cp < n_end or (not at_end and cp == n_end and n_end == n_start):
                    return o_end if at_end else o_start
                shift = o_end - n_end
            return cp + shift

        return back(start, at_end=False), back(end, at_end=True)

    def carry_edits(self, edited: str) -> str | None:
        """The original text with the edits that turned this rewritten text into ``edited``
        (a coder's corrections in a copy that reads pseudonyms and ``[PLACE]``): each stretch
        ``edited`` keeps reads as the original there, the name behind a pseudonym included;
        None where an edit touches a replacement (the coder changed the pseudonym itself)."""
        out: list[str] = []
        matcher = difflib.SequenceMatcher(None, self.text, edited, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                o1, o2 = self.original_span(i1, i2)
                out.append(self.original[o1:o2])
                continue
            for _o_start, _o_end, n_start, n_end in self._spans:
                if (i1 < n_end and n_start < i2) or n_start < i1 < n_end:
                    return None
            out.append(edited[j1:j2])
        return "".join(out)


def _merge(replacements: Iterable[Replacement], length: int) -> list[Replacement]:
    """Sort, clamp and merge overlapping replacements (the first one's text wins)."""
    reps = sorted(
        (
            Replacement(max(0, r.start), min(length, r.end), r.text)
            for r in replacements
            if r.end > r.start
        ),
        key=lambda r: (r.start, -r.end),
    )
    merged: list[Replacement] = []
    for rep in reps:
        if merged and rep.start < merged[-1].end:
            last = merged[-1]
            if rep.end > last.end:
                merged[-1] = Replacement(last.start, rep.end, last.text)
            continue
        merged.append(rep)
    return merged


def rewrite(text: str, replacements: Iterable[Replacement]) -> RewrittenText:
    """Apply replacements given in original positions (overlaps are merged)."""
    return RewrittenText(text, replacements)


# --------------------------------------------------------------------- names
# How a name is matched (Russian and Kazakh endings, folding) lives in ``storage.privacy.names``.


def _typed_start(blocks: Sequence[tuple[str, int, int, int, int]], cp: int) -> int:
    """Where a span starting at ``cp`` of the stored text starts in the typed text (``blocks``:
    difflib's opcodes): text typed just before it is not taken in; inside a changed part, the
    part's start."""
    for tag, i1, i2, j1, _j2 in blocks:
        if i1 <= cp < i2:
            return j1 + (cp - i1) if tag == "equal" else j1
    return blocks[-1][4] if blocks else 0


def _typed_end(blocks: Sequence[tuple[str, int, int, int, int]], cp: int) -> int:
    """Where a span ending at ``cp`` ends in the typed text (inside a changed part: its end)."""
    for tag, i1, i2, j1, j2 in blocks:
        if i1 < cp <= i2:
            return j1 + (cp - i1) if tag == "equal" else j2
    return 0


def rewrite_typed(stored: str, typed: str, replacements: Iterable[Replacement]) -> str:
    """Apply replacements made to a segment's stored text to text typed over it (a kept,
    unsaved correction of the segment: ``storage.transcript.unsaved``).

    Each span is carried onto the typed text through what the typing changed, then widened to
    whole words: text typed in place of a replaced span, over its edge or onto its words, is
    replaced with it (the typing may correct the very words a redaction destroys); words typed
    beside it stay. A span whose words the typing deleted replaces nothing. A typed text that
    still equals ``stored`` gets the segment's own result.
    """
    reps = _merge(replacements, len(stored))
    if not reps:
        return typed
    if typed == stored:
        return rewrite(stored, reps).text
    blocks = difflib.SequenceMatcher(None, stored, typed, autojunk=False).get_opcodes()
    moved = []
    for r in reps:
        start, end = _typed_start(blocks, r.start), _typed_end(blocks, r.end)
        if end <= start:
            continue  # deleted by the typing
        while start > 0 and typed[start - 1].isalnum():
            start -= 1
        while end < len(typed) and typed[end].isalnum():
            end += 1
        moved.append(Replacement(start, end, r.text))
    return rewrite(typed, moved).text


def classify(matched: str, real_name: str) -> str:
    """``exact``, ``case`` or ``inflected`` for a matched form of ``real_name``."""
    normal = " ".join(matched.split())
    if normal == real_name:
        return "exact"
    if normal.casefold() == real_name.casefold():
        return "case"
    return "inflected"


@dataclass(frozen=True)
class NameMatch:
    """One match of a mapping entry in a text."""

    start: int
    end: int
    matched: str
    real_name: str
    pseudonym: str
    replacement: str
    kind: str


#: Which of two matches of the same words wins: the name as written over another spelling of it
KIND_RANK = {"exact": 0, "case": 1, "inflected": 2}


def find_names(
    text: str,
    mapping: Sequence[tuple[str, str, Sequence[str]]],
    *,
    include_excepted: bool = False,
) -> list[NameMatch]:
    """Find every real name of ``mapping`` (real, pseudonym, rejected forms) in ``text``.

    Where matches overlap, the one covering more text wins, then the closer one (a name
    written as mapped over a form of another mapped name: with "Айгерим" and "Айгерім" both
    mapped, "Айгерім" is the second name, not an inflected form of the first), then the longer
    name. Inflected forms listed as rejected (casefolded) are left out unless
    ``include_excepted``.
    """
    every: list[NameMatch] = []
    folded = fold(text) if mapping else text
    for real, pseudonym, excepted in mapping:
        rejected = {e.casefold() for e in excepted}
        for start, core_end, end in name_spans(real, text, folded=folded):
            core = text[start:core_end]
            kind = classify(core, real)
            if kind == "inflected" and core.casefold() in rejected and not include_excepted:
                continue
            form = pseudonym
            if kind == "inflected":
                form = inflected(real, core, pseudonym, text[:start], text[end:])
                if contains_name(real, form):  # never write a form that reads as the name
                    form = pseudonym
            kept = possessive(real, form, core, text[core_end:end], pseudonym, text)
            every.append(
                NameMatch(
                    start,
                    end,
                    text[start:end],
                    real,
                    pseudonym,
                    form + kept,
                    kind,
                )
            )
    every.sort(key=lambda m: (m.start - m.end, KIND_RANK[m.kind], -len(m.real_name)))
    found: list[NameMatch] = []
    for match in every:
        if not any(match.start < m.end and match.end > m.start for m in found):
            found.append(match)
    return sorted(found, key=lambda m: m.start)


def context_of(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """The text around a span, the span in ``[...]``, elided with ``…`` at cut ends."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    return (
        ("…" if left else "")
        + text[left:start]
        + "["
        + text[start:end]
        + "]"
        + text[end:right]
        + ("…" if right < len(text) else "")
    )


def candidate_id(segment_id: str, start: int, end: int, matched: str) -> str:
    """A short id of a candidate that stays the same while the text does not change."""
    digest = hashlib.sha1(f"{segment_id}:{start}:{end}:{matched}".encode()).hexdigest()
    return "c" + digest[:10]


# --------------------------------------------------------------------- words and time
def word_char_spans(text: str, words: Sequence[Word]) -> list[tuple[int, int] | None]:
    """Where each timed word lies in ``text`` (None when it cannot be found, e.g. after edits).

    Words are searched in order, case-insensitively, each after the previous one.
    """
    folded = text.casefold()
    spans: list[tuple[int, int] | None] = []
    pos = 0
    for word in words:
        token = word.text.strip()
        if not token:
            spans.append(None)
            continue
        # Only look a little ahead, so that a dropped word does not swallow the rest.
        at = folded.find(token.casefold(), pos, pos + len(token) + 40)
        if at < 0:
            spans.append(None)
            continue
        spans.append((at, at + len(token)))
        pos = at + len(token)
    return spans


def audio_span(
    text: str,
    seg_start_ms: int,
    seg_end_ms: int,
    words: Sequence[Word],
    start_cp: int,
    end_cp: int,
    *,
    pad_ms: int = 120,
) -> tuple[int, int]:
    """The time span (ms) that speaks ``text[start_cp:end_cp]``.

    Uses the word timings when the words covering the span can be found in the text, else
    interpolates by code-point position over the segment. ``pad_ms`` is added on both sides
    (word timings are approximate; hiding a little more is the safe side).
    """
    hit: list[Word] = []
    spans = word_char_spans(text, words)
    for word, span in zip(words, spans, strict=True):
        if span is not None and span[0] < end_cp and span[1] > start_cp:
            hit.append(word)
    covered = _covered(spans, start_cp, end_cp)
    if hit and covered:
        begin = min(w.start_ms for w in hit)
        finish = max(w.end_ms for w in hit)
    else:
        length = max(1, len(text))
        duration = max(0, seg_end_ms - seg_start_ms)
        begin = seg_start_ms + (duration * start_cp) // length
        finish = seg_start_ms + -(-duration * end_cp // length)
    return max(0, begin - pad_ms), max(0, finish + pad_ms)


def _covered(spans: Sequence[tuple[int, int] | None], start: int, end: int) -> bool:
    """Whether the aligned words cover every letter of ``[start, end)`` that is not a space."""
    known = [s for s in spans if s is not None]
    if not known:
        return False
    cursor = start
    for s, e in sorted(known):
        if e <= cursor:
            continue
        if s > cursor:
            return False
        cursor = e
        if cursor >= end:
            return True
    return cursor >= end


def rewrite_words(
    text: str,
    words: Sequence[Word],
    rewritten: RewrittenText,
    *,
    drop_ms: Sequence[tuple[int, int]] = (),
    placeholder: str | None = None,
) -> list[Word]:
    """Carry a text rewrite over to the word timings.

    A word overlapping a replaced span takes the replacement text (the first such word keeps
    its timing start, the last one's end). Without ``drop_ms``, a word that cannot be placed in
    the text stays when nothing was replaced or the new text still says it, and goes otherwise
    (it may be a replaced name); with ``drop_ms``, such words and words overlapping one of those
    time spans are replaced by ``placeholder`` (merged into one timed word) so no trace of the
    old text stays in the timings.
    """
    spans = word_char_spans(text, words)
    said = {token.casefold() for token in rewritten.text.split()}
    result: list[Word] = []
    used: set[int] = set()  # replacements already given to a word
    for word, span in zip(words, spans, strict=True):
        in_drop = any(word.start_ms < e and word.end_ms > s for s, e in drop_ms)
        lead = word.text[: len(word.text) - len(word.text.lstrip())]
        if span is None or in_drop:
            if not drop_ms and span is None:
                # unplaced (an edit moved it out of reach), outside any destroyed span: left
                # when nothing was replaced or the new text still says it; else it may be a
                # replaced name (a long phrase typed in before "Айгуль" kept it in the words)
                if not rewritten.replacements or word.text.strip().casefold() in said:
                    result.append(word)
                continue
            _append_merged(
                result, Word(word.start_ms, word.end_ms, lead + (placeholder or ""), None)
            )
            continue
        overlapping = [
            i
            for i, rep in enumerate(rewritten.replacements)
            if rep.start < span[1] and rep.end > span[0]
        ]
        if not overlapping:
            result.append(word)
            continue
        new_start = min(
            rewritten.map_start(span[0]),
            *(rewritten.map_start(rewritten.replacements[i].start) for i in overlapping),
        )
        new_end = max(
            rewritten.map_end(span[1]),
            *(rewritten.map_end(rewritten.replacements[i].end) for i in overlapping),
        )
        if all(i in used for i in overlapping):
            # Same replacement as the previous word: extend that word's timing.
            if result:
                last = result[-1]
                result[-1] = Word(
                    last.start_ms, max(last.end_ms, word.end_ms), last.text, last.probability
                )
            continue
        used.update(overlapping)
        result.append(
            Word(word.start_ms, word.end_ms, lead + rewritten.text[new_start:new_end], None)
        )
    return result


def _append_merged(result: list[Word], word: Word) -> None:
    if result and result[-1].probability is None and result[-1].text == word.text:
        last = result[-1]
        result[-1] = Word(last.start_ms, max(last.end_ms, word.end_ms), last.text, None)
    else:
        result.append(word)

"""Which speech the decoded words cover: speech Whisper skipped or stopped early in is found and
decoded again, repeats of the first pass are left out, and the words of stretches decoded in
another language are taken out."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import guards
from .identify import within
from .stream import SAMPLE_RATE, pack_pieces

MISSED_MIN_S = 1.5  # speech left without words this long is decoded again
_WORD_MARGIN_S = 0.25


def word_spans(decoded: list[Any]) -> list[tuple[float, float]]:
    """The (start, end) seconds of every decoded word, sorted (a segment without words: its own)."""
    spans: list[tuple[float, float]] = []
    for seg in decoded:
        words = seg.words or []
        if words:
            spans.extend((float(w.start), float(w.end)) for w in words)
        elif str(seg.text).strip():
            spans.append((float(seg.start), float(seg.end)))
    spans.sort()
    return spans


def uncovered_pieces(
    chunks: list[dict[str, int]], covered: list[tuple[float, float]], *, whole: bool = True
) -> list[list[dict[str, int]]]:
    """Speech of the chunks that no decoded word covers, packed into pieces like ``pack_pieces``.

    Words are widened by a quarter of a second each side (word timings are approximate). Where
    at least ``MISSED_MIN_S`` of a chunk is left without words, Whisper stopped early or skipped
    a sentence: the whole chunk is taken again when at most half of it is covered (and
    ``whole``), else only the spans without words (each at least ``MISSED_MIN_S`` long).
    """
    least = MISSED_MIN_S * SAMPLE_RATE
    missed: list[dict[str, int]] = []
    for chunk in chunks:
        free = free_spans(chunk, covered)
        uncovered = sum(b - a for a, b in free)
        if uncovered < least:
            continue
        if whole and _taken_whole(chunk, uncovered):
            missed.append(dict(chunk))
        else:
            missed.extend({"start": round(a), "end": round(b)} for a, b in free if b - a >= least)
    return pack_pieces(missed)


def mostly_uncovered(chunk: dict[str, int], covered: list[tuple[float, float]]) -> bool:
    """Whether ``uncovered_pieces`` takes this chunk again whole (half of it or more without
    words)."""
    uncovered = sum(b - a for a, b in free_spans(chunk, covered))
    return uncovered >= MISSED_MIN_S * SAMPLE_RATE and _taken_whole(chunk, uncovered)


def _taken_whole(chunk: dict[str, int], uncovered: float) -> bool:
    """A chunk with ``uncovered`` samples without words is decoded again whole (half of it or
    more: Whisper skipped or stopped, and the words it has may be misplaced)."""
    return uncovered * 2 >= chunk["end"] - chunk["start"]


def free_spans(
    chunk: dict[str, int], covered: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The (start, end) samples of a chunk that no word covers (words are widened by
    ``_WORD_MARGIN_S`` each side; ``covered`` holds sorted (start, end) seconds)."""
    margin = _WORD_MARGIN_S * SAMPLE_RATE
    pos = float(chunk["start"])
    free: list[tuple[float, float]] = []
    for start_s, end_s in covered:
        start, end = start_s * SAMPLE_RATE - margin, end_s * SAMPLE_RATE + margin
        if end <= pos:
            continue
        if start >= chunk["end"]:
            break
        if start > pos:
            free.append((pos, start))
        pos = max(pos, end)
    if pos < chunk["end"]:
        free.append((pos, float(chunk["end"])))
    return free


def not_repeated(
    again: list[Any],
    decoded: list[Any],
    near_s: float = 10.0,
    hear: Callable[[float, float], list[guards.WordT]] | None = None,
) -> list[Any]:
    """The segments of a retry, less those whose words the first pass already has nearby.

    Word timings of a piece where Whisper skipped something are unreliable, so a repeat is
    recognised by its text: the retried words, in order, among the first pass's words within
    ``near_s`` seconds. But a person may say a sentence twice and Whisper write it once: a
    retry is kept when ``hear``, decoding the stretch under the first pass's words alone, reads
    them there too (``guards.heard_as``): the words were said at both places.
    """
    tokens = sorted(
        (
            (float(w.start), token, i, w)
            for i, w in enumerate(w for seg in decoded for w in seg.words or [])
            for token in guards.normalise(str(w.word)).split()
        ),
        key=lambda t: (t[0], t[2]),
    )
    kept = []
    for seg in again:
        said = guards.normalise(str(seg.text)).split()
        lo, hi = float(seg.start) - near_s, float(seg.end) + near_s
        near = [(token, i, w) for start, token, i, w in tokens if lo <= start <= hi]
        at = _found_at([token for token, _, _ in near], said)
        if at is None or (hear is not None and _said_there(seg, near[at : at + len(said)], hear)):
            kept.append(seg)
    return kept


def _found_at(tokens: list[str], said: list[str]) -> int | None:
    """Where ``said`` (not empty) first lies in ``tokens``, word for word; None if nowhere."""
    if not said:
        return None
    for at in range(len(tokens) - len(said) + 1):
        if tokens[at : at + len(said)] == said:
            return at
    return None


def _said_there(
    retry: Any,
    found: list[tuple[str, int, Any]],
    hear: Callable[[float, float], list[guards.WordT]],
) -> bool:
    """Whether the first pass's words a retry repeats are heard there when their stretch is
    decoded alone (``not_repeated``), apart from the retry's own time: words the retry places
    where the first pass has them are the same saying, whatever the hearing reads."""
    words = list({i: w for _, i, w in found}.values())
    if float(retry.start) < float(words[-1].end) and float(words[0].start) < float(retry.end):
        return False
    first = guards.timed_words(words)
    return guards.heard_as(first, hear(first[0].start, first[-1].end))


def without_words_in(decoded: list[Any], chunks: list[dict[str, int]]) -> list[Any]:
    """The decoded segments without the words inside ``chunks`` (a segment left without any
    is dropped): those stretches are decoded in another language."""

    def inside(seg_or_word: Any) -> bool:
        return any(within(seg_or_word, c) for c in chunks)

    out = []
    for seg in decoded:
        words = seg.words or []
        if not words:
            if not inside(seg):
                out.append(seg)
            continue
        kept = [w for w in words if not inside(w)]
        if len(kept) == len(words):
            out.append(seg)
        elif kept:
            part = copy.copy(seg)
            part.words, part.text = kept, "".join(str(w.word) for w in kept)
            part.start, part.end = kept[0].start, kept[-1].end
            out.append(part)
    return out

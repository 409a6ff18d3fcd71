"""Decoded pieces turned into segment drafts: guarded, split into sentence-like segments, made
to follow one another, and speech left without text kept as "speech without transcript"
placeholders."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from storage.core.models import Word
from storage.transcript.transcript import SegmentDraft

from . import guards
from .coverage import free_spans
from .languages import why_dropped
from .stream import SAMPLE_RATE

#: what decodes a stretch of the window alone (start, end in seconds): its words
Hear = Callable[[float, float], list[guards.WordT]]


def to_drafts(
    seg: Any,
    speech: list[tuple[float, float]],
    offset_ms: int,
    dropped: list[str],
    language: str | None = None,
    hear: Hear | None = None,
) -> list[SegmentDraft]:
    """Turn one decoded piece into guarded, sentence-like segment drafts in ``language``.

    A phrase written again right after itself is a decoder's loop unless ``hear``, decoding
    the copy's own stretch alone, hears it said again (``said_again_parts``): then each copy is
    guarded on its own, so a sentence a person repeated is neither collapsed into one nor,
    through the repetition, takes the whole piece with it as "repetitive"."""
    words = plausible_times(guards.timed_words(seg.words or []))
    kept = guards.cut_loop(words)
    if len(kept) < len(words):
        dropped.append(f"loop: {''.join(w.word for w in words[len(kept) :])[:60]}")
    if not words:
        text = guards.cut_loop_text(str(seg.text)).strip()
        whole = guards.Candidate(
            text, float(seg.start), float(seg.end), seg.avg_logprob, seg.no_speech_prob
        )
        why = why_dropped(whole, speech, language)
        if why is not None:
            dropped.append(f"{why}: {text[:60]}")
            return []
        start, end = round(float(seg.start) * 1000), round(float(seg.end) * 1000)
        return [
            SegmentDraft(offset_ms + start, offset_ms + max(start, end), text, language=language)
        ]
    drafts = []
    for part in said_again_parts(kept, hear):
        drafts.extend(_part_drafts(seg, part, speech, offset_ms, dropped, language))
    return drafts


#: a word lasts at most this long, plus ``WORD_LETTER_S`` a letter: Whisper stretches the words
#: either side of speech it does not write over it. Russian with real Kazakh after it and no pause
#: came out as one Russian segment, "...на русском». Зимой..." with "русском»." 2.34 s long and
#: "Зимой" 2.68 s: the Kazakh between them was covered by them, and no placeholder was left
WORD_BASE_S = 0.5
WORD_LETTER_S = 0.15


def plausible_times(words: list[guards.WordT]) -> list[guards.WordT]:
    """The words, each one longer than its letters allow (``WORD_BASE_S`` and ``WORD_LETTER_S``)
    cut to that length: a word that begins a sentence (the first, or one after a sentence's end)
    keeps its end (Whisper began it early, over speech before it), any other keeps its start
    (it ran on over speech after it). The speech it no longer covers is left to the
    placeholders (``placeholders``), like any speech without words."""
    out = []
    for i, w in enumerate(words):
        longest = WORD_BASE_S + WORD_LETTER_S * sum(ch.isalnum() for ch in w.word)
        if w.end - w.start <= longest:
            out.append(w)
        elif i == 0 or guards.ends_sentence(words[i - 1].word):
            out.append(guards.WordT(w.end - longest, w.end, w.word, w.probability))
        else:
            out.append(guards.WordT(w.start, w.start + longest, w.word, w.probability))
    return out


def said_again_parts(words: list[guards.WordT], hear: Hear | None) -> list[list[guards.WordT]]:
    """The words in parts, a new one at each copy of a phrase (``guards.later_copies``) that
    its own stretch, decoded alone by ``hear``, reads again (``guards.heard_as``); the first
    copy not heard again ends the search (a loop goes on from there). One part at least (the
    words, perhaps none)."""
    if hear is None:
        return [words]
    starts = [0]
    for start, length in guards.later_copies(words):
        copy = words[start : start + length]
        if not guards.heard_as(copy, hear(copy[0].start, copy[-1].end)):
            break
        starts.append(start)
    return [words[a:b] for a, b in itertools.pairwise([*starts, len(words)])]


def _part_drafts(
    seg: Any,
    words: list[guards.WordT],
    speech: list[tuple[float, float]],
    offset_ms: int,
    dropped: list[str],
    language: str | None,
) -> list[SegmentDraft]:
    """``to_drafts`` for one part of a decoded piece's words."""
    collapsed = guards.collapse_repeats(words)
    text = "".join(w.word for w in collapsed).strip()
    whole = guards.Candidate(
        text, float(seg.start), float(seg.end), seg.avg_logprob, seg.no_speech_prob, collapsed
    )
    why = why_dropped(whole, speech, language)
    if why is not None:
        dropped.append(f"{why}: {text[:60]}")
        return []
    drafts = []
    for piece in split_sentences(collapsed):
        piece_text = "".join(w.word for w in piece).strip()
        cand = guards.Candidate(
            piece_text, piece[0].start, piece[-1].end, seg.avg_logprob, seg.no_speech_prob, piece
        )
        why = guards.rejection(cand, speech, language)
        if why is not None:
            dropped.append(f"{why}: {piece_text[:60]}")
            continue
        drafts.append(_draft(piece, piece_text, offset_ms, language))
    return drafts


def split_sentences(
    words: list[guards.WordT], *, pause_s: float = 1.0, sentence_pause_s: float = 0.3
) -> list[list[guards.WordT]]:
    """Split words into segments at long pauses, and at sentence ends followed by a pause.

    A word glued to the one before it (``_glued``: "-м" of "көзің-м") never starts a segment,
    and words Whisper placed at one instant (no duration: it could not align them, typically
    at the end of a piece, after a pause) are no segment of their own: they join the words
    before them (the first piece: after them), placed where those end (start). A fragment of
    no length was once stored inside the next turn's segment (espeak-ng kk.wav: "-м").
    """
    pieces: list[list[guards.WordT]] = []
    current: list[guards.WordT] = []
    for word in words:
        if current and not _glued(word.word):
            gap = word.start - current[-1].end
            long_piece = word.start - current[0].start > 12.0
            ends = guards.ends_sentence(current[-1].word)
            if gap >= pause_s or (ends and (gap >= sentence_pause_s or long_piece)):
                pieces.append(current)
                current = []
        current.append(word)
    if current:
        pieces.append(current)
    return _instants_joined(pieces)


def _glued(word: str) -> bool:
    """Whether a word of Whisper's continues the one before it: it starts with a hyphen or a
    mark ("-м", ","), not a space or a letter (languages written without spaces start words
    with a letter)."""
    first = word[:1]
    return bool(first) and not first.isspace() and not first.isalnum()


def _instants_joined(pieces: list[list[guards.WordT]]) -> list[list[guards.WordT]]:
    """The pieces, each one of no duration joined to the piece before it (the first: to the
    one after it), its words placed at that piece's end (start)."""
    out: list[list[guards.WordT]] = []
    for piece in pieces:
        if out and piece[-1].end <= piece[0].start:
            at = out[-1][-1].end
            out[-1] = out[-1] + [guards.WordT(at, at, w.word, w.probability) for w in piece]
        elif out and out[-1][-1].end <= out[-1][0].start:  # the first piece had no duration
            at = piece[0].start
            out[-1] = [guards.WordT(at, at, w.word, w.probability) for w in out[-1]] + piece
        else:
            out.append(piece)
    return out


def _draft(
    words: list[guards.WordT], text: str, offset_ms: int, language: str | None = None
) -> SegmentDraft:
    stored = [
        Word(
            offset_ms + round(w.start * 1000),
            offset_ms + round(max(w.end, w.start) * 1000),
            w.word.strip(),
            round(w.probability, 4),
        )
        for w in words
    ]
    start = stored[0].start_ms
    end = max(stored[-1].end_ms, start)
    confidence = guards.mean_probability(words)
    return SegmentDraft(
        start_ms=start,
        end_ms=end,
        text=text,
        confidence=None if confidence is None else round(confidence, 4),
        words=stored,
        language=language,
    )


def end_before_next(drafts: list[SegmentDraft], until: int | None = None) -> None:
    """End each segment (in start order) where the next one starts, when they overlap, and
    at ``until`` (ms) at the latest: where the batch's part of the recording ends and the next
    batch's begins.

    Two readings of one stretch do not overlap, but their word times may: Whisper places the
    words of a phrase it repeats past the end of the speech ("...алықтаған емес ем көзің"
    written twice ran a second into the next turn on espeak-ng's Kazakh). A transcript's
    segments follow one another, as every export expects (overlapping SRT cues show two lines
    at once). Nothing is dropped: the segment's words that start inside the next one are
    placed at its new end.

    Whisper may also place a stretch's last word in the silence it pads a piece with, past the
    end of the speech and of the batch: "әг" at 51.10-52.58 s of an AAC recording, the next
    batch's Russian from 52.16 s, two segments at once in every export.

    A segment with text that lies wholly inside the one before it (a fragment of no length
    included), or starts with it, in the same language, is no segment of its own: its text and
    words join that segment's (after them; nothing is dropped). The list is changed in place.
    """
    if until is not None:
        for draft in drafts:
            if draft.end_ms > until:
                _end_at(draft, until)
    joined: list[SegmentDraft] = []
    for draft in drafts:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and draft.text
            and prev.text
            and draft.language == prev.language
            and (draft.end_ms <= prev.end_ms or draft.start_ms == prev.start_ms)
        ):
            prev.text = f"{prev.text} {draft.text}"
            prev.words = [*prev.words, *draft.words]
            prev.end_ms = max(prev.end_ms, draft.end_ms)
            probs = [w.probability for w in prev.words]
            if probs and all(p is not None for p in probs):
                prev.confidence = round(sum(p for p in probs if p is not None) / len(probs), 4)
            continue
        joined.append(draft)
    drafts[:] = joined
    for prev, nxt in itertools.pairwise(drafts):
        if prev.start_ms <= nxt.start_ms < prev.end_ms < nxt.end_ms:
            _end_at(prev, nxt.start_ms)


def _end_at(draft: SegmentDraft, end: int) -> None:
    """``draft`` and its words end at ``end`` (ms) at the latest; none of its words dropped."""
    draft.start_ms = min(draft.start_ms, end)
    draft.end_ms = end
    draft.words = [
        Word(min(w.start_ms, end), min(w.end_ms, end), w.text, w.probability) for w in draft.words
    ]


# speech this long without any text becomes a placeholder segment: a greeting said alone
# ("Здравствуйте", 1.1 s) that Whisper gives no text for is kept (docs/transcription.md)
PLACEHOLDER_MIN_S = 1.0


def placeholders(
    chunks: list[dict[str, int]], drafts: list[SegmentDraft], offset_ms: int, language: str
) -> list[SegmentDraft]:
    """ "Speech without transcript" segments for speech that no kept text covers.

    Speech (VAD) that is left without a word for ``PLACEHOLDER_MIN_S`` or more, after the
    second pass and the guards, is never dropped silently: it becomes an empty, flagged segment
    a coder can play and type. ``language`` "" (``identify.UNKNOWN``): the segment's language
    is unknown.
    """
    covered: list[tuple[float, float]] = []
    for d in drafts:
        spans = [(w.start_ms, w.end_ms) for w in d.words] or [(d.start_ms, d.end_ms)]
        covered.extend(((a - offset_ms) / 1000, (b - offset_ms) / 1000) for a, b in spans)
    covered.sort()
    out = []
    for chunk in touching_joined(chunks):
        for a, b in free_spans(chunk, covered):
            if b - a >= PLACEHOLDER_MIN_S * SAMPLE_RATE:
                out.append(without_transcript(offset_ms, a, b, language))
    return out


def without_transcript(offset_ms: int, a: float, b: float, language: str) -> SegmentDraft:
    """Speech without transcript over samples ``a``-``b`` of audio that begins at
    ``offset_ms``, marked ``language`` ("": unknown)."""
    start_ms = offset_ms + round(a * 1000 / SAMPLE_RATE)
    end_ms = offset_ms + round(b * 1000 / SAMPLE_RATE)
    return SegmentDraft(start_ms, end_ms, "", language=language or None, untranscribed=True)


def touching_joined(chunks: list[dict[str, int]]) -> list[dict[str, int]]:
    """Chunks that meet (the VAD cuts long speech into chunks that touch) joined into one: a
    stretch of speech without text across the meeting point is measured whole."""
    joined: list[dict[str, int]] = []
    for chunk in sorted(chunks, key=lambda c: c["start"]):
        if joined and chunk["start"] <= joined[-1]["end"]:
            joined[-1] = {"start": joined[-1]["start"], "end": max(joined[-1]["end"], chunk["end"])}
        else:
            joined.append(dict(chunk))
    return joined


def by_language(
    tagged: list[tuple[dict[str, int], str]],
) -> list[tuple[str, list[dict[str, int]]]]:
    """The chunks of a batch grouped by language, in order within each language, the
    languages in the order they are first heard: ``[(language, chunks), ...]``.

    A batch that switches language every few turns is then decoded in as few, as full pieces
    as a batch in one language (the chunks of a piece are apart in time anyway; their words
    are put back at their own times, and a sentence never spans the jump: it is a pause).
    """
    groups: dict[str, list[dict[str, int]]] = {}
    for chunk, code in tagged:
        groups.setdefault(code, []).append(chunk)
    return list(groups.items())


def main_language(drafts: list[SegmentDraft]) -> str | None:
    """The language of most of the speech in some drafts (None without any)."""
    spoken: dict[str, int] = {}
    for d in drafts:
        if d.language:
            spoken[d.language] = spoken.get(d.language, 0) + d.end_ms - d.start_ms + 1
    return max(spoken, key=lambda k: spoken[k]) if spoken else None

"""Speaker labels carried from a session's old segments onto a new transcription's segments.

Re-transcribing replaces the untouched Whisper segments, and with them the speaker labels that
speaker detection wrote on them (and the names a coder gave those labels with ``speaker
rename``). A new segment takes the label of the old segments it lies mostly inside: the label
whose old segments cover more than half of its time, when no other label's cover more than a
tenth of it (a segment without length: the label of the old segments around its moment, when
they have one label). Where the old segments give no label (audio none of them held: speech
the old run missed, a segment merged away), speaker detection's timeline of turns is asked the
same way.

A new segment across a change of speaker (the old segments or the turns say A until t, B
after) is split at the change when it has word timings: each word takes the label at its
middle, words with none the label before them (the first ones: the one after), and the
segment is cut between words of two labels -- at the word boundary nearest the change. Each
part keeps the language and its own words and text (the text is cut where the part's first
word is written). Without word timings, or where the words are not found in the text, it
stays whole; it then gets no label and is counted, as one where nobody says who spoke.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as draft_copy
from typing import Any

from storage.core.spans import covered_length


class SpeakerSpans:
    """The labelled old segments of a session, ``(start_ms, end_ms, speaker)``, for lookups."""

    def __init__(
        self,
        spans: Iterable[tuple[int, int, str | None]],
        fallback: SpeakerSpans | None = None,
    ) -> None:
        self._spans = sorted((int(s), int(e), str(who)) for s, e, who in spans if who)
        self._starts = [s for s, _e, _w in self._spans]
        self._longest = max((e - s for s, e, _w in self._spans), default=0)
        self._fallback = fallback

    def __bool__(self) -> bool:
        return bool(self._spans) or bool(self._fallback)

    def speaker_for(self, start_ms: int, end_ms: int) -> str | None:
        """The label whose old segments cover more than half of ``[start_ms, end_ms)``, no
        other label's more than a tenth; where none does, the ``fallback``'s (speaker
        detection's timeline of turns)."""
        found = self._speaker_for(start_ms, end_ms)
        if found is None and self._fallback is not None:
            return self._fallback.speaker_for(start_ms, end_ms)
        return found

    def _speaker_for(self, start_ms: int, end_ms: int) -> str | None:
        lo = bisect_left(self._starts, start_ms - self._longest)
        hi = bisect_left(self._starts, max(end_ms, start_ms + 1))
        near = [(s, e, who) for s, e, who in self._spans[lo:hi] if e > start_ms]
        if end_ms <= start_ms:  # a moment: the labels around it
            around = {who for s, e, who in near if s <= start_ms < e}
            return next(iter(around)) if len(around) == 1 else None
        covered: dict[str, list[tuple[int, int]]] = {}
        for s, e, who in near:
            if s < end_ms:
                covered.setdefault(who, []).append((max(s, start_ms), min(e, end_ms)))
        held = sorted(
            ((covered_length(parts), who) for who, parts in covered.items()), reverse=True
        )
        length = end_ms - start_ms
        if not held or 2 * held[0][0] <= length:
            return None
        if len(held) > 1 and 10 * held[1][0] > length:
            return None  # another speaker says more than a word or two in it
        return held[0][1]


@dataclass
class Carried:
    """What ``carry_speakers`` did: the drafts to write (a split one replaced by its parts),
    how many got a label, how many got none, and how many were split at a change of speaker."""

    drafts: list[Any] = field(default_factory=list)
    placed: int = 0
    missed: int = 0
    split: int = 0


def carry_speakers(
    drafts: Sequence[Any],
    spans: SpeakerSpans,
    *,
    leave_out: Callable[[Any], bool] | None = None,
) -> Carried:
    """Give each draft without a speaker the label it lies mostly inside; split one across a
    change of speaker at the change (see the module doc).

    Args:
        drafts: ``SegmentDraft``s of one batch (changed in place; the parts are copies).
        spans: the old segments' labels (with detection's turns as their fallback).
        leave_out: a part it says yes to would not be written (it lies over speech a coder
            kept or deleted): the draft is then not split.

    Returns:
        The drafts to write and the counts (nothing counted when ``spans`` is empty).
    """
    if not spans:
        return Carried(list(drafts))
    done = Carried()
    for draft in drafts:
        if draft.speaker:
            done.drafts.append(draft)
            continue
        who = spans.speaker_for(draft.start_ms, draft.end_ms)
        parts = None if who is not None else split_at_speakers(draft, spans)
        if parts is not None and leave_out is not None and any(leave_out(p) for p in parts):
            parts = None
        if parts is not None:
            done.drafts.extend(parts)
            done.placed += len(parts)
            done.split += 1
            continue
        done.drafts.append(draft)
        if who is None:
            done.missed += 1
        else:
            draft.speaker = who
            done.placed += 1
    return done


def split_at_speakers(draft: Any, spans: SpeakerSpans) -> list[Any] | None:
    """The parts of ``draft`` between its changes of speaker, each with its label; None
    where it cannot be split (no word timings, one speaker or none known, its words not
    found in its text)."""
    words = list(draft.words)
    if len(words) < 2:
        return None
    heard = [spans.speaker_for(m, m) for m in ((w.start_ms + w.end_ms) // 2 for w in words)]
    first = next((who for who in heard if who), None)
    if first is None:
        return None
    labels: list[str] = []
    for who in heard:  # a word nobody is known to say: the speaker before it
        labels.append(who or (labels[-1] if labels else first))
    cuts = [i for i in range(1, len(words)) if labels[i] != labels[i - 1]]
    if not cuts:
        return None
    at = _word_positions(draft.text, [w.text for w in words])
    if at is None:
        return None
    bounds = [0, *cuts, len(words)]
    parts = []
    start_ms = draft.start_ms
    for k in range(len(bounds) - 1):
        lo, hi = bounds[k], bounds[k + 1]
        text_from = 0 if k == 0 else at[lo]
        text_to = len(draft.text) if hi == len(words) else at[hi]
        text = draft.text[text_from:text_to]
        text = text.lstrip() if k else text
        text = text.rstrip() if hi < len(words) else text
        if not text.strip():
            return None
        end_ms = draft.end_ms if hi == len(words) else words[hi].start_ms
        end_ms = min(draft.end_ms, max(start_ms, end_ms))
        parts.append(
            draft_copy(
                draft,
                start_ms=start_ms,
                end_ms=end_ms,
                text=text,
                words=words[lo:hi],
                speaker=labels[lo],
            )
        )
        start_ms = end_ms
    return parts


def _word_positions(text: str, words: Sequence[str]) -> list[int] | None:
    """Where each word is written in ``text``, in order (None: one is not found)."""
    at, cursor = [], 0
    for word in words:
        token = word.strip()
        found = text.find(token, cursor) if token else cursor
        if found < 0:
            return None
        at.append(found)
        cursor = found + len(token)
    return at

"""Speaker labels carried from a session's old segments onto a new transcription's segments.

Re-transcribing replaces the untouched Whisper segments, and with them the speaker labels that
speaker detection wrote on them (and the names a coder gave those labels with ``speaker
rename``). A new segment takes the label of the old segments it lies mostly inside: the label
whose old segments cover more than half of its time, when no other label's cover more than a
tenth of it (a segment without length: the label of the old segments around its moment, when
they have one label). Where the old segments give no label (audio none of them held: a
segment a coder deleted, speech the old run missed), speaker detection's timeline of turns is
asked the same way. A new segment across a change of speaker, or where neither says who
spoke, gets none and is counted.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
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


def carry_speakers(drafts: Sequence[Any], spans: SpeakerSpans) -> tuple[int, int]:
    """Give each draft without a speaker the label it lies mostly inside (see the module doc).

    Returns:
        How many drafts got a label, and how many got none (0, 0 when ``spans`` is empty).
    """
    if not spans:
        return 0, 0
    placed = missed = 0
    for draft in drafts:
        if draft.speaker:
            continue
        who = spans.speaker_for(draft.start_ms, draft.end_ms)
        if who is None:
            missed += 1
        else:
            draft.speaker = who
            placed += 1
    return placed, missed

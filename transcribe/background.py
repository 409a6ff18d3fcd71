"""Voices far quieter than the speakers: a television or a radio in the room.

Whisper writes what it hears, and in the pauses between a focus group's turns it hears the
television. A segment whose speech is ``BACKGROUND_DB`` or more below the typical level of the
batch's speech (the median, by length, of its segments with text) is not taken as said at the
table: its text is not written, and it becomes speech without transcript, which the coder can
play, and type if it was a participant after all. Measured (``bench/focus_group_corpus.py``,
``focus-tv`` and ``focus-far``, Whisper ``base``): a television 20 dB below the speakers was
written in the pauses ("Теперь сядьте ко мне.", 24 dB below the median; "донолевы.", 21 dB),
while speakers across the room (15 dB quieter, reverberant) were 15 to 19 dB below the near ones
and real Kazakh recorded apart 14 dB below the Russian reader.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from storage.transcript.transcript import SegmentDraft

from .drafts import PLACEHOLDER_MIN_S
from .stream import SAMPLE_RATE

#: a segment this much below the typical level of the batch's speech (dB) is a background voice
BACKGROUND_DB = 20.0
#: the batch's speech with text must be at least this long (s) to give a typical level (or
#: voicing: ``crosstalk``)
TYPICAL_MIN_S = 5.0


def level_db(audio: npt.NDArray[np.float32], draft: SegmentDraft, offset_ms: int) -> float | None:
    """The mean power (dB full scale) of a segment's words (its span without words), ``audio``
    starting at ``offset_ms``; None when none of it lies in ``audio``."""
    spans = [(w.start_ms, w.end_ms) for w in draft.words] or [(draft.start_ms, draft.end_ms)]
    power, n = 0.0, 0
    for start_ms, end_ms in spans:
        a = max(0, (start_ms - offset_ms) * SAMPLE_RATE // 1000)
        b = min(len(audio), (end_ms - offset_ms) * SAMPLE_RATE // 1000)
        if b > a:
            clip = audio[a:b].astype(np.float64)
            power += float(np.dot(clip, clip))
            n += b - a
    if n == 0:
        return None
    return 10 * math.log10(power / n + 1e-12)


def median_by_length(values: Sequence[tuple[float, int]]) -> float | None:
    """The median of ``(value, length in ms)`` pairs (a segment's level, or its voicing), by
    length; None without enough speech."""
    total = sum(n for _, n in values)
    if total < TYPICAL_MIN_S * 1000:
        return None
    seen = 0
    for value, n in sorted(values):
        seen += n
        if 2 * seen >= total:
            return value
    return None  # not reached


def measured(
    drafts: list[SegmentDraft], measure: Callable[[SegmentDraft], float | None]
) -> tuple[dict[int, float], float | None]:
    """``measure`` of each segment with text of ``drafts`` (by index, where it gives one) and
    their typical value (``median_by_length``; None without enough speech)."""
    values = {}
    for i, d in enumerate(drafts):
        if d.text.strip() and not d.untranscribed:
            value = measure(d)
            if value is not None:
                values[i] = value
    lengths = [(v, drafts[i].end_ms - drafts[i].start_ms) for i, v in values.items()]
    return values, median_by_length(lengths)


def background_voices(
    drafts: list[SegmentDraft],
    audio: npt.NDArray[np.float32],
    offset_ms: int,
    dropped: list[str],
) -> list[SegmentDraft]:
    """``drafts`` (a batch's), with each segment ``BACKGROUND_DB`` or more below the typical
    level of their speech turned into speech without transcript (in its language), or left
    out when shorter than a placeholder (``drafts.PLACEHOLDER_MIN_S``, as any speech without
    text); each such text is noted in ``dropped``."""
    levels, typical = measured(drafts, lambda d: level_db(audio, d, offset_ms))
    if typical is None:
        return drafts
    out = []
    for i, d in enumerate(drafts):
        below = typical - levels[i] if i in levels else 0.0
        if below < BACKGROUND_DB:
            out.append(d)
            continue
        dropped.append(f"background voice, {below:.0f} dB below the speakers: {d.text[:60]}")
        if d.end_ms - d.start_ms >= PLACEHOLDER_MIN_S * 1000:
            hole = SegmentDraft(d.start_ms, d.end_ms, "", language=d.language, untranscribed=True)
            out.append(hole)
    return out

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

A participant far from the recorder can be as quiet as that, and is not a television: a
television plays on, under the speakers and in every pause between them, while a participant
speaks in a quiet room. So a quiet segment is kept, written, where the batch's pauses (its
audio outside every segment with text) are mostly far quieter than it (``QUIET_PAUSES_DB``),
and made speech without transcript where they are not (``pauses_db``). Measured: a
participant 22 dB quieter than the others (``focus-farther``) 40 and 43 dB below full scale
over pauses at 63 dB below (the room's noise); the television's "Теперь сядьте ко мне." 42 dB
below over pauses at 38 dB below (the television itself, and music).
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
#: a quiet segment this much louder (dB) than the batch's pauses is a participant far from the
#: recorder, in a quiet room: written
QUIET_PAUSES_DB = 10.0
#: the pauses must be at least this long (s) to tell; a quiet segment's own edges are not
#: pauses (its reverberation, words Whisper placed a little early or late)
PAUSES_MIN_S = 1.0
EDGE_MS = 300  # round the quiet segment: not a pause
FRAME_MS = 30  # the pauses' level: the median of frames this long


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


def pauses_db(
    drafts: list[SegmentDraft], audio: npt.NDArray[np.float32], offset_ms: int, quiet: int
) -> float | None:
    """The typical level (dB full scale; the median of ``FRAME_MS`` frames) of the batch's
    pauses: its audio from its first segment's start to its last one's end, outside every
    segment with text and ``EDGE_MS`` round ``drafts[quiet]`` (the quiet segment weighed).
    Room noise where nothing else plays; a television where one does. None when the pauses
    are shorter than ``PAUSES_MIN_S``."""
    if not drafts:
        return None
    start = max(0, (min(d.start_ms for d in drafts) - offset_ms) * SAMPLE_RATE // 1000)
    end = min(len(audio), (max(d.end_ms for d in drafts) - offset_ms) * SAMPLE_RATE // 1000)
    pause = np.zeros(len(audio), dtype=bool)
    pause[start:end] = True
    for i, d in enumerate(drafts):
        edge = EDGE_MS if i == quiet else 0
        if i == quiet or (d.text.strip() and not d.untranscribed):
            a = max(0, (d.start_ms - edge - offset_ms) * SAMPLE_RATE // 1000)
            b = max(0, (d.end_ms + edge - offset_ms) * SAMPLE_RATE // 1000)
            pause[a:b] = False
    frame = FRAME_MS * SAMPLE_RATE // 1000
    heard = audio[pause].astype(np.float64)
    n = len(heard) // frame
    if n * FRAME_MS < PAUSES_MIN_S * 1000:
        return None
    frames = heard[: n * frame].reshape(n, frame)
    return 10 * math.log10(float(np.median((frames * frames).mean(axis=1))) + 1e-12)


def background_voices(
    drafts: list[SegmentDraft],
    audio: npt.NDArray[np.float32],
    offset_ms: int,
    dropped: list[str],
) -> list[SegmentDraft]:
    """``drafts`` (a batch's), with each segment ``BACKGROUND_DB`` or more below the typical
    level of their speech, and not ``QUIET_PAUSES_DB`` above the batch's pauses
    (``pauses_db``), turned into speech without transcript (in its language), or left out
    when shorter than a placeholder (``drafts.PLACEHOLDER_MIN_S``, as any speech without
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
        pauses = pauses_db(drafts, audio, offset_ms, i)
        if pauses is not None and levels[i] - pauses >= QUIET_PAUSES_DB:
            out.append(d)  # a participant far off, in a quiet room
            continue
        dropped.append(f"background voice, {below:.0f} dB below the speakers: {d.text[:60]}")
        if d.end_ms - d.start_ms >= PLACEHOLDER_MIN_S * 1000:
            hole = SegmentDraft(d.start_ms, d.end_ms, "", language=d.language, untranscribed=True)
            out.append(hole)
    return out

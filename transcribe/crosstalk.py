"""Several people talking at once: crosstalk is not what one of them said.

Where four voices talk over each other, Whisper writes a garbled fragment of one of them, or a
word nobody said ("В нас все уйдет, все уйдет." and "Удачи!" twice over 5 s of four voices,
``bench/focus_group_corpus.py`` ``focus-laughter``). One voice is periodic: its pitch repeats,
and the autocorrelation of a frame of voiced speech has a high peak at the pitch period
(``voicing``). Several voices at once, each at its own pitch, are not: the peak is low. Noise
lowers it too, over the whole recording, so a segment is measured against the typical voicing
of the batch's speech (the median, by length, of its segments with text): a segment far less
voiced than that (``LESS_VOICED``) whose words Whisper is unsure of (``UNSURE``) becomes speech
without transcript, which the coder can play, and type what can be made out. Measured with
Whisper ``base`` (docs/languages.md, Measured, "A focus group"): the crosstalk's three segments
0.42 to 0.45 where the recording's speech is typically 0.71 (0.59 to 0.63 of it), their words
at 0.31 to 0.66; every segment with text of the bench's real-speech recordings at 0.84 of its
recording's typical voicing or more (0.57 and more; real Russian under loud pink noise 0.57 to
0.69). Under louder noise (``ru-real-noisier``) the real Russian turns are voiced 0.44 and
more, typically 0.50: less than the crosstalk, but all of them alike (0.88 of their typical
voicing and more), which is why the line is drawn against the batch's own speech.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from storage.transcript.transcript import SegmentDraft

from .background import measured
from .drafts import PLACEHOLDER_MIN_S
from .stream import SAMPLE_RATE

#: a segment voiced less than this share of the batch's typical voicing is not one voice
LESS_VOICED = 0.75
#: ...and crosstalk when Whisper's mean word probability is also below this
UNSURE = 0.7
FRAME = 640  # 40 ms: two periods of the lowest voices
HOP = 320
#: lags of a voice's pitch period: 2.5 ms (400 Hz) to 16 ms (62.5 Hz)
LAGS = (SAMPLE_RATE // 400, SAMPLE_RATE * 16 // 1000)


def voicing(audio: npt.NDArray[np.float32]) -> float | None:
    """How much ``audio`` sounds like one voice (0..1): the median, over its louder half of
    frames, of the highest normalised autocorrelation at a pitch period's lag. None when it is
    too short or silent."""
    frames = [
        audio[i : i + FRAME].astype(np.float64) for i in range(0, len(audio) - FRAME + 1, HOP)
    ]
    frames = [f - f.mean() for f in frames]
    energy = [float(np.dot(f, f)) for f in frames]
    if not frames or max(energy) <= 0:
        return None
    loud = float(np.median(energy))
    peaks = []
    for f, e in zip(frames, energy, strict=True):
        if e < loud or e <= 0:
            continue
        corr = np.correlate(f, f, "full")[FRAME - 1 :]
        peaks.append(float(np.max(corr[LAGS[0] : LAGS[1] + 1]) / corr[0]))
    return float(np.median(peaks)) if peaks else None


def segment_voicing(
    draft: SegmentDraft, audio: npt.NDArray[np.float32], offset_ms: int
) -> float | None:
    """The ``voicing`` of a segment's span (``audio`` starting at ``offset_ms``)."""
    a = max(0, (draft.start_ms - offset_ms) * SAMPLE_RATE // 1000)
    b = min(len(audio), (draft.end_ms - offset_ms) * SAMPLE_RATE // 1000)
    return voicing(audio[a:b]) if b > a else None


def crosstalk(
    drafts: list[SegmentDraft],
    audio: npt.NDArray[np.float32],
    offset_ms: int,
    dropped: list[str],
) -> list[SegmentDraft]:
    """``drafts`` (a batch's, sorted), with crosstalk made speech without transcript: a segment
    with text voiced less than ``LESS_VOICED`` of the typical voicing of the batch's speech,
    whose words Whisper is unsure of (``UNSURE``). Segments of it in a row become one
    placeholder (in the first one's language), left out when shorter than a placeholder
    (``drafts.PLACEHOLDER_MIN_S``, as any speech without text); each text is noted in
    ``dropped``."""
    voiced, typical = measured(drafts, lambda d: segment_voicing(d, audio, offset_ms))
    if typical is None:
        return drafts
    out: list[SegmentDraft] = []
    run: list[SegmentDraft] = []

    def close() -> None:
        if run and run[-1].end_ms - run[0].start_ms >= PLACEHOLDER_MIN_S * 1000:
            out.append(
                SegmentDraft(
                    run[0].start_ms, run[-1].end_ms, "", language=run[0].language,
                    untranscribed=True,
                )
            )  # fmt: skip
        run.clear()

    for i, d in enumerate(drafts):
        unsure = d.confidence is not None and d.confidence < UNSURE
        if i in voiced and unsure and voiced[i] < LESS_VOICED * typical:
            dropped.append(
                f"crosstalk, voiced {voiced[i] / typical:.2f} of the speech: {d.text[:60]}"
            )
            run.append(d)
            continue
        close()
        out.append(d)
    close()
    return out

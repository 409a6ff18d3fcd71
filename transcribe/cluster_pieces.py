"""The pieces a recording is sent to the workers in: the local run's windows (cut in pauses,
with their VAD speech), joined where a cut falls inside speech; PCM bytes out, segment data
back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from storage.core.models import Word
from storage.transcript.transcript import SegmentDraft

from .batches import ChunkResult
from .engine import WINDOW_S
from .stream import SAMPLE_RATE, Audio, Window, speech_windows

#: a piece that ends inside speech is joined with at most this many following ones (a noisy
#: recording that the VAD takes for speech from end to end is then cut where a local run cuts)
MAX_JOINS = 3


def plan_pieces(
    source: str | Path | Audio, *, start_ms: int = 0, piece_s: float = WINDOW_S, stop: Any = None
) -> Iterator[Window]:
    """The recording from ``start_ms`` in pieces of about ``piece_s`` seconds cut in pauses,
    with their speech (the windows of a local run; one that ends inside speech is joined with
    the next, at most ``MAX_JOINS`` times)."""
    held: Window | None = None
    joins = 0
    for window in speech_windows(source, start_ms=start_ms, window_s=piece_s, stop=stop):
        if held is not None:
            window = join_windows(held, window)
            held = None
        if not window.final and ends_in_speech(window) and joins < MAX_JOINS:
            held = window
            joins += 1
            continue
        joins = 0
        yield window
    if held is not None:
        yield held


def ends_in_speech(window: Window) -> bool:
    """Whether a window's end cuts a stretch of speech (no pause at the cut)."""
    return bool(window.speech) and window.speech[-1]["end"] >= len(window.audio) - 1


def join_windows(first: Window, second: Window) -> Window:
    """Two consecutive windows as one; speech cut at the seam becomes one chunk again (when
    it stays under the VAD's 29-second limit)."""
    offset = len(first.audio)
    speech = [dict(c) for c in first.speech]
    limit = 29 * SAMPLE_RATE
    for c in second.speech:
        chunk = {"start": c["start"] + offset, "end": c["end"] + offset}
        if (
            speech
            and chunk["start"] <= speech[-1]["end"] + 1
            and chunk["end"] - speech[-1]["start"] <= limit
        ):
            speech[-1]["end"] = max(speech[-1]["end"], chunk["end"])
        else:
            speech.append(chunk)
    audio = np.concatenate((first.audio, second.audio))
    return Window(first.start_ms, audio, speech, second.final)


def to_pcm(audio: Audio) -> bytes:
    """16-bit little-endian PCM of samples decoded from 16-bit audio (exact round trip)."""
    return np.clip(np.round(audio * 32768.0), -32768, 32767).astype("<i2").tobytes()


def chunk_from_data(data: dict[str, Any]) -> ChunkResult:
    """A ``ChunkResult`` back from a worker's plain data."""
    segments = []
    for s in data["segments"]:
        words = [Word(**w) for w in s.get("words", [])]
        segments.append(SegmentDraft(**{**s, "words": words}))
    return ChunkResult(segments, data["start_ms"], data["done_ms"], data["language"], data["final"])


#: how many times a piece is sent (its worker died holding its bytes); Dask itself retries a
#: piece whose worker died while the bytes are elsewhere, and allows 3 deaths per piece

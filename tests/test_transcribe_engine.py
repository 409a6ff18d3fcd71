"""The engine with the real tiny.en model on real espeak-ng speech."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import numpy as np
import pytest

from tests.transcribe_audio import SENTENCES, quiet_noise, speech_with_pauses, wer
from transcribe.engine import Transcriber
from transcribe.stream import SAMPLE_RATE, PcmReader

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber("tiny.en", threads=2, device="auto")


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech_with_pauses(tmp_path_factory.mktemp("three"), SENTENCES[:3])


def test_known_words_are_found_with_timestamps(transcriber: Transcriber, three: Path) -> None:
    segments = list(transcriber.transcribe(three))
    text = " ".join(s.text for s in segments)
    assert wer(" ".join(SENTENCES[:3]), text) < 0.2, text
    assert "committee" in text.lower() and "library" in text.lower()
    duration_ms = 1000 * len(PcmReader(three).read(SAMPLE_RATE * 60)) // SAMPLE_RATE
    previous_end = 0
    for seg in segments:
        assert seg.words, "word timestamps are kept"
        assert 0 <= seg.start_ms <= seg.end_ms <= duration_ms + 200
        assert seg.start_ms >= previous_end - 200  # in order, not overlapping
        assert all(seg.start_ms <= w.start_ms <= w.end_ms <= seg.end_ms for w in seg.words)
        assert seg.confidence is not None and 0 < seg.confidence <= 1
        previous_end = seg.end_ms
    assert len(segments) >= 3  # one segment per sentence (they are separated by pauses)


def test_silence_gives_no_text(transcriber: Transcriber, tmp_path: Path) -> None:
    noise = quiet_noise(tmp_path / "quiet.wav", 40)
    assert list(transcriber.transcribe(noise)) == []
    digital_silence = np.zeros(SAMPLE_RATE * 20, dtype=np.float32)
    assert list(transcriber.transcribe(digital_silence)) == []


def test_array_input_and_small_windows_keep_absolute_times(
    transcriber: Transcriber, three: Path
) -> None:
    with PcmReader(three) as reader:
        audio = reader.read(SAMPLE_RATE * 120)
    whole = list(Transcriber("tiny.en", threads=2).transcribe(audio))
    windowed = Transcriber("tiny.en", threads=2, window_s=6)
    chunks = list(windowed.transcribe_chunks(audio))
    assert len(chunks) >= 3
    assert chunks[0].start_ms == 0
    for a, b in itertools.pairwise(chunks):
        assert a.done_ms == b.start_ms  # contiguous coverage, no gap, no overlap
    text = " ".join(s.text for c in chunks for s in c.segments)
    assert wer(" ".join(SENTENCES[:3]), text) < 0.25, text
    # the same sentence is found at about the same time with or without windows
    first_whole = next(s for s in whole if "committee" in s.text.lower())
    first_windowed = next(s for c in chunks for s in c.segments if "committee" in s.text.lower())
    assert abs(first_whole.start_ms - first_windowed.start_ms) < 500
    # start_ms: times stay absolute
    later = list(transcriber.transcribe(audio, start_ms=4000))
    assert later and all(s.start_ms >= 4000 for s in later)


def test_cancel_stops_between_batches(transcriber: Transcriber, three: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    small = Transcriber("tiny.en", threads=2, window_s=5)
    assert len(list(small.transcribe_chunks(three, cancel=cancel))) <= 1


def test_after_a_cancel_the_batches_already_started_are_still_yielded(three: Path) -> None:
    """Cancel set while the first batches are decoded: no batch starts after it, and every
    batch started before it is yielded, in order, from the start (the engine used to return
    at once, their decoding going on in the background for nothing)."""
    cancel = threading.Event()
    started: list[int] = []

    class Cancelled(Transcriber):
        def _run_batch(self, window, plan, language):  # type: ignore[no-untyped-def]
            started.append(plan.start_ms)
            cancel.set()
            return super()._run_batch(window, plan, language)

    small = Cancelled("tiny.en", threads=2, window_s=5, batch_size=1)
    chunks = list(small.transcribe_chunks(three, cancel=cancel))
    assert chunks and [c.start_ms for c in chunks] == sorted(started)
    assert chunks[0].start_ms == 0 and not chunks[-1].final
    assert all(a.done_ms == b.start_ms for a, b in itertools.pairwise(chunks))
    assert any(c.segments for c in chunks)

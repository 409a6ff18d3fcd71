"""Fakes for the identification tests (tests/test_transcribe_*.py): stretches of samples,
decoded segments and words as the engine gives them, Whisper's language probabilities and
readings without a model, and espeak-ng turns close together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from transcribe.identify import Identifier
from transcribe.stream import SAMPLE_RATE


def sample_span(a: float, b: float) -> dict[str, int]:
    """A stretch from ``a`` to ``b`` seconds, in samples (as the VAD gives them)."""
    return {"start": round(a * SAMPLE_RATE), "end": round(b * SAMPLE_RATE)}


def timed_segment(words: list[tuple[float, float, str, float]]) -> SimpleNamespace:
    """A decoded segment shaped like faster-whisper's from its words (start and end in seconds,
    text, probability)."""
    ws = [SimpleNamespace(start=a, end=b, word=w, probability=p) for a, b, w, p in words]
    return SimpleNamespace(
        text="".join(w.word for w in ws), start=ws[0].start, end=ws[-1].end, words=ws,
        avg_logprob=-0.3, no_speech_prob=0.01,
    )  # fmt: skip


class FakeSeg:
    """A decoded segment (start, end, text, average log probability)."""

    def __init__(self, start: float, end: float, text: str, logprob: float) -> None:
        self.start, self.end, self.text = start, end, text
        self.avg_logprob, self.no_speech_prob, self.words = logprob, 0.0, []


class FakeWord:
    """A decoded word 0.3 s long."""

    def __init__(self, start: float, word: str, probability: float) -> None:
        self.start, self.end, self.word, self.probability = start, start + 0.3, word, probability


def worded(text: str, probs: list[float], logprob: float) -> FakeSeg:
    """A decoded segment with its words' probabilities (as the engine's decode gives them)."""
    seg = FakeSeg(0, 5, text, logprob)
    seg.words = [
        FakeWord(i * 0.3, f" {w}", p)
        for i, (w, p) in enumerate(zip(text.split(), probs, strict=True))
    ]
    return seg


def hear_as(
    monkeypatch: pytest.MonkeyPatch,
    probs: Callable[[dict[str, int]], dict[str, float]],
    *,
    one_language: bool = False,
) -> None:
    """Whisper's language probabilities for each stretch, ``probs(part)``, without a model
    (``one_language``: also where the project expects one language)."""

    def fake(self, audio, encoded, part, at, allowed):  # type: ignore[no-untyped-def]
        return probs(part)

    monkeypatch.setattr(Identifier, "probabilities", fake)
    if one_language:
        monkeypatch.setattr(Identifier, "doubtful_probabilities", fake)


def reader_with(readings: dict[str, list[FakeSeg]], asked: list[str] | None = None) -> Identifier:
    """An identifier without a model whose decode returns ``readings[language]`` (each
    language asked for added to ``asked``)."""

    def decode(audio, groups, code, max_new_tokens=None):  # type: ignore[no-untyped-def]
        assert max_new_tokens is not None  # a reading stuck in a loop must stop
        if asked is not None:
            asked.append(code)
        return readings[code]

    return Identifier(None, "cuda", threading.BoundedSemaphore(1), np.asarray, decode, 4)


def close_turns(folder: Path, turns: list[tuple[str, str]], pause_s: float) -> Path:
    """Turns spoken by espeak-ng with their own silence trimmed, ``pause_s`` apart: a pause
    short enough for the VAD to run one chunk over two turns."""
    from tests.media import espeak
    from tests.transcribe_audio import sox

    parts = []
    for i, (voice, text) in enumerate(turns):
        raw = espeak(folder / f"raw{i}.wav", text, voice=voice, speed=175)
        part = folder / f"part{i}.wav"
        trim = ["silence", "1", "0.02", "0.5%", "reverse"]
        sox(raw, "-r", "16000", "-c", "1", part, *trim, *trim, "pad", "0", str(pause_s))
        parts.append(part)
    sox(*parts, folder / "close.wav")
    return folder / "close.wav"

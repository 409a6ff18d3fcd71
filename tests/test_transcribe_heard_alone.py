"""A stretch heard on its own (``Identifier._alone``) is heard once per window, and its
language probabilities are never handed to another stretch or another window's stretch at the
same place, while two workers identify the batches of two windows at once."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

import transcribe.identify as identify
from tests.identify_fakes import sample_span
from transcribe.identify import HEARD_AUDIOS, Identifier


def _identifier() -> Identifier:
    """An identifier without a model, with two replicas (two batches at once)."""

    def decode(*_args: Any, **_kwargs: Any) -> list[Any]:
        raise AssertionError("nothing is decoded here")

    return Identifier(None, "cpu", threading.BoundedSemaphore(2), np.asarray, decode, 4)


def _heard_by_samples(asked: list[float]) -> Any:
    """Language probabilities that say which samples were heard: Russian is the first sample's
    value (each audio below holds its own values)."""

    def heard(_model: Any, clip: np.ndarray) -> dict[str, float]:
        asked.append(float(clip[0]))
        return {"ru": float(clip[0]), "kk": 0.0}

    return heard


def _window(first: float) -> np.ndarray:
    """Eight seconds of audio whose samples are ``first``, ``first`` + 1e-6, ..."""
    return (first + np.arange(8 * 16000) * 1e-6).astype(np.float64)


def test_two_windows_identified_at_once_hear_each_stretch_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The batches of two windows asked in turn (two workers): each stretch of each window
    is heard once and keeps its own probabilities. One cache for the last window alone was
    emptied at each turn and heard everything again."""
    asked: list[float] = []
    monkeypatch.setattr(identify, "language_probabilities", _heard_by_samples(asked))
    tr = _identifier()
    first, second = _window(0.25), _window(0.75)
    one, two = sample_span(1, 3), sample_span(4, 6)
    for _ in range(3):
        for audio in (first, second):
            for part in (one, two):
                assert tr._alone(audio, part)["ru"] == float(audio[part["start"]])
    assert len(asked) == 4  # two stretches of two windows, each heard once


def test_a_window_no_longer_asked_about_is_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the last ``HEARD_AUDIOS`` windows are kept: an old one is heard afresh."""
    asked: list[float] = []
    monkeypatch.setattr(identify, "language_probabilities", _heard_by_samples(asked))
    tr = _identifier()
    part = sample_span(1, 3)
    windows = [_window(0.1 * k) for k in range(HEARD_AUDIOS + 1)]
    for audio in windows:
        tr._alone(audio, part)
    assert tr._alone(windows[-1], part)["ru"] == float(windows[-1][part["start"]])
    assert len(asked) == HEARD_AUDIOS + 1  # the last window's stretch: not heard again
    assert tr._alone(windows[0], part)["ru"] == float(windows[0][part["start"]])
    assert len(asked) == HEARD_AUDIOS + 2  # the first window's: forgotten, heard again


def test_a_stretch_heard_while_another_window_is_asked_keeps_its_own_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One worker hears a stretch of the first window; meanwhile the other hears the stretch
    at the same place in the second window. Each window keeps its own probabilities: the
    first worker's result, stored when its encoder pass ended, went into the cache the
    second had put in place, and the second window's stretch was then taken for the first's."""
    first, second = _window(0.25), _window(0.75)
    part = sample_span(1, 3)
    hearing_first = threading.Event()
    second_heard = threading.Event()

    def heard(_model: Any, clip: np.ndarray) -> dict[str, float]:
        if clip[0] == first[part["start"]]:  # the first window's: wait for the other worker
            hearing_first.set()
            assert second_heard.wait(10)
        return {"ru": float(clip[0]), "kk": 0.0}

    monkeypatch.setattr(identify, "language_probabilities", heard)
    tr = _identifier()
    got: dict[str, float] = {}
    worker = threading.Thread(target=lambda: got.update(tr._alone(first, part)))
    worker.start()
    assert hearing_first.wait(10)
    from_second = tr._alone(second, part)
    second_heard.set()
    worker.join(10)
    assert got["ru"] == float(first[part["start"]])
    assert from_second["ru"] == float(second[part["start"]])
    # asked again, each window's stretch is still its own
    assert tr._alone(second, part)["ru"] == float(second[part["start"]])
    assert tr._alone(first, part)["ru"] == float(first[part["start"]])

"""Clustering, windowing and the pipeline's logic with a stand-in embedding backend.

The real models are tested in test_speakers_real.py; here the embeddings are synthetic points
on the unit sphere so that the clustering and naming rules can be checked exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="scikit-learn comes with the speakers extra")

from transcribe.diarize.align import Turn
from transcribe.diarize.backend import DiarizationCancelled, log_fbank
from transcribe.diarize.cluster import spectral_labels
from transcribe.diarize.pipeline import (
    KnownVoice,
    diarize_audio,
    make_windows,
    windows_to_turns,
)

RNG = np.random.default_rng(7)
CENTRES = np.linalg.qr(RNG.normal(size=(192, 6)))[0].T  # 6 orthonormal "voices"


def voices(counts: Sequence[int], noise: float = 0.35) -> tuple[np.ndarray, np.ndarray]:
    pts, truth = [], []
    for k, n in enumerate(counts):
        x = CENTRES[k] + noise * RNG.normal(size=(n, 192)) / np.sqrt(192)
        pts.append(x)
        truth += [k] * n
    x = np.concatenate(pts).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True), np.array(truth)


def purity(labels: np.ndarray, truth: np.ndarray) -> float:
    return sum(np.bincount(truth[labels == c]).max() for c in np.unique(labels)) / len(truth)


def test_detects_the_number_of_voices() -> None:
    x, truth = voices([60, 40, 30])
    labels = spectral_labels(x)
    assert len(set(labels.tolist())) == 3
    assert purity(labels, truth) == 1.0


def test_number_given_and_bounds() -> None:
    x, _ = voices([50, 50, 50, 50])
    assert len(set(spectral_labels(x, num_speakers=2).tolist())) == 2
    assert len(set(spectral_labels(x, max_speakers=3).tolist())) <= 3
    y, _ = voices([80])
    assert len(set(spectral_labels(y, min_speakers=2).tolist())) >= 2


def test_few_windows_and_empty() -> None:
    assert spectral_labels(np.zeros((0, 192), dtype=np.float32)).tolist() == []
    x, truth = voices([4, 4])
    labels = spectral_labels(x)
    assert purity(labels, truth) == 1.0 and len(set(labels.tolist())) == 2


def test_windows_and_turns() -> None:
    regions = [(0.0, 4.0), (5.0, 5.8)]
    windows = make_windows(regions)
    assert windows[0] == (0.0, 1.5, 0) and windows[-1] == (5.0, 5.8, 1)
    assert windows[-2][1] == 4.0  # the last window of a region ends with it
    labels = ["A"] * (len(windows) - 1) + ["B"]
    assert windows_to_turns(windows, regions, labels) == [Turn(0, 4000, "A"), Turn(5000, 5800, "B")]
    # a pause of up to a second inside one speaker's talk belongs to the turn
    labels = ["A"] * len(windows)
    assert windows_to_turns(windows, regions, labels) == [Turn(0, 5800, "A")]


def test_log_fbank_shape_and_tone() -> None:
    t = np.arange(16000) / 16000
    tone = (0.3 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    feats = log_fbank(tone)
    assert feats.shape == (98, 80)  # 1 + (16000 - 400) // 160 frames
    peak = int(np.argmax(feats.mean(axis=0)))
    assert 25 <= peak <= 35  # 1 kHz falls in the mel bins around 30 of 80
    assert log_fbank(tone[:100]).shape == (0, 80)


class FakeBackend:
    """Speech from 0 to 20 s; voice 0 until 10 s, then voice 1."""

    def speech_regions(
        self, audio: np.ndarray, progress: Callable[[float], None] | None = None
    ) -> list[tuple[float, float]]:
        if progress:
            progress(1.0)
        return [(0.0, 20.0)]

    def embed(
        self,
        audio: np.ndarray,
        windows: Sequence[tuple[float, float]],
        *,
        batch: int = 16,
        progress: Callable[[float], None] | None = None,
    ) -> np.ndarray:
        out = []
        for i, (start, end) in enumerate(windows):
            k = 0 if (start + end) / 2 < 10 else 1
            v = CENTRES[k] + 0.2 * RNG.normal(size=192) / np.sqrt(192)
            out.append(v / np.linalg.norm(v))
            if progress and i % 8 == 0:
                progress(i / len(windows))
        return np.array(out, dtype=np.float32)


def test_pipeline_turns_progress_and_known_voices() -> None:
    audio = np.zeros(16000 * 20, dtype=np.float32)
    seen: list[float] = []
    result = diarize_audio(audio, backend=FakeBackend(), progress=lambda f, s: seen.append(f))
    assert result.speakers == ["Speaker 1", "Speaker 2"]
    assert abs(result.turns[0].end_ms - 10000) <= 500
    assert seen == sorted(seen) and seen[-1] == 1.0
    known = [KnownVoice("Moderator", CENTRES[1].tolist()), KnownVoice("Other", CENTRES[4])]
    named = diarize_audio(audio, backend=FakeBackend(), known=known)
    assert named.speakers == ["Speaker 1", "Moderator"]
    assert set(named.recognised) == {"Moderator"} and named.recognised["Moderator"] > 0.9


def test_pipeline_cancel() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DiarizationCancelled):
        diarize_audio(np.zeros(16000, dtype=np.float32), backend=FakeBackend(), cancel=cancel)

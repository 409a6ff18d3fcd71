"""Who spoke when in one recording: speech regions, windows, embeddings, clusters, turns."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .align import Turn
from .backend import SAMPLE_RATE, DiarizationCancelled, FloatArray, load_backend
from .cluster import MAX_POINTS, centroids, spectral_labels

WINDOW_S = 1.5
SHIFT_S = 0.75
#: Cosine similarity above which a cluster is recognised as an enrolled voice.
PROFILE_THRESHOLD = 0.5
#: Pauses up to this long between two turns of one speaker belong to the turn.
BRIDGE_MS = 1000

Progress = Callable[[float, str], None]


class CancelFlag(Protocol):
    """Anything with ``is_set()`` (a ``threading.Event``)."""

    def is_set(self) -> bool:
        """True once the work should stop."""
        ...


class EmbeddingBackend(Protocol):
    """What the pipeline needs from a backend (``backend.Backend``)."""

    def speech_regions(
        self, audio: FloatArray, progress: Callable[[float], None] | None = None
    ) -> list[tuple[float, float]]:
        """Speech regions in seconds."""
        ...

    def embed(
        self,
        audio: FloatArray,
        windows: Sequence[tuple[float, float]],
        *,
        batch: int = 32,
        progress: Callable[[float], None] | None = None,
    ) -> FloatArray:
        """One normalised embedding per window."""
        ...


@dataclass
class KnownVoice:
    """An enrolled voice to recognise: its label and embedding."""

    name: str
    embedding: Sequence[float]


@dataclass
class Diarization:
    """The result of speaker detection on one recording."""

    turns: list[Turn]
    speakers: list[str]
    centroids: dict[str, list[float]]
    recognised: dict[str, float] = field(default_factory=dict)  # label -> similarity
    speech_ms: int = 0
    audio_ms: int = 0
    seconds: float = 0.0


def make_windows(
    regions: Sequence[tuple[float, float]], window: float = WINDOW_S, shift: float = SHIFT_S
) -> list[tuple[float, float, int]]:
    """Cut speech regions into overlapping windows ``(start_s, end_s, region_index)``."""
    out: list[tuple[float, float, int]] = []
    for r, (start, end) in enumerate(regions):
        if end - start <= window:
            out.append((start, end, r))
            continue
        t = start
        while t + window < end:
            out.append((t, t + window, r))
            t += shift
        out.append((max(start, end - window), end, r))
    return out


def windows_to_turns(
    windows: Sequence[tuple[float, float, int]],
    regions: Sequence[tuple[float, float]],
    labels: Sequence[str],
    bridge_ms: int = BRIDGE_MS,
) -> list[Turn]:
    """Give each window the stretch nearest its centre, then join turns of one speaker that
    follow each other with a pause of at most ``bridge_ms``."""
    spans: list[tuple[float, float, str]] = []
    for i, (start, end, r) in enumerate(windows):
        r_start, r_end = regions[r]
        centre = (start + end) / 2
        lo = r_start
        if i > 0 and windows[i - 1][2] == r:
            lo = (centre + (windows[i - 1][0] + windows[i - 1][1]) / 2) / 2
        hi = r_end
        if i + 1 < len(windows) and windows[i + 1][2] == r:
            hi = (centre + (windows[i + 1][0] + windows[i + 1][1]) / 2) / 2
        if hi > lo:
            spans.append((lo, hi, labels[i]))
    turns: list[Turn] = []
    for lo, hi, label in spans:
        a, b = round(lo * 1000), round(hi * 1000)
        if turns and turns[-1].speaker == label and a - turns[-1].end_ms <= bridge_ms:
            turns[-1] = Turn(turns[-1].start_ms, b, label)
        elif b > a:
            turns.append(Turn(a, b, label))
    return turns


def _coarsen(
    emb: FloatArray, windows: Sequence[tuple[float, float, int]], limit: int
) -> tuple[FloatArray, list[int]]:
    """Average runs of consecutive windows (within a region) so at most ~limit points remain."""
    group = int(np.ceil(len(windows) / limit))
    owners: list[int] = []
    points: list[FloatArray] = []
    start = 0
    while start < len(windows):
        stop = start + 1
        while (
            stop < len(windows) and stop - start < group and windows[stop][2] == windows[start][2]
        ):
            stop += 1
        mean = emb[start:stop].mean(axis=0)
        points.append((mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32))
        owners.extend([len(points) - 1] * (stop - start))
        start = stop
    return np.stack(points), owners


def diarize_audio(
    audio: FloatArray,
    *,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    known: Sequence[KnownVoice] = (),
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
    backend: EmbeddingBackend | None = None,
) -> Diarization:
    """Find who spoke when in 16 kHz mono float32 audio.

    Args:
        audio: the samples.
        num_speakers: the exact number of speakers, when known.
        min_speakers: at least this many (when detecting the number).
        max_speakers: at most this many.
        known: enrolled voices; a cluster that matches one is labelled with its name.
        progress: called with a fraction in [0, 1] and a stage name.
        cancel: stops the work (``DiarizationCancelled``) once set.
        backend: the embedding backend (default: the installed one).

    Raises:
        DiarizationCancelled: ``cancel`` was set.
        SpeakersUnavailableError: the backend is not installed.
    """
    started = time.monotonic()
    be: EmbeddingBackend = backend or load_backend()

    def report(fraction: float, stage: str) -> None:
        if cancel is not None and cancel.is_set():
            raise DiarizationCancelled("Speaker detection was cancelled; nothing was changed.")
        if progress is not None:
            progress(max(0.0, min(1.0, fraction)), stage)

    report(0.0, "finding speech")
    regions = be.speech_regions(audio, progress=lambda f: report(0.25 * f, "finding speech"))
    audio_ms = round(len(audio) * 1000 / SAMPLE_RATE)
    speech_ms = round(sum(e - s for s, e in regions) * 1000)
    if not regions:
        report(1.0, "done")
        return Diarization([], [], {}, audio_ms=audio_ms, seconds=time.monotonic() - started)
    windows = make_windows(regions)
    emb = be.embed(
        audio,
        [(s, e) for s, e, _r in windows],
        progress=lambda f: report(0.25 + 0.65 * f, "listening to voices"),
    )
    report(0.9, "grouping voices")
    points, owners = (emb, list(range(len(windows))))
    if len(windows) > MAX_POINTS:
        points, owners = _coarsen(emb, windows, MAX_POINTS)
    point_labels = spectral_labels(
        points,
        num_speakers=num_speakers,
        min_speakers=min_speakers or 1,
        max_speakers=max_speakers or max(num_speakers or 0, 15),
    )
    win_labels = np.array([point_labels[o] for o in owners], dtype=np.int64)
    cents = centroids(win_labels, emb)
    names = _name_clusters(win_labels, windows, cents, known)
    labels = [names[int(k)][0] for k in win_labels]
    turns = windows_to_turns(windows, regions, labels)
    order = list(dict.fromkeys(t.speaker for t in turns))
    report(1.0, "done")
    return Diarization(
        turns=turns,
        speakers=order,
        centroids={names[k][0]: cents[k].astype(float).tolist() for k in cents},
        recognised={name: sim for name, sim in names.values() if sim is not None},
        speech_ms=speech_ms,
        audio_ms=audio_ms,
        seconds=time.monotonic() - started,
    )


def _name_clusters(
    labels: np.ndarray,
    windows: Sequence[tuple[float, float, int]],
    cents: dict[int, FloatArray],
    known: Sequence[KnownVoice],
) -> dict[int, tuple[str, float | None]]:
    """Label clusters: enrolled voices by name, the others "Speaker N" by first appearance."""
    names: dict[int, tuple[str, float | None]] = {}
    if known and cents:
        ids = sorted(cents)
        prof = np.array([np.asarray(k.embedding, dtype=np.float32) for k in known])
        prof /= np.maximum(np.linalg.norm(prof, axis=1, keepdims=True), 1e-9)
        sims = np.stack([cents[i] for i in ids]) @ prof.T  # clusters x profiles
        used_p: set[int] = set()
        for flat in np.argsort(-sims, axis=None):
            c_, p_ = np.unravel_index(int(flat), sims.shape)
            c, p = int(c_), int(p_)
            if sims[c, p] < PROFILE_THRESHOLD:
                break
            if ids[c] in names or p in used_p:
                continue
            names[ids[c]] = (known[p].name, float(sims[c, p]))
            used_p.add(p)
    taken = {n for n, _ in names.values()}
    counter = 0
    for label in dict.fromkeys(int(x) for x in labels):
        if label in names:
            continue
        counter += 1
        while f"Speaker {counter}" in taken:
            counter += 1
        names[label] = (f"Speaker {counter}", None)
    return names


def embed_spans(
    audio: FloatArray,
    spans_ms: Sequence[tuple[int, int]],
    *,
    backend: EmbeddingBackend | None = None,
) -> FloatArray:
    """One normalised mean embedding of the speech in the given spans (for enrolment)."""
    be: EmbeddingBackend = backend or load_backend()
    regions = [(a / 1000, b / 1000) for a, b in spans_ms if b - a >= 300]
    windows = make_windows(regions)
    if not windows:
        return np.zeros(0, dtype=np.float32)
    emb = be.embed(audio, [(s, e) for s, e, _r in windows])
    mean = emb.mean(axis=0)
    result: FloatArray = (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32)
    return result

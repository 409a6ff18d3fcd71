"""Transcribing on a Dask cluster: a scheduler of the user's, or a ``LocalCluster`` here.

The project never leaves this machine and has one writer, this process. ``ClusterEngine``
takes the place of ``Transcriber`` in ``transcribe.runner.transcribe_session`` (its ``engine``
argument), so everything the runner guarantees holds unchanged: segments written batch by batch
in audio order with ``done_ms`` in the same transaction, a killed client resumes from
``done_ms``, nothing is written twice. What changes is who decodes:

1. This process reads the recording with ffmpeg and finds the speech (Silero VAD) exactly as a
   local run does (``transcribe.stream.speech_windows``), so the recording is cut in pauses
   into the same pieces of a few minutes (``piece_s``, default the local window). A piece that
   would end inside speech (no pause anywhere in it) is joined with the next one, so no word is
   cut in two at a seam.
2. Each piece goes to a worker as 16-bit PCM bytes (``client.scatter``), or, with
   ``shared_media``, as a place in a file every worker can read. The worker
   (``transcribe.cluster_worker.decode_piece``) decodes it with the same batches as a local
   run and returns plain segment data; the bytes are released as soon as the result is here.
3. Results are written in audio order as they arrive; a few pieces are in flight per worker.
   A piece whose worker dies is recomputed on another one by Dask; a failure is one clear
   ``ClusterError`` and what was written stays (run the same command again to resume).

Audio leaves this machine only for a scheduler on loopback or a private network, unless the
user passes ``allow_remote`` together with TLS (``distributed.Security``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from storage.core.errors import FieldScribeError
from storage.core.models import NUMBER_STYLES
from storage.core.words import verb

from .batches import ChunkResult
from .cluster_address import ClusterError as ClusterError
from .cluster_address import check_address as check_address
from .cluster_address import tls_security as tls_security
from .cluster_flow import ClusterStats as ClusterStats
from .cluster_flow import PieceStream, stream_key
from .cluster_flow import WorkerStats as WorkerStats
from .cluster_pieces import MAX_JOINS as MAX_JOINS
from .cluster_pieces import chunk_from_data as chunk_from_data
from .cluster_pieces import ends_in_speech as ends_in_speech
from .cluster_pieces import join_windows as join_windows
from .cluster_pieces import plan_pieces as plan_pieces
from .cluster_pieces import to_pcm as to_pcm
from .engine import BATCH_SIZE, WINDOW_S
from .model_load import (
    check_known,
    check_language,
    check_languages,
    default_threads,
    plan_workers,
)
from .models import ModelInfo
from .stream import Audio

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- the cluster
class Cluster:
    """A connected Dask client (and the ``LocalCluster`` it started, if any), checked: every
    worker runs this FieldScribe and has the model."""

    def __init__(
        self,
        client: Any,
        local: Any = None,
        *,
        address: str,
        shared_media: Path | None = None,
        piece_s: float = WINDOW_S,
    ) -> None:
        self.client = client
        self.local = local
        self.address = address
        self.shared_media = shared_media
        self.piece_s = piece_s
        self.stats = ClusterStats()
        self._checked: set[str] = set()
        self._count = 0
        self._counted_at = -1e9
        #: the recordings that will be transcribed next, in order (the CLI sets it): once a
        #: session's pieces are all sent, the next one's first pieces are sent too
        self.upcoming: list[Path] = []
        self._prefetched: PieceStream | None = None

    @property
    def worker_count(self) -> int:
        """Workers connected now (asked of the scheduler at most every two seconds)."""
        now = time.monotonic()
        if now - self._counted_at > 2.0:
            try:
                self._count = len(self.client.scheduler_info(n_workers=-1)["workers"])
            except Exception:  # the count is informative only
                self._count = 0
            self._counted_at = now
        return self._count

    def prepare(
        self,
        info: ModelInfo,
        beam_size: int,
        batch_size: int = BATCH_SIZE,
        numbers: str = NUMBER_STYLES[0],
    ) -> str:
        """Check every worker (version, model) and load the model on each; return the model's
        fingerprint.

        Raises:
            ClusterError: no worker, a worker with another version or without the model.
        """
        from .cluster_worker import (
            ModelPlugin,
            fieldscribe_version,
            model_fingerprint,
            worker_info,
        )

        assert info.path is not None
        mine = model_fingerprint(info.path)
        key = f"{info.name}/{mine}/{beam_size}/{batch_size}/{numbers}"
        if key in self._checked:
            return mine
        try:
            self.client.wait_for_workers(1, timeout=30)
            reports = self.client.run(worker_info, info.name)
        except TimeoutError as exc:
            raise ClusterError(
                f"The scheduler at {self.address} has no workers; start some with "
                f"`fieldscribe worker {self.address}`. Nothing was changed."
            ) from exc
        except (ImportError, AttributeError) as exc:
            raise ClusterError(
                f"A worker of {self.address} cannot run FieldScribe ({exc}); install this "
                f"FieldScribe ({fieldscribe_version()}) there. Nothing was changed."
            ) from exc
        except (OSError, RuntimeError) as exc:
            raise ClusterError(_lost(self.address, exc, "before anything was written")) from exc
        version = fieldscribe_version()
        other = [f"{a} ({r['version']})" for a, r in reports.items() if r["version"] != version]
        if other:
            raise ClusterError(
                f"{'Worker' if len(other) == 1 else 'Workers'} {', '.join(sorted(other))} "
                f"{verb(len(other), 'runs')} another FieldScribe than this one "
                f"({version}); install the same version everywhere. Nothing was changed."
            )
        missing = [a for a, r in reports.items() if "model_error" in r]
        if missing:
            first = reports[missing[0]]["model_error"]
            raise ClusterError(
                f"{'Worker' if len(missing) == 1 else 'Workers'} {', '.join(sorted(missing))} "
                f"{verb(len(missing), 'does')} not have the model {info.name!r} "
                f"({first}). Install it there (`fieldscribe models install {info.name}`) or "
                f"leave {'that worker' if len(missing) == 1 else 'those workers'} out. Nothing was "
                "changed."
            )
        different = [a for a, r in reports.items() if r.get("model") != mine]
        if different:
            raise ClusterError(
                f"{'Worker' if len(different) == 1 else 'Workers'} {', '.join(sorted(different))} "
                f"{verb(len(different), 'has')} another model named "
                f"{info.name!r} than this machine (the transcripts would differ); install the "
                "same one everywhere. Nothing was changed."
            )
        try:
            self.client.register_plugin(ModelPlugin(info.name, beam_size, batch_size, numbers))
        except (OSError, RuntimeError) as exc:
            raise ClusterError(_lost(self.address, exc, "before anything was written")) from exc
        self._checked.add(key)
        self.stats.workers = len(reports)
        return mine

    def prefetch(
        self, current: str | Path | Audio, job: dict[str, Any], engine: ClusterEngine
    ) -> PieceStream | None:
        """Start sending the recording after ``current`` in ``upcoming`` (from its start,
        with the same options); None when there is none."""
        if self._prefetched is not None or isinstance(current, np.ndarray):
            return self._prefetched
        paths = [Path(p) for p in self.upcoming]
        try:
            following = paths[paths.index(Path(current)) + 1]
        except (ValueError, IndexError):
            return None
        self._prefetched = PieceStream(engine, following, 0, job)
        return self._prefetched

    def adopt(
        self, source: str | Path | Audio, start_ms: int, job: dict[str, Any]
    ) -> PieceStream | None:
        """The pieces already sent for this recording with these options, if any (other
        prefetched pieces are dropped)."""
        stream, self._prefetched = self._prefetched, None
        if stream is None:
            return None
        if stream.key == stream_key(source, start_ms, job):
            return stream
        stream.drop()
        return None

    def drop_prefetch(self) -> None:
        """Cancel the pieces sent ahead for the next recording."""
        stream, self._prefetched = self._prefetched, None
        if stream is not None:
            stream.drop()

    def engine(self, **options: Any) -> Any:
        """The ``engine`` for ``transcribe_session``: builds a ``ClusterEngine`` on this
        cluster."""

        def build(info: ModelInfo, **kwargs: Any) -> ClusterEngine:
            return ClusterEngine(info, cluster=self, **kwargs, **options)

        return build

    def close(self) -> None:
        """Disconnect (and stop the local cluster); nothing stays on the workers: the model
        plugin is removed (its teardown drops the loaded models) and the client's data with
        the client."""
        from .cluster_worker import ModelPlugin

        self.drop_prefetch()
        if self._checked and self.local is None:
            with contextlib.suppress(Exception):
                self.client.unregister_worker_plugin(ModelPlugin.name)
        with contextlib.suppress(Exception):
            self.client.close(timeout=5)
        if self.local is not None:
            with contextlib.suppress(Exception):
                self.local.close(timeout=10)


def _lost(address: str, exc: BaseException, what: str) -> str:
    reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return (
        f"Lost the connection to the Dask scheduler at {address} ({reason}); {what}. Start the "
        "scheduler again (or check the network), then run the same command to resume."
    )


@contextlib.contextmanager
def open_cluster(
    address: str | None = None,
    *,
    workers: int | None = None,
    allow_remote: bool = False,
    security: Any = None,
    shared_media: Path | None = None,
    piece_s: float = WINDOW_S,
    timeout_s: float = 10.0,
    memory_limit: str | int | None = "auto",
) -> Iterator[Cluster]:
    """Connect to the scheduler at ``address``, or start a ``LocalCluster`` of ``workers``
    single-threaded process workers on this machine; close both afterwards.

    Raises:
        ClusterError: a refused or unreachable address (nothing is changed).
    """
    logging.getLogger("distributed").setLevel(logging.ERROR)
    if (address is None) == (workers is None):
        raise ClusterError("Give either a scheduler address or a number of local workers.")
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError(
            "Cluster transcription needs Dask: pip install 'fieldscribe[cluster]'."
        ) from exc
    local = None
    if workers is not None:
        if workers < 1:
            raise ClusterError("--workers must be at least 1.")
        try:
            local = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                memory_limit=memory_limit,
                silence_logs=logging.ERROR,
                death_timeout=30,  # an orphaned worker (client killed) stops by itself
                # a plain dict holds the worker's results: Dask's default spills them (pieces
                # of the recording's audio among them) to files in its scratch folder when
                # memory runs short, and the workers here write no file (docs/PRIVACY.md)
                data=dict,
            )
            client = Client(local, timeout=timeout_s)  # type: ignore[no-untyped-call]
        except (OSError, RuntimeError, TimeoutError) as exc:
            if local is not None:
                with contextlib.suppress(Exception):
                    local.close()
            raise ClusterError(f"Cannot start {workers} local Dask workers ({exc}).") from exc
        where = local.scheduler_address
    else:
        assert address is not None
        where = check_address(address, allow_remote=allow_remote, tls=security is not None)
        try:
            client = Client(  # type: ignore[no-untyped-call]
                where, security=security, timeout=timeout_s, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(
                f"Cannot reach the Dask scheduler at {where} ({str(exc).splitlines()[0][:160]});"
                " is it running (`dask scheduler`) and reachable? Nothing was changed."
            ) from exc
    cluster = Cluster(client, local, address=where, shared_media=shared_media, piece_s=piece_s)
    try:
        yield cluster
    finally:
        cluster.close()


class ClusterEngine:
    """Decodes a recording on the cluster's workers; shaped like ``Transcriber`` for
    ``transcribe_session`` (which writes what ``transcribe_chunks`` yields).

    Args:
        info: the model (resolved here; every worker must have the same one).
        cluster: a prepared ``Cluster``.
        threads: as for a local run: decides how a window's speech is split into batches, so
            that the result equals a local run's (default: this machine's cores).
        beam_size: beam search width.
        numbers: "words" (as said) or "digits", as for ``Transcriber``.
        ahead: pieces in flight per worker.
    """

    def __init__(
        self,
        info: ModelInfo,
        *,
        cluster: Cluster,
        threads: int | None = None,
        beam_size: int = 5,
        batch_size: int = BATCH_SIZE,
        numbers: str = NUMBER_STYLES[0],
        ahead: int = 2,
    ) -> None:
        self.info = info
        self.cluster = cluster
        self.threads = threads or default_threads()
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.numbers = numbers
        self.ahead = ahead
        self.split = plan_workers("cpu", self.threads)[0]
        self.fingerprint = cluster.prepare(info, beam_size, batch_size, numbers)

    @property
    def multilingual(self) -> bool:
        """Whether the model knows languages other than English."""
        return self.info.multilingual

    def check_language(self, language: str | None) -> str | None:
        """As ``Transcriber.check_language`` (without loading the model here)."""
        code = check_language(self.info, language)
        if code is not None:
            from faster_whisper.tokenizer import _LANGUAGE_CODES

            check_known(code, _LANGUAGE_CODES)
        return code

    def check_languages(self, languages: list[str] | None) -> list[str]:
        """As ``Transcriber.check_languages``."""
        return check_languages(self.check_language, languages)

    def transcribe_chunks(
        self,
        audio: str | Path | Audio,
        *,
        language: str | None = None,
        languages: list[str] | None = None,
        start_ms: int = 0,
        cancel: threading.Event | None = None,
    ) -> Iterator[ChunkResult]:
        """Send the pieces from ``start_ms`` to the workers; yield their batches in audio
        order as they come back.

        Once every piece of this recording is sent, the first pieces of the next recording
        the cluster was told about (``Cluster.upcoming``) are sent with the same options, so
        that the workers are not idle while the last pieces of this one finish; the next
        session adopts them when it starts with the same options (else they are dropped).

        Raises:
            ClusterError: the scheduler went away, a worker died again and again (out of
                memory?) or ran out of memory, or the pieces failed otherwise.
        """
        from .cluster_worker import fieldscribe_version

        stopped = cancel.is_set if cancel is not None else (lambda: False)
        job_base = {
            "version": fieldscribe_version(),
            "model": self.info.name,
            "fingerprint": self.fingerprint,
            "language": language,
            "languages": list(languages or []),
            "beam_size": self.beam_size,
            "batch_size": self.batch_size,
            "numbers": self.numbers,
            "split": self.split,
        }
        stream = self.cluster.adopt(audio, start_ms, job_base)
        if stream is None:
            stream = PieceStream(self, audio, start_ms, job_base)
        stream.cancel = stopped
        following: PieceStream | None = None
        waited = 0
        finished_ok = False
        try:
            while True:
                # a few pieces per worker in flight (their bytes are kept here until their
                # result is back: at most workers + 8 pieces, ~10 MB each at 5 minutes)
                workers = max(1, self.cluster.worker_count)
                limit = max(2, min(self.ahead * workers, workers + 8))
                while not stream.exhausted and stream.in_flight() < limit and not stopped():
                    stream.submit_next()
                if stream.exhausted and not stopped():
                    following = following or self.cluster.prefetch(audio, job_base, self)
                    while (
                        following is not None
                        and not following.exhausted
                        and stream.in_flight() + following.in_flight() < limit
                    ):
                        following.submit_next()
                while stream.ready():
                    for chunk in stream.pop()["chunks"]:
                        yield chunk_from_data(chunk)
                if stopped() or stream.finished():
                    finished_ok = not stopped()
                    return
                got = stream.collect() + (following.collect() if following is not None else 0)
                if not got:
                    waited += 1
                    if waited % 20 == 0:
                        self._check_connected()
                    time.sleep(0.025)
        except FieldScribeError:
            raise
        except Exception as exc:
            raise self._explain(exc) from exc
        finally:
            if not finished_ok:
                stream.drop()
                self.cluster.drop_prefetch()

    def _check_connected(self) -> None:
        """Raise when the client has lost its scheduler for good."""
        status = getattr(self.cluster.client, "status", "running")
        if status in ("closed", "closing", "failed"):
            raise ClusterError(
                _lost(self.cluster.address, OSError(status), "what was transcribed is saved")
            )

    def _shared_path(self, audio: str | Path | Audio) -> Path | None:
        root = self.cluster.shared_media
        if root is None or isinstance(audio, np.ndarray):
            return None
        return root / Path(audio).name

    def _explain(self, exc: BaseException) -> ClusterError:
        """One clear message for a failure on the cluster."""
        from distributed.scheduler import KilledWorker

        text = str(exc)
        where = self.cluster.address
        if isinstance(exc, KilledWorker):
            return ClusterError(
                "A piece of the recording made its worker die several times (out of memory, or "
                f"killed): {text.splitlines()[0][:160] if text else 'KilledWorker'}. What was "
                "transcribed is saved; give the workers more memory (or use a smaller model), "
                "then run the same command again to resume."
            )
        if isinstance(exc, MemoryError) or "out of memory" in text.lower() or "bad_alloc" in text:
            return ClusterError(
                "A worker ran out of memory while transcribing a piece. What was transcribed "
                "is saved; give the workers more memory (fewer workers per machine, or a "
                "smaller model), then run the same command again to resume."
            )
        if _connection_error(exc):
            return ClusterError(_lost(where, exc, "what was transcribed so far is saved"))
        return ClusterError(
            f"Transcribing on the cluster failed ({type(exc).__name__}: {text[:200]}). What "
            "was transcribed is saved; run the same command again to resume."
        )


def _connection_error(exc: BaseException) -> bool:
    from asyncio import CancelledError as AsyncCancelled
    from concurrent.futures import CancelledError

    from distributed.comm.core import CommClosedError

    return isinstance(exc, OSError | CommClosedError | CancelledError | AsyncCancelled) or (
        "scheduler" in str(exc).lower() and "lost" in str(exc).lower()
    )

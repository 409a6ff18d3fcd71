"""The pieces of a recording on their way to a cluster's workers and back, in audio order
(``PieceStream``: sent a few at a time, a piece whose worker died sent again, results taken as
they finish), and the figures they leave for progress bars (``ClusterStats``)."""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .cluster_pieces import plan_pieces, to_pcm
from .stream import SAMPLE_RATE, Audio

if TYPE_CHECKING:
    from .cluster import ClusterEngine


@dataclass
class WorkerStats:
    """What one worker did in this run."""

    pieces: int = 0
    audio_ms: int = 0
    seconds: float = 0.0


@dataclass
class ClusterStats:
    """Progress over a whole run (every session), for progress bars."""

    workers: int = 0
    pieces_done: int = 0
    pieces_sent: int = 0
    audio_ms_done: int = 0
    per_worker: dict[str, WorkerStats] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def describe(self, total_ms: int | None = None) -> str:
        """One short line: workers, audio hours done (of ``total_ms``), rate, ETA."""
        hours = self.audio_ms_done / 3_600_000
        elapsed = max(1e-6, time.monotonic() - self.started)
        rate = hours / (elapsed / 3600)
        busy = sum(1 for w in self.per_worker.values() if w.pieces)
        text = f"{busy}/{self.workers} workers, {hours:.2f}"
        if total_ms:
            text += f"/{total_ms / 3_600_000:.2f}"
            if rate > 0:
                left = max(0.0, total_ms / 3_600_000 - hours) / rate * 3600
                text += f" h, {rate:.1f} h/h, all ETA {left:.0f}s"
                return text
        return text + f" h, {rate:.1f} h/h"

    def as_dict(self) -> dict[str, Any]:
        """For --json: totals and each worker's pieces, audio and speed."""
        return {
            "workers": self.workers,
            "pieces": self.pieces_done,
            "audio_hours": round(self.audio_ms_done / 3_600_000, 4),
            "per_worker": {
                name: {
                    "pieces": w.pieces,
                    "audio_s": round(w.audio_ms / 1000, 1),
                    "speed": round(w.audio_ms / 1000 / w.seconds, 2) if w.seconds else None,
                }
                for name, w in sorted(self.per_worker.items())
            },
        }


MAX_ATTEMPTS = 3


@dataclass
class Piece:
    """A piece on its way: the job, its samples kept here until its result is back (so that
    they can be sent again), and their scattered copy."""

    job: dict[str, Any]
    pcm: bytes | None
    data: Any = None
    attempts: int = 0


class PieceStream:
    """The pieces of one recording on their way to the workers and back, in order."""

    def __init__(
        self, engine: ClusterEngine, source: str | Path | Audio, start_ms: int, job: dict[str, Any]
    ) -> None:
        self.engine = engine
        self.client = engine.cluster.client
        self.key = stream_key(source, start_ms, job)
        self.cancel: Any = lambda: False
        self.pieces = plan_pieces(
            source, start_ms=start_ms, piece_s=engine.cluster.piece_s, stop=lambda: self.cancel()
        )
        shared = engine._shared_path(source)
        self.job = {**job, "path": None if shared is None else str(shared)}
        self.run = uuid.uuid4().hex[:8]
        self.running: dict[Any, Piece] = {}  # future -> the piece it computes
        self.done: dict[int, dict[str, Any]] = {}
        self.sent = 0
        self.yielded = 0
        self.exhausted = False
        # the first sample of the next piece in the file (windows carry rounded milliseconds)
        self.next_sample = round(start_ms * SAMPLE_RATE / 1000)

    def in_flight(self) -> int:
        """Pieces sent and not yet handed on."""
        return self.sent - self.yielded

    def submit_next(self) -> None:
        """Plan the next piece and send it (or note that there is none)."""
        window = next(self.pieces, None)
        if window is None:
            self.exhausted = True
            return
        job = {
            **self.job,
            "index": self.sent,
            "start_ms": window.start_ms,
            "first_sample": self.next_sample,
            "samples": len(window.audio),
            "speech": window.speech,
            "final": window.final,
        }
        self.next_sample += len(window.audio)
        piece = Piece(job, None if job["path"] else to_pcm(window.audio))
        self.running[self._submit(piece)] = piece
        self.sent += 1
        self.engine.cluster.stats.pieces_sent += 1

    def _submit(self, piece: Piece) -> Any:
        """Scatter a piece's bytes to a worker and submit its decoding; return the future."""
        from .cluster_worker import decode_piece

        piece.attempts += 1
        piece.data = None if piece.pcm is None else self.client.scatter(piece.pcm, hash=False)
        return self.client.submit(
            decode_piece,
            piece.job,
            piece.data,
            key=f"fieldscribe-piece-{self.run}-{piece.job['index']}-{piece.attempts}",
            pure=False,
            retries=1,
        )

    def collect(self) -> int:
        """Take the results of the pieces that finished; return how many finished.

        Polled, not ``distributed.wait``: that raises as soon as a piece is cancelled (its
        worker died with its bytes), and such a piece is sent again here.
        """
        finished = [future for future in self.running if future.done()]
        for future in finished:
            piece = self.running.pop(future)
            if future.status == "cancelled" and self._resend(piece):
                self._release(future, piece)
                self.running[self._submit(piece)] = piece
                continue
            try:
                result = future.result()
            finally:  # a failed piece's bytes are released too
                self._release(future, piece)
                piece.pcm = None
            self.done[piece.job["index"]] = result
            self._count(result)
        return len(finished)

    def ready(self) -> bool:
        """Whether the next piece in audio order is back."""
        return self.yielded in self.done

    def pop(self) -> dict[str, Any]:
        """The next piece's result, in audio order."""
        result = self.done.pop(self.yielded)
        self.yielded += 1
        return result

    def finished(self) -> bool:
        """Every piece sent, back and handed on."""
        return self.exhausted and not self.running and not self.done

    def drop(self) -> None:
        """Cancel what is in flight and release it (nothing stays on the workers)."""
        from asyncio import CancelledError  # not an Exception: a cancel can raise it

        for future, piece in self.running.items():
            if piece.data is not None:  # the bytes first: they matter most
                with contextlib.suppress(Exception, CancelledError):
                    piece.data.release()
                piece.data = None
            with contextlib.suppress(Exception, CancelledError):
                future.cancel()
            with contextlib.suppress(Exception, CancelledError):
                future.release()
        self.running.clear()
        self.done.clear()
        with contextlib.suppress(Exception):
            self.pieces.close()  # type: ignore[attr-defined]

    def _resend(self, piece: Piece) -> bool:
        """Whether a cancelled piece is sent again: its worker died and took the scattered
        bytes along (Dask cannot recompute scattered data), the scheduler is still here."""
        if piece.attempts >= MAX_ATTEMPTS:
            return False
        status = getattr(self.client, "status", "running")
        return status == "running" and self.engine.cluster.worker_count > 0

    @staticmethod
    def _release(future: Any, piece: Piece) -> None:
        """Drop the piece's result and bytes from the cluster."""
        future.release()
        if piece.data is not None:
            piece.data.release()
            piece.data = None

    def _count(self, result: dict[str, Any]) -> None:
        stats = self.engine.cluster.stats
        stats.pieces_done += 1
        stats.audio_ms_done += result["audio_ms"]
        worker = stats.per_worker.setdefault(result["worker"], WorkerStats())
        worker.pieces += 1
        worker.audio_ms += result["audio_ms"]
        worker.seconds += result["seconds"]


def stream_key(source: str | Path | Audio, start_ms: int, job: dict[str, Any]) -> str:
    where = f"array:{id(source)}" if isinstance(source, np.ndarray) else str(Path(source))
    return f"{where}|{start_ms}|{sorted(job.items())!r}"

"""Batches: a window's speech planned into batches of pieces, how far the batches being decoded
are (progress between results), and the windows read ahead in the background."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from storage.transcript.transcript import SegmentDraft

from .stream import SAMPLE_RATE, Window, pack_pieces


@dataclass
class ChunkResult:
    """The segments of one batch of audio, and how far the audio is done after it."""

    segments: list[SegmentDraft]
    start_ms: int  # the batch covers [start_ms, done_ms) of the recording
    done_ms: int
    language: str | None
    final: bool = False
    dropped: list[str] = field(default_factory=list)  # why pieces were rejected (for tests)


@dataclass
class BatchPlan:
    """The pieces of one batch and the part of the recording its result completes."""

    groups: list[list[dict[str, int]]]
    start_ms: int
    done_ms: int
    final: bool


def plan_batches(window: Window, batch_size: int, workers: int = 1) -> list[BatchPlan]:
    """Split a window's speech into batches of pieces, in order, with their done marks.

    With several workers the batches of a short window are made smaller so that every worker
    gets one (a window with four pieces and two workers: two batches of two).
    """
    groups = pack_pieces(window.speech)
    if not groups:
        return [BatchPlan([], window.start_ms, window.end_ms, window.final)]
    size = max(1, min(batch_size, -(-len(groups) // workers)))
    plans = []
    previous_ms = window.start_ms
    for b in range(0, len(groups), size):
        last = b + size >= len(groups)
        if last:
            done_ms = window.end_ms
        else:
            end = groups[b + size - 1][-1]["end"]
            start = groups[b + size][0]["start"]
            done_ms = window.start_ms + round((end + start) / 2 * 1000 / SAMPLE_RATE)
        plans.append(BatchPlan(groups[b : b + size], previous_ms, done_ms, window.final and last))
        previous_ms = done_ms
    return plans


class InFlight:
    """How far the batches being decoded are, for progress between their results.

    A batch counts for its part of the recording (``BatchPlan``: start_ms to done_ms) times
    the share of its work done (languages identified piece by piece, then each language's
    stretches decoded), until its result is yielded. Written from the decoding threads, read
    from the caller's. A batch whose work is all done but not yet yielded counts whole.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batches: dict[int, tuple[int, float]] = {}  # start_ms -> (span ms, share done)

    def begin(self, plan: BatchPlan) -> None:
        """A batch was handed to a decoding thread."""
        with self._lock:
            self._batches[plan.start_ms] = (max(0, plan.done_ms - plan.start_ms), 0.0)

    def advance(self, start_ms: int, share: float) -> None:
        """The batch starting at ``start_ms`` has done ``share`` (0..1) of its work (never
        less than it said before; a batch not begun here, a cluster's, is ignored)."""
        with self._lock:
            held = self._batches.get(start_ms)
            if held is not None and share > held[1]:
                self._batches[start_ms] = (held[0], min(1.0, share))

    def end(self, start_ms: int) -> None:
        """The batch's result was yielded (its part is now the caller's ``done_ms``)."""
        with self._lock:
            self._batches.pop(start_ms, None)

    def ms(self) -> int:
        """The milliseconds of the recording the unyielded batches have done."""
        with self._lock:
            return round(sum(span * share for span, share in self._batches.values()))


class Prefetch:
    """Iterate a window generator in a background thread, one window ahead.

    Reading (ffmpeg) and the VAD of the next window then overlap the decoding of this one.
    ``close`` stops the thread and closes the generator (and with it the ffmpeg process).
    """

    _END = object()

    def __init__(self, source: Iterator[Window], stop: threading.Event | None = None) -> None:
        self._source = source
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._room = threading.Semaphore(1)  # at most one window read ahead of the decoders
        self._stop = stop or threading.Event()  # set by close(); the source may watch it too
        self._thread = threading.Thread(
            target=self._produce, name="fieldscribe-windows", daemon=True
        )
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _wait_for_room(self) -> bool:
        while not self._stop.is_set():
            if self._room.acquire(timeout=0.1):
                return True
        return False

    def _produce(self) -> None:
        try:
            while self._wait_for_room():
                window = next(self._source, None)
                if window is None:
                    self._put(self._END)
                    break
                if not self._put(window):
                    break
        except BaseException as exc:  # raised again in the consuming thread
            self._put(exc)
        finally:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[Window]:
        while True:
            item = self._queue.get()
            self._room.release()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        """Stop reading ahead; wait (briefly) for the reader to close its file."""
        self._stop.set()
        self._thread.join(timeout=5)

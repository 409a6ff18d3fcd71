"""An engine without Whisper for cancel tests: one quick batch, then a batch that is being
decoded when Cancel is pressed and takes ``LONG_BATCH_S`` more to finish."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from storage.transcript.transcript import SegmentDraft
from transcribe.batches import ChunkResult

LONG_BATCH_S = 3.0


class SlowSecondBatch:
    """Called like ``Transcriber``; ``first_written`` is set once the first batch is handed
    over, ``decoding`` while the second one is decoded."""

    multilingual = False
    threads = 1
    beam_size = 1

    def __init__(self, *_a: Any, **_k: Any) -> None:
        self.decoding = threading.Event()

    def check_language(self, language: str | None) -> str | None:
        return language

    def check_languages(self, languages: list[str] | None) -> list[str]:
        return list(languages or [])

    def transcribe_chunks(
        self, _path: Any, *, cancel: threading.Event, start_ms: int = 0, **_k: Any
    ) -> Iterator[ChunkResult]:
        yield ChunkResult([SegmentDraft(100, 900, "first batch")], 0, 1000, "en")
        self.decoding.set()
        cancel.wait(30)  # the user cancels while the second batch is decoded
        time.sleep(LONG_BATCH_S)
        yield ChunkResult([SegmentDraft(1100, 1900, "second batch")], 1000, 2000, "en")
        # cancelled: no new batch starts


class UnevenBatches(SlowSecondBatch):
    """Transcribes a recording of ``total_ms`` in equal batches, the next one written after
    each pause of ``pauses`` (seconds): a run whose pace changes from batch to batch."""

    def __init__(self, total_ms: int, pauses: list[float]) -> None:
        super().__init__()
        self.total_ms, self.pauses = total_ms, pauses

    def transcribe_chunks(
        self, _path: Any, *, cancel: threading.Event, start_ms: int = 0, **_k: Any
    ) -> Iterator[ChunkResult]:
        step = self.total_ms // len(self.pauses)
        for i, pause in enumerate(self.pauses):
            if cancel.wait(pause):
                return
            begin, end = i * step, self.total_ms if i == len(self.pauses) - 1 else (i + 1) * step
            yield ChunkResult(
                [SegmentDraft(begin, end, f"batch {i + 1}")],
                begin,
                end,
                "en",
                final=end >= self.total_ms,
            )

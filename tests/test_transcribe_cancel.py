"""A cancel keeps what was decoded: every batch started before it is written, in order, and a
resume writes the rest, each batch once (a property test against a model of the batches)."""

from __future__ import annotations

import tempfile
import threading
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import tone_wav
from transcribe.batches import ChunkResult

BATCHES = 8  # batches of one second: the recording is 8 s


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_wav(tmp_path_factory.mktemp("tone") / "t.wav", seconds=float(BATCHES))


class Batches:
    """An engine with the real one's contract: ``workers`` batches decoded at a time, yielded
    in order; after its ``cancel`` no batch starts and those started are still yielded.
    ``press`` is called as each batch starts (the user may cancel then)."""

    def __init__(self, workers: int, press: Any) -> None:
        self.threads = workers
        self.beam_size = 5
        self.multilingual = True
        self.workers = workers
        self.press = press

    def check_language(self, language: str | None) -> str | None:
        return language

    def check_languages(self, languages: list[str] | None) -> list[str]:
        return list(languages or [])

    def transcribe_chunks(
        self, _path: Any, *, start_ms: int, cancel: threading.Event, **_k: Any
    ) -> Any:
        pending: deque[int] = deque()
        nxt = start_ms // 1000
        while True:
            while not cancel.is_set() and nxt < BATCHES and len(pending) < self.workers:
                pending.append(nxt)
                if self.press(nxt):
                    cancel.wait(5)  # the runner passes the user's cancel on
                nxt += 1
            if not pending:
                return
            b = pending.popleft()
            said = SegmentDraft(b * 1000 + 100, b * 1000 + 800, f"batch {b}")
            yield ChunkResult([said], b * 1000, (b + 1) * 1000, "ru", final=b == BATCHES - 1)


@settings(max_examples=20, deadline=None)
@given(
    workers=st.integers(1, 3),
    cancel_at=st.one_of(st.none(), st.integers(0, BATCHES - 1)),
)
def test_a_cancel_writes_every_batch_started_and_a_resume_the_rest(
    tone: Path, workers: int, cancel_at: int | None
) -> None:
    from transcribe.runner import transcribe_session

    with tempfile.TemporaryDirectory() as tmp:
        with Project.create(Path(tmp) / "P.fieldscribe", name="P", coder="a") as project:
            project.set_languages("ru")
            session = project.sessions.import_audio(tone)
            cancel = threading.Event()

            def press(batch: int) -> bool:
                if batch == cancel_at:
                    cancel.set()
                    return True
                return False

            def engine(*_a: Any, **_k: Any) -> Batches:
                return Batches(workers, press)

            first = transcribe_session(project, session.id, engine=engine, cancel=cancel)
            # the model: batches 0..cancel_at started (the one cancelled at included)
            started = BATCHES if cancel_at is None else cancel_at + 1
            texts = [s.text for s in project.transcript.segments(session.id)]
            assert texts == [f"batch {b}" for b in range(started)]
            state = project.transcription.transcription_state(session.id)
            assert state is not None
            if started < BATCHES:
                assert first.cancelled and state.status == "cancelled"
                assert state.done_ms == started * 1000
            else:  # the last batch was written: the recording is done
                assert not first.cancelled and state.status == "done"

            again = transcribe_session(project, session.id, engine=engine)
            assert not again.cancelled
            texts = [s.text for s in project.transcript.segments(session.id)]
            assert texts == [f"batch {b}" for b in range(BATCHES)]  # each once, in order

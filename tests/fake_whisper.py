"""What every fake Whisper engine of the runner's tests shares: a multilingual model that takes
the languages it is given; each test's fake adds its own ``transcribe_chunks``."""

from __future__ import annotations

from typing import Any, ClassVar


class FakeWhisperBase:
    multilingual = True

    def __init__(self, *_a: Any, **_k: Any) -> None:
        self.threads, self.beam_size = 1, 1

    def check_language(self, language: str | None) -> str | None:
        return language

    def check_languages(self, languages: list[str] | None) -> list[str]:
        return list(languages or [])


def use_fake_whisper(monkeypatch: Any, engine: type) -> None:
    """Transcribe with ``engine`` instead of Whisper: the runner builds it, the model is a
    multilingual "fake" and every language asked for is accepted."""
    import types

    from transcribe import run_model, runner

    monkeypatch.setattr(runner, "Transcriber", engine)
    monkeypatch.setattr(
        run_model,
        "resolve_model",
        lambda _spec: types.SimpleNamespace(name="fake", multilingual=True, removable=False),
    )
    monkeypatch.setattr(runner, "check_language", lambda _info, language: language)


#: the length of the recording a ``OneBatchWhisper`` transcribes (``one_batch_fixtures``' wav)
TOTAL_MS = 6000


class OneBatchWhisper(FakeWhisperBase):
    """Writes ``drafts`` in one batch over the whole recording (``TOTAL_MS``): segment drafts
    as they are (copied), ``(start, end, text)`` as Russian segments (an empty text: speech
    without transcript). Each test module subclasses it, so that its drafts are its own."""

    drafts: ClassVar[list[Any]] = []

    def transcribe_chunks(self, _path: Any, *, start_ms: int = 0, **_k: Any) -> Any:
        from transcribe.batches import ChunkResult

        drafts = [_draft(d) for d in type(self).drafts]
        yield ChunkResult(drafts, start_ms, TOTAL_MS, "ru", final=True)


def _draft(d: Any) -> Any:
    from storage.transcript.transcript import SegmentDraft

    if isinstance(d, SegmentDraft):
        return SegmentDraft(**vars(d))
    start, end, text = d
    return SegmentDraft(start, end, text, language="ru", untranscribed=not text)


def one_batch_fixtures(engine: type[OneBatchWhisper]) -> tuple[Any, Any]:
    """The fixtures a module of ``engine`` tests uses: ``fake_whisper`` (the engine put in
    place) and ``wav`` (a tone of ``TOTAL_MS``, once per module)."""
    import pytest

    from tests.hardening_support import tone_wav

    @pytest.fixture
    def fake_whisper(monkeypatch: pytest.MonkeyPatch) -> type[OneBatchWhisper]:
        use_fake_whisper(monkeypatch, engine)
        return engine

    @pytest.fixture(scope="module")
    def wav(tmp_path_factory: pytest.TempPathFactory) -> Any:
        return tone_wav(tmp_path_factory.mktemp("audio") / "fg.wav", seconds=TOTAL_MS / 1000)

    return fake_whisper, wav

"""What every fake Whisper engine of the runner's tests shares: a multilingual model that takes
the languages it is given; each test's fake adds its own ``transcribe_chunks``."""

from __future__ import annotations

from typing import Any


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
        lambda _spec: types.SimpleNamespace(name="fake", multilingual=True),
    )
    monkeypatch.setattr(runner, "check_language", lambda _info, language: language)

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

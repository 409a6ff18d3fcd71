"""A fixture that speaks turns in several languages with espeak-ng into one recording."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.media import espeak
from tests.transcribe_audio import sox


@pytest.fixture
def spoken(tmp_path: Path) -> Callable[[list[tuple[str, str]]], Path]:
    """``spoken([(voice, text), ...])``: a 16 kHz mono WAV of the turns (espeak-ng at its
    usual rate), 0.8 s apart."""

    def make(turns: list[tuple[str, str]]) -> Path:
        parts = []
        for i, (voice, text) in enumerate(turns):
            raw = espeak(tmp_path / f"t{i}.wav", text, voice=voice, speed=175)
            part = tmp_path / f"p{i}.wav"
            sox(raw, "-r", "16000", "-c", "1", part, "pad", "0", "0.8")
            parts.append(part)
        out = tmp_path / "turns.wav"
        sox(*parts, out)
        return out

    return make

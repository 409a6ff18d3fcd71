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
        raws = [
            espeak(tmp_path / f"t{i}.wav", text, voice=voice, speed=175)
            for i, (voice, text) in enumerate(turns)
        ]
        return join_turns(tmp_path, raws, pause_s=0.8)

    return make


def join_turns(folder: Path, turns: list[Path], pause_s: float) -> Path:
    """One 16 kHz mono WAV (``folder/turns.wav``) of the recordings, ``pause_s`` apart."""
    parts = []
    for i, turn in enumerate(turns):
        part = folder / f"p{i}.wav"
        sox(turn, "-r", "16000", "-c", "1", part, "pad", "0", f"{pause_s}")
        parts.append(part)
    out = folder / "turns.wav"
    sox(*parts, out)
    return out

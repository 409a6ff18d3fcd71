"""Recordings as phones and messengers make them (an Android recorder's .3gp, an iPhone's
.caf, a WhatsApp or Telegram voice note's .oga/.opus, an audiobook-style .m4b) import as any
other."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from storage.core.audio import AUDIO_EXTENSIONS
from tests.media import convert

MADE = {  # how ffmpeg here writes each (format and codec a phone would use)
    ".3gp": ("-c:a", "aac", "-ar", "16000"),
    ".3ga": ("-c:a", "aac", "-f", "3gp"),
    ".m4b": ("-c:a", "aac", "-f", "ipod"),
    ".caf": ("-c:a", "pcm_s16le", "-f", "caf"),
    ".oga": ("-c:a", "libopus", "-f", "ogg"),
    ".mka": (
        "-c:a",
        "libopus",
    ),
}


@pytest.mark.parametrize("ext", sorted(MADE))
def test_a_phone_recording_imports_with_its_length(
    tmp_path: Path, speech_wav: Path, ext: str
) -> None:
    src = convert(speech_wav, tmp_path / f"Запись 2026-03-02{ext}", *MADE[ext])
    with Project.create(tmp_path / "P.fieldscribe", name="P", coder="a") as p:
        [session] = p.sessions.import_audio_files([src])
        [wav] = p.sessions.import_audio_files([speech_wav])
    assert ext in AUDIO_EXTENSIONS
    assert abs(session.duration_ms - wav.duration_ms) < 100

"""A telephone call (300-3400 Hz, 8 kHz): its speech is found as a full-band recording's is.

Silero VAD hears telephone-band speech with a probability of 0.3 to 0.5 where it hears the same
voice full-band with 0.9; at its usual threshold whole sentences of a phone interview were
never called speech, so they were neither transcribed nor marked speech without transcript.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.media import real_russian
from tests.transcribe_audio import quiet_noise, sox
from transcribe import stream
from transcribe.stream import SAMPLE_RATE, PcmReader, detect_speech

S = SAMPLE_RATE


def _read(path: Path) -> np.ndarray:
    with PcmReader(path) as reader:
        return reader.read(S * 120)


def _speech_s(chunks: list[dict[str, int]]) -> float:
    return sum(c["end"] - c["start"] for c in chunks) / S


def _reading(tmp_path: Path) -> Path:
    """Four sentences of a man reading (festvox-ru), 0.8 s apart: 33 s."""
    try:
        parts = [real_russian(i)[0] for i in (40, 41, 42, 43)]
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    out = tmp_path / "reading.wav"
    padded = []
    for i, part in enumerate(parts):
        padded.append(tmp_path / f"r{i}.wav")
        sox(part, "-r", "16000", "-c", "1", "-b", "16", padded[-1], "pad", "0", "0.8")
    sox(*padded, out)
    return out


def test_speech_of_a_telephone_call_is_found_as_full_band_speech_is(tmp_path: Path) -> None:
    wide = _reading(tmp_path)
    phone = tmp_path / "phone.wav"
    sox(wide, "-b", "16", phone, "sinc", "300-3400", "rate", "8000")  # a phone line, 8 kHz
    full, call = _read(wide), _read(phone)
    expected = _speech_s(detect_speech(full))
    assert expected > 25
    # every sentence is found whole: not one second of the reading goes missing on the phone
    assert _speech_s(detect_speech(call)) >= expected - 1.0
    found = detect_speech(call)
    for c in detect_speech(full):  # no stretch of speech without a chunk of the call over it
        overlap = sum(max(0, min(c["end"], f["end"]) - max(c["start"], f["start"])) for f in found)
        assert overlap >= 0.9 * (c["end"] - c["start"])
    # the finer pass that parts a chunk into turns hears the phone's pauses as the full band's
    whole = {"start": 0, "end": min(len(full), len(call))}
    assert len(stream.split_at_pauses(call, whole, S)) == len(
        stream.split_at_pauses(full, whole, S)
    )
    assert not stream.narrowband(full) and stream.narrowband(call)


def test_a_phone_line_without_speech_is_still_silence(tmp_path: Path) -> None:
    """The lower threshold only for narrowband audio, and line noise there is no speech."""
    hiss = quiet_noise(tmp_path / "hiss.wav", 30)
    for gain in ("-15", "-35"):
        line = tmp_path / f"line{gain}.wav"
        sox(hiss, line, "gain", "-n", gain, "sinc", "300-3400", "rate", "8000")
        audio = _read(line)
        assert stream.narrowband(audio)
        assert detect_speech(audio) == []
    assert not stream.narrowband(np.zeros(S, np.float32))  # digital silence: no band at all

"""Several people at once: crosstalk is speech without transcript, not words nobody said
(``transcribe.crosstalk``), with made-up voices, and with real speech through the whole pipeline
and the base model (the slow test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storage.core.models import Word
from storage.transcript.transcript import SegmentDraft
from tests.media import REAL_RU
from transcribe.crosstalk import LESS_VOICED, UNSURE, crosstalk, voicing
from transcribe.models import base_parts

RATE = 16000


def _voice(f0: float, seconds: float, seed: int) -> np.ndarray:
    """A voice-like sound: harmonics of a pitch that rises and falls, in syllables."""
    t = np.arange(int(seconds * RATE)) / RATE
    pitch = f0 * (1 + 0.15 * np.sin(2 * np.pi * 0.7 * t + seed))
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    tone = sum(np.sin(k * phase) / k for k in range(1, 12))
    syllables = 0.5 + 0.5 * np.abs(np.sin(2 * np.pi * 3 * t + seed))
    noise = np.random.default_rng(seed).normal(0, 0.002, t.size)
    return (0.1 * tone * syllables + noise).astype(np.float32)


def _voices(pitches: list[float], seconds: float) -> np.ndarray:
    return np.sum([_voice(f0, seconds, k) for k, f0 in enumerate(pitches, 1)], axis=0).astype(
        np.float32
    )


def _draft(start: float, end: float, text: str, sure: float, language: str = "ru") -> SegmentDraft:
    words = text.split()
    step = (end - start) / len(words)
    timed = [
        Word(round((start + i * step) * 1000), round((start + (i + 1) * step) * 1000), w, sure)
        for i, w in enumerate(words)
    ]
    return SegmentDraft(
        round(start * 1000), round(end * 1000), text, confidence=sure, words=timed,
        language=language,
    )  # fmt: skip


def test_one_voice_is_periodic_and_four_at_once_are_not() -> None:
    one = _voice(140, 3, 1)
    assert voicing(one) > 0.75
    noisy = one + np.random.default_rng(0).normal(0, 0.03, one.size).astype(np.float32)
    assert voicing(noisy) > 0.65  # loud noise under one voice: still one voice
    assert voicing(_voices([110, 163, 207, 251], 3)) < LESS_VOICED * voicing(one) - 0.1
    assert voicing(np.zeros(RATE, np.float32)) is None  # silence
    assert voicing(np.ones(100, np.float32)) is None  # shorter than a frame


def test_crosstalk_becomes_one_speech_without_transcript() -> None:
    """``focus-laughter``: a turn, then 5 s of four voices that Whisper wrote as "В нас все
    уйдет, все уйдет." (its words at 0.36) and "Удачи!" twice (0.31, 0.66), then a turn."""
    audio = np.concatenate([_voice(140, 4, 1), _voices([110, 163, 207, 251], 5), _voice(190, 4, 2)])
    drafts = [
        _draft(0, 4, "Гусев озирался повторял шепотом", 0.86),
        _draft(4.2, 6.4, "В нас все уйдет все уйдет", 0.36),
        _draft(6.6, 7.4, "Удачи", 0.31),
        _draft(8.0, 8.9, "Удачи", 0.66),
        _draft(9.1, 13, "Сквозь дрему улыбаясь он хмурил брови", 0.85),
    ]
    dropped: list[str] = []
    kept = crosstalk(drafts, audio, 0, dropped)
    assert [d.text for d in kept] == [drafts[0].text, "", drafts[4].text]
    hole = kept[1]
    assert hole.untranscribed and not hole.words and hole.language == "ru"
    assert (hole.start_ms, hole.end_ms) == (4200, 8900)
    assert len(dropped) == 3 and all(d.startswith("crosstalk") for d in dropped)
    # the audio starts at 2 s of the recording: the drafts' times are shifted back
    assert crosstalk(drafts, audio[2 * RATE :], 2000, []) == kept


def test_words_whisper_is_sure_of_or_one_voice_are_kept() -> None:
    """Either sign alone is not crosstalk: one voice Whisper is unsure of (real Kazakh, its
    words at 0.42), or several voices it reads surely (a speaker over a back-channel)."""
    audio = np.concatenate([_voice(140, 5, 1), _voice(180, 3, 2), _voices([110, 163, 207, 251], 3)])
    turn = _draft(0, 5, "Гусев озирался повторял шепотом", 0.86)
    unsure_one = [turn, _draft(5, 8, "Алғағра ебесмейтір жөртогта", 0.42, language="kk")]
    assert crosstalk(unsure_one, audio, 0, []) == unsure_one
    sure_many = [turn, _draft(8, 11, "Но вот из лесных куч", UNSURE)]
    assert crosstalk(sure_many, audio, 0, []) == sure_many
    # a short stretch of it, under a placeholder's length: left out, but noted
    dropped: list[str] = []
    assert crosstalk([turn, _draft(8, 8.8, "Удачи", 0.31)], audio, 0, dropped) == [turn]
    assert len(dropped) == 1


def test_a_recording_under_noise_is_not_crosstalk() -> None:
    """Noise over the whole recording makes every voice less periodic: measured against the
    batch's own speech, it is kept; and with too little speech to tell, nothing is decided."""
    rng = np.random.default_rng(5)
    audio = np.concatenate([_voice(140, 5, 1), _voice(190, 4, 2)])
    audio = (audio + rng.normal(0, 0.06, audio.size)).astype(np.float32)
    assert voicing(audio) < voicing(_voice(140, 5, 1)) - 0.15
    drafts = [
        _draft(0, 5, "Гусев озирался повторял шепотом", 0.5),
        _draft(5, 9, "Сквозь дрему улыбаясь", 0.4),
    ]
    assert crosstalk(drafts, audio, 0, []) == drafts
    crowd = _voices([110, 163, 207, 251], 3)
    assert crosstalk([_draft(0, 3, "Удачи", 0.31)], crowd, 0, []) == [_draft(0, 3, "Удачи", 0.31)]


# ------------------------------------------------------------------ real speech, base model
@pytest.mark.slow
@pytest.mark.skipif(base_parts() is None, reason="the base-model extra is missing")
@pytest.mark.skipif(
    not (REAL_RU / "etc" / "txt.done.data").exists(),
    reason="real Russian speech is missing: scripts/setup.sh --with-test-speech",
)
def test_crosstalk_in_a_focus_group_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bench's ``focus-laughter`` (``bench/focus_group_corpus.py``): real
    Russian turns (festvox-ru in several voices), the real Kazakh speaker, laughter, applause,
    and 5 s of four voices at once. Whisper ``base`` wrote the crosstalk as "В нас все уйдет,
    все уйдет." and "Удачи!" twice; now it is speech without transcript, and every turn's words
    are kept. The whole recording, as the bench hears it: its first 32 s alone are decoded
    otherwise, and there "В нас… Возьми." (the crosstalk's first second, where only one or two
    of the voices have begun: 0.82 of the typical voicing) is still written."""
    import soundfile as sf

    from transcribe.engine import Transcriber

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "bench"))
    import focus_group_corpus

    path, turns, sounds = focus_group_corpus.build(tmp_path, "focus-laughter")
    audio, _ = sf.read(path, dtype="float32")
    talk = next(s for s in sounds if s.kind == "crosstalk")
    drafts = list(
        Transcriber("base", threads=2, device="cpu").transcribe(audio, languages=["ru", "kk", "en"])
    )
    shown = [(d.start_ms, d.end_ms, d.language, d.untranscribed, d.text) for d in drafts]

    def inside(d: SegmentDraft) -> float:  # seconds of the segment inside the crosstalk
        return max(0.0, min(d.end_ms / 1000, talk.end) - max(d.start_ms / 1000, talk.start))

    # the crosstalk's segments are speech without transcript; a written segment may only
    # touch its edge (the next turn's first word placed early, under the laughter that
    # begins before it: 0.5 s on one CPU, none on another)
    over = [d for d in drafts if inside(d) > (d.end_ms - d.start_ms) / 2000]
    assert over and all(d.untranscribed for d in over), shown
    edges = [d for d in drafts if not d.untranscribed and inside(d) > 0]
    assert all(inside(d) < 1.0 for d in edges), shown
    heard = " ".join(d.text for d in drafts).lower()
    assert "уйдет" not in heard and "удачи" not in heard, shown
    # every turn before and after it is still written
    for turn in turns:
        said = [d for d in drafts if d.text and turn.start < d.end_ms / 1000 < turn.end + 1]
        assert said, (turn, shown)

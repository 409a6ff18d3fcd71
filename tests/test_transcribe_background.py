"""A television in the room: voices far below the speakers are not written as said
(``transcribe.background``), with made-up levels, and with real speech through the whole
pipeline and the base model (the slow test)."""

from __future__ import annotations

import re
from pathlib import Path

import jiwer
import numpy as np
import pytest

from storage.core.models import Word
from storage.transcript.transcript import SegmentDraft
from tests.media import REAL_RU
from transcribe.background import (
    BACKGROUND_DB,
    QUIET_PAUSES_DB,
    background_voices,
    level_db,
    median_by_length,
    pauses_db,
)
from transcribe.models import base_parts

RATE = 16000


ROOM_DB = -63.0  # the room's noise in the pauses of ``focus-far`` and ``focus-farther``


def _audio(
    levels: list[tuple[float, float, float]], seconds: float, pauses_db: float = ROOM_DB
) -> np.ndarray:
    """Noise of the given level (dB full scale) over each ``(start, end, level)`` span, and
    of ``pauses_db`` elsewhere."""
    rng = np.random.default_rng(3)
    audio = rng.normal(0, 10 ** (pauses_db / 20), int(seconds * RATE)).astype(np.float32)
    for start, end, db in levels:
        a, b = int(start * RATE), int(end * RATE)
        audio[a:b] = rng.normal(0, 10 ** (db / 20), b - a)
    return audio


def _draft(start: float, end: float, text: str, language: str = "ru") -> SegmentDraft:
    words = text.split()
    step = (end - start) / len(words)
    timed = [
        Word(round((start + i * step) * 1000), round((start + (i + 1) * step) * 1000), w, 0.8)
        for i, w in enumerate(words)
    ]
    return SegmentDraft(
        round(start * 1000), round(end * 1000), text, words=timed, language=language
    )


def test_level_is_the_power_of_the_words() -> None:
    audio = _audio([(0, 2, -20.0), (2, 4, -40.0)], 4)
    assert level_db(audio, _draft(0, 2, "один два"), 0) == pytest.approx(-20, abs=0.2)
    assert level_db(audio, _draft(2, 4, "три"), 0) == pytest.approx(-40, abs=0.2)
    # the audio starts at 2 s of the recording: the draft's times are shifted back
    assert level_db(audio[2 * RATE :], _draft(2, 4, "три"), 2000) == pytest.approx(-40, abs=0.2)
    assert level_db(audio, _draft(10, 12, "вне"), 0) is None


def test_typical_level_is_the_median_by_length() -> None:
    assert median_by_length([(-20.0, 4000), (-40.0, 1000), (-30.0, 1500)]) == -20.0
    assert median_by_length([(-20.0, 2000), (-40.0, 3500)]) == -40.0
    assert median_by_length([(-20.0, 2000), (-40.0, 1000)]) is None  # too little speech to tell


def test_a_voice_far_below_the_speakers_becomes_speech_without_transcript() -> None:
    """The levels measured on ``focus-tv``: speakers at -18 dB, the television in a pause at
    -42 dB (1.6 s, "Теперь сядьте ко мне.") and at -40 dB (0.7 s, "донолевы."), and in
    the batch's other pauses at -38 dB (the median of them): it plays on."""
    spans = [(0, 5, -18.0), (5.5, 7.1, -42.0), (7.5, 12, -18.5), (12.5, 13.2, -40.0)]
    audio = _audio(spans, 14, pauses_db=-38.0)
    drafts = [
        _draft(0, 5, "Гусев проговорил с достоинством"),
        _draft(5.5, 7.1, "Теперь сядьте ко мне"),
        _draft(7.5, 12, "Тонкая и легкая как девочка"),
        _draft(12.5, 13.2, "донолевы", language="kk"),
    ]
    dropped: list[str] = []
    kept = background_voices(drafts, audio, 0, dropped)
    assert [d.text for d in kept] == [drafts[0].text, "", drafts[2].text]
    hole = kept[1]
    assert hole.untranscribed and not hole.words and hole.language == "ru"
    assert (hole.start_ms, hole.end_ms) == (5500, 7100)
    # the 0.7 s one is shorter than any speech without transcript: left out, but noted
    assert len(dropped) == 2 and "сядьте" in dropped[0] and "донолевы" in dropped[1]
    assert "dB below the speakers" in dropped[0]


def test_speakers_far_from_the_microphone_are_kept() -> None:
    """``focus-far``: speakers across the room 15 to 19 dB below the near ones, real Kazakh
    recorded apart 14 dB below; all written, as is speech when there is too little of it to
    tell the speakers' level."""
    audio = _audio([(0, 5, -18.0), (5.5, 9, -36.9), (9.5, 12, -32.0), (12.5, 17, -17.5)], 18)
    drafts = [
        _draft(0, 5, "Тогда он отошел от статуй"),
        _draft(5.5, 9, "Сосу Солгакрой и к метржер", language="kk"),
        _draft(9.5, 12, "Жархтоос Жазванлока", language="kk"),
        _draft(12.5, 17, "Лицо хорошо различимо"),
    ]
    dropped: list[str] = []
    assert background_voices(drafts, audio, 0, dropped) == drafts and dropped == []
    # more than BACKGROUND_DB below, where a television could play the same in the pauses:
    # no longer taken for a speaker
    quiet = _audio([(0, 5, -18.0), (5.5, 9, -18.0 - BACKGROUND_DB - 0.5)], 10, pauses_db=-40.0)
    assert background_voices(drafts[:2], quiet, 0, [])[1].untranscribed
    # one speaker alone, however quiet, and too little speech to tell: unchanged
    assert background_voices(drafts[1:2], audio, 0, []) == drafts[1:2]
    short = [_draft(0, 2, "громко"), _draft(5.5, 7, "тихо")]
    assert background_voices(short, audio, 0, []) == short


def test_a_participant_as_quiet_as_a_television_is_kept_in_a_quiet_room() -> None:
    """``focus-farther``: two turns 22 dB quieter than the others (40 and 43 dB below full
    scale, 22 and 25 below the speakers) over pauses of room noise at 63 dB below: a
    participant far off, written. The same turns with a television playing in the pauses
    (38 dB below, as in ``focus-tv``): speech without transcript."""
    spans = [(0, 6.5, -17.6), (7.5, 13.2, -40.2), (14.0, 17.5, -43.0), (18.3, 22.8, -18.2)]
    drafts = [
        _draft(0, 6.5, "Тогда он отошел от статуй"),
        _draft(7.5, 13.2, "полосы аэлиты были покрыты черным колпачком"),
        _draft(14.0, 17.5, "Алха Грайвейсмитр Жиртовта"),
        _draft(18.3, 22.8, "Лицо хорошо различимо"),
    ]
    room = _audio(spans, 24)
    dropped: list[str] = []
    assert background_voices(drafts, room, 0, dropped) == drafts and dropped == []
    assert pauses_db(drafts, room, 0, 1) == pytest.approx(ROOM_DB, abs=0.5)
    tv = _audio(spans, 24, pauses_db=-38.0)
    kept = background_voices(drafts, tv, 0, dropped)
    assert [d.untranscribed for d in kept] == [False, True, True, False]
    assert len(dropped) == 2
    # the line: QUIET_PAUSES_DB above the pauses is a participant, a little less is not
    for margin, written in ((QUIET_PAUSES_DB + 0.5, True), (QUIET_PAUSES_DB - 0.5, False)):
        audio = _audio(spans, 24, pauses_db=-43.0 - margin)
        assert (background_voices(drafts, audio, 0, [])[2] == drafts[2]) is written


def test_pauses_are_outside_the_speech_with_text() -> None:
    """The pauses run from the batch's first segment to its last: audio before and after
    them, under the segments with text and round the quiet one weighed is not a pause;
    speech without transcript is. Too little of them tells nothing."""
    hole = SegmentDraft(9000, 11000, "", language="ru", untranscribed=True)
    drafts = [_draft(1, 5, "раз два"), _draft(5.5, 8, "тихо"), hole, _draft(11.5, 14, "три")]
    # loud outside the batch, under the words and round the quiet one; -50 in the hole,
    # -60 in the pauses between the turns
    spans = [(0, 1, -10.0), (1, 5, -18.0), (5.2, 8.3, -30.0), (9, 11, -50.0), (11.5, 14, -18.0),
             (14, 16, -10.0)]  # fmt: skip
    audio = _audio(spans, 16, pauses_db=-60.0)
    # the pauses: 1.4 s at -60 between the turns (less the quiet one's edges), and the
    # hole's 2 s at -50: their median
    assert pauses_db(drafts, audio, 0, 1) == pytest.approx(-50, abs=0.5)
    # starting at 1 s of the recording: the same
    assert pauses_db(drafts, audio[RATE:], 1000, 1) == pytest.approx(-50, abs=0.5)
    assert pauses_db(drafts[:2], audio, 0, 1) is None  # 0.2 s of pause: nothing to tell
    assert pauses_db([], audio, 0, 0) is None


def test_speech_without_transcript_is_not_a_speaker() -> None:
    """A placeholder has no text: it neither sets the level nor is measured."""
    audio = _audio([(0, 6, -18.0), (6.5, 9, -45.0)], 10)
    hole = SegmentDraft(6500, 9000, "", language="ru", untranscribed=True)
    drafts = [_draft(0, 6, "первый второй третий"), hole]
    assert background_voices(drafts, audio, 0, []) == drafts


# ------------------------------------------------------------------ real speech, base model
LATIN = re.compile(r"[A-Za-z]")


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("-", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


@pytest.mark.slow
@pytest.mark.skipif(base_parts() is None, reason="the base-model extra is missing")
@pytest.mark.skipif(
    not (REAL_RU / "etc" / "txt.done.data").exists(),
    reason="real Russian speech is missing: scripts/setup.sh --with-test-speech",
)
def test_a_television_in_the_pauses_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first 27 s of the bench's ``focus-tv`` (``bench/focus_group_corpus.py``): two
    real Russian speakers (festvox-ru, the second made by sox ``pitch``) and the real Kazakh
    one, and under them from start to end a television, other festvox-ru sentences pitched
    down in a telephone band, 20 dB below them. Whisper ``base`` wrote the television's
    "Теперь сядьте ко мне." in the pause before the Kazakh turn; now that stretch is speech
    without transcript, and the speakers' words are kept."""
    import soundfile as sf

    from transcribe.engine import Transcriber

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "bench"))
    import focus_group_corpus

    path, turns, sounds = focus_group_corpus.build(tmp_path, "focus-tv")
    audio, _ = sf.read(path, dtype="float32")
    audio = audio[: 27 * RATE]
    tv = next(s for s in sounds if s.kind == "tv" and s.start > turns[1].end - 0.5)
    assert turns[2].language == "kk" and tv.end < turns[2].start < 27
    drafts = list(
        Transcriber("base", threads=2, device="cpu").transcribe(audio, languages=["ru", "kk", "en"])
    )
    shown = [(d.start_ms, d.end_ms, d.language, d.text) for d in drafts]
    heard = " ".join(d.text for d in drafts)
    assert "сядьте" not in heard.lower(), shown
    over_tv = [d for d in drafts if tv.start < d.end_ms / 1000 and d.start_ms / 1000 < tv.end]
    assert over_tv and all(d.untranscribed for d in over_tv), shown
    assert not LATIN.search(heard), heard
    russian = [d.text for d in drafts if d.language == "ru" and d.end_ms / 1000 < tv.start]
    cer = jiwer.cer(_normalise(" ".join(t.text for t in turns[:2])), _normalise(" ".join(russian)))
    assert cer < 0.25, (cer, shown)


@pytest.mark.slow
@pytest.mark.skipif(base_parts() is None, reason="the base-model extra is missing")
@pytest.mark.skipif(
    not (REAL_RU / "etc" / "txt.done.data").exists(),
    reason="real Russian speech is missing: scripts/setup.sh --with-test-speech",
)
def test_a_participant_far_from_the_recorder_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first 27 s of the bench's ``focus-farther``: near speakers (festvox-ru) and, 22 dB
    quieter and reverberant, a participant across the room (festvox-ru made another voice,
    then the real Kazakh speaker), as quiet as the television of ``focus-tv`` but in a quiet
    room. Whisper ``base`` read the far Russian turn well ("полосы аэлиты были покрыты
    черным колпачком, капюшоном плаща."), and it was speech without transcript; now it is
    written."""
    import soundfile as sf

    from transcribe.engine import Transcriber

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "bench"))
    import focus_group_corpus

    path, turns, _ = focus_group_corpus.build(tmp_path, "focus-farther")
    audio, _ = sf.read(path, dtype="float32")
    audio = audio[: 27 * RATE]
    far = turns[1]
    assert far.language == "ru" and far.end < 27
    drafts = list(
        Transcriber("base", threads=2, device="cpu").transcribe(audio, languages=["ru", "kk", "en"])
    )
    shown = [(d.start_ms, d.end_ms, d.language, d.untranscribed, d.text) for d in drafts]
    over = [d for d in drafts if far.start < d.end_ms / 1000 and d.start_ms / 1000 < far.end]
    written = " ".join(d.text for d in over if not d.untranscribed)
    assert written, shown
    assert jiwer.cer(_normalise(far.text), _normalise(written)) < 0.3, shown

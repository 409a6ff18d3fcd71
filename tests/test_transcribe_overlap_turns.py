"""A turn begun in another language over the last one: its end, which the stretch's language
left without text, read in its own (``transcribe.engine.Transcriber._read_hole``). Slow: the
pipeline and the base model on real Russian speech with an English turn over its end."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from storage.transcript.transcript import SegmentDraft
from tests.identify_fakes import timed_segment
from tests.media import REAL_RU
from transcribe.engine import HOLE_BACK_S, HOLE_READ_SURE, Transcriber
from transcribe.models import base_parts
from transcribe.stream import Window

RATE = 16000
CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


@pytest.mark.slow
@pytest.mark.skipif(base_parts() is None, reason="the base-model extra is missing")
@pytest.mark.skipif(
    not (REAL_RU / "etc" / "txt.done.data").exists(),
    reason="real Russian speech is missing: scripts/setup.sh --with-test-speech",
)
def test_an_english_turn_begun_over_a_russian_one_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the bench's ``focus-overlap`` (``bench/focus_group_corpus.py``), a real Russian
    turn (festvox-ru) and an English one (espeak-ng) begun 1 s before it ends, cut from the
    pause before the Russian turn to the pause after the English one. The whole stretch is
    heard as Russian and decoded in it; the English turn's last 1.5 s gave no text and were
    speech without transcript, marked Russian. Heard alone they are English; decoded in
    English from 1 s before, they are "three weeks for a reply about her pension."."""
    import soundfile as sf

    from transcribe.engine import Transcriber

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "bench"))
    import focus_group_corpus

    path, turns, _ = focus_group_corpus.build(tmp_path, "focus-overlap")
    english = next(t for t in turns if t.language == "en")
    russian = max((t for t in turns if t.end < english.end), key=lambda t: t.end)
    assert russian.language == "ru" and english.start < russian.end  # begun over it
    audio, _ = sf.read(path, dtype="float32")
    begin = russian.start - 0.3
    audio = audio[round(begin * RATE) : round((english.end + 0.3) * RATE)]
    drafts = list(
        Transcriber("base", threads=2, device="cpu").transcribe(audio, languages=["ru", "kk", "en"])
    )
    shown = [(d.start_ms, d.end_ms, d.language, d.untranscribed, d.text) for d in drafts]
    tail = russian.end - begin  # the English turn after the Russian one ends
    after = [d for d in drafts if d.end_ms / 1000 > tail + 0.5]
    assert after and not any(d.untranscribed for d in after), shown
    written = " ".join(d.text for d in after)
    assert all(d.language == "en" for d in after) and not CYRILLIC.search(written), shown
    # the words said after the Russian turn ended: "... three weeks for a reply about her
    # pension" (Whisper hears "to reply" or "for a reply")
    assert {"weeks", "reply", "about", "pension"} <= set(_normalise(written).split()), shown


SURE = [(12.1, 12.5, " three", 0.99), (12.5, 12.8, " weeks", 0.95), (12.8, 13.3, " for", 0.85),
        (13.3, 13.7, " a", 0.9), (13.7, 14.1, " reply", 0.99), (14.1, 14.6, " about", 0.98),
        (14.6, 15.2, " her", 0.7), (15.2, 15.9, " pension.", 0.98)]  # fmt: skip


def _reader(
    heard: str | None, reading: list[tuple[float, float, str, float]], asked: list[Any]
) -> tuple[Transcriber, Window]:
    """A transcriber without a model over a window of 16 s, one stretch of speech 5-16 s: the
    placeholder heard on its own as ``heard`` (None: its stretch's language, or unsure); its
    decode from before it ``reading`` (recorded in ``asked``)."""
    tr = object.__new__(Transcriber)
    tr._allowed = ["ru", "kk", "en"]

    def other(audio: Any, part: dict[str, int], code: str, allowed: list[str]) -> str | None:
        return heard

    def decode(audio, groups, language, max_new_tokens=None):  # type: ignore[no-untyped-def]
        asked.append((groups, language))
        return [timed_segment(reading)] if reading else []

    tr._identifier = SimpleNamespace(other_language_alone=other)  # type: ignore[assignment]
    tr._decode = decode  # type: ignore[method-assign]
    window = Window(0, np.zeros(16 * RATE, dtype=np.float32), [], final=True)
    return tr, window


HOLE = SegmentDraft(13_000, 16_010, "", language="ru", untranscribed=True)  # past the end
RUN = [{"start": 5 * RATE, "end": 16 * RATE}]
SPEECH = [(5.0, 16.0)]


def test_the_end_of_a_turn_heard_in_another_language_is_read_in_it() -> None:
    asked: list[Any] = []
    tr, window = _reader("en", SURE, asked)
    read = tr._read_hole(window, HOLE, "ru", RUN, SPEECH, [])
    assert [(d.text, d.language, d.untranscribed) for d in read] == [
        ("three weeks for a reply about her pension.", "en", False)
    ]
    # decoded in the language heard, from HOLE_BACK_S before it, to the window's end at most
    ((groups, language),) = asked
    assert language == "en"
    assert groups == [[{"start": round((13 - HOLE_BACK_S) * RATE), "end": 16 * RATE}]]


def test_the_decode_from_before_starts_no_earlier_than_its_stretch_of_speech() -> None:
    asked: list[Any] = []
    tr, window = _reader("en", SURE, asked)
    tr._read_hole(window, HOLE, "ru", [{"start": round(12.5 * RATE), "end": 16 * RATE}], SPEECH, [])
    assert asked[0][0][0][0]["start"] == round(12.5 * RATE)


@pytest.mark.parametrize(
    ("heard", "reading", "why"),
    [
        (None, SURE, "heard in its stretch's language, or unsure"),
        ("en", [(a, b, w, HOLE_READ_SURE - 0.15) for a, b, w, _ in SURE], "Whisper unsure"),
        ("en", [(12.1, 12.6, " Три", 0.9), (12.6, 13.4, " недели", 0.9)], "wrong script"),
        ("en", SURE[:2], "no word in the placeholder"),
        ("en", [], "no words"),
    ],
)
def test_speech_without_transcript_stays_unless_read_surely(
    heard: str | None, reading: list[tuple[float, float, str, float]], why: str
) -> None:
    asked: list[Any] = []
    tr, window = _reader(heard, reading, asked)
    dropped: list[str] = []
    assert tr._read_hole(window, HOLE, "ru", RUN, SPEECH, dropped) == [HOLE], why
    assert (asked == []) == (heard is None), why


@pytest.mark.parametrize(
    ("heard", "code", "allowed", "language"),
    [
        ({"en": 0.84, "cy": 0.12}, "ru", ["ru", "kk", "en"], "en"),  # focus-overlap's 1.5 s
        ({"ru": 0.9, "en": 0.05}, "ru", ["ru", "kk", "en"], None),  # its stretch's language
        ({"en": 0.32, "ar": 0.29, "la": 0.07}, "ru", ["ru", "kk", "en"], None),  # not clearly
        ({"en": 0.9}, "ru", ["ru"], None),  # one expected language
    ],
)
def test_another_expected_language_heard_clearly_alone(
    heard: dict[str, float], code: str, allowed: list[str], language: str | None
) -> None:
    import threading

    from transcribe.identify import Identifier

    lid = Identifier(None, "cpu", threading.BoundedSemaphore(1), np.asarray, lambda *a: [], 4)
    lid._alone = lambda audio, part: heard  # type: ignore[method-assign]
    part = {"start": 0, "end": 2 * RATE}
    assert lid.other_language_alone(np.zeros(2 * RATE), part, code, allowed) == language

"""Whisper's English guess at speech it does not place is not kept as a transcript.

On the synthetic ``mixed`` recording (AMD EPYC) two espeak-ng Kazakh turns were heard as none
of the expected languages (Welsh 0.20 and Latin 0.18; Latin 0.39 and Mongolian 0.21; English
0.03 and 0.01), read in each expected language, and their Russian and Kazakh readings ran into
loops, so the English one was kept: "Master Koshyadya Glyaskilborin-shyadya, Kenyorya
Skirkelsys, Aweb, Tastad." and "Bevat, Arta, Nandar, Göljönder, Krobener, Serkump, Joter, Jog."
(their words' mean probability 0.42 each; English said in English reads at 0.72 to 0.96). In a
project that expects a language written in Cyrillic such a reading is now speech without
transcript, with no language (``identify.guessed_in_latin``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.identify_fakes import FakeSeg, hear_as, reader_with, sample_span, worded
from transcribe.identify import RECHECK_BELOW, UNKNOWN, Identifier, guessed_in_latin

ALLOWED = ["ru", "kk", "en"]
HEARD = {"cy": 0.201, "la": 0.18, "mn": 0.086, "en": 0.034, "kk": 0.005, "ru": 0.004}
GUESS = "Master Koshyadya Glyaskilborin-shyadya, Kenyorya Skirkelsys, Aweb, Tastad."
LOOPS = {"ru": "Мастер Кошедя Скелбориншина, Кин Джоррия Скелбориншина", "kk": "ұріңшейді ұрі"}


def _readings(english_probability: float) -> dict[str, list[FakeSeg]]:
    words = len(GUESS.split())
    english = worded(GUESS, [english_probability] * words, -0.891)
    return {"ru": [FakeSeg(0, 5, LOOPS["ru"], -3.0)], "kk": [FakeSeg(0, 5, LOOPS["kk"], -3.5)],
            "en": [english]}  # fmt: skip


def _identify(
    monkeypatch: pytest.MonkeyPatch, readings: dict[str, list[FakeSeg]], allowed: list[str]
) -> tuple[str, list[Any] | None]:
    chunk = sample_span(2, 5)
    hear_as(monkeypatch, lambda part: HEARD)
    monkeypatch.setattr(Identifier, "_alone", lambda self, audio, part: HEARD)
    tr = reader_with({code: readings[code] for code in allowed})
    tagged, settled = tr.identify(None, [[chunk]], allowed, [chunk])  # type: ignore[arg-type]
    [(_, code)] = tagged
    [segments] = settled.values()
    return code, segments


def test_an_unsure_english_reading_of_speech_heard_as_none_of_them_is_no_transcript(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before: ("en", the English guess), a transcript in Latin letters nobody said."""
    code, segments = _identify(monkeypatch, _readings(0.42), ALLOWED)
    assert (code, segments) == (UNKNOWN, None)


def test_english_read_surely_stays_english(monkeypatch: pytest.MonkeyPatch) -> None:
    readings = _readings(0.85)
    code, segments = _identify(monkeypatch, readings, ALLOWED)
    assert code == "en" and segments == readings["en"]


def test_without_a_language_in_cyrillic_the_english_reading_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    readings = {**_readings(0.42), "de": [FakeSeg(0, 5, "Meister Koschadja", -3.0)]}
    code, segments = _identify(monkeypatch, readings, ["en", "de"])
    assert code == "en" and segments == readings["en"]


def test_the_rule_on_its_own() -> None:
    unsure, sure = _readings(0.42)["en"], _readings(0.85)["en"]
    assert guessed_in_latin("en", unsure, ALLOWED)
    assert not guessed_in_latin("en", sure, ALLOWED)
    assert not guessed_in_latin("ru", unsure, ALLOWED)  # Cyrillic says what it heard
    assert not guessed_in_latin("en", unsure, ["en", "de"])
    assert not guessed_in_latin("en", None, ALLOWED)
    assert not guessed_in_latin("en", [FakeSeg(0, 5, GUESS, -0.9)], ALLOWED)  # no words: no sign
    assert 0.42 < RECHECK_BELOW < 0.72


def test_a_recheck_of_an_english_decode_whose_reading_is_the_same_guess_drops_it() -> None:
    """The check of English decodes Whisper was unsure of (``Identifier.recheck``) reads a
    doubtful stretch in each language; when the English guess is kept again, the stretch is
    speech without transcript with no language (before: the English decode stayed)."""
    readings = _readings(0.42)
    unsure = sample_span(0, 5)

    def decode(audio, groups, code, max_new_tokens=None):  # type: ignore[no-untyped-def]
        return readings[code]

    import threading

    import numpy as np

    tr = Identifier(None, "cuda", threading.BoundedSemaphore(1), np.asarray, decode, 4)
    tr._alone = lambda audio, part: HEARD  # type: ignore[method-assign]
    to_decode, read, pieces = tr.recheck(None, [unsure], readings["en"], "en", ALLOWED)  # type: ignore[arg-type]
    assert to_decode == [] and pieces == {}
    assert read == [(unsure, UNKNOWN, None)]

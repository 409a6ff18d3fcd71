"""Real English Whisper is unsure of is not written as Kazakh or Russian by a hair.

The AMI meeting recording (``tests/data/speakers/ami_dev00.flac``) transcribed in a project that
expects Russian, Kazakh and English: the stretch at 13.1 s, heard on its own as English 0.46
(Japanese 0.12, Latin 0.10; Kazakh 0.000, Russian 0.001), was read in each expected language,
"Oh, Ebenezer, I didn't mean sorry." (-1.046), "ебенейзі еддемі сөй" (-0.994) and "Эббенеза"
(-1.048), and stored as that Kazakh. Where Whisper's ear names English first and gives the
Cyrillic languages nothing, the English reading is kept over one scoring at most
``EAR_ENGLISH_MARGIN`` better, and an English reading it was unsure of is what was said, not a
guess (``identify.guessed_in_latin``). Speech Whisper does not place (espeak-ng's Kazakh heard as
Welsh, English 0.03) is decided as before.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.identify_fakes import FakeSeg, hear_as, reader_with, sample_span, worded
from transcribe.identify import UNKNOWN, Identifier
from transcribe.languages import (
    EAR_CYRILLIC_MAX,
    EAR_ENGLISH,
    EAR_ENGLISH_MARGIN,
    ear_kept,
    english_to_the_ear,
)

ALLOWED = ["ru", "kk", "en"]
#: what Whisper heard in the AMI stretch on its own
ENGLISH_EAR = {"en": 0.464, "ja": 0.121, "la": 0.103, "fr": 0.08, "it": 0.04, "ru": 0.001}
#: espeak-ng's Kazakh, which Whisper does not place
NOWHERE = {"cy": 0.201, "la": 0.18, "mn": 0.086, "en": 0.034, "kk": 0.005, "ru": 0.004}
SAID = "Oh, Ebenezer, I didn't mean sorry."


def _readings(
    english: float = -0.93, sure: bool = True, kazakh: float = -0.85, russian: float = -1.048
) -> dict[str, list[Any]]:
    """The stretch's three readings, each scoring as given (the English one by its words'
    mean log-probability), the English words' mean probability 0.79 (sure) or under 0.45."""
    if sure:  # five words at 0.95 and one that makes up the score
        probs = [0.95] * 5 + [math.exp(6 * english - 5 * math.log(0.95))]
    else:
        probs = [math.exp(english)] * 6
    return {
        "ru": [FakeSeg(0, 5, "Эббенеза", russian)],
        "kk": [FakeSeg(0, 5, "ебенейзі еддемі сөй", kazakh)],
        "en": [worded(SAID, probs, english)],
    }


def _identify(
    monkeypatch: pytest.MonkeyPatch, readings: dict[str, list[Any]], heard: dict[str, float]
) -> tuple[str, list[Any] | None]:
    chunk = sample_span(2, 5)
    hear_as(monkeypatch, lambda part: heard)
    monkeypatch.setattr(Identifier, "_alone", lambda self, audio, part: heard)
    tr = reader_with(readings)
    tagged, settled = tr.identify(None, [[chunk]], ALLOWED, [chunk])  # type: ignore[arg-type]
    [(_, code)] = tagged
    [segments] = settled.values()
    return code, segments


def test_real_english_read_a_hair_surer_in_kazakh_stays_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before: ("kk", the Kazakh reading), English speech written in Kazakh letters."""
    readings = _readings()
    assert _identify(monkeypatch, readings, ENGLISH_EAR) == ("en", readings["en"])
    # the AMI stretch's own scores: its English reading one Whisper would call failed (under
    # -1.0), so speech without transcript, in English, instead of Kazakh nobody said
    ami = _readings(english=-1.046, kazakh=-0.994)
    assert _identify(monkeypatch, ami, ENGLISH_EAR) == ("en", None)


def test_an_unsure_english_reading_of_english_to_the_ear_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its words' mean probability under ``RECHECK_BELOW``: before, speech without
    transcript (the guess rule), though Whisper heard English."""
    readings = _readings(sure=False)
    assert _identify(monkeypatch, readings, ENGLISH_EAR) == ("en", readings["en"])


def test_speech_whisper_does_not_place_is_decided_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    readings = _readings()
    assert _identify(monkeypatch, readings, NOWHERE) == ("kk", readings["kk"])
    unsure = _readings(english=-0.891, sure=False, kazakh=-3.5, russian=-3.0)  # loops
    assert _identify(monkeypatch, unsure, NOWHERE) == (UNKNOWN, None)


def test_a_cyrillic_reading_clearly_surer_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    readings = _readings(kazakh=-0.93 + EAR_ENGLISH_MARGIN + 0.05)
    assert _identify(monkeypatch, readings, ENGLISH_EAR) == ("kk", readings["kk"])


def test_the_ear_rule_on_its_own() -> None:
    assert english_to_the_ear(ENGLISH_EAR, ALLOWED)
    assert not english_to_the_ear(NOWHERE, ALLOWED)
    assert not english_to_the_ear(ENGLISH_EAR, ["ru", "kk"])  # English not expected
    # English first but under EAR_ENGLISH, or a Cyrillic language (with its family) heard
    assert not english_to_the_ear({"en": EAR_ENGLISH - 0.01, "ja": 0.2}, ALLOWED)
    assert not english_to_the_ear({"en": 0.6, "uk": EAR_CYRILLIC_MAX}, ALLOWED)
    assert not english_to_the_ear({"ja": 0.5, "en": 0.45}, ALLOWED)  # not first
    texts = {
        "ru": (-1.048, "Эббенеза"),
        "kk": (-0.994, "ебенейзі еддемі сөй"),
        "en": (-1.046, SAID),
    }
    assert ear_kept(texts, "kk") == "en"
    assert ear_kept({**texts, "en": (-1.2, SAID)}, "kk") == "kk"  # more than the margin below
    assert ear_kept({**texts, "en": (-1.0, "ha ha ha ha ha ha")}, "kk") == "kk"  # a loop
    assert ear_kept({**texts, "en": (float("-inf"), SAID)}, "kk") == "kk"
    assert ear_kept(texts, "en") == "en" and ear_kept(texts, None) is None


def test_a_doubtful_english_decode_heard_as_english_first_is_not_moved_to_kazakh() -> None:
    """The check of English decodes Whisper was unsure of (``Identifier.recheck``): a stretch
    heard doubtfully (English first, not clearly), read in each language, stays English when
    its Kazakh reading is surer only by a hair (before: moved to Kazakh)."""
    unsure = sample_span(0, 5)  # the English decode's words lie in it
    readings = _readings(sure=False)
    alone: list[dict[str, int]] = []
    tr = reader_with(readings)
    tr._alone = lambda audio, part: alone.append(part) or ENGLISH_EAR  # type: ignore[method-assign]
    assert tr.recheck(None, [unsure], readings["en"], "en", ALLOWED) == ([], [], {})  # type: ignore[arg-type]
    assert alone and alone[0] == unsure  # it was checked: heard on its own

"""A turn in a language the project does not expect, in a project that expects several.

An English turn in a project that expects Russian and Kazakh, heard on its own as English 0.83,
was read only in the expected languages and stored as the Kazakh "Бұлің тарды длейт, бұс" (and
a placeholder badged Kazakh), with no note. Where Whisper, hearing a stretch on its own, gives
the expected languages (with those it takes them for) together at most
``FOREIGN_EXPECTED_MAX`` and one other language at least ``LID_FOREIGN``
(``languages.foreign``), the stretch is read in that language too and written in it, or left
without transcript badged with it when that reading failed; real Kazakh heard as Lithuanian
and read in Kazakh with its own letters nearly as surely stays Kazakh (``letters_kept``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.identify_fakes import FakeSeg, hear_as, reader_with, sample_span, worded
from transcribe import languages
from transcribe.identify import Identifier

ALLOWED = ["ru", "kk"]
CYRILLIC = re.compile("[а-яёәғқңөұүһі]", re.IGNORECASE)
#: the English turn heard on its own
ENGLISH = {"en": 0.83, "de": 0.04, "nl": 0.02, "kk": 0.01, "ru": 0.01}
#: real Kazakh heard as Lithuanian (``tests/data/kazakh`` in a Kazakh project)
LITHUANIAN = {"lt": 0.9, "lv": 0.03, "kk": 0.02, "ru": 0.01}


@pytest.mark.parametrize(
    ("probs", "told"),
    [
        (ENGLISH, "en"),
        ({"en": 0.7, "ru": 0.1, "uk": 0.1}, None),  # Russian's group 0.2: not clear enough
        ({"en": 0.7, "kk": 0.1, "tr": 0.09}, None),  # Kazakh's group 0.19 likewise
        ({"en": 0.75, "ru": 0.08, "kk": 0.07}, None),  # each under 0.15, together 0.15+
        ({"de": 0.5, "en": 0.2, "ru": 0.05}, None),  # German 0.5: no language clearly
        ({"de": 0.65, "en": 0.2, "ru": 0.05}, "de"),
        ({"tr": 0.5, "az": 0.4}, None),  # Kazakh heard as Turkish and Azerbaijani
        ({"uk": 0.8, "pl": 0.1}, None),  # Russian heard as its neighbours
    ],
)
def test_only_speech_clearly_in_none_of_several_expected_languages_is_foreign(
    probs: dict[str, float], told: str | None
) -> None:
    assert languages.foreign(probs, ALLOWED) == told
    # one expected language, as before: the same rule
    assert languages.foreign(probs, ["ru"]) == languages.foreign(probs, "ru")


def _readings(english: float = -0.35, kazakh: float = -0.9) -> dict[str, list[Any]]:
    return {
        "ru": [FakeSeg(0, 5, "Был и там дарды длеет бус", -0.95)],
        "kk": [FakeSeg(0, 5, "Бұлің тарды длейт, бұс", kazakh)],
        "en": [FakeSeg(0, 5, "Well, I think we're ready to begin.", english)],
        "lt": [FakeSeg(0, 5, "Algagra į bismytržių tautą.", english)],
    }


def _identify(
    monkeypatch: pytest.MonkeyPatch,
    readings: dict[str, list[Any]],
    heard: dict[str, float],
    asked: list[str] | None = None,
) -> tuple[str, list[Any] | None]:
    chunk = sample_span(2, 5)
    hear_as(monkeypatch, lambda part: heard)
    monkeypatch.setattr(Identifier, "_alone", lambda self, audio, part: heard)
    tr = reader_with(readings, asked)
    tagged, settled = tr.identify(None, [[chunk]], ALLOWED, [chunk])  # type: ignore[arg-type]
    [(_, code)] = tagged
    [segments] = settled.values()
    return code, segments


def test_an_english_turn_in_a_russian_and_kazakh_project_is_written_in_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before: ("kk", the Kazakh reading): words nobody said, badged Kazakh."""
    readings, asked = _readings(), []
    assert _identify(monkeypatch, readings, ENGLISH, asked) == ("en", readings["en"])
    assert sorted(asked) == ["en", "kk", "ru"]


def test_a_failed_reading_in_the_language_heard_leaves_speech_without_transcript_in_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every reading one Whisper would call failed, the English one the surest. Before: ("kk",
    None), speech without transcript badged Kazakh."""
    readings = _readings(english=-1.2, kazakh=-1.6)
    readings["ru"] = [FakeSeg(0, 5, "Был и там", -1.4)]
    assert _identify(monkeypatch, readings, ENGLISH) == ("en", None)
    # no reading gives a word (the guards drop them all): without transcript, in English
    nothing: dict[str, list[Any]] = {"ru": [], "kk": [], "en": []}
    assert _identify(monkeypatch, nothing, ENGLISH) == ("en", None)


def test_a_surer_reading_in_an_expected_language_decides_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stretch heard as English whose Russian reading is the surest: the expected languages
    decide, as for any stretch Whisper is unsure of."""
    readings = _readings(english=-0.6)
    readings["ru"] = [FakeSeg(0, 5, "Вот и там все готово", -0.3)]
    assert _identify(monkeypatch, readings, ENGLISH) == ("ru", readings["ru"])


def test_a_reading_whisper_is_unsure_of_words_in_is_no_sign_of_the_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """espeak-ng's Kazakh on the bench's ``mixed``, heard as Hungarian, was read surest in it:
    "Söndövájt szám, pár végirkeljek elvért jázomák voltam" (words Whisper was unsure of). The
    expected languages decide, as before; a sure Hungarian reading is kept."""
    said = "Söndövájt szám, pár végirkeljek elvért"
    hungarian = {"hu": 0.7, "fi": 0.1, "kk": 0.02, "ru": 0.01}
    readings = _readings(kazakh=-1.0)  # too far below for Kazakh's letters to keep it
    readings["hu"] = [worded(said, [0.55] * 5, -0.6)]  # the surest reading (-0.6), unsure words
    readings["en"] = []
    assert _identify(monkeypatch, readings, hungarian)[0] in ALLOWED
    readings["hu"] = [worded(said, [0.9] * 5, -0.1)]
    assert _identify(monkeypatch, readings, hungarian) == ("hu", readings["hu"])


def test_kazakh_heard_as_another_language_and_read_with_its_letters_stays_kazakh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real Kazakh of ``tests/data/kazakh`` heard as Lithuanian (0.90): its Kazakh reading
    writes Kazakh's own letters and scores within ``OWN_LETTERS_BESIDE_MARGIN`` of the
    Lithuanian one, so the expected languages decide, as before."""
    readings = _readings(english=-0.6, kazakh=-0.75)
    readings["kk"] = [FakeSeg(0, 5, "Алға қарай бес метр жүр", -0.75)]
    assert _identify(monkeypatch, readings, LITHUANIAN) == ("kk", readings["kk"])
    # the same, far less sure in Kazakh than in English: English
    readings = _readings(english=-0.3, kazakh=-0.9)
    assert _identify(monkeypatch, readings, ENGLISH)[0] == "en"


def test_speech_heard_in_no_language_clearly_is_read_in_the_expected_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    readings = _readings()
    unclear = {"en": 0.45, "cy": 0.2, "la": 0.1, "kk": 0.01}
    code, _ = _identify(monkeypatch, readings, unclear, asked)
    assert "en" not in asked and code in ALLOWED


@pytest.mark.slow
def test_a_real_english_turn_between_real_russian_and_kazakh(tmp_path: Path) -> None:
    """A man reading Russian (festvox-ru), an AMI meeting's English, and real Kazakh, in a
    project that expects Russian and Kazakh (``base``). Before: the English turn came out as
    "Бұлің өтің өтің өті" and "Меніңдің әдің" badged Kazakh, and its rest as speech without
    transcript badged Kazakh. (A last fragment read unsurely in English, "We have...", is still
    speech without transcript badged Kazakh: the expected languages decide it.)"""
    import soundfile as sf

    from tests.media import REAL_RU, real_kazakh, real_russian
    from tests.transcribe_audio import sox
    from tests.transcribe_audio_helpers import join_turns
    from transcribe.engine import Transcriber
    from transcribe.models import base_parts

    if base_parts() is None or not (REAL_RU / "etc" / "txt.done.data").exists():
        pytest.skip("the base model or real Russian speech is missing")
    english = tmp_path / "ami.wav"
    ami = Path(__file__).parent / "data" / "speakers" / "ami_dev00.flac"
    sox(ami, "-r", "16000", "-c", "1", english, "trim", "1.3", "11.9")  # one speaker's turn
    turns = [real_russian(0)[0], english, real_kazakh(0)[0]]
    path = join_turns(tmp_path, turns, pause_s=0.8)
    drafts = list(Transcriber("base", threads=2, device="cpu").transcribe(path, languages=ALLOWED))
    begins = round(1000 * (sf.info(str(turns[0])).duration + 0.8))  # the English turn
    middle = [d for d in drafts if begins <= (d.start_ms + d.end_ms) / 2 <= begins + 11_900]
    said = [(d.start_ms, d.language, d.text) for d in drafts]
    written = [d for d in middle if not d.untranscribed]
    assert written and all(d.language == "en" for d in written), said
    assert not CYRILLIC.search(" ".join(d.text for d in middle)), said
    assert "ready to begin" in " ".join(d.text for d in middle).lower(), said
    assert {d.language for d in drafts if not d.untranscribed} == {"ru", "en", "kk"}, said


def test_the_summary_names_a_language_heard_only_in_speech_without_transcript() -> None:
    """A turn heard clearly in English whose reading failed is speech without transcript
    badged English: the note names it too (before: only languages with written segments)."""
    from transcribe import run_notes

    (only,) = run_notes.unexpected_hint({"ru": 3}, ALLOWED, unwritten={"en": 2, "kk": 1})
    assert "Heard English (2 stretches left as speech without transcript)" in str(only), only
    assert "nothing was guessed in the expected ones" in str(only) and "--set ru,kk,en" in str(
        only
    ), only
    (both,) = run_notes.unexpected_hint({"en": 1, "ru": 3}, ALLOWED, unwritten={"en": 1})
    assert "English (1 segment, 1 stretch left as speech without transcript)" in str(both)
    assert "transcribed in the language spoken" in str(both), both
    (written,) = run_notes.unexpected_hint({"de": 2}, ALLOWED)
    assert "Heard German (2 segments), which" in str(written), written
    # placeholders in an expected language, or with no language, are no news
    assert run_notes.unexpected_hint({"ru": 3}, ALLOWED, unwritten={"kk": 2, "": 1}) == []


def test_a_run_counts_speech_without_transcript_by_the_language_heard(
    project: Any, speech_wav: Path
) -> None:
    """The run's summary counts placeholders per language apart from written segments, and its
    notes name an unexpected language heard only in placeholders (a fake engine)."""
    from storage.transcript.transcript import SegmentDraft
    from tests.slow_engine import SlowSecondBatch
    from transcribe.batches import ChunkResult
    from transcribe.runner import transcribe_session

    class Heard(SlowSecondBatch):
        multilingual = True

        def transcribe_chunks(self, _path: Any, **_k: Any) -> Any:
            drafts = [
                SegmentDraft(0, 900, "Добрый день.", language="ru"),
                SegmentDraft(1000, 2500, "", language="en", untranscribed=True),
            ]
            yield ChunkResult(drafts, 0, 3000, "ru", final=True)

    project.set_languages("ru,kk")
    session = project.sessions.import_audio(speech_wav)
    fake = Heard()
    summary = transcribe_session(project, session.id, engine=lambda *_a, **_k: fake)
    assert summary.identified == {"ru": 1} and summary.unwritten_in == {"en": 1}
    assert any("Heard English (1 stretch left as speech without" in str(n) for n in summary.notes)

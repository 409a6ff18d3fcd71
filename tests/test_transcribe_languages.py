"""Languages in transcription: each stretch in the language spoken, never translated, no
speech dropped silently, English-only models kept away from other languages."""

from __future__ import annotations

from pathlib import Path

import pytest

import transcribe.runner as runner
from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.transcribe_audio_helpers import spoken  # noqa: F401  (a fixture)
from transcribe import engine
from transcribe.engine import Transcriber, _by_language, _placeholders
from transcribe.guards import Candidate, rejection
from transcribe.languages import choose, fill_gaps, wrong_script
from transcribe.models import ModelError, base_parts, resolve_model
from transcribe.runner import retranscribe_segment, transcribe_session
from transcribe.stream import SAMPLE_RATE

S = SAMPLE_RATE
needs_base = pytest.mark.skipif(base_parts() is None, reason="the base-model extra is missing")

EN = "Thank you all for coming this evening to talk about public services in our district."
# German that the base model identifies surely from espeak-ng's voice (the tests check the
# pipeline; how well languages are identified is measured by bench/languages_bench.py)
DE = "Guten Tag, wir sprechen heute über die öffentlichen Dienste in unserer Stadt."


# ----------------------------------------------------------------------------- choosing
def test_choose_credits_related_languages_to_the_expected_one() -> None:
    # Kazakh speech as Whisper often scores it: Azerbaijani and Turkish above Kazakh
    probs = {"az": 0.30, "tr": 0.20, "ru": 0.25, "kk": 0.05, "en": 0.10, "ja": 0.10}
    assert choose(probs, [])[0] == "az"
    assert choose(probs, ["ru", "kk", "en"])[0] == "kk"  # 0.55 against ru's 0.25
    assert choose(probs, ["ru", "en"])[0] == "ru"  # no Turkic language expected
    code, share = choose({"ru": 0.6, "uk": 0.2, "en": 0.2}, ["ru", "en"])
    assert code == "ru" and share == pytest.approx(0.8)


def test_unsure_stretches_follow_their_neighbours() -> None:
    assert fill_gaps([None, "ru", None, None, "kk", None], "en") == [
        "ru", "ru", "ru", "ru", "kk", "kk",
    ]  # fmt: skip
    assert fill_gaps([None, None], "kk") == ["kk", "kk"]


def test_text_in_the_other_script_is_caught() -> None:
    assert wrong_script("Thank you very much for the invitation", "ru")  # translated
    assert not wrong_script("Мы используем Zoom и WhatsApp для встреч", "ru")  # code-switching
    assert not wrong_script("Біз Zoom арқылы сөйлестік", "kk")
    assert wrong_script("Спасибо большое за приглашение", "en")
    assert not wrong_script("We met the akim, the акимат staff", "en")
    assert not wrong_script("anything", None)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Продолжение следует...", "ru"),
        ("Спасибо за просмотр!", "ru"),
        ("Назарларыңызға рахмет", "kk"),
        ("Untertitel im Auftrag des ZDF", "de"),
    ],
)
def test_stock_phrases_in_every_language_are_dropped_when_unsure(text: str, language: str) -> None:
    from transcribe.guards import WordT

    words = [WordT(0.0, 1.0, w, 0.3) for w in text.split()]
    cand = Candidate(text, 0.0, 1.0, -0.5, 0.1, words)
    assert rejection(cand, [(0.0, 1.0)], language) == "stock phrase over noise"


def test_english_stock_phrase_over_russian_speech_is_dropped_even_when_sure() -> None:
    from transcribe.guards import WordT

    words = [WordT(0.0, 1.0, w, 0.9) for w in "Thank you for watching".split()]
    cand = Candidate("Thank you for watching.", 0.0, 1.0, -0.2, 0.0, words)
    assert rejection(cand, [(0.0, 1.0)], "en") is None
    assert rejection(cand, [(0.0, 1.0)], "ru") == "stock phrase over noise"


def test_stretches_are_grouped_by_language_for_decoding() -> None:
    a, b, c, d, e = ({"start": i, "end": i + 1} for i in range(5))
    assert _by_language([(a, "ru"), (b, "ru"), (c, "kk"), (d, "ru"), (e, "en")]) == [
        ("ru", [a, b, d]), ("kk", [c]), ("en", [e]),
    ]  # fmt: skip


# ----------------------------------------------------------------------------- placeholders
def test_speech_without_text_becomes_a_placeholder() -> None:
    chunks = [{"start": 0, "end": 10 * S}, {"start": 12 * S, "end": 13 * S}]
    from storage.core.models import Word

    # the 0-1 s stretch and the 1 s chunk are too short; 3.25-10 s is left without words
    said = SegmentDraft(61_000, 63_000, "hello", words=[Word(61_000, 63_000, "hello", 0.9)])
    found = _placeholders(chunks, [said], offset_ms=60_000, language="kk")
    assert [(p.start_ms, p.end_ms, p.untranscribed, p.language, p.text) for p in found] == [
        (63_250, 70_000, True, "kk", "")
    ]


def test_a_piece_whose_text_is_all_dropped_is_kept_as_speech_without_transcript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real model: Whisper's text for every piece is rejected (as when it translates); the
    speech is still there, as placeholders over it, never silently gone."""
    from tests.transcribe_audio import SENTENCES, speech_with_pauses

    path = speech_with_pauses(tmp_path, SENTENCES[:3])
    tr = Transcriber("tiny.en", threads=2, device="cpu")
    monkeypatch.setattr(engine, "wrong_script", lambda text, language: True)
    drafts = list(tr.transcribe(path))
    assert drafts and all(d.untranscribed and d.text == "" for d in drafts)
    assert sum(d.end_ms - d.start_ms for d in drafts) > 8000  # the three sentences' speech


# ----------------------------------------------------------------------------- real speech
@needs_base
@pytest.mark.slow
def test_a_recording_that_switches_language_is_transcribed_in_each_language(
    spoken,  # noqa: F811
) -> None:
    path = spoken([("en-us", EN), ("de", DE), ("en-us", EN), ("de", DE)])
    tr = Transcriber("base", threads=2, device="cpu")
    drafts = [d for d in tr.transcribe(path, languages=["en", "de"]) if not d.untranscribed]
    by_language: dict[str, str] = {}
    for d in drafts:
        assert d.language in ("en", "de")
        by_language[d.language] = by_language.get(d.language, "") + " " + d.text.lower()
    assert "öffentliche" in by_language["de"] and "stadt" in by_language["de"]
    assert "public services in our city" not in " ".join(by_language.values())  # not translated
    assert "public services" in by_language["en"]
    german = [d.language for d in drafts if "stadt" in d.text.lower()]
    assert german and set(german) == {"de"}


# ----------------------------------------------------------------------------- models
def test_english_only_model_for_a_russian_project_is_refused_without_a_multilingual_one(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.transcribe_audio import SENTENCES, speech_with_pauses

    session = project.sessions.import_audio(speech_with_pauses(tmp_path, SENTENCES[:1]))
    project.set_languages("ru,kk")
    monkeypatch.setattr(runner, "multilingual_model", lambda: None)
    with pytest.raises(ModelError, match=r"expects Russian, Kazakh, and tiny\.en is English-only"):
        transcribe_session(project, session.id, model="tiny.en")
    assert project.transcript.segments(session.id) == []
    assert project.transcription.transcription_state(session.id) is None


def test_english_only_model_for_a_kazakh_project_switches_and_says_so(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.set_languages("kk")
    fake = resolve_model("tiny.en")
    fake.name, fake.multilingual = "multi", True
    monkeypatch.setattr(runner, "multilingual_model", lambda: fake)
    info, notes = runner.choose_model(project, "tiny.en", None)
    assert info is fake and notes == [
        "tiny.en is English-only and the project expects Kazakh: transcribed with multi instead."
    ]
    project.set_languages("en")
    assert runner.choose_model(project, None, None)[0].name == "tiny.en"


@needs_base
def test_projects_default_to_the_multilingual_model_unless_english_only(project: Project) -> None:
    assert runner.choose_model(project, None, None)[0].name == "base"
    project.set_languages("ru,kk,en")
    assert runner.choose_model(project, None, None)[0].name == "base"
    project.set_languages("en")
    assert runner.choose_model(project, None, None)[0].name == "tiny.en"


# ----------------------------------------------------------------------------- one segment
def test_retranscribe_one_segment_in_another_language(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The segment's audio is decoded again in the language asked for; its codings stay."""
    from tests.transcribe_audio import SENTENCES, speech_with_pauses

    session = project.sessions.import_audio(speech_with_pauses(tmp_path, SENTENCES[:2]))
    project.set_languages("en")
    seg = project.transcript.add_segments(
        session.id, [SegmentDraft(0, 6000, "", language="de", untranscribed=True)]
    )[0]
    code = project.codebook.add_code("Transport")
    project.codebook.apply_code(seg.id, code.id)
    seen: dict[str, object] = {}
    real = Transcriber.transcribe

    def spy(self, audio, **kw):  # type: ignore[no-untyped-def]
        seen.update(kw, samples=len(audio))
        return real(self, audio, **kw)

    monkeypatch.setattr(Transcriber, "transcribe", spy)
    out = retranscribe_segment(project, seg.id, language="en", model="tiny.en")
    assert seen["language"] == "en" and abs(int(seen["samples"]) - 6 * S) < S // 10
    assert "committee" in out.text.lower() and out.language == "en"
    assert not out.untranscribed and not out.edited and out.words
    assert [c.code_id for c in project.codebook.codings(segment_id=seg.id)] == [code.id]


def test_unknown_project_language_for_a_model_is_one_line(project: Project) -> None:
    tr = Transcriber("tiny.en", threads=1, device="cpu")
    with pytest.raises(ModelError, match="English-only"):
        tr.check_languages(["ru"])
    assert tr.check_languages(["en", "EN"]) == ["en"]


@needs_base
@pytest.mark.slow
def test_an_english_only_model_hears_german_first_and_hands_over(
    project: Project,
    spoken,  # noqa: F811
) -> None:
    """No languages said, tiny.en asked for, German speech: identified before anything is
    stored, transcribed in German by the multilingual model, and the summary says so."""
    path = spoken([("de", DE), ("de", DE)])
    session = project.sessions.import_audio(path)
    summary = transcribe_session(project, session.id, model="tiny.en")
    assert summary.model == "base" and summary.notes and "most likely German" in summary.notes[0]
    text = " ".join(s.text for s in project.transcript.segments(session.id)).lower()
    assert "öffentliche" in text and "stadt" in text
    assert {s.language for s in project.transcript.segments(session.id)} == {"de"}


def test_the_languages_hint_names_what_was_heard_and_the_fix() -> None:
    assert runner._languages_hint({"ru": 9}) == []  # one language: nothing to say
    (note,) = runner._languages_hint({"tr": 2, "ru": 9, "kk": 4})
    assert "Russian (9 segment(s)), Kazakh (4 segment(s)), Turkish (2 segment(s))" in note
    assert "--set ru,kk,tr" in note and "--replace" in note


@needs_base
@pytest.mark.slow
def test_a_project_without_languages_that_hears_two_is_told_how_to_choose(
    project: Project,
    spoken,  # noqa: F811
) -> None:
    """No languages said: every stretch is identified among all of Whisper's languages; when
    several are heard, the summary names them and says how to make the choice among them."""
    path = spoken([("en-us", EN), ("de", DE), ("en-us", EN), ("de", DE)])
    session = project.sessions.import_audio(path)
    summary = transcribe_session(project, session.id)
    assert summary.model == "base" and set(summary.identified) == {"en", "de"}
    assert any("German" in n and "English" in n and "--set" in n for n in summary.notes)
    # with the project's languages set, no hint
    project.set_languages("en,de")
    again = transcribe_session(project, session.id, replace=True)
    assert not any("--set" in n for n in again.notes)


@needs_base
@pytest.mark.slow
def test_identification_and_decoding_share_each_pieces_encoder_pass(
    spoken,  # noqa: F811
) -> None:
    """On a CPU a piece is encoded once: identification reads each stretch's language from the
    piece's encoder output, and the decode of the piece finds that output again. A piece in
    which the language changes is decoded language by language, each encoded anew."""
    more = "I would like to start with the new online portal for council payments."
    tr = Transcriber("base", threads=2, device="cpu")
    encode = tr.model.encode
    calls: list[int] = []

    def spy(features):  # type: ignore[no-untyped-def]
        # 30-second pieces only (a stretch identified again on its own is padded to 15 s)
        if features.shape[-1] == 3000:
            calls.append(1 if features.ndim == 2 else features.shape[0])
        return encode(features)

    tr.model.encode = spy
    one_language = [
        d for d in tr.transcribe(spoken([("en-us", EN), ("en-us", more)]), languages=["en", "de"])
    ]
    assert "public services" in " ".join(d.text.lower() for d in one_language)
    assert {d.language for d in one_language} == {"en"}
    assert sum(calls) == 1 and tr._encoded.hits == 1  # one piece: encoded once, found again

    calls.clear()
    switching = spoken([("en-us", EN), ("de", DE), ("en-us", more)])
    drafts = [d for d in tr.transcribe(switching, languages=["en", "de"]) if not d.untranscribed]
    order = [d.language for d in drafts]
    assert [c for i, c in enumerate(order) if i == 0 or order[i - 1] != c] == ["en", "de", "en"]
    # the piece for identification, then one piece per language for decoding
    assert sum(calls) == 1 + 2

"""A switch of language with no pause between the turns: Whisper stretches the words either
side over speech it does not write (``drafts.plausible_times``), and a sentence of a stretch
heard as one language is clearly in another on its own (``heard_apart``). Neither is written in
the stretch's language nor lost: it is read in its own language or left as speech without
transcript."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.transcript.transcript import SegmentDraft
from tests.identify_fakes import timed_segment
from transcribe import guards
from transcribe.drafts import (
    WORD_BASE_S,
    WORD_LETTER_S,
    placeholders,
    plausible_times,
    to_drafts,
)
from transcribe.heard_apart import READ_SURE, heard_apart
from transcribe.hole_language import heard_on_its_own
from transcribe.models import base_parts
from transcribe.stream import Window

RATE = 16000
DATA = Path(__file__).resolve().parent / "data" / "language_switch"


# ``base`` on switch.wav: festvox-ru, real Kazakh from about 4.9 to 9.0 s, festvox-ru again, no
# pause; "русском»." and "Зимой" stretched over the Kazakh (the words' times as decoded)
SWITCH = [(0.0, 0.26, " Мама", 0.61), (0.26, 0.86, " говорила", 0.89), (0.86, 1.08, " со", 0.9),
          (1.08, 1.36, " мной", 0.99), (1.36, 2.3, " «Показахские,", 0.71),
          (2.62, 2.72, " от", 0.43), (2.72, 3.3, " школи", 0.71), (3.3, 3.48, " мы", 0.86),
          (3.48, 4.04, " учились", 0.97), (4.04, 4.32, " на", 0.97),
          (4.32, 6.66, " русском».", 0.82), (6.66, 9.34, " Зимой", 0.53),
          (9.34, 9.92, " дорога", 0.78), (9.92, 10.22, " и", 0.29),
          (10.22, 10.76, " центры", 0.62), (10.76, 11.5, " закрываются", 0.98),
          (11.5, 11.92, " и", 0.74), (11.92, 12.28, " врач", 0.98),
          (12.28, 13.18, " приезжает", 0.91), (13.18, 13.46, " только", 0.97),
          (13.46, 13.88, " раз", 0.97), (13.88, 14.18, " в", 0.95),
          (14.18, 14.66, " месяц.", 0.99)]  # fmt: skip


def test_speech_under_words_stretched_across_a_switch_is_left_without_transcript() -> None:
    """Before, one Russian segment 0-14.66 s and no placeholder: the Kazakh was lost."""
    dropped: list[str] = []
    speech = [(0.0, 14.68)]
    found = to_drafts(timed_segment(SWITCH), speech, 0, dropped, "ru")
    holes = placeholders([{"start": 0, "end": round(14.68 * RATE)}], found, 0, "ru")
    assert [(d.start_ms, d.end_ms, d.text.split()[-1]) for d in found] == [
        (0, 5870, "русском»."),
        (8090, 14660, "месяц."),
    ]
    # the Kazakh between them: speech without transcript (the engine reads it in another
    # expected language heard there, ``Transcriber._read_hole``, or leaves it so)
    assert [(h.start_ms, h.end_ms, h.untranscribed) for h in holes] == [(6120, 7840, True)]
    assert dropped == []


def test_words_as_long_as_their_letters_allow_keep_their_times() -> None:
    words = guards.timed_words(timed_segment(SWITCH[:10]).words)
    assert plausible_times(words) == words


@given(
    st.lists(
        st.tuples(
            st.floats(0, 5), st.floats(0, 4), st.sampled_from(["а", "слово.", "Зимой", "ммм", ","])
        ),
        max_size=8,
    )
)
def test_a_word_is_cut_to_its_letters_within_its_own_times(
    raw: list[tuple[float, float, str]],
) -> None:
    words, at = [], 0.0
    for gap, length, text in raw:
        words.append(guards.WordT(at + gap, at + gap + length, f" {text}", 0.9))
        at += gap + length
    out = plausible_times(words)
    assert [w.word for w in out] == [w.word for w in words]
    for i, (before, after) in enumerate(zip(words, out, strict=True)):
        longest = WORD_BASE_S + WORD_LETTER_S * sum(ch.isalnum() for ch in before.word)
        assert before.start <= after.start <= after.end <= before.end
        assert after.end - after.start == pytest.approx(min(before.end - before.start, longest))
        if after != before:  # the side kept: a sentence's first word keeps its end
            first = i == 0 or guards.ends_sentence(words[i - 1].word)
            assert (after.end == before.end) if first else (after.start == before.start)


# ----------------------------------------------------------------------- a sentence heard apart
# ``base`` on alt2.wav: Russian, then English ("My name's Adam Duggard, we're here...") 22 dB
# quieter, then Russian, no pause; the stretch heard as Russian, the English written in Russian
TRANSLATED = [(18.61, 18.99, " Меня", 0.9), (18.99, 19.23, " зовут", 0.9),
              (19.23, 19.73, " Антюггад.", 0.5), (19.83, 19.83, " Мы", 0.6),
              (19.83, 20.03, " здесь", 0.7), (20.03, 20.13, " здесь.", 0.5)]  # fmt: skip
ENGLISH = [(18.61, 18.9, " My", 0.9), (18.9, 19.2, " name's", 0.9), (19.2, 19.7, " Adam", 0.8),
           (19.7, 19.9, " we're", 0.9), (19.9, 20.1, " here.", 0.9)]  # fmt: skip
RUN = [{"start": round(18.61 * RATE), "end": round(25.02 * RATE)}]
SPEECH = [(18.61, 25.02)]


def _apart(
    heard: str | None, reading: list[tuple[float, float, str, float]], *found: SegmentDraft
) -> tuple[list[SegmentDraft], list[Any]]:
    asked: list[Any] = []

    def other(audio: Any, part: dict[str, int], code: str, allowed: list[str]) -> str | None:
        asked.append(("heard", part))
        return heard if part["start"] < 20 * RATE else None  # the Russian after it: its own

    def decode(audio: Any, groups: Any, language: str) -> list[Any]:
        asked.append(("decode", groups, language))
        return [timed_segment(reading)] if reading else []

    window = Window(0, np.zeros(26 * RATE, dtype=np.float32), [], final=True)
    out = heard_apart(
        list(found), window, RUN, "ru", ["ru", "kk", "en"], other_language=other, decode=decode,
        speech_s=SPEECH, dropped=[],
    )  # fmt: skip
    return out, asked


def _translated() -> SegmentDraft:
    (draft,) = to_drafts(timed_segment(TRANSLATED), SPEECH, 0, [], "ru")
    return draft


NEXT = SegmentDraft(20880, 24860, "Школа у нас маленькая.", language="ru")


def test_a_sentence_heard_alone_in_another_language_is_read_in_it() -> None:
    """Before, "Меня зовут Антюггад. Мы здесь здесь." marked Russian: a translation. It is
    heard and read from where its stretch begins to where the next sentence starts."""
    out, asked = _apart("en", ENGLISH, NEXT, _translated())
    assert [(d.text, d.language, d.untranscribed) for d in out] == [
        ("My name's Adam we're here.", "en", False),
        (NEXT.text, "ru", False),
    ]
    part = {"start": RUN[0]["start"], "end": round(20.88 * RATE)}
    assert asked == [("heard", part), ("decode", [[part]], "en"), ("heard", RUN_AFTER)]


RUN_AFTER = {"start": round(20.13 * RATE), "end": RUN[0]["end"]}  # from the last one's end


@pytest.mark.parametrize(
    ("reading", "why"),
    [
        ([(a, b, w, READ_SURE - 0.2) for a, b, w, _ in ENGLISH], "Whisper unsure"),
        ([(18.61, 19.4, " Меня", 0.9), (19.4, 20.1, " зовут", 0.9)], "wrong script"),
        ([], "no words"),
    ],
)
def test_a_sentence_heard_apart_and_not_read_surely_is_without_transcript(
    reading: list[tuple[float, float, str, float]], why: str
) -> None:
    out, _ = _apart("en", reading, _translated(), NEXT)
    assert [(d.start_ms, d.end_ms, d.text, d.language, d.untranscribed) for d in out[:1]] == [
        (18610, 20880, "", "en", True)
    ], why


def test_a_sentence_heard_in_its_stretchs_language_is_kept() -> None:
    draft = _translated()
    out, asked = _apart(None, ENGLISH, draft, NEXT)
    assert out == [draft, NEXT] and [a[0] for a in asked] == ["heard", "heard"]


@pytest.mark.parametrize(
    ("draft", "why"),
    [
        (SegmentDraft(23800, 24900, "Меня зовут", language="ru"), "shorter than a part"),
        (SegmentDraft(18610, 24900, "Меня зовут ...", language="ru"), "its stretch, nearly"),
        (SegmentDraft(19000, 21000, "", language="ru", untranscribed=True), "a placeholder"),
    ],
)
def test_what_is_not_heard_apart(draft: SegmentDraft, why: str) -> None:
    out, asked = _apart("en", ENGLISH, draft)
    assert out == [draft] and asked == [], why


# ------------------------------------------------------------- the placeholder's language
# what ``base`` hears in the placeholder between "русском»." and "Зимой" (6.12-7.84 s) alone
HOLE_HEARD = {"ru": 0.468, "pt": 0.07, "es": 0.048, "el": 0.036, "ro": 0.035, "it": 0.035}
SWITCH_RUN = [{"start": 0, "end": round(14.68 * RATE)}]


def _switch_batch(
    heard: dict[str, float], by_reading: bool = False, run: list[dict[str, int]] = SWITCH_RUN
) -> tuple[list[tuple[int, int, str | None, bool]], list[tuple[int, int]]]:
    """switch.wav through the engine without a model: one stretch identified as Russian (or
    decided by its readings in each language, ``by_reading``), decoded as ``SWITCH``; each
    stretch heard on its own as ``heard``. The segments (start, end, language, placeholder) and
    the stretches heard on their own."""
    from transcribe.batches import InFlight, plan_batches
    from transcribe.engine import Transcriber
    from transcribe.identify import Identifier

    alone: list[tuple[int, int]] = []

    def decode(audio, groups, code, max_new_tokens=None):  # type: ignore[no-untyped-def]
        return [timed_segment(SWITCH)] if code == "ru" else []

    identifier = Identifier(None, "cuda", threading.BoundedSemaphore(1), np.asarray, decode, 4)

    def hear_alone(audio: Any, part: dict[str, int]) -> dict[str, float]:
        alone.append((part["start"], part["end"]))
        hole = part["start"] >= 5.8 * RATE and part["end"] <= 8.1 * RATE
        return heard if hole else {"ru": 0.95}  # the Russian either side: Russian

    settled = {(c["start"], c["end"]): [timed_segment(SWITCH)] for c in run} if by_reading else {}
    identifier._alone = hear_alone  # type: ignore[method-assign]
    identifier.identify = lambda *a, **k: ([(c, "ru") for c in run], settled)  # type: ignore[method-assign]
    tr = object.__new__(Transcriber)
    tr.batch_size = 4
    tr._in_flight = InFlight()
    tr._identifier = identifier
    tr._allowed = ["ru", "kk", "en"]
    tr._decode = decode  # type: ignore[method-assign]
    window = Window(0, np.zeros(15 * RATE, dtype=np.float32), list(run), final=True)
    (plan,) = plan_batches(window, 4)
    result = tr._run_batch(window, plan, None)
    return [(d.start_ms, d.end_ms, d.language, d.untranscribed) for d in result.segments], alone


def test_a_placeholder_heard_unclearly_inside_a_stretch_is_of_no_language() -> None:
    """Before, marked RU: the stretch was heard as Russian (0.99) on the Russian either side,
    and the placeholder alone, real Kazakh, gave Russian 0.47 and nothing else clearly."""
    segments, alone = _switch_batch(HOLE_HEARD)
    assert segments == [
        (0, 5870, "ru", False),
        (6120, 7840, None, True),
        (8090, 14660, "ru", False),
    ]
    assert (round(6.12 * RATE), round(7.84 * RATE)) in alone


@pytest.mark.parametrize(
    ("heard", "language"),
    [
        ({"kk": 0.5, "tr": 0.2, "ru": 0.05}, "kk"),  # before: RU (its Kazakh reading unsure)
        ({"ru": 0.9, "uk": 0.05}, "ru"),
        ({"lt": 0.8, "kk": 0.04, "ru": 0.02}, None),  # none of them: before, RU
    ],
)
def test_a_placeholder_inside_a_stretch_takes_the_expected_language_heard_in_it(
    heard: dict[str, float], language: str | None
) -> None:
    segments, _ = _switch_batch(heard)
    assert [s[2] for s in segments if s[3]] == [language]


def test_a_stretch_decided_by_its_readings_keeps_their_language_over_an_unclear_placeholder() -> (
    None
):
    """Whisper could not place the stretch as a whole; its reading in Russian was kept, and
    nothing heard in the placeholder says otherwise (espeak-ng's Kazakh, read best in Kazakh,
    its last words heard alone as Hungarian)."""
    segments, _ = _switch_batch(HOLE_HEARD, by_reading=True)
    assert [s[2] for s in segments if s[3]] == ["ru"]
    segments, _ = _switch_batch({"kk": 0.8, "tr": 0.1}, by_reading=True)
    assert [s[2] for s in segments if s[3]] == ["kk"]  # heard clearly in another


def test_a_placeholder_that_is_its_whole_stretch_keeps_the_language_heard_in_the_stretch() -> None:
    """Its stretch's identification heard it (with its piece's frames)."""
    run = [{"start": round(6.12 * RATE), "end": round(7.84 * RATE)}]
    segments, _ = _switch_batch(HOLE_HEARD, run=run)
    assert segments == [(6120, 7840, "ru", True)]


def test_a_placeholder_is_heard_on_its_own_when_long_enough_with_enough_other_speech() -> None:
    hole = {"start": 2 * RATE, "end": 4 * RATE}
    touching = [{"start": 0, "end": 3 * RATE}, {"start": 3 * RATE, "end": 4 * RATE}]
    assert heard_on_its_own(hole, touching)  # 2 s before it, across the chunks' meeting point
    assert not heard_on_its_own(hole, [{"start": RATE, "end": 4 * RATE}])  # 1 s: too little
    assert not heard_on_its_own(hole, [hole, {"start": 5 * RATE, "end": 9 * RATE}])  # apart
    # a second of espeak-ng Kazakh without a word, heard alone as English 0.91: too short
    assert not heard_on_its_own({"start": 3 * RATE, "end": 4 * RATE}, touching)


# ----------------------------------------------------------------------- real speech (slow)
@pytest.mark.slow
@pytest.mark.skipif(base_parts() is None, reason="the base-model extra is missing")
@pytest.mark.parametrize(
    ("name", "other", "language"),
    [
        # real Kazakh between two Russian sentences (about 4.9-9.0 s): before, one Russian
        # segment over it all, the Kazakh lost without a placeholder; then a placeholder
        # marked RU
        ("switch.flac", (6.3, 7.6), "kk"),
        # quiet English before a Russian sentence (1.1-3.2 s): before, "Меня зовут Дрюггд, мы
        # здесь здесь." marked Russian, a translation
        ("alt2_end.flac", (1.3, 3.0), "en"),
    ],
)
def test_speech_in_another_language_with_no_pause_is_not_written_in_the_stretchs(
    name: str, other: tuple[float, float], language: str
) -> None:
    from transcribe.engine import Transcriber

    drafts = list(
        Transcriber("base", threads=2, device="cpu").transcribe(
            str(DATA / name), languages=["ru", "kk", "en"]
        )
    )
    shown = [(d.start_ms, d.end_ms, d.language, d.untranscribed, d.text) for d in drafts]
    a, b = round(other[0] * 1000), round(other[1] * 1000)
    over = [d for d in drafts if d.start_ms < b and a < d.end_ms]
    assert over, shown  # not lost
    # each either its own language's reading or speech without transcript, never Russian text
    assert all(d.untranscribed or d.language == language for d in over), shown
    # and speech without transcript there is marked with the language heard in it, or none:
    # before, the Kazakh's was marked RU (heard alone: Russian 0.47, nothing else clearly)
    assert all(d.language in (language, None) for d in over), shown

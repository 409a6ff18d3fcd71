"""The pure parts of the pipeline: guards against Whisper's failures, window cuts, splitting."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from transcribe import guards
from transcribe.drafts import split_sentences
from transcribe.guards import Candidate, WordT
from transcribe.stream import SAMPLE_RATE, choose_cut, pack_pieces, speech_windows


def _words(text: str, step: float = 0.3, prob: float = 0.9) -> list[WordT]:
    return [
        WordT(i * step, i * step + step * 0.8, " " + w, prob) for i, w in enumerate(text.split())
    ]


def test_a_phrase_repeated_in_a_loop_is_collapsed() -> None:
    words = _words("I think that " + "we should go home " * 6 + "now")
    out = guards.collapse_repeats(words)
    assert " ".join(w.word.strip() for w in out) == "I think that we should go home now"


def test_ordinary_repetition_is_kept() -> None:
    text = "no no we said very very clearly that it was bad"
    out = guards.collapse_repeats(_words(text))
    assert " ".join(w.word.strip() for w in out) == text


def test_repetitive_text_is_rejected() -> None:
    text = "the end. " * 20
    cand = Candidate(text, 0, 10, -0.2, 0.1, [])
    assert guards.rejection(cand, None) == "repetitive"


def test_silent_and_unsure_text_is_rejected_confident_speech_kept() -> None:
    speech = [(0.0, 10.0)]
    ok = Candidate("We met on Tuesday.", 0, 2, -0.3, 0.05, _words("We met on Tuesday."))
    assert guards.rejection(ok, speech) is None
    silent = Candidate("We met on Tuesday.", 0, 2, -1.2, 0.8, _words("We met on Tuesday."))
    assert guards.rejection(silent, speech) == "no speech"
    stock = Candidate(" Thank you.", 0, 1, -0.5, 0.4, _words("Thank you.", prob=0.4))
    assert guards.rejection(stock, speech) == "stock phrase over noise"
    sure_thanks = Candidate(" Thank you.", 0, 1, -0.2, 0.01, _words("Thank you.", prob=0.95))
    assert guards.rejection(sure_thanks, speech) is None


def test_words_outside_speech_are_rejected() -> None:
    words = _words("this was never said at all")
    cand = Candidate("this was never said at all", 0, 2, -0.3, 0.1, words)
    assert guards.rejection(cand, [(30.0, 40.0)]) == "outside speech"
    assert guards.rejection(cand, [(0.0, 2.0)]) is None


def test_sentences_split_at_sentence_end_with_pause_and_at_long_pauses() -> None:
    words = [
        WordT(0.0, 0.3, " Hello", 0.9),
        WordT(0.35, 0.6, " there.", 0.9),
        WordT(1.2, 1.5, " Next", 0.9),
        WordT(1.55, 1.8, " one", 0.9),
        WordT(3.5, 3.8, " after", 0.9),
        WordT(3.85, 4.0, " pause", 0.9),
    ]
    pieces = split_sentences(words)
    assert ["".join(w.word for w in p).strip() for p in pieces] == [
        "Hello there.",
        "Next one",
        "after pause",
    ]


def test_a_sentence_closed_by_quotes_ends_a_segment() -> None:
    """Russian Whisper text closes quotes after the full stop («Спасибо.»): the sentence still
    ends there (the engine's splitting and the speaker cuts share one rule)."""
    words = [
        WordT(0.0, 0.3, " Он", 0.9),
        WordT(0.35, 0.6, " сказал:", 0.9),
        WordT(0.65, 1.0, " «Спасибо.»", 0.9),
        WordT(1.4, 1.7, " Потом", 0.9),
        WordT(1.75, 2.0, " ушёл.", 0.9),
    ]
    pieces = split_sentences(words)
    assert ["".join(w.word for w in p).strip() for p in pieces] == [
        "Он сказал: «Спасибо.»",
        "Потом ушёл.",
    ]
    assert all(guards.ends_sentence(w) for w in ["да.»", "(so?)", "“end.”", " Ура!"])
    assert not any(guards.ends_sentence(w) for w in ["«Спасибо", "e.g", "3.5"])


def test_window_cut_goes_into_the_latest_pause_of_the_second_half() -> None:
    sr = SAMPLE_RATE
    speech = [
        {"start": 0, "end": 10 * sr},
        {"start": 12 * sr, "end": 50 * sr},
        {"start": 51 * sr, "end": 60 * sr},  # runs into the window end
    ]
    assert choose_cut(speech, 60 * sr) == int(50.5 * sr)
    assert choose_cut([], 60 * sr) == 60 * sr  # all silence: whole window
    assert choose_cut([{"start": 0, "end": 60 * sr}], 60 * sr) == 60 * sr  # no pause at all


def test_groups_hold_at_most_thirty_seconds_of_speech() -> None:
    sr = SAMPLE_RATE
    speech = [{"start": i * 12 * sr, "end": (i * 12 + 10) * sr} for i in range(7)]
    groups = pack_pieces(speech)
    assert [len(g) for g in groups] == [3, 3, 1]
    assert sum(len(g) for g in groups) == 7


def test_windows_of_an_array_cover_it_exactly_once() -> None:
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(SAMPLE_RATE * 25) * 0.001).astype(np.float32)
    windows = list(speech_windows(audio, window_s=10))
    assert sum(len(w.audio) for w in windows) == len(audio)
    assert windows[0].start_ms == 0 and windows[-1].final
    for a, b in itertools.pairwise(windows):
        assert a.end_ms == b.start_ms
    resumed = list(speech_windows(audio, start_ms=20_000, window_s=10))
    assert resumed[0].start_ms == 20_000 and sum(len(w.audio) for w in resumed) == 5 * SAMPLE_RATE


# ----------------------------------------------------------------------------- loops in a word
def test_a_word_stuck_in_a_loop_ends_the_text_before_it() -> None:
    """Whisper `base` on Kazakh: "…болталығығығығ…" until the token limit, the last character
    cut in half. The looping word and what follows were not heard; the text before it stays."""
    looped = "Бендың тардың дозмет көсет болталы" + "ығ" * 15 + "ы\ufffd"
    assert guards.cut_loop_text(looped) == "Бендың тардың дозмет көсет"
    assert guards.cut_loop_text("ығ" * 8) == ""
    assert guards.cut_loop_text("бет" + "а" * 9 + " жоқ") == ""
    assert guards.cut_loop_text("Шаном-то, айд-сам, пергер" + "-гер" * 16) == "Шаном-то, айд-сам,"
    words = _words("Бендың тардың дозмет көсет болталы" + "ығ" * 15 + " сөз")
    assert [w.word.strip() for w in guards.cut_loop(words)] == [
        "Бендың",
        "тардың",
        "дозмет",
        "көсет",
    ]


def test_laughter_hesitation_and_ordinary_words_are_not_loops() -> None:
    ordinary = ["ха-ха-ха, Ммм, Аааа", "хахахахаха да", "Мен мені кеттік", "Mississippi"]
    for text in [*ordinary, "100000000 теңге", "121212121212"]:
        assert guards.loop_start(text) is None
        assert guards.cut_loop_text(text) == text
        assert guards.cut_loop(_words(text)) == _words(text)


def test_a_character_cut_in_half_is_removed_from_a_word() -> None:
    words = _words("бетағы жоқ\ufffd \ufffd")
    assert [w.word for w in guards.cut_loop(words)] == [" бетағы", " жоқ"]
    assert guards.cut_loop_text("жоқ\ufffd") == "жоқ"


def test_a_long_phrase_written_twice_and_begun_again_is_a_loop_cut_short() -> None:
    """base on espeak-ng Kazakh (kk.wav 54.3 s): the decoder wrote a phrase twice and stopped
    in the third; one occurrence is kept, and the third start goes with the second."""
    text = (
        "омшаң емес е көзің бұұңшаң алықтаған емес ем көзің жылесаң "
        "алықтаған емес ем көзің жылесаң алықтаған"
    )
    out = guards.collapse_repeats(_words(text))
    kept = "омшаң емес е көзің бұұңшаң алықтаған емес ем көзің жылесаң"
    assert " ".join(w.word.strip() for w in out) == kept
    cut_in_a_word = guards.collapse_repeats(_words(text.removesuffix("таған")))  # "алық"
    assert " ".join(w.word.strip() for w in cut_in_a_word) == kept
    loop = "I told you to go back home. I told you to go back home. I told you"
    assert " ".join(w.word.strip() for w in guards.collapse_repeats(_words(loop))) == (
        "I told you to go back home."
    )


def test_a_phrase_said_twice_or_a_short_one_begun_again_is_kept() -> None:
    for text in [
        # a question asked again, nothing after it
        "do you trust the akimat with your data do you trust the akimat with your data",
        # asked again, then answered
        "do you trust them with it do you trust them with it do you no",
        # a short phrase (under five words) said twice and begun again
        "я не знаю я не знаю я не",
        # said twice, then something else
        "we went there every week we went there every week and then it closed",
    ]:
        out = guards.collapse_repeats(_words(text))
        assert " ".join(w.word.strip() for w in out) == text


def test_a_fragment_whisper_placed_at_one_instant_is_no_segment_of_its_own() -> None:
    """espeak-ng kk.wav: "-м" (start == end, after a pause) was stored as a segment of no length
    inside the next turn's. A word glued to the one before stays with it, and words of no
    duration join the words before them, placed where those end."""
    words = [WordT(54.3, 55.0, " омша", 0.9), WordT(55.0, 59.9, " көзің", 0.9)]
    glued = split_sentences([*words, WordT(61.0, 61.4, "-м", 0.5)])
    assert [[w.word for w in p] for p in glued] == [[" омша", " көзің", "-м"]]
    instant = split_sentences([*words, WordT(61.0, 61.0, " м", 0.5)])
    assert len(instant) == 1 and (instant[0][-1].start, instant[0][-1].end) == (59.9, 59.9)
    first = split_sentences([WordT(1.0, 1.0, " А.", 0.5), WordT(3.0, 3.5, " Бүгін", 0.9)])
    assert [[(w.word, w.start) for w in p] for p in first] == [[(" А.", 3.0), (" Бүгін", 3.0)]]
    # a sentence after a pause is still a segment of its own
    two = split_sentences([*words[:1], WordT(56.0, 56.5, " Иә.", 0.9)])
    assert len(two) == 2


@given(
    st.lists(
        st.tuples(st.integers(0, 3000), st.sampled_from([0, 0, 50, 400]), st.booleans()),
        min_size=1,
        max_size=12,
    )
)
def test_no_piece_is_of_no_length_or_starts_with_a_glued_word(
    spec: list[tuple[int, int, bool]],
) -> None:
    """Against any words (some of no duration, some glued to the one before, sentence ends,
    pauses): every word is kept, in order, with its text; a piece has no duration only when
    no word has any, and no piece but the first starts with a glued word."""
    words = []
    for k, (start_cs, length_cs, glued) in enumerate(sorted(spec)):
        text = f"-w{k}" if glued else f" w{k}."
        words.append(WordT(start_cs / 100, (start_cs + length_cs) / 100, text, 0.9))
    pieces = split_sentences(words)
    assert [w.word for p in pieces for w in p] == [w.word for w in words]
    timed = any(w.end > w.start for w in words)
    for piece in pieces:
        assert piece and all(w.start <= w.end for w in piece)
        assert piece[-1].end > piece[0].start or not timed
    assert all(not p[0].word.startswith("-") for p in pieces[1:])

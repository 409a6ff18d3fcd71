"""The word-level speaker split logic (pure: hand-made segments and turns)."""

from __future__ import annotations

from storage.core.models import Segment, Word
from transcribe.diarize.align import (
    Turn,
    TurnIndex,
    labels_of_words,
    plan_relabel,
    plan_segment,
    smooth_word_speakers,
    word_positions,
)


def seg(sid: str, start: int, end: int, words: list[tuple[int, int, str]], text: str | None = None):
    ws = [Word(a, b, t, 0.9) for a, b, t in words]
    txt = text if text is not None else "".join(w.text for w in ws).strip()
    return Segment(sid, "s", start, end, None, txt, "whisper", None, ws, False, "", "", "")


# "Thank you. So, what about e-services?" -- moderator's thanks, then a participant's question.
TURN_CHANGE = seg(
    "a",
    0,
    4000,
    [
        (0, 300, " Thank"),
        (300, 700, " you."),
        (1500, 1800, " So,"),
        (1800, 2200, " what"),
        (2200, 2600, " about"),
        (2600, 3600, " e-services?"),
    ],
)


def test_word_positions_follow_leading_spaces() -> None:
    assert TURN_CHANGE.text == "Thank you. So, what about e-services?"
    assert word_positions(TURN_CHANGE.text, TURN_CHANGE.words) == [0, 6, 11, 15, 20, 26]


def test_word_positions_none_when_text_was_edited() -> None:
    words = TURN_CHANGE.words
    assert word_positions("Completely different words here.", words) is None


def test_split_where_the_speaker_changes_inside_a_segment() -> None:
    turns = [Turn(0, 1000, "MOD"), Turn(1400, 4000, "P1")]
    entry = plan_segment(TURN_CHANGE, TurnIndex(turns))
    assert entry is not None
    assert entry.speakers == ["MOD", "P1"]
    # before "So,", at the start of P1's detected turn (in the pause before the word)
    assert entry.cuts == [(11, 1400)]
    assert labels_of_words(TURN_CHANGE, entry) == ["MOD", "MOD", "P1", "P1", "P1", "P1"]


def test_first_words_of_a_turn_are_not_given_to_the_previous_speaker() -> None:
    # The segment is mostly the previous speaker; the new turn starts with its last two words.
    s = seg(
        "b",
        0,
        3000,
        [(0, 500, " We"), (500, 900, " agree"), (900, 1500, " fully."), (2000, 2400, " I"),
         (2400, 2900, " don't.")],
    )  # fmt: skip
    turns = [Turn(0, 1600, "A"), Turn(1900, 3000, "B")]
    entry = plan_segment(s, TurnIndex(turns))
    assert entry is not None and entry.speakers == ["A", "B"]
    cut_cp, cut_ms = entry.cuts[0]
    assert s.text[cut_cp:] == "I don't."
    assert cut_ms == 1900  # B's turn starts in the pause before "I"


def test_cut_snaps_to_the_turn_change_but_keeps_words_in_their_parts() -> None:
    s = seg(
        "c",
        0,
        3000,
        [(0, 500, " We"), (500, 1500, " agree."), (2000, 2400, " I"), (2400, 2900, " don't.")],
    )
    # B's turn starts inside "agree." (Whisper stretched it): the cut stops at that word's end
    entry = plan_segment(s, TurnIndex([Turn(0, 1000, "A"), Turn(1000, 3000, "B")]))
    assert entry is not None and entry.cuts == [(10, 1500)]
    # B's turn starts after "I" begins (Whisper early): the cut stays at the word's start
    entry = plan_segment(s, TurnIndex([Turn(0, 2100, "A"), Turn(2100, 3000, "B")]))
    assert entry is not None and entry.cuts == [(10, 2000)]
    # in the pause: exactly at the detected change
    entry = plan_segment(s, TurnIndex([Turn(0, 1700, "A"), Turn(1700, 3000, "B")]))
    assert entry is not None and entry.cuts == [(10, 1700)]
    assert labels_of_words(s, entry) == ["A", "A", "B", "B"]


def test_cut_never_passes_the_first_word_of_the_new_part() -> None:
    # Whisper gives zero-length words: "sorry" and "to" both start at 1720
    s = seg(
        "d",
        1560,
        3260,
        [(1560, 1720, " I'm"), (1720, 1720, " sorry"), (1720, 2000, " to"), (2000, 3260, " go.")],
    )
    entry = plan_segment(s, TurnIndex([Turn(0, 1765, "A"), Turn(1765, 4000, "B")]))
    assert entry is not None and entry.speakers == ["A", "B"]
    assert entry.cuts == [(10, 1720)]
    assert s.text[10:] == "to go."
    assert labels_of_words(s, entry)[2:] == ["B", "B"]


def test_single_speaker_segment_is_not_cut() -> None:
    entry = plan_segment(TURN_CHANGE, TurnIndex([Turn(0, 4000, "A")]))
    assert entry is not None and entry.speakers == ["A"] and entry.cuts == []


def test_short_inner_flip_is_jitter_not_a_turn() -> None:
    words = [Word(i * 300, i * 300 + 280, f" w{i}") for i in range(7)]
    labels = ["A", "A", "A", "B", "A", "A", "A"]  # one 280 ms word
    assert smooth_word_speakers(words, labels) == ["A"] * 7
    long_flip = ["A", "A", "B", "B", "B", "A", "A"]  # 880 ms: a real interjection
    assert smooth_word_speakers(words, long_flip) == long_flip


def test_three_parts_and_back() -> None:
    s = seg(
        "c",
        0,
        6000,
        [(0, 900, " Yes,"), (1000, 1900, " indeed."), (2000, 2900, " No"), (3000, 3900, " way."),
         (4000, 4900, " Well"), (5000, 5900, " okay.")],
    )  # fmt: skip
    turns = [Turn(0, 1950, "A"), Turn(1950, 3950, "B"), Turn(3950, 6000, "A")]
    entry = plan_segment(s, TurnIndex(turns))
    assert entry is not None
    assert entry.speakers == ["A", "B", "A"]
    assert [s.text[cp:] for cp, _ in entry.cuts] == ["No way. Well okay.", "Well okay."]


def test_segment_without_words_gets_the_majority_speaker() -> None:
    s = Segment("d", "s", 1000, 5000, None, "text", "whisper", None, [], False, "", "", "")
    entry = plan_segment(s, TurnIndex([Turn(0, 2000, "A"), Turn(2000, 6000, "B")]))
    assert entry is not None and entry.speakers == ["B"] and entry.cuts == []


def test_word_in_silence_takes_the_nearest_turn() -> None:
    index = TurnIndex([Turn(0, 1000, "A"), Turn(5000, 6000, "B")])
    assert index.speaker_at(1200, 1300) == "A"
    assert index.speaker_at(4600, 4700) == "B"


def test_no_turns_no_plan() -> None:
    assert plan_relabel([TURN_CHANGE], []) == []


def test_overlaps_sum_per_speaker() -> None:
    index = TurnIndex([Turn(0, 1000, "A"), Turn(500, 1500, "B"), Turn(1200, 2000, "A")])
    assert index.overlaps(800, 1400) == {"A": 400, "B": 600}

"""The word-level speaker split logic (pure: hand-made segments and turns)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft
from storage.core.models import Segment, Word
from transcribe.diarize import align
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


@pytest.fixture(autouse=True)
def every_part(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a cut goes is tested on short parts: no minimum part here, except in the tests
    of that minimum (marked ``whole_parts``)."""
    if request.node.get_closest_marker("whole_parts") is None:
        monkeypatch.setattr(align, "MIN_PART_MS", 0)
        monkeypatch.setattr(align, "MIN_PART_WORDS", 1)


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


SENTENCE = seg(
    "b",
    0,
    6000,
    [
        (0, 400, " I"),
        (400, 800, " think"),
        (800, 1200, " the"),
        (1200, 1600, " clinic"),
        (1600, 2000, " should"),
        (2000, 2400, " open"),
        (2400, 2800, " earlier,"),
        (2800, 3200, " because"),
        (3200, 3600, " people"),
        (3600, 4000, " work."),
    ],
)


@pytest.mark.whole_parts
def test_a_sentence_is_not_cut_for_a_few_words_at_its_edge() -> None:
    # the detection hands the last two words (0.8 s) to another speaker: jitter, not a turn
    turns = [Turn(0, 3200, "P1"), Turn(3200, 6000, "P2")]
    entry = plan_segment(SENTENCE, TurnIndex(turns))
    assert entry is not None and entry.cuts == [] and entry.speakers == ["P1"]
    # a clear change (both parts >= 1 s and 3 words) is still cut
    turns = [Turn(0, 2000, "P1"), Turn(2000, 6000, "P2")]
    entry = plan_segment(SENTENCE, TurnIndex(turns))
    assert entry is not None and entry.speakers == ["P1", "P2"] and len(entry.cuts) == 1


@pytest.mark.whole_parts
def test_a_cut_moves_each_coding_to_one_part_and_renaming_is_not_a_correction(
    project: Project,
) -> None:
    session = project.sessions.add_session("Focus group", "focus_group")
    (s,) = project.transcript.add_segments(
        session.id,
        [SegmentDraft(SENTENCE.start_ms, SENTENCE.end_ms, SENTENCE.text, words=SENTENCE.words)],
    )
    whole = project.codebook.ensure_code_path("Access")
    span = project.codebook.ensure_code_path("Work")
    project.codebook.apply_code(s.id, whole.id)
    at = s.text.index("because")
    project.codebook.apply_code(s.id, span.id, start_cp=at, end_cp=len(s.text))
    turns = [Turn(0, 2000, "Speaker 1"), Turn(2000, 6000, "Speaker 2")]
    plan = plan_relabel([s], turns)
    counts = project.speakers.apply_speaker_labels(session.id, plan)
    assert counts["split"] == 1
    _left, right = project.transcript.segments(session.id)
    codings = project.codebook.codings()
    assert len(codings) == 2  # moved, not copied onto both parts
    by_code = {c.code_id: c for c in codings}
    assert by_code[whole.id].segment_id == right.id  # the longer part
    assert by_code[span.id].segment_id == right.id
    moved = by_code[span.id]
    assert right.text[moved.start_cp : moved.end_cp] == "because people work."
    project.speakers.rename_speaker(session.id, "Speaker 1", "Moderator")
    assert project.speakers.speaker_edited_count(session.id) == 0


# "I agree with that. But the price is too high for us." -- the detection hands over two words
# late, inside the second sentence.
HANDOVER = seg(
    "h",
    0,
    6000,
    [(0, 300, " I"), (300, 700, " agree"), (700, 1000, " with"), (1000, 1500, " that."),
     (1900, 2200, " But"), (2200, 2500, " the"), (2500, 3000, " price"), (3000, 3300, " is"),
     (3300, 3700, " too"), (3700, 4100, " high"), (4100, 4400, " for"), (4400, 4900, " us.")],
)  # fmt: skip


def test_a_cut_inside_a_sentence_moves_to_the_nearest_sentence_end() -> None:
    # P2's detected turn starts at "price": the cut moves back to the full stop before "But"
    entry = plan_segment(HANDOVER, TurnIndex([Turn(0, 2450, "P1"), Turn(2450, 6000, "P2")]))
    assert entry is not None and entry.speakers == ["P1", "P2"]
    assert HANDOVER.text[entry.cuts[0][0] :] == "But the price is too high for us."
    assert labels_of_words(HANDOVER, entry)[:5] == ["P1", "P1", "P1", "P1", "P2"]
    # detected a word early ("that." is P2's): the cut moves forward to the sentence end
    entry = plan_segment(HANDOVER, TurnIndex([Turn(0, 950, "P1"), Turn(950, 6000, "P2")]))
    assert entry is not None
    assert HANDOVER.text[entry.cuts[0][0] :] == "But the price is too high for us."


def test_a_cut_far_from_any_sentence_end_stays_an_interruption() -> None:
    # P2 cuts in at "for", five words after the last sentence end: the cut stays there
    entry = plan_segment(HANDOVER, TurnIndex([Turn(0, 4050, "P1"), Turn(4050, 6000, "P2")]))
    assert entry is not None and entry.speakers == ["P1", "P2"]
    assert HANDOVER.text[entry.cuts[0][0] :] == "for us."
    # words without punctuation have no sentence ends: cuts stay where the detection put them
    bare = seg("n", 0, 6000, [(w.start_ms, w.end_ms, w.text.rstrip(".")) for w in HANDOVER.words])
    entry = plan_segment(bare, TurnIndex([Turn(0, 2450, "P1"), Turn(2450, 6000, "P2")]))
    assert entry is not None and bare.text[entry.cuts[0][0] :] == "price is too high for us"


def test_snapping_never_makes_a_part_disappear() -> None:
    words = HANDOVER.words
    # three parts, the middle one a single word with no sentence end near the first cut
    labels = ["A"] * 6 + ["B"] + ["C"] * 5
    snapped = align.snap_to_sentence_ends(words, labels)
    assert [r[2] for r in align._runs(snapped)] == ["A", "B", "C"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("ABC"), st.booleans()), min_size=1, max_size=30),
    st.lists(st.integers(100, 900), min_size=30, max_size=30),
)
def test_snapping_keeps_every_part_and_moves_only_near_cuts(
    labelled: list[tuple[str, bool]], lengths: list[int]
) -> None:
    """Against a model: the parts (runs of one speaker) are the same, in order; a word changes
    speaker only within ``SNAP_WORDS`` words of a cut; a moved cut lands after a sentence end."""
    words, t = [], 0
    for (_, ends), length in zip(labelled, lengths, strict=False):
        words.append(Word(t, t + length, " word." if ends else " word", 0.9))
        t += length + 50
    labels = [label for label, _ in labelled]
    snapped = align.snap_to_sentence_ends(words, labels)
    assert [r[2] for r in align._runs(snapped)] == [r[2] for r in align._runs(labels)]
    cuts = [r[0] for r in align._runs(labels)[1:]]
    for i, (before, after) in enumerate(zip(labels, snapped, strict=True)):
        if before != after:
            assert any(abs(i - c) <= align.SNAP_WORDS for c in cuts)
    for first in [r[0] for r in align._runs(snapped)[1:]]:
        if first not in cuts:
            assert words[first - 1].text.endswith(".")

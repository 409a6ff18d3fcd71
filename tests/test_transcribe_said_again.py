"""A sentence a person said again is kept each time it was said; a decoder's loop is not.

Before: a real Russian sentence read twice in a row made its 25-second piece "repetitive"
(gzip ratio just over 2.4) and the whole piece, the sentence before it included, became three
stretches of speech without transcript; read three times, two readings were collapsed away
and left as placeholders. Whisper's words were right, each copy over its own speech. Now a
copy's own stretch is decoded alone (``hear``): heard again, each copy is guarded on its own.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from transcribe import guards
from transcribe.drafts import said_again_parts, to_drafts
from transcribe.guards import WordT

A = "быть может от этого именно удара погиб материк лежавший на запад от Африки."
X = "Развернул план Петербурга и водя по нему концом трубки отыскал Ждановскую набережную."


class Seg:
    """A decoded piece in faster-whisper's shape."""

    def __init__(self, words: list[WordT]) -> None:
        self.words = words
        self.text = "".join(w.word for w in words)
        self.start = words[0].start
        self.end = words[-1].end
        self.avg_logprob = -0.12
        self.no_speech_prob = 0.1


def _said(text: str, start: float, step: float = 0.45, prob: float = 0.95) -> list[WordT]:
    return [
        WordT(start + i * step, start + i * step + step * 0.9, " " + w, prob)
        for i, w in enumerate(text.split())
    ]


def _a_x_x() -> tuple[list[WordT], list[tuple[float, float]]]:
    """A, then X twice, each over its own speech (as Whisper timed festvox-ru's reading)."""
    words = _said(A, 0.6) + _said(X, 10.2) + _said(X, 18.4)
    speech = [(0.6, 9.2), (10.0, 17.7), (18.4, 26.1)]
    return words, speech


def _hearing(reads: dict[float, str], calls: list[tuple[float, float]] | None = None) -> Any:
    """A ``hear`` that reads the text of the copy starting at a given second (else nothing)."""

    def hear(start: float, end: float) -> list[WordT]:
        if calls is not None:
            calls.append((start, end))
        text = reads.get(round(start, 2))
        return _said(text, start) if text else []

    return hear


def test_a_sentence_said_twice_keeps_the_piece_and_both_readings() -> None:
    words, speech = _a_x_x()
    seg = Seg(words)
    assert guards.compression_ratio(seg.text) > guards.COMPRESSION_RATIO  # the old trap
    dropped: list[str] = []
    assert to_drafts(seg, speech, 0, dropped, "ru") == []  # without hearing: all lost
    assert dropped and dropped[0].startswith("repetitive")
    calls: list[tuple[float, float]] = []
    found = to_drafts(seg, speech, 0, [], "ru", _hearing({18.4: X}, calls))
    assert [d.text for d in found] == [A, X, X]
    assert [d.start_ms for d in found] == [600, 10_200, 18_400]
    assert calls == [(18.4, words[-1].end)]  # only the copy is decoded again


def test_a_sentence_said_three_times_is_kept_three_times() -> None:
    words = _said(X, 0.0) + _said(X, 6.0) + _said(X, 12.0)
    seg = Seg(words)
    speech = [(0.0, 18.0)]
    assert [d.text for d in to_drafts(seg, speech, 0, [], "ru")] == [X]  # collapsed before
    found = to_drafts(seg, speech, 0, [], "ru", _hearing({6.0: X, 12.0: X}))
    assert [d.text for d in found] == [X, X, X]


def test_a_loop_over_other_speech_is_still_collapsed_or_dropped() -> None:
    """The copy's stretch, decoded alone, says something else (or nothing, or unsurely):
    the decoder lost its place; the guards act as before."""
    words, speech = _a_x_x()
    seg = Seg(words)
    other = "Сначала думали что это следы бурь в магнитных полях Земли."
    for hear in (_hearing({18.4: other}), _hearing({}), _unsure_hearing(X)):
        dropped: list[str] = []
        assert to_drafts(seg, speech, 0, dropped, "ru", hear) == []
        assert dropped[0].startswith("repetitive")
    loop = _said(X, 0.0) + _said(X, 6.0) + _said(X, 12.0)
    assert [d.text for d in to_drafts(Seg(loop), [(0.0, 18.0)], 0, [], "ru", _hearing({}))] == [X]


def _unsure_hearing(text: str) -> Any:
    def hear(start: float, end: float) -> list[WordT]:
        return _said(text, start, prob=0.3)

    return hear


def test_copies_squeezed_into_no_time_are_not_heard_again() -> None:
    """A loop's words stacked at one moment are not a person saying them again, whatever the
    decode of that moment reads."""
    copy = [WordT(5.0, 5.0, " " + w, 0.9) for w in X.split()]
    assert not guards.heard_as(copy, _said(X, 5.0))
    assert guards.heard_as(_said(X, 5.0), _said(X, 5.0))


def test_later_copies_finds_each_copy_in_turn() -> None:
    words = _said("один два три", 0) + _said(X, 2) + _said(X, 8) + _said(X, 14) + _said(A, 20)
    n = len(X.split())
    assert guards.later_copies(words) == [(3 + n, n), (3 + 2 * n, n)]
    assert guards.later_copies(_said(A + " " + X, 0)) == []


@given(
    phrases=st.lists(
        st.sampled_from([A, X, "да да", "Сначала думали что это следы бурь"]), max_size=6
    ),
    heard=st.sets(st.integers(0, 40)),
)
def test_parts_hold_every_word_once_in_order_and_split_only_at_heard_copies(
    phrases: list[str], heard: set[int]
) -> None:
    """Model: the parts join back to the words; a part after the first starts where a copy
    (``later_copies``) starts, and only where its stretch was heard again."""
    words: list[WordT] = []
    for phrase in phrases:
        words += _said(phrase, words[-1].end + 0.3 if words else 0.0)
    copies = dict(guards.later_copies(words))
    starts = {round(w.start, 6): i for i, w in enumerate(words)}

    def hear(start: float, end: float) -> list[WordT]:
        i = starts[round(start, 6)]
        if i not in heard:
            return []
        return words[i : i + copies[i]]

    parts = said_again_parts(words, hear)
    assert [w for part in parts for w in part] == words
    at = 0
    opened = []
    for part in parts:
        opened.append(at)
        at += len(part)
    for begin in opened[1:]:
        assert begin in copies and begin in heard
    # the copies before the first one not heard again all open a part
    for begin in sorted(copies):
        if begin not in heard:
            break
        assert begin in opened


def test_a_retry_of_a_sentence_said_twice_and_written_once_is_kept() -> None:
    """Whisper wrote the sentence once and skipped its second saying; the retry of that
    speech reads it again. Before, it was dropped as a duplicate of the words nearby (the
    speech became a placeholder). Now the first pass's words are heard where they lie: read
    there too, the sentence was said twice; read as something else, the first pass's timings
    were off (it skipped what lies there), and the retry is the duplicate it was."""
    from transcribe.coverage import not_repeated

    first = Seg(_said(X, 0.0))
    retry = Seg(_said(X, 6.0))
    assert not_repeated([retry], [first]) == []
    assert not_repeated([retry], [first], hear=_hearing({0.0: X})) == [retry]
    other = "Сначала думали что это следы бурь в магнитных полях Земли."
    assert not_repeated([retry], [first], hear=_hearing({0.0: other})) == []
    same_place = Seg(_said(X, 0.2))  # the retry's words where the first pass has them
    assert not_repeated([same_place], [first], hear=_hearing({0.0: X})) == []
    elsewhere = Seg(_said(A, 6.0))
    assert not_repeated([elsewhere], [first], hear=_hearing({})) == [elsewhere]

"""Word timings a hand edit left behind (before aa16333 they kept Whisper's wording, so a name
typed out of a segment stayed in its ``words``): every path that sends words out of the project
leaves out the words the text no longer says, a project opened for writing drops them once, and
``words_kept_by`` keeps exactly the words the text still says."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.core.models import Word
from storage.core.segment_rows import words_kept_by

VOCAB = ["Айгуль", "меня", "Меня", "зовут", "қалай", "әр", "city", "x", "a", "b", "да", "нет"]


def _lcs_length(timed: tuple[str, ...], said: tuple[str, ...]) -> int:
    """The model: how many words at most the two sequences share in order (plain recursion)."""

    @cache
    def best(i: int, j: int) -> int:
        if i == len(timed) or j == len(said):
            return 0
        if timed[i] == said[j]:
            return 1 + best(i + 1, j + 1)
        return max(best(i + 1, j), best(i, j + 1))

    return best(0, 0)


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(any(p == w for w in rest) for p in part)


@settings(max_examples=400, deadline=None)
@given(
    old=st.lists(st.sampled_from(VOCAB), max_size=14),
    new=st.lists(st.sampled_from(VOCAB), max_size=14),
)
def test_the_words_kept_are_exactly_those_the_text_still_says(
    old: list[str], new: list[str]
) -> None:
    """For any text and word list: the kept words are the old objects, in their order, saying
    words of the text in its order (any case), and as many as the two share at most: no word
    the text still says is dropped, none it no longer says is kept. So keeping again keeps
    all (the repair of a project is done once for good)."""
    words = [Word(i * 100, i * 100 + 90, (" " if i else "") + t, None) for i, t in enumerate(old)]
    text = " ".join(new)
    kept = words_kept_by(text, words)
    positions = [next(i for i, w in enumerate(words) if w is k) for k in kept]
    assert positions == sorted(set(positions))  # the old words, each once, in order
    folded = [t.casefold() for t in new]
    assert _is_subsequence([k.text.strip().casefold() for k in kept], folded)
    assert len(kept) == _lcs_length(tuple(t.casefold() for t in old), tuple(folded))
    assert words_kept_by(text, kept) == kept

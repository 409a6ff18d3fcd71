"""The start of a turn the file gives no time (a Google Meet turn between timestamps a few
minutes apart, ``transcript_timed``; an oTranscribe paragraph without a timestamp,
``transcript_otr``): estimated by the words said before it since the timestamp above."""

from __future__ import annotations

import itertools

from .transcript_patterns import WORDS_PER_SECOND


def starts_by_words(low_ms: int, high_ms: int | None, words: list[int]) -> list[int]:
    """The starts (milliseconds) of the untimed turns after a timed one: ``words`` counts the
    timed turn's words (those after its timestamp), then each untimed turn's. Each starts
    where the time from ``low_ms`` (the timestamp above) to ``high_ms`` (the next one) is
    shared by the words said before it, rounded down to the millisecond; after the last
    timestamp (``high_ms`` None) at ``WORDS_PER_SECOND``, rounded. One start for each of
    ``words[1:]``."""
    before = list(itertools.accumulate(words))[:-1]
    if high_ms is None:
        return [low_ms + round(said / WORDS_PER_SECOND * 1000) for said in before]
    total = max(sum(words), 1)
    return [low_ms + (high_ms - low_ms) * said // total for said in before]

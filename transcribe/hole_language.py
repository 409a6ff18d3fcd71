"""The language of speech without transcript left inside a stretch decoded in Russian or Kazakh.

A stretch's language is heard on the whole stretch. Where a placeholder is only a part of it,
the rest was what Whisper heard: at a switch of language with no pause (festvox-ru, then the
real Kazakh of ``tests/data/kazakh``, then festvox-ru again, ``tests/data/language_switch``)
the stretch was heard as Russian, the Russian decode gave no word over the Kazakh, and the
placeholder there was marked RU, a language nobody heard in it (heard alone: Russian 0.47,
the whole Kazakh clip alone Lithuanian 0.79). Such a placeholder is heard on its own and
takes the expected language Whisper clearly hears there, or none ("Language unknown").

A stretch Whisper could not place as a whole, decided by its readings in each expected
language (``identify.Identifier.read_in_each``), keeps the language of the reading kept over
a placeholder that is unclear on its own too: nothing heard contradicts it (espeak-ng's
Kazakh, read best in Kazakh and heard alone as Hungarian). A placeholder that is its whole
stretch keeps the stretch's language: that is what was heard in it; so does one shorter than
the shortest part of a stretch identified on its own.
"""

from __future__ import annotations

from .drafts import touching_joined
from .identify import LID_PART_MIN_S
from .languages import choose, doubtful
from .stream import SAMPLE_RATE


def heard_on_its_own(hole: dict[str, int], run: list[dict[str, int]]) -> bool:
    """Whether speech without transcript (``hole``, samples) is heard on its own: it is at
    least ``identify.LID_PART_MIN_S`` long (the shortest part of a stretch identified on its
    own; a shorter one goes with its stretch) and lies in a stretch of ``run`` (chunks that
    touch are one stretch) holding that much other speech, where the stretch's language was
    heard. A second of espeak-ng Kazakh left without a word was heard alone as English 0.91."""
    least = LID_PART_MIN_S * SAMPLE_RATE
    if hole["end"] - hole["start"] < least:
        return False
    stretch = [
        c for c in touching_joined(run) if c["start"] < hole["end"] and hole["start"] < c["end"]
    ]
    return sum(c["end"] - c["start"] for c in stretch) - (hole["end"] - hole["start"]) >= least


def language_in_part(
    probs: dict[str, float], code: str, allowed: list[str], *, read: bool, unknown: str
) -> str:
    """The language of a placeholder inside a stretch decoded in ``code``, from Whisper's
    probabilities for it heard alone (``probs``): the expected language it clearly hears
    there (not ``languages.doubtful``); unclear, ``code`` when the stretch was decided by its
    readings (``read``), else ``unknown``."""
    if not doubtful(probs, allowed):
        return choose(probs, allowed)[0]
    return code if read else unknown

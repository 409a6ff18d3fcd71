"""Segment rows to ``Segment`` dataclasses and back (word timings as JSON)."""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from typing import Any

from storage.core.models import Segment, Word


def words_to_json(words: list[Word]) -> str | None:
    """Word timings as stored in ``segments.words`` (JSON lists), or None for none."""
    if not words:
        return None
    return json.dumps(
        [[w.start_ms, w.end_ms, w.text, w.probability] for w in words], ensure_ascii=False
    )


def words_from_json(raw: str | None) -> list[Word]:
    """Word timings back from ``segments.words``."""
    if not raw:
        return []
    return [Word(int(a), int(b), str(t), p) for a, b, t, p in json.loads(raw)]


#: The timed word that stands for redacted speech in bundles and exports (``PrivateView``):
#: the text says "[PLACE]" (or "[REDACTED]") there.
REDACTED_WORD = "[…]"
_STAND_IN = re.compile(r"\[[^\[\]]+\]\W*")


def _said_token(token: str) -> str:
    """A word of a text as ``words_kept_by`` compares it: a redaction's "[PLACE]" is what the
    timed stand-in ``REDACTED_WORD`` says."""
    return REDACTED_WORD if _STAND_IN.fullmatch(token) else token.casefold()


def words_kept_by(text: str, words: list[Word]) -> list[Word]:
    """The timed words that ``text`` still says, in order (a hand edit of the text): the most
    words that read, in order, as words of the text (split at spaces, any case); the words the
    edit deleted or changed go. Their timings kept the old wording (a name typed out of the
    text stayed in the JSON export and in bundles). Keeping again keeps them all, so a project
    whose words were made to follow its text stays so. The stand-in of a redacted word
    (``REDACTED_WORD``) is said by the text's "[CATEGORY]": a bundle's redacted segment holds
    both, and a copy made from it dropped the stand-in when it opened, which gave the row a
    new version; the lead then took it for the copy's edit and its own clear text was replaced
    by "[PLACE]" for good."""
    if not words:
        return []
    said = [_said_token(token) for token in text.split()]
    timed = [w.text.strip().casefold() for w in words]
    # the words both share at the start and at the end belong to a longest alignment
    lo = 0
    while lo < min(len(timed), len(said)) and timed[lo] == said[lo]:
        lo += 1
    t_hi, s_hi = len(timed), len(said)
    while t_hi > lo and s_hi > lo and timed[t_hi - 1] == said[s_hi - 1]:
        t_hi, s_hi = t_hi - 1, s_hi - 1
    kept = [
        *range(lo),
        *(lo + i for i in _aligned(timed[lo:t_hi], said[lo:s_hi])),
        *range(t_hi, len(timed)),
    ]
    return [words[i] for i in kept]


#: Past this many cells (timed words times the text's words, between their shared ends) the
#: alignment falls back to ``difflib``, which may keep fewer (never a word the text does not say).
_ALIGN_CELLS_MAX = 250_000


def _aligned(timed: list[str], said: list[str]) -> list[int]:
    """Indices into ``timed`` of a longest common subsequence with ``said`` (earliest first)."""
    if not timed or not said:
        return []
    if len(timed) * len(said) > _ALIGN_CELLS_MAX:
        matcher = difflib.SequenceMatcher(a=timed, b=said, autojunk=False)
        return [i for b in matcher.get_matching_blocks() for i in range(b.a, b.a + b.size)]
    n, m = len(timed), len(said)
    # after[i][j]: how many of timed[i:] and said[j:] align at most
    after = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = after[i], after[i + 1]
        word = timed[i]
        for j in range(m - 1, -1, -1):
            row[j] = below[j + 1] + 1 if word == said[j] else max(below[j], row[j + 1])
    kept: list[int] = []
    i = j = 0
    while i < n and j < m:
        if timed[i] == said[j] and after[i][j] == after[i + 1][j + 1] + 1:
            kept.append(i)
            i, j = i + 1, j + 1
        elif after[i][j + 1] >= after[i + 1][j]:
            j += 1  # a text word skipped keeps this timed word in play
        else:
            i += 1
    return kept


#: ``segments.edited``: 0 as Whisper wrote it; ``EDITED_TEXT`` a person changed its text
#: (typed, merged, names replaced by pseudonyms, originals destroyed), perhaps its language too;
#: ``EDITED_LANGUAGE`` a person set its language and its text is Whisper's (set by hand, or
#: re-transcribed after a text correction). Both are a person's work that a re-transcription of
#: the session keeps; re-transcribing the one segment asks first only for ``EDITED_TEXT``.
#: (Projects from before this distinction have 1 for a language correction too.)
EDITED_TEXT, EDITED_LANGUAGE = 1, 2

SEGMENT_COLUMNS = (
    "id, session_id, start_ms, end_ms, speaker, text, origin, confidence, words, edited, "
    "created_by, created_at, updated_at, language, untranscribed, model"
)
_LATER = ("language", "untranscribed", "model")  # columns added by migrations, read by name


def segment_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Segment:
    """Build a ``Segment`` from a row selected with ``SEGMENT_COLUMNS`` (or ``*``)."""
    later: tuple[Any, ...] = (None, 0, None)
    if isinstance(row, sqlite3.Row):
        keys = row.keys()
        later = tuple(row[k] if k in keys else d for k, d in zip(_LATER, later, strict=True))
        if "seq" in keys:
            row = tuple(row)[1:]  # drop seq
    elif len(row) >= 15:
        later = (*tuple(row[13:15]), row[15] if len(row) >= 16 else None)
    # Later migrations append columns (e.g. speaker_edited); the first 13 are these.
    (
        id_, session_id, start_ms, end_ms, speaker, text, origin, confidence, words, edited,
        created_by, created_at, updated_at,
    ) = tuple(row)[:13]  # fmt: skip
    return Segment(
        id_,
        session_id,
        start_ms,
        end_ms,
        speaker,
        text,
        origin,
        confidence,
        words_from_json(words),
        bool(edited),
        created_by,
        created_at,
        updated_at,
        later[0],
        bool(later[1]),
        later[2],
    )

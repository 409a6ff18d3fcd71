"""Segment rows to ``Segment`` dataclasses and back (word timings as JSON)."""

from __future__ import annotations

import difflib
import json
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


def words_kept_by(text: str, words: list[Word]) -> list[Word]:
    """The timed words that ``text`` still says, in order (a hand edit of the text): each kept
    word is one of the text's words (split at spaces, any case), aligned in order with the
    others; the words the edit deleted or changed go. Their timings kept the old wording (a
    name typed out of the text stayed in the JSON export and in bundles)."""
    if not words:
        return []
    said = [token.casefold() for token in text.split()]
    timed = [w.text.strip().casefold() for w in words]
    matcher = difflib.SequenceMatcher(a=timed, b=said, autojunk=False)
    kept = {
        i for block in matcher.get_matching_blocks() for i in range(block.a, block.a + block.size)
    }
    return [w for i, w in enumerate(words) if i in kept]


#: ``segments.edited``: 0 as Whisper wrote it; ``EDITED_TEXT`` a person changed its text
#: (typed, merged, names replaced by pseudonyms, originals destroyed), perhaps its language too;
#: ``EDITED_LANGUAGE`` a person set its language and its text is Whisper's (set by hand, or
#: re-transcribed after a text correction). Both are a person's work that a re-transcription of
#: the session keeps; re-transcribing the one segment asks first only for ``EDITED_TEXT``.
#: (Projects from before this distinction have 1 for a language correction too.)
EDITED_TEXT, EDITED_LANGUAGE = 1, 2

SEGMENT_COLUMNS = (
    "id, session_id, start_ms, end_ms, speaker, text, origin, confidence, words, edited, "
    "created_by, created_at, updated_at, language, untranscribed"
)
_LATER = ("language", "untranscribed")  # columns added by migrations, read by name


def segment_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Segment:
    """Build a ``Segment`` from a row selected with ``SEGMENT_COLUMNS`` (or ``*``)."""
    later: tuple[Any, ...] = (None, 0)
    if isinstance(row, sqlite3.Row):
        keys = row.keys()
        later = tuple(row[k] if k in keys else d for k, d in zip(_LATER, later, strict=True))
        if "seq" in keys:
            row = tuple(row)[1:]  # drop seq
    elif len(row) >= 15:
        later = tuple(row[13:15])
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
    )

"""Segment rows to ``Segment`` dataclasses and back (word timings as JSON)."""

from __future__ import annotations

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

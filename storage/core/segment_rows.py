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
    "created_by, created_at, updated_at"
)


def segment_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Segment:
    """Build a ``Segment`` from a row selected with ``SEGMENT_COLUMNS`` (or ``*``)."""
    if isinstance(row, sqlite3.Row) and "seq" in row.keys():  # noqa: SIM118 (values!)
        row = tuple(row)[1:]  # drop seq
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
    )

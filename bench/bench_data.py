"""Bulk rows for the benchmark projects (``export_bench``, ``merge_bench``, ``analysis_bench``).

The benches build projects of 50,000 to 300,000 segments; the public API would take minutes,
so they insert rows straight into ``project.db`` inside one transaction. This is the one place
that knows the ``segments`` columns they fill.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from storage.core.ids import new_id

TS = "2026-03-01T10:00:00.000Z"
STEP_MS = 3000  # one segment every 3 seconds in each session


def insert_segments(
    conn: sqlite3.Connection,
    sessions: list[str],
    n_segments: int,
    *,
    text: Callable[[int], str],
    speaker: Callable[[int], str | None],
    length_ms: Callable[[int], int] = lambda _i: 2500,
    ts: str = TS,
) -> list[str]:
    """Insert ``n_segments`` Whisper segments spread evenly over ``sessions`` (in order, one
    every ``STEP_MS``); segment ``i`` gets ``text(i)``, ``speaker(i)`` and ``length_ms(i)``.
    Returns their ids, in order. Call inside the project's transaction."""
    segments = [new_id() for _ in range(n_segments)]
    per = n_segments // len(sessions) + 1
    conn.executemany(
        "INSERT INTO segments (id, session_id, start_ms, end_ms, speaker, text, origin,"
        " created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 'whisper', 'lead', ?, ?)",
        (
            (
                seg,
                sessions[i // per],
                (i % per) * STEP_MS,
                (i % per) * STEP_MS + length_ms(i),
                speaker(i),
                text(i),
                ts,
                ts,
            )
            for i, seg in enumerate(segments)
        ),
    )
    return segments

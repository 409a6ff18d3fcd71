"""Reading and writing one ``project_meta`` value inside the caller's transaction (any
connection: a project's, or a merge's with a bundle attached; a write goes to the project,
``main``)."""

from __future__ import annotations

from typing import Any


def read_meta(conn: Any, schema: str, key: str) -> str | None:
    """One ``project_meta`` value of ``schema`` ("main" or an attached bundle): None when the
    key is missing or its value is NULL (a bundle is untrusted; never the text "None")."""
    row = conn.execute(f"SELECT value FROM {schema}.project_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def put_meta(conn: Any, key: str, value: str) -> None:
    """Set ``key`` to ``value`` in this project's ``project_meta`` (inserted or replaced)."""
    conn.execute(
        "INSERT INTO main.project_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def coding_groups_in(value: Any) -> dict[str, str]:
    """``{coding id: id of its group}`` of a decoded ``WHOLE_CODINGS_KEY`` value (a project's or
    an untrusted bundle's): only text to text."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def time_ranges_in(value: Any) -> dict[str, tuple[int, int]]:
    """``{coding id: (begin ms, end ms)}`` of a decoded ``TIME_RANGES_KEY`` value (a project's
    or an untrusted bundle's): only pairs of whole milliseconds, not negative, in order."""
    if not isinstance(value, dict):
        return {}
    kept: dict[str, tuple[int, int]] = {}
    for key, pair in value.items():
        if (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in pair)
            and pair[0] <= pair[1]
        ):
            kept[str(key)] = (pair[0], pair[1])
    return kept

"""Writing one ``project_meta`` value inside the caller's transaction (any connection: a
project's, or a merge's with a bundle attached; the value goes to the project, ``main``)."""

from __future__ import annotations

from typing import Any


def put_meta(conn: Any, key: str, value: str) -> None:
    """Set ``key`` to ``value`` in this project's ``project_meta`` (inserted or replaced)."""
    conn.execute(
        "INSERT INTO main.project_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )

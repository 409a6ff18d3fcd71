"""Texts held outside the rows a privacy operation rewrites: merge conflicts' stored versions.

A merge conflict (``conflicts.versions``, JSON) keeps every competing version of a row, values
included, open or resolved. ``redact --destroy`` and ``pseudonym --apply`` rewrite those copies
too (``scrub_conflicts``), so ``conflicts`` never shows, and ``conflicts --resolve`` never
brings back, a destroyed or replaced text.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

#: columns of a version's values that are never text to scrub (ids, stamps, paths, hashes)
_NOT_TEXT = {"id", "created_by", "created_at", "updated_at", "path", "sha256", "kind", "status"}

#: ``fix(table, column, value) -> value``: the scrubbed value of one text column
Fixer = Callable[[str, str, str], str]


def _fix_words(raw: str, fix_text: Callable[[str], str]) -> str:
    """Scrub the texts of a ``words`` JSON value (``[[start, end, text, p], ...]``)."""
    try:
        words = json.loads(raw)
    except ValueError:
        return fix_text(raw)
    if not isinstance(words, list):
        return fix_text(raw)
    out = []
    for w in words:
        if isinstance(w, list) and len(w) >= 3 and isinstance(w[2], str):
            w = [*w[:2], fix_text(w[2]), *w[3:]]
        out.append(w)
    return json.dumps(out, ensure_ascii=False)


def scrub_conflicts(
    conn: sqlite3.Connection,
    fix: Fixer,
    *,
    table: str | None = None,
    row_ids: Iterable[str] | None = None,
) -> int:
    """Rewrite the stored versions of conflicts (all, or of ``table``'s ``row_ids``).

    ``fix`` gets every string value but ids and stamps; ``words`` values are parsed and each
    word's text is passed. Returns how many conflicts changed. Runs in the caller's transaction.
    """
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'conflicts'"
    ).fetchone()
    if exists is None:
        return 0
    sql, params = "SELECT id, table_name, versions FROM conflicts", []
    if table is not None:
        ids = sorted(set(row_ids or ()))
        if not ids:
            return 0
        sql += f" WHERE table_name = ? AND row_id IN ({','.join('?' * len(ids))})"
        params = [table, *ids]
    changed = 0
    for conflict_id, table_name, raw in conn.execute(sql, params).fetchall():
        versions = json.loads(raw)
        for version in versions:
            values: dict[str, Any] = version.get("values") or {}
            for column, value in list(values.items()):
                if not isinstance(value, str) or column in _NOT_TEXT or column.endswith("_id"):
                    continue
                if column == "words":

                    def fix_word(text: str, t: str = table_name, c: str = column) -> str:
                        return fix(t, c, text)

                    values[column] = _fix_words(value, fix_word)
                else:
                    values[column] = fix(table_name, column, value)
        new = json.dumps(versions, ensure_ascii=False)
        if new != raw:
            conn.execute("UPDATE conflicts SET versions = ? WHERE id = ?", (new, conflict_id))
            changed += 1
    return changed


def destroyed_fixer(originals: dict[str, list[tuple[str, str]]]) -> Fixer:
    """A ``Fixer`` for destroyed spans: ``originals[segment_id]`` = [(original, placeholder)].

    In a segment conflict's versions, every occurrence (any case) of an original span becomes
    its placeholder, and so does every whole word of it (three letters or more, so a name that
    another version spells on its own, or words timed one by one, go too).
    """
    patterns: list[tuple[re.Pattern[str], str]] = []
    for pairs in originals.values():
        for original, placeholder in pairs:
            if original.strip():
                patterns.append(
                    (re.compile(re.escape(original.strip()), re.IGNORECASE), placeholder)
                )
            for token in re.findall(r"\w{3,}", original):
                patterns.append(
                    (re.compile(rf"\b{re.escape(token)}\b", re.IGNORECASE), placeholder)
                )

    def fix(_table: str, _column: str, value: str) -> str:
        for pattern, placeholder in patterns:
            value = pattern.sub(placeholder, value)
        return value

    return fix

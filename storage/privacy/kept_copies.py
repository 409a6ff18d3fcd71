"""Names replaced in the kept copies of deleted sessions too (``deleted_sessions``, schema 0011).

A deleted session's rows are kept, as JSON, in one ``deleted_sessions`` row so that it can be
restored (``storage.sessions.deleted``). A project-wide ``apply_pseudonyms`` rewrites those
copies as it rewrites the live rows, in its transaction: a segment's text and word timings
(the segment is marked ``edited``), the spans of its codings and redactions (they follow
their words), speaker labels (segments, speaker turns, session speakers), memos and coding
memos. Every mapped name is replaced, its inflected forms too but those rejected as another
person (nobody reviews a deleted session's candidates, as ``pseudonymise_restored`` does on a
restore). Before, the real names stayed in ``project.db`` until the session was restored or
forgotten.

The rows keep their ``updated_at``: a restore stamps them anew, and records the version each
replaces, which must be the one other copies of the project have.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from storage.core.segment_rows import words_from_json
from storage.privacy.names import fold
from storage.privacy.text import Replacement, RewrittenText, find_names, rewrite, rewrite_words

#: (real name, pseudonym, inflected forms rejected as another person)
Mapping = Sequence[tuple[str, str, Sequence[str]]]


def _words_json(words: Sequence[Any]) -> str | None:
    if not words:
        return None
    return json.dumps(
        [[w.start_ms, w.end_ms, w.text, w.probability] for w in words], ensure_ascii=False
    )


def _rewritten(text: str, mapping: Mapping) -> RewrittenText:
    reps = [Replacement(m.start, m.end, m.replacement) for m in find_names(text, mapping)]
    return rewrite(text, reps)


def _fix(text: Any, mapping: Mapping) -> Any:
    if not isinstance(text, str) or not text:
        return text
    return _rewritten(text, mapping).text


def pseudonymise_text(text: str, mapping: Mapping) -> str:
    """``text`` with every mapped name replaced (its inflected forms too but those rejected as
    another person), as in a kept copy's segments: for texts kept outside the database
    (unsaved typing, ``storage.transcript.unsaved``)."""
    return str(_fix(text, mapping))


def _pseudonym_of(label: Any, mapping: Mapping) -> str | None:
    """The pseudonym a speaker label that is exactly a real name (any case) becomes."""
    if not isinstance(label, str):
        return None
    key = fold(" ".join(label.split()))
    for real, pseudonym, _rejected in mapping:
        if fold(real) == key:
            return pseudonym
    return None


def pseudonymise_copy(rows: dict[str, list[dict[str, Any]]], mapping: Mapping) -> int:
    """Replace the mapped names in one kept copy (``rows`` by table, changed in place).

    Returns how many names were replaced in its segments' text."""
    replaced = 0
    for segment in rows.get("segments", []):
        text = segment.get("text")
        if not isinstance(text, str) or not text:
            continue
        rewritten = _rewritten(text, mapping)
        if not rewritten.changed:
            continue
        replaced += len(rewritten.replacements)
        words = rewrite_words(text, words_from_json(segment.get("words")), rewritten)
        segment["text"] = rewritten.text
        segment["words"] = _words_json(words)
        segment["edited"] = 1
        for table in ("codings", "redactions"):  # spans follow their words
            for row in rows.get(table, []):
                if row.get("segment_id") == segment.get("id") and row.get("start_cp") is not None:
                    row["start_cp"], row["end_cp"] = rewritten.map_span(
                        row["start_cp"], row["end_cp"]
                    )
    for table in ("segments", "speaker_turns"):
        for row in rows.get(table, []):
            new = _pseudonym_of(row.get("speaker"), mapping)
            if new is not None:
                row["speaker"] = new
    labels = {row.get("label") for row in rows.get("session_speakers", [])}
    for row in rows.get("session_speakers", []):
        new = _pseudonym_of(row.get("label"), mapping)
        if new is not None and new not in labels:  # as live: a label taken stays (merged later)
            labels.discard(row.get("label"))
            labels.add(new)
            row["label"] = new
    for memo in rows.get("memos", []):
        memo["title"] = _fix(memo.get("title"), mapping)
        memo["text"] = _fix(memo.get("text"), mapping)
    for coding in rows.get("codings", []):
        coding["memo"] = _fix(coding.get("memo"), mapping)
    return replaced


def pseudonymise_kept_copies(conn: sqlite3.Connection, mapping: Mapping) -> int:
    """Replace the mapped names in every kept copy of a deleted session (see the module
    notes), in the caller's transaction. Returns how many copies changed."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deleted_sessions'"
    ).fetchone()
    if exists is None or not mapping:
        return 0
    changed = 0
    for session_id, raw in conn.execute(
        "SELECT session_id, rows FROM deleted_sessions ORDER BY session_id"
    ).fetchall():
        rows = json.loads(raw)
        pseudonymise_copy(rows, mapping)
        new = json.dumps(rows, ensure_ascii=False)
        if new != raw:
            conn.execute(
                "UPDATE deleted_sessions SET rows = ? WHERE session_id = ?", (new, session_id)
            )
            changed += 1
    return changed


__all__ = ["pseudonymise_copy", "pseudonymise_kept_copies", "pseudonymise_text"]

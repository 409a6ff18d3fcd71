"""Word timings a hand edit left behind, dropped once when a project is opened for writing.

Until word timings followed hand edits (``Transcript.update_segment``, aa16333), an edit of a
segment's text kept Whisper's timed words: a name a coder typed out of the text stayed in
``segments.words``. Exports and bundles leave such words out (``storage.privacy.view``); the
first time a FieldScribe that knows this opens a project for writing, every hand-edited segment
keeps only the words its text still says (``words_kept_by``), in one transaction, and
``project_meta`` records that it was done (``WORDS_FOLLOW_EDITS_KEY``), so it is not looked for
again (the segment versions open or resolved merge conflicts keep are fixed alike). A data
fix, not a schema step: an older FieldScribe still opens the project and merges
its bundles. Texts, codings and redactions are not touched (they are anchored to the text).

Each segment fixed gets a version derived from its own (``REPAIRED_SUFFIX``), the same on every
copy of the project that fixes it: copies fixed apart agree without a conflict, a teammate's
unfixed copy takes the fixed row from our bundle, and their bundle's unfixed row is an older
version of ours (the version-history trigger records it). A merge does the same to the
hand-edited segments a bundle brings (one from an older FieldScribe still carries such words):
``storage.team.merge_rows`` calls ``drop_stale_words`` on the rows the bundle brought.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from storage.core.ids import now_iso
from storage.core.meta import put_meta, read_meta
from storage.core.segment_rows import words_from_json, words_kept_by, words_to_json
from storage.core.store import Store

#: ``project_meta`` key set once the words were made to follow the text (its value: when).
WORDS_FOLLOW_EDITS_KEY = "words_follow_edits"
#: What a fixed segment's version (``updated_at``) gets appended.
REPAIRED_SUFFIX = "~words"


def words_said(text: str, raw: Any) -> Any:
    """A ``segments.words`` value less the timed words ``text`` no longer says (the same value
    when it says them all, or when the words cannot be read: a project edited with another
    tool)."""
    try:
        words = words_from_json(raw)
    except (ValueError, TypeError):
        return raw
    kept = words_kept_by(str(text), words)
    return raw if len(kept) == len(words) else words_to_json(kept)


def stale_words_dropped(values: dict[str, Any]) -> dict[str, Any]:
    """A segment row's ``values`` (a merge's or a conflict's version) with ``words_said``
    applied when the row was edited by hand (the others: as they are)."""
    if not values.get("edited") or not values.get("words"):
        return values
    return {**values, "words": words_said(str(values.get("text") or ""), values["words"])}


def drop_stale_words(conn: sqlite3.Connection, *, among: str | None = None) -> int:
    """Make every hand-edited segment keep only the timed words its text still says, in the
    caller's transaction; return how many segments changed. ``among``: an SQL query of the
    segment ids to look at (a merge: the bundle's rows that differ from ours), else all."""
    changed = 0
    where = "edited = 1 AND words IS NOT NULL"
    if among is not None:
        where += f" AND id IN ({among})"
    rows = conn.execute(
        f"SELECT id, text, words, updated_at FROM main.segments WHERE {where}"
    ).fetchall()
    for segment_id, text, raw, version in rows:
        said = words_said(text, raw)
        if said == raw:
            continue
        version = str(version)
        if not version.endswith(REPAIRED_SUFFIX):
            version += REPAIRED_SUFFIX
        conn.execute(
            "UPDATE main.segments SET words = ?, updated_at = ? WHERE id = ?",
            (said, version, segment_id),
        )
        changed += 1
    return changed


def repair_stale_words(store: Store) -> int:
    """Once per project (opened for writing): ``drop_stale_words`` and record it was done.
    Returns how many segments changed (0 when it was done before)."""
    if read_meta(store.conn, "main", WORDS_FOLLOW_EDITS_KEY) is not None:
        return 0
    with store.tx() as db:
        changed = drop_stale_words(db.conn)
        _drop_from_conflicts(db.conn)
        put_meta(db.conn, WORDS_FOLLOW_EDITS_KEY, now_iso())
    return changed


def _drop_from_conflicts(conn: sqlite3.Connection) -> None:
    """The segment versions a merge conflict keeps (``conflicts.versions``, JSON) less the
    words their texts no longer say: an older FieldScribe recorded a teammate's as it came."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'conflicts'"
    ).fetchone()
    if exists is None:
        return
    for conflict_id, raw in conn.execute(
        "SELECT id, versions FROM conflicts WHERE table_name = 'segments'"
    ).fetchall():
        try:
            versions = json.loads(raw)
            fixed = [{**v, "values": stale_words_dropped(v.get("values") or {})} for v in versions]
        except (ValueError, TypeError, AttributeError):
            continue
        if fixed != versions:
            conn.execute(
                "UPDATE conflicts SET versions = ? WHERE id = ?",
                (json.dumps(fixed, ensure_ascii=False), conflict_id),
            )

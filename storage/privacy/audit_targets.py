"""What an audit entry was about, named as a researcher knows it.

The log keeps a target's kind and id ("segment 01a2504d-57f4-…"): read in the Ethics panel, an
id says nothing. ``target_names`` names each target from the project as it is now: a session by
its title, a segment by its session's title, its time and its first words (redacted words shown
as their category, never the words), a participant by their label, a pseudonym entry by the
pseudonym (not the real name), a code by its path, the project as "whole project". A target
that is gone says so ("session (deleted)"). Nothing here is stored: the log itself holds ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.core.store import Store
from storage.core.words import clock
from storage.privacy.models import AuditEntry

#: words of a segment's text named in its target
FIRST_WORDS = 5

_KINDS_BY_TABLE = {
    "session": "SELECT id, title FROM sessions WHERE id IN ({})",
    "participant": "SELECT id, pseudonym FROM participants WHERE id IN ({})",
    "pseudonym": "SELECT id, pseudonym FROM pseudonyms WHERE id IN ({})",
}


def _masked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each redacted span (code points) replaced by its category in brackets."""
    for start, end, category in sorted(spans, reverse=True):
        text = f"{text[:start]}[{category}]{text[end:]}"
    return text


def first_words(text: str, words: int = FIRST_WORDS) -> str:
    """The first ``words`` words of ``text`` ("…" after them when there are more)."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _marks(ids: Iterable[str]) -> tuple[str, list[str]]:
    listed = sorted(set(ids))
    return ",".join("?" * len(listed)), listed


def _segments(store: Store, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    marks, listed = _marks(ids)
    rows = store.rows(
        "SELECT g.id, g.start_ms, g.text, s.title FROM segments g "
        f"LEFT JOIN sessions s ON s.id = g.session_id WHERE g.id IN ({marks})",
        listed,
    )
    hidden: dict[str, list[tuple[int, int, str]]] = {}
    for r in store.rows(
        "SELECT segment_id, start_cp, end_cp, category FROM redactions "
        f"WHERE destroyed = 0 AND segment_id IN ({marks})",  # destroyed: the text says so
        listed,
    ):
        hidden.setdefault(r["segment_id"], []).append(
            (int(r["start_cp"]), int(r["end_cp"]), str(r["category"]))
        )
    names: dict[str, str] = {}
    for r in rows:
        words = first_words(_masked(r["text"] or "", hidden.get(r["id"], [])))
        said = f" “{words}”" if words else ""
        names[r["id"]] = f"{r['title'] or 'session'} {clock(int(r['start_ms']))}{said}"
    return names


def _codes(store: Store, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    parents = {r["id"]: (r["parent_id"], r["name"]) for r in store.rows("SELECT * FROM codes")}
    names: dict[str, str] = {}
    for code_id in ids:
        path: list[str] = []
        at: str | None = code_id
        seen: set[str] = set()
        while at is not None and at in parents and at not in seen:
            seen.add(at)
            parent, name = parents[at]
            path.append(name)
            at = parent
        if path:
            names[code_id] = "/".join(reversed(path))
    return names


def target_names(store: Store, entries: Iterable[AuditEntry]) -> dict[str, str]:
    """Each entry's target named as a researcher knows it, by the entry's id ("" when the
    entry has no target)."""
    chosen = list(entries)
    wanted: dict[str, set[str]] = {}
    for e in chosen:
        if e.target_type and e.target_id:
            wanted.setdefault(e.target_type, set()).add(e.target_id)
    found: dict[str, dict[str, str]] = {
        "segment": _segments(store, wanted.get("segment", set())),
        "code": _codes(store, wanted.get("code", set())),
    }
    for kind, sql in _KINDS_BY_TABLE.items():
        ids = wanted.get(kind, set())
        if ids:
            marks, listed = _marks(ids)
            found[kind] = {r[0]: str(r[1]) for r in store.rows(sql.format(marks), listed)}
    names: dict[str, str] = {}
    for e in chosen:
        what, ident = e.target_type, e.target_id
        if not what:
            names[e.id] = ""
        elif what == "project" and not ident:
            names[e.id] = "whole project"
        elif what == "coder":
            names[e.id] = f"coder {ident}"
        elif ident and ident in found.get(what, {}):
            name = found[what][ident]
            names[e.id] = f"pseudonym {name}" if what == "pseudonym" else name
        else:
            names[e.id] = f"{what} (deleted)" if ident else what
    return names

"""What every analysis view filters by, and the one SQL base every count is made from.

``Filters`` narrows the codings an analysis counts: by coder, session set, speaker label,
attribute (a participant attribute ``age=30-45``, or a session field ``session.kind=interview``)
and session date. ``base_sql`` turns it into one ``SELECT`` over codings joined to their
segment, session and speaker mapping; the matrix, co-occurrence, timeline and frequency queries
are built on it, so they all count the same rows.

The analyses only read: they run plain ``SELECT``s on the project's connection under its mutex
(``project.store``), never write, and never hold a transaction open between calls.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.core.words import plural

if TYPE_CHECKING:
    from storage.project import Project

#: session fields an attribute filter or a column may name as ``session.FIELD``
SESSION_FIELDS = ("kind", "date", "place", "moderator", "status", "title")


@dataclass(frozen=True)
class Filters:
    """Which codings an analysis counts (every field empty: all of them).

    Attributes:
        coders: only codings by these coders.
        sessions: only segments of these session ids.
        speakers: only segments with one of these speaker labels.
        attributes: ``(name, value)`` pairs that must all hold: ``session.FIELD`` names a
            session field (kind, date, place, moderator, status, title); any other name a
            participant attribute of the segment's speaker (through the session's speaker map).
        date_from: sessions dated on or after this ISO date (``YYYY-MM-DD``).
        date_to: sessions dated on or before this ISO date.
        codes: only these code ids (rows); empty: every code.
        exclude_segments: segment ids left out (consent: the export filter's exclusions).
    """

    coders: tuple[str, ...] = ()
    sessions: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    codes: tuple[str, ...] = ()
    exclude_segments: frozenset[str] = field(default_factory=frozenset)

    def describe(self) -> str:
        """A short human description of the active filters ("" when none)."""
        parts = []
        if self.coders:
            parts.append("coder " + ", ".join(self.coders))
        if self.sessions:
            parts.append(plural(len(self.sessions), "session"))
        if self.speakers:
            parts.append("speaker " + ", ".join(self.speakers))
        parts += [f"{k} = {v}" for k, v in self.attributes]
        if self.date_from or self.date_to:
            parts.append(f"dated {self.date_from or '…'} to {self.date_to or '…'}")
        if self.codes:
            parts.append(plural(len(self.codes), "code"))
        if self.exclude_segments:
            left_out = plural(len(self.exclude_segments), "segment")
            parts.append(f"{left_out} without consent left out")
        return "; ".join(parts)

    @property
    def active(self) -> bool:
        """True when any filter narrows the codings."""
        return bool(self.describe())


def rows(project: Project, sql: str, params: Any = ()) -> list[sqlite3.Row]:
    """Run one read-only query on the project's connection (under its mutex)."""
    return project.store.rows(sql, params)


def participant_values(project: Project, name: str) -> dict[str, str]:
    """participant id -> value of the participant attribute ``name`` (those who have it)."""
    result = {}
    for r in rows(project, "SELECT id, attributes FROM participants"):
        try:
            attrs = json.loads(r["attributes"] or "{}")
        except ValueError:
            continue
        if isinstance(attrs, dict) and name in attrs and attrs[name] not in (None, ""):
            result[str(r["id"])] = str(attrs[name])
    return result


def attribute_names(project: Project) -> list[str]:
    """Every participant attribute name in use, sorted."""
    names: set[str] = set()
    for r in rows(project, "SELECT attributes FROM participants"):
        try:
            attrs = json.loads(r["attributes"] or "{}")
        except ValueError:
            continue
        if isinstance(attrs, dict):
            names.update(str(k) for k in attrs)
    return sorted(names, key=str.lower)


def missing_attribute(project: Project, filters: Filters) -> str | None:
    """The first filtered participant attribute that no participant has, else None."""
    for name, _ in filters.attributes:
        if not name.startswith("session.") and not participant_values(project, name):
            return name
    return None


def coders_counted(project: Project, filters: Filters) -> tuple[str, ...]:
    """The coders whose codings an analysis counts (none: everyone's): ``filters.coders``;
    with blind coding on, the current coder alone, whoever the filter names (the workbench
    and the exports show a blind coder nobody else's codings)."""
    blind = project.team.blind_coder
    return filters.coders if blind is None else (blind,)


def base_sql(project: Project, filters: Filters) -> tuple[str, list[Any]]:
    """The filtered codings as one SELECT (no trailing semicolon) and its parameters.

    Columns: ``coding_id, code_id, segment_id, coder, start_cp, end_cp, session_id, speaker,
    start_ms, end_ms, text_len, participant_id`` and the session fields ``s_kind, s_date,
    s_place, s_moderator, s_status, s_title``.
    """
    where: list[str] = []
    params: list[Any] = []

    def among(column: str, values: tuple[str, ...] | frozenset[str], negate: bool = False) -> None:
        condition, param = among_sql(column, values, negate)
        where.append(condition)
        params.append(param)

    coders = coders_counted(project, filters)
    if coders:
        among("c.coder", coders)
    if filters.sessions:
        among("g.session_id", filters.sessions)
    if filters.speakers:
        among("g.speaker", filters.speakers)
    if filters.codes:
        among("c.code_id", filters.codes)
    if filters.exclude_segments:
        among("c.segment_id", filters.exclude_segments, negate=True)
    conditions, values, _ = session_conditions(project, filters)
    where += conditions
    params += values
    sql = (
        "SELECT c.id AS coding_id, c.code_id, c.segment_id, c.coder, c.start_cp, c.end_cp,"
        " g.session_id, g.speaker, g.start_ms, g.end_ms, length(g.text) AS text_len,"
        " ss.participant_id, s.kind AS s_kind, s.date AS s_date, s.place AS s_place,"
        " s.moderator AS s_moderator, s.status AS s_status, s.title AS s_title"
        " FROM codings c JOIN segments g ON g.id = c.segment_id"
        " JOIN sessions s ON s.id = g.session_id"
        " LEFT JOIN session_speakers ss ON ss.session_id = g.session_id AND ss.label = g.speaker"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, params


def among_sql(column: str, values: Iterable[str], negate: bool = False) -> tuple[str, str]:
    """``column IN`` (or ``NOT IN``) the ``values``, passed as one JSON parameter: the
    condition and its parameter."""
    op = "NOT IN" if negate else "IN"
    return (
        f"{column} {op} (SELECT value FROM json_each(?))",
        json.dumps(sorted(values), ensure_ascii=False),
    )


def session_conditions(project: Project, filters: Filters) -> tuple[list[str], list[Any], bool]:
    """The conditions on a coding's session and speaker: the dates, and the ``session.``
    and participant attributes (over ``s``, ``sessions``, and ``ss``, ``session_speakers``).

    Returns:
        The conditions, their parameters in order, and whether they read ``ss``.
    """
    where: list[str] = []
    params: list[Any] = []
    reads_speakers = False
    if filters.date_from:
        where.append("substr(s.date, 1, 10) >= ?")
        params.append(filters.date_from[:10])
    if filters.date_to:
        where.append("substr(s.date, 1, 10) <= ?")
        params.append(filters.date_to[:10])
    for name, value in filters.attributes:
        if name.startswith("session."):
            fld = name.split(".", 1)[1]
            if fld not in SESSION_FIELDS:
                where.append("0")  # an unknown session field: nothing has it
                continue
            where.append(f"s.{fld} = ?")
            params.append(value)
        else:
            reads_speakers = True
            ids = [pid for pid, v in participant_values(project, name).items() if v == value]
            condition, param = among_sql("ss.participant_id", ids)
            where.append(condition)
            params.append(param)
    return where, params, reads_speakers


#: ancestor closure of the codebook: (code_id, ancestor) with every code its own ancestor
CLOSURE_SQL = (
    "WITH RECURSIVE anc(code_id, ancestor, depth) AS ("
    " SELECT id, id, 0 FROM codes"
    " UNION ALL SELECT anc.code_id, c.parent_id, anc.depth + 1 FROM anc"
    " JOIN codes c ON c.id = anc.ancestor WHERE c.parent_id IS NOT NULL AND anc.depth < 64)"
)


def empty_note(project: Project, filters: Filters, what: str = "coding") -> str:
    """Why there is nothing to count: an empty codebook, nothing coded, or the filters."""
    if not rows(project, "SELECT 1 FROM codes LIMIT 1"):
        return "The codebook is empty: add codes and code some segments first."
    if not rows(project, "SELECT 1 FROM codings LIMIT 1"):
        return "Nothing is coded yet: code some segments first."
    missing = missing_attribute(project, filters)
    if missing is not None:
        return f"No participant has the attribute {missing!r}."
    if filters.active:
        return f"No {what} matches the filters ({filters.describe()})."
    return f"No {what} to count."


@dataclass
class Facets:
    """What the filters and column choices of a project can name."""

    coders: list[str]
    sessions: list[tuple[str, str]]  # (id, title) by date then title
    speakers: list[str]
    attributes: dict[str, list[str]]  # participant attribute -> values in use
    kinds: list[str]
    codes: list[tuple[str, str]]  # (id, path)
    places: list[str] = field(default_factory=list)  # session places in use
    moderators: list[str] = field(default_factory=list)  # session moderators in use


def facets(project: Project) -> Facets:
    """The coders, sessions, speakers, attribute values, session kinds and codes in use."""
    attributes: dict[str, set[str]] = {}
    for name in attribute_names(project):
        attributes[name] = set(participant_values(project, name).values())
    return Facets(
        coders=[str(r[0]) for r in rows(project, "SELECT DISTINCT coder FROM codings ORDER BY 1")],
        sessions=[
            (str(r[0]), str(r[1]))
            for r in rows(project, "SELECT id, title FROM sessions ORDER BY date, title, id")
        ],
        speakers=[
            str(r[0])
            for r in rows(
                project,
                "SELECT DISTINCT speaker FROM segments WHERE speaker IS NOT NULL ORDER BY 1",
            )
        ],
        attributes={k: sorted(v) for k, v in attributes.items()},
        kinds=[str(r[0]) for r in rows(project, "SELECT DISTINCT kind FROM sessions ORDER BY 1")],
        codes=[(c.id, c.path or c.name) for c in project.codebook.codes()],
        places=_session_values(project, "place"),
        moderators=_session_values(project, "moderator"),
    )


def _session_values(project: Project, fld: str) -> list[str]:
    """The distinct non-empty values of a session field (``place``, ``moderator``)."""
    assert fld in SESSION_FIELDS
    sql = f"SELECT DISTINCT {fld} FROM sessions WHERE coalesce({fld}, '') != '' ORDER BY 1"
    return [str(r[0]) for r in rows(project, sql)]

"""The code matrix: codes (rows) × sessions, speakers, participants or an attribute (columns).

Measures (``MEASURES``):

* ``segments``: how many distinct segments carry the code (a segment coded twice, by two
  coders or on two spans, counts once);
* ``codings``: how many codings (every coder's, every span);
* ``talk_ms``: the talk time of those distinct segments, in milliseconds (each segment's
  ``end_ms - start_ms``; overlapping speech counts for each speaker).

Columns (``column_choices``): ``session``, ``speaker`` (the label as written: the same label in
two sessions is one column), ``participant`` (the participant a session's speaker label is
mapped to), ``participant.NAME`` (that participant attribute's value), ``session.FIELD`` (kind,
date, place, moderator, status, title) or ``all`` (one column: code frequencies). Segments
without a speaker, mapping or value fall in a "(none)" column, so each segment is in exactly one
column and a row's total is the code's total.

With ``rollup`` a parent code counts its own codings and all its descendants' (a segment coded
with two sub-codes counts once for the parent). Row and column percentages divide a cell by its
row's or column's total (``Table.percentages``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from storage.core.names import name_order

from .filters import (
    CLOSURE_SQL,
    SESSION_FIELDS,
    Filters,
    base_sql,
    empty_note,
    participant_values,
    rows,
)
from .pairs import ancestors, code_totals, coded_pairs, pairs_for, segment_ids
from .table import Header, Table, empty_table

if TYPE_CHECKING:
    from storage.project import Project

MEASURES = ("segments", "codings", "talk_ms")
MEASURE_LABELS = {
    "segments": "segments coded",
    "codings": "codings",
    "talk_ms": "talk time coded (ms)",
}
NONE_LABEL = "(none)"


def column_choices(project: Project) -> list[str]:
    """The column kinds this project offers (participant attributes included)."""
    from .filters import attribute_names

    return [
        "session",
        "speaker",
        "participant",
        *[f"participant.{n}" for n in attribute_names(project)],
        *[f"session.{f}" for f in ("kind", "place", "moderator", "date")],
        "all",
    ]


def check_columns(columns: str) -> str | None:
    """Why a column kind is not valid (None when it is)."""
    if columns in ("session", "speaker", "participant", "all"):
        return None
    if columns.startswith("participant.") and len(columns) > len("participant."):
        return None
    if columns.startswith("session.") and columns.split(".", 1)[1] in SESSION_FIELDS:
        return None
    return (
        f"unknown columns {columns!r}: use session, speaker, participant, participant.NAME, "
        f"session.FIELD ({', '.join(SESSION_FIELDS)}) or all"
    )


@dataclass
class ColumnMap:
    """How raw keys (session id, label, participant id, value) become columns."""

    key: dict[str, str]  # raw key -> column key
    label: dict[str, str]  # column key -> label

    def column(self, raw: str) -> str:
        """The column key of a raw key."""
        return self.key.get(raw, raw)


def column_map(project: Project, columns: str, raw_keys: set[str]) -> ColumnMap:
    """Labels of the columns that ``raw_keys`` fall into."""
    keys: dict[str, str] = {}
    labels: dict[str, str] = {}
    if columns == "session":
        titles = {str(r[0]): str(r[1]) for r in rows(project, "SELECT id, title FROM sessions")}
        for raw in raw_keys:
            keys[raw] = raw
            labels[raw] = titles.get(raw, raw)
    elif columns == "participant":
        names = {
            str(r[0]): str(r[1]) for r in rows(project, "SELECT id, pseudonym FROM participants")
        }
        for raw in raw_keys:
            keys[raw] = raw
            labels[raw] = names.get(raw, raw) if raw else "(not mapped)"
    elif columns.startswith("participant."):
        values = participant_values(project, columns.split(".", 1)[1])
        for raw in raw_keys:
            value = values.get(raw, "")
            keys[raw] = value
            labels[value] = value or NONE_LABEL
    elif columns == "all":
        for raw in raw_keys:
            keys[raw] = ""
            labels[""] = "All"
    else:  # speaker, session.FIELD: the value itself
        for raw in raw_keys:
            keys[raw] = raw
            labels[raw] = raw or NONE_LABEL
    return ColumnMap(keys, labels)


def code_headers(project: Project, only: tuple[str, ...] = ()) -> list[Header]:
    """The codebook as row headers, in tree order (parents before their children)."""
    from storage.codebook.codebook import Codebook

    codebook: Codebook = project.codebook
    codes = codebook.codes()
    by_id = {c.id: c for c in codes}

    def depth(code_id: str) -> int:
        d, seen, cur = 0, {code_id}, by_id[code_id].parent_id
        while cur is not None and cur in by_id and cur not in seen:
            seen.add(cur)
            d += 1
            cur = by_id[cur].parent_id
        return d

    wanted = set(only)
    return [
        Header(c.id, c.path or c.name, depth(c.id), c.parent_id, c.colour)
        for c in codes
        if not wanted or c.id in wanted
    ]


def coded_sql(project: Project, filters: Filters, rollup: bool) -> tuple[str, list[Any]]:
    """``WITH ... b AS (...)``: the filtered codings with ``code`` (rolled up or not)."""
    base, params = base_sql(project, filters)
    if rollup:
        sql = (
            f"{CLOSURE_SQL}, base AS ({base}),"
            " b AS (SELECT anc.ancestor AS code, base.* FROM base"
            " JOIN anc ON anc.code_id = base.code_id)"
        )
    else:
        sql = f"WITH base AS ({base}), b AS (SELECT base.code_id AS code, base.* FROM base)"
    return sql, params


def code_matrix(
    project: Project,
    columns: str = "session",
    measure: str = "segments",
    *,
    rollup: bool = False,
    filters: Filters | None = None,
) -> Table:
    """Codes × ``columns``, counting ``measure`` (see the module notes).

    Never raises on an empty project, an unknown attribute or a filter that matches nothing:
    it returns an empty ``Table`` whose ``note`` says why.
    """
    filters = filters or Filters()
    spec = {
        "kind": "matrix",
        "columns": columns,
        "measure": measure,
        "rollup": rollup,
        "filters": filters.describe(),
    }
    problem = check_columns(columns)
    if problem is None and measure not in MEASURES:
        problem = f"unknown measure {measure!r}: use {', '.join(MEASURES)}"
    if problem is not None:
        return empty_table("matrix", measure, problem, spec)
    if columns.startswith("participant.") and not participant_values(
        project, columns.split(".", 1)[1]
    ):
        note = f"No participant has the attribute {columns.split('.', 1)[1]!r}."
        return empty_table("matrix", measure, note, spec)
    if rollup:
        pairs = pairs_for(project, filters, columns, rollup)
        codes, code, keys, key = pairs.codes, pairs.code, pairs.keys, pairs.key
        weights = {"segments": None, "codings": pairs.n, "talk_ms": pairs.dur}[measure]
    else:  # SQLite sums per (code, key): no pair comes back
        totals = code_totals(project, filters, columns)
        codes, code, keys, key = totals.codes, totals.code, totals.keys, totals.key
        weights = {
            "segments": totals.segments,
            "codings": totals.codings,
            "talk_ms": totals.talk_ms,
        }[measure]
    if not len(code):
        return empty_table("matrix", measure, empty_note(project, filters), spec)
    cmap = column_map(project, columns, set(keys))
    col_keys = sorted(cmap.label, key=lambda k: (k == "", name_order(cmap.label[k]), k))
    col_pos = {k: j for j, k in enumerate(col_keys)}
    by_key = np.array([col_pos[cmap.column(raw)] for raw in keys], dtype=np.int64)
    col = by_key[key]
    n_cols = len(col_keys)
    flat = np.bincount(code * n_cols + col, weights=weights, minlength=len(codes) * n_cols)
    grid = np.rint(flat).astype(np.int64).reshape(len(codes), n_cols)
    code_row = {c: i for i, c in enumerate(codes)}
    row_headers = code_headers(project, filters.codes)
    zeros = [0] * n_cols
    cells = [
        [int(v) for v in grid[code_row[h.key]]] if h.key in code_row else list(zeros)
        for h in row_headers
    ]
    col_headers = [Header(k, cmap.label[k]) for k in col_keys]
    return Table("matrix", measure, row_headers, col_headers, cells, "", spec)


def code_frequencies(
    project: Project,
    by: str = "all",
    measure: str = "codings",
    *,
    rollup: bool = False,
    filters: Filters | None = None,
) -> Table:
    """How often each code occurs, overall (``by="all"``) or per session/speaker/attribute.

    The same counts as ``code_matrix`` (it is the matrix with ``by`` as its columns).
    """
    table = code_matrix(project, by, measure, rollup=rollup, filters=filters)
    table.kind = "frequencies"
    table.spec["kind"] = "frequencies"
    return table


@dataclass
class SegmentHit:
    """One segment behind a cell: where it is, who speaks, what it says (not pseudonymised)."""

    segment_id: str
    session_id: str
    session_title: str
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str


def segment_hits(project: Project, segment_ids: list[str]) -> list[SegmentHit]:
    """The segments with these ids, in session and time order."""
    import json

    found = rows(
        project,
        "SELECT g.id, g.session_id, s.title, g.start_ms, g.end_ms, g.speaker, g.text"
        " FROM segments g JOIN sessions s ON s.id = g.session_id"
        " WHERE g.id IN (SELECT value FROM json_each(?))"
        " ORDER BY s.title, g.session_id, g.start_ms, g.seq",
        (json.dumps(segment_ids),),
    )
    return [
        SegmentHit(str(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4]), r[5], str(r[6] or ""))
        for r in found
    ]


def matrix_cell_segments(
    project: Project,
    code_id: str,
    column_key: str,
    columns: str = "session",
    *,
    rollup: bool = False,
    filters: Filters | None = None,
    limit: int = 1000,
) -> list[SegmentHit]:
    """The segments counted in one cell of ``code_matrix`` (at most ``limit``)."""
    filters = filters or Filters()
    if check_columns(columns) is not None:
        return []
    codes = descendants(project, code_id) if rollup else [code_id]
    if filters.codes:
        codes = [c for c in codes if c in filters.codes]
    scoped = dataclasses.replace(filters, codes=tuple(codes))
    pairs = coded_pairs(project, scoped, columns)
    cmap = column_map(project, columns, set(pairs.keys))
    inside = np.array([cmap.column(raw) == column_key for raw in pairs.keys], dtype=bool)
    seqs = pairs.seq[inside[pairs.key]] if len(pairs) else pairs.seq
    ids = segment_ids(project, seqs)
    return segment_hits(project, list(dict.fromkeys(ids[int(q)] for q in seqs))[:limit])


def descendants(project: Project, code_id: str) -> list[str]:
    """The code and every code below it."""
    return [c for c, chain in ancestors(project).items() if code_id in chain]

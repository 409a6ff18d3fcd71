"""Code co-occurrence: code × code, by segment, by overlapping span, or within N seconds.

Modes (``MODES``), each counting distinct segments:

* ``segment``: cell (A, B) = segments coded with both A and B (symmetric; the diagonal is the
  segments coded A);
* ``overlap``: cell (A, B) = segments where a coding with A and a coding with B cover a common
  stretch of text (code points; a whole-segment coding covers the whole text) (symmetric);
* ``within``: cell (A, B) = segments coded A that have a segment coded B in the same session
  no more than ``seconds`` away (the gap between the two segments' time spans; overlapping or
  the same segment: 0). It reads "of A's segments, how many have B nearby": not symmetric.

The ``within`` count is vectorised with numpy: per code B, B's segments sorted by start with a
running maximum of their ends; an A segment has a B segment within the window exactly when the
running maximum of the ends of the B segments starting before ``A.end + window`` reaches
``A.start - window``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .filters import Filters, empty_note, rows
from .matrix import SegmentHit, code_headers, coded_sql, segment_hits
from .table import Header, Table, empty_table

if TYPE_CHECKING:
    from storage.project import Project

MODES = ("segment", "overlap", "within")


def _spec(mode: str, seconds: float, rollup: bool, filters: Filters) -> dict[str, Any]:
    return {
        "kind": "cooccurrence",
        "mode": mode,
        "seconds": seconds,
        "rollup": rollup,
        "filters": filters.describe(),
    }


def _pairs_sql(mode: str) -> str:
    if mode == "segment":
        return (
            " , occ AS MATERIALIZED (SELECT DISTINCT code, segment_id FROM b)"
            " SELECT a.code, o.code, count(*) FROM occ a JOIN occ o"
            " ON o.segment_id = a.segment_id GROUP BY a.code, o.code"
        )
    return (
        " , sp AS MATERIALIZED (SELECT DISTINCT code, segment_id, coalesce(start_cp, 0) AS s0,"
        " coalesce(end_cp, text_len) AS e0 FROM b)"
        " SELECT code_a, code_b, count(*) FROM (SELECT DISTINCT a.code AS code_a,"
        " o.code AS code_b, a.segment_id FROM sp a JOIN sp o ON o.segment_id = a.segment_id"
        " AND (o.s0 < a.e0 AND a.s0 < o.e0 OR (a.s0 = a.e0 AND o.s0 = o.e0)))"
        " GROUP BY code_a, code_b"
    )


def _within_counts(
    project: Project, with_codes: str, params: list[Any], window_ms: int
) -> dict[tuple[str, str], int]:
    found = rows(
        project,
        f"{with_codes} SELECT DISTINCT code, segment_id, session_id, start_ms, end_ms FROM b",
        params,
    )
    if not found:
        return {}
    codes = sorted({str(r[0]) for r in found})
    code_index = {c: i for i, c in enumerate(codes)}
    sessions = {str(r[2]) for r in found}
    session_index = {s: i for i, s in enumerate(sorted(sessions))}
    span = max(int(r[4]) for r in found) + 2 * window_ms + 1
    code_of = np.fromiter((code_index[str(r[0])] for r in found), dtype=np.int64, count=len(found))
    offset = np.fromiter(
        (session_index[str(r[2])] * span for r in found), dtype=np.int64, count=len(found)
    )
    start = offset + np.fromiter((int(r[3]) for r in found), dtype=np.int64, count=len(found))
    end = offset + np.fromiter((int(r[4]) for r in found), dtype=np.int64, count=len(found))
    counts: dict[tuple[str, str], int] = {}
    for j, code_b in enumerate(codes):
        mine = code_of == j
        order = np.argsort(start[mine], kind="stable")
        b_start = start[mine][order]
        b_end_max = np.maximum.accumulate(end[mine][order])
        before = np.searchsorted(b_start, end + window_ms, side="right")
        has = before > 0
        hit = np.zeros(len(found), dtype=bool)
        hit[has] = b_end_max[before[has] - 1] >= start[has] - window_ms
        per_a = np.bincount(code_of[hit], minlength=len(codes))
        for i in np.nonzero(per_a)[0]:
            counts[(codes[int(i)], code_b)] = int(per_a[i])
    return counts


def cooccurrence(
    project: Project,
    mode: str = "segment",
    *,
    seconds: float = 30.0,
    rollup: bool = False,
    filters: Filters | None = None,
) -> Table:
    """Code × code counts (see the module notes). Empty table with a note when nothing counts."""
    filters = filters or Filters()
    spec = _spec(mode, seconds, rollup, filters)
    if mode not in MODES:
        return empty_table("cooccurrence", mode, f"unknown mode {mode!r}: use segment, "
                           "overlap or within", spec)  # fmt: skip
    if not seconds >= 0:
        return empty_table("cooccurrence", mode, "the window must be 0 seconds or more", spec)
    with_codes, params = coded_sql(project, filters, rollup)
    if mode == "within":
        counts = _within_counts(project, with_codes, params, round(seconds * 1000))
    else:
        counts = {
            (str(r[0]), str(r[1])): int(r[2])
            for r in rows(project, with_codes + _pairs_sql(mode), params)
        }
    if not counts:
        return empty_table("cooccurrence", mode, empty_note(project, filters), spec)
    headers = code_headers(project, filters.codes)
    cells = [[counts.get((a.key, b.key), 0) for b in headers] for a in headers]
    columns = [Header(h.key, h.label, h.depth, h.parent, h.colour) for h in headers]
    return Table("cooccurrence", mode, headers, columns, cells, "", spec)


def cooccurrence_segments(
    project: Project,
    code_a: str,
    code_b: str,
    mode: str = "segment",
    *,
    seconds: float = 30.0,
    rollup: bool = False,
    filters: Filters | None = None,
    limit: int = 1000,
) -> list[SegmentHit]:
    """The segments coded ``code_a`` counted in cell (``code_a``, ``code_b``)."""
    filters = filters or Filters()
    with_codes, params = coded_sql(project, filters, rollup)
    found = rows(
        project,
        f"{with_codes} SELECT code, segment_id, session_id, start_ms, end_ms,"
        " coalesce(start_cp, 0), coalesce(end_cp, text_len) FROM b WHERE code IN (?, ?)",
        [*params, code_a, code_b],
    )
    a_rows = [r for r in found if r[0] == code_a]
    b_rows = [r for r in found if r[0] == code_b]
    window = round(seconds * 1000)
    ids: list[str] = []
    seen: set[str] = set()
    for a in a_rows:
        if a[1] in seen:
            continue
        for b in b_rows:
            if mode == "segment":
                ok = b[1] == a[1]
            elif mode == "overlap":
                ok = b[1] == a[1] and (
                    (b[5] < a[6] and a[5] < b[6]) or (a[5] == a[6] and b[5] == b[6])
                )
            else:
                ok = b[2] == a[2] and b[3] <= a[4] + window and b[4] >= a[3] - window
            if ok:
                seen.add(str(a[1]))
                ids.append(str(a[1]))
                break
    return segment_hits(project, ids[:limit])

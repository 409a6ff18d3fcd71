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

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .filters import Filters, empty_note
from .matrix import SegmentHit, code_headers, segment_hits
from .pairs import IntArray, Pairs, ancestors, coded_pairs, pairs_for, segment_ids
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


def _untimed_times(
    session: IntArray, seq: IntArray, start: IntArray, end: IntArray, window_ms: int
) -> tuple[IntArray, IntArray]:
    """``start`` and ``end`` with the segments of sessions without times (a text: every
    segment at 0:00, as a REFI-QDA text source or a document is) set apart by more than the
    window, so that within the window each finds only itself: nothing says how far apart
    two lines of a text are (all at 0:00, every coded line of a text was "within 0 s" of every
    other)."""
    if not len(session):
        return start, end
    latest = np.zeros(int(session.max()) + 1, dtype=np.int64)
    np.maximum.at(latest, session, end)
    untimed = latest[session] == 0
    if not untimed.any():
        return start, end
    _values, slot = np.unique(seq[untimed], return_inverse=True)
    start, end = start.copy(), end.copy()
    start[untimed] = end[untimed] = slot.reshape(-1) * (2 * window_ms + 2)
    return start, end


def _within_counts(pairs: Pairs, window_ms: int) -> dict[tuple[str, str], int]:
    codes = pairs.codes
    session_index: dict[str, int] = {}
    sess = np.fromiter(
        (session_index.setdefault(s, len(session_index)) for s in pairs.session),
        np.int64,
        len(pairs),
    )
    start, end = _untimed_times(sess, pairs.seq, pairs.start, pairs.end, window_ms)
    span = int(end.max()) + 2 * window_ms + 1
    start = sess * span + start
    end = sess * span + end
    code_of = pairs.code
    grid = np.zeros((len(codes), len(codes)), dtype=np.int64)
    for j in range(len(codes)):
        mine = code_of == j
        order = np.argsort(start[mine], kind="stable")
        b_start = start[mine][order]
        b_end_max = np.maximum.accumulate(end[mine][order])
        before = np.searchsorted(b_start, end + window_ms, side="right")
        has = before > 0
        hit = np.zeros(len(pairs), dtype=bool)
        hit[has] = b_end_max[before[has] - 1] >= start[has] - window_ms
        grid[:, j] = np.bincount(code_of[hit], minlength=len(codes))
    return _as_counts(codes, grid)


def _groups(seq: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(order sorting rows by segment, start of each segment's run, run lengths)."""
    order = np.argsort(seq, kind="stable")
    sorted_seq = seq[order]
    starts = np.flatnonzero(np.r_[True, sorted_seq[1:] != sorted_seq[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    return order, starts, sizes


def _segment_counts(pairs: Pairs) -> dict[tuple[str, str], int]:
    """Segments coded with both codes. The diagonal counts each code's pairs; only segments
    with several codes (few) are walked in Python for the rest."""
    n_codes = len(pairs.codes)
    grid = np.zeros((n_codes, n_codes), dtype=np.int64)
    grid[np.diag_indices(n_codes)] = np.bincount(pairs.code, minlength=n_codes)
    order, starts, sizes = _groups(pairs.seq)
    codes = pairs.code[order].tolist()
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        group = codes[start : start + size]
        for a in group:
            for b in group:
                if a != b:
                    grid[a, b] += 1
    return _as_counts(pairs.codes, grid)


def _as_counts(codes: list[str], grid: npt.NDArray[np.int64]) -> dict[tuple[str, str], int]:
    rows, cols = np.nonzero(grid)
    return {
        (codes[int(i)], codes[int(j)]): int(grid[i, j]) for i, j in zip(rows, cols, strict=True)
    }


def _overlap_counts(project: Project, filters: Filters, rollup: bool) -> dict[tuple[str, str], int]:
    """Segments where a coding with A and one with B share some text. A segment's codings
    with one code only count on the diagonal; segments with several codes are walked."""
    spans = coded_pairs(project, filters, spans=True)
    if not len(spans):
        return {}
    assert spans.span_start is not None and spans.span_end is not None
    chains = ancestors(project) if rollup else {}
    if rollup:
        extra = [c for chain in chains.values() for c in chain if c not in spans.codes]
        spans.codes.extend(dict.fromkeys(extra))
        index = {c: i for i, c in enumerate(spans.codes)}
        expanded = [[index[c] for c in chains.get(code, [code])] for code in spans.codes]
    else:
        expanded = [[i] for i in range(len(spans.codes))]
    n_codes = len(spans.codes)
    grid = np.zeros((n_codes, n_codes), dtype=np.int64)
    order, starts, sizes = _groups(spans.seq)
    code = spans.code[order].tolist()
    s0 = spans.span_start[order].tolist()
    e0 = spans.span_end[order].tolist()
    for start, size in zip(starts.tolist(), sizes.tolist(), strict=True):
        if size == 1:  # one coding: it overlaps itself (and its code's ancestors)
            chain = expanded[code[start]]
            for a in chain:
                for b in chain:
                    grid[a, b] += 1
            continue
        items = [(c, s0[i], e0[i]) for i in range(start, start + size) for c in expanded[code[i]]]
        found = {
            (a, b)
            for a, s1, e1 in items
            for b, s2, e2 in items
            if (s1 < e2 and s2 < e1) or (s1 == e1 and s2 == e2)
        }
        for a, b in found:
            grid[a, b] += 1
    return _as_counts(spans.codes, grid)


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
    if mode == "overlap":
        counts = _overlap_counts(project, filters, rollup)
    else:
        pairs = pairs_for(project, filters, "all", rollup)
        if not len(pairs):
            counts = {}
        elif mode == "within":
            counts = _within_counts(pairs, round(seconds * 1000))
        else:
            counts = _segment_counts(pairs)
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
    chains = ancestors(project)
    wanted = {c for c, chain in chains.items() if code_a in chain or code_b in chain}
    if not rollup:
        wanted = {code_a, code_b}
    scoped = dataclasses.replace(filters, codes=tuple(sorted(wanted)))
    spans = coded_pairs(project, scoped, spans=True)
    assert spans.span_start is not None and spans.span_end is not None
    found = []
    ids_of = segment_ids(project, spans.seq)
    for i in range(len(spans)):
        code = spans.codes[int(spans.code[i])]
        for c in chains.get(code, [code]) if rollup else [code]:
            if c in (code_a, code_b):
                found.append(
                    (c, ids_of[int(spans.seq[i])], int(spans.session[i]), int(spans.start[i]),
                     int(spans.end[i]), int(spans.span_start[i]), int(spans.span_end[i]),
                     int(spans.seq[i]))
                )  # fmt: skip
    window = round(seconds * 1000)
    if found and mode == "within":  # sessions without times: as ``_within_counts`` places them
        session, seq, start, end = (np.array([r[k] for r in found], np.int64) for k in (2, 7, 3, 4))
        start, end = _untimed_times(session, seq, start, end, window)
        found = [
            (*r[:3], int(a), int(b), *r[5:]) for r, a, b in zip(found, start, end, strict=True)
        ]
    a_rows = [r for r in found if r[0] == code_a]
    b_rows = [r for r in found if r[0] == code_b]
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

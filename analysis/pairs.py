"""The (segment, code) pairs every count is made from: one SQL query, then numpy.

``coded_pairs`` runs one ``SELECT`` that groups the filtered codings per (segment, code) and
joins each pair to its segment (time span, speaker, session) and, when asked, to the speaker's
participant and the session's fields. The grouping follows the ``codings_unique`` index
(segment, code, ...), so SQLite needs no sort; with a session filter the query starts from the
sessions' segments instead (``segments_session_start``), so one session's pairs cost what that
session holds. The rows come back as numpy arrays, which the matrix, co-occurrence and timeline
aggregate with ``np.bincount`` / ``np.unique`` instead of SQL ``GROUP BY`` over text keys (a
temporary B-tree over 100,000 UUID keys is the slow part of a plain SQL aggregate).

Roll-up (``rolled_up``) expands each pair to its code's ancestors and keeps one pair per
(segment, ancestor), summing the codings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .filters import SESSION_FIELDS, Filters, among_sql, coders_counted, session_conditions

if TYPE_CHECKING:
    from storage.project import Project

IntArray = npt.NDArray[np.int64]
#: the end of a whole-segment coding's span: past any text (it covers every span)
WHOLE = 1 << 62


@dataclass
class Pairs:
    """One row per (segment, code) (or per coding, with ``spans``): arrays of equal length.

    Codes, sessions and raw column keys are dictionary-encoded: ``codes[code[i]]`` is a code id,
    ``sessions[session[i]]`` a session id, ``keys[key[i]]`` the raw column key (session id,
    speaker label, participant id, session field value; "" for none).
    """

    codes: list[str]
    code: IntArray
    seq: IntArray  # the segment's local integer key
    sessions: list[str]
    session: IntArray
    start: IntArray
    end: IntArray
    n: IntArray  # codings on the pair
    keys: list[str]
    key: IntArray
    span_start: IntArray | None = None  # with spans=True: each coding's span
    span_end: IntArray | None = None

    def __len__(self) -> int:
        return len(self.seq)

    @property
    def dur(self) -> IntArray:
        """Each pair's segment duration (ms)."""
        return self.end - self.start

    def take(
        self, index: IntArray, code: IntArray | None = None, n: IntArray | None = None
    ) -> Pairs:
        """The rows at ``index`` (with new codes/counts when given)."""
        return Pairs(
            self.codes, self.code[index] if code is None else code, self.seq[index],
            self.sessions, self.session[index], self.start[index], self.end[index],
            self.n[index] if n is None else n, self.keys, self.key[index],
            None if self.span_start is None else self.span_start[index],
            None if self.span_end is None else self.span_end[index],
        )  # fmt: skip


def segment_ids(project: Project, seqs: IntArray) -> dict[int, str]:
    """seq -> segment id of these segments."""
    wanted = sorted({int(x) for x in seqs.tolist()})
    if not wanted:
        return {}
    return {
        int(r[0]): str(r[1])
        for r in fetch_rows(
            project,
            "SELECT seq, id FROM segments WHERE seq IN (SELECT value FROM json_each(?))",
            [json.dumps(wanted)],
        )
    }


def fetch_rows(project: Project, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """All rows as plain tuples (no ``sqlite3.Row``), under the project's mutex."""
    store = project.store
    with store.mutex:
        cursor = store.conn.cursor()
        cursor.row_factory = None
        rows: list[tuple[Any, ...]] = cursor.execute(sql, params).fetchall()
        return rows


def key_sql(columns: str) -> tuple[str, bool]:
    """(SQL expression of the column key, needs the speaker map). The key is the session's
    rowid for session columns, the speaker map's rowid for participant columns (0: none), the
    speaker label for speaker columns; ``_decode_keys`` turns it into the raw key."""
    if columns == "session" or columns.startswith("session."):
        return "s.rowid", False
    if columns == "speaker":
        return "coalesce(g.speaker, '')", False
    if columns.startswith("participant"):
        return "coalesce(ss.rowid, 0)", True
    return "0", False


def _decode_keys(project: Project, columns: str, values: list[Any]) -> dict[Any, str]:
    """key value -> raw column key (session id, field value, participant id, label)."""
    if columns == "session" or columns.startswith("session."):
        field = "id" if columns == "session" else columns.split(".", 1)[1]
        if field not in (*SESSION_FIELDS, "id"):
            field = "id"
        return {
            r[0]: "" if r[1] is None else str(r[1])
            for r in fetch_rows(project, f"SELECT rowid, {field} FROM sessions", [])
        }
    if columns.startswith("participant"):
        found = {
            r[0]: "" if r[1] is None else str(r[1])
            for r in fetch_rows(project, "SELECT rowid, participant_id FROM session_speakers", [])
        }
        found[0] = ""
        return found
    if columns == "speaker":
        return {v: str(v) for v in values}
    return {v: "" for v in values}


def coded_pairs(
    project: Project, filters: Filters, columns: str = "all", *, spans: bool = False
) -> Pairs:
    """The filtered (segment, code) pairs with the raw key of ``columns`` (see the notes).

    With ``spans`` one row per coding instead, with its code-point span in ``span_start`` /
    ``span_end`` (a whole-segment coding: 0 to ``WHOLE``).
    """
    sql, params = _pairs_sql(project, filters, columns, spans)
    return _pairs(project, columns, fetch_rows(project, sql, params), spans)


@dataclass
class Totals:
    """Per (code, column key): distinct segments, codings, talk time (no roll-up)."""

    codes: list[str]
    code: IntArray
    keys: list[str]
    key: IntArray
    segments: IntArray
    codings: IntArray
    talk_ms: IntArray


def code_totals(project: Project, filters: Filters, columns: str) -> Totals:
    """``coded_pairs`` summed per (code, column key) by SQLite: ~1,000 rows come back
    instead of one per pair (the matrix without roll-up)."""
    sql, params = _pairs_sql(project, filters, columns, False)
    rows = fetch_rows(
        project,
        f"SELECT c0, c6, count(*), sum(c5), sum(c4 - c3) FROM ({sql}) GROUP BY c0, c6",
        params,
    )
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Totals([], empty, [], empty, empty, empty, empty)
    cols = list(zip(*rows, strict=True))
    code_rowids, code = _encode(cols[0])
    code_ids = {r[0]: str(r[1]) for r in fetch_rows(project, "SELECT rowid, id FROM codes", [])}
    key_values, key = _encode(cols[1])
    decoded = _decode_keys(project, columns, key_values)
    return Totals(
        codes=[code_ids[r] for r in code_rowids],
        code=code,
        keys=[decoded.get(v, "") for v in key_values],
        key=key,
        segments=np.array(cols[2], dtype=np.int64),
        codings=np.array(cols[3], dtype=np.int64),
        talk_ms=np.array(cols[4], dtype=np.int64),
    )


def _pairs_sql(
    project: Project, filters: Filters, columns: str, spans: bool
) -> tuple[str, list[Any]]:
    """The SQL of ``coded_pairs`` (columns named c0...c8) and its parameters."""
    key, need_map = key_sql(columns)
    coding_where: list[str] = []
    params: list[Any] = []

    def among(column: str, values: Any, negate: bool = False) -> str:
        condition, param = among_sql(column, values, negate)
        params.append(param)
        return condition

    coders = coders_counted(project, filters)  # blind coding: the coder's own
    if coders:
        coding_where.append(among("c.coder", coders))
    if filters.codes:
        coding_where.append(among("c.code_id", filters.codes))
    if filters.exclude_segments:
        coding_where.append(among("c.segment_id", filters.exclude_segments, negate=True))
    coding_params = list(params)
    params.clear()
    seg_where: list[str] = []
    if filters.sessions:
        # a literal list (not json_each), so that SQLite uses the session index
        seg_where.append(f"g.session_id IN ({', '.join('?' * len(filters.sessions))})")
        params.extend(sorted(filters.sessions))
    if filters.speakers:
        seg_where.append(among("g.speaker", filters.speakers))
    conditions, values, reads_speakers = session_conditions(project, filters)
    seg_where += conditions
    params += values
    need_map = need_map or reads_speakers
    # CROSS JOIN keeps SQLite's join order: codings (or segments) first, then lookups
    joins = " CROSS JOIN sessions s ON s.id = g.session_id CROSS JOIN codes k ON k.id = c_code"
    if need_map:
        joins += (
            " LEFT JOIN session_speakers ss"
            " ON ss.session_id = g.session_id AND ss.label = g.speaker"
        )
    c_where = " AND ".join(coding_where) or "1"
    s_where = " AND ".join(seg_where) or "1"
    # the expressions of the codings_unique index, so the scan reads the index only
    span_cols = ", coalesce(c.start_cp, -1), coalesce(c.end_cp, -1)"
    ints = "k.rowid AS c0, g.seq AS c1, s.rowid AS c2, g.start_ms AS c3, g.end_ms AS c4"
    if spans:
        sql = (
            f"SELECT {ints}, 1 AS c5, {key} AS c6{span_cols} FROM codings c"
            f" CROSS JOIN segments g ON g.id = c.segment_id{joins.replace('c_code', 'c.code_id')}"
            f" WHERE {c_where} AND {s_where}"
        )
        return sql, coding_params + params
    if filters.sessions:
        # a few sessions: start from their segments (index on session_id), then their codings
        sql = (
            f"SELECT {ints}, count(*) AS c5, {key} AS c6 FROM segments g"
            f" CROSS JOIN codings c ON c.segment_id = g.id{joins.replace('c_code', 'c.code_id')}"
            f" WHERE {s_where} AND {c_where} GROUP BY g.seq, c.code_id"
        )
        return sql, params + coding_params
    # every session: group the codings in index order, then look their segments up
    sql = (
        f"SELECT {ints}, p.n AS c5, {key} AS c6"
        " FROM (SELECT c.segment_id, c.code_id, count(*) AS n FROM codings c"
        f" WHERE {c_where} GROUP BY c.segment_id, c.code_id) p"
        f" JOIN segments g ON g.id = p.segment_id{joins.replace('c_code', 'p.code_id')}"
        f" WHERE {s_where}"
    )
    return sql, coding_params + params


def _encode(values: Any) -> tuple[list[Any], IntArray]:
    """Dictionary-encode a column: (distinct values, index of each row's value)."""
    index: dict[Any, int] = {}
    codes = [index.setdefault(v, len(index)) for v in values]
    return list(index), np.array(codes, dtype=np.int64)


def _pairs(
    project: Project, columns: str, rows: list[tuple[Any, ...]], spans: bool = False
) -> Pairs:
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Pairs([], empty, empty, [], empty, empty, empty, empty, [], empty,
                     empty if spans else None, empty if spans else None)  # fmt: skip
    cols = list(zip(*rows, strict=True))
    code_rowids, code = _encode(cols[0])
    code_ids = {r[0]: str(r[1]) for r in fetch_rows(project, "SELECT rowid, id FROM codes", [])}
    session_rowids, session = _encode(cols[2])
    session_ids = _decode_keys(project, "session", session_rowids)
    key_values, key = _encode(cols[6])
    decoded = _decode_keys(project, columns, key_values)

    def ints(i: int) -> IntArray:
        return np.array(cols[i], dtype=np.int64)

    return Pairs(
        codes=[code_ids[r] for r in code_rowids],
        code=code,
        seq=ints(1),
        sessions=[session_ids[r] for r in session_rowids],
        session=session,
        start=ints(3),
        end=ints(4),
        n=ints(5),
        keys=[decoded.get(v, "") for v in key_values],
        key=key,
        span_start=np.maximum(ints(7), 0) if spans else None,
        span_end=np.where(ints(8) < 0, WHOLE, ints(8)) if spans else None,
    )


def ancestors(project: Project) -> dict[str, list[str]]:
    """code id -> the code and its ancestors (nearest first)."""
    parent = {
        str(r[0]): (None if r[1] is None else str(r[1]))
        for r in fetch_rows(project, "SELECT id, parent_id FROM codes", [])
    }
    result: dict[str, list[str]] = {}
    for cid in parent:
        chain: list[str] = []
        seen: set[str] = set()
        cur: str | None = cid
        while cur is not None and cur in parent and cur not in seen:
            seen.add(cur)
            chain.append(cur)
            cur = parent[cur]
        result[cid] = chain
    return result


def rolled_up(project: Project, pairs: Pairs) -> Pairs:
    """Each pair counted for its code and every ancestor, once per (segment, code)."""
    if not len(pairs):
        return pairs
    chains = ancestors(project)
    codes = list(pairs.codes)
    index = {c: i for i, c in enumerate(codes)}
    for chain in (chains.get(c, [c]) for c in pairs.codes):
        for a in chain:
            if a not in index:
                index[a] = len(codes)
                codes.append(a)
    depth = max(len(chains.get(c, [c])) for c in pairs.codes)
    rows_idx: list[IntArray] = []
    new_code: list[IntArray] = []
    for d in range(depth):
        level = np.array(
            [
                index[chain[d]] if d < len(chain) else -1
                for chain in (chains.get(c, [c]) for c in pairs.codes)
            ],
            dtype=np.int64,
        )
        mapped = level[pairs.code]
        keep = np.nonzero(mapped >= 0)[0]
        rows_idx.append(keep)
        new_code.append(mapped[keep])
    src = np.concatenate(rows_idx)
    code = np.concatenate(new_code)
    combined = pairs.seq[src] * len(codes) + code
    uniq, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    n = np.bincount(inverse, weights=pairs.n[src], minlength=len(uniq)).astype(np.int64)
    result = pairs.take(src[first], code=code[first], n=n)
    result.codes = codes
    return result


def pairs_for(project: Project, filters: Filters, columns: str, rollup: bool) -> Pairs:
    """``coded_pairs``, rolled up when asked."""
    pairs = coded_pairs(project, filters, columns)
    return rolled_up(project, pairs) if rollup else pairs

"""``where_equal``: the ``column = ?`` filters of the storage queries (codings, retrieval)."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from storage.core.store import where_equal

ROWS = [(a, b, c) for a in ("x", "y") for b in (1, 2) for c in ("ann", "bob", None)]
values = st.one_of(st.none(), st.sampled_from(["x", "y", "ann", "bob", 1, 2]))


@given(a=values, b=values, c=values)
def test_the_rows_found_are_those_equal_to_every_filter_given(
    a: object, b: object, c: object
) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b, c)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)", ROWS)
    where, params = where_equal({"t.a": a, "t.b": b, "t.c": c})
    sql = "SELECT a, b, c FROM t" + (" WHERE " + " AND ".join(where) if where else "")
    found = sorted(conn.execute(sql, params).fetchall(), key=repr)
    model = [
        row
        for row in ROWS
        if all(want is None or got == want for got, want in zip(row, (a, b, c), strict=True))
    ]
    assert found == sorted(model, key=repr)


def test_the_conditions_keep_the_order_of_the_filters() -> None:
    assert where_equal({"g.speaker": None, "c.coder": "ann", "g.session_id": "s1"}) == (
        ["c.coder = ?", "g.session_id = ?"],
        ["ann", "s1"],
    )
    assert where_equal({"c.coder": None}) == ([], [])

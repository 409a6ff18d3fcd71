"""A bundle whose table has lost its primary key can hold two rows under one id (or key).

Before, they merged as one without a word: of two codings sharing an id, one was kept and the
other lost (``summary.table("codings").added`` said 4 of the bundle's 5 rows), and which one
depended on the order the rows came in. Such a bundle is damaged (no FieldScribe writes it): it is
refused in one line, naming the table, and the project stays as it was. A table without its key
whose ids are all different still merges as the plain bundle.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Project
from storage.team.bundle import InvalidBundleError
from storage.team.merge_validation import shared_keys
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, rebuild
from tests.test_bundle_robustness import _coded, _refused_by_cli, fs


def _without_key(table: str, *, twice: str | None = "same") -> Callable[[sqlite3.Connection], None]:
    """The bundle's ``table`` rebuilt without its primary key (and indexes); ``twice``: its
    first row again ("same"), or with another segment and memo ("other segment", codings)."""

    def change(conn: sqlite3.Connection) -> None:
        conn.execute(f"CREATE TABLE fs_plain AS SELECT * FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE fs_plain RENAME TO {table}")
        if twice == "same":
            conn.execute(f"INSERT INTO {table} SELECT * FROM {table} ORDER BY rowid LIMIT 1")
        elif twice == "other segment":
            conn.execute(
                "INSERT INTO codings (id, segment_id, code_id, coder, start_cp, end_cp, memo, "
                "created_by, created_at, updated_at) SELECT id, (SELECT s.id FROM segments s "
                "WHERE s.id NOT IN (SELECT segment_id FROM codings) LIMIT 1), code_id, coder, "
                "NULL, NULL, 'the other one', created_by, created_at, updated_at "
                "FROM codings WHERE start_cp IS NULL ORDER BY rowid LIMIT 1"
            )
        key = {"coders": "name", "project_meta": "key"}.get(table, "id")
        (rows, keys) = conn.execute(
            f"SELECT count(*), count(DISTINCT {key}) FROM {table}"
        ).fetchone()
        assert rows == keys + (twice is not None)

    return change


@pytest.mark.parametrize(
    ("table", "shown"),
    [
        ("codings", "1 id"),
        ("segments", "1 id"),
        ("sessions", "1 id"),
        ("codes", "1 id"),
        ("coders", "1 key (name)"),
        ("project_meta", "1 key (key)"),
    ],
)
def test_rows_sharing_an_id_are_refused_in_one_line(tmp_path: Path, table: str, shown: str) -> None:
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    bad = rebuild(good, tmp_path / "bad.fsbundle", db_change=_without_key(table))
    err = _refused_by_cli(lead.folder, bad)
    assert f"table {table!r} of the bundle has {shown} on more than one row (first: " in err
    assert "damaged" in err and "exported again" in err and str(bad) in err


def test_two_codings_under_one_id_are_refused_not_collapsed(tmp_path: Path) -> None:
    """The case users met: both codings are in the bundle, one of them was silently dropped."""
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    bad = rebuild(
        good, tmp_path / "bad.fsbundle", db_change=_without_key("codings", twice="other segment")
    )
    before = dump(lead.folder)
    with Project.open(lead.folder) as p, pytest.raises(InvalidBundleError, match="1 id on"):
        merge_bundles(p, [bad])
    assert dump(lead.folder) == before
    # nor does a new project start from it
    new = tmp_path / "new.fieldscribe"
    result = fs("new", new, "--from-bundle", bad, "--coder", "cy")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "'codings' of the bundle has 1 id on more than one row" in result.stderr
    assert not new.exists()


def test_a_table_without_its_key_but_with_distinct_ids_merges_as_the_plain_bundle(
    tmp_path: Path,
) -> None:
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    twin = tmp_path / "twin.fieldscribe"
    shutil.copytree(lead.folder, twin)
    plain = rebuild(
        good, tmp_path / "plain.fsbundle", db_change=_without_key("codings", twice=None)
    )
    with Project.open(twin) as p:
        merge_bundles(p, [good])
    with Project.open(lead.folder) as p:
        (summary,) = merge_bundles(p, [plain])
    assert summary.table("codings").added == 4
    assert dump(lead.folder, ignore_seq=True) == dump(twin, ignore_seq=True)


# ----------------------------------------------------------------- shared_keys against a model
_IDS = st.one_of(st.none(), st.sampled_from(["a", "A", "b", "ёлка", "Ёлка", "қыз", "a "]))
_SCHEMAS = {
    "no key": "CREATE TABLE b.t (id TEXT, x INTEGER)",
    "primary key": "CREATE TABLE b.t (id TEXT PRIMARY KEY, x INTEGER)",
    "unique": "CREATE TABLE b.t (id TEXT UNIQUE, x INTEGER)",
    "no case": "CREATE TABLE b.t (id TEXT COLLATE NOCASE, x INTEGER)",
    "partial unique": "CREATE TABLE b.t (id TEXT, x INTEGER)",
    "unique elsewhere": "CREATE TABLE b.t (id TEXT, x INTEGER UNIQUE)",
}


@settings(max_examples=200, deadline=None)
@given(schema=st.sampled_from(sorted(_SCHEMAS)), ids=st.lists(_IDS, max_size=12))
def test_shared_keys_finds_exactly_the_ids_on_several_rows(
    schema: str, ids: list[str | None]
) -> None:
    """Against a model: the ids (not NULL, compared byte for byte) that more than one row has."""
    conn = sqlite3.connect(":memory:")
    conn.execute("ATTACH ':memory:' AS b")
    conn.execute(_SCHEMAS[schema])
    if schema == "partial unique":  # unique only where x > 0: says nothing of the others
        conn.execute("CREATE UNIQUE INDEX b.t_id ON t(id) WHERE x > 0")
    rows = []
    for n, value in enumerate(ids):
        try:
            with conn:
                conn.execute("INSERT INTO b.t VALUES (?, ?)", (value, -n))
        except sqlite3.IntegrityError:
            continue  # the table keeps its ids unique: this row was never stored
        rows.append(value)
    counts = Counter(v for v in rows if v is not None)
    shared = sorted(v for v, k in counts.items() if k > 1)
    expected = (len(shared), (shared[0],)) if shared else None
    assert shared_keys(conn, "b", "t", ("id",)) == expected
    conn.close()


@settings(max_examples=100, deadline=None)
@given(
    keys=st.lists(
        st.tuples(st.sampled_from(["codes", "codings"]), st.sampled_from(["1", "2", "3"])),
        max_size=8,
    ),
    declared=st.booleans(),
)
def test_shared_keys_of_a_two_column_key(keys: list[tuple[str, str]], declared: bool) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("ATTACH ':memory:' AS b")
    pk = ", PRIMARY KEY (table_name, row_id)" if declared else ""
    conn.execute(f"CREATE TABLE b.deletions (table_name TEXT, row_id TEXT, at TEXT{pk})")
    rows = []
    for key in keys:
        try:
            with conn:
                conn.execute("INSERT INTO b.deletions VALUES (?, ?, 'now')", key)
        except sqlite3.IntegrityError:
            continue
        rows.append(key)
    shared = sorted(k for k, n in Counter(rows).items() if n > 1)
    expected = (len(shared), shared[0]) if shared else None
    assert shared_keys(conn, "b", "deletions", ("table_name", "row_id")) == expected
    conn.close()

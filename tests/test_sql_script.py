"""Migration scripts are split into statements at their semicolons only (storage.core.sql_script).

sqlite-utils' own split inside a transaction asked ``sqlite3.complete_statement`` about the
whole statement read so far after every character: half the CPU time of creating a project.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils.db import _iter_complete_sql_statements

from storage import Project
from storage.core.sql_script import statements

# pieces a script is made of: statements, a ';' in a string, a comment, or a trigger's body,
# and text cut anywhere (an unfinished statement, a stray quote)
PIECES = [
    "CREATE TABLE t (a TEXT);",
    "INSERT INTO t VALUES ('a;b');",
    "INSERT INTO t VALUES ('it''s; fine');",
    "-- a comment; with a semicolon\n",
    "/* a ; block */",
    "CREATE TRIGGER g AFTER INSERT ON t BEGIN UPDATE t SET a = 'x;'; DELETE FROM t; END;",
    "SELECT 1",
    ";",
    " ",
    "\n",
    "'",
    "END;",
    "BEGIN",
    '"q;"',
]


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(PIECES), max_size=12) | st.text(alphabet=";' -\n/*aEND", max_size=40)
)
def test_statements_are_split_as_sqlite_utils_splits_them(script: list[str] | str) -> None:
    sql = script if isinstance(script, str) else "".join(script)
    assert list(statements(sql)) == list(_iter_complete_sql_statements(sql))


def test_creating_a_project_asks_whether_a_statement_is_complete_only_at_a_semicolon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    complete = sqlite3.complete_statement

    def counted(text: str) -> bool:
        asked.append(text)
        return complete(text)

    monkeypatch.setattr(sqlite3, "complete_statement", counted)
    Project.create(tmp_path / "Study.fieldscribe", name="Study", coder="coder-a").close()
    assert asked, "the migrations' scripts were not split here"
    assert [t for t in asked if not t.endswith(";")] == []

"""Migration 0008: full-text search takes ё and е as one letter (and keeps every other letter).

The FTS5 index ``segments_fts`` reads the segments through the view ``segments_search``, which
writes ё as е; queries are folded the same way (``fold_search``). The tokenizer stays
``unicode61 remove_diacritics 2``: it ignores case for every Cyrillic letter (Kazakh ә ғ қ ң ө ұ
ү һ і included) and removes diacritics only from Latin letters, so й and и, ә and а, і and и stay
different letters in search. The fold keeps every code point in place, so positions in the
index are positions in the text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

#: The letters search takes as one (one code point for one).
_SEARCH_FOLD = str.maketrans("ёЁ", "еЕ")


def fold_search(text: str) -> str:
    """Text as the search index sees it: ё as е, Ё as Е (same length, same positions)."""
    return text.translate(_SEARCH_FOLD)


def fold_search_sql(column: str) -> str:
    """The SQL expression of ``fold_search`` over a column (SQLite's own ``replace``)."""
    return f"replace(replace({column}, 'ё', 'е'), 'Ё', 'Е')"


_SEARCH = f"""
DROP TABLE segments_fts;
CREATE VIEW segments_search AS SELECT seq, {fold_search_sql("text")} AS text FROM segments;
CREATE VIRTUAL TABLE segments_fts USING fts5(
    text, content='segments_search', content_rowid='seq',
    tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO segments_fts (segments_fts) VALUES ('rebuild');
"""


def search_fold_migration(db: Database) -> None:
    """Rebuild the full-text index over ``segments_search`` (ё = е).

    A bundle's database holds no index (the receiving project builds its own): nothing to do.
    """
    exists = db.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'segments_fts'"
    ).fetchone()
    if exists:
        run_script(db, _SEARCH)

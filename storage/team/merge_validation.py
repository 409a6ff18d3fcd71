"""Checking a bundle's tables before its rows merge (a bundle is untrusted input).

Every expected table and column present, every value of the type our schema declares and within
its CHECK clauses, JSON where JSON is stored, voice-profile embeddings of finite float32 values,
safe media paths. Rows identical to ours are not checked (they are never copied): the touch
tables ``temp.fs_touch_<table>`` list the others, and the merge works from them.
"""

from __future__ import annotations

import array
import math
import re
import sqlite3
import sys
from pathlib import Path

from storage.core.schema_teamwork import TRAVELLING_TABLES
from storage.core.words import plural, verb
from storage.team.bundle import refused
from storage.team.conflicts import content_columns

OTHER_TABLES = ("coders", "deletions", "row_versions", "project_meta")
_MEDIA_PATH = re.compile(r"^media/[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
#: the largest voice-profile embedding a bundle may bring (float32 values)
MAX_EMBEDDING_DIM = 8192

#: tables whose rows ``find_differing`` compares ahead (most of a full bundle: the transcript)
AHEAD_TABLES = ("segments",)


#: tables whose values the comparing thread checks ahead, every row (most of a bundle's rows)
PRECHECK_TABLES = ("codings",)


def _not_identical(conn: sqlite3.Connection, table: str, b: str) -> str:
    """FROM and WHERE clauses: bundle rows ``r`` that no row ``l`` here has identically.

    ``l`` is our row with the same id, if any. Most rows of a bundle are the ones we already
    have, so this is the merge's hot loop: one indexed lookup per bundle row, in C. Segments
    first try our row at the same ``seq`` (a local key, but the same on copies made from one
    project while nobody split or deleted segments): an in-order integer-key lookup, far cheaper
    than a lookup by text id, which runs only where that misses.
    """
    same = " AND ".join(
        ["l.updated_at IS r.updated_at"] + [f"l.{c} IS r.{c}" for c in content_columns(conn, table)]
    )
    where = f"l.rowid IS NULL OR NOT ({same})"
    bundle_cols = {r[1] for r in conn.execute(f"PRAGMA {b}.table_info({table})")}
    if table == "segments" and "seq" in bundle_cols:  # seq is not required of a bundle
        fast = f"l.seq = r.seq AND l.id = r.id AND {same}"
        where = f"NOT EXISTS (SELECT 1 FROM main.segments l WHERE {fast}) AND ({where})"
    return f"{b}.{table} r LEFT JOIN main.{table} l ON l.id = r.id WHERE {where}"


def _allowed_types(decl: str, notnull: bool, pk: bool, name: str) -> list[str]:
    decl = decl.upper()
    if "INT" in decl:
        types = ["integer"]
    elif "REAL" in decl:
        types = ["real", "integer"]
    elif "BLOB" in decl:
        types = ["blob"]
    else:
        types = ["text"]
    if not notnull and not pk and name not in ("id", "row_id"):
        types.append("null")
    return types


def _check_clauses(conn: sqlite3.Connection, table: str) -> list[str]:
    """The CHECK expressions of one of the project's own tables (from its trusted schema)."""
    row = conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    sql = row[0] if row else ""
    clauses = []
    for match in re.finditer(r"\bCHECK\s*\(", sql, flags=re.IGNORECASE):
        depth, i = 1, match.end()
        while depth and i < len(sql):
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        clauses.append(sql[match.end() : i - 1])
    return clauses


def _value_checks(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(what, SQL condition true for a bad row) for every value rule of one of our tables.

    The types come from our own schema (``main``), as do the CHECK clauses; a column the bundle
    lacks is refused before these run.
    """
    checks: list[tuple[str, str]] = []
    for _, name, decl, notnull, _default, pk in conn.execute(f"PRAGMA main.table_info({table})"):
        if name == "seq":
            continue
        types = ", ".join(f"'{t}'" for t in _allowed_types(decl, bool(notnull), bool(pk), name))
        cond = f"typeof({name}) NOT IN ({types})"
        if name in ("id", "row_id", "name") and table != "project_meta":
            cond += f" OR length({name}) = 0"
        checks.append((name, cond))
    for clause in _check_clauses(conn, table):
        checks.append((f"CHECK ({' '.join(clause.split())})", f"NOT coalesce(({clause}), 1)"))
    if table == "segments":
        checks.append(("words", "words IS NOT NULL AND NOT json_valid(words)"))
    if table == "participants":
        checks.append(("attributes", "NOT json_valid(attributes)"))
    if table == "speaker_profiles":
        # float32 values, as many as ``dim`` says, and a sane number of them
        checks.append(
            (
                "embedding (float32 values: its length must be 4 x dim, at most "
                f"{MAX_EMBEDDING_DIM} values)",
                "typeof(embedding) = 'blob' AND (length(embedding) % 4 != 0 "
                "OR typeof(dim) != 'integer' OR length(embedding) != 4 * dim "
                f"OR dim > {MAX_EMBEDDING_DIM})",
            )
        )
    return checks


def _bad_values(
    conn: sqlite3.Connection, table: str, b: str, where: str = ""
) -> tuple[str, int] | None:
    """The first value rule that rows of the bundle's ``table`` break, and how many break it."""
    checks = _value_checks(conn, table)
    sums = ", ".join(f"coalesce(sum({cond}), 0)" for _, cond in checks)
    counts = conn.execute(f"SELECT {sums} FROM {b}.{table}{where}").fetchone()
    for (name, _), bad in zip(checks, counts, strict=True):
        if bad:
            return name, int(bad)
    return None


def _validate(
    conn: sqlite3.Connection,
    path: Path,
    b: str,
    differing: dict[str, list[int]] | None = None,
    checked: frozenset[str] = frozenset(),
) -> None:
    """Check the bundle's tables: every expected column present, every value of the right type.

    ``differing``: rows already found to differ from ours (``find_differing``), per table.
    ``checked``: tables whose rows (those of ``differing`` for its tables, else all) were found
    valid ahead (``find_differing``); their values are not checked again.
    """
    differing = differing or {}
    btables = {r[0] for r in conn.execute(f"SELECT name FROM {b}.sqlite_master WHERE type='table'")}
    for table in (*TRAVELLING_TABLES, *OTHER_TABLES):
        if table not in btables:
            raise refused(f"{path}: the bundle has no table {table!r}")
        bcols = {r[1] for r in conn.execute(f"PRAGMA {b}.table_info({table})")}
        for (name,) in conn.execute(f"SELECT name FROM pragma_table_info('{table}', 'main')"):
            if name != "seq" and name not in bcols:
                raise refused(f"{path}: table {table!r} of the bundle lacks column {name!r}")
        _refuse_shared_keys(conn, path, b, table)
        where = ""
        if table in TRAVELLING_TABLES:
            # rows equal to ours are never copied: check (and later merge) only the others
            conn.execute(f"DROP TABLE IF EXISTS temp.fs_touch_{table}")
            conn.execute(
                f"CREATE TEMP TABLE fs_touch_{table} (rid INTEGER PRIMARY KEY, known INTEGER)"
            )
            ahead = differing.get(table)
            if ahead is None:
                conn.execute(
                    f"INSERT INTO temp.fs_touch_{table} (rid, known) "
                    f"SELECT r.rowid, l.rowid IS NOT NULL FROM {_not_identical(conn, table, b)}"
                )
            else:  # compared ahead: whether we have each row is asked now
                conn.executemany(
                    f"INSERT INTO temp.fs_touch_{table} (rid, known) VALUES (?, 0)",
                    ((rid,) for rid in ahead),
                )
                conn.execute(
                    f"UPDATE temp.fs_touch_{table} SET known = EXISTS (SELECT 1 FROM "
                    f"{b}.{table} r JOIN main.{table} l ON l.id = r.id WHERE r.rowid = rid)"
                )
            where = f" WHERE rowid IN (SELECT rid FROM temp.fs_touch_{table})"
        if table in checked and (table not in AHEAD_TABLES or table in differing):
            continue
        bad = _bad_values(conn, table, b, where)
        if bad is not None:
            name, count = bad
            what = name if name.startswith(("CHECK", "embedding ")) else repr(name)
            raise refused(
                f"{path}: {plural(count, 'row')} of {table!r} {verb(count, 'has')} an "
                f"invalid {what}"
            )
    _check_embeddings_finite(conn, path, b)
    _check_spans_within_text(conn, path, b)
    for (media_path,) in conn.execute(f"SELECT path FROM {b}.media"):
        if not _MEDIA_PATH.match(media_path):
            raise refused(f"{path}: media path {media_path!r} is not allowed")


def _key_columns(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    """The columns that name a row of one of our tables: ``id`` for the rows that travel (their
    primary key, or for ``segments`` a unique column), else the primary key."""
    if table in TRAVELLING_TABLES:
        return ("id",)
    info = sorted(conn.execute(f"PRAGMA main.table_info({table})"), key=lambda r: r[5])
    return tuple(r[1] for r in info if r[5])


def _declared_unique(conn: sqlite3.Connection, b: str, table: str, cols: tuple[str, ...]) -> bool:
    """Whether the bundle's ``table`` keeps ``cols`` unique itself: a unique index (a primary key
    or a UNIQUE constraint, not partial) on some of them."""
    for _seq, name, unique, _origin, partial in conn.execute(f"PRAGMA {b}.index_list({table})"):
        if unique and not partial:
            indexed = {r[2] for r in conn.execute(f'PRAGMA {b}.index_info("{name}")')}
            if indexed and None not in indexed and indexed <= set(cols):
                return True
    return False


def shared_keys(
    conn: sqlite3.Connection, b: str, table: str, cols: tuple[str, ...]
) -> tuple[int, tuple[object, ...]] | None:
    """How many keys (values of ``cols``) stand on more than one row of the bundle's ``table``,
    and the smallest of them; None when none does.

    A table of a FieldScribe bundle has its key (checked in a glance); one without it (damaged,
    or not written by FieldScribe) is searched. Rows with a NULL in the key are left to the value
    checks.
    """
    if not cols or _declared_unique(conn, b, table, cols):
        return None
    key = ", ".join(f"{c} COLLATE BINARY" for c in cols)
    shared = (
        f"SELECT {', '.join(cols)} FROM {b}.{table} "
        f"WHERE {' AND '.join(f'{c} IS NOT NULL' for c in cols)} "
        f"GROUP BY {key} HAVING count(*) > 1"
    )
    (count,) = conn.execute(f"SELECT count(*) FROM ({shared})").fetchone()
    if not count:
        return None
    first = conn.execute(f"{shared} ORDER BY {key} LIMIT 1").fetchone()
    return int(count), tuple(first)


def _refuse_shared_keys(conn: sqlite3.Connection, path: Path, b: str, table: str) -> None:
    """Refuse a bundle whose ``table`` has two rows under one key: they would merge as one."""
    cols = _key_columns(conn, table)
    found = shared_keys(conn, b, table, cols)
    if found is None:
        return
    count, first = found
    what = plural(count, "id") if cols == ("id",) else f"{plural(count, 'key')} ({', '.join(cols)})"
    raise refused(
        f"{path}: table {table!r} of the bundle has {what} on more than one row (first: "
        f"{'/'.join(map(str, first))!r}): it is damaged",
        "Ask for the bundle to be exported again.",
    )


def _check_embeddings_finite(conn: sqlite3.Connection, path: Path, b: str) -> None:
    """Refuse voice-profile embeddings with NaN or infinite values (rows the merge would copy)."""
    rows = conn.execute(
        f"SELECT embedding FROM {b}.speaker_profiles "
        "WHERE rowid IN (SELECT rid FROM temp.fs_touch_speaker_profiles)"
    )
    for (blob,) in rows:
        values = array.array("f")
        values.frombytes(blob)
        if sys.byteorder == "big":
            values.byteswap()  # stored little-endian
        if not all(math.isfinite(v) for v in values):
            raise refused(
                f"{path}: a voice profile's embedding holds values that are not finite numbers"
            )


def _check_spans_within_text(conn: sqlite3.Connection, path: Path, b: str) -> None:
    """Refuse span codings (rows the merge would copy) that end past the text of their segment
    in the bundle: they mark words nobody said, and no FieldScribe writes them (coding refuses
    such a span; edits move spans along). A segment the bundle does not carry (a partial
    bundle) is not judged: the span is anchored in a text we do not have."""
    (bad,) = conn.execute(
        f"SELECT count(*) FROM temp.fs_touch_codings t CROSS JOIN {b}.codings r "
        f"ON r.rowid = t.rid JOIN {b}.segments s ON s.id = r.segment_id "
        "WHERE r.end_cp IS NOT NULL AND r.end_cp > length(s.text)"
    ).fetchone()
    if bad:
        raise refused(
            f"{path}: {plural(bad, 'span coding')} of the bundle "
            f"{verb(bad, 'ends')} past the text of {'its' if bad == 1 else 'their'} segment"
        )

"""Deep code paths: capped at MAX_CODE_DEPTH with a message, and lookups that read one path,
never the whole codebook per level (a 1,200-level path used to take minutes)."""

from __future__ import annotations

import pytest

from storage import Project
from storage.codebook.codebook import MAX_CODE_DEPTH
from storage.core.errors import InvalidInputError
from storage.core.ids import new_id, now_iso


def _statements(project: Project) -> list[str]:
    seen: list[str] = []
    project.store.conn.set_trace_callback(seen.append)
    return seen


def test_depth_cap(project: Project) -> None:
    deepest = "/".join(f"L{i}" for i in range(MAX_CODE_DEPTH))
    code = project.codebook.ensure_code_path(deepest)
    assert code.path == deepest and len(project.codebook.codes()) == MAX_CODE_DEPTH
    before = project.codebook.codes()
    with pytest.raises(InvalidInputError, match=f"at most {MAX_CODE_DEPTH} levels"):
        project.codebook.ensure_code_path(deepest + "/one too many")
    with pytest.raises(InvalidInputError, match=f"at most {MAX_CODE_DEPTH} levels"):
        project.codebook.add_code("one too many", parent_id=code.id)
    other = project.codebook.ensure_code_path("Top/Child")
    with pytest.raises(InvalidInputError, match="52 levels deep"):
        project.codebook.update_code(project.codebook.find_code("Top").id, parent_id=code.id)
    assert [c.path for c in project.codebook.codes()] == sorted(
        [c.path for c in before] + ["Top", other.path], key=str.lower
    )


def test_a_deep_path_is_one_walk_not_a_reread_per_level(project: Project) -> None:
    project.codebook.ensure_code_path("Other/Branch")
    names = [f"level {i}" for i in range(MAX_CODE_DEPTH)]
    seen = _statements(project)
    project.codebook.ensure_code_path("/".join(names))
    project.store.conn.set_trace_callback(None)
    whole_reads = [s for s in seen if s.strip().upper() == "SELECT * FROM CODES"]
    assert whole_reads == []
    # a fixed number of statements per level, not levels squared
    seen_short = _statements(project)
    project.codebook.ensure_code_path("/".join(f"short {i}" for i in range(10)))
    project.store.conn.set_trace_callback(None)
    per_level = len(seen_short) / 10
    assert len(seen) <= per_level * MAX_CODE_DEPTH + 5
    seen = _statements(project)
    code = project.codebook.find_code("/".join(names))
    assert code is not None and code.path == "/".join(names)
    assert project.codebook.get_code(code.id).path == code.path
    project.store.conn.set_trace_callback(None)
    assert len(seen) < 2 * MAX_CODE_DEPTH + 5


def test_an_existing_deeper_codebook_still_reads(project: Project) -> None:
    """A codebook deeper than the cap (from an old merge) is listed with its full paths."""
    parent = None
    ids = []
    with project.transaction() as db:
        for i in range(1200):
            ids.append(new_id())
            db.conn.execute(
                "INSERT INTO codes (id, parent_id, name, colour, created_by, created_at, "
                "updated_at) VALUES (?, ?, ?, '#000000', 'coder-a', ?, ?)",
                (ids[-1], parent, f"c{i}", now_iso(), now_iso()),
            )
            parent = ids[-1]
    codes = {c.id: c for c in project.codebook.codes()}
    assert codes[ids[-1]].path.count("/") == 1199
    assert project.codebook.get_code(ids[-1]).path == codes[ids[-1]].path
    with pytest.raises(InvalidInputError, match="levels"):
        project.codebook.add_code("deeper", parent_id=ids[-1])

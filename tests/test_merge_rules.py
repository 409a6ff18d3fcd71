"""Merge rules that the fast paths and later additions must keep: same-name codes merged in any
order, resolutions that travel, rows that differ only in part from ours."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from storage import Project
from storage.bundle import create_from_bundle, export_bundle, merge_bundles
from tests.teamwork_helpers import dump, make_lead, rebuild, team


def _codings(folder: Path) -> dict[str, tuple[str, str, str]]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        rows = conn.execute("SELECT id, coder, created_by, updated_at FROM codings").fetchall()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}
    finally:
        conn.close()


def test_merge_same_name_is_order_independent_idempotent_and_keeps_coders(
    tmp_path: Path,
) -> None:
    lead, segs, coders = team(tmp_path, "alice", "bob")
    made: dict[str, str] = {}  # coding id -> coder
    for name, picks in (("alice", segs[:2]), ("bob", segs[1:4])):
        p = coders[name]
        trust = p.ensure_code_path("Emotions/Trust")
        p.add_memo("code", trust.id, f"{name}'s definition of trust")
        for seg in picks:
            made[p.apply_code(seg, trust.id).id] = name
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    lead.close()
    bundles = {n: tmp_path / f"{n}.fsbundle" for n in ("alice", "bob")}
    copy = tmp_path / "copy.fieldscribe"
    shutil.copytree(lead.folder, copy)
    with Project.open(lead.folder) as p:
        first = merge_bundles(p, [bundles["alice"], bundles["bob"]], merge_same_name=True)
        assert sum(s.merged_codes for s in first) == 2  # "Emotions", then "Emotions/Trust"
        (trust,) = [c for c in p.codes() if c.path == "Emotions/Trust"]
        assert {c.id for c in p.codings(code_id=trust.id)} == set(made)
        assert len(p.memos()) == 2
    with Project.open(copy) as p:
        merge_bundles(p, [bundles["bob"], bundles["alice"]], merge_same_name=True)
    # row by row, every table (the FTS shadow tables and seq left out: seq is a local key that
    # numbers segments in arrival order; no segment arrives here, so nothing else is left out)
    one, two = dump(lead.folder, ignore_seq=True), dump(copy, ignore_seq=True)
    assert one == two
    # every coding keeps its coder and author; the moved ones get a version derived from their
    # own, not the merge's time
    for coding_id, (coder, created_by, _version) in _codings(lead.folder).items():
        assert (coder, created_by) == (made[coding_id], made[coding_id])
    # idempotent: both bundles again, in both orders, change nothing
    with Project.open(lead.folder) as p:
        merge_bundles(p, [bundles["bob"], bundles["alice"]], merge_same_name=True)
        merge_bundles(p, [bundles["alice"], bundles["bob"]], merge_same_name=True)
    assert dump(lead.folder, ignore_seq=True) == one


def test_merge_same_name_moves_codings_with_derived_versions(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "alice")
    a = coders["alice"]
    lead.ensure_code_path("Access")  # first: the code that stays
    mine = a.ensure_code_path("Access")
    coding = a.apply_code(segs[0], mine.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    a.close()
    (summary,) = merge_bundles(lead, [tmp_path / "a.fsbundle"], merge_same_name=True)
    assert summary.merged_codes == 1
    moved = lead.codings()[0]
    assert (moved.id, moved.coder) == (coding.id, "alice")
    assert moved.code_id == lead.find_code("Access").id  # type: ignore[union-attr]
    assert moved.updated_at == _later(coding.updated_at)
    lead.close()


def _later(version: str) -> str:
    from storage.merge import _next_version

    return _next_version(version)

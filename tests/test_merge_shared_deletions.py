"""A coder who deletes a code (or a segment) that other coders used, their codings having come
in the lead's bundle, deleted those coders' codings at the lead when the lead merged the
deleter's bundle: the tombstones of the codings went through and the code's tombstone then
found nothing in use. Now the other coders' codings stay and the deletion is the "deleted by
one, still used" conflict the lead decides; the deleter's own codings go
(``storage/team/merge_cascade.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from cli import main as cli_main
from storage import Project
from storage.team.bundle import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, team


def _shared(tmp: Path) -> tuple[Path, list[str], dict[str, str]]:
    """alice codes Health and Health/Rural, bob codes Health; the lead merges both, bob takes
    the lead's bundle (alice's codings with it) and deletes Health (with Rural). Returns the
    lead's folder, the segments and the code ids; bob's bundle is ``b2.fsbundle``."""
    lead, segs, coders = team(tmp, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    health = a.codebook.find_code("Services/Health")
    assert health is not None
    rural = a.codebook.ensure_code_path("Services/Health/Rural")
    a.codebook.apply_code(segs[0], health.id)
    a.codebook.apply_code(segs[1], rural.id)
    b.codebook.apply_code(segs[2], health.id)
    export_bundle(a, tmp / "a.fsbundle")
    export_bundle(b, tmp / "b.fsbundle")
    merge_bundles(lead, [tmp / "a.fsbundle", tmp / "b.fsbundle"])
    export_bundle(lead, tmp / "lead2.fsbundle")
    merge_bundles(b, [tmp / "lead2.fsbundle"])
    assert len(b.codebook.codings()) == 3
    report = b.codebook.delete_code(health.id, force=True)
    assert report.removed == {"codings": 3, "sub-codes": 1}
    export_bundle(b, tmp / "b2.fsbundle")
    folder = lead.folder
    for p in (lead, a, b):
        p.close()
    return folder, segs, {"health": health.id, "rural": rural.id}


def _codings(p: Project) -> list[tuple[str, str, str]]:
    return sorted((c.coder, c.segment_id, c.code_id) for c in p.codebook.codings())


def test_a_deleted_shared_code_keeps_the_other_coders_codings(tmp_path: Path) -> None:
    folder, segs, ids = _shared(tmp_path)
    assert cli_main(["bundle", "merge", str(folder), str(tmp_path / "b2.fsbundle")]) == 0
    with Project.open(folder) as lead:
        assert _codings(lead) == sorted(
            [("alice", segs[0], ids["health"]), ("alice", segs[1], ids["rural"])]
        )  # bob's own coding went with his deletion, alice's stayed
        conflicts = {c.row_id: c for c in lead.team.conflicts()}
        assert set(conflicts) == {ids["health"], ids["rural"]}
        for conflict in conflicts.values():
            assert conflict.kind == "delete"
            assert any(v.deleted and v.author == "bob" for v in conflict.versions)
        assert lead.team.codings_using(conflicts[ids["health"]]) == {"alice": 2}
        assert lead.team.codings_using(conflicts[ids["rural"]]) == {"alice": 1}
        before = dump(folder)
    merge_bundles_again = [tmp_path / "b2.fsbundle"]
    with Project.open(folder) as lead:
        merge_bundles(lead, merge_bundles_again)  # a second merge changes nothing
    assert dump(folder) == before


def test_keeping_the_deletion_deletes_the_codings(tmp_path: Path) -> None:
    folder, _segs, ids = _shared(tmp_path)
    with Project.open(folder) as lead:
        merge_bundles(lead, [tmp_path / "b2.fsbundle"])
        conflict = next(c for c in lead.team.conflicts() if c.row_id == ids["health"])
        deleted = next(i for i, v in enumerate(conflict.versions) if v.deleted)
        lead.team.resolve_conflict(conflict.id, keep=deleted)
        assert lead.codebook.find_code("Services/Health") is None
        assert lead.codebook.find_code("Services/Health/Rural") is None
        assert lead.codebook.codings() == []
        export_bundle(lead, tmp_path / "lead3.fsbundle")
    with Project.open(tmp_path / "alice.fieldscribe") as a:
        merge_bundles(a, [tmp_path / "lead3.fsbundle"])  # the lead decided: it goes there too
        assert a.codebook.find_code("Services/Health") is None
        assert a.codebook.codings() == []
        assert a.team.conflicts() == []


def test_keeping_the_code_keeps_every_coding_in_later_merges(tmp_path: Path) -> None:
    folder, segs, ids = _shared(tmp_path)
    with Project.open(folder) as lead:
        merge_bundles(lead, [tmp_path / "b2.fsbundle"])
        for conflict in lead.team.conflicts():
            kept = next(i for i, v in enumerate(conflict.versions) if not v.deleted)
            lead.team.resolve_conflict(conflict.id, keep=kept)
        assert lead.team.conflicts() == []
        alice = [("alice", segs[0], ids["health"]), ("alice", segs[1], ids["rural"])]
        assert _codings(lead) == alice
        merge_bundles(lead, [tmp_path / "b2.fsbundle"])  # bob's bundle again: nothing goes
        assert _codings(lead) == alice and lead.team.conflicts() == []
        export_bundle(lead, tmp_path / "lead3.fsbundle")
    with Project.open(tmp_path / "bob.fieldscribe") as b:
        merge_bundles(b, [tmp_path / "lead3.fsbundle"])  # bob takes the decision and codings
        assert _codings(b) == alice
        export_bundle(b, tmp_path / "b3.fsbundle")
    with Project.open(folder) as lead:
        merge_bundles(lead, [tmp_path / "b3.fsbundle"])
        assert _codings(lead) == alice and lead.team.conflicts() == []


def test_a_deleted_segment_keeps_the_other_coders_codings(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    health = a.codebook.find_code("Services/Health")
    assert health is not None
    a.codebook.apply_code(segs[3], health.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(b, [tmp_path / "lead2.fsbundle"])
    b.codebook.apply_code(segs[3], health.id, start_cp=0, end_cp=7)
    b.transcript.delete_segment(segs[3], force=True)
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    assert _codings(lead) == [("alice", segs[3], health.id)]
    (conflict,) = lead.team.conflicts()
    assert (conflict.kind, conflict.table_name, conflict.row_id) == ("delete", "segments", segs[3])
    assert lead.team.codings_using(conflict) == {"alice": 1}
    for p in (lead, a, b):
        p.close()


def test_the_deleters_own_codings_go_without_a_conflict(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    b.codebook.apply_code(segs[0], health.id)
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    b.codebook.delete_code(health.id, force=True)
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    assert lead.codebook.find_code("Services/Health") is None
    assert lead.codebook.codings() == [] and lead.team.conflicts() == []
    for p in (lead, b):
        p.close()


def test_either_order_gives_the_same_project(tmp_path: Path) -> None:
    """bob's deletion and alice's next bundle (a new coding of the code) in either order."""
    folder, segs, ids = _shared(tmp_path)
    with Project.open(tmp_path / "alice.fieldscribe") as a:
        a.codebook.apply_code(segs[4], ids["health"])
        export_bundle(a, tmp_path / "a2.fsbundle")
    copy = tmp_path / "copy.fieldscribe"
    shutil.copytree(folder, copy)
    for where, order in ((folder, ("b2", "a2")), (copy, ("a2", "b2"))):
        with Project.open(where) as p:
            merge_bundles(p, [tmp_path / f"{x}.fsbundle" for x in order])
            assert [c.coder for c in p.codebook.codings()] == ["alice"] * 3
    one, two = dump(folder, ignore_seq=True), dump(copy, ignore_seq=True)
    one.pop("project_meta")
    two.pop("project_meta")
    assert one == two

"""A coder who deletes a code (or a segment) that other coders used, their codings having come
in the lead's bundle, deleted those coders' codings at the lead when the lead merged the
deleter's bundle: the tombstones of the codings went through and the code's tombstone then
found nothing in use. Now the other coders' codings stay and the deletion is the "deleted by
one, still used" conflict the lead decides; the deleter's own codings go
(``storage/team/merge_cascade.py``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main as cli_main
from storage import Project
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, forget_lead, team


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


def test_a_deleted_shared_code_keeps_the_other_coders_codings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, segs, ids = _shared(tmp_path)
    assert cli_main(["bundle", "merge", str(folder), str(tmp_path / "b2.fsbundle")]) == 0
    # it said "2 open conflict(s); …"
    assert "\n2 open conflicts; list them with" in capsys.readouterr().out
    assert cli_main(["conflicts", str(folder)]) == 0
    listing = capsys.readouterr().out
    assert listing.count("(deleted; keeping it deletes codings: 2 of alice)") == 1  # Health
    # the conflicts dialog's words (the listing said "deleted by one, still used")
    assert listing.count("  [open]  Code deleted by bob, still used by 2 codings of alice\n") == 1
    assert listing.count("  [open]  Code deleted by bob, still used by 1 coding of alice\n") == 1
    assert listing.count("(deleted; keeping it deletes codings: 1 of alice)") == 1  # Rural
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
        # Rural went with Health: its conflict is closed, not left open on a row that is gone
        assert lead.team.conflicts() == []
        (rural,) = [c for c in lead.team.conflicts(status=None) if c.row_id == ids["rural"]]
        assert rural.resolution == f"went with the deletion of codes {ids['health']} by bob"
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


def test_a_deleted_session_keeps_the_other_coders_codings(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    health = a.codebook.find_code("Services/Health")
    assert health is not None
    a.codebook.apply_code(segs[0], health.id)
    a.codebook.apply_code(segs[1], health.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(b, [tmp_path / "lead2.fsbundle"])
    b.sessions.delete_session(b.transcript.get_segment(segs[0]).session_id, force=True)
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    assert [c.coder for c in lead.codebook.codings()] == ["alice", "alice"]
    conflicts = {c.table_name: c for c in lead.team.conflicts()}
    assert lead.team.codings_using(conflicts["sessions"]) == {"alice": 2}
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


CODERS = ("alice", "bob", "carol")
# one coding: (coder, segment index, code) with code 0 = Services/Health, 1 = its sub-code Rural
CODING = st.tuples(st.sampled_from(CODERS), st.integers(0, 3), st.integers(0, 1))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.lists(CODING, max_size=8),
    later=st.lists(CODING, max_size=4),
    deleter=st.sampled_from(CODERS),
    delete_code=st.sampled_from([None, 0, 1]),
    delete_segment=st.sampled_from([None, 0, 1]),
    order=st.permutations(CODERS),
    keep_deletion=st.booleans(),
    removals=st.lists(st.tuples(st.sampled_from(CODERS), st.integers(0, 7)), max_size=3),
)
def test_deletions_against_a_model(
    first: list[tuple[str, int, int]],
    later: list[tuple[str, int, int]],
    deleter: str,
    delete_code: int | None,
    delete_segment: int | None,
    order: list[str],
    keep_deletion: bool,
    removals: list[tuple[str, int]],
) -> None:
    """Coders code, the lead merges them, everyone takes the lead's bundle, one coder deletes a
    code (0: Health, with its sub-code; 1: the sub-code) and/or a segment, the others code more
    (``later``, which the deleter never sees); the lead merges every bundle in any order, twice.
    Model: no coding of another coder goes; the deleter's own codings of the deleted rows go;
    a deleted row is an open ``delete`` conflict exactly when other coders' codings still use
    it (Health also through a sub-code kept); deciding every conflict one way, then merging
    again, gives what the lead chose. Before that, coders remove single codings of ``first``
    (``removals``: who, which) on rows not deleted: one of another coder stays as an open
    ``delete`` conflict on the coding; one of the remover's own goes."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        lead, segs, coders = team(tmp, *CODERS)
        health = lead.codebook.find_code("Services/Health")
        assert health is not None
        rural = lead.codebook.ensure_code_path("Services/Health/Rural")
        export_bundle(lead, tmp / "lead1.fsbundle")
        codes = [health.id, rural.id]
        for p in coders.values():
            merge_bundles(p, [tmp / "lead1.fsbundle"])
        for who, seg, code in first:
            coders[who].codebook.apply_code(segs[seg], codes[code])
        for name, p in coders.items():
            export_bundle(p, tmp / f"{name}1.fsbundle")
        merge_bundles(lead, [tmp / f"{name}1.fsbundle" for name in CODERS])
        export_bundle(lead, tmp / "lead2.fsbundle")
        for p in coders.values():
            merge_bundles(p, [tmp / "lead2.fsbundle"])
        gone_codes = {0, 1} if delete_code == 0 else {delete_code} - {None}
        gone_segs = {delete_segment} - {None}

        def on_gone(s: int, c: int) -> bool:
            return c in gone_codes or s in gone_segs

        removed: set[tuple[str, tuple[str, int, int]]] = set()  # (remover, coding)
        for remover, i in removals:
            if i < len(first) and not on_gone(first[i][1], first[i][2]):
                w, seg, code = first[i]
                r = coders[remover]
                if remover != w:  # a coding is its coder's: only a copy recording no lead
                    forget_lead(r)  # lets another remove it (one made before leads were)
                for c in r.codebook.codings():
                    if (c.coder, c.segment_id, c.code_id) == (w, segs[seg], codes[code]):
                        r.codebook.remove_coding(c.id)
                removed.add((remover, first[i]))
        d = coders[deleter]
        if delete_code is not None:
            d.codebook.delete_code(codes[delete_code], force=True)
        if delete_segment is not None:
            d.transcript.delete_segment(segs[delete_segment], force=True)
        removed_ones = {x for _, x in removed}
        for who, seg, code in later:
            if who != deleter and (who, seg, code) not in removed_ones:
                coders[who].codebook.apply_code(segs[seg], codes[code])
        for name, p in coders.items():
            export_bundle(p, tmp / f"{name}2.fsbundle")
            p.close()
        bundles = [tmp / f"{name}2.fsbundle" for name in order]

        # the model
        done = {(w, s, c) for w, s, c in first} | {
            (w, s, c) for w, s, c in later if w != deleter and (w, s, c) not in removed_ones
        }
        own = {x for who, x in removed if who == x[0]}  # removed by its own coder: gone
        contested = {x for who, x in removed if who != x[0]} - own
        survivors = {(w, s, c) for w, s, c in done if w != deleter or not on_gone(s, c)} - own
        others = {(w, s, c) for w, s, c in survivors if on_gone(s, c)}
        rural_used = 1 in gone_codes and any(c == 1 for _, _, c in others)
        used: set[str] = set()
        if rural_used:
            used.add(codes[1])
        if 0 in gone_codes and (rural_used or any(c == 0 for _, _, c in others)):
            used.add(codes[0])
        for s in gone_segs:
            if any(x == s for _, x, _ in others):
                used.add(segs[s])

        merge_bundles(lead, bundles)
        merge_bundles(lead, bundles)
        ids = {
            (c.coder, segs.index(c.segment_id), codes.index(c.code_id)): c.id
            for c in lead.codebook.codings()
        }
        used |= {ids[x] for x in contested}
        got = {
            (c.coder, segs.index(c.segment_id), codes.index(c.code_id))
            for c in lead.codebook.codings()
        }
        assert got == survivors
        conflicts = lead.team.conflicts()
        assert {c.row_id for c in conflicts} == used
        assert all(c.kind == "delete" for c in conflicts)
        for c in sorted(conflicts, key=lambda c: c.table_name == "segments"):
            c = lead.team.get_conflict(c.id)
            if c.status != "open":
                continue
            pick = next(i for i, v in enumerate(c.versions) if v.deleted == keep_deletion)
            lead.team.resolve_conflict(c.id, keep=pick)
        merge_bundles(lead, bundles)
        got = {
            (c.coder, segs.index(c.segment_id), codes.index(c.code_id))
            for c in lead.codebook.codings()
        }
        if keep_deletion:  # every row they use is a conflict decided so
            assert got == survivors - others - contested
        else:
            assert got == survivors
        lead.close()

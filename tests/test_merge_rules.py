"""Merge rules that the fast paths and later additions must keep: same-name codes merged in any
order, resolutions that travel, rows that differ only in part from ours."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from storage import Code, Project, SegmentDraft
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
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
        trust = p.codebook.ensure_code_path("Emotions/Trust")
        p.codebook.add_memo("code", trust.id, f"{name}'s definition of trust")
        for seg in picks:
            made[p.codebook.apply_code(seg, trust.id).id] = name
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    lead.close()
    bundles = {n: tmp_path / f"{n}.fsbundle" for n in ("alice", "bob")}
    copy = tmp_path / "copy.fieldscribe"
    shutil.copytree(lead.folder, copy)
    with Project.open(lead.folder) as p:
        first = merge_bundles(p, [bundles["alice"], bundles["bob"]], merge_same_name=True)
        assert sum(s.merged_codes for s in first) == 2  # "Emotions", then "Emotions/Trust"
        (trust,) = [c for c in p.codebook.codes() if c.path == "Emotions/Trust"]
        assert {c.id for c in p.codebook.codings(code_id=trust.id)} == set(made)
        assert len(p.codebook.memos()) == 2
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
    lead.codebook.ensure_code_path("Access")  # first: the code that stays
    mine = a.codebook.ensure_code_path("Access")
    coding = a.codebook.apply_code(segs[0], mine.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    a.close()
    (summary,) = merge_bundles(lead, [tmp_path / "a.fsbundle"], merge_same_name=True)
    assert summary.merged_codes == 1
    moved = lead.codebook.codings()[0]
    assert (moved.id, moved.coder) == (coding.id, "alice")
    assert moved.code_id == lead.codebook.find_code("Access").id  # type: ignore[union-attr]
    assert moved.updated_at == _later(coding.updated_at)
    lead.close()


def _later(version: str) -> str:
    from storage.team.merge import _next_version

    return _next_version(version)


# ------------------------------------------------------------------ resolutions travel
def _edit_conflict(tmp_path: Path) -> tuple[Project, dict[str, Project], list[str]]:
    """alice and bob rewrite segment 1 differently; the lead and bob merge both bundles."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    coders["alice"].transcript.update_segment(segs[1], text="alice's version")
    time.sleep(0.005)  # versions are millisecond timestamps: two versions, not one
    coders["bob"].transcript.update_segment(segs[1], text="bob's version")
    for name, p in coders.items():
        export_bundle(p, tmp_path / f"{name}.fsbundle")
    merge_bundles(lead, [tmp_path / "alice.fsbundle", tmp_path / "bob.fsbundle"])
    merge_bundles(coders["bob"], [tmp_path / "alice.fsbundle"])
    assert len(lead.team.conflicts()) == 1 and len(coders["bob"].team.conflicts()) == 1
    return lead, coders, segs


def test_a_resolution_travels_to_coders_with_and_without_the_conflict(tmp_path: Path) -> None:
    lead, coders, segs = _edit_conflict(tmp_path)
    (conflict,) = lead.team.conflicts()
    keep = next(i for i, v in enumerate(conflict.versions) if v.author == "bob")
    lead.team.resolve_conflict(conflict.id, keep=keep)
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    for name in ("bob", "alice"):  # bob had the conflict open; alice never saw it
        p = coders[name]
        (summary,) = merge_bundles(p, [tmp_path / "lead2.fsbundle"])
        assert summary.conflicts == 0
        assert p.team.conflicts() == []  # not open, not raised again
        (done,) = p.team.conflicts(status=None)
        assert (done.id, done.status, done.resolved_by) == (conflict.id, "resolved", "lead")
        assert done.resolution == lead.team.get_conflict(conflict.id).resolution
        assert p.transcript.get_segment(segs[1]).text == "bob's version"
        assert [h.segment_id for h in p.transcript.search("bob's")] == [segs[1]]
        # and the bundles that made the conflict change nothing any more
        before = dump(p.folder)
        merge_bundles(p, [tmp_path / "alice.fsbundle", tmp_path / "bob.fsbundle"])
        assert p.team.conflicts() == [] and dump(p.folder) == before
        p.close()
    lead.close()


def test_bundles_carry_decisions_without_the_competing_texts(tmp_path: Path) -> None:
    lead, coders, _segs = _edit_conflict(tmp_path)
    (conflict,) = lead.team.conflicts()
    export_bundle(lead, tmp_path / "open.fsbundle")  # an open conflict: its versions travel
    lead.team.resolve_conflict(conflict.id, values={"text": "agreed wording"})
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    for bundle, expected in (("open", "open"), ("lead2", "resolved")):
        work = tmp_path / bundle
        with zipfile.ZipFile(tmp_path / f"{bundle}.fsbundle") as zf:
            zf.extract("project.db", work)
        conn = sqlite3.connect(work / "project.db")
        rows = conn.execute("SELECT status, versions FROM conflicts").fetchall()
        conn.close()
        assert len(rows) == 1
        for status, versions in rows:
            assert status == expected
            assert [v["values"] for v in json.loads(versions)] == [{}, {}]
            assert "alice's" not in versions and "bob's" not in versions
    for p in coders.values():
        p.close()
    lead.close()


def _deleted_and_used(tmp_path: Path) -> tuple[Project, Project, Project, Code]:
    """Alice deletes a code Bob uses; both bundles (a/b.fsbundle) merged into the lead."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    code = a.codebook.find_code("Services/Health")
    assert code is not None
    a.codebook.delete_code(code.id)
    b.codebook.apply_code(segs[0], code.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle", tmp_path / "b.fsbundle"])
    return lead, a, b, code


def test_a_kept_row_travels_to_the_coder_who_deleted_it(tmp_path: Path) -> None:
    lead, a, b, code = _deleted_and_used(tmp_path)
    (conflict,) = lead.team.conflicts()
    assert conflict.kind == "delete"
    lead.team.resolve_conflict(
        conflict.id, keep=next(i for i, v in enumerate(conflict.versions) if not v.deleted)
    )
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    (summary,) = merge_bundles(a, [tmp_path / "lead2.fsbundle"])
    assert summary.conflicts == 0 and a.team.conflicts() == []
    assert a.codebook.get_code(code.id).path == "Services/Health"
    assert [c.coder for c in a.codebook.codings(code_id=code.id)] == ["bob"]
    # bob's bundle again: nothing to decide any more
    merge_bundles(a, [tmp_path / "b.fsbundle"])
    assert a.team.conflicts() == []
    for p in (a, b, lead):
        p.close()


def test_a_kept_deletion_travels_to_the_coder_who_used_the_row(tmp_path: Path) -> None:
    lead, a, b, _code = _deleted_and_used(tmp_path)
    merge_bundles(b, [tmp_path / "a.fsbundle"])  # bob sees the conflict too
    assert len(b.team.conflicts()) == 1
    (conflict,) = lead.team.conflicts()
    lead.team.resolve_conflict(
        conflict.id, keep=next(i for i, v in enumerate(conflict.versions) if v.deleted)
    )
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    (summary,) = merge_bundles(b, [tmp_path / "lead2.fsbundle"])
    assert summary.conflicts == 0 and b.team.conflicts() == []
    assert b.codebook.find_code("Services/Health") is None and b.codebook.codings() == []
    (done,) = b.team.conflicts(status=None)
    assert done.status == "resolved"
    for p in (a, b, lead):
        p.close()


def test_a_malformed_resolution_refuses_the_bundle(tmp_path: Path) -> None:
    lead, coders, _segs = _edit_conflict(tmp_path)
    (conflict,) = lead.team.conflicts()
    lead.team.resolve_conflict(conflict.id, keep=0)
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    bad = rebuild(
        tmp_path / "lead2.fsbundle",
        tmp_path / "bad.fsbundle",
        db_change=lambda c: c.execute("UPDATE conflicts SET versions = '[{\"version\": 3}]'"),
    )
    alice = coders["alice"]
    alice.close()
    before = dump(alice.folder)
    with (
        Project.open(alice.folder) as p,
        pytest.raises(InvalidBundleError, match="resolved conflict of the bundle is malformed"),
    ):
        merge_bundles(p, [bad])
    assert dump(alice.folder) == before
    coders["bob"].close()
    lead.close()


# ------------------------------------------------------------------ the fast paths keep the rules
def test_one_sided_edit_is_taken_among_identical_bundles_in_one_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # five bundles, two per commit: the edit in the middle one is taken, the rest is old news,
    # and the result is the one of merging the bundles one by one
    monkeypatch.setattr("storage.team.merge.MERGE_BATCH", 2)
    names = ["a", "b", "c", "d", "e"]
    lead, segs, coders = team(tmp_path, *names)
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    coders["c"].transcript.update_segment(segs[3], text="c rewrote this about buses")
    for name in names:
        coders[name].codebook.apply_code(segs[names.index(name)], code.id)
        export_bundle(coders[name], tmp_path / f"{name}.fsbundle")
        coders[name].close()
    lead.close()
    copy = tmp_path / "one-by-one.fieldscribe"
    shutil.copytree(lead.folder, copy)
    bundles = [tmp_path / f"{n}.fsbundle" for n in names]
    with Project.open(lead.folder) as p:
        summaries = merge_bundles(p, bundles)
        assert [s.tables["segments"].updated for s in summaries] == [0, 0, 1, 0, 0]
        assert [s.tables["segments"].skipped for s in summaries] == [6, 6, 5, 6, 6]
        assert sum(s.conflicts for s in summaries) == 0
        assert p.transcript.get_segment(segs[3]).text == "c rewrote this about buses"
        assert [h.segment_id for h in p.transcript.search("buses")] == [segs[3]]
        assert {c.coder for c in p.codebook.codings()} == set(names)
    with Project.open(copy) as p:
        for bundle in bundles:
            merge_bundles(p, [bundle])
    assert dump(lead.folder) == dump(copy)


def test_same_content_under_another_version_is_skipped_as_before(tmp_path: Path) -> None:
    lead, segs = make_lead(tmp_path)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    newer = rebuild(
        tmp_path / "lead.fsbundle",
        tmp_path / "newer.fsbundle",
        db_change=lambda c: c.execute(
            "UPDATE segments SET updated_at = '2030-01-01T00:00:00.000Z' WHERE id = ?",
            (segs[2],),
        ),
    )
    before = lead.transcript.get_segment(segs[2])
    (summary,) = merge_bundles(lead, [newer])
    stats = summary.tables["segments"]
    assert (stats.added, stats.updated, stats.conflicts, stats.skipped) == (0, 0, 0, 6)
    assert lead.transcript.get_segment(segs[2]) == before  # our version stays
    lead.close()


def test_same_version_with_other_content_is_a_conflict_as_before(tmp_path: Path) -> None:
    lead, segs = make_lead(tmp_path)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    forged = rebuild(
        tmp_path / "lead.fsbundle",
        tmp_path / "forged.fsbundle",
        db_change=lambda c: c.execute(
            "UPDATE segments SET text = 'changed behind the version' WHERE id = ?", (segs[1],)
        ),
    )
    (summary,) = merge_bundles(lead, [forged])
    assert summary.tables["segments"].conflicts == 1
    (conflict,) = lead.team.conflicts()
    assert {v.values["text"] for v in conflict.versions} == {
        "segment number 1 talks about clinics",
        "changed behind the version",
    }
    lead.close()


def test_the_same_coding_under_another_id_is_skipped_and_bad_codings_still_refused(
    tmp_path: Path,
) -> None:
    lead, segs, coders = team(tmp_path, "alice")
    a = coders["alice"]
    code = a.codebook.find_code("Services/Health")
    assert code is not None
    a.codebook.apply_code(segs[0], code.id)
    a.codebook.apply_code(segs[1], code.id, start_cp=0, end_cp=7)
    export_bundle(a, tmp_path / "a.fsbundle")
    a.close()
    (first,) = merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert first.tables["codings"].added == 2
    twin = rebuild(  # the same codings under new ids: skipped, not added, not refused
        tmp_path / "a.fsbundle",
        tmp_path / "twin.fsbundle",
        db_change=lambda c: c.execute("UPDATE codings SET id = 'twin-' || id"),
    )
    (again,) = merge_bundles(lead, [twin])
    assert (again.tables["codings"].added, again.tables["codings"].skipped) == (0, 2)
    assert len(lead.codebook.codings()) == 2
    for change, message in (
        ("UPDATE codings SET id = 'x-' || id, start_cp = 5, end_cp = 2", "CHECK"),
        ("UPDATE codings SET id = 'x-' || id, coder = x'00'", "invalid 'coder'"),
        ("UPDATE codings SET id = 'x-' || id, segment_id = 'nowhere'", "refer to rows"),
    ):
        lead.close()
        before = dump(lead.folder)
        bad = rebuild(
            tmp_path / "a.fsbundle",
            tmp_path / "bad.fsbundle",
            db_change=lambda c, sql=change: c.execute(sql),  # type: ignore[misc]
        )
        with Project.open(lead.folder) as p, pytest.raises(InvalidBundleError, match=message):
            merge_bundles(p, [bad])
        assert dump(lead.folder) == before
        lead = Project.open(lead.folder)
    lead.close()


def test_rows_compared_ahead_against_an_older_state_merge_by_the_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each bundle is compared with the lead's project while the previous one is being merged
    # (not yet committed): what alice brings must still count when bob's and carol's rows merge
    import storage.team.merging

    found: list[dict[str, list[int]]] = []
    real = storage.team.merging.find_differing

    def spy(db: Path, opened: object, *args: object) -> None:
        real(db, opened, *args)  # type: ignore[arg-type]
        found.append(opened.differing)  # type: ignore[attr-defined]

    monkeypatch.setattr(storage.team.merging, "find_differing", spy)
    lead, segs, coders = team(tmp_path, "alice", "bob", "carol")
    a, b = coders["alice"], coders["bob"]
    a.transcript.update_segment(segs[0], text="alice fixed this")
    session = a.sessions.all()[0].id
    (new,) = a.transcript.add_segments(
        session, [SegmentDraft(9000, 9500, "alice added this", "S1")]
    )
    export_bundle(a, tmp_path / "a.fsbundle")
    merge_bundles(b, [tmp_path / "a.fsbundle"])
    b.transcript.update_segment(new.id, text="bob corrected alice's new segment")
    b.transcript.update_segment(segs[0], speaker="S3")  # after alice's fix: descends from it
    export_bundle(b, tmp_path / "b.fsbundle")
    export_bundle(coders["carol"], tmp_path / "c.fsbundle")  # the original transcript
    for p in coders.values():
        p.close()
    found.clear()
    bundles = [tmp_path / f"{n}.fsbundle" for n in ("a", "b", "c")]
    summaries = merge_bundles(lead, bundles)
    assert [len(f["segments"]) for f in found] == [2, 2, 0]  # compared ahead, all three
    assert [s.tables["segments"].added for s in summaries] == [1, 0, 0]
    assert [s.tables["segments"].updated for s in summaries] == [1, 2, 0]
    assert [s.tables["segments"].skipped for s in summaries] == [5, 5, 6]
    assert sum(s.conflicts for s in summaries) == 0
    assert lead.transcript.get_segment(new.id).text == "bob corrected alice's new segment"
    fixed = lead.transcript.get_segment(segs[0])
    assert (fixed.text, fixed.speaker) == ("alice fixed this", "S3")
    assert [h.segment_id for h in lead.transcript.search("corrected")] == [new.id]
    lead.close()


def test_cli_merges_several_bundles_and_stops_at_a_refused_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main as cli_main

    lead, segs, coders = team(tmp_path, "alice", "bob")
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    for i, (name, p) in enumerate(coders.items()):
        p.codebook.apply_code(segs[i], code.id)
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    lead.close()
    bad = rebuild(
        tmp_path / "bob.fsbundle",
        tmp_path / "bad.fsbundle",
        db_change=lambda c: c.execute("CREATE VIEW v AS SELECT 1"),
    )
    d = str(tmp_path)
    args = ["bundle", "merge", f"{d}/lead.fieldscribe", f"{d}/alice.fsbundle"]
    assert cli_main([*args, str(bad), f"{d}/bob.fsbundle"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "has a view" in err
    with Project.open(tmp_path / "lead.fieldscribe") as p:
        assert [c.coder for c in p.codebook.codings()] == ["alice"]  # merged before the refusal
    assert cli_main([*args, f"{d}/bob.fsbundle", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [b["tables"]["codings"]["added"] for b in out["bundles"]] == [0, 1]
    assert out["open_conflicts"] == 0
    with Project.open(tmp_path / "lead.fieldscribe") as p:
        assert sorted(c.coder for c in p.codebook.codings()) == ["alice", "bob"]

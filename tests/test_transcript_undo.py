"""Undo/redo by snapshots: split, merge, text edits, code merges and deletions keep their ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage import InUseError, Project, SegmentDraft, UndoScope
from storage.bundle import export_bundle, merge_bundles
from tests.teamwork_helpers import team

TEXT = "Ақпарат 👍 clinic bribes are common here and people wait in long lines."


@pytest.fixture
def seg_ids(project: Project) -> list[str]:
    session = project.add_session("Focus group")
    drafts = [
        SegmentDraft(0, 6000, TEXT, speaker="P1"),
        SegmentDraft(6000, 9000, "The portal helps with passports.", speaker="P2"),
        SegmentDraft(9000, 12000, "Nobody trusts the portal.", speaker="P1"),
    ]
    return [s.id for s in project.add_segments(session.id, drafts)]


def state(project: Project, session_id: str) -> dict[str, Any]:
    """Segments (ids, times, texts) and codings (ids and where) of a session, plus memos."""
    segs = project.segments(session_id)
    return {
        "segments": [(s.id, s.start_ms, s.end_ms, s.speaker, s.text, s.edited) for s in segs],
        "codings": sorted(
            (c.id, c.segment_id, c.code_id, c.coder, c.start_cp, c.end_cp, c.memo)
            for c in project.codings(session_id=session_id)
        ),
        "memos": sorted((m.id, m.target_type, m.target_id, m.text) for m in project.memos()),
        "codes": sorted((c.id, c.parent_id, c.name, c.colour) for c in project.codes()),
    }


def tombstones(project: Project) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in project._rows("SELECT table_name, row_id FROM deletions")}


def test_undo_split_restores_ids_spans_and_memos(project: Project, seg_ids: list[str]) -> None:
    sid = project.get_segment(seg_ids[0]).session_id
    trust, wait = project.add_code("Trust"), project.add_code("Waiting")
    whole = project.apply_code(seg_ids[0], trust.id, memo="whole")
    left = project.apply_code(seg_ids[0], trust.id, start_cp=0, end_cp=7)
    across = project.apply_code(seg_ids[0], wait.id, start_cp=10, end_cp=30)
    right = project.apply_code(seg_ids[0], wait.id, start_cp=50, end_cp=60, memo="right")
    project.add_memo("coding", right.id, "a memo on the moved span")
    project.add_memo("segment", seg_ids[0], "a memo on the segment")
    before = state(project, sid)
    cut = TEXT.index("people")

    (_, new), record = project.record_edit(
        UndoScope.of(segments=[seg_ids[0]]),
        lambda: project.split_segment(seg_ids[0], cut),
        grows=lambda res: UndoScope.of(segments=[res[1].id]),
    )
    after = state(project, sid)
    assert after != before and new.id in {s[0] for s in after["segments"]}
    assert ("codings", right.id) in tombstones(project)  # moved to the new half: new id

    project.undo_edit(record)
    assert state(project, sid) == before
    assert {c.id for c in project.codings(segment_id=seg_ids[0])} == {
        whole.id,
        left.id,
        across.id,
        right.id,
    }
    assert ("codings", right.id) not in tombstones(project)
    assert ("segments", new.id) in tombstones(project)
    assert [h.segment_id for h in project.search("people")] == [seg_ids[0]]

    project.redo_edit(record)
    assert state(project, sid) == after  # the same ids as the first time
    assert [h.segment_id for h in project.search("people")] == [new.id]
    project.undo_edit(record)
    assert state(project, sid) == before
    assert [h.segment_id for h in project.search("people")] == [seg_ids[0]]


def test_undo_merge_brings_back_the_next_segment(project: Project, seg_ids: list[str]) -> None:
    sid = project.get_segment(seg_ids[0]).session_id
    code = project.add_code("Portal")
    span = project.apply_code(seg_ids[1], code.id, start_cp=4, end_cp=10, memo="portal")
    project.add_memo("segment", seg_ids[1], "next segment memo")
    before = state(project, sid)
    _, record = project.record_edit(
        UndoScope.of(segments=seg_ids[:2]), lambda: project.merge_with_next(seg_ids[0])
    )
    assert len(project.segments(sid)) == 2
    assert [h.segment_id for h in project.search("passports")] == [seg_ids[0]]
    after = state(project, sid)

    project.undo_edit(record)
    assert state(project, sid) == before
    (back,) = project.codings(segment_id=seg_ids[1])
    assert (back.id, back.start_cp, back.end_cp, back.memo) == (span.id, 4, 10, "portal")
    assert [h.segment_id for h in project.search("passports")] == [seg_ids[1]]
    assert not {("segments", seg_ids[1]), ("codings", span.id)} & tombstones(project)

    project.redo_edit(record)
    assert state(project, sid) == after


def test_undo_text_edit_restores_clipped_spans(project: Project, seg_ids: list[str]) -> None:
    sid = project.get_segment(seg_ids[0]).session_id
    code = project.add_code("Trust")
    tail = project.apply_code(seg_ids[0], code.id, start_cp=50, end_cp=60)
    over = project.apply_code(seg_ids[0], code.id, start_cp=5, end_cp=40)
    whole = project.apply_code(seg_ids[0], code.id)
    before = state(project, sid)
    _, record = project.record_edit(
        UndoScope.of(segments=[seg_ids[0]]),
        lambda: project.update_segment(seg_ids[0], text=TEXT[:20]),
    )
    now = {c.id: (c.start_cp, c.end_cp) for c in project.codings(segment_id=seg_ids[0])}
    # the span past the end would become a second whole-segment coding: it is removed
    assert now == {over.id: (5, 20), whole.id: (None, None)}
    assert project.search("bribes") == []

    project.undo_edit(record)
    assert state(project, sid) == before
    assert tail.id in {c.id for c in project.codings(segment_id=seg_ids[0])}
    assert [h.segment_id for h in project.search("bribes")] == [seg_ids[0]]
    project.redo_edit(record)
    assert {c.id: (c.start_cp, c.end_cp) for c in project.codings(segment_id=seg_ids[0])} == now


def test_undo_merge_codes_and_delete_code(project: Project, seg_ids: list[str]) -> None:
    sid = project.get_segment(seg_ids[0]).session_id
    src, dst = project.add_code("Corruption"), project.add_code("Trust")
    child = project.add_code("Bribes", parent_id=src.id)
    a = project.apply_code(seg_ids[0], src.id, start_cp=8, end_cp=14)
    dup = project.apply_code(seg_ids[1], src.id)
    project.apply_code(seg_ids[1], dst.id)  # dup's twin: the merge drops dup
    project.apply_code(seg_ids[2], child.id)
    project.add_memo("code", src.id, "when to use it")
    before = state(project, sid)

    _, merged = project.record_edit(
        project.code_scope(src.id, merge_into=dst.id), lambda: project.merge_codes(src.id, dst.id)
    )
    after = state(project, sid)
    assert src.id not in {c[0] for c in after["codes"]}
    project.undo_edit(merged)
    assert state(project, sid) == before
    assert {c.id for c in project.codings(code_id=src.id)} == {a.id, dup.id}
    assert ("codes", src.id) not in tombstones(project)
    project.redo_edit(merged)
    assert state(project, sid) == after
    project.undo_edit(merged)

    _, deleted = project.record_edit(
        project.code_scope(src.id), lambda: project.delete_code(src.id, force=True)
    )
    assert {c.name for c in project.codes()} == {"Trust"}
    project.undo_edit(deleted)
    assert state(project, sid) == before
    project.redo_edit(deleted)
    assert {c.name for c in project.codes()} == {"Trust"}
    assert {("codes", src.id), ("codes", child.id), ("codings", a.id)} <= tombstones(project)


def test_undone_split_travels_in_bundles(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    code = alice.ensure_code_path("Services/Health")
    moved = alice.apply_code(segs[0], code.id, start_cp=15, end_cp=21)  # in the right half
    export_bundle(alice, tmp_path / "a1.fsbundle")
    merge_bundles(lead, [tmp_path / "a1.fsbundle"])
    (_, new), record = alice.record_edit(
        UndoScope.of(segments=[segs[0]]),
        lambda: alice.split_segment(segs[0], 8),
        grows=lambda res: UndoScope.of(segments=[res[1].id]),
    )
    # the lead sees the split (the span moved to the new half with a new id) ...
    export_bundle(alice, tmp_path / "a2.fsbundle")
    merge_bundles(lead, [tmp_path / "a2.fsbundle"])
    assert lead.codings(segment_id=segs[0]) == []
    assert lead.get_segment(new.id)
    # ... and then its undo: the original coding comes back with its id, the new half goes
    alice.undo_edit(record)
    export_bundle(alice, tmp_path / "a3.fsbundle")
    merge_bundles(lead, [tmp_path / "a3.fsbundle"])
    (back,) = lead.codings(segment_id=segs[0])
    assert (back.id, back.start_cp, back.end_cp) == (moved.id, 15, 21)
    assert lead.get_segment(segs[0]).text == alice.get_segment(segs[0]).text
    assert lead.segment_count() == alice.segment_count()
    assert ("codings", moved.id) not in tombstones(lead)
    assert lead.conflicts() == []
    # merging the lead's project back changes nothing at alice's
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    (mine,) = alice.codings(segment_id=segs[0])
    assert mine.id == moved.id and alice.segment_count() == lead.segment_count()
    lead.close()
    alice.close()


def test_old_tombstone_from_a_peer_does_not_undo_the_undo(tmp_path: Path) -> None:
    _lead, segs, coders = team(tmp_path, "alice", "bob")
    alice, bob = coders["alice"], coders["bob"]
    code = alice.ensure_code_path("Services/Health")
    coding = alice.apply_code(segs[2], code.id, start_cp=4, end_cp=10)
    export_bundle(alice, tmp_path / "a1.fsbundle")
    merge_bundles(bob, [tmp_path / "a1.fsbundle"])
    _, record = alice.record_edit(
        UndoScope.of(segments=segs[2:4]), lambda: alice.merge_with_next(segs[2])
    )
    export_bundle(alice, tmp_path / "a2.fsbundle")
    merge_bundles(bob, [tmp_path / "a2.fsbundle"])  # bob applies the merge's tombstones
    assert ("segments", segs[3]) in tombstones(bob)
    alice.undo_edit(record)
    # bob's bundle still carries the tombstone of the segment alice brought back
    export_bundle(bob, tmp_path / "b.fsbundle")
    merge_bundles(alice, [tmp_path / "b.fsbundle"])
    assert alice.get_segment(segs[3]).text == "segment number 3 talks about clinics"
    assert [c.id for c in alice.codings(segment_id=segs[2])] == [coding.id]
    assert alice.conflicts() == []
    # and alice's next bundle brings the segment back at bob's
    export_bundle(alice, tmp_path / "a3.fsbundle")
    merge_bundles(bob, [tmp_path / "a3.fsbundle"])
    assert bob.get_segment(segs[3]).text == alice.get_segment(segs[3]).text
    assert bob.get_segment(segs[2]).text == alice.get_segment(segs[2]).text
    assert ("segments", segs[3]) not in tombstones(bob)
    alice.close()
    bob.close()


def test_redo_after_the_code_went_away_changes_nothing(
    project: Project, seg_ids: list[str]
) -> None:
    sid = project.get_segment(seg_ids[0]).session_id
    code = project.add_code("Trust")
    keep = project.add_code("Other")
    _, record = project.record_edit(
        UndoScope.of(segments=seg_ids[:1]),
        lambda: project.apply_code(seg_ids[0], code.id, start_cp=0, end_cp=4),
    )
    project.undo_edit(record)
    project.delete_code(code.id)  # outside the undo stack (e.g. a merged bundle)
    project.apply_code(seg_ids[0], keep.id)
    before = state(project, sid)
    with pytest.raises(InUseError, match=r"can no longer be undone or redone.*Nothing was changed"):
        project.redo_edit(record)
    assert state(project, sid) == before


def test_undo_keeps_a_memo_deleted_meanwhile_deleted(project: Project, seg_ids: list[str]) -> None:
    src, dst = project.add_code("A"), project.add_code("B")
    memo = project.add_memo("code", src.id, "how to use A")
    _, record = project.record_edit(
        project.code_scope(src.id, merge_into=dst.id), lambda: project.merge_codes(src.id, dst.id)
    )
    assert [m.id for m in project.memos("code", dst.id)] == [memo.id]
    project.delete_memo(memo.id)
    project.undo_edit(record)
    assert project.get_code(src.id).name == "A"
    assert project.memos("code", src.id) == [] and project.memos("code", dst.id) == []

"""Undo/redo by snapshots: split, merge, text edits, code merges and deletions keep their ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage import InUseError, Project, SegmentDraft, UndoScope
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

TEXT = "Ақпарат 👍 clinic bribes are common here and people wait in long lines."


@pytest.fixture
def seg_ids(project: Project) -> list[str]:
    session = project.sessions.add_session("Focus group")
    drafts = [
        SegmentDraft(0, 6000, TEXT, speaker="P1"),
        SegmentDraft(6000, 9000, "The portal helps with passports.", speaker="P2"),
        SegmentDraft(9000, 12000, "Nobody trusts the portal.", speaker="P1"),
    ]
    return [s.id for s in project.transcript.add_segments(session.id, drafts)]


def state(project: Project, session_id: str) -> dict[str, Any]:
    """Segments (ids, times, texts) and codings (ids and where) of a session, plus memos."""
    segs = project.transcript.segments(session_id)
    return {
        "segments": [(s.id, s.start_ms, s.end_ms, s.speaker, s.text, s.edited) for s in segs],
        "codings": sorted(
            (c.id, c.segment_id, c.code_id, c.coder, c.start_cp, c.end_cp, c.memo)
            for c in project.codebook.codings(session_id=session_id)
        ),
        "memos": sorted(
            (m.id, m.target_type, m.target_id, m.text) for m in project.codebook.memos()
        ),
        "codes": sorted((c.id, c.parent_id, c.name, c.colour) for c in project.codebook.codes()),
    }


def tombstones(project: Project) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in project.store.rows("SELECT table_name, row_id FROM deletions")}


def test_undo_split_restores_ids_spans_and_memos(project: Project, seg_ids: list[str]) -> None:
    sid = project.transcript.get_segment(seg_ids[0]).session_id
    trust, wait = project.codebook.add_code("Trust"), project.codebook.add_code("Waiting")
    whole = project.codebook.apply_code(seg_ids[0], trust.id, memo="whole")
    left = project.codebook.apply_code(seg_ids[0], trust.id, start_cp=0, end_cp=7)
    across = project.codebook.apply_code(seg_ids[0], wait.id, start_cp=10, end_cp=30)
    right = project.codebook.apply_code(seg_ids[0], wait.id, start_cp=50, end_cp=60, memo="right")
    project.codebook.add_memo("coding", right.id, "a memo on the moved span")
    project.codebook.add_memo("segment", seg_ids[0], "a memo on the segment")
    before = state(project, sid)
    cut = TEXT.index("people")

    (_, new), record = project.history.record_edit(
        UndoScope.of(segments=[seg_ids[0]]),
        lambda: project.transcript.split_segment(seg_ids[0], cut),
        grows=lambda res: UndoScope.of(segments=[res[1].id]),
    )
    after = state(project, sid)
    assert after != before and new.id in {s[0] for s in after["segments"]}
    assert ("codings", right.id) in tombstones(project)  # moved to the new half: new id

    project.history.undo_edit(record)
    assert state(project, sid) == before
    assert {c.id for c in project.codebook.codings(segment_id=seg_ids[0])} == {
        whole.id,
        left.id,
        across.id,
        right.id,
    }
    assert ("codings", right.id) not in tombstones(project)
    assert ("segments", new.id) in tombstones(project)
    assert [h.segment_id for h in project.transcript.search("people")] == [seg_ids[0]]

    project.history.redo_edit(record)
    assert state(project, sid) == after  # the same ids as the first time
    assert [h.segment_id for h in project.transcript.search("people")] == [new.id]
    project.history.undo_edit(record)
    assert state(project, sid) == before
    assert [h.segment_id for h in project.transcript.search("people")] == [seg_ids[0]]


def test_undo_merge_brings_back_the_next_segment(project: Project, seg_ids: list[str]) -> None:
    sid = project.transcript.get_segment(seg_ids[0]).session_id
    code = project.codebook.add_code("Portal")
    span = project.codebook.apply_code(seg_ids[1], code.id, start_cp=4, end_cp=10, memo="portal")
    project.codebook.add_memo("segment", seg_ids[1], "next segment memo")
    before = state(project, sid)
    _, record = project.history.record_edit(
        UndoScope.of(segments=seg_ids[:2]), lambda: project.transcript.merge_with_next(seg_ids[0])
    )
    assert len(project.transcript.segments(sid)) == 2
    assert [h.segment_id for h in project.transcript.search("passports")] == [seg_ids[0]]
    after = state(project, sid)

    project.history.undo_edit(record)
    assert state(project, sid) == before
    (back,) = project.codebook.codings(segment_id=seg_ids[1])
    assert (back.id, back.start_cp, back.end_cp, back.memo) == (span.id, 4, 10, "portal")
    assert [h.segment_id for h in project.transcript.search("passports")] == [seg_ids[1]]
    assert not {("segments", seg_ids[1]), ("codings", span.id)} & tombstones(project)

    project.history.redo_edit(record)
    assert state(project, sid) == after


def test_undo_text_edit_restores_clipped_spans(project: Project, seg_ids: list[str]) -> None:
    sid = project.transcript.get_segment(seg_ids[0]).session_id
    code = project.codebook.add_code("Trust")
    tail = project.codebook.apply_code(seg_ids[0], code.id, start_cp=50, end_cp=60)
    over = project.codebook.apply_code(seg_ids[0], code.id, start_cp=5, end_cp=40)
    whole = project.codebook.apply_code(seg_ids[0], code.id)
    before = state(project, sid)
    _, record = project.history.record_edit(
        UndoScope.of(segments=[seg_ids[0]]),
        lambda: project.transcript.update_segment(seg_ids[0], text=TEXT[:20]),
    )
    now = {c.id: (c.start_cp, c.end_cp) for c in project.codebook.codings(segment_id=seg_ids[0])}
    # the span past the end would become a second whole-segment coding: it is removed
    assert now == {over.id: (5, 20), whole.id: (None, None)}
    assert project.transcript.search("bribes") == []

    project.history.undo_edit(record)
    assert state(project, sid) == before
    assert tail.id in {c.id for c in project.codebook.codings(segment_id=seg_ids[0])}
    assert [h.segment_id for h in project.transcript.search("bribes")] == [seg_ids[0]]
    project.history.redo_edit(record)
    assert {
        c.id: (c.start_cp, c.end_cp) for c in project.codebook.codings(segment_id=seg_ids[0])
    } == now


def test_undo_merge_codes_and_delete_code(project: Project, seg_ids: list[str]) -> None:
    sid = project.transcript.get_segment(seg_ids[0]).session_id
    src, dst = project.codebook.add_code("Corruption"), project.codebook.add_code("Trust")
    child = project.codebook.add_code("Bribes", parent_id=src.id)
    a = project.codebook.apply_code(seg_ids[0], src.id, start_cp=8, end_cp=14)
    dup = project.codebook.apply_code(seg_ids[1], src.id)
    project.codebook.apply_code(seg_ids[1], dst.id)  # dup's twin: the merge drops dup
    project.codebook.apply_code(seg_ids[2], child.id)
    project.codebook.add_memo("code", src.id, "when to use it")
    before = state(project, sid)

    _, merged = project.history.record_edit(
        project.history.code_scope(src.id, merge_into=dst.id),
        lambda: project.codebook.merge_codes(src.id, dst.id),
    )
    after = state(project, sid)
    assert src.id not in {c[0] for c in after["codes"]}
    project.history.undo_edit(merged)
    assert state(project, sid) == before
    assert {c.id for c in project.codebook.codings(code_id=src.id)} == {a.id, dup.id}
    assert ("codes", src.id) not in tombstones(project)
    project.history.redo_edit(merged)
    assert state(project, sid) == after
    project.history.undo_edit(merged)

    _, deleted = project.history.record_edit(
        project.history.code_scope(src.id), lambda: project.codebook.delete_code(src.id, force=True)
    )
    assert {c.name for c in project.codebook.codes()} == {"Trust"}
    project.history.undo_edit(deleted)
    assert state(project, sid) == before
    project.history.redo_edit(deleted)
    assert {c.name for c in project.codebook.codes()} == {"Trust"}
    assert {("codes", src.id), ("codes", child.id), ("codings", a.id)} <= tombstones(project)


def test_undone_split_travels_in_bundles(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    code = alice.codebook.ensure_code_path("Services/Health")
    moved = alice.codebook.apply_code(segs[0], code.id, start_cp=15, end_cp=21)  # in the right half
    export_bundle(alice, tmp_path / "a1.fsbundle")
    merge_bundles(lead, [tmp_path / "a1.fsbundle"])
    (_, new), record = alice.history.record_edit(
        UndoScope.of(segments=[segs[0]]),
        lambda: alice.transcript.split_segment(segs[0], 8),
        grows=lambda res: UndoScope.of(segments=[res[1].id]),
    )
    # the lead sees the split (the span moved to the new half with a new id) ...
    export_bundle(alice, tmp_path / "a2.fsbundle")
    merge_bundles(lead, [tmp_path / "a2.fsbundle"])
    assert lead.codebook.codings(segment_id=segs[0]) == []
    assert lead.transcript.get_segment(new.id)
    # ... and then its undo: the original coding comes back with its id, the new half goes
    alice.history.undo_edit(record)
    export_bundle(alice, tmp_path / "a3.fsbundle")
    merge_bundles(lead, [tmp_path / "a3.fsbundle"])
    (back,) = lead.codebook.codings(segment_id=segs[0])
    assert (back.id, back.start_cp, back.end_cp) == (moved.id, 15, 21)
    assert lead.transcript.get_segment(segs[0]).text == alice.transcript.get_segment(segs[0]).text
    assert lead.transcript.segment_count() == alice.transcript.segment_count()
    assert ("codings", moved.id) not in tombstones(lead)
    assert lead.team.conflicts() == []
    # merging the lead's project back changes nothing at alice's
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    (mine,) = alice.codebook.codings(segment_id=segs[0])
    assert (
        mine.id == moved.id and alice.transcript.segment_count() == lead.transcript.segment_count()
    )
    lead.close()
    alice.close()


def test_old_tombstone_from_a_peer_does_not_undo_the_undo(tmp_path: Path) -> None:
    _lead, segs, coders = team(tmp_path, "alice", "bob")
    alice, bob = coders["alice"], coders["bob"]
    code = alice.codebook.ensure_code_path("Services/Health")
    coding = alice.codebook.apply_code(segs[2], code.id, start_cp=4, end_cp=10)
    export_bundle(alice, tmp_path / "a1.fsbundle")
    merge_bundles(bob, [tmp_path / "a1.fsbundle"])
    _, record = alice.history.record_edit(
        UndoScope.of(segments=segs[2:4]), lambda: alice.transcript.merge_with_next(segs[2])
    )
    export_bundle(alice, tmp_path / "a2.fsbundle")
    merge_bundles(bob, [tmp_path / "a2.fsbundle"])  # bob applies the merge's tombstones
    assert ("segments", segs[3]) in tombstones(bob)
    alice.history.undo_edit(record)
    # bob's bundle still carries the tombstone of the segment alice brought back
    export_bundle(bob, tmp_path / "b.fsbundle")
    merge_bundles(alice, [tmp_path / "b.fsbundle"])
    assert alice.transcript.get_segment(segs[3]).text == "segment number 3 talks about clinics"
    assert [c.id for c in alice.codebook.codings(segment_id=segs[2])] == [coding.id]
    assert alice.team.conflicts() == []
    # and alice's next bundle brings the segment back at bob's
    export_bundle(alice, tmp_path / "a3.fsbundle")
    merge_bundles(bob, [tmp_path / "a3.fsbundle"])
    assert bob.transcript.get_segment(segs[3]).text == alice.transcript.get_segment(segs[3]).text
    assert bob.transcript.get_segment(segs[2]).text == alice.transcript.get_segment(segs[2]).text
    assert ("segments", segs[3]) not in tombstones(bob)
    alice.close()
    bob.close()


def test_redo_after_the_code_went_away_changes_nothing(
    project: Project, seg_ids: list[str]
) -> None:
    sid = project.transcript.get_segment(seg_ids[0]).session_id
    code = project.codebook.add_code("Trust")
    keep = project.codebook.add_code("Other")
    _, record = project.history.record_edit(
        UndoScope.of(segments=seg_ids[:1]),
        lambda: project.codebook.apply_code(seg_ids[0], code.id, start_cp=0, end_cp=4),
    )
    project.history.undo_edit(record)
    project.codebook.delete_code(code.id)  # outside the undo stack (e.g. a merged bundle)
    project.codebook.apply_code(seg_ids[0], keep.id)
    before = state(project, sid)
    with pytest.raises(InUseError, match=r"can no longer be undone or redone.*Nothing was changed"):
        project.history.redo_edit(record)
    assert state(project, sid) == before


def test_undo_keeps_a_memo_deleted_meanwhile_deleted(project: Project, seg_ids: list[str]) -> None:
    src, dst = project.codebook.add_code("A"), project.codebook.add_code("B")
    memo = project.codebook.add_memo("code", src.id, "how to use A")
    _, record = project.history.record_edit(
        project.history.code_scope(src.id, merge_into=dst.id),
        lambda: project.codebook.merge_codes(src.id, dst.id),
    )
    assert [m.id for m in project.codebook.memos("code", dst.id)] == [memo.id]
    project.codebook.delete_memo(memo.id)
    project.history.undo_edit(record)
    assert project.codebook.get_code(src.id).name == "A"
    assert (
        project.codebook.memos("code", src.id) == []
        and project.codebook.memos("code", dst.id) == []
    )

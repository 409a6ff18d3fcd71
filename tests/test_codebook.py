"""Codes, codings, explicit deletes and memos."""

from __future__ import annotations

import pytest

from storage import InUseError, InvalidInputError, NotFoundError, Project, SegmentDraft


@pytest.fixture
def seg_ids(project: Project) -> list[str]:
    s = project.add_session("Interview", "interview")
    segs = project.add_segments(
        s.id,
        [SegmentDraft(0, 1000, "The clinic asked for a bribe."), SegmentDraft(1000, 2000, "Fine.")],
    )
    return [x.id for x in segs]


def test_code_paths_nest_and_are_reused(project: Project) -> None:
    health = project.ensure_code_path("Public services/Health")
    again = project.ensure_code_path("Public services / Health")
    assert health.id == again.id and health.path == "Public services/Health"
    parent = project.find_code("Public services")
    assert parent is not None and health.parent_id == parent.id
    assert [c.path for c in project.codes()] == ["Public services", "Public services/Health"]
    with pytest.raises(InvalidInputError):
        project.ensure_code_path("a//b")
    with pytest.raises(InvalidInputError, match="already exists"):
        project.add_code("Public services")


def test_apply_code_whole_and_span_is_idempotent(project: Project, seg_ids: list[str]) -> None:
    code = project.ensure_code_path("Corruption")
    a = project.apply_code(seg_ids[0], code.id)
    assert project.apply_code(seg_ids[0], code.id).id == a.id
    span = project.apply_code(seg_ids[0], code.id, start_cp=23, end_cp=28, memo="bribe")
    assert span.id != a.id and span.memo == "bribe"
    other = project.apply_code(seg_ids[0], code.id, coder="coder-b")
    assert other.coder == "coder-b" and other.created_by == "coder-b"
    assert len(project.codings(segment_id=seg_ids[0])) == 3
    assert project.code_frequencies() == {code.id: 3}
    with pytest.raises(InvalidInputError, match="outside"):
        project.apply_code(seg_ids[0], code.id, start_cp=5, end_cp=500)
    with pytest.raises(NotFoundError):
        project.apply_code("nope", code.id)


def test_delete_code_with_codings_is_explicit(project: Project, seg_ids: list[str]) -> None:
    child = project.ensure_code_path("Services/Health")
    project.apply_code(seg_ids[0], child.id)
    parent = project.find_code("Services")
    assert parent is not None
    with pytest.raises(InUseError, match="1 codings"):
        project.delete_code(parent.id)
    assert len(project.codes()) == 2
    report = project.delete_code(parent.id, force=True)
    assert report.removed == {"codings": 1, "sub-codes": 1}
    assert project.codes() == [] and project.codings() == []
    tombstones = project._rows("SELECT table_name FROM deletions ORDER BY table_name")
    assert [r[0] for r in tombstones] == ["codes", "codes", "codings"]


def test_delete_session_and_coder_are_explicit(project: Project, seg_ids: list[str]) -> None:
    code = project.ensure_code_path("X")
    project.apply_code(seg_ids[0], code.id, coder="coder-b")
    with pytest.raises(InUseError, match="coder-b"):
        project.delete_coder("coder-b")
    assert project.delete_coder("coder-b", force=True).removed == {"codings": 1}
    project.apply_code(seg_ids[0], code.id)
    session_id = project.get_segment(seg_ids[0]).session_id
    with pytest.raises(InUseError, match="1 codings"):
        project.delete_session(session_id)
    report = project.delete_session(session_id, force=True)
    assert report.removed["segments"] == 2 and report.removed["codings"] == 1
    assert project.sessions() == []


def test_merge_codes_moves_codings_and_children(project: Project, seg_ids: list[str]) -> None:
    a = project.ensure_code_path("Bribery")
    b = project.ensure_code_path("Corruption")
    child = project.add_code("Petty", parent_id=a.id)
    project.apply_code(seg_ids[0], a.id)
    project.apply_code(seg_ids[0], b.id)  # same coding exists on the target already
    project.apply_code(seg_ids[1], a.id)
    report = project.merge_codes(a.id, b.id)
    assert report.removed == {"codings moved": 1, "sub-codes moved": 1}
    assert project.code_frequencies() == {b.id: 2}
    assert project.get_code(child.id).path == "Corruption/Petty"


def test_rename_recolour_move(project: Project) -> None:
    a = project.ensure_code_path("A")
    b = project.ensure_code_path("B")
    project.update_code(b.id, name="Bee", colour="#FF0000", description="desc", parent_id=a.id)
    moved = project.get_code(b.id)
    assert (moved.path, moved.colour, moved.description) == ("A/Bee", "#ff0000", "desc")
    with pytest.raises(InvalidInputError, match="under itself"):
        project.update_code(a.id, parent_id=b.id)
    with pytest.raises(InvalidInputError, match="colour"):
        project.update_code(a.id, colour="red")


def test_autocode_codes_every_match_once(project: Project, seg_ids: list[str]) -> None:
    added = project.autocode("corruption OR bribe", "Corruption")
    assert [c.segment_id for c in added] == [seg_ids[0]]
    assert project.autocode("bribe", "Corruption") == []


def test_memos(project: Project, seg_ids: list[str]) -> None:
    memo = project.add_memo("segment", seg_ids[0], "Ask about this in round 2")
    journal = project.add_memo("journal", None, "Day 1: two groups", title="Field diary")
    assert project.memos("segment", seg_ids[0]) == [memo]
    assert project.memos("journal", None)[0].title == "Field diary"
    project.update_memo(journal.id, "Day 1: three groups")
    assert project.memos("journal", None)[0].text == "Day 1: three groups"
    with pytest.raises(InvalidInputError):
        project.add_memo("planet", None, "x")

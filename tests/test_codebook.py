"""Codes, codings, explicit deletes and memos."""

from __future__ import annotations

import pytest

from storage import InUseError, InvalidInputError, NotFoundError, Project, SegmentDraft


@pytest.fixture
def seg_ids(project: Project) -> list[str]:
    s = project.sessions.add_session("Interview", "interview")
    segs = project.transcript.add_segments(
        s.id,
        [SegmentDraft(0, 1000, "The clinic asked for a bribe."), SegmentDraft(1000, 2000, "Fine.")],
    )
    return [x.id for x in segs]


def test_code_paths_nest_and_are_reused(project: Project) -> None:
    health = project.codebook.ensure_code_path("Public services/Health")
    again = project.codebook.ensure_code_path("Public services / Health")
    assert health.id == again.id and health.path == "Public services/Health"
    parent = project.codebook.find_code("Public services")
    assert parent is not None and health.parent_id == parent.id
    assert [c.path for c in project.codebook.codes()] == [
        "Public services",
        "Public services/Health",
    ]
    with pytest.raises(InvalidInputError):
        project.codebook.ensure_code_path("a//b")
    with pytest.raises(InvalidInputError, match="already exists"):
        project.codebook.add_code("Public services")


def test_apply_code_whole_and_span_is_idempotent(project: Project, seg_ids: list[str]) -> None:
    code = project.codebook.ensure_code_path("Corruption")
    a = project.codebook.apply_code(seg_ids[0], code.id)
    assert project.codebook.apply_code(seg_ids[0], code.id).id == a.id
    span = project.codebook.apply_code(seg_ids[0], code.id, start_cp=23, end_cp=28, memo="bribe")
    assert span.id != a.id and span.memo == "bribe"
    other = project.codebook.apply_code(seg_ids[0], code.id, coder="coder-b")
    assert other.coder == "coder-b" and other.created_by == "coder-b"
    assert len(project.codebook.codings(segment_id=seg_ids[0])) == 3
    assert project.codebook.code_frequencies() == {code.id: 3}
    with pytest.raises(InvalidInputError, match="outside"):
        project.codebook.apply_code(seg_ids[0], code.id, start_cp=5, end_cp=500)
    with pytest.raises(NotFoundError):
        project.codebook.apply_code("nope", code.id)


def test_delete_code_with_codings_is_explicit(project: Project, seg_ids: list[str]) -> None:
    child = project.codebook.ensure_code_path("Services/Health")
    project.codebook.apply_code(seg_ids[0], child.id)
    parent = project.codebook.find_code("Services")
    assert parent is not None
    # it said "has 1 codings (with its sub-codes); delete with --force to remove them"
    with pytest.raises(
        InUseError, match=r"has 1 coding \(with its sub-codes\); delete with --force to remove it,"
    ):
        project.codebook.delete_code(parent.id)
    assert len(project.codebook.codes()) == 2
    report = project.codebook.delete_code(parent.id, force=True)
    assert report.removed == {"codings": 1, "sub-codes": 1}
    assert project.codebook.codes() == [] and project.codebook.codings() == []
    tombstones = project.store.rows("SELECT table_name FROM deletions ORDER BY table_name")
    assert [r[0] for r in tombstones] == ["codes", "codes", "codings"]


def test_delete_session_and_coder_are_explicit(project: Project, seg_ids: list[str]) -> None:
    code = project.codebook.ensure_code_path("X")
    project.codebook.apply_code(seg_ids[0], code.id, coder="coder-b")
    with pytest.raises(InUseError, match="Coder 'coder-b' has 1 coding; delete it too"):
        project.coders.delete("coder-b")
    assert project.coders.delete("coder-b", force=True).removed == {"codings": 1}
    project.codebook.apply_code(seg_ids[0], code.id)
    session_id = project.transcript.get_segment(seg_ids[0]).session_id
    with pytest.raises(InUseError, match="has 1 coding; delete it with --force to remove it too"):
        project.sessions.delete_session(session_id)
    with pytest.raises(
        InUseError, match=f"Segment {seg_ids[0]} has 1 coding; use --force to delete it"
    ):
        project.transcript.delete_segment(seg_ids[0])
    report = project.sessions.delete_session(session_id, force=True)
    assert report.removed["segments"] == 2 and report.removed["codings"] == 1
    assert project.sessions.all() == []


def test_merge_codes_moves_codings_and_children(project: Project, seg_ids: list[str]) -> None:
    a = project.codebook.ensure_code_path("Bribery")
    b = project.codebook.ensure_code_path("Corruption")
    child = project.codebook.add_code("Petty", parent_id=a.id)
    project.codebook.apply_code(seg_ids[0], a.id)
    project.codebook.apply_code(seg_ids[0], b.id)  # same coding exists on the target already
    project.codebook.apply_code(seg_ids[1], a.id)
    report = project.codebook.merge_codes(a.id, b.id)
    assert report.removed == {"codings moved": 1, "sub-codes moved": 1}
    # the status bar's words (Code ▸ Merge into…): "deleted code 'Bribery' merged into
    # 'Corruption' (1 codings moved, 1 sub-codes moved)" began in lower case, counted "1 codings"
    assert report.describe() == (
        "Deleted code 'Bribery', merged into 'Corruption' (1 coding moved, 1 sub-code moved)"
    )
    assert project.codebook.code_frequencies() == {b.id: 2}
    assert project.codebook.get_code(child.id).path == "Corruption/Petty"


def test_rename_recolour_move(project: Project) -> None:
    a = project.codebook.ensure_code_path("A")
    b = project.codebook.ensure_code_path("B")
    project.codebook.update_code(
        b.id, name="Bee", colour="#FF0000", description="desc", parent_id=a.id
    )
    moved = project.codebook.get_code(b.id)
    assert (moved.path, moved.colour, moved.description) == ("A/Bee", "#ff0000", "desc")
    with pytest.raises(InvalidInputError, match="under itself"):
        project.codebook.update_code(a.id, parent_id=b.id)
    with pytest.raises(InvalidInputError, match="colour"):
        project.codebook.update_code(a.id, colour="red")


def test_autocode_codes_every_match_once(project: Project, seg_ids: list[str]) -> None:
    added = project.codebook.autocode("corruption OR bribe", "Corruption")
    assert [c.segment_id for c in added] == [seg_ids[0]]
    assert project.codebook.autocode("bribe", "Corruption") == []


def test_memos(project: Project, seg_ids: list[str]) -> None:
    memo = project.codebook.add_memo("segment", seg_ids[0], "Ask about this in round 2")
    journal = project.codebook.add_memo("journal", None, "Day 1: two groups", title="Field diary")
    assert project.codebook.memos("segment", seg_ids[0]) == [memo]
    assert project.codebook.memos("journal", None)[0].title == "Field diary"
    project.codebook.update_memo(journal.id, "Day 1: three groups")
    assert project.codebook.memos("journal", None)[0].text == "Day 1: three groups"
    with pytest.raises(InvalidInputError):
        project.codebook.add_memo("planet", None, "x")


def test_a_long_memo_is_named_by_its_first_words_and_an_ellipsis() -> None:
    """A memo without title was listed as its first 40 characters, cut mid-word with nothing
    to say so ("…; Қазақша жа"): it is cut at a space and ends in "…"."""
    from storage.codebook.codebook import memo_label

    text = "Участница говорит о поликлинике; Қазақша жазба и ещё много слов.\nSecond line"
    label = memo_label(None, text, 40)
    assert label == "Участница говорит о поликлинике;…"
    assert len(label) <= 40 and text.startswith(label[:-1])
    assert memo_label(None, text, 41) == "Участница говорит о поликлинике; Қазақша…"
    assert memo_label(None, "short\nmore", 40) == "short"
    assert memo_label(None, "x" * 50, 40) == "x" * 39 + "…"  # one long word: cut inside
    assert memo_label("Title", text, 10) == "Title"
    assert memo_label(None, "", 40) == "(empty)"

"""bob (blind coding off) removes alice's coding in his copy: at the lead's merge its tombstone
deleted alice's coding silently. Now it is a ``delete`` conflict on the coding the lead
decides; bob's own removals, the lead's removals and code merges go without one
(``storage/team/merge_cascade.py``). (A coding is its coder's: bob's copy refuses his removal
of alice's coding where it records a lead, tests/test_merge_coding_owner.py; these remove it in
a copy that records none, a project made before leads were, or a bundle from a FieldScribe
before codings were their coders' brings such a removal.)"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import Project
from storage.core.ids import now_iso
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import forget_lead, make_lead, team


def _removed(tmp: Path) -> tuple[Path, list[str], str, str]:
    """alice codes segs[0] and bob segs[1] with Health; bob takes the lead's bundle and removes
    both codings. Returns the lead's folder, the segments, Health's id, alice's coding id."""
    lead, segs, coders = team(tmp, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    health = a.codebook.find_code("Services/Health")
    assert health is not None
    mine = a.codebook.apply_code(segs[0], health.id)
    b.codebook.apply_code(segs[1], health.id)
    export_bundle(a, tmp / "a.fsbundle")
    export_bundle(b, tmp / "b.fsbundle")
    merge_bundles(lead, [tmp / "a.fsbundle", tmp / "b.fsbundle"])
    export_bundle(lead, tmp / "lead2.fsbundle")
    merge_bundles(b, [tmp / "lead2.fsbundle"])
    forget_lead(b)
    for c in b.codebook.codings():
        b.codebook.remove_coding(c.id)
    export_bundle(b, tmp / "b2.fsbundle")
    folder = lead.folder
    for p in (lead, a, b):
        p.close()
    return folder, segs, health.id, mine.id


def test_another_coders_removed_coding_is_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, segs, _health, mine = _removed(tmp_path)
    assert cli_main(["bundle", "merge", str(folder), str(tmp_path / "b2.fsbundle")]) == 0
    capsys.readouterr()
    assert cli_main(["conflicts", str(folder)]) == 0
    listing = capsys.readouterr().out
    assert "  [open]  Coding of alice removed by bob\n" in listing  # the dialog's words
    assert "0: alice @ " in listing
    assert "code 'Services/Health' of alice on 'segment number 0 talks about clinics'" in listing
    assert "1: bob @ " in listing and "(deleted; keeping it deletes codings: 1 of alice)" in listing
    with Project.open(folder) as lead:
        # bob's own coding went; alice's stayed, as a conflict the lead decides
        assert [(c.coder, c.segment_id) for c in lead.codebook.codings()] == [("alice", segs[0])]
        (conflict,) = lead.team.conflicts()
        assert (conflict.kind, conflict.table_name, conflict.row_id) == ("delete", "codings", mine)
        assert any(v.deleted and v.author == "bob" for v in conflict.versions)
        merge_bundles(lead, [tmp_path / "b2.fsbundle"])  # again: nothing changes
        assert len(lead.codebook.codings()) == 1 and len(lead.team.conflicts()) == 1


def test_keeping_the_deletion_removes_it(tmp_path: Path) -> None:
    folder, _segs, _health, _mine = _removed(tmp_path)
    with Project.open(folder) as lead:
        merge_bundles(lead, [tmp_path / "b2.fsbundle"])
        (conflict,) = lead.team.conflicts()
        lead.team.resolve_conflict(
            conflict.id, keep=next(i for i, v in enumerate(conflict.versions) if v.deleted)
        )
        assert lead.codebook.codings() == [] and lead.team.conflicts() == []
        export_bundle(lead, tmp_path / "lead3.fsbundle")
    with Project.open(tmp_path / "alice.fieldscribe") as a:
        merge_bundles(a, [tmp_path / "lead3.fsbundle"])  # the lead decided: it goes there too
        assert a.codebook.codings() == [] and a.team.conflicts() == []


def test_keeping_the_coding_keeps_it_in_later_merges(tmp_path: Path) -> None:
    folder, _segs, _health, mine = _removed(tmp_path)
    with Project.open(folder) as lead:
        merge_bundles(lead, [tmp_path / "b2.fsbundle"])
        (conflict,) = lead.team.conflicts()
        lead.team.resolve_conflict(
            conflict.id, keep=next(i for i, v in enumerate(conflict.versions) if not v.deleted)
        )
        merge_bundles(lead, [tmp_path / "b2.fsbundle"])  # bob's old bundle: nothing goes
        assert [c.id for c in lead.codebook.codings()] == [mine]
        assert lead.team.conflicts() == []
        export_bundle(lead, tmp_path / "lead3.fsbundle")
    with Project.open(tmp_path / "bob.fieldscribe") as b:
        merge_bundles(b, [tmp_path / "lead3.fsbundle"])  # bob's copy takes it back
        assert [c.id for c in b.codebook.codings()] == [mine]
        export_bundle(b, tmp_path / "b3.fsbundle")
    with Project.open(folder) as lead:
        merge_bundles(lead, [tmp_path / "b3.fsbundle"])
        assert [c.id for c in lead.codebook.codings()] == [mine]
        assert lead.team.conflicts() == []


@pytest.mark.parametrize("lead_recorded", [True, False])
def test_the_leads_removal_stands_and_reaches_the_coder(
    tmp_path: Path, lead_recorded: bool
) -> None:
    """The lead removes alice's coding in the lead project: alice's next bundle, which still has
    it, does not bring it back (the lead decided). A project that records its lead (every new
    one) removes it from alice's copy with the lead's bundle: final, no conflict she could keep
    (keeping it there brought it back at the lead). A project made before leads were recorded
    behaves as before: a conflict in alice's copy (its data did not say who leads)."""
    lead, segs = make_lead(tmp_path)
    if not lead_recorded:
        forget_lead(lead)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    a = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="alice")
    assert a.team.lead == ("lead" if lead_recorded else None)
    health = a.codebook.find_code("Services/Health")
    assert health is not None
    coding = a.codebook.apply_code(segs[0], health.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    lead.codebook.remove_coding(coding.id)
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert lead.codebook.codings() == [] and lead.team.conflicts() == []
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(a, [tmp_path / "lead2.fsbundle"])
    if lead_recorded:
        assert a.codebook.codings() == [] and a.team.conflicts() == []
        export_bundle(a, tmp_path / "a2.fsbundle")
        merge_bundles(lead, [tmp_path / "a2.fsbundle"])
        assert lead.codebook.codings() == [] and lead.team.conflicts() == []
    else:
        assert [c.id for c in a.codebook.codings()] == [coding.id]
        (conflict,) = a.team.conflicts()
        assert (conflict.table_name, conflict.row_id) == ("codings", coding.id)
    lead.close()
    a.close()


@pytest.mark.parametrize("since", [None, "now"])
def test_a_code_merge_moves_other_coders_codings_without_a_conflict(
    tmp_path: Path, since: str | None
) -> None:
    """bob merges Health into Education: alice's codings move; the one that Education had on the
    same segment already goes as a duplicate. No conflict, no coding of alice lost."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    health = a.codebook.find_code("Services/Health")
    assert health is not None
    other = a.codebook.ensure_code_path("Services/Schooling")
    a.codebook.apply_code(segs[0], health.id)
    a.codebook.apply_code(segs[0], other.id)  # the duplicate after the merge
    a.codebook.apply_code(segs[1], health.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(b, [tmp_path / "lead2.fsbundle"])
    when = now_iso()  # a bundle of what changed since then leaves the duplicate out
    b.codebook.merge_codes(health.id, other.id)
    export_bundle(b, tmp_path / "b2.fsbundle", since=when if since else None)
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    assert lead.team.conflicts() == []
    assert lead.codebook.find_code("Services/Health") is None
    assert sorted((c.coder, c.segment_id, c.code_id) for c in lead.codebook.codings()) == [
        ("alice", segs[0], other.id),
        ("alice", segs[1], other.id),
    ]
    for p in (lead, a, b):
        p.close()


@pytest.mark.parametrize("order", [("b2", "a2"), ("a2", "b2")])
def test_a_coding_its_coder_removed_too_goes_in_either_order(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    """bob and alice both remove alice's coding: it goes, and no conflict is left open on it
    (bob's bundle first left one open on a coding that was gone, which could not be resolved)."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    health = a.codebook.find_code("Services/Health")
    assert health is not None
    coding = a.codebook.apply_code(segs[0], health.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(b, [tmp_path / "lead2.fsbundle"])
    forget_lead(b)
    b.codebook.remove_coding(coding.id)
    a.codebook.remove_coding(coding.id)
    export_bundle(a, tmp_path / "a2.fsbundle")
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / f"{x}.fsbundle" for x in order])
    assert lead.codebook.codings() == [] and lead.team.conflicts() == []
    for p in (lead, a, b):
        p.close()


def test_a_coders_removal_reaches_the_lead_after_the_lead_resolved_an_edit_of_its_segment(
    tmp_path: Path,
) -> None:
    """alice and bob both reworded a segment bob had coded (a text conflict at the lead); bob
    then removed his coding, offline; the lead resolved the text conflict before bob's next
    bundle came. Resolving an *edit* marked every coding of the segment kept (``undeleted:``,
    as keeping a deleted segment must), dated after bob's removal, so his bundle's tombstone
    deleted nothing: the coding he removed stayed at the lead, and no conflict said so (found
    by tests/test_merge_two_coders_model.py)."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    coding = b.codebook.apply_code(segs[0], health.id)
    a.transcript.update_segment(segs[0], text="segment number 0 talks about the clinic")
    b.transcript.update_segment(segs[0], text="segment number 0 talks about our clinics")
    export_bundle(a, tmp_path / "a.fsbundle")
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle", tmp_path / "b.fsbundle"])
    (conflict,) = lead.team.conflicts()
    assert conflict.kind == "edit" and [c.id for c in lead.codebook.codings()] == [coding.id]
    b.codebook.remove_coding(coding.id)  # bob, before the lead resolves
    lead.team.resolve_conflict(conflict.id, keep=0)
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    assert lead.codebook.codings() == [] and lead.team.conflicts() == []
    for p in (lead, a, b):
        p.close()


@pytest.mark.parametrize("keep", [0, 1])
def test_resolving_a_codings_moves_keeps_it_on_its_words(tmp_path: Path, keep: int) -> None:
    """alice and bob each typed words before bob's coded "clinics" (each copy moved the span
    along its own text): at the lead a text conflict, and one on the coding's place. Keeping a
    version of the coding wrote that copy's character positions onto the lead's text, and it
    covered "nics" or other words (found by tests/test_merge_two_coders_model.py). Its place
    is the lead's own now (where the merge put it, following the text): it stays on
    "clinics" whatever version and text the lead keeps."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    coding = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    export_bundle(lead, tmp_path / "lead.fsbundle")
    merge_bundles(a, [tmp_path / "lead.fsbundle"])
    a.transcript.update_segment(segs[0], text="Well, well, " + text)
    time.sleep(0.005)  # versions are millisecond times: each copy's move of the span its own
    b.transcript.update_segment(segs[0], text="Yes: " + text)
    export_bundle(a, tmp_path / "a2.fsbundle")
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "a2.fsbundle", tmp_path / "b2.fsbundle"])
    tables = sorted(c.table_name for c in lead.team.conflicts())
    assert tables == ["codings", "segments"]
    for conflict in sorted(lead.team.conflicts(), key=lambda c: c.table_name):
        lead.team.resolve_conflict(conflict.id, keep=keep)
    shown = lead.transcript.get_segment(segs[0]).text
    (kept,) = lead.codebook.codings()
    assert kept.id == coding.id and kept.start_cp is not None
    assert shown[kept.start_cp : kept.end_cp] == "clinics", (shown, kept)
    for p in (lead, a, b):
        p.close()

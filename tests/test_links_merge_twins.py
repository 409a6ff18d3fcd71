"""A link to a passage (a coding) survives a bundle merge that drops its coding as a twin of
another (one coding per segment, code, coder and words): the link goes to the coding kept, in
either order of bundles. A coder working in two copies of the project coded the same words with
the same code in each, or merged a code into another in one copy so that its coding became the
other copy's; or the lead deleted the words of a linked span, which goes into its coder's
whole-segment coding of the code; before, the coding dropped took its links (the
``codings_links_go`` trigger, or a bundle's link arriving after its coding was skipped, dropped
as dangling)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team


def _copies(tmp: Path) -> tuple[Project, Project, Project, str]:
    """The lead, and two copies of it where ann codes; the first segment's id."""
    lead, segs, _ = team(tmp)
    lead.codebook.ensure_code_path("Trust")
    lead.codebook.ensure_code_path("Queues")
    export_bundle(lead, tmp / "lead2.fsbundle")
    one = Project.from_bundle(tmp / "lead2.fsbundle", tmp / "ann-a", coder="ann")
    two = Project.from_bundle(tmp / "lead2.fsbundle", tmp / "ann-b", coder="ann")
    return lead, one, two, segs[0]


def _export(p: Project, path: Path) -> Path:
    export_bundle(p, path)
    return path


def _code(p: Project, path: str) -> str:
    code = p.codebook.find_code(path)
    assert code is not None
    return code.id


def _links(p: Project) -> list[tuple[str, str, str | None]]:
    """(name, passage's code path, memo) of each link from a passage, the passage here."""
    codings = {c.id: c for c in p.codebook.codings()}
    paths = {c.id: c.path for c in p.codebook.codes()}
    return sorted(
        (k.name, paths[codings[k.origin.id].code_id], k.memo)
        for k in p.links.all()
        if k.origin.kind == "coding"
    )


@pytest.mark.parametrize("linked_first", [True, False])
def test_a_link_to_a_skipped_twin_goes_to_the_coding_kept(
    tmp_path: Path, linked_first: bool
) -> None:
    lead, one, two, seg = _copies(tmp_path)
    health = _code(one, "Services/Health")
    linked = one.codebook.apply_code(seg, health, start_cp=0, end_cp=7)
    one.links.add(("coding", linked.id), ("code", _code(one, "Trust")), "shows", memo="Пара.")
    two.codebook.apply_code(seg, health, start_cp=0, end_cp=7)  # the same words, another id
    bundles = [_export(p, tmp_path / f"{p.folder.name}.fsbundle") for p in (one, two)]
    merge_bundles(lead, bundles if linked_first else bundles[::-1])
    assert len(lead.codebook.codings(code_id=health)) == 1
    assert _links(lead) == [("shows", "Services/Health", "Пара.")]
    before = [(k.id, k.origin.id, k.memo) for k in lead.links.all()]
    merge_bundles(lead, bundles)  # again: nothing changes
    assert [(k.id, k.origin.id, k.memo) for k in lead.links.all()] == before
    # back in the copies, each with its own twin of the coding kept: the link stays there too
    merge_bundles(one, [_export(lead, tmp_path / "lead3.fsbundle")])
    merge_bundles(two, [tmp_path / "lead3.fsbundle"])
    for p in (one, two):
        assert _links(p) == [("shows", "Services/Health", "Пара.")]
    for p in (one, two):
        p.close()


@pytest.mark.parametrize("merged_first", [True, False])
def test_a_link_to_a_coding_made_a_twin_by_a_merge_of_codes_goes_to_the_one_kept(
    tmp_path: Path, merged_first: bool
) -> None:
    """Ann codes the words "Trust" in one copy and links that passage, then codes them
    "Queues" in the other; later she merges "Trust" into "Queues" in the first copy. At the
    lead, her coding becomes the other copy's twin: the one made first stays (the second
    copy's), and the link goes to it."""
    lead, one, two, seg = _copies(tmp_path)
    trust, queues = _code(two, "Trust"), _code(two, "Queues")
    two.codebook.apply_code(seg, queues, start_cp=0, end_cp=7)  # made first: the one kept
    linked = one.codebook.apply_code(seg, trust, start_cp=0, end_cp=7)
    one.links.add(("coding", linked.id), ("code", _code(one, "Services")), "about", memo="Н.")
    first = [_export(p, tmp_path / f"{p.folder.name}-1.fsbundle") for p in (one, two)]
    merge_bundles(lead, first)
    assert _links(lead) == [("about", "Trust", "Н.")]
    one.codebook.merge_codes(trust, queues)
    assert _links(one) == [("about", "Queues", "Н.")]
    again = _export(one, tmp_path / "ann-a-2.fsbundle")
    if merged_first:
        merge_bundles(lead, [again])
    else:  # the lead first had the merge of codes in the other copy, its twin deleted there
        merge_bundles(two, [first[0], again])
        merge_bundles(lead, [_export(two, tmp_path / "ann-b-2.fsbundle")])
    assert len(lead.codebook.codings(code_id=queues)) == 1
    assert _links(lead) == [("about", "Queues", "Н.")]
    for p in (one, two):
        p.close()


def test_a_link_to_a_span_whose_words_the_lead_deleted_goes_to_the_whole_coding(
    tmp_path: Path,
) -> None:
    """Ann codes a few words and the whole segment with one code, and links the few words;
    the lead meanwhile deletes those words: her span goes into her whole-segment coding at
    the lead (one coding per segment, code and coder), and so does its link, which her bundle
    brought after the coding."""
    lead, one, _two, seg = _copies(tmp_path)
    health = _code(one, "Services/Health")
    linked = one.codebook.apply_code(seg, health, start_cp=0, end_cp=7)  # "segment"
    one.codebook.apply_code(seg, health)
    one.links.add(("coding", linked.id), ("code", _code(one, "Trust")), "shows", memo="Пара.")
    text = lead.transcript.get_segment(seg).text
    lead.transcript.update_segment(seg, text=text[len("segment ") :])
    merge_bundles(lead, [_export(one, tmp_path / "ann-a.fsbundle")])
    (kept,) = lead.codebook.codings(code_id=health)
    assert kept.start_cp is None
    assert [(k.origin.id, k.name, k.memo) for k in lead.links.all()] == [
        (kept.id, "shows", "Пара.")
    ]

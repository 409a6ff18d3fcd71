"""A coding is its coder's, through every exchange: agreement compares what each coder coded, so
bob's coding re-assigned to another code by ann, or by the lead, read as bob's choice of that
code at the lead, and kappa changed silently. Before, ``Codebook.update_coding(code_id=)`` took
anyone's change, and ann's removal of bob's coding emptied it from her copy. Now only its coder
re-assigns a coding; removing it is its coder's or the lead's decision (the lead's own reading
is a coding of her own, compared with theirs); a refusal is one line, nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import InvalidInputError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.hardening_support import fingerprint, one_line_error, run_cli
from tests.teamwork_helpers import dump, forget_lead, team


def _bobs_coding_everywhere(tmp_path: Path) -> tuple[Project, dict[str, Project], str, str]:
    """bob codes segment 0 with Health and sends it; the lead's next bundle brings it to ann."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    health = coders["bob"].codebook.find_code("Services/Health")
    assert health is not None
    bobs = coders["bob"].codebook.apply_code(segs[0], health.id)
    export_bundle(coders["bob"], tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    lead.codebook.ensure_code_path("Trust")
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    for p in coders.values():
        merge_bundles(p, [tmp_path / "lead2.fsbundle"])
    return lead, coders, bobs.id, segs[0]


def test_only_its_coder_re_assigns_a_coding(tmp_path: Path) -> None:
    lead, coders, bobs, seg = _bobs_coding_everywhere(tmp_path)
    ann, bob = coders["ann"], coders["bob"]
    for p in (ann, lead):
        trust = p.codebook.find_code("Trust")
        assert trust is not None
        before = dump(p.folder)
        with pytest.raises(
            InvalidInputError,
            match=r"^bob's coding is bob's: only bob can re-assign it \(apply the code "
            r"yourself: yours is compared with bob's\)\. Nothing was changed\.$",
        ):
            p.codebook.update_coding(bobs, code_id=trust.id)
        assert dump(p.folder) == before
        # her own reading is a coding of her own, beside bob's
        p.codebook.apply_code(seg, trust.id)
    # bob re-assigns his own; the lead takes it, and keeps her own and ann's readings
    trust = bob.codebook.find_code("Trust")
    assert trust is not None
    assert bob.codebook.update_coding(bobs, code_id=trust.id).code_id == trust.id
    export_bundle(bob, tmp_path / "b2.fsbundle")
    export_bundle(ann, tmp_path / "a2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle", tmp_path / "a2.fsbundle"])
    at_lead = {(c.coder, lead.codebook.get_code(c.code_id).path) for c in lead.codebook.codings()}
    assert at_lead == {("bob", "Trust"), ("ann", "Trust"), ("lead", "Trust")}
    assert lead.team.conflicts() == []
    for p in (lead, ann, bob):
        p.close()


def test_another_coders_coding_is_removed_by_its_coder_or_the_lead_only(tmp_path: Path) -> None:
    lead, coders, bobs, _seg = _bobs_coding_everywhere(tmp_path)
    ann = coders["ann"]
    before = dump(ann.folder)
    with pytest.raises(
        InvalidInputError,
        match=r"^bob's coding is bob's: only bob or the lead, lead, can remove it\. "
        r"Nothing was changed\.$",
    ):
        ann.codebook.remove_coding(bobs)
    assert dump(ann.folder) == before
    # the lead decides: her removal stands, and reaches bob's copy
    lead.codebook.remove_coding(bobs)
    export_bundle(lead, tmp_path / "lead3.fsbundle")
    merge_bundles(coders["bob"], [tmp_path / "lead3.fsbundle"])
    assert coders["bob"].codebook.codings() == []
    # a project that records no lead (made before leads were): anyone removes, as before
    forget_lead(ann)
    ann.codebook.remove_coding(bobs)
    assert ann.codebook.codings() == []
    for p in (lead, *coders.values()):
        p.close()


def test_uncode_of_another_coder_is_the_leads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, coders, _bobs, seg = _bobs_coding_everywhere(tmp_path)
    folders = {name: p.folder for name, p in {"lead": lead, **coders}.items()}
    for p in (lead, *coders.values()):
        p.close()
    args = ("--segment", seg, "--code", "Services/Health")
    before = fingerprint(folders["ann"])
    code, _, err = run_cli(capsys, "uncode", folders["ann"], *args, "--of", "bob")
    line = one_line_error(err)
    assert code == 1 and "bob's coding is bob's: only bob or the lead, lead, can remove" in line
    assert fingerprint(folders["ann"]) == before
    code, out, err = run_cli(capsys, "uncode", folders["lead"], *args, "--of", "bob")
    assert code == 0, err
    assert out.startswith("Removed bob's coding of 'Services/Health' from segment")
    with Project.open(folders["lead"]) as p:
        assert p.codebook.codings() == []
    # bob's own, as before
    code, _, err = run_cli(capsys, "uncode", folders["bob"], *args)
    assert code == 0, err

"""Issue 17: codes two coders create independently with one path are one code after a merge.

Two coders start from the lead's bundle and each create "Corruption". By default the merge makes
them one code (its provenance kept), and agreement gives the figures a methodologist expects;
``--keep-same-name-apart`` keeps them apart and agreement still pairs them by path, saying so.
"""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from analysis.agreement import compute_agreement
from storage import Project, SegmentDraft
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.hardening_support import fs_here as fs

N = 20
ALICE = range(0, 10)  # the segments each coder codes "Corruption"
BOB = range(1, 11)


def _scenario(tmp: Path) -> tuple[Path, list[Path]]:
    """The lead's project and the two coders' bundles (each made "Corruption" on their own)."""
    lead = Project.create(tmp / "lead.fieldscribe", coder="lead")
    session = lead.sessions.add_session("Interview 1")
    drafts = [SegmentDraft(i * 1000, i * 1000 + 900, f"segment {i}", "S1") for i in range(N)]
    lead.transcript.add_segments(session.id, drafts)
    export_bundle(lead, tmp / "lead.fsbundle")
    lead.close()
    bundles = []
    for name, which in (("alice", ALICE), ("bob", BOB)):
        coder = Project.from_bundle(tmp / "lead.fsbundle", tmp / f"{name}.fieldscribe", coder=name)
        segs = coder.transcript.segments(coder.sessions.all()[0].id)
        code = coder.codebook.ensure_code_path("Corruption")
        for i in which:
            coder.codebook.apply_code(segs[i].id, code.id)
        bundles.append(tmp / f"{name}.fsbundle")
        export_bundle(coder, bundles[-1])
        coder.close()
    return tmp / "lead.fieldscribe", bundles


def _expected_kappa() -> float:
    a = [1 if i in ALICE else 0 for i in range(N)]
    b = [1 if i in BOB else 0 for i in range(N)]
    return float(cohen_kappa_score(a, b))


def test_same_path_codes_merge_by_default_with_provenance(tmp_path: Path) -> None:
    folder, bundles = _scenario(tmp_path)
    with Project.open(folder) as lead:
        summaries = merge_bundles(lead, bundles)
        assert summaries[1].same_name_merged and summaries[1].merged_codes == 1
        corruption = [c for c in lead.codebook.codes() if c.path == "Corruption"]
        assert len(corruption) == 1
        origins = lead.team.code_origins(corruption[0].id)
        assert sorted(o.created_by for o in origins) == ["alice", "bob"]
        assert [o.merged for o in origins] == [False, True]
        assert all(o.created_at.startswith("20") for o in origins)
        report = compute_agreement(lead.team.agreement_data())
    [row] = [c for c in report.codes if c.code_path == "Corruption"]
    assert row.kappa.value is not None
    assert abs(row.kappa.value - _expected_kappa()) < 1e-9
    assert abs(row.kappa.value - 0.8) < 1e-9
    assert row.alpha.value is not None and row.alpha.value > 0.75
    assert not any("share the path" in n for n in report.notes)


def test_kept_apart_codes_are_paired_by_path_and_said_so(tmp_path: Path) -> None:
    folder, bundles = _scenario(tmp_path)
    with Project.open(folder) as lead:
        summaries = merge_bundles(lead, bundles, merge_same_name=False)
        assert not summaries[1].same_name_merged
        assert len([c for c in lead.codebook.codes() if c.path == "Corruption"]) == 2
        report = compute_agreement(lead.team.agreement_data())
    rows = [c for c in report.codes if c.code_path == "Corruption"]
    assert len(rows) == 1  # listed once, never twice
    assert rows[0].kappa.value is not None
    assert abs(rows[0].kappa.value - _expected_kappa()) < 1e-9
    assert any("'Corruption'" in n and "pairs them by path" in n for n in report.notes)


def test_cli_merge_default_and_keep_apart(tmp_path: Path) -> None:
    folder, bundles = _scenario(tmp_path)
    out = fs("bundle", "merge", folder, *bundles).stdout
    assert "codes merged into one: 'Corruption'" in out
    agreement = json.loads(fs("agreement", folder, "--json").stdout)
    [row] = [c for c in agreement["codes"] if c["code_path"] == "Corruption"]
    assert abs(row["kappa"]["value"] - 0.8) < 1e-9

    apart = tmp_path / "apart"
    apart.mkdir()
    folder2, bundles2 = _scenario(apart)
    out = fs("bundle", "merge", folder2, *bundles2, "--keep-same-name-apart").stdout
    assert "kept apart" in out and "pairs them by path" in out
    text = fs("agreement", folder2).stdout
    assert text.count("Corruption") >= 2  # the table row and the note
    assert "pairs them by path" in text


def test_merged_code_provenance_travels_back_to_the_coders(tmp_path: Path) -> None:
    folder, bundles = _scenario(tmp_path)
    with Project.open(folder) as lead:
        merge_bundles(lead, bundles)
        export_bundle(lead, tmp_path / "lead2.fsbundle")
        (kept,) = [c for c in lead.codebook.codes() if c.path == "Corruption"]
        origins = {(o.code_id, o.created_by) for o in lead.team.code_origins(kept.id)}
    for name in ("alice", "bob"):
        with Project.open(tmp_path / f"{name}.fieldscribe") as coder:
            merge_bundles(coder, [tmp_path / "lead2.fsbundle"])
            codes = [c for c in coder.codebook.codes() if c.path == "Corruption"]
            assert [c.id for c in codes] == [kept.id], name
            assert {(o.code_id, o.created_by) for o in coder.team.code_origins(kept.id)} == origins
            assert len(coder.codebook.codings(code_id=kept.id)) == len(ALICE) + len(BOB)
            assert coder.team.conflicts() == []

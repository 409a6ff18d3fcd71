"""Blind coding hid the other coders' codings and segment memos, but a coder in a blind round
still read the lead's memos on the session ("she avoids the word 'clinic'") and on each code
(what the lead counts as Health), and the coder's own ``qdpx export`` and ``export-codings``
carried every other coder's codings and memos out to be read elsewhere. Now memos on sessions,
segments, codes and codings written by others stay hidden wherever the coder could read them,
and come back when blind coding ends; the project journal stays shared."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import Project
from storage.interop.codings_export import export_codings, kept_codings
from storage.interop.qdc import codebook_rows
from storage.interop.qdpx_export import export_qdpx
from storage.team.bundle_export import export_bundle
from tests.teamwork_helpers import make_lead

SECRETS = (
    "session: she avoids the word clinic",
    "code: Health means any care",
    "segment: ключевой момент",
    "coding: the lead's reading",
)


def _round(tmp: Path) -> tuple[Project, Project, str, str]:
    """The lead codes and writes a memo on each target, turns blind coding on and hands out
    the bundle; alice codes one segment. Returns lead, alice, the session and code ids."""
    lead, segs = make_lead(tmp)
    sid = lead.sessions.all()[0].id
    health = lead.codebook.find_code("Services/Health")
    assert health is not None
    coding = lead.codebook.apply_code(segs[0], health.id)
    for (target, tid), text in zip(
        [("session", sid), ("code", health.id), ("segment", segs[1]), ("coding", coding.id)],
        SECRETS,
        strict=True,
    ):
        lead.codebook.add_memo(target, tid, text)
    lead.codebook.add_memo("journal", None, "journal: the team meets on Friday")
    lead.team.set_blind_coding(True)
    export_bundle(lead, tmp / "lead.fsbundle")
    alice = Project.from_bundle(tmp / "lead.fsbundle", tmp / "alice.fieldscribe", coder="alice")
    alice.codebook.apply_code(segs[2], health.id, memo="alice's own reading")
    alice.codebook.add_memo("session", sid, "alice: my session note")
    return lead, alice, sid, health.id


def test_a_blind_coder_sees_only_her_own_memos_and_the_journal(tmp_path: Path) -> None:
    lead, alice, sid, code_id = _round(tmp_path)
    assert alice.team.blind_coding
    assert [m.text for m in alice.team.visible_memos("session", sid)] == ["alice: my session note"]
    assert alice.team.visible_memos("code", code_id) == []
    texts = {m.text for m in alice.team.visible_memos()}
    assert texts == {"alice: my session note", "journal: the team meets on Friday"}
    alice.team.set_blind_coding(False)  # the round is over: everything is back
    assert len(alice.team.visible_memos("session", sid)) == 2
    assert {m.text for m in alice.team.visible_memos()} >= set(SECRETS)
    assert len(lead.team.visible_memos()) == 5  # the lead's own are all there
    lead.close()
    alice.close()


def test_a_blind_coders_exports_hold_no_other_coders_codings_or_memos(tmp_path: Path) -> None:
    lead, alice, _sid, _code = _round(tmp_path)
    summary = export_qdpx(alice, tmp_path / "alice.qdpx", with_media=False)
    with zipfile.ZipFile(tmp_path / "alice.qdpx") as zf:
        qde = zf.read("project.qde").decode("utf-8")
    for secret in SECRETS:
        assert secret not in qde
    assert "alice: my session note" in qde and "journal: the team meets" in qde
    assert summary.codings == 1 and summary.notes == 2
    assert any("Blind coding is on" in n and "4 memos" in n for n in summary.notes_for_user)
    export_codings(alice, tmp_path / "alice.csv")
    with open(tmp_path / "alice.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["coder"], r["memo"]) for r in rows] == [("alice", "alice's own reading")]
    assert kept_codings(alice) == (1, 1)
    alice.team.set_blind_coding(False)
    summary = export_qdpx(alice, tmp_path / "all.qdpx", with_media=False)
    assert summary.codings == 2 and summary.notes == 6 and not summary.notes_for_user
    lead.close()
    alice.close()


def test_a_blind_coders_code_counts_are_her_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fieldscribe codes` and the codebook export counted every coder's codings ("Health: 2")
    while the workbench counted hers (1): how often the others had used each code."""
    lead, alice, _sid, code_id = _round(tmp_path)
    folder = alice.folder
    alice.close()
    assert cli_main(["codes", str(folder), "--json"]) == 0
    counts = {c["path"]: c["codings"] for c in json.loads(capsys.readouterr().out)}
    assert counts["Services/Health"] == 1
    with Project.open(folder, coder="alice") as again:
        (row,) = [r for r in codebook_rows(again) if r.code.id == code_id]
        assert row.codings == 1
        again.team.set_blind_coding(False)
        (row,) = [r for r in codebook_rows(again) if r.code.id == code_id]
        assert row.codings == 2
    lead.close()


def test_a_blind_coders_analysis_counts_only_her_codings(tmp_path: Path) -> None:
    """Analysis ▸ Code frequencies (and the matrix, co-occurrence and timeline, which read the
    same codings) counted the lead's coding beside alice's while she coded blind."""
    from analysis.matrix import code_frequencies

    lead, alice, _sid, code_id = _round(tmp_path)

    def health(p: Project) -> object:
        table = code_frequencies(p, measure="codings")
        (row,) = [i for i, h in enumerate(table.rows) if h.key == code_id]
        return table.cells[row][0]

    assert health(alice) == 1
    alice.team.set_blind_coding(False)
    assert health(alice) == 2
    lead.close()
    alice.close()

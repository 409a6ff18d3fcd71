"""While the lead's text conflict on a segment is open, a coder whose wording is one of its
versions keeps her wording, and sees the conflict, when she takes the lead's bundle; the lead's
decision then reaches her (found by tests/test_merge_two_coders_model.py: her copy took the
other coder's wording without a word, since the lead's history of the row held hers)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

ANN = "segment number 0 talks about the clinic"
BOB = "segment number 0 talks about our clinics"


@pytest.mark.parametrize("keep", ["ann", "bob"])
def test_a_coders_wording_waits_for_the_leads_decision(tmp_path: Path, keep: str) -> None:
    lead, segs, coders = team(tmp_path, "ann", "bob")
    a, b = coders["ann"], coders["bob"]
    a.transcript.update_segment(segs[0], text=ANN)
    time.sleep(0.005)  # versions are millisecond times: two versions, bob's the newer
    b.transcript.update_segment(segs[0], text=BOB)  # later: bob's is shown at the lead
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    ours = b.codebook.apply_code(segs[0], health.id, start_cp=29, end_cp=32)  # "our"
    export_bundle(a, tmp_path / "a.fsbundle")
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle", tmp_path / "b.fsbundle"])
    (conflict,) = lead.team.conflicts()
    assert lead.transcript.get_segment(segs[0]).text == BOB
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    for p in (a, b):
        merge_bundles(p, [tmp_path / "lead2.fsbundle"])
    assert a.transcript.get_segment(segs[0]).text == ANN  # not bob's, silently
    (waiting,) = a.team.conflicts()
    assert (waiting.id, waiting.status) == (conflict.id, "open")
    assert sorted(v.values["text"] for v in waiting.versions) == sorted([ANN, BOB])
    assert b.transcript.get_segment(segs[0]).text == BOB and b.team.conflicts() == []
    # ann's next bundle changes nothing at the lead (her wording is in the conflict there)
    export_bundle(a, tmp_path / "a2.fsbundle")
    merge_bundles(lead, [tmp_path / "a2.fsbundle"])
    assert lead.transcript.get_segment(segs[0]).text == BOB
    assert [c.status for c in lead.team.conflicts()] == ["open"]
    # bob's span on "our", which ann's wording lacks (flagged in her copy), stays on "our" at
    # the lead, whose text shows it: her copy's flag is about her text
    (coding,) = lead.codebook.codings()
    assert (coding.id, coding.start_cp, coding.end_cp, coding.memo) == (ours.id, 29, 32, None)
    # the lead decides; both copies take the decision
    index = next(i for i, v in enumerate(conflict.versions) if v.author == keep)
    lead.team.resolve_conflict(conflict.id, keep=index)
    export_bundle(lead, tmp_path / "lead3.fsbundle")
    for p in (a, b):
        merge_bundles(p, [tmp_path / "lead3.fsbundle"])
        assert p.transcript.get_segment(segs[0]).text == (ANN if keep == "ann" else BOB)
        assert [c.status for c in p.team.conflicts()] in ([], ["resolved"])
    for p in (lead, a, b):
        p.close()

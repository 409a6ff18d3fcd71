"""While the lead's text conflict on a segment is open, a coder whose wording is one of its
versions keeps her wording, and sees the conflict, when she takes the lead's bundle; the lead's
decision then reaches her (found by tests/test_merge_two_coders_model.py: her copy took the
other coder's wording without a word, since the lead's history of the row held hers)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from storage import Project
from storage.core.anchors import is_flagged
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import send, team

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


def test_a_span_dropped_for_a_whole_segment_coding_comes_back_with_its_text(
    tmp_path: Path,
) -> None:
    """bob coded the whole segment and "clinics" with one code and typed a word; ann, later,
    cut "clinics": at the lead her wording is shown (a text conflict), and bob's span, its
    words gone there, goes into his whole-segment coding of the code. It went with a
    tombstone: bob's copy, whose text still says "clinics", deleted his span with the lead's
    bundle, for good, and the lead keeping bob's wording did not bring it back."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    a, b = coders["ann"], coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    b.transcript.update_segment(segs[0], text="Yes: " + text)
    start = ("Yes: " + text).index("clinics")
    b.codebook.apply_code(segs[0], health.id)
    span = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    time.sleep(0.005)  # versions are millisecond times: ann's the newer
    a.transcript.update_segment(segs[0], text="segment number 0 talks")
    export_bundle(b, tmp_path / "b.fsbundle")
    export_bundle(a, tmp_path / "a.fsbundle")
    merge_bundles(lead, [tmp_path / "b.fsbundle", tmp_path / "a.fsbundle"])
    assert lead.transcript.get_segment(segs[0]).text == "segment number 0 talks"
    assert span.id not in {c.id for c in lead.codebook.codings()}
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(b, [tmp_path / "lead2.fsbundle"])
    kept = {c.id: c for c in b.codebook.codings()}
    assert span.id in kept and kept[span.id].start_cp == start  # his text holds it
    (conflict,) = lead.team.conflicts()
    lead.team.resolve_conflict(
        conflict.id, keep=next(i for i, v in enumerate(conflict.versions) if v.author == "bob")
    )
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    shown = lead.transcript.get_segment(segs[0]).text
    back = {c.id: c for c in lead.codebook.codings()}[span.id]
    assert back.start_cp is not None and shown[back.start_cp : back.end_cp] == "clinics"
    for p in (lead, a, b):
        p.close()


@pytest.mark.parametrize("keep", ["ann", "bob"])
def test_a_span_kept_in_its_coders_copy_writes_no_version_at_each_exchange(
    tmp_path: Path, keep: str
) -> None:
    """bob's span on "our", flagged at the lead (ann's newer wording, shown there, lacks it),
    stays a span in bob's copy, whose text holds it. Each exchange wrote a new version of it in
    both projects: bob's copy put the span back as an edit, the lead took it and flagged it
    again (41 versions of the one coding at the lead after 20 rounds, 40 in bob's copy). Now
    the span put back as it was keeps its version, and the lead's decision still settles it."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    a, b = coders["ann"], coders["bob"]
    b.transcript.update_segment(segs[0], text=BOB)
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    ours = b.codebook.apply_code(segs[0], health.id, start_cp=29, end_cp=32)  # "our"
    time.sleep(0.005)  # versions are millisecond times: ann's the newer, shown at the lead
    a.transcript.update_segment(segs[0], text=ANN)

    def versions(p: Project) -> int:
        return int(p.store.scalar("SELECT count(*) FROM row_versions WHERE row_id = ?", (ours.id,)))

    send(a, lead, tmp_path)
    send(b, lead, tmp_path)
    counts = []
    for _round in range(6):
        send(lead, b, tmp_path)
        send(b, lead, tmp_path)
        send(lead, a, tmp_path)
        send(a, lead, tmp_path)
        counts.append((versions(lead), versions(b), versions(a)))
    assert counts[-1] == counts[0], counts  # bounded: nothing new after the first round
    flagged = {c.id: c for c in lead.codebook.codings()}[ours.id]
    assert flagged.start_cp is None and is_flagged(flagged.memo)
    assert {c.id: c for c in b.codebook.codings()}[ours.id] == ours  # his, as he coded it
    (conflict,) = lead.team.conflicts()
    lead.team.resolve_conflict(
        conflict.id, keep=next(i for i, v in enumerate(conflict.versions) if v.author == keep)
    )
    for _round in range(2):
        send(lead, b, tmp_path)
        send(b, lead, tmp_path)
        send(lead, a, tmp_path)
    for p in (lead, a, b):
        (coding,) = p.codebook.codings()
        text = p.transcript.get_segment(segs[0]).text
        if keep == "bob":
            assert text == BOB and (coding.start_cp, coding.end_cp) == (29, 32), p.coder
            assert not is_flagged(coding.memo)
        else:
            assert text == ANN and coding.start_cp is None and is_flagged(coding.memo), p.coder
    for p in (lead, a, b):
        p.close()

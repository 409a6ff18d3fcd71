"""A span coding flagged at the lead ("⚑ coded words deleted") gets its span back when a
merge shows a text that holds its words again (found by tests/test_merge_two_coders_model.py:
bob's span on his word, which the lead's text held again from ann's bundle, stayed a flagged
whole-segment coding)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from storage.core.anchors import is_flagged
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team


@pytest.mark.parametrize(
    ("typed_at", "lead_typed_first"), [("end", False), ("start", False), ("end", True)]
)
def test_a_flagged_span_comes_back_on_its_words_from_a_merged_text(
    tmp_path: Path, typed_at: str, lead_typed_first: bool
) -> None:
    """bob codes "clinics"; ann takes it from the lead; the lead cuts the segment short before
    "clinics" (bob's span flagged there) while ann, offline, types a word into the text she
    has, "clinics" in it: her newer text is shown at the lead (a text conflict), and bob's
    coding is on "clinics" there again, unflagged, wherever ann's typing moved it, and
    wherever the lead's text had it when its words went (``lead_typed_first``: the flag
    records another place than ann's text has them)."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    a, b = coders["ann"], coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    coding = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    export_bundle(lead, tmp_path / "lead.fsbundle")
    merge_bundles(a, [tmp_path / "lead.fsbundle"])
    if lead_typed_first:
        lead.transcript.update_segment(segs[0], text="Yes: " + text)
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    (flagged,) = lead.codebook.codings()
    assert flagged.start_cp is None and is_flagged(flagged.memo)
    time.sleep(0.005)  # versions are millisecond times: ann's edit is the newer one
    ann_text = text + " today" if typed_at == "end" else "Well, " + text
    a.transcript.update_segment(segs[0], text=ann_text)
    export_bundle(a, tmp_path / "a.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    shown = lead.transcript.get_segment(segs[0]).text
    assert shown == ann_text  # the newer side of the text conflict
    (back,) = lead.codebook.codings()
    assert back.id == coding.id and back.start_cp is not None, back.memo
    assert shown[back.start_cp : back.end_cp] == "clinics"
    assert not is_flagged(back.memo)
    for p in (lead, a, b):
        p.close()


def test_a_whole_segment_coding_clears_the_flag_of_the_same_coding(tmp_path: Path) -> None:
    """bob's span on "clinics" is flagged at the lead (the lead cut the word). Coding the
    whole segment with the same code clears the flag of his one coding of it there: it kept
    "⚑ coded words deleted" on a segment bob had coded whole on purpose. A whole-segment coding
    of his that arrives while his copy still has the span keeps the flag at the lead: the span
    lives in his copy, and the flag brings it back on its words if the lead keeps a text that
    holds them (the model test found clearing it there lost the span for good)."""
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    span = b.codebook.apply_code(
        segs[0], health.id, start_cp=start, end_cp=start + 7, memo="named twice"
    )
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    b.codebook.apply_code(segs[0], health.id)  # his span still a span in his copy
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    (coding,) = lead.codebook.codings()
    assert coding.id == span.id and is_flagged(coding.memo)
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(b, [tmp_path / "lead2.fsbundle"])  # the lead's text: his span flagged
    (flagged,) = b.codebook.codings()
    assert flagged.id == span.id and is_flagged(flagged.memo)
    again = b.codebook.apply_code(segs[0], health.id)  # on purpose, on the whole segment
    assert (again.id, again.start_cp, again.memo) == (span.id, None, "named twice")
    export_bundle(b, tmp_path / "b3.fsbundle")
    merge_bundles(lead, [tmp_path / "b3.fsbundle"])
    (coding,) = lead.codebook.codings()
    assert (coding.id, coding.start_cp, coding.memo) == (span.id, None, "named twice")
    for p in (lead, b):
        p.close()


def test_a_whole_segment_coding_comes_in_when_its_flagged_twin_goes(tmp_path: Path) -> None:
    """bob's span flagged at the lead; bob codes the segment whole and removes his span, in one
    bundle: his whole-segment coding is at the lead (it was not added while the flagged span
    held its place, and the span's removal then left none, until his next bundle)."""
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    span = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    whole = b.codebook.apply_code(segs[0], health.id)
    b.codebook.remove_coding(span.id)
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    assert [(c.id, c.start_cp, c.memo) for c in lead.codebook.codings()] == [(whole.id, None, None)]
    for p in (lead, b):
        p.close()


@pytest.mark.parametrize("how", ["merged text", "lead keeps bob's text"])
def test_a_whole_segment_coding_held_by_its_flagged_twin_comes_with_the_next_bundle(
    tmp_path: Path, how: str
) -> None:
    """The known limit, measured: bob's span on "clinics" is flagged at the lead (the lead cut
    the word), and his whole-segment coding of the same code, which arrives meanwhile, is that
    flagged coding there (one per segment, code and coder). When the lead's text holds
    "clinics" again (ann's newer text merged, or the lead keeping bob's text in a conflict),
    the span is back, and the whole-segment coding is missing at the lead, until bob's next
    bundle, which brings it with nothing changed in his copy."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    a, b = coders["ann"], coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    span = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    export_bundle(lead, tmp_path / "lead.fsbundle")
    merge_bundles(a, [tmp_path / "lead.fsbundle"])
    if how != "merged text":  # bob's own wording, the older side of a text conflict
        b.transcript.update_segment(segs[0], text=text + ", yes")
        time.sleep(0.005)
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    whole = b.codebook.apply_code(segs[0], health.id)
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    (flagged,) = lead.codebook.codings()
    assert flagged.id == span.id and is_flagged(flagged.memo)
    if how == "merged text":
        time.sleep(0.005)
        a.transcript.update_segment(segs[0], text=text + " today")
        export_bundle(a, tmp_path / "a.fsbundle")
        merge_bundles(lead, [tmp_path / "a.fsbundle"])
    else:
        for listed in lead.team.conflicts():  # the text's, and the coding's (moved, flagged)
            conflict = lead.team.get_conflict(listed.id)
            if conflict.status == "open":
                keep = next(i for i, v in enumerate(conflict.versions) if v.author == "bob")
                lead.team.resolve_conflict(conflict.id, keep=keep)
    shown = lead.transcript.get_segment(segs[0]).text
    at_lead = {c.id: c for c in lead.codebook.codings()}
    assert shown[at_lead[span.id].start_cp : at_lead[span.id].end_cp] == "clinics"
    assert whole.id not in at_lead  # the limit: missing until bob's next bundle
    export_bundle(b, tmp_path / "b3.fsbundle")
    merge_bundles(lead, [tmp_path / "b3.fsbundle"])
    at_lead = {c.id: c for c in lead.codebook.codings()}
    assert set(at_lead) == {span.id, whole.id} and at_lead[whole.id].start_cp is None
    for p in (lead, a, b):
        p.close()


def test_a_span_comes_in_flagged_when_the_whole_segment_coding_that_held_it_goes(
    tmp_path: Path,
) -> None:
    """bob codes a segment whole and sends; the lead cuts "clinics" out of its text; bob codes
    "clinics" and sends: his whole-segment coding of the code holds the span at the lead (one
    per segment, code and coder). bob then removes his whole-segment coding and sends: his
    span, live in his copy, is at the lead, flagged "coded words deleted" (it was missing
    there, and every later bundle of bob's brought it and dropped it again)."""
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    whole = b.codebook.apply_code(segs[0], health.id)
    export_bundle(b, tmp_path / "b1.fsbundle")
    merge_bundles(lead, [tmp_path / "b1.fsbundle"])
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    span = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    assert [(c.id, c.start_cp) for c in lead.codebook.codings()] == [(whole.id, None)]
    b.codebook.remove_coding(whole.id)
    for n in (3, 4):  # and the next bundle leaves it as it is
        export_bundle(b, tmp_path / f"b{n}.fsbundle")
        merge_bundles(lead, [tmp_path / f"b{n}.fsbundle"])
        [coding] = lead.codebook.codings()
        assert (coding.id, coding.coder, coding.start_cp) == (span.id, "bob", None)
        assert is_flagged(coding.memo) and "clinics" in (coding.memo or "")
    for p in (lead, b):
        p.close()

"""A ``--since`` bundle carries the segments its span codings are anchored in.

Before, it carried only rows changed since the date: a span coded since on a segment that did
not change in the coder's copy travelled without its text. Where the lead had reworded that
segment meanwhile, the merge wrote the coder's code points into the lead's text: the coder
coded "clinics", the lead saw "about c". A since-bundle must merge as the full bundle does.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from storage import Project
from storage.core.anchors import is_flagged
from storage.core.ids import now_iso
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, team

#: what the lead types over segment 2 ("segment number 2 talks about clinics") meanwhile
LEAD_TEXTS = {
    "words before": "well, segment number 2 talks about clinics",
    "coded word gone": "segment number 2 talks about",
    "coded word corrected": "segment number 2 talks about hospitals",
    "unchanged": None,
}


@pytest.mark.parametrize("case", sorted(LEAD_TEXTS))
def test_a_since_bundle_merges_its_spans_as_the_full_bundle(tmp_path: Path, case: str) -> None:
    lead, segs, coders = team(tmp_path, "ann")
    ann = coders["ann"]
    time.sleep(0.002)
    since = now_iso()
    time.sleep(0.002)
    code = ann.codebook.ensure_code_path("Services/Health")
    text = ann.transcript.get_segment(segs[2]).text
    at = text.index("clinics")
    ann.codebook.apply_code(segs[2], code.id, start_cp=at, end_cp=at + len("clinics"))
    ann.codebook.apply_code(segs[3], code.id, start_cp=0, end_cp=7)  # "segment"
    export_bundle(ann, tmp_path / "since.fsbundle", since=since)
    export_bundle(ann, tmp_path / "full.fsbundle")
    ann.close()
    if LEAD_TEXTS[case] is not None:
        lead.transcript.update_segment(segs[2], text=LEAD_TEXTS[case])
    lead.close()
    twin = tmp_path / "twin.fieldscribe"
    shutil.copytree(lead.folder, twin)
    with Project.open(twin) as p:
        merge_bundles(p, [tmp_path / "full.fsbundle"])
    with Project.open(lead.folder) as p:
        merge_bundles(p, [tmp_path / "since.fsbundle"])
        shown = p.transcript.get_segment(segs[2]).text
        (coding,) = [c for c in p.codebook.codings() if c.segment_id == segs[2]]
        if case == "coded word gone":
            assert is_flagged(coding.memo) and coding.start_cp is None
        elif case == "coded word corrected":  # typed over where it stood: the same speech
            assert shown[coding.start_cp : coding.end_cp] == "hospitals"
        else:
            assert shown[coding.start_cp : coding.end_cp] == "clinics"
        assert p.transcript.get_segment(segs[2]).text == (LEAD_TEXTS[case] or text)
    # the same rows, but for the time a moved span was moved (each merge's own clock)
    one, two = dump(lead.folder, ignore_seq=True), dump(twin, ignore_seq=True)
    for moved in (one, two):
        moved["codings"] = sorted(row[:-1] for row in moved["codings"])  # less updated_at
    assert one == two

"""``bundle merge`` says what happened to span codings whose words the text here lacks.

Before, its table counted such a coding as one coding added (or skipped), as if it stood on
its words: a span kept on its segment flagged "⚑ coded words deleted", one gone into its
coder's whole-segment coding of the code, and a whole-segment coding waiting for its coder's
flagged span to get its words back read the same as any other row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import Project
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

CUT = "segment number {} talks"  # the lead's text: "about clinics" cut


def _merged_by_cli(lead: Project, bundle: Path, capsys: pytest.CaptureFixture[str]) -> str:
    folder = lead.folder
    lead.close()
    assert cli_main(["bundle", "merge", str(folder), str(bundle)]) == 0
    return capsys.readouterr().out


def _span(p: Project, segment_id: str) -> None:
    health = p.codebook.find_code("Services/Health")
    assert health is not None
    start = p.transcript.get_segment(segment_id).text.index("clinics")
    p.codebook.apply_code(segment_id, health.id, start_cp=start, end_cp=start + 7)


@pytest.mark.parametrize(
    ("n", "said"),
    [
        (1, "1 span coding kept on its segment, its words gone from the text here"),
        (2, "2 span codings kept on their segments, their words gone from the text here"),
    ],
)
def test_spans_kept_flagged_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], n: int, said: str
) -> None:
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    for k in range(n):
        _span(b, segs[k])
        lead.transcript.update_segment(segs[k], text=CUT.format(k))
    export_bundle(b, tmp_path / "b.fsbundle")
    out = _merged_by_cli(lead, tmp_path / "b.fsbundle", capsys)
    assert f"{said} (flagged \u201c\u2691 coded words deleted\u201d)" in out.splitlines(), out
    assert "held by" not in out and "waits" not in out
    assert cli_main(["bundle", "merge", str(lead.folder), str(tmp_path / "b.fsbundle")]) == 0
    assert "span coding" not in capsys.readouterr().out  # merged again: nothing happened
    b.close()


def test_a_span_held_by_its_coders_whole_segment_coding_is_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    b.codebook.apply_code(segs[0], health.id)
    export_bundle(b, tmp_path / "b1.fsbundle")
    merge_bundles(lead, [tmp_path / "b1.fsbundle"])
    lead.transcript.update_segment(segs[0], text=CUT.format(0))
    _span(b, segs[0])
    export_bundle(b, tmp_path / "b2.fsbundle")
    out = _merged_by_cli(lead, tmp_path / "b2.fsbundle", capsys)
    assert (
        "1 span coding held by its coder's whole-segment coding of the same code, its words "
        "gone from the text here"
    ) in out.splitlines(), out
    assert "kept on" not in out
    b.close()


def test_a_whole_segment_coding_waiting_for_a_flagged_span_is_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    _span(b, segs[0])
    export_bundle(b, tmp_path / "b1.fsbundle")
    merge_bundles(lead, [tmp_path / "b1.fsbundle"])
    lead.transcript.update_segment(segs[0], text=CUT.format(0))
    b.codebook.apply_code(segs[0], health.id)
    export_bundle(b, tmp_path / "b2.fsbundle")
    folder = lead.folder
    lead.close()
    assert cli_main(["bundle", "merge", str(folder), str(tmp_path / "b2.fsbundle"), "--json"]) == 0
    (bundle,) = json.loads(capsys.readouterr().out)["bundles"]
    counts = (bundle["held_wholes"], bundle["spans_flagged"], bundle["spans_into_wholes"])
    assert counts == (1, 0, 0)
    assert bundle["tables"]["codings"]["skipped"] == 1  # the span, already here (flagged)
    export_bundle(b, tmp_path / "b3.fsbundle")
    out = _merged_by_cli(Project.open(folder), tmp_path / "b3.fsbundle", capsys)
    assert (
        "1 whole-segment coding waits for its coder's flagged span of the same code to get "
        "its words back, and then comes in"
    ) in out.splitlines(), out
    b.close()

"""A text conflict resolved to the coder's own text gives that coder's span back.

Found in a team round: two coders edited one segment differently; bolat had coded
"жол өте нашар" in his text, aigerim cut those words out of hers. While the conflict was open
the segment showed aigerim's (newer) text, so bolat's span became a whole-segment coding
flagged "coded words deleted", as it should. The lead then kept bolat's version, the text in
which bolat had coded those very words, and the coding stayed on the whole segment: the span
was lost for good (agreement compared it as a whole-segment coding, and the lead's next bundle
took the loss back to bolat's own copy).
"""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.core.anchors import is_flagged
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team


def _coded(project: Project, segment_id: str) -> list[tuple[str, str | None, bool]]:
    """(coder, the words covered or None for the whole segment, flagged) of a segment."""
    text = project.transcript.get_segment(segment_id).text
    return sorted(
        (c.coder, None if c.start_cp is None else text[c.start_cp : c.end_cp], is_flagged(c.memo))
        for c in project.codebook.codings()
        if c.segment_id == segment_id
    )


def _two_texts(tmp_path: Path, memo: str | None = None) -> tuple[Project, str, dict[str, Project]]:
    lead, segs, coders = team(tmp_path, "aigerim", "bolat")
    aigerim, bolat = coders["aigerim"], coders["bolat"]
    seg = segs[2]
    bolat.transcript.update_segment(seg, text="Автобус күніне бір рет, жол өте нашар, өте!")
    code = bolat.codebook.ensure_code_path("Көлік")
    words = "жол өте нашар"
    start = bolat.transcript.get_segment(seg).text.index(words)
    bolat.codebook.apply_code(seg, code.id, start_cp=start, end_cp=start + len(words), memo=memo)
    export_bundle(bolat, tmp_path / "bolat.fsbundle")
    aigerim.transcript.update_segment(seg, text="Автобус күніне бір рет.")
    export_bundle(aigerim, tmp_path / "aigerim.fsbundle")
    merge_bundles(lead, [tmp_path / "bolat.fsbundle", tmp_path / "aigerim.fsbundle"])
    return lead, seg, coders


def test_keeping_the_coder_s_text_gives_the_flagged_span_back(tmp_path: Path) -> None:
    lead, seg, coders = _two_texts(tmp_path, memo="the bus, twice")
    # while open, the segment shows aigerim's newer text: bolat's words are gone from it
    assert lead.transcript.get_segment(seg).text == "Автобус күніне бір рет."
    assert _coded(lead, seg) == [("bolat", None, True)]
    (conflict,) = lead.team.conflicts()
    keep = next(i for i, v in enumerate(conflict.versions) if v.author == "bolat")
    lead.team.resolve_conflict(conflict.id, keep=keep)
    assert _coded(lead, seg) == [("bolat", "жол өте нашар", False)]
    (coding,) = [c for c in lead.codebook.codings() if c.segment_id == seg]
    assert coding.memo == "the bus, twice"  # the coder's own memo, without the flag
    # the lead's bundle takes the resolution to bolat: his span stays his span
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    bolat = coders["bolat"]
    merge_bundles(bolat, [tmp_path / "lead2.fsbundle"])
    assert _coded(bolat, seg) == [("bolat", "жол өте нашар", False)]
    for p in (lead, *coders.values()):
        p.close()


def test_keeping_the_text_without_the_words_leaves_the_flag(tmp_path: Path) -> None:
    lead, seg, coders = _two_texts(tmp_path)
    (conflict,) = lead.team.conflicts()
    keep = next(i for i, v in enumerate(conflict.versions) if v.author == "aigerim")
    lead.team.resolve_conflict(conflict.id, keep=keep)
    assert _coded(lead, seg) == [("bolat", None, True)]
    for p in (lead, *coders.values()):
        p.close()


def test_a_text_written_by_the_lead_with_other_words_there_leaves_the_flag(
    tmp_path: Path,
) -> None:
    """The span's characters in an edited text hold other words: never coded onto them."""
    lead, seg, coders = _two_texts(tmp_path)
    (conflict,) = lead.team.conflicts()
    text = "Автобус күніне бір рет, ЖОЛ ӨТЕ НАШАР, өте!"  # same places, other letters
    lead.team.resolve_conflict(conflict.id, values={"text": text})
    assert _coded(lead, seg) == [("bolat", None, True)]
    for p in (lead, *coders.values()):
        p.close()

"""Span codings and redactions follow their words when a merge takes a colleague's text.

A walkthrough found the lead's span coding on "my personal d" after merging a coder who had
reworded the start of the segment: the merge wrote the new text and left the lead's spans at
their old code points. Local edits always moved them with their words (``reanchor_spans``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

TEXT = "segment number 1 talks about clinics"


def _span(project: Project, segment_id: str, what: str) -> tuple[int, int]:
    text = project.transcript.get_segment(segment_id).text
    start = text.index(what)
    return start, start + len(what)


def _cps(span: tuple[int, int]) -> dict[str, int]:
    return {"start_cp": span[0], "end_cp": span[1]}


def _coded(project: Project, segment_id: str) -> list[tuple[str, str]]:
    text = project.transcript.get_segment(segment_id).text
    return sorted(
        (c.coder, text[c.start_cp : c.end_cp])
        for c in project.codebook.codings()
        if c.segment_id == segment_id and c.start_cp is not None
    )


def test_the_lead_s_span_follows_its_words_into_the_coder_s_text(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "bob")
    code = lead.codebook.ensure_code_path("Services/Health")
    lead.codebook.apply_code(segs[1], code.id, **_cps(_span(lead, segs[1], "about clinics")))
    lead.redactions.redact(segs[1], *_span(lead, segs[1], "clinics"), "PLACE")
    bob = coders["bob"]
    bob.transcript.update_segment(segs[1], text="so the segment number one talks about clinics")
    export_bundle(bob, tmp_path / "bob.fsbundle")
    (summary,) = merge_bundles(lead, [tmp_path / "bob.fsbundle"])
    assert summary.conflicts == 0
    assert lead.transcript.get_segment(segs[1]).text.startswith("so the segment")
    assert _coded(lead, segs[1]) == [("lead", "about clinics")]
    (red,) = [r for r in lead.redactions.all() if r.segment_id == segs[1]]
    assert lead.transcript.get_segment(segs[1]).text[red.start_cp : red.end_cp] == "clinics"
    # merged again: nothing moves twice
    merge_bundles(lead, [tmp_path / "bob.fsbundle"])
    assert _coded(lead, segs[1]) == [("lead", "about clinics")]
    lead.close()
    bob.close()


def test_through_a_text_conflict_and_its_resolution_the_span_keeps_its_words(
    tmp_path: Path,
) -> None:
    lead, segs, coders = team(tmp_path, "bob")
    code = lead.codebook.ensure_code_path("Services/Health")
    lead.transcript.update_segment(segs[1], text="segment number 1 mostly talks about clinics")
    lead.codebook.apply_code(segs[1], code.id, **_cps(_span(lead, segs[1], "talks about")))
    bob = coders["bob"]
    bob.transcript.update_segment(segs[1], text="the segment number one talks about clinics")
    export_bundle(bob, tmp_path / "bob.fsbundle")
    (summary,) = merge_bundles(lead, [tmp_path / "bob.fsbundle"])
    assert summary.conflicts == 1
    assert _coded(lead, segs[1]) == [("lead", "talks about")]  # in whichever text is shown
    (conflict,) = lead.team.conflicts()
    mine = next(i for i, v in enumerate(conflict.versions) if v.author == "lead")
    lead.team.resolve_conflict(conflict.id, keep=mine)
    assert (
        lead.transcript.get_segment(segs[1]).text == "segment number 1 mostly talks about clinics"
    )
    assert _coded(lead, segs[1]) == [("lead", "talks about")]
    lead.close()
    bob.close()


def test_a_span_the_coder_moved_with_their_edit_arrives_as_they_moved_it(tmp_path: Path) -> None:
    """A coding both have (it was in the start bundle) that the coder's edit moved: the merge
    takes the coder's version, anchored in the coder's text, and does not move it again."""
    lead, segs = team(tmp_path)[:2]
    code = lead.codebook.ensure_code_path("Services/Health")
    lead.codebook.apply_code(segs[2], code.id, **_cps(_span(lead, segs[2], "clinics")))
    export_bundle(lead, tmp_path / "start.fsbundle")
    bob = Project.from_bundle(tmp_path / "start.fsbundle", tmp_path / "b.fieldscribe", coder="bob")
    bob.transcript.update_segment(segs[2], text="and segment number 2 talks about the clinics")
    assert _coded(bob, segs[2]) == [("lead", "clinics")]
    export_bundle(bob, tmp_path / "bob.fsbundle")
    merge_bundles(lead, [tmp_path / "bob.fsbundle"])
    assert _coded(lead, segs[2]) == [("lead", "clinics")]
    lead.close()
    bob.close()


WORDS = [f"w{i}" for i in range(8)]
FRESH = st.lists(st.sampled_from(["новый", "қала", "big", "very", "the"]), max_size=3)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    coded=st.integers(0, 7),
    cut=st.tuples(st.integers(0, 8), st.integers(0, 3)),
    fresh=FRESH,
)
def test_any_edit_away_from_the_coded_word_leaves_the_lead_s_span_on_it(
    tmp_path: Path, coded: int, cut: tuple[int, int], fresh: list[str]
) -> None:
    """Model: the coder replaces words ``[at, at + n)`` (not the coded one) with ``fresh``;
    after the merge the lead's span still covers exactly the coded word."""
    at, n = cut
    if at <= coded < at + n:
        return
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    lead, segs, coders = team(folder, "bob")
    lead.transcript.update_segment(segs[0], text=" ".join(WORDS))
    export_bundle(lead, folder / "start.fsbundle")
    bob = Project.from_bundle(folder / "start.fsbundle", folder / "b.fieldscribe", coder="bob")
    code = lead.codebook.ensure_code_path("Services/Health")
    start = len(" ".join(WORDS[:coded])) + (1 if coded else 0)
    lead.codebook.apply_code(segs[0], code.id, start_cp=start, end_cp=start + len(WORDS[coded]))
    new_words = WORDS[:at] + fresh + WORDS[at + n :]
    if new_words == WORDS:
        return
    bob.transcript.update_segment(segs[0], text=" ".join(new_words))
    export_bundle(bob, folder / "bob.fsbundle")
    merge_bundles(lead, [folder / "bob.fsbundle"])
    assert lead.transcript.get_segment(segs[0]).text == " ".join(new_words)
    assert _coded(lead, segs[0]) == [("lead", WORDS[coded])]
    lead.close()
    bob.close()
    for p in coders.values():
        p.close()


#: the lead's segment in the pseudonymised-copy tests: a mapped name and a street redacted
NAMED = "Со спокойным мужеством Скайлс ожидал всего на улице Абая 15, в этом городе."


def _coders_pseudonymised_copy(
    tmp_path: Path, speech_wav: Path, *more: str
) -> tuple[Project, list[Any]]:
    """The lead (Lead.fieldscribe, closed) maps "Скайлс" to "Иностранец" and redacts the street
    of ``NAMED``; a coder's copy (B.fieldscribe, open) is made from its bundle (pseudonyms and
    redactions on, the default). The segments: ``NAMED``, then ``more``, one after another."""
    from storage import SegmentDraft

    lead = Project.create(tmp_path / "Lead.fieldscribe", name="L", coder="Асель")
    session = lead.sessions.import_audio(speech_wav, kind="interview")
    texts = [NAMED, *more]
    segments = lead.transcript.add_segments(
        session.id, [SegmentDraft(3000 * i, 3000 * (i + 1), t) for i, t in enumerate(texts)]
    )
    lead.privacy.set_pseudonym("Скайлс", "Иностранец")
    lead.redactions.redact(
        segments[0].id, *_span(lead, segments[0].id, "улице Абая 15"), category="PLACE"
    )
    export_bundle(lead, tmp_path / "lead.fsbundle")
    lead.close()
    coder = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "B.fieldscribe", coder="b")
    return coder, segments


def test_spans_coded_on_a_pseudonym_or_a_redaction_land_on_the_words_they_stand_for(
    tmp_path: Path, speech_wav: Path
) -> None:
    """The walk: the lead mapped "Скайлс" (not applied) and redacted a street; the coder's copy
    (a bundle with pseudonyms and redactions, the default) read "Иностранец" and "[PLACE]".
    The coder's span on "Иностранец" came back as a whole-segment coding flagged "coded words
    deleted", and a span ending on "[PLACE]" lost it. Both land on the words they stand for."""
    coder, (seg,) = _coders_pseudonymised_copy(tmp_path, speech_wav)
    theirs = coder.transcript.get_segment(seg.id).text
    assert "Иностранец" in theirs and "[PLACE]" in theirs and "Скайлс" not in theirs
    for name, words in (
        ("Имя", "Иностранец"),
        ("Место", "всего на [PLACE]"),
        ("Фраза", "мужеством Иностранец ожидал"),
    ):
        code = coder.codebook.ensure_code_path(name)
        coder.codebook.apply_code(seg.id, code.id, **_cps(_span(coder, seg.id, words)))
    export_bundle(coder, tmp_path / "b.fsbundle")
    coder.close()
    lead = Project.open(tmp_path / "Lead.fieldscribe")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    assert lead.transcript.get_segment(seg.id).text == NAMED
    assert _coded(lead, seg.id) == [
        ("b", "Скайлс"),
        ("b", "всего на улице Абая 15"),
        ("b", "мужеством Скайлс ожидал"),
    ]
    assert not [c for c in lead.codebook.codings() if c.memo]  # nothing flagged
    lead.close()


def test_a_coders_correction_in_a_pseudonymised_copy_keeps_the_real_name_in_the_lead_s_text(
    tmp_path: Path, speech_wav: Path
) -> None:
    """The walk: the coder, in a copy that reads "Иностранец" and "[PLACE]", corrected another
    word; merged back, the lead's transcript read "Иностранец" and "[PLACE]" in place of the
    name and the street: the pseudonymised text replaced the real one. The correction is
    taken onto the lead's own text; a span coded beside it lands on its words."""
    coder, (seg, other) = _coders_pseudonymised_copy(tmp_path, speech_wav, "Скайлс пришёл.")
    theirs = coder.transcript.get_segment(seg.id).text
    coder.transcript.update_segment(
        seg.id, text=theirs.replace("этом городе", "этом безумном городе")
    )
    # an edit of the pseudonym itself: the copy's text is taken as it is
    coder.transcript.update_segment(other.id, text="Иностранца пришёл.")
    code = coder.codebook.ensure_code_path("Город")
    coder.codebook.apply_code(seg.id, code.id, **_cps(_span(coder, seg.id, "безумном городе")))
    export_bundle(coder, tmp_path / "b.fsbundle")
    coder.close()
    lead = Project.open(tmp_path / "Lead.fieldscribe")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    assert lead.transcript.get_segment(seg.id).text == NAMED.replace(
        "этом городе", "этом безумном городе"
    )
    assert lead.transcript.get_segment(other.id).text == "Иностранца пришёл."
    assert _coded(lead, seg.id) == [("b", "безумном городе")]
    [hidden] = lead.redactions.all(segment_id=seg.id)  # the street stays hidden from exports
    assert NAMED[hidden.start_cp : hidden.end_cp] == "улице Абая 15"
    lead.close()


def test_carry_edits_takes_corrections_and_keeps_what_replacements_stand_for() -> None:
    from storage.privacy.text import Replacement, RewrittenText

    original = "Скайлс живёт на улице Абая 15 давно."
    view = RewrittenText(
        original, [Replacement(0, 6, "Иностранец"), Replacement(16, 29, "[PLACE]")]
    )
    assert view.text == "Иностранец живёт на [PLACE] давно."
    assert view.carry_edits("Иностранец живёт на [PLACE] очень давно.") == (
        "Скайлс живёт на улице Абая 15 очень давно."
    )
    assert view.carry_edits("Вчера Иностранец жил на [PLACE].") == (
        "Вчера Скайлс жил на улице Абая 15."
    )
    assert view.carry_edits("Иностранца живёт на [PLACE] давно.") is None  # the name edited
    assert view.carry_edits("Иностранец живёт на [МЕСТО] давно.") is None

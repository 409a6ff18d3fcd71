"""A coder's edit of a segment in a copy made from a pseudonymised bundle (the default), merged
back into the lead's project that never touched that segment: taken, not a conflict, and the
speaker stays the lead's real label (mapped to its participant), not the pseudonym."""

from __future__ import annotations

from pathlib import Path

from storage import Project, SegmentDraft
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles

TEXT = "Нет, не доверяю, спросите Ғалымның брата, он тоже жаловался."


def _lead_and_copy(tmp_path: Path) -> tuple[str, Project]:
    lead = Project.create(tmp_path / "Lead.fieldscribe", name="L", coder="lead")
    session = lead.sessions.add_session("Сессия 1")
    seg, _other = lead.transcript.add_segments(
        session.id,
        [SegmentDraft(0, 2000, TEXT, "Айгерим"), SegmentDraft(2000, 4000, "Ғалым келді.", "Ғалым")],
    )
    person = lead.sessions.add_participant("Сауле")
    lead.sessions.map_speaker(session.id, "Айгерим", person.id)
    lead.privacy.set_pseudonym("Айгерим", "Сауле", participant_id=person.id)
    lead.privacy.set_pseudonym("Ғалым", "Болат")
    export_bundle(lead, tmp_path / "lead.fsbundle")
    lead.close()
    coder = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "A.fieldscribe", coder="a")
    return seg.id, coder


def test_a_coders_edit_in_a_pseudonymised_copy_is_taken_without_a_conflict(
    tmp_path: Path,
) -> None:
    seg_id, coder = _lead_and_copy(tmp_path)
    copy = coder.transcript.get_segment(seg_id)
    assert copy.speaker == "Сауле" and "Болаттың" in copy.text
    coder.transcript.update_segment(
        seg_id, text=copy.text.replace("не доверяю", "совсем не доверяю")
    )
    export_bundle(coder, tmp_path / "a.fsbundle")
    coder.close()
    lead = Project.open(tmp_path / "Lead.fieldscribe")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    seg = lead.transcript.get_segment(seg_id)
    assert seg.text == TEXT.replace("не доверяю", "совсем не доверяю")
    assert seg.speaker == "Айгерим"  # the lead's label, mapped to its participant
    assert lead.team.conflicts() == []  # the lead never edited it: edited on one side only
    lead.close()


def test_keeping_a_coders_version_of_a_conflict_keeps_the_real_name_and_label(
    tmp_path: Path,
) -> None:
    """Two coders edited the segment in pseudonymised copies: a conflict. Its versions hold
    the lead's real name and label, so keeping either writes no pseudonym into the lead's
    transcript (before: keeping coder b's version wrote "Болаттың" and speaker "Сауле")."""
    seg_id, a = _lead_and_copy(tmp_path)
    b = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "B.fieldscribe", coder="b")
    for coder, old, new, name in (
        (a, "не доверяю", "совсем не доверяю", "a"),
        (b, "жаловался", "жаловался много раз", "b"),
    ):
        text = coder.transcript.get_segment(seg_id).text
        coder.transcript.update_segment(seg_id, text=text.replace(old, new))
        export_bundle(coder, tmp_path / f"{name}.fsbundle")
        coder.close()
    lead = Project.open(tmp_path / "Lead.fieldscribe")
    merge_bundles(lead, [tmp_path / "a.fsbundle", tmp_path / "b.fsbundle"])
    [conflict] = lead.team.conflicts()
    for version in conflict.versions:
        assert "Болат" not in version.values["text"]
        assert version.values["speaker"] == "Айгерим"
    lead.team.resolve_conflict(conflict.id, keep=len(conflict.versions) - 1)
    seg = lead.transcript.get_segment(seg_id)
    assert seg.text == TEXT.replace("жаловался", "жаловался много раз")
    assert seg.speaker == "Айгерим"
    lead.close()


def test_a_name_mapped_after_the_copy_was_made_reaches_the_copy_without_a_conflict(
    tmp_path: Path,
) -> None:
    """The lead maps one more name after the coders' copies were made; its next bundle makes
    the unedited segments safe with it. The copy takes the new text (before: a conflict
    "Segment edited differently (a, lead)" between two texts of one version, and the copy
    kept the real name in sight)."""
    seg_id, coder = _lead_and_copy(tmp_path)
    coder.close()
    lead = Project.open(tmp_path / "Lead.fieldscribe")
    session = lead.transcript.get_segment(seg_id).session_id
    [named] = [s for s in lead.transcript.segments(session) if s.id != seg_id]
    lead.privacy.remove_pseudonym("Ғалым")
    export_bundle(lead, tmp_path / "lead1.fsbundle")  # "Ғалым" in sight, as it is now
    lead.close()
    coder = Project.from_bundle(tmp_path / "lead1.fsbundle", tmp_path / "C.fieldscribe", coder="c")
    assert coder.transcript.get_segment(named.id).text == "Ғалым келді."
    coder.close()
    lead = Project.open(tmp_path / "Lead.fieldscribe")
    lead.privacy.set_pseudonym("Ғалым", "Болат")  # mapped later
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    lead.close()
    coder = Project.open(tmp_path / "C.fieldscribe")
    merge_bundles(coder, [tmp_path / "lead2.fsbundle"])
    assert coder.team.conflicts() == []
    assert coder.transcript.get_segment(named.id).text == "Болат келді."
    assert "Болаттың" in coder.transcript.get_segment(seg_id).text
    coder.close()


def test_a_segment_given_to_another_speaker_in_the_copy_gets_that_speaker_s_real_label(
    tmp_path: Path,
) -> None:
    """The coder gave the segment of "Сауле" (Айгерим) to "Болат", the session's other
    speaker as the copy shows him: the lead's segment is Ғалым's (before: "Болат", a label
    of nobody, the pseudonym in the transcript)."""
    seg_id, coder = _lead_and_copy(tmp_path)
    coder.speakers.reassign_segments([seg_id], "Болат")
    export_bundle(coder, tmp_path / "a.fsbundle")
    coder.close()
    lead = Project.open(tmp_path / "Lead.fieldscribe")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert lead.transcript.get_segment(seg_id).speaker == "Ғалым"
    lead.close()

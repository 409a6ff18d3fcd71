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

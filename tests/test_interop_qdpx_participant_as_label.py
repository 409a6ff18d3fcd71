"""A participant with no attributes, named as the speaker label mapped to her ("Anna" speaks
as "Anna"), survives a FieldScribe -> .qdpx -> FieldScribe round trip. Her case reads as the
case FieldScribe writes for a speaker label mapped to nobody (same name, same "speaker Anna in
session ..." description), and was dropped as one: the participant, and her mapping, lost. The
two are told apart by their GUIDs (a label's is derived, version 5; a participant's is her
row id); a label mapped to nobody still makes no participant."""

from __future__ import annotations

from pathlib import Path

from storage import Project, SegmentDraft
from storage.interop import export_qdpx, import_qdpx


def test_a_participant_named_as_her_label_survives_a_round_trip(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p", coder="me") as p:
        s = p.sessions.add_session("Бақылау", kind="observation")
        p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 1000, "Сәлем", speaker="Anna"),
                SegmentDraft(1000, 2000, "Иә", speaker="Бөлат"),
                SegmentDraft(2000, 3000, "Жоқ", speaker="Ерлан"),  # mapped to nobody
            ],
        )
        anna = p.sessions.add_participant("Anna", {})
        p.sessions.map_speaker(s.id, "Anna", anna.id)
        bolat = p.sessions.add_participant("Бөлат", {"жасы": "40"})
        p.sessions.map_speaker(s.id, "Бөлат", bolat.id)
        export_qdpx(p, tmp_path / "o.qdpx")
    import_qdpx(tmp_path / "o.qdpx", tmp_path / "q", coder="me")
    with Project.open(tmp_path / "q", readonly=True) as q:
        people = {x.id: (x.pseudonym, x.attributes) for x in q.sessions.participants()}
        assert sorted(people.values()) == [("Anna", {}), ("Бөлат", {"жасы": "40"})]
        (session,) = q.sessions.all()
        mapped = {
            sp.label: people[sp.participant_id][0] if sp.participant_id else None
            for sp in q.sessions.session_speakers(session.id)
        }
    assert mapped == {"Anna": "Anna", "Бөлат": "Бөлат", "Ерлан": None}

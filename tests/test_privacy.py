"""Consent records, the pseudonym mapping, redactions and the audit log (storage API)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.models import Word
from storage.privacy.privacy import excluded_segment_ids, export_text
from storage.privacy.text import Replacement, audio_span, find_names, rewrite
from storage.transcript.transcript import SegmentDraft

RU = "Айгуль сказала, что Айгулем гордятся, а про Айгуле's дом в Алматы молчат."
EN = "Then Marat told Aigul's mother that aigul and AIGUL were late; Aigulova came too."


def _dump(project: Project) -> list[str]:
    return [line for line in project.db.conn.iterdump() if "audit_log" not in line]


@pytest.fixture
def study(project: Project):
    session = project.sessions.add_session("FG Almaty", "focus_group")
    segs = project.transcript.add_segments(
        session.id,
        [
            SegmentDraft(0, 4000, RU, speaker="SPEAKER_00"),
            SegmentDraft(4000, 9000, EN, speaker="SPEAKER_01"),
            SegmentDraft(9000, 12000, "Moderator: thank you all.", speaker="SPEAKER_02"),
        ],
    )
    return project, session, segs


# --------------------------------------------------------------------- pure text helpers
def test_name_matching_finds_inflections_and_keeps_possessives() -> None:
    found = find_names(RU, [("Айгуль", "P01", [])])
    assert [(m.matched, m.kind, m.replacement) for m in found] == [
        ("Айгуль", "exact", "P01"),
        ("Айгулем", "inflected", "P01"),
        ("Айгуле's", "inflected", "P01's"),
    ]
    found = find_names(EN, [("Aigul", "P02", []), ("Marat", "P03", [])])
    assert [(m.matched, m.kind) for m in found] == [
        ("Marat", "exact"),
        ("Aigul's", "exact"),
        ("aigul", "case"),
        ("AIGUL", "case"),
        ("Aigulova", "inflected"),
    ]
    # Whole words only: a name inside a longer word with a long ending is not this person.
    assert find_names("Maratopolisian Amarat", [("Marat", "P03", [])]) == []
    # Rejected inflected forms are left out.
    assert [m.matched for m in find_names(EN, [("Aigul", "P02", ["aigulova"])])] == [
        "Aigul's",
        "aigul",
        "AIGUL",
    ]


def test_rewrite_maps_positions() -> None:
    text = "ab Aigul cd Aigul ef"
    rw = rewrite(text, [Replacement(3, 8, "P1"), Replacement(12, 17, "[NAME]")])
    assert rw.text == "ab P1 cd [NAME] ef"
    assert rw.map_span(0, 2) == (0, 2)
    assert rw.map_span(3, 8) == (3, 5)
    assert rw.map_span(4, 6) == (3, 5)  # inside a replaced span: the whole replacement
    assert rw.map_span(9, 11) == (6, 8)
    assert rw.map_span(18, 20) == (16, 18)
    assert rw.text[16:18] == "ef"


def test_audio_span_uses_words_else_interpolates() -> None:
    text = "we went to Almaty yesterday"
    words = [
        Word(1000, 1200, " we"),
        Word(1200, 1500, " went"),
        Word(1500, 1600, " to"),
        Word(1600, 2300, " Almaty"),
        Word(2300, 3000, " yesterday"),
    ]
    start = text.index("Almaty")
    assert audio_span(text, 1000, 3000, words, start, start + 6, pad_ms=0) == (1600, 2300)
    assert audio_span(text, 1000, 3000, [], start, start + 6, pad_ms=0) == (1814, 2260)
    # Edited text the words no longer match: interpolation.
    assert audio_span("we drove to Almaty", 0, 1800, words, 12, 18, pad_ms=100) == (1500, 2400)
    assert audio_span("we drove to Astana", 0, 1800, words, 12, 18, pad_ms=100) == (1100, 1900)


# --------------------------------------------------------------------- consent
def test_consent_records_update_and_fallback(study) -> None:
    project, session, segs = study
    p1 = project.sessions.add_participant("P01")
    p2 = project.sessions.add_participant("P02")
    project.sessions.map_speaker(session.id, "SPEAKER_00", p1.id)
    project.sessions.map_speaker(session.id, "SPEAKER_01", p2.id)
    general = project.consent.set_consent(
        p1.id, None, recording=True, transcription=True, archiving=False
    )
    c = project.consent.set_consent(
        "P01", session.id, quotation=True, date="2026-03-02", form_ref="F-12"
    )
    assert (c.recording, c.quotation, c.form_ref, c.date) == (None, True, "F-12", "2026-03-02")
    assert project.consent.effective_consent(p1.id, session.id) == {
        "recording": True,
        "transcription": True,
        "quotation": True,
        "archiving": False,
    }
    # Updating only one answer keeps the others.
    c2 = project.consent.set_consent(p1.id, session.id, quotation=False)
    assert c2.id == c.id and c2.quotation is False and c2.form_ref == "F-12"
    assert {x.id for x in project.consent.consents(participant_id=p1.id)} == {general.id, c.id}
    project.consent.set_consent(
        p2.id, session.id, recording=True, transcription=True, quotation=True
    )

    problems = {p.speaker: p for p in project.consent.consent_problems(session.id, "export")}
    assert set(problems) == {"SPEAKER_00", "SPEAKER_02"}
    assert problems["SPEAKER_00"].refused == ["quotation"]
    assert problems["SPEAKER_02"].participant_id is None
    assert "not mapped" in problems["SPEAKER_02"].describe()
    assert project.consent.consent_problems(session.id, "transcription")[0].speaker == "SPEAKER_02"

    # an export leaves out the unmapped SPEAKER_02 too: nobody knows their consent
    assert excluded_segment_ids(project, "export") == {segs[0].id, segs[2].id}
    assert project.consent.excluded_segment_ids("export") == {segs[0].id, segs[2].id}
    # the unmapped SPEAKER_02 whatever the purpose
    assert project.consent.excluded_segment_ids("transcription") == {segs[2].id}
    assert project.consent.excluded_segment_ids("archiving") == {s.id for s in segs}
    assert [e.action for e in project.audit.entries()].count("consent") == 4


def test_bad_consent_input_changes_nothing(study) -> None:
    project, session, _ = study
    p1 = project.sessions.add_participant("P01")
    before = _dump(project)
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
        project.consent.set_consent(p1.id, session.id, recording=True, date="02/03/2026")
    with pytest.raises(NotFoundError, match="No participant"):
        project.consent.set_consent("nobody", session.id, recording=True)
    with pytest.raises(NotFoundError, match="No session"):
        project.consent.set_consent(p1.id, "no-such-session", recording=True)
    with pytest.raises(InvalidInputError, match="Unknown consent purpose"):
        project.consent.consent_problems(session.id, "publishing")
    assert _dump(project) == before


# --------------------------------------------------------------------- pseudonyms
def test_review_then_apply_accepted_candidates_only(study) -> None:
    project, session, segs = study
    project.privacy.set_pseudonym("Айгуль", "P01")
    project.privacy.set_pseudonym("Aigul", "Teacher, Almaty")
    project.privacy.set_pseudonym("Marat", "P03")
    code = project.codebook.ensure_code_path("Family")
    after = EN.index("came")  # a span coding after the names must follow its text
    coding = project.codebook.apply_code(segs[1].id, code.id, start_cp=after, end_cp=after + 4)
    candidates = project.privacy.pseudonym_candidates()
    kinds = {c.matched: c.kind for c in candidates}
    assert kinds == {
        "Айгуль": "exact",
        "Айгулем": "inflected",
        "Айгуле's": "inflected",
        "Marat": "exact",
        "Aigul's": "exact",
        "aigul": "case",
        "AIGUL": "case",
        "Aigulova": "inflected",
    }
    by = {c.matched: c for c in candidates}
    assert by["Айгулем"].context == "Айгуль сказала, что [Айгулем] гордятся, а про Айгуле's дом …"
    reject = {by["Aigulova"].id, by["Айгуле's"].id}
    report = project.privacy.apply_pseudonyms([c.id for c in candidates if c.id not in reject])
    assert (report.replaced, report.segments, report.skipped) == (6, 2, 2)
    texts = [s.text for s in project.transcript.segments(session.id)]
    assert texts[0] == "P01 сказала, что P01 гордятся, а про Айгуле's дом в Алматы молчат."
    assert texts[1] == (
        "Then P03 told Teacher, Almaty's mother that Teacher, Almaty and Teacher, Almaty "
        "were late; Aigulova came too."
    )
    moved = next(c for c in project.codebook.codings() if c.id == coding.id)
    assert texts[1][moved.start_cp : moved.end_cp] == "came"
    # The search index follows, and rejected forms are not offered again.
    assert project.transcript.search("Marat") == []
    assert {h.segment_id for h in project.transcript.search("P03")} == {segs[1].id}
    assert project.privacy.pseudonym_candidates() == []
    entries = {e.pseudonym: e for e in project.privacy.pseudonyms()}
    assert entries["Teacher, Almaty"].exceptions == ["aigulova"]
    assert entries["P01"].exceptions == ["айгуле"]
    log = project.audit.entries(action="pseudonym_apply")[-1]
    assert log.details == {"replaced": 6, "segments": 2, "skipped": 2}
    assert "Aigul" not in json.dumps(
        [e.details for e in project.audit.entries()], ensure_ascii=False
    )


def test_apply_rejects_unknown_ids_and_bad_mappings_without_change(study) -> None:
    project, _, _ = study
    project.privacy.set_pseudonym("Marat", "P03")
    before = _dump(project)
    with pytest.raises(InvalidInputError, match="Unknown candidate id"):
        project.privacy.apply_pseudonyms(["c0000000000"])
    with pytest.raises(InvalidInputError, match="contains the real name"):
        project.privacy.set_pseudonym("Marat", "Marat B.")
    with pytest.raises(InvalidInputError, match="real name and a pseudonym"):
        project.privacy.set_pseudonym("  ", "P9")
    with pytest.raises(NotFoundError):
        project.privacy.remove_pseudonym("Nobody")
    assert _dump(project) == before


def test_apply_renames_speaker_labels_and_word_timings(project: Project) -> None:
    session = project.sessions.add_session("Interview", "interview")
    words = [Word(0, 300, " Hello"), Word(300, 700, " Marat"), Word(700, 900, " again")]
    (seg,) = project.transcript.add_segments(
        session.id, [SegmentDraft(0, 900, "Hello Marat again", speaker="Marat", words=words)]
    )
    project.privacy.set_pseudonym("Marat", "P03")
    project.privacy.apply_pseudonyms()
    seg = project.transcript.get_segment(seg.id)
    assert seg.text == "Hello P03 again" and seg.speaker == "P03"
    assert [w.text for w in seg.words] == [" Hello", " P03", " again"]
    assert [(w.start_ms, w.end_ms) for w in seg.words] == [(0, 300), (300, 700), (700, 900)]


# --------------------------------------------------------------------- redactions and exports
def test_redactions_and_export_filter(study) -> None:
    project, _, segs = study
    project.privacy.set_pseudonym("Айгуль", "P01")
    start = RU.index("Алматы")
    red = project.redactions.redact(segs[0].id, start, start + len("Алматы"), "place")
    assert red.category == "PLACE" and not red.destroyed
    assert export_text(project, segs[0]) == (
        "P01 сказала, что P01 гордятся, а про P01's дом в [PLACE] молчат."
    )
    assert export_text(project, segs[0], pseudonymise=False, redact=False) == RU
    assert "[PLACE]" in export_text(project, segs[0], pseudonymise=False)
    # The original stays in the project.
    assert project.transcript.get_segment(segs[0].id).text == RU
    flt = project.privacy.privacy_filter()
    rw = flt.rewritten(segs[0])
    s, e = rw.map_span(start, start + 6)
    assert rw.text[s:e] == "[PLACE]"
    assert flt.label("Interview with Айгуль") == "Interview with P01"
    project.redactions.remove_redaction(red.id)
    assert "Алматы" in export_text(project, segs[0])
    actions = [e.action for e in project.audit.entries()]
    assert actions[-2:] == ["redact", "unredact"]


def test_bad_redactions_change_nothing(study) -> None:
    project, _, segs = study
    before = _dump(project)
    with pytest.raises(InvalidInputError, match="Invalid span"):
        project.redactions.redact(segs[0].id, 5, 5)
    with pytest.raises(InvalidInputError, match="Invalid span"):
        project.redactions.redact(segs[0].id, 0, len(RU) + 1)
    with pytest.raises(InvalidInputError, match="category"):
        project.redactions.redact(segs[0].id, 0, 3, "place<script>")
    with pytest.raises(InvalidInputError, match="category"):  # a bracket would end the placeholder
        project.redactions.redact(segs[0].id, 0, 3, "МЕСТО]")
    with pytest.raises(NotFoundError):
        project.redactions.redact("nope", 0, 3)
    with pytest.raises(NotFoundError):
        project.redactions.destroy_redactions(["nope"])
    assert _dump(project) == before


def test_audit_log_limit_and_filter(project: Project) -> None:
    for i in range(5):
        project.audit.log_event("export", "session", f"s{i}", {"format": "txt"})
    project.audit.log_event("merge", None, None, {"bundle": "b.fsb"})
    assert [e.target_id for e in project.audit.entries(action="export", limit=2)] == ["s3", "s4"]
    assert project.audit.entries()[-1].action == "merge"
    assert project.audit.entries()[-1].actor == "coder-a"


def test_audit_log_and_mapping_survive_reopen(tmp_path: Path) -> None:
    folder = tmp_path / "P.fieldscribe"
    with Project.create(folder, coder="lead") as p:
        p.privacy.set_pseudonym("Marat", "P03")
    with Project.open(folder) as p:
        assert [e.pseudonym for e in p.privacy.pseudonyms()] == ["P03"]
        assert [e.action for e in p.audit.entries()] == ["pseudonym_set"]

"""Speaker storage: rename, merge, reassign, automatic relabel with cuts, profiles."""

from __future__ import annotations

import sqlite3

import pytest

from storage import (
    InUseError,
    InvalidInputError,
    NotFoundError,
    Project,
    SegmentDraft,
    SegmentRelabel,
    Word,
)
from storage.core.schema import SCHEMA_VERSION, applied_names


def _dump(project: Project) -> list[tuple]:
    return [
        tuple(r)
        for r in project.store.rows(
            "SELECT id, start_ms, end_ms, speaker, text, edited, speaker_edited, words "
            "FROM segments ORDER BY start_ms, seq"
        )
    ] + [tuple(r) for r in project.store.rows("SELECT * FROM session_speakers ORDER BY label")]


@pytest.fixture
def session(project: Project) -> str:
    s = project.sessions.add_session("Focus group 1", kind="focus_group")
    words = [
        Word(0, 300, " Thank", 0.9),
        Word(300, 700, " you.", 0.9),
        Word(1500, 1800, " So,", 0.9),
        Word(1800, 2200, " what", 0.9),
        Word(2200, 2600, " about", 0.9),
        Word(2600, 3600, " e-services?", 0.9),
    ]
    project.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 4000, "Thank you. So, what about e-services?", words=words),
            SegmentDraft(4000, 6000, "We book online now.", speaker="Speaker 2"),
            SegmentDraft(6000, 8000, "Not in our village.", speaker="Speaker 3"),
        ],
    )
    return s.id


def test_migration_adds_profiles_and_speaker_edited(project: Project) -> None:
    assert "0004_speakers" in applied_names(project.db)
    assert SCHEMA_VERSION >= 2
    cols = {r[1] for r in project.store.rows("PRAGMA table_info(speaker_profiles)")}
    assert {"id", "name", "participant_id", "embedding", "model", "created_by", "created_at",
            "updated_at"} <= cols  # fmt: skip
    assert "speaker_edited" in {r[1] for r in project.store.rows("PRAGMA table_info(segments)")}


def test_apply_labels_cuts_and_keeps_edited_flags(project: Project, session: str) -> None:
    first = project.transcript.segments(session)[0]
    counts = project.speakers.apply_speaker_labels(
        session, [SegmentRelabel(first.id, ["Speaker 1", "Speaker 2"], [(11, 1500)])]
    )
    assert counts == {"labelled": 2, "split": 1}
    segs = project.transcript.segments(session)
    assert [(s.text, s.speaker, s.start_ms, s.end_ms) for s in segs[:2]] == [
        ("Thank you.", "Speaker 1", 0, 1500),
        ("So, what about e-services?", "Speaker 2", 1500, 4000),
    ]
    assert [w.text for w in segs[1].words] == [" So,", " what", " about", " e-services?"]
    assert not segs[0].edited and not segs[1].edited  # a cut is not a text correction
    assert project.speakers.speaker_edited_count(session) == 0
    assert [h.segment_id for h in project.transcript.search("e-services")] == [segs[1].id]


def test_apply_labels_with_two_cuts(project: Project, session: str) -> None:
    first = project.transcript.segments(session)[0]
    project.speakers.apply_speaker_labels(
        session, [SegmentRelabel(first.id, ["A", "B", "A"], [(6, 300), (15, 1800)])]
    )
    segs = project.transcript.segments(session)
    assert [(s.text, s.speaker) for s in segs[:3]] == [
        ("Thank", "A"),
        ("you. So,", "B"),
        ("what about e-services?", "A"),
    ]


def test_rename_is_naming_not_a_hand_correction_and_moves_mapping(
    project: Project, session: str
) -> None:
    participant = project.sessions.add_participant("P-young-village")
    project.sessions.map_speaker(session, "Speaker 2", participant.id)
    assert project.speakers.rename_speaker(session, "Speaker 2", "Amina") == 1
    segs = project.transcript.segments(session)
    assert segs[1].speaker == "Amina"
    assert project.speakers.speaker_edited_count(session) == 0  # who spoke was not corrected
    mapped = {s.label: s.participant_id for s in project.sessions.session_speakers(session)}
    assert mapped["Amina"] == participant.id and "Speaker 2" not in mapped


def test_rename_refuses_existing_label_and_changes_nothing(project: Project, session: str) -> None:
    before = _dump(project)
    with pytest.raises(InvalidInputError, match="merge"):
        project.speakers.rename_speaker(session, "Speaker 2", "Speaker 3")
    with pytest.raises(NotFoundError, match="No speaker 'Nobody'"):
        project.speakers.rename_speaker(session, "Nobody", "X")
    with pytest.raises(InvalidInputError, match="must not be empty"):
        project.speakers.rename_speaker(session, "Speaker 2", "  ")
    assert _dump(project) == before


def test_merge_speakers_keeps_the_one_participant_linked(project: Project, session: str) -> None:
    p1 = project.sessions.add_participant("P1")
    project.sessions.map_speaker(session, "Speaker 3", p1.id)
    assert project.speakers.merge_speakers(session, "Speaker 3", "Speaker 2") == 1
    assert [s.speaker for s in project.transcript.segments(session)[1:]] == [
        "Speaker 2",
        "Speaker 2",
    ]
    mapped = {s.label: s.participant_id for s in project.sessions.session_speakers(session)}
    assert mapped == {"Speaker 2": p1.id}  # the source's link, moved to the target


def test_merge_of_two_speakers_linked_to_one_participant_keeps_one_link(
    project: Project, session: str
) -> None:
    p1 = project.sessions.add_participant("P1")
    project.sessions.map_speaker(session, "Speaker 2", p1.id)
    project.sessions.map_speaker(session, "Speaker 3", p1.id)
    assert project.speakers.merge_speakers(session, "Speaker 3", "Speaker 2") == 1
    mapped = {s.label: s.participant_id for s in project.sessions.session_speakers(session)}
    assert mapped == {"Speaker 2": p1.id}
    tomb = project.store.scalar(
        "SELECT count(*) FROM deletions WHERE table_name='session_speakers'"
    )
    assert tomb == 1


def test_merge_of_speakers_linked_to_two_participants_is_refused(
    project: Project, session: str
) -> None:
    """Before, the target's link won silently: P2's words went out as P1's, under P1's
    consent (a participant who refused quotation quoted under one who agreed)."""
    p1, p2 = project.sessions.add_participant("P1"), project.sessions.add_participant("P2")
    project.sessions.map_speaker(session, "Speaker 2", p1.id)
    project.sessions.map_speaker(session, "Speaker 3", p2.id)
    before = _dump(project)
    with pytest.raises(InvalidInputError, match=r"'P2' and 'Speaker 2' to 'P1'.*nothing was"):
        project.speakers.merge_speakers(session, "Speaker 3", "Speaker 2")
    assert _dump(project) == before
    project.sessions.map_speaker(session, "Speaker 3", p1.id)  # one person after all
    assert project.speakers.merge_speakers(session, "Speaker 3", "Speaker 2") == 1


def test_merge_into_itself_refused(project: Project, session: str) -> None:
    before = _dump(project)
    with pytest.raises(InvalidInputError, match="into itself"):
        project.speakers.merge_speakers(session, "Speaker 2", "Speaker 2")
    assert _dump(project) == before


def test_reassign_selection_and_bad_ids(project: Project, session: str) -> None:
    ids = [s.id for s in project.transcript.segments(session)]
    assert project.speakers.reassign_segments(ids[1:], "Moderator") == 2
    assert project.speakers.speaker_edited_ids(session) == set(ids[1:])
    before = _dump(project)
    with pytest.raises(NotFoundError, match="nothing was changed"):
        project.speakers.reassign_segments([ids[0], "no-such-id"], "X")
    with pytest.raises(InvalidInputError, match="No segments selected"):
        project.speakers.reassign_segments([], "X")
    assert _dump(project) == before


def test_update_segment_speaker_is_a_hand_edit(project: Project, session: str) -> None:
    seg = project.transcript.segments(session)[0]
    project.transcript.update_segment(seg.id, speaker="Moderator")
    assert project.speakers.speaker_edited_ids(session) == {seg.id}


def test_relabel_refuses_over_hand_edits_unless_replace(project: Project, session: str) -> None:
    segs = project.transcript.segments(session)
    project.speakers.reassign_segments([segs[1].id], "Amina")
    before = _dump(project)
    plan = [SegmentRelabel(s.id, ["Speaker 9"]) for s in segs]
    with pytest.raises(InUseError, match="--replace"):
        project.speakers.apply_speaker_labels(session, plan)
    assert _dump(project) == before
    project.speakers.apply_speaker_labels(session, plan, replace=True)
    assert {s.speaker for s in project.transcript.segments(session)} == {"Speaker 9"}
    assert project.speakers.speaker_edited_count(session) == 0


def test_relabel_with_foreign_segment_changes_nothing(project: Project, session: str) -> None:
    other = project.sessions.add_session("Other", kind="interview")
    (foreign,) = project.transcript.add_segments(other.id, [SegmentDraft(0, 10, "x")])
    segs = project.transcript.segments(session)
    before = _dump(project)
    with pytest.raises(NotFoundError, match="is not in session"):
        project.speakers.apply_speaker_labels(
            session, [SegmentRelabel(segs[0].id, ["A"]), SegmentRelabel(foreign.id, ["B"])]
        )
    assert _dump(project) == before


def test_speaker_stats(project: Project, session: str) -> None:
    stats = project.speakers.speaker_stats(session)
    assert [(s.label, s.segment_count, s.total_ms) for s in stats] == [
        ("Speaker 2", 1, 2000),
        ("Speaker 3", 1, 2000),
    ]


def test_profiles_roundtrip_float32(project: Project) -> None:
    participant = project.sessions.add_participant("Moderator-A")
    vec = [0.5, -0.25, 1.0e-3, 3.0]
    profile = project.speakers.add_speaker_profile(
        "Moderator", vec, "model-x", participant_id=participant.id, source_ms=12000
    )
    assert profile.embedding == pytest.approx(vec, rel=1e-6)
    blob = project.store.scalar(
        "SELECT embedding FROM speaker_profiles WHERE id = ?", (profile.id,)
    )
    assert isinstance(blob, bytes) and len(blob) == 4 * len(vec)
    assert len(profile.id) == 36 and profile.created_by == "coder-a"
    assert [p.name for p in project.speakers.speaker_profiles("model-x")] == ["Moderator"]
    assert project.speakers.speaker_profiles("other-model") == []
    renamed = project.speakers.update_speaker_profile(
        profile.id, name="Mod", clear_participant=True
    )
    assert renamed.name == "Mod" and renamed.participant_id is None
    project.speakers.delete_speaker_profile(profile.id)
    assert project.speakers.speaker_profiles() == []
    assert project.store.scalar(
        "SELECT count(*) FROM deletions WHERE table_name = 'speaker_profiles' AND row_id = ?",
        (profile.id,),
    )


def test_bad_profiles_refused(project: Project) -> None:
    with pytest.raises(InvalidInputError, match="finite"):
        project.speakers.add_speaker_profile("X", [], "m")
    with pytest.raises(InvalidInputError, match="finite"):
        project.speakers.add_speaker_profile("X", [float("nan")], "m")
    with pytest.raises(NotFoundError, match="participant"):
        project.speakers.add_speaker_profile("X", [1.0], "m", participant_id="nope")
    assert project.speakers.speaker_profiles() == []


def test_deleting_a_participant_keeps_profiles_working(project: Project) -> None:
    participant = project.sessions.add_participant("P")
    project.speakers.add_speaker_profile("X", [1.0, 0.0], "m", participant_id=participant.id)
    project.sessions.delete_participant(participant.id)  # no foreign key to trip over
    assert project.speakers.speaker_profiles()[0].participant_id == participant.id


def test_old_project_gets_the_migration(tmp_path) -> None:
    folder = tmp_path / "Old.fieldscribe"
    with Project.create(folder, coder="a") as p:
        p.db.conn.execute("DROP TABLE speaker_profiles")
        p.db.conn.execute("ALTER TABLE segments DROP COLUMN speaker_edited")
        p.db.conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0004_speakers'")
        p.db.conn.execute("PRAGMA user_version = 1")
    with Project.open(folder) as p:
        assert "0004_speakers" in applied_names(p.db)
        assert p.speakers.speaker_profiles() == []
    conn = sqlite3.connect(folder / "project.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()

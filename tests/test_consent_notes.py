"""A consent warning about unknown consent, acknowledged for a session and a purpose, is not asked
again until what is unknown changes; a refusal is asked about every time."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft
from storage.core.errors import InvalidInputError


def _session(p: Project, speakers: tuple[str, ...] = ("SPEAKER_00", "SPEAKER_01")) -> str:
    sid = p.sessions.add_session("Focus group").id
    drafts = [SegmentDraft(i * 1000, i * 1000 + 900, "text", s) for i, s in enumerate(speakers)]
    p.transcript.add_segments(sid, drafts)
    return sid


def test_unlinked_speakers_acknowledged_are_not_asked_until_something_changes(
    tmp_path: Path,
) -> None:
    with Project.create(tmp_path / "p.fieldscribe", coder="a") as p:
        sid = _session(p)
        other = _session(p)
        assert {x.speaker for x in p.consent_notes.to_ask(sid, "export")} == {
            "SPEAKER_00",
            "SPEAKER_01",
        }
        p.consent_notes.acknowledge(sid, "export")
        assert p.consent_notes.to_ask(sid, "export") == []
        assert p.consent_notes.is_acknowledged(sid, "export")
        # another purpose, another session: still asked
        assert p.consent_notes.to_ask(sid, "transcription")
        assert p.consent_notes.to_ask(other, "export")
        # kept in the project: a new opening of it remembers
        assert [e.action for e in p.audit.entries()][-1] == "consent_unknown_acknowledged"
    with Project.open(tmp_path / "p.fieldscribe", coder="b") as p:
        assert p.consent_notes.to_ask(sid, "export") == []
        # something changes: a speaker linked to a participant without consent recorded
        amira = p.sessions.add_participant("Amira")
        p.sessions.map_speaker(sid, "SPEAKER_00", amira.id)
        asked = p.consent_notes.to_ask(sid, "export")
        assert [x.pseudonym for x in asked if x.participant_id] == ["Amira"]
        # a refusal: always asked, and it cannot be acknowledged
        p.consent.set_consent(amira.id, sid, transcription=True, quotation=False)
        assert p.consent_notes.to_ask(sid, "export")
        with pytest.raises(InvalidInputError, match="refused"):
            p.consent_notes.acknowledge(sid, "export")
        assert p.consent_notes.to_ask(sid, "export")
        # consent complete for her, the other still unknown: asked (it changed), then quiet
        p.consent.set_consent(amira.id, sid, transcription=True, quotation=True)
        assert [x.speaker for x in p.consent_notes.to_ask(sid, "export")] == ["SPEAKER_01"]
        p.consent_notes.acknowledge(sid, "export")
        assert p.consent_notes.to_ask(sid, "export") == []


#: an operation on a session with two speakers A and B and one participant P (linked or not)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("link"), st.sampled_from(["A", "B"])),
        st.tuples(st.just("unlink"), st.sampled_from(["A", "B"])),
        st.tuples(st.just("consent"), st.sampled_from([True, False, None])),
        st.tuples(st.just("ack"), st.sampled_from(["export", "transcription"])),
        st.tuples(st.just("speaker"), st.sampled_from(["C", "D"])),
    ),
    max_size=12,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_asked_exactly_when_unknown_changed_since_acknowledged_or_refused(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, object]]
) -> None:
    """Against a model: asked when there are problems and they hold a refusal or differ from
    those acknowledged last for that purpose (as the problems' own descriptions say)."""
    folder = tmp_path_factory.mktemp("notes") / "p.fieldscribe"
    with Project.create(folder, coder="a") as p:
        sid = _session(p, ("A", "B"))
        person = p.sessions.add_participant("P")
        acked: dict[str, set[str]] = {}  # purpose -> descriptions when acknowledged
        t = 10_000
        for op, arg in ops:
            if op == "link":
                p.sessions.map_speaker(sid, str(arg), person.id)
            elif op == "unlink":
                p.sessions.map_speaker(sid, str(arg), None)
            elif op == "consent":
                p.consent.set_consent(person.id, sid, transcription=arg, quotation=arg)
            elif op == "speaker":
                p.transcript.add_segments(sid, [SegmentDraft(t, t + 500, "more", str(arg))])
                t += 1000
            else:
                purpose = str(arg)
                problems = p.consent.consent_problems(sid, purpose)
                if any(x.refused for x in problems):
                    with pytest.raises(InvalidInputError):
                        p.consent_notes.acknowledge(sid, purpose)
                else:
                    p.consent_notes.acknowledge(sid, purpose)
                    acked[purpose] = {x.describe() for x in problems}
            for purpose in ("export", "transcription"):
                problems = p.consent.consent_problems(sid, purpose)
                now = {x.describe() for x in problems}
                expect = bool(problems) and (
                    any(x.refused for x in problems) or acked.get(purpose) != now
                )
                assert bool(p.consent_notes.to_ask(sid, purpose)) == expect, (op, arg, purpose)


def test_the_acknowledgement_keeps_no_speaker_names(tmp_path: Path) -> None:
    """What was unknown is kept as a digest: a speaker label may be a real name, and the
    project's metadata travels in team bundles."""
    with Project.create(tmp_path / "p.fieldscribe", coder="a") as p:
        sid = _session(p, ("Айгерім Сапарова",))
        p.consent_notes.acknowledge(sid, "export")
        kept = p.get_meta("consent.acknowledged") or ""
        assert sid in kept and "Айгерім" not in kept and "Сапарова" not in kept
        assert p.consent_notes.to_ask(sid, "export") == []

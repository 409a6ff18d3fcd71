"""The audit log's targets named as a researcher knows them, never by a hidden word."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft

WORDS = ["Ну", "в", "поликлинике", "очередь", "Емханада", "кезек", "көп", "Okay", "Алматы"]


def test_each_target_is_named_and_a_gone_one_says_so(project: Project, speech_wav: Path) -> None:
    """The log kept "segment 01a2…", "participant 01a2…": ids nobody knows. They are named
    from the project: a session's title, a segment's session, time and first words (the
    redacted words as their category), a participant's label, a pseudonym (not the real
    name); a session deleted since is "session (deleted)"."""
    s = project.sessions.import_audio(speech_wav, title="Фокус-группа Алматы")
    text = "Ну, в поликлинике очередь большая, записаться невозможно совсем."
    (seg,) = project.transcript.add_segments(s.id, [SegmentDraft(62_000, 64_000, text, "A")])
    project.redactions.redact(seg.id, 4, 17, "place")  # "в поликлинике"
    person = project.sessions.add_participant("Айгерім К.")
    project.consent.set_consent(person.id, s.id, recording=True)
    project.privacy.set_pseudonym("Бақыт", "P02")
    project.privacy.apply_pseudonyms(session_id=s.id)
    other = project.sessions.import_audio(speech_wav, title="Interview Bakyt", again=True)
    project.privacy.apply_pseudonyms(session_id=other.id)
    project.sessions.delete_session(other.id, force=True)
    entries = project.audit.entries()
    names = project.audit.target_names(entries)
    by_action = {(e.action, e.target_id): names[e.id] for e in entries}
    assert by_action[("redact", seg.id)] == (
        "Фокус-группа Алматы 1:02 “Ну, [PLACE] очередь большая, записаться …”"
    )
    assert by_action[("consent", person.id)] == "Айгерім К."
    pseudonym = next(e for e in entries if e.action == "pseudonym_set")
    assert names[pseudonym.id] == "pseudonym P02"  # never the real name
    assert by_action[("pseudonym_apply", s.id)] == "Фокус-группа Алматы"
    assert by_action[("pseudonym_apply", other.id)] == "session (deleted)"
    for name in names.values():
        assert "01" not in name and "поликлинике" not in name and "Бақыт" not in name, name


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=9),
    data=st.data(),
)
def test_a_redacted_word_never_names_a_target(
    project: Project, speech_wav: Path, words: list[str], data: st.DataObject
) -> None:
    """Whatever words a segment holds and whichever of them are redacted, its target name is
    its first words with each redacted run as its category: checked against the words
    rebuilt independently, word by word."""
    sessions = project.sessions.all()
    s = sessions[0] if sessions else project.sessions.import_audio(speech_wav, title="S")
    text = " ".join(words)
    (seg,) = project.transcript.add_segments(s.id, [SegmentDraft(0, 1000, text, "A")])
    hidden = data.draw(st.sets(st.integers(0, len(words) - 1)))
    starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
    for i in sorted(hidden):
        project.redactions.redact(seg.id, starts[i], starts[i] + len(words[i]), "name")
    if not hidden:
        project.redactions.redact(seg.id, 0, len(words[0]), "name")
        hidden = {0}
    redact = next(e for e in project.audit.entries() if e.target_id == seg.id)
    shown = [("[NAME]" if i in hidden else w) for i, w in enumerate(words)]
    said = " ".join(shown[:5]) + (" …" if len(shown) > 5 else "")
    assert project.audit.target_names([redact])[redact.id] == f"S 0:00 “{said}”"

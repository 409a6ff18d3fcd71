"""The language of each segment, speech without transcript, and the project's languages."""

from __future__ import annotations

import pytest

from storage import InvalidInputError, Project, SegmentDraft
from storage.core.languages import parse_languages


@pytest.fixture()
def project(tmp_path):
    p = Project.create(tmp_path / "p.fieldscribe", coder="ana")
    yield p
    p.close()


def test_segments_keep_their_language_and_placeholder_flag(project):
    s = project.sessions.add_session("FG1")
    a, b = project.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 1000, "Сәлеметсіз бе", language="KK"),
            SegmentDraft(1000, 4000, "", language="ru", untranscribed=True),
        ],
    )
    assert (a.language, a.untranscribed) == ("kk", False)
    assert (b.language, b.untranscribed) == ("ru", True)
    # typing into the placeholder makes it a transcript; correcting the language sticks
    b = project.transcript.update_segment(b.id, text="Ну, это сложно.", language="kk")
    assert (b.text, b.language, b.untranscribed, b.edited) == ("Ну, это сложно.", "kk", False, True)
    left, right = project.transcript.split_segment(b.id, 4)
    assert left.language == right.language == "kk"


def test_unknown_language_is_refused_and_nothing_changes(project):
    s = project.sessions.add_session("FG1")
    with pytest.raises(InvalidInputError, match="Unknown language code 'xx'"):
        project.transcript.add_segments(s.id, [SegmentDraft(0, 10, "a", language="xx")])
    assert project.transcript.segments(s.id) == []
    seg = project.transcript.add_segment(s.id, 0, 10, "a")
    with pytest.raises(InvalidInputError):
        project.transcript.update_segment(seg.id, text="b", language="qq")
    assert project.transcript.get_segment(seg.id).text == "a"


def test_project_languages(project):
    assert project.languages == []
    assert project.set_languages("ru, kk,EN,ru") == ["ru", "kk", "en"]
    assert project.languages == ["ru", "kk", "en"]
    with pytest.raises(InvalidInputError, match="'zz'"):
        project.set_languages("ru,zz")
    assert project.languages == ["ru", "kk", "en"]
    project.set_languages("")
    assert project.languages == []


def test_parse_languages_rejects_non_whisper_codes():
    assert parse_languages(["kk"]) == ["kk"]
    with pytest.raises(InvalidInputError):
        parse_languages("kaz")


def test_clearing_a_segments_text_makes_it_speech_without_transcript(project):
    """A coder who clears words nobody can make out (Whisper's invention over real speech) gets
    a "speech without transcript" segment to play and type later, not a blank transcript line:
    before, the flag stayed off, the row showed no text and no amber, the session's count of
    speech without transcript missed it, and exports wrote an empty line ("[00:00:39] ")."""
    from storage.interop.transcript_export import PLACEHOLDER, render_transcript

    s = project.sessions.add_session("Interview")
    (seg,) = project.transcript.add_segments(
        s.id, [SegmentDraft(0, 2000, "ошидың ошидың башайы", language="kk")]
    )
    cleared = project.transcript.update_segment(seg.id, text="  ")
    assert (cleared.text, cleared.untranscribed, cleared.edited) == ("  ", True, True)
    (session,) = project.sessions.all()
    assert session.untranscribed_count == 1
    assert PLACEHOLDER in render_transcript(project, s.id, "txt")
    assert PLACEHOLDER in render_transcript(project, s.id, "srt")
    typed = project.transcript.update_segment(seg.id, text="Очередь была очень большая.")
    assert (typed.untranscribed, typed.edited) == (False, True)

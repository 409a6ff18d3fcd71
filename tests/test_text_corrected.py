"""A segment's hand corrections: its text (typed, pseudonymised) or its language alone.

Re-transcribing one segment whose only hand correction is its language (text untouched) asked
"This segment was corrected by hand (its text or language...)": ``segments.edited`` was one
flag for both. Now ``edited`` is ``EDITED_TEXT`` or ``EDITED_LANGUAGE`` and
``Transcript.text_corrected`` tells them apart; both still protect the segment from a
re-transcription of the session. The GUI's action is tested in tests/gui/test_languages_gui.py,
the command line's in tests/test_cli_segment_edits.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft

TEXTS = ["Очередь большая.", "Кезек көп.", "Okay."]
LANGS = ["ru", "kk", "en"]

_STEP = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(TEXTS)),
    st.tuples(st.just("language"), st.sampled_from(LANGS)),
    st.tuples(st.just("retranscribe"), st.sampled_from(LANGS), st.booleans()),
    st.tuples(st.just("pseudonymise"), st.just("")),
)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(_STEP, max_size=8))
def test_text_corrected_follows_a_model_of_the_edits(
    steps: list[tuple[Any, ...]], tmp_path_factory: Any
) -> None:
    """Any sequence of text edits, language corrections, re-transcriptions (in a language a
    person chose or not) and pseudonymisations: ``text_corrected`` says whether typed or
    pseudonymised text is in the segment now, and the segment stays protected once a person
    touched its text or language."""
    folder: Path = tmp_path_factory.mktemp("p") / "P.fieldscribe"
    with Project.create(folder, name="P", coder="c") as project:
        sid = project.sessions.add_session("S").id
        (seg,) = project.transcript.add_segments(
            sid, [SegmentDraft(0, 1000, "Айгуль говорит.", language="ru")]
        )
        project.privacy.set_pseudonym("Айгуль", "P01")
        # the model: the text, language, whether typed (or pseudonymised) text is in it,
        # whether a person touched its text or language
        text, language, typed, touched = "Айгуль говорит.", "ru", False, False
        for step in steps:
            if step[0] == "text":
                project.transcript.update_segment(seg.id, text=step[1])
                if step[1] != text:
                    text, typed, touched = step[1], True, True
            elif step[0] == "language":
                project.transcript.update_segment(seg.id, language=step[1])
                if step[1] != language:
                    language, touched = step[1], True
            elif step[0] == "retranscribe":
                heard = f"Whisper в {step[1]}: Айгуль."
                project.transcript.replace_transcription(
                    seg.id,
                    text=heard,
                    words=[],
                    confidence=0.9,
                    language=step[1],
                    language_by_hand=step[2],
                )
                touched = touched or (step[2] and step[1] != language)
                text, language, typed = heard, step[1], False
            else:
                project.privacy.apply_pseudonyms(session_id=sid)
                if "Айгуль" in text:
                    text, typed, touched = text.replace("Айгуль", "P01"), True, True
            now = project.transcript.get_segment(seg.id)
            assert (now.text, now.language) == (text, language)
            assert project.transcript.text_corrected(seg.id) is typed
            assert now.edited is touched
            stats = project.transcription.transcript_stats(sid)
            assert (stats.edited, stats.untouched) == (int(touched), int(not touched))

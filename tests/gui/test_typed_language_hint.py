"""Text typed in another script than its segment's language: the status bar says how to set
the language (a walkthrough typed Russian over a segment Whisper took for English: its badge
stayed "EN", and the export and the language filter went on calling it English)."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from gui.segment_edits import script_hint
from gui.select_row import select_row
from storage import Project, SegmentDraft
from storage.core.languages import KAZAKH_PLAIN_WORDS

RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
CYRILLIC = RUSSIAN + "әғқңөұүһі"
LATIN = "abcdefghijklmnopqrstuvwxyz"


def _words(letters: str) -> Any:
    return st.lists(st.text(letters, min_size=1, max_size=8), min_size=1, max_size=6).map(" ".join)


@given(_words(CYRILLIC), st.sampled_from(["en", "de", "tr"]))
def test_cyrillic_text_in_a_latin_language_is_said(text: str, language: str) -> None:
    hint = script_hint(text, language, ["ru", "kk", "en"])
    assert "Cyrillic" in hint and "Set language" in hint, hint


@given(_words(RUSSIAN), st.sampled_from(["ru", "kk"]))
def test_cyrillic_text_in_a_cyrillic_language_says_nothing(text: str, language: str) -> None:
    """Russian letters alone say nothing, but for Kazakh's own words written in them ("ба",
    "мен", ``KAZAKH_PLAIN_WORDS``), which may point a segment marked Russian to Kazakh (a
    random draw of "ба" failed a CI run)."""
    assume(not any(word in KAZAKH_PLAIN_WORDS for word in text.split()))
    assert script_hint(text, language, ["ru", "kk", "en"]) == ""


@given(_words(CYRILLIC))
def test_any_cyrillic_text_in_a_kazakh_segment_says_nothing(text: str) -> None:
    assert script_hint(text, "kk", ["ru", "kk", "en"]) == ""


def test_kazakh_typed_into_a_russian_segment_says_so() -> None:
    """A walkthrough typed Kazakh into speech without transcript that Whisper had heard as
    Russian: the badge stayed RU (the docx export tagged it ru-RU, the Kazakh filters left it
    out) and nothing was said, the script being the same."""
    expected = ["ru", "kk", "en"]
    hint = script_hint("Ал бірақ қалада жағдай басқа.", "ru", expected)
    assert "Kazakh letters" in hint and "marked Russian (is it Kazakh?)" in hint, hint
    assert "Ctrl+L" in hint
    hint = script_hint("Шынымды айтсам, дәрігерге екі рет жазылмақ болдым.", "ru", expected)
    assert "is it Kazakh?" in hint, hint
    # Russian with a Kazakh word or a Kazakh name in it: nothing said (code-switching)
    assert (
        script_hint("Я думаю, что электронное үкімет удобно, но интернет плохой.", "ru", expected)
        == ""
    )
    assert script_hint("Потом сказала Ғалия, что очередь большая.", "ru", expected) == ""
    # a project that does not expect Kazakh: nothing to point to
    assert script_hint("Ал бірақ қалада жағдай басқа.", "ru", ["ru", "en"]) == ""


@given(_words(LATIN))
def test_latin_text_in_russian_is_said_and_english_named(text: str) -> None:
    hint = script_hint(text, "ru", ["ru", "kk", "en"])
    assert "The text is in Latin but the segment is marked Russian" in hint, hint
    assert "is it English?" in hint, hint
    assert script_hint(text, "en", ["ru", "kk", "en"]) == ""


def test_the_letters_name_the_language_when_they_can() -> None:
    expected = ["ru", "kk", "en"]
    assert "is it Russian?" in script_hint("Очередь большая.", "en", expected)
    assert "is it Kazakh?" in script_hint("Кезек көп.", "en", expected)
    # no project languages: the script is said, no language guessed
    assert "?" not in script_hint("Очередь большая.", "en", [])
    # nothing to go by: no letters
    assert script_hint("12:30 …", "en", expected) == ""
    assert script_hint("12:30 …", None, expected) == ""


def test_text_typed_into_a_segment_without_language_says_how_to_set_it() -> None:
    """Speech without transcript can have no language (nobody's reading was sure): typed in,
    Search's and Retrieval's language filters left it out, and nothing said so."""
    expected = ["ru", "kk", "en"]
    hint = script_hint("Я записалась к врачу через интернет.", None, expected)
    assert hint.startswith("The segment has no language (is it Russian?)") and "Ctrl+L" in hint
    assert "(is it Kazakh?)" in script_hint("Біздің ауылда емхана жаңа ашылды.", None, expected)
    assert script_hint("Okay.", None, []) == ""  # a project that names no languages


def test_typing_russian_over_an_english_segment_says_so(
    window: Any, project: Project, idle: Any
) -> None:
    project.set_languages("ru,kk,en")
    s = project.sessions.add_session("Фокус-группа")
    project.transcript.add_segments(s.id, [SegmentDraft(0, 900, "Okay, thank you.", language="en")])
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(s.id)
    idle(window)
    select_row(window.transcript, 0)
    idle(window)
    editor = window.segment_editor
    editor.setPlainText("Спасибо. Очередь в ЦОНе была большая.")
    editor.commit()
    idle(window)
    said = window.statusBar().currentMessage()
    assert "marked English (is it Russian?)" in said and "Ctrl+L" in said, said
    assert window.project.transcript.segments(s.id)[0].text.startswith("Спасибо")
    # the same script: nothing said
    window.statusBar().clearMessage()
    editor.setPlainText("Okay, thank you very much.")
    editor.commit()
    idle(window)
    assert "marked" not in window.statusBar().currentMessage()


def test_typing_kazakh_into_a_placeholder_heard_as_russian_says_so(
    window: Any, project: Project, idle: Any
) -> None:
    project.set_languages("ru,kk,en")
    s = project.sessions.add_session("Фокус-группа")
    draft = SegmentDraft(0, 2900, "", language="ru", untranscribed=True)
    project.transcript.add_segments(s.id, [draft])
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(s.id)
    idle(window)
    select_row(window.transcript, 0)
    idle(window)
    window.segment_editor.setPlainText("Ал бірақ қалада жағдай басқа.")
    window.segment_editor.commit()
    idle(window)
    said = window.statusBar().currentMessage()
    assert "Kazakh letters" in said and "marked Russian (is it Kazakh?)" in said, said


def test_typing_into_speech_without_transcript_and_language_says_to_set_it(
    window: Any, project: Project, idle: Any
) -> None:
    project.set_languages("ru,kk,en")
    s = project.sessions.add_session("Интервью")
    draft = SegmentDraft(0, 2900, "", language=None, untranscribed=True)
    project.transcript.add_segments(s.id, [draft])
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(s.id)
    idle(window)
    select_row(window.transcript, 0)
    idle(window)
    window.segment_editor.setPlainText("Я записалась к врачу через интернет.")
    window.segment_editor.commit()
    idle(window)
    said = window.statusBar().currentMessage()
    assert "has no language (is it Russian?)" in said and "Ctrl+L" in said, said


def test_the_kazakh_letters_hint_reads_whole_in_the_status_bar_at_1024(
    window: Any, project: Project, idle: Any
) -> None:
    """The hint was first "The text is written with Kazakh letters (ә ғ қ ң ө ұ ү һ і) but the
    segment is marked Russian…": on a 1024-pixel window the status bar cut its middle ("the
    segm…arked Russian"), the very words that say what is wrong."""
    project.set_languages("ru,kk,en")
    s = project.sessions.add_session("Фокус-группа")
    project.transcript.add_segments(s.id, [SegmentDraft(0, 900, "Иә.", language="ru")])
    window.resize(1024, 700)
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(s.id)
    idle(window)
    select_row(window.transcript, 0)
    idle(window)
    window.segment_editor.setPlainText("Ал бірақ қалада жағдай басқа.")
    window.segment_editor.commit()
    idle(window)
    bar = window.statusBar()
    said = bar.currentMessage()
    assert "marked Russian (is it Kazakh?)" in said, said
    assert bar.shown_text() == said  # drawn whole, not cut in the middle

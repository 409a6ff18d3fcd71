"""Languages in the workbench: badges, speech without transcript, Set language…, re-transcribe,
language filters in search and retrieval, the New Project and Project settings languages."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from gui.languages import UNKNOWN_LANGUAGE
from gui.models.segments import (
    COL_LANG,
    COL_TEXT,
    PLACEHOLDER_TEXT,
    UNTRANSCRIBED_ROLE,
    SegmentTableModel,
)
from gui.models.sessions import STATUS_COL
from storage import Project, SegmentDraft

RU = "Ну, в поликлинике очередь большая, записаться невозможно."
KK = "Емханада кезек көп, бірақ дәрігерлер жақсы қарайды."
MIXED = "Я думаю, что электронное үкімет удобно, но интернет в ауыле нашар."


@pytest.fixture
def project(tmp_path: Path, speech_wav: Path) -> Iterator[Project]:
    """A Russian/Kazakh focus group with audio and one stretch of speech without transcript."""
    with Project.create(tmp_path / "Almaty.fieldscribe", name="Almaty", coder="aigerim") as p:
        p.set_languages("ru,kk")
        s = p.sessions.import_audio(speech_wav, kind="focus_group", title="Фокус-группа Алматы")
        segs = p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 900, RU, speaker="Модератор", language="ru"),
                SegmentDraft(900, 1800, KK, speaker="Айгерім", language="kk"),
                SegmentDraft(1800, 2600, "", speaker="Айгерім", language="kk", untranscribed=True),
                SegmentDraft(2600, 3400, MIXED, speaker="Ержан", language="ru"),
                SegmentDraft(3400, 4000, "Okay, thank you.", speaker="Модератор"),
            ],
        )
        code = p.codebook.ensure_code_path("Услуги/Здоровье")
        for seg in (segs[0], segs[1]):
            p.codebook.apply_code(seg.id, code.id)
        yield p


def _opened(window: Any, qtbot: Any, idle: Any) -> None:
    idle(window)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 5, timeout=10000)
    idle(window)


def test_model_shows_language_badge_and_placeholder(project: Project) -> None:
    model = SegmentTableModel()
    sid = project.sessions.all()[0].id
    model.load(sid, project.retrieval.transcript_columns(sid))
    assert [model.index(r, COL_LANG).data() for r in range(5)] == ["RU", "KK", "KK", "RU", ""]
    assert "Kazakh (kk)" in model.index(1, COL_LANG).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(4, COL_LANG).data(Qt.ItemDataRole.ToolTipRole).startswith("Language unknown")
    placeholder = model.index(2, COL_TEXT)
    assert placeholder.data() == PLACEHOLDER_TEXT
    assert placeholder.data(Qt.ItemDataRole.EditRole) == ""  # the editor opens empty
    assert placeholder.data(UNTRANSCRIBED_ROLE) is True
    assert placeholder.data(Qt.ItemDataRole.FontRole).italic()
    assert placeholder.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "type what was said" in placeholder.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, COL_TEXT).data(Qt.ItemDataRole.FontRole) is None
    assert model.untranscribed_count() == 1 and model.languages() == ["kk", "ru"]


def test_the_headers_and_the_lists_tooltips_name_the_languages(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """The header over the transcript reads "KK · RU"; its tooltip said the same codes again
    and the Sessions list's "Languages: KK, RU", with no name of either. Both now name them,
    the header's with how many segments each has."""
    _opened(window, qtbot, idle)
    tip = window.transcript_label.toolTip()
    assert "Languages: Kazakh (KK) 2 segments, Russian (RU) 2 segments" in tip, tip
    session_tip = window.sessions_model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Languages: Kazakh (KK), Russian (RU)" in session_tip, session_tip


def test_workbench_counts_and_typing_into_the_placeholder(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    _opened(window, qtbot, idle)
    label = window.transcript_label.full_text()  # shortened to fit 800 px
    assert "1 without transcript" in label and "KK · RU" in label
    status = window.sessions_model.index(0, STATUS_COL).data()
    assert status == "2 coded · 1 no text"
    assert "speech without transcript" in window.sessions_model.index(0, 0).data(
        Qt.ItemDataRole.ToolTipRole
    )
    gap = window.segment_model.segment(2)
    assert gap.untranscribed
    window.transcript.go_to_row(2)
    assert "type what was said" in window.segment_editor.placeholderText()
    window.sessions.play_current()  # playable like any segment
    window.editing.edit_text(gap.id, "Иә, солай, кезек өте ұзын.")
    idle(window)
    assert not window.segment_model.is_placeholder(2)
    assert window.segment_model.index(2, COL_TEXT).data() == "Иә, солай, кезек өте ұзын."
    stored = project.transcript.get_segment(gap.id)
    assert not stored.untranscribed and stored.language == "kk"
    assert "without transcript" not in window.transcript_label.text()
    qtbot.waitUntil(lambda: window.sessions_model.index(0, STATUS_COL).data() == "2 coded")
    window.undo_stack.undo()
    idle(window)
    assert window.segment_model.is_placeholder(2)
    assert project.transcript.get_segment(gap.id).untranscribed


def test_clearing_a_segments_text_in_the_editor_marks_it_speech_without_transcript(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """Words nobody can make out are cleared in the editor: the row becomes amber speech
    without transcript (to play and type later), counted in the heading and the sessions list,
    and Undo brings the words back. Before, it became a blank row nothing pointed to."""
    _opened(window, qtbot, idle)
    mixed = window.segment_model.segment(3)
    window.transcript.go_to_row(3)
    window.segment_editor.setPlainText("")
    window.segment_editor.commit()
    idle(window)
    assert window.segment_model.is_placeholder(3)
    assert window.segment_model.index(3, COL_TEXT).data() == PLACEHOLDER_TEXT
    assert project.transcript.get_segment(mixed.id).untranscribed
    assert "2 without transcript" in window.transcript_label.full_text()
    qtbot.waitUntil(
        lambda: window.sessions_model.index(0, STATUS_COL).data() == "2 coded · 2 no text"
    )
    window.undo_stack.undo()
    idle(window)
    assert not window.segment_model.is_placeholder(3)
    assert project.transcript.get_segment(mixed.id).text == MIXED
    assert "1 without transcript" in window.transcript_label.full_text()


def test_set_language_is_undoable_and_offers_project_languages_first(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _opened(window, qtbot, idle)
    asked: dict[str, Any] = {}

    def choose(_parent: Any, languages: list[str], current: str | None) -> str:
        asked.update(languages=languages, current=current)
        return "kk"

    monkeypatch.setattr("gui.segment_edits.choose_language", choose)
    window.transcript.go_to_row(0)
    assert window.editing.act_set_language in window.transcript.actions()
    window.editing.act_set_language.trigger()
    idle(window)
    assert asked == {"languages": ["ru", "kk"], "current": "ru"}
    seg_id = window.segment_model.segment(0).id
    assert project.transcript.get_segment(seg_id).language == "kk"
    assert window.segment_model.index(0, COL_LANG).data() == "KK"
    window.undo_stack.undo()
    idle(window)
    assert project.transcript.get_segment(seg_id).language == "ru"
    assert window.segment_model.index(0, COL_LANG).data() == "RU"


def test_set_language_says_how_to_read_the_audio_again_in_it(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recording walk: Edit ▸ Set language… on Russian speech written as English changed the
    badge and said nothing; the text stays as it was, and the way to re-read the audio in the
    language set was not in sight."""
    _opened(window, qtbot, idle)
    monkeypatch.setattr("gui.segment_edits.choose_language", lambda *_a: "kk")
    window.transcript.go_to_row(0)
    window.editing.act_set_language.trigger()
    idle(window)
    said = window.statusBar().currentMessage()
    assert "Language set to Kazakh; the text is unchanged" in said, said
    assert "Re-transcribe segment" in said and "again in Kazakh" in said
    assert window.statusBar().fontMetrics().horizontalAdvance(said) < 1024 - 40


def test_language_choices_put_the_project_first() -> None:
    from gui.languages import language_choices

    choices = language_choices(["ru", "kk"])
    assert [code for _l, code in choices[:2]] == ["ru", "kk"]
    assert choices[0][0] == "Russian (ru)"
    assert len({code for _l, code in choices}) == len(choices) > 90


def test_retranscribe_segment_runs_in_the_background(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    _opened(window, qtbot, idle)
    calls: list[tuple[str, str | None]] = []

    def fake(p: Project, segment_id: str, *, language: str | None = None, cancel: Any = None):
        calls.append((segment_id, language))
        assert threading.current_thread() is not threading.main_thread()  # a worker
        return p.transcript.update_segment(segment_id, text="Кезек бар.", language=language)

    window.transcription.segment_retranscriber = fake
    gap = window.segment_model.segment(2)
    window.transcript.go_to_row(2)
    assert window.transcription.act_retranscribe in window.transcript.actions()
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert calls == [(gap.id, "kk")]
    assert window.segment_model.index(2, COL_TEXT).data() == "Кезек бар."
    assert window.segment_editor.toPlainText() == "Кезек бар."
    assert "without transcript" not in window.transcript_label.text()


def test_retranscribe_with_the_real_engine(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    runner = pytest.importorskip("transcribe.runner")
    if not hasattr(runner, "retranscribe_segment"):
        pytest.skip("transcribe.runner.retranscribe_segment is not there yet")
    _opened(window, qtbot, idle)
    seg = window.segment_model.segment(4)
    window.transcription.retranscribe_segment(seg.id, language="en")
    idle(window, timeout=300000)
    assert window.last_error == ""
    after = project.transcript.get_segment(seg.id)
    # new text in English, or nothing heard (past the end of the short recording): left as it was
    assert after.language == "en" or (after.text, after.language) == (seg.text, seg.language)


def test_search_and_retrieval_filter_by_language(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    _opened(window, qtbot, idle)
    panel = window.search_panel
    box = panel.language_box
    assert [box.itemData(i) for i in range(box.count())] == [None, "ru", "kk", ""]
    panel.query.setText("очередь OR кезек")
    window.sessions.run_search(panel.query.text())
    idle(window)
    assert panel.results.count() == 2
    box.setCurrentIndex(box.findData("kk"))
    box.activated.emit(box.currentIndex())
    idle(window)
    assert panel.results.count() == 1
    assert "[KK]" in panel.results.item(0).text()

    window.docks.retrieve_code(project.codebook.find_code("Услуги/Здоровье").id)
    idle(window)
    retrieval = window.retrieval
    assert retrieval is not None and retrieval.model.rowCount() == 2
    lang = retrieval.language_box
    lang.setCurrentIndex(lang.findData("ru"))
    lang.activated.emit(lang.currentIndex())
    idle(window)
    assert [r.language for r in retrieval.model.rows] == ["ru"]


def test_a_search_that_finds_nothing_in_the_language_chosen_says_where_it_found(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """A day at 1024x700: "интернет" searched with the filter on English said "Nothing
    found." while two Kazakh segments say it, as if the word were nowhere in the project. It
    now says how many segments in other languages match, and that All languages shows them
    (here "очередь", Russian, with the filter on Kazakh)."""
    _opened(window, qtbot, idle)
    panel = window.search_panel
    box = panel.language_box
    box.setCurrentIndex(box.findData("kk"))
    panel.query.setText("очередь")
    window.sessions.run_search(panel.query.text())
    idle(window)
    assert panel.info.text() == "Nothing found."
    assert panel.message.isVisible()
    assert panel.message.text() == (
        "1 segment in other languages matches: choose All languages to see it."
    )
    box.setCurrentIndex(box.findData(None))
    box.activated.emit(box.currentIndex())
    idle(window)
    assert panel.results.count() == 1 and not panel.message.isVisible()


def test_search_and_retrieval_find_the_segments_of_no_known_language(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """Segments nobody gave a language to (here "Okay, thank you.") were in no language filter
    but "All": the store could find them (language "") and the workbench offered no way to."""
    _opened(window, qtbot, idle)
    untagged = window.segment_model.segment(4)
    project.codebook.apply_code(untagged.id, project.codebook.find_code("Услуги/Здоровье").id)
    panel = window.search_panel
    box = panel.language_box
    box.setCurrentIndex(box.findText(UNKNOWN_LANGUAGE))
    assert panel.language() == ""
    panel.query.setText("очередь OR кезек OR thank")
    window.sessions.run_search(panel.query.text())
    idle(window)
    assert panel.hit_segments() == [untagged.id]
    window.docks.retrieve_code(project.codebook.find_code("Услуги/Здоровье").id)
    idle(window)
    retrieval = window.retrieval
    assert retrieval is not None and retrieval.model.rowCount() == 3
    lang = retrieval.language_box
    lang.setCurrentIndex(lang.findText(UNKNOWN_LANGUAGE))
    lang.activated.emit(lang.currentIndex())
    idle(window)
    assert [(r.segment_id, r.language) for r in retrieval.model.rows] == [(untagged.id, None)]


def test_new_project_languages_checked_before_anything_is_created(
    window: Any, qtbot: Any, idle: Any, tmp_path: Path
) -> None:
    from gui.languages import LanguagesDialog

    bad = tmp_path / "bad.fieldscribe"
    assert window.projects.create_project(bad, "ru,kz") is None
    assert "Unknown language code 'kz'" in window.last_error
    assert not bad.exists()

    dialog = LanguagesDialog(None, window)
    qtbot.addWidget(dialog)
    dialog.field.edit.setText("ru, kaz")
    dialog.accept()
    assert dialog.result() == 0 and "kaz" in dialog.field.status.text()
    dialog.field.edit.setText("ru, kk, EN")
    assert "kk (Kazakh)" in dialog.field.status.text()
    dialog.accept()
    assert dialog.result_codes == ["ru", "kk", "en"]

    good = window.projects.create_project(tmp_path / "good.fieldscribe", dialog.result_codes)
    idle(window)
    assert good is not None and window.project is good and good.languages == ["ru", "kk", "en"]


def test_project_settings_change_the_languages(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    _opened(window, qtbot, idle)
    assert window.act_project_settings.isEnabled()
    window.projects.set_languages(["kk", "ru", "en"])
    idle(window)
    assert project.languages == ["kk", "ru", "en"]
    box = window.search_panel.language_box
    qtbot.waitUntil(lambda: box.count() == 5)
    assert [box.itemData(i) for i in range(box.count())] == [None, "kk", "ru", "en", ""]


def _pick_in_project_settings(
    monkeypatch: pytest.MonkeyPatch, box_name: str, data: str
) -> list[tuple[str, list[str]]]:
    """File ▸ Project settings answered as a user does: in the dialog's ``box_name`` combo,
    the entry whose data is ``data``, then OK. Returns, per dialog, what the box showed and
    the entries it offered."""
    from gui.languages import LanguagesDialog

    seen: list[tuple[str, list[str]]] = []

    def choose(dialog: LanguagesDialog) -> bool:
        box = getattr(dialog, box_name)
        assert box is not None
        seen.append((box.currentText(), [box.itemText(i) for i in range(box.count())]))
        box.setCurrentIndex(box.findData(data))
        dialog.accept()
        return True

    monkeypatch.setattr(LanguagesDialog, "exec", choose)
    return seen


def test_project_settings_choose_the_model_the_project_transcribes_with(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings ▸ Models installs models; File ▸ Project settings picks the one a project
    transcribes with (Automatic: the default for its languages)."""
    from gui.languages import AUTOMATIC_MODEL, LanguagesDialog

    _opened(window, qtbot, idle)
    seen = _pick_in_project_settings(monkeypatch, "model_box", "tiny.en")
    window.projects.project_settings_dialog()
    idle(window)
    offered = seen[0][1]
    assert offered[0] == AUTOMATIC_MODEL and "tiny.en" in offered
    assert project.model == "tiny.en" and project.languages == ["ru", "kk"]
    # and back to automatic; a new project's dialog asks for no model
    dialog = LanguagesDialog(["ru"], models=["tiny.en"], model="tiny.en")
    assert dialog.model_box is not None and dialog.model_box.currentData() == "tiny.en"
    dialog.model_box.setCurrentIndex(0)
    dialog.accept()
    assert dialog.result_model is None
    assert LanguagesDialog(["ru"]).model_box is None


def test_project_settings_choose_how_numbers_are_written(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File ▸ Project settings: numbers as said (the default) or as digits."""
    from gui.languages import NUMBER_CHOICES, LanguagesDialog

    _opened(window, qtbot, idle)
    assert project.numbers == "words"
    seen = _pick_in_project_settings(monkeypatch, "numbers_box", "digits")
    window.projects.project_settings_dialog()
    idle(window)
    assert [shown for shown, _offered in seen] == [NUMBER_CHOICES["words"]]
    assert project.numbers == "digits" and project.languages == ["ru", "kk"]
    assert "numbers as digits" in window.statusBar().currentMessage()
    assert LanguagesDialog(["ru"]).numbers_box is None  # New project asks only for languages


@pytest.mark.parametrize("size", [(1366, 768), (1024, 700)])
def test_workbench_screenshot(
    window: Any, qtbot: Any, idle: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    _opened(window, qtbot, idle)
    window.resize(*size)
    window.sessions_dock.raise_()
    window.transcript.go_to_row(0)  # the placeholder row unselected: its own colours show
    qtbot.wait(100)
    assert window.width() == size[0]  # the docks' filters fit the screen
    shots = Path(os.environ.get("FIELDSCRIBE_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    path = shots / f"workbench-languages-{size[0]}x{size[1]}.png"
    assert window.grab().save(str(path))
    badge = window.transcript.visualRect(window.segment_model.index(1, COL_LANG))
    text = window.transcript.visualRect(window.segment_model.index(2, COL_TEXT))
    assert badge.width() >= 40 and text.width() > 200  # the badge and the placeholder fit


def test_what_the_user_must_know_after_a_transcription_shows_once_in_a_box(
    qtbot: Any,
    qsettings: Any,
    project: Project,
    idle: Any,
    speech_wav: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A summary's notes (a model switched, languages to set) go to the status bar and, once
    per window, to a message box that does not block."""
    import subprocess

    from PySide6.QtWidgets import QMessageBox

    from gui.main_window import MainWindow
    from tests.gui.gui_helpers import make_fake_transcriber
    from transcribe.notes import Note

    fake = make_fake_transcriber()
    said = "The project expects no particular languages, and Whisper identified Russian, Kazakh"
    note = f"{said}: set them in File ▸ Project settings."  # the workbench's wording
    cli_note = Note(f"{said}: fieldscribe languages DIR --set ru,kk.", gui=note)

    def with_note(*args: Any, **kwargs: Any) -> Any:
        summary = fake(*args, **kwargs)
        summary.notes.append(cli_note)
        return summary

    yes = QMessageBox.StandardButton.Yes  # "Transcribe anyway" (consent not recorded)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: yes))
    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(project, transcriber=with_note, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    second = tmp_path / "second.wav"  # other audio than the project's first session
    subprocess.run(["sox", str(speech_wav), str(second), "reverse"], check=True)
    w.transcription.import_files([second])
    idle(w)
    assert len(project.sessions.all()) == 2
    for session in project.sessions.all():
        w.transcription.start_transcription(session.id)
        idle(w)
    boxes = [b for b in w.findChildren(QMessageBox) if note in b.text()]
    assert len(boxes) == 1 and boxes[0].isVisible()
    assert re.search(r"^Transcribed “[^”]+” with \S+: 4 segments\.", boxes[0].text())
    assert w.transcription.last_notes == [note]
    assert note in w.statusBar().currentMessage()
    assert "fieldscribe" not in boxes[0].text()  # no terminal commands in the workbench
    w.close()


def test_sessions_transcribed_together_are_named_and_one_advice_is_boxed_once(
    qtbot: Any,
    qsettings: Any,
    project: Project,
    idle: Any,
    speech_wav: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Walk at 1024x700 (real base model): four recordings imported at once, three with Kazakh,
    opened three boxes one after another, "Transcribed: 1 segment. 1 segment in Kazakh was
    written with the small model 'base'…", then "2 segments…", then "3 segments…", none saying
    which session it was about. Each message names its session; the advice is boxed once."""
    import subprocess

    from PySide6.QtWidgets import QMessageBox

    from gui.main_window import MainWindow
    from tests.gui.gui_helpers import make_fake_transcriber
    from transcribe.run_notes import small_model_hint

    fake = make_fake_transcriber()
    runs = iter([{"kk": 1}, {"kk": 2, "ru": 1}])

    def kazakh(*args: Any, **kwargs: Any) -> Any:
        summary = fake(*args, **kwargs)
        summary.identified = next(runs)
        summary.notes.extend(small_model_hint(summary.identified, "base"))
        return summary

    yes = QMessageBox.StandardButton.Yes  # "Transcribe anyway" (consent not recorded)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: yes))
    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(project, transcriber=kazakh, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    second = tmp_path / "Сұхбат 2.wav"
    subprocess.run(["sox", str(speech_wav), str(second), "reverse"], check=True)
    w.transcription.import_files([second])
    idle(w)
    messages = []
    for session in project.sessions.all():
        w.transcription.start_transcription(session.id)
        idle(w)
        messages.append(w.statusBar().currentMessage())
    titles = [s.title for s in project.sessions.all()]
    assert titles[1] == "Сұхбат 2"
    for title, message in zip(titles, messages, strict=True):
        assert re.match(rf"Transcribed “{title}” with \S+: 4 segments", message), message
    boxes = [b for b in w.findChildren(QMessageBox) if "small model" in b.text()]
    assert len(boxes) == 1, [b.text() for b in boxes]
    assert re.match(rf"Transcribed “{titles[0]}” with \S+: 4 segments \(KK\)\.", boxes[0].text())
    assert "1 segment in Kazakh was written" in boxes[0].text()
    assert "2 segments in Kazakh were written" in messages[1]  # the status bar has the counts
    w.close()


def _said_after_run(
    qtbot: Any, idle: Any, project: Project, qsettings: Any, monkeypatch: Any, transcriber: Any
) -> str:
    """What the status bar says once a window has transcribed the project's first session with
    ``transcriber`` (answering "Transcribe anyway": consent is not recorded)."""
    from PySide6.QtWidgets import QMessageBox

    from gui.main_window import MainWindow

    yes = QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: yes))
    w = MainWindow(project, transcriber=transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    w.transcription.start_transcription(project.sessions.all()[0].id)
    idle(w)
    message: str = w.statusBar().currentMessage()
    w.close()
    return message


def test_the_status_bar_says_how_much_of_each_language_a_transcription_heard(
    qtbot: Any, qsettings: Any, project: Project, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:

    from tests.gui.gui_helpers import make_fake_transcriber

    fake = make_fake_transcriber()

    def mixed(*args: Any, **kwargs: Any) -> Any:
        summary = fake(*args, **kwargs)
        summary.identified = {"kk": 1, "ru": 2, "en": 1}
        return summary

    message = _said_after_run(qtbot, idle, project, qsettings, monkeypatch, mixed)
    assert "(RU 2, KK 1, EN 1)" in message


def test_the_status_bar_names_the_one_language_a_transcription_heard(
    qtbot: Any, qsettings: Any, project: Project, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walkthrough (kk-real after adding de in Project settings): "Transcribed “kk-real” with
    base: 3 segments." named no language, where a recording that switches named each; whether
    the run heard Kazakh (or took it for Russian) was in the badges only."""
    from tests.gui.gui_helpers import make_fake_transcriber

    fake = make_fake_transcriber()

    def kazakh(*args: Any, **kwargs: Any) -> Any:
        summary = fake(*args, **kwargs)
        summary.identified = {"kk": 4}
        return summary

    message = _said_after_run(qtbot, idle, project, qsettings, monkeypatch, kazakh)
    assert ": 4 segments (KK)" in message, message


def test_the_status_bar_says_when_a_recording_held_no_speech(
    qtbot: Any, qsettings: Any, project: Project, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A recording of silence or room noise: '0 segments' alone reads like a lost transcript."""

    from transcribe.runner import TranscriptionSummary

    def nothing(_project: Any, session_id: str, **_kwargs: Any) -> Any:
        return TranscriptionSummary(session_id, "base", None, 0, 20000, 0.5, 0, False)

    message = _said_after_run(qtbot, idle, project, qsettings, monkeypatch, nothing)
    assert ": 0 segments" in message and "no speech found" in message


@contextmanager
def _long_session(
    qtbot: Any, qsettings: Any, idle: Any, tmp_path: Path, wav: Path, text: str, language: str
) -> Iterator[Any]:
    """A window at 1024x700 showing a session of 40 segments, each "N. ``text``" in
    ``language``; closed afterwards."""
    from gui.main_window import MainWindow

    with Project.create(tmp_path / "Long.fieldscribe", name="Long", coder="aigerim") as p:
        s = p.sessions.import_audio(wav, kind="focus_group", title="Long answers")
        p.transcript.add_segments(
            s.id,
            [SegmentDraft(i * 1000, i * 1000 + 900, f"{i}. {text}", language=language)
             for i in range(40)],
        )  # fmt: skip
        w = MainWindow(p, settings=qsettings)
        qtbot.addWidget(w)
        w.show()
        w.resize(1024, 700)
        idle(w)
        qtbot.waitUntil(lambda: w.segment_model.rowCount() == 40, timeout=10000)
        idle(w)
        yield w


def test_the_row_gone_to_is_in_view_at_1024x700_when_rows_grow_to_fit_their_text(
    qtbot: Any, qsettings: Any, idle: Any, tmp_path: Path, speech_wav: Path
) -> None:
    """Rows are measured when they come into view and grow to fit their text: going to the
    last segment of a long session left it below the view (the rows above it grew after the
    scroll), so a coder moving down with the keyboard lost the current segment."""
    with _long_session(qtbot, qsettings, idle, tmp_path, speech_wav, f"{MIXED} {RU}", "ru") as w:
        view = w.transcript.viewport().rect()
        for row in (39, 0, 25, 38):
            w.transcript.go_to_row(row)
            shown = w.transcript.visualRect(w.segment_model.index(row, COL_TEXT))
            assert view.contains(shown.topLeft()) and shown.bottom() <= view.bottom(), row
            idle(w)  # and it stays there once the view has settled
            shown = w.transcript.visualRect(w.segment_model.index(row, COL_TEXT))
            assert view.contains(shown.topLeft()) and shown.bottom() <= view.bottom(), row
        w.close()


def _no_text(p: Project, segment_id: str, *, language: str | None = None, cancel: Any = None):
    """What the engine writes when Whisper hears nothing: no text, the language asked for."""
    return p.transcript.replace_transcription(
        segment_id, text="", words=[], confidence=None, language=language
    )


def _hears(text: str, language: str) -> Any:
    """A segment re-transcriber (the engine's signature) that hears ``text`` in ``language``."""

    def heard(p: Project, segment_id: str, *, language: str | None = None, cancel: Any = None):
        return p.transcript.replace_transcription(
            segment_id, text=text, words=[], confidence=0.9, language=heard_in
        )

    heard_in = language
    return heard


def test_a_retranscription_that_writes_the_same_words_does_not_call_them_new(
    window: Any, qtbot: Any, idle: Any
) -> None:
    """Walkthrough (mixed-real-kk, base): a Kazakh segment re-transcribed in Kazakh a second
    time came back word for word as it was, and the status bar said "Segment re-transcribed in
    Kazakh with base: new text.": the coder looked for a change that was not there."""
    _opened(window, qtbot, idle)
    bar = window.statusBar()
    window.transcription.segment_retranscriber = _hears(KK, "kk")
    window.transcript.go_to_row(1)
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert window.segment_model.segment(1).text == KK
    assert bar.currentMessage() == "Segment re-transcribed in Kazakh: the same text as before."
    window.transcription.segment_retranscriber = _hears("Емханада кезек көп.", "kk")
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert bar.currentMessage() == "Segment re-transcribed in Kazakh: new text."
    # the same words in another language are not "the same text as before" either
    window.transcription.segment_retranscriber = _hears("Емханада кезек көп.", "ru")
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert bar.currentMessage() == "Segment re-transcribed in Russian: new text."


def test_a_span_coding_that_loses_its_words_in_a_retranscription_is_said(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coding on "очередь" has no words in the new text: it now covers the whole segment
    with a flag in its memo; the status bar said only "Segment re-transcribed". Now a box that
    does not block says so too."""
    _opened(window, qtbot, idle)
    seg = window.segment_model.segment(0)
    code = project.codebook.ensure_code_path("Очереди")
    start = RU.index("очередь")
    coding = project.codebook.apply_code(seg.id, code.id, start_cp=start, end_cp=start + 7)
    window.transcription.segment_retranscriber = _hears("Емханада кезек.", "kk")
    reported: list[str] = []
    monkeypatch.setattr(window.chrome, "report", reported.append)
    window.transcription.retranscribe_segment(seg.id, language="kk")
    idle(window)
    (said,) = reported  # in a box that does not block
    assert said.startswith("Segment re-transcribed in Kazakh: new text.\n\n")
    assert "1 span coding lost its words in the new text" in said, said
    assert "flagged in the memo" in said and "Edit ▸ Undo brings the old text back" in said
    assert "fieldscribe" not in said
    now = {c.id: c for c in project.codebook.codings(segment_id=seg.id)}
    assert now[coding.id].start_cp is None


def test_retranscribe_in_a_language_that_finds_no_text_leaves_the_segment(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _opened(window, qtbot, idle)
    asked: dict[str, Any] = {}

    def get_item(_parent: Any, title: str, label: str, _text: str, items: list[str]) -> Any:
        labels = items
        asked.update(title=title, label=label)
        return next(x for x in labels if x.endswith("(ru)")), True

    monkeypatch.setattr("gui.ask_dialog.AskDialog.ask", staticmethod(get_item))
    window.transcription.segment_retranscriber = _no_text
    gap = window.segment_model.segment(2)  # Kazakh, speech without transcript
    window.transcript.go_to_row(2)
    window.transcription.act_retranscribe_in.trigger()
    idle(window)
    # (b) its own dialog, not "Set language"
    assert asked["title"] == "Re-transcribe segment"
    assert "Language of the segment" not in asked["label"]
    # (a) no text: the segment keeps its language, and the user is told
    assert project.transcript.get_segment(gap.id).language == "kk"
    assert window.segment_model.index(2, COL_LANG).data() == "KK"
    assert "left as it was" in window.statusBar().currentMessage()
    assert window.undo_stack.count() == 0


def test_retranscription_is_one_undoable_step(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _opened(window, qtbot, idle)
    monkeypatch.setattr("gui.segment_edits.choose_language", lambda *_a, **_k: "kk")
    seg_id = window.segment_model.segment(0).id
    window.transcript.go_to_row(0)
    window.editing.act_set_language.trigger()  # Language → kk (the Russian text stays)
    idle(window)

    window.transcription.segment_retranscriber = _hears("Емханада кезек.", "kk")
    window.transcription.retranscribe_segment(seg_id, language="kk")
    idle(window)
    assert project.transcript.get_segment(seg_id).text == "Емханада кезек."
    assert window.undo_stack.count() == 2
    # Edit ▸ Undo names the language as the dialogs and the status bar do, not by its code
    # (the walkthrough's menu read "Undo Re-transcribe segment in kk")
    assert window.undo_stack.text(0) == "Language → Kazakh"
    assert window.undo_stack.text(1) == "Re-transcribe segment in Kazakh"
    assert window.editing.act_undo.text() == "Undo Re-transcribe segment in Kazakh"
    # the first undo takes back the re-transcription, not silently the text under "Language"
    window.undo_stack.undo()
    idle(window)
    seg = project.transcript.get_segment(seg_id)
    assert (seg.text, seg.language) == (RU, "kk")
    assert window.segment_model.index(0, COL_TEXT).data() == RU
    window.undo_stack.undo()
    idle(window)
    seg = project.transcript.get_segment(seg_id)
    assert (seg.text, seg.language) == (RU, "ru")
    window.undo_stack.redo()
    window.undo_stack.redo()
    idle(window)
    seg = project.transcript.get_segment(seg_id)
    assert (seg.text, seg.language) == ("Емханада кезек.", "kk")
    assert window.segment_model.index(0, COL_TEXT).data() == "Емханада кезек."


def test_speech_without_transcript_tints_the_whole_row_and_shows_when_selected(
    window: Any, qtbot: Any, idle: Any
) -> None:
    from PySide6.QtGui import QColor

    from gui.models.segments import COL_CODES, PLACEHOLDER_BACKGROUND, PLACEHOLDER_COLOUR

    _opened(window, qtbot, idle)
    model = window.segment_model
    assert model.is_placeholder(2)
    for col in range(model.columnCount()):
        brush = model.index(2, col).data(Qt.ItemDataRole.BackgroundRole)
        assert brush is not None and brush.color() == PLACEHOLDER_BACKGROUND, col
    assert model.index(1, COL_CODES).data(Qt.ItemDataRole.BackgroundRole) is None
    window.transcript.go_to_row(2)  # selected: the highlight hides the tint, the edge stays
    qtbot.wait(50)
    view = window.transcript
    rect = view.visualRect(model.index(2, COL_CODES))
    image = view.viewport().grab().toImage()
    edge = QColor(image.pixel(rect.left() + 1, rect.center().y()))
    assert edge == PLACEHOLDER_COLOUR
    other = view.visualRect(model.index(1, COL_CODES))
    assert QColor(image.pixel(other.left() + 1, other.center().y())) != PLACEHOLDER_COLOUR


def test_code_names_are_readable_on_the_selection_and_keep_off_brackets(
    window: Any, qtbot: Any, idle: Any
) -> None:
    from PySide6.QtGui import QColor, QPalette

    from gui.models.segments import COL_CODES

    _opened(window, qtbot, idle)
    window.resize(1400, 800)
    view = window.transcript
    delegate = view.itemDelegateForColumn(COL_CODES)
    view.setColumnWidth(COL_CODES, delegate.width_for(2))
    window.transcript.go_to_row(0)  # coded "Услуги/Здоровье", selected
    qtbot.wait(100)
    model = window.segment_model
    rect = view.visualRect(model.index(0, COL_CODES))
    slots = model.code_slots()
    in_row = max(slots[code_id] for code_id in model.margin_codes(0)) + 1
    names_right = delegate.names_right(rect, in_row)
    # every bracket drawn in the row lies right of the names
    for slot in range(in_row):
        x = rect.right() - 2 - (slot + 1) * delegate.SLOT + 3
        assert names_right < x - 1
    image = view.viewport().grab().toImage()
    light = QColor(view.palette().color(QPalette.ColorRole.HighlightedText))
    found = [
        QColor(image.pixel(x, y))
        for x in range(rect.left() + 2, names_right)
        for y in range(rect.top() + 1, rect.top() + 16)
    ]
    # the name is drawn in the highlight's text colour (white), not a dark code colour
    assert any(abs(c.lightness() - light.lightness()) < 40 for c in found)


def test_cancelling_a_retranscription_leaves_the_segment_and_no_undo_step(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    _opened(window, qtbot, idle)
    seg_id = window.segment_model.segment(0).id

    def cancelled(p: Project, segment_id: str, *, language: str | None = None, cancel: Any = None):
        cancel.set()  # the user clicked Cancel while Whisper read; the engine stored nothing
        return p.transcript.get_segment(segment_id)

    window.transcription.segment_retranscriber = cancelled
    window.transcription.retranscribe_segment(seg_id, language="kk")
    idle(window)
    assert project.transcript.get_segment(seg_id).text == RU
    assert window.undo_stack.count() == 0
    assert "cancelled" in window.statusBar().currentMessage()


def _cancel_buttons(window: Any) -> list[Any]:
    """The Cancel buttons shown in the status bar."""
    from PySide6.QtWidgets import QPushButton

    bar = window.statusBar()
    return [
        b for b in bar.findChildren(QPushButton) if b.isVisibleTo(window) and "Cancel" in b.text()
    ]


def _reads_until_cancelled(reading: threading.Event) -> Any:
    """A segment re-transcriber that sets ``reading`` and waits for the user's Cancel; it stores
    nothing."""

    def slow(p: Project, segment_id: str, *, language: str | None = None, cancel: Any = None):
        reading.set()
        assert cancel.wait(20)  # Whisper reads until the user cancels
        return p.transcript.get_segment(segment_id)

    return slow


def test_a_running_retranscription_has_a_cancel_button_that_leaves_the_segment(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """Re-transcribing a segment said so in the status bar only, with no way to stop it: a
    Cancel button is in the status bar while it runs (as for a whole transcription), stops it
    with the segment as it was, and goes when the job ends, fails or is cancelled."""
    _opened(window, qtbot, idle)
    seg_id = window.segment_model.segment(0).id
    reading = threading.Event()
    slow = _reads_until_cancelled(reading)
    window.transcription.segment_retranscriber = slow
    assert _cancel_buttons(window) == []
    window.transcription.retranscribe_segment(seg_id, language="kk")
    assert reading.wait(10)
    qtbot.wait(50)
    buttons = _cancel_buttons(window)
    assert [b.text() for b in buttons] == ["Cancel re-transcription"]
    assert buttons[0].visibleRegion().boundingRect().width() == buttons[0].width() > 0  # whole
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    idle(window)
    assert _cancel_buttons(window) == []
    assert project.transcript.get_segment(seg_id).text == RU
    assert window.segment_model.index(0, COL_TEXT).data() == RU
    assert window.undo_stack.count() == 0
    assert "cancelled" in window.statusBar().currentMessage()

    # ended (new text) or failed: the button goes too
    window.transcription.segment_retranscriber = _hears("Емханада кезек.", "kk")
    window.transcription.retranscribe_segment(seg_id, language="kk")
    idle(window)
    assert _cancel_buttons(window) == []
    assert project.transcript.get_segment(seg_id).text == "Емханада кезек."

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("the model file is damaged")

    window.transcription.segment_retranscriber = broken
    window.transcription.retranscribe_segment(seg_id, language="kk")
    idle(window)
    assert "damaged" in window.last_error
    assert _cancel_buttons(window) == []


def test_the_menus_cancel_stops_a_segments_re_transcription(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """Transcription ▸ Cancel transcription was greyed out while a segment re-transcribed (only
    the status bar's button stopped it): the menu's Cancel stops it too, leaving the segment as
    it was, and is greyed out again once nothing runs."""
    _opened(window, qtbot, idle)
    seg_id = window.segment_model.segment(0).id
    reading = threading.Event()
    slow = _reads_until_cancelled(reading)
    cancel = window.transcription.act_cancel_transcription
    assert not cancel.isEnabled()
    window.transcription.segment_retranscriber = slow
    window.transcription.retranscribe_segment(seg_id, language="kk")
    assert reading.wait(10)
    assert cancel.isEnabled()
    cancel.trigger()
    idle(window)
    assert not cancel.isEnabled()
    assert project.transcript.get_segment(seg_id).text == RU
    assert window.undo_stack.count() == 0
    assert "cancelled" in window.statusBar().currentMessage()


def test_an_edit_typed_while_a_segment_re_transcribes_is_kept(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """The coder types in the segment while Whisper reads it again: the new reading is not
    written over the typing (``replace_transcription(was=)``); one line says so, and there is
    no undo step for a re-transcription that did not happen."""
    _opened(window, qtbot, idle)
    seg_id = window.segment_model.segment(0).id
    reading, typed = threading.Event(), threading.Event()

    def reads_while_the_coder_types(
        p: Project, segment_id: str, *, language: str | None = None, cancel: Any = None
    ) -> Any:
        was = p.transcript.get_segment(segment_id)
        reading.set()
        assert typed.wait(20)
        return p.transcript.replace_transcription(
            segment_id, text="Емханада кезек.", words=[], confidence=None, language="kk", was=was
        )

    window.transcription.segment_retranscriber = reads_while_the_coder_types
    window.transcription.retranscribe_segment(seg_id, language="kk")
    assert reading.wait(10)
    project.transcript.update_segment(seg_id, text="Что кодер напечатал.")
    typed.set()
    idle(window)
    assert project.transcript.get_segment(seg_id).text == "Что кодер напечатал."
    assert "changed while it was being re-transcribed" in window.last_error
    assert _cancel_buttons(window) == []


def test_a_real_name_back_in_a_retranscribed_segment_is_reported(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _opened(window, qtbot, idle)
    seg_id = window.segment_model.segment(0).id
    project.privacy.set_pseudonym("Айгерим", "P01")
    reports: list[str] = []
    monkeypatch.setattr(window.chrome, "report", lambda text: reports.append(text))

    window.transcription.segment_retranscriber = _hears("Айгерим записалась онлайн.", "ru")
    window.transcription.retranscribe_segment(seg_id, language="ru")
    idle(window)
    assert len(reports) == 1 and "1 real name from the pseudonym mapping" in reports[0]
    assert "Ethics ▸ Pseudonyms" in reports[0]
    # without a mapped name in the new text: nothing to report
    window.transcription.segment_retranscriber = _no_text
    window.transcription.retranscribe_segment(window.segment_model.segment(1).id, language="ru")
    idle(window)
    assert len(reports) == 1


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("ru, kaz", "Unknown language code 'kaz'; did you mean kk (Kazakh)?"),
        ("ru, Kyrgyz", "Kyrgyz (ky) is not among the languages Whisper knows."),
        ("ru, qq", "Unknown language code 'qq'"),
    ],
)
def test_a_bad_language_is_refused_in_one_short_line_without_the_command_line(
    qtbot: Any, tmp_path: Path, typed: str, says: str
) -> None:
    from gui.languages import LanguagesDialog
    from gui.onboarding import NewProjectDialog

    settings = LanguagesDialog(
        ["ru"], title="Project settings — Almaty", models=[], numbers="words"
    )
    new = NewProjectDialog("Study", "ana")
    for dialog, field in ((settings, settings.field), (new, new.languages)):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        field.edit.setText(typed)
        dialog.accept()
        assert dialog.result() == 0  # refused, nothing changed
        status = field.status
        assert says in status.text(), status.text()
        assert "fieldscribe" not in status.text() and "--list" not in status.text()
        line = status.fontMetrics().lineSpacing()
        assert status.heightForWidth(status.width()) < 2 * line, status.text()  # one line
        assert "Kazakh&nbsp;(kk)" in status.toolTip()  # the known languages, another way
        shot = Path(os.environ.get("FIELDSCRIBE_SHOTS", tmp_path))
        dialog.grab().save(str(shot / f"bad_language_{type(dialog).__name__}.png"))


def test_the_current_row_stays_in_view_when_search_results_take_the_transcripts_room(
    qtbot: Any, qsettings: Any, idle: Any, tmp_path: Path, speech_wav: Path
) -> None:
    """Walkthrough at 1024x700 and 1366x768: the segment a coder had gone to (near the bottom
    of the transcript) went out of view, under the Search dock, when the results of a search
    (or a retrieval) made that dock taller; nothing scrolled it back."""
    with _long_session(qtbot, qsettings, idle, tmp_path, speech_wav, KK, "kk") as w:
        w.transcript.go_to_row(39)  # the last row: at the bottom of the view
        idle(w)
        before = w.transcript.viewport().height()
        w.search_panel.query.setText("емханада")
        w.sessions.run_search("емханада")
        idle(w)
        qtbot.waitUntil(lambda: w.search_panel.results.count() == 40)
        qtbot.wait(100)
        assert w.transcript.viewport().height() < before  # the results took room
        view = w.transcript.viewport().rect()
        shown = w.transcript.visualRect(w.segment_model.index(39, COL_TEXT))
        assert view.contains(shown.topLeft()) and shown.bottom() <= view.bottom()
        w.close()


def test_merging_speech_without_transcript_with_the_next_takes_the_next_ones_language(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """Walkthrough (real model, ru/kk/en): Edit ▸ Merge with next segment on an empty Kazakh
    "speech without transcript" row followed by a Russian segment gave a segment holding only
    the Russian words but badged KK (so search, retrieval and exports filed it as Kazakh)."""
    _opened(window, qtbot, idle)
    model = window.segment_model
    assert model.segment(2).untranscribed and model.segment(2).language == "kk"
    seg_id = model.segment(2).id
    window.transcript.go_to_row(2)
    window.editing.merge_with_next()
    idle(window)
    merged = project.transcript.get_segment(seg_id)
    assert (merged.text, merged.language, merged.untranscribed) == (MIXED, "ru", False)
    assert model.index(model.row_of(seg_id), COL_LANG).data() == "RU"
    window.undo_stack.undo()
    idle(window)
    back = project.transcript.get_segment(seg_id)
    assert (back.text, back.language, back.untranscribed) == ("", "kk", True)
    # a segment with words keeps its own language when the next is merged into it
    window.transcript.go_to_row(0)
    window.editing.merge_with_next()
    idle(window)
    assert project.transcript.get_segment(model.segment(0).id).language == "ru"


def test_transcribing_again_says_the_segments_it_kept(
    qtbot: Any, qsettings: Any, project: Project, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walkthrough (real model): Transcribe session again on a corrected transcript of 30
    segments said "Transcribed: 28 segments (RU 13, KK 8, EN 5) …" while the header said 30:
    the 2 segments kept for the coder's work (as the question before it promised) went unsaid."""

    from tests.gui.gui_helpers import make_fake_transcriber

    fake = make_fake_transcriber()

    def again(*args: Any, **kwargs: Any) -> Any:
        summary = fake(*args, **kwargs)
        summary.identified = {"kk": 1, "ru": 2, "en": 1}
        summary.segments_kept, summary.codings_kept = 2, 2
        return summary

    message = _said_after_run(qtbot, idle, project, qsettings, monkeypatch, again)
    assert message.startswith("Transcribed “")
    assert ": 4 segments (RU 2, KK 1, EN 1)" in message
    assert "2 segments holding your work kept unchanged" in message


def test_merging_a_kazakh_segment_into_a_russian_one_says_what_became_of_its_language(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    """Walkthrough (real ru/kk/en recordings): Merge with next segment on a Russian segment
    followed by a Kazakh one gave one segment badged RU, without a word: the Kazakh words
    dropped out of the Kazakh filter of search and retrieval, and splitting them back off left
    them badged RU. The status bar says so now, and how to go back."""
    _opened(window, qtbot, idle)
    model = window.segment_model
    window.transcript.go_to_row(0)
    window.editing.merge_with_next()
    idle(window)
    assert model.segment(0).language == "ru" and KK in model.segment(0).text
    message = window.statusBar().currentMessage()
    assert "Kazakh words" in message and "RU (Russian)" in message
    assert "Ctrl+Z" in message and "Ctrl+L" in message


def test_splitting_at_a_switch_of_language_says_the_new_segment_keeps_the_old_badge(
    window: Any, qtbot: Any, idle: Any
) -> None:
    """Walkthrough (mixed-real-kk in the workbench): a Kazakh turn and an English one merged,
    then split back at the switch, gave "I would like to start with the online portal…"
    badged KK, and the status bar still said "Merged: …": nothing told the coder that the new
    segment went on calling English Kazakh (its docx w:lang, its VTT <lang>, the filters).
    The split now says which part is in another script than its badge, and how to set it."""
    _opened(window, qtbot, idle)
    model = window.segment_model
    window.transcript.go_to_row(0)
    window.editing.merge_with_next()  # Russian + Kazakh: one segment badged RU
    idle(window)
    assert "Merged" in window.statusBar().currentMessage()
    window.transcript.go_to_row(0)
    idle(window)
    editor = window.segment_editor
    cursor = editor.textCursor()
    cursor.setPosition(editor.toPlainText().index(KK))
    editor.setTextCursor(cursor)
    window.editing.segments.split_at_cursor()
    idle(window)
    assert model.segment(0).text == RU and model.segment(1).text == KK
    assert model.segment(1).language == "ru"  # the badge itself is the coder's to change
    assert window.transcript.currentIndex().row() == 1  # the new segment, which Ctrl+L sets
    message = window.statusBar().currentMessage()
    assert "Merged" not in message
    assert "new segment's text is in Kazakh letters" in message, message
    assert "marked Russian (is it Kazakh?)" in message and "Ctrl+L" in message, message
    # a split inside one language says only that it split
    window.transcript.go_to_row(0)
    idle(window)
    cursor = editor.textCursor()
    cursor.setPosition(editor.toPlainText().index("очередь"))
    editor.setTextCursor(cursor)
    window.editing.segments.split_at_cursor()
    idle(window)
    message = window.statusBar().currentMessage()
    assert message.startswith("Split into two segments"), message


def test_a_split_names_the_first_part_when_it_is_the_one_in_another_script() -> None:
    from gui.segment_edits import split_hint

    said = split_hint("Hello everyone. ", "Сәлеметсіздер ме.", "kk", ["ru", "kk", "en"])
    assert "first part's text is in Latin" in said and "(is it English?)" in said, said
    assert "select it" in said
    assert split_hint("Hello. ", "Сәлем.", None, ["ru", "kk", "en"]).startswith("Split into")


def test_retranscribing_a_segment_whose_only_correction_is_its_language_does_not_ask(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set language… then Re-transcribe segment is the workflow the language feature asks for,
    yet it asked "This segment was corrected by hand (its text or language...)". Now it asks
    only where typed text or pseudonyms would be replaced."""
    from PySide6.QtWidgets import QMessageBox

    from tests.gui.gui_helpers import Asked

    _opened(window, qtbot, idle)
    asked = Asked(QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "question", asked)
    monkeypatch.setattr("gui.segment_edits.choose_language", lambda *_a, **_k: "kk")
    window.transcription.segment_retranscriber = _hears("Емханада кезек.", "kk")
    seg_id = window.segment_model.segment(0).id
    window.transcript.go_to_row(0)
    window.editing.act_set_language.trigger()  # Language → kk (the Russian text stays)
    idle(window)
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert asked.texts == []
    seg = project.transcript.get_segment(seg_id)
    assert (seg.text, seg.language, seg.edited) == ("Емханада кезек.", "kk", True)
    assert not project.transcript.text_corrected(seg_id)
    assert project.transcription.transcript_stats(seg.session_id).edited == 1  # still kept

    # typed text: asked (No leaves it)
    project.transcript.update_segment(seg_id, text="Кезек көп.")
    window.sessions.refresh_transcript(seg.session_id)
    idle(window)
    window.transcript.go_to_row(0)
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert len(asked.texts) == 1
    assert asked.texts[0].startswith("This segment's text was corrected by hand (typed in")
    assert project.transcript.get_segment(seg_id).text == "Кезек көп."

    # a language set after typing keeps the question (the typed text is still there)
    project.transcript.update_segment(seg_id, language="ru")
    assert project.transcript.text_corrected(seg_id)

    # names replaced by pseudonyms: asked
    other = window.segment_model.segment(1).id
    project.transcript.update_segment(other, text="Айгуль: " + KK)
    project.transcript.replace_transcription(
        other, text="Айгуль: " + KK, words=[], confidence=0.9, language="kk"
    )  # the text is Whisper's again: not asked
    assert not project.transcript.text_corrected(other)
    project.privacy.set_pseudonym("Айгуль", "P01")
    project.privacy.apply_pseudonyms(session_id=seg.session_id)
    assert project.transcript.get_segment(other).text.startswith("P01")
    window.sessions.refresh_transcript(seg.session_id)
    idle(window)
    window.transcript.go_to_row(1)
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert len(asked.texts) == 2


def test_retranscribing_half_of_a_split_segment_asks_in_words_that_name_the_split(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A walkthrough split a segment that ran a Kazakh phrase into a Russian sentence, to
    re-transcribe the Kazakh half in Kazakh: it was asked whether to replace text "corrected by
    hand (typed in, or names replaced by pseudonyms)", neither of which the coder had done. The
    question now names the split (a split's halves are protected like typed text)."""
    from PySide6.QtWidgets import QMessageBox

    from tests.gui.gui_helpers import Asked

    _opened(window, qtbot, idle)
    asked = Asked(QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "question", asked)
    window.transcription.segment_retranscriber = _hears("Кезек көп.", "kk")
    window.transcript.go_to_row(0)
    idle(window)
    editor = window.segment_editor
    cursor = editor.textCursor()
    cursor.setPosition(editor.toPlainText().index("очередь"))
    editor.setTextCursor(cursor)
    window.editing.segments.split_at_cursor()
    idle(window)
    assert window.segment_model.segment(0).text == "Ну, в поликлинике"
    window.transcript.go_to_row(0)
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert len(asked.texts) == 1
    assert "typed in, split or merged" in asked.texts[0], asked.texts[0]
    assert window.segment_model.segment(0).text == "Ну, в поликлинике"  # No: left as it was


def test_re_transcribing_while_the_editor_holds_typing_asks_first(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A walkthrough typed the right Kazakh into the editor and, before leaving the segment,
    triggered Transcription ▸ Re-transcribe segment while the editor kept the focus (the
    typing not saved yet; a mouse on the menu saves it): nothing was asked, Whisper's new
    text was stored under the typing still shown, and leaving the segment then wrote the
    typing over it. The typing is saved first now, and the question about replacing typed
    text is asked."""
    from PySide6.QtWidgets import QMessageBox

    from tests.gui.gui_helpers import Asked

    _opened(window, qtbot, idle)
    asked = Asked(QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "question", asked)
    heard: list[str] = []
    hears = _hears("Емханада кезек.", "kk")

    def retranscriber(p: Project, segment_id: str, **kw: Any) -> Any:
        heard.append(segment_id)
        return hears(p, segment_id, **kw)

    window.transcription.segment_retranscriber = retranscriber
    seg_id = window.segment_model.segment(1).id
    window.transcript.go_to_row(1)
    idle(window)
    window.segment_editor.setFocus()
    window.segment_editor.setPlainText("Емханада кезек өте көп.")  # typed, not saved yet
    window.transcription.act_retranscribe.trigger()
    idle(window)
    said = (window.statusBar().currentMessage(), heard, project.transcript.get_segment(seg_id))
    assert len(asked.texts) == 1 and "corrected by hand" in asked.texts[0], said
    assert heard == []  # No: Whisper was not asked
    assert project.transcript.get_segment(seg_id).text == "Емханада кезек өте көп."


def test_transcribing_the_session_again_saves_the_typing_in_the_editor_first(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A walkthrough typed a correction into the editor and pressed Ctrl+R (Transcribe session)
    before leaving the segment (the typing not saved yet): the question said only "the
    segments Whisper wrote that nobody touched are replaced", Yes replaced that one too, the
    typing was lost, and a box said "No segment with id '…'". The typing is saved first now:
    the question counts it as someone's work, and the run keeps it."""
    from PySide6.QtWidgets import QMessageBox

    from tests.gui.gui_helpers import Asked, make_fake_transcriber

    _opened(window, qtbot, idle)
    asked = Asked(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", asked)
    seg_id = window.segment_model.segment(0).id
    seen: list[tuple[str, bool]] = []
    fake = make_fake_transcriber()

    def transcriber(p: Project, sid: str, **kw: Any) -> Any:
        seg = p.transcript.get_segment(seg_id)
        seen.append((seg.text, p.transcript.text_corrected(seg_id)))
        return fake(p, sid, **kw)

    window.transcription.transcriber = transcriber
    window.transcript.go_to_row(0)
    idle(window)
    typed = "Ну, в поликлинике очередь очень большая."
    window.segment_editor.setFocus()
    window.segment_editor.setPlainText(typed)  # typed, not saved yet
    qtbot.keyClick(window.segment_editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    idle(window)
    assert seen == [(typed, True)]  # saved, as a hand correction, before Whisper ran
    assert "holding someone's work" in asked.texts[0], asked.texts[0]
    assert "No segment with id" not in window.last_error


def test_transcribe_session_in_one_language_chosen(
    window: Any, qtbot: Any, idle: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/languages.md offered "the session's Transcribe in…" to fix one language for a whole
    recording (the command line's --language), but the workbench had no such entry: a Kazakh
    interview whose stretches Whisper took for Russian could only be mended one segment at a
    time. Transcription ▸ Transcribe session in… asks the language (the project's first) and
    transcribes the session in it."""
    from PySide6.QtWidgets import QMessageBox

    from gui.ask_dialog import AskDialog
    from tests.gui.gui_helpers import Asked, make_fake_transcriber

    _opened(window, qtbot, idle)
    monkeypatch.setattr(QMessageBox, "question", Asked(QMessageBox.StandardButton.Yes))
    offered: list[list[str]] = []

    def pick(_parent: Any, title: str, _label: str, _text: str = "", **kw: Any) -> Any:
        offered.append(list(kw["items"]))
        return next(i for i in kw["items"] if i.endswith("(kk)")), True

    monkeypatch.setattr(AskDialog, "ask", staticmethod(pick))
    asked_in: list[str | None] = []
    fake = make_fake_transcriber()

    def transcriber(p: Project, sid: str, *, language: str | None = None, **kw: Any) -> Any:
        asked_in.append(language)
        return fake(p, sid, language=language, **kw)

    window.transcription.transcriber = transcriber
    window.transcription.act_transcribe_in.trigger()
    idle(window)
    assert offered[0][:2] == ["Russian (ru)", "Kazakh (kk)"]  # the project's languages first
    assert asked_in == ["kk"]
    # the plain entry still identifies each stretch
    window.transcription.act_transcribe.trigger()
    idle(window)
    assert asked_in == ["kk", None]

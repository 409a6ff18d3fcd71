"""Defects found by driving the workbench like a new researcher (acceptance of issue 4)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui.ask_dialog import AskDialog
from gui.models.sessions import STATUS_COL, LiveStatus
from storage import Project
from tests.gui.gui_helpers import import_and_transcribe


def _app_window(qtbot: Any, qsettings: Any, fake_transcriber: Any) -> Any:
    """The window as ``run_app`` makes it: shown first, then a project opened."""
    from gui.main_window import MainWindow

    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    return w


def _status_visible(w: Any) -> bool:
    view = w.sessions_view
    right = view.columnViewportPosition(STATUS_COL) + view.columnWidth(STATUS_COL)
    return view.columnViewportPosition(STATUS_COL) >= 0 and right <= view.viewport().width()


def _reopened_with_recording(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, wav: Path
) -> Any:
    """The test project reopened in a full app window, with the recording imported."""
    folder = project.folder
    project.close()
    w = _app_window(qtbot, qsettings, fake_transcriber)
    assert w.projects.open_project(folder)
    w.transcription.import_files([wav], kind="focus_group")
    idle(w)
    return w


def test_session_status_column_is_visible_without_scrolling(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    w = _reopened_with_recording(qtbot, qsettings, fake_transcriber, project, idle, speech_wav)
    sid = w.project.sessions.all()[0].id
    qtbot.waitUntil(lambda: w.sessions_model.rowCount() == 1)
    qtbot.wait(50)
    assert _status_visible(w)
    assert w.sessions_view.columnWidth(0) >= 90  # the title stays readable
    w.sessions_model.set_live(sid, LiveStatus(0.42, 75))
    qtbot.wait(50)
    assert "42 %" in w.sessions_model.index(0, STATUS_COL).data()
    assert _status_visible(w)
    assert "Cancel" in w.sessions_model.index(0, STATUS_COL).data(3)  # ToolTipRole
    w.sessions_model.set_live(sid, None)
    w.close()


def test_import_dialog_offers_readable_session_kinds(
    window: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[list[str]] = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(speech_wav)], ""))
    )

    def get_item(_parent: Any, _title: str, _label: str, _text: str, items: list[str]) -> Any:
        offered.append(list(items))
        return "Observation", True

    monkeypatch.setattr(AskDialog, "ask", staticmethod(get_item))
    window.act_import.trigger()
    idle(window)
    assert offered == [["Focus group", "Interview", "Observation"]]
    [session] = window.project.sessions.all()
    assert session.kind == "observation"


def test_counts_read_as_english(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    import_and_transcribe(window, qtbot, idle, speech_wav)
    assert "4 segments" in window.transcript_label.text()
    window.editing.add_code("Trust")
    idle(window)
    trust = project.codebook.find_code("Trust")
    assert trust is not None
    window.transcript.go_to_row(1)
    window.editing.apply_code(trust.id)
    idle(window)
    window.sessions.reload_sessions()
    idle(window)
    assert window.sessions_model.index(0, STATUS_COL).data() == "1 coded"
    window.search_panel.query.setText("villages")
    window.sessions.run_search("villages")
    idle(window)
    assert window.search_panel.info.text() == "1 segment found"
    window.docks.retrieve_code(trust.id)
    idle(window)
    assert window.retrieval.count.text() == "1 coded segment"
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        staticmethod(lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.No)[1]),
    )
    window.editing.delete_code_dialog(trust.id)
    assert asked and "has 1 coding." in asked[0]
    assert "sub-codes" not in asked[0]  # Trust has none
    assert project.codebook.find_code("Trust") is not None  # "No" keeps it


def test_new_participant_attributes_reach_the_retrieval_filter(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    window.transcription.import_files([speech_wav], kind="focus_group")
    idle(window)
    window.transcription.start_transcription(project.sessions.all()[0].id)
    idle(window)
    panel = window.session_panel
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *a, **k: ("Aigerim", True)))
    from PySide6.QtWidgets import QPushButton

    [add] = [b for b in panel.findChildren(QPushButton) if b.text() == "Add participant"]
    add.click()
    idle(window)
    qtbot.waitUntil(lambda: panel.participants.rowCount() == 1)
    panel.participants.item(0, 1).setText("age group=30-39; region=north")  # typed in the cell
    idle(window)
    [person] = project.sessions.participants()
    assert person.attributes == {"age group": "30-39", "region": "north"}
    box = window.retrieval.attr_box
    labels = [box.itemText(i) for i in range(box.count())]
    assert "age group = 30-39" in labels and "region = north" in labels


def test_session_details_show_every_speaker_of_a_small_group(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    w = _reopened_with_recording(qtbot, qsettings, fake_transcriber, project, idle, speech_wav)
    w.transcription.start_transcription(w.project.sessions.all()[0].id)
    idle(w)
    w.session_panel_dock.raise_()
    w.session_panel.show_session(w.session)
    idle(w)
    table = w.session_panel.speakers
    qtbot.waitUntil(lambda: table.rowCount() == 3)  # Moderator, P1, P2
    qtbot.wait(50)
    last = table.visualRect(table.model().index(2, 0))
    assert last.bottom() <= table.viewport().height()  # no scrolling to see the third
    w.project.sessions.add_participant("Aigerim", {"age group": "30-39"})
    w.project.sessions.add_participant("Bakyt", {"age group": "40-49"})
    w.project.sessions.add_participant("Chynara", {"age group": "20-29"})
    w.session_panel.show_session(w.session)
    idle(w)
    people = w.session_panel.participants
    qtbot.waitUntil(lambda: people.rowCount() == 3)
    qtbot.wait(50)
    last = people.visualRect(people.model().index(2, 0))
    assert last.bottom() <= people.viewport().height()  # the participants are not squeezed
    w.close()


def test_merge_dialog_offers_only_codes_it_can_merge_into(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    window.editing.add_code("Access")
    window.editing.add_code("Trust")
    idle(window)
    access = project.codebook.find_code("Access")
    assert access is not None
    window.editing.add_code("Internet", access.id)
    idle(window)
    asked: list[tuple[str, list[str]]] = []

    def get_item(_parent: Any, _title: str, label: str, _text: str, items: list[str]) -> Any:
        asked.append((label, list(items)))
        return items[0], True

    monkeypatch.setattr(AskDialog, "ask", staticmethod(get_item))
    window.codebook.select_code(access.id)
    window.codebook.act_merge.trigger()
    idle(window)
    [(label, offered)] = asked
    assert "Access" in label
    assert offered == ["Trust"]  # not Access/Internet, its own sub-code
    assert [c.path for c in project.codebook.codes()] == ["Trust", "Trust/Internet"]
    assert window.last_error == ""


def test_project_menus_are_greyed_out_on_the_start_page(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project
) -> None:
    folder = project.folder
    project.close()
    w = _app_window(qtbot, qsettings, fake_transcriber)
    titles = {a.text(): a for a in w.menuBar().actions()}
    needs_project = ["&Edit", "&Playback", "&Code", "&Memos", "&Transcription", "&Record", "Te&am"]
    assert all(not titles[t].isEnabled() for t in needs_project)
    assert titles["&File"].isEnabled() and not w.act_close.isEnabled()
    assert w.projects.open_project(folder)
    assert all(titles[t].isEnabled() for t in needs_project) and w.act_close.isEnabled()
    w.projects.close_project()
    assert not titles["&Code"].isEnabled()
    w.close()


def test_timestamp_keeps_apart_from_words_and_retrieval_plays_on_enter(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    from PySide6.QtCore import Qt

    project: Project = window.project
    sid = import_and_transcribe(window, qtbot, idle, speech_wav)
    window.transcript.go_to_row(2)
    editor = window.segment_editor
    editor.setFocus()
    window.player.seek(1234)
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "In the villages the internet is slow. [0:01.2]"
    cursor = editor.textCursor()
    cursor.setPosition(len("In the"))
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText().startswith("In the [0:01.2] villages")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(window)
    assert project.transcript.segments(sid)[2].text.startswith("In the [0:01.2] villages")

    window.editing.add_code("Trust")
    idle(window)
    trust = project.codebook.find_code("Trust")
    assert trust is not None
    window.transcript.go_to_row(3)
    window.editing.apply_code(trust.id)
    idle(window)
    window.docks.retrieve_code(trust.id)
    idle(window)
    window.player.pause()
    window.transcript.go_to_row(0)
    table = window.retrieval.table
    table.setFocus()
    table.setCurrentIndex(window.retrieval.model.index(0, 0))
    # playback started, even if the short segment ends before the test looks (a slow machine)
    started: list[bool] = []
    window.player.playing_changed.connect(started.append)
    qtbot.keyClick(table, Qt.Key.Key_Return)  # keyboard only: Enter plays the coded segment
    idle(window)
    assert window.transcript.currentIndex().row() == 3
    qtbot.waitUntil(lambda: True in started, timeout=5000)


def test_coder_name_from_settings_is_for_new_projects_the_open_one_keeps_its_own(
    window: Any, idle: Any, speech_wav: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The general name (Settings) is what new projects get; a project keeps whom it codes as
    (kept in it: copies of one project share a laptop and an id), and the status bar says so.
    File ▸ Coder name for this project… changes it at once (before: a changed general name
    applied to the open project, which the lead's copy and a coder's copy then shared)."""
    from gui.settings import SettingsDialog

    project: Project = window.project
    import_and_transcribe(window, qtbot, idle, speech_wav)

    def fill_and_accept(dialog: SettingsDialog) -> int:
        dialog.coder.setText("amina")
        dialog.accept()
        return 1

    monkeypatch.setattr(SettingsDialog, "exec", fill_and_accept)
    window.projects.settings_dialog()
    idle(window)
    assert window.settings.coder == "amina"
    assert project.coder == "coder-a"
    assert "stays coded as coder-a" in window.statusBar().currentMessage()
    window.projects.set_project_coder("amina")
    idle(window)
    assert window.projects.coder_label.text() == "Coding as amina"
    window.editing.add_code("Trust")
    idle(window)
    trust = project.codebook.find_code("Trust")
    assert trust is not None
    window.transcript.go_to_row(0)
    window.editing.apply_code(trust.id)
    idle(window)
    [coding] = project.codebook.codings()
    assert coding.coder == "amina"
    box = window.retrieval.coder_box
    assert "amina" in [box.itemText(i) for i in range(box.count())]


def _drop(window: Any, paths: list[Path]) -> Any:
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    with warnings.catch_warnings():  # PySide marks the (only) QPoint constructor deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(
            QPoint(10, 10),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    window.dragEnterEvent(enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    return True


def test_dropping_on_the_start_page_explains_or_opens_the_project(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, speech_wav: Path
) -> None:
    folder = project.folder
    project.close()
    w = _app_window(qtbot, qsettings, fake_transcriber)
    assert _drop(w, [speech_wav])  # audio on the start page: told what to do, not ignored
    assert "open a project first" in w.last_error and w.project is None
    assert _drop(w, [folder])  # a project folder: opened
    assert w.project is not None and w.project.folder == folder
    assert w.project.sessions.all() == []
    w.close()


def test_transcript_pane_says_it_is_being_transcribed(
    qtbot: Any, qsettings: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    from gui.main_window import MainWindow
    from tests.gui.gui_helpers import make_fake_transcriber

    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(project, transcriber=make_fake_transcriber(0.4), settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    w.transcription.import_files([speech_wav])
    idle(w)
    w.transcription.start_transcription(project.sessions.all()[0].id)
    # an empty table alone looks broken: the heading says what is going on
    qtbot.waitUntil(lambda: "transcribing" in w.transcript_label.text(), timeout=5000)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 4)
    assert "transcribing" not in w.transcript_label.text()
    assert "4 segments" in w.transcript_label.text()
    w.close()


def test_session_titles_with_markup_characters_show_as_typed(
    window: Any, idle: Any, speech_wav: Path, qtbot: Any
) -> None:
    from PySide6.QtGui import QTextDocument

    project: Project = window.project
    [_session] = project.sessions.import_audio_files([speech_wav], titles=["Farmers <30 & elders"])
    window.sessions.reload_sessions(select_first=True)
    idle(window)
    qtbot.waitUntil(lambda: "segment" in window.transcript_label.text())
    doc = QTextDocument()
    doc.setHtml(window.transcript_label.text())
    assert doc.toPlainText().startswith("Farmers <30 & elders — ")


def test_delete_key_in_the_codebook_deletes_the_code(window: Any, idle: Any, qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    project: Project = window.project
    window.editing.add_code("Trust")
    idle(window)
    trust = project.codebook.find_code("Trust")
    assert trust is not None
    tree = window.codebook.tree
    window.codebook.select_code(trust.id)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    idle(window)
    assert project.codebook.find_code("Trust") is None
    window.undo_stack.undo()
    idle(window)
    assert project.codebook.find_code("Trust") is not None
    assert window.codebook.act_delete in window.codebook.toolbar.actions()
    # while renaming, Delete edits the name and leaves the code alone
    window.codebook.select_code(trust.id)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: tree.state() == tree.State.EditingState)
    from PySide6.QtWidgets import QApplication

    editor = QApplication.focusWidget()
    editor.setCursorPosition(0)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    idle(window)
    assert [c.name for c in project.codebook.codes()] == ["rust"]


def test_codebook_count_column_and_segment_memo_title_explain_themselves(
    window: Any, idle: Any, qtbot: Any, speech_wav: Path
) -> None:
    from PySide6.QtCore import Qt

    model = window.codebook.model
    tip = model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "sub-codes" in tip
    import_and_transcribe(window, qtbot, idle, speech_wav)
    window.transcript.go_to_row(2)  # starts at 1.5 s
    from gui.memos import MemoDialog

    [action] = [a for a in window.chrome.menu("&Memos").actions() if a.text() == "Segment memos…"]
    action.trigger()
    titles = [d.windowTitle() for d in window.findChildren(MemoDialog)]
    assert titles == ["Memos on the segment at 0:01.5"]


def test_recent_projects_show_their_names_and_open(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project
) -> None:
    from PySide6.QtCore import Qt

    folder = project.folder
    project.close()
    w = _app_window(qtbot, qsettings, fake_transcriber)
    assert w.projects.open_project(folder)
    w.projects.close_project()
    recent = w.start_page.recent
    assert recent.count() == 1
    assert recent.item(0).text().startswith(folder.stem + "  —  ")  # "Study — /where/it/is"
    recent.setCurrentRow(0)
    recent.setFocus()
    qtbot.keyClick(recent, Qt.Key.Key_Return)
    assert w.project is not None and w.project.folder == folder
    w.close()


def test_click_on_a_segment_time_plays_it(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    from PySide6.QtCore import Qt

    from gui.models.segments import COL_TEXT, COL_TIME

    import_and_transcribe(window, qtbot, idle, speech_wav)
    view = window.transcript
    model = window.segment_model
    text = view.visualRect(model.index(1, COL_TEXT)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=text)
    assert not window.player.is_playing()  # a click on the text selects only (for coding)
    time_cell = view.visualRect(model.index(2, COL_TIME)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=time_cell)
    assert window.player.is_playing()
    assert window.player.position() == model.segment(2).start_ms
    assert "Click to play" in model.index(2, COL_TIME).data(Qt.ItemDataRole.ToolTipRole)


def test_demo_codes_have_distinct_colours(tmp_path: Path) -> None:
    from gui.demo import open_or_create_demo

    project, created = open_or_create_demo("amina", folder=tmp_path / "Demo.fieldscribe")
    assert created
    colours = {c.path: c.colour for c in project.codebook.codes()}
    assert "Access" in colours
    assert len(set(colours.values())) == len(colours)  # colour bars tell the codes apart
    project.close()


def test_the_retrieval_count_says_codings_and_segments_apart() -> None:
    from storage.codebook.retrieval import RetrievedCoding

    def row(coding: str, segment: str) -> RetrievedCoding:
        return RetrievedCoding(
            coding, "c", "Access", "ann", None, segment, "s", "S", 0, 1, None, None, None, None, ""
        )

    from gui.retrieval import retrieved_count

    assert retrieved_count([row("1", "a")]) == "1 coded segment"
    assert retrieved_count([row("1", "a"), row("2", "b")]) == "2 coded segments"
    assert retrieved_count([row("1", "a"), row("2", "a")]) == "2 codings in 1 segment"


def test_closing_a_project_clears_its_status_message(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project
) -> None:
    """The status bar kept "Transcribed: 4 segments." over the next, empty project."""
    folder = project.folder
    project.close()
    w = _app_window(qtbot, qsettings, fake_transcriber)
    assert w.projects.open_project(folder)
    w.chrome.message("Transcribed: 4 segments.")
    w.projects.close_project()
    assert w.statusBar().currentMessage() == ""

"""The main window driven like a coder: import, transcribe, edit, split, code, search, undo."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtWidgets import QMessageBox

from gui.models.segments import CODE_MIME, COL_TEXT
from gui.models.sessions import STATUS_COL
from gui.select_row import select_row
from storage import Project


def _import_and_transcribe(window: Any, qtbot: Any, idle: Any, wav: Path) -> str:
    window.transcription.import_files([wav], kind="focus_group")
    idle(window)
    sessions = window.project.sessions.all()
    assert len(sessions) == 1 and sessions[0].kind == "focus_group"
    sid = sessions[0].id
    window.transcription.start_transcription(sid)
    idle(window)
    # generous, as ``idle``: on a CI machine busy with a real model in the other worker, the
    # fake transcription's rows came after 5 s once
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 4, timeout=30000)
    return sid


def test_start_page_then_project(qtbot: Any, qsettings: Any, project: Project) -> None:
    from gui.main_window import MainWindow

    w = MainWindow(settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    assert w.stack.currentIndex() == 0
    assert w.start_page.banner.isVisibleTo(w)  # first start offers the demo
    folder = project.folder
    project.close()
    assert w.projects.open_project(folder)
    assert w.stack.currentIndex() == 1 and w.project is not None
    assert str(folder) in w.settings.recent()
    w.projects.close_project()
    assert w.stack.currentIndex() == 0 and w.project is None
    assert not w.projects.open_project(folder / "nope")  # a clear message, no crash
    w.close()


def test_import_transcribe_edit_undo(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    sid = _import_and_transcribe(window, qtbot, idle, speech_wav)
    assert window.sessions_model.index(0, STATUS_COL).data() == "transcribed"
    assert window.player.source is not None
    qtbot.waitUntil(lambda: len(window.waveform._peaks) > 0, timeout=5000)

    # edit text in the segment editor (commit with Ctrl+Enter)
    window.transcript.go_to_row(1)
    seg = window.segment_model.segment(1)
    editor = window.segment_editor
    assert editor.toPlainText() == seg.text
    editor.setPlainText("I trust the portal completely.")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(window)
    assert project.transcript.get_segment(seg.id).text == "I trust the portal completely."
    assert window.segment_model.segment(1).text == "I trust the portal completely."

    # split at the cursor, then undo, then redo
    cursor = editor.textCursor()
    cursor.setPosition(len("I trust the portal"))
    editor.setTextCursor(cursor)
    window.editing.split_at_cursor()
    idle(window)
    assert project.transcript.segment_count(sid) == 5
    assert window.segment_model.rowCount() == 5
    assert window.segment_model.segment(1).text == "I trust the portal"
    assert window.segment_model.segment(2).text == "completely."
    window.undo_stack.undo()
    idle(window)
    assert project.transcript.segment_count(sid) == 4
    assert window.segment_model.segment(1).text == "I trust the portal completely."
    window.undo_stack.undo()  # the text edit
    idle(window)
    assert project.transcript.get_segment(seg.id).text == seg.text
    window.undo_stack.redo()
    window.undo_stack.redo()
    idle(window)
    assert project.transcript.segment_count(sid) == 5

    # merge with next, and undo
    window.transcript.go_to_row(1)
    window.editing.merge_with_next()
    idle(window)
    assert project.transcript.segment_count(sid) == 4
    window.undo_stack.undo()
    idle(window)
    assert project.transcript.segment_count(sid) == 5
    assert [s.text for s in project.transcript.segments(sid)][1:3] == [
        "I trust the portal",
        "completely.",
    ]

    # change speaker of two rows, undo
    select_row(window.transcript, 0)
    window.editing.set_speaker([window.segment_model.segment(0).id], "Moderator A")
    idle(window)
    assert window.segment_model.segment(0).speaker == "Moderator A"
    window.undo_stack.undo()
    idle(window)
    assert project.transcript.segments(sid)[0].speaker == "Moderator"

    # inline edit through the table delegate path (setData -> command)
    index = window.segment_model.index(3, COL_TEXT)
    window.segment_model.setData(index, "In the villages the internet is very slow.")
    idle(window)
    assert project.transcript.segments(sid)[3].text == "In the villages the internet is very slow."

    # insert timestamp at the cursor
    window.transcript.go_to_row(0)
    window.player.seek(1500)
    editor.moveCursor(editor.textCursor().MoveOperation.Start)
    window.editing.insert_timestamp()
    assert editor.toPlainText().startswith("[0:01.5]")
    editor.commit()
    idle(window)
    assert project.transcript.segments(sid)[0].text.startswith("[0:01.5]")


def test_code_span_segments_keys_drop_and_retrieve(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, tmp_path: Path
) -> None:
    project: Project = window.project
    _import_and_transcribe(window, qtbot, idle, speech_wav)
    window.editing.add_code("Trust")
    window.editing.add_code("Access")
    idle(window)
    codes = {c.name: c for c in project.codebook.codes()}
    assert window.codebook.model.rowCount() == 2

    # a span of words: select "trust" in the segment editor, double-click the code
    window.transcript.go_to_row(1)
    text = window.segment_editor.toPlainText()
    start = text.index("trust")
    window.segment_editor.select_cp(start, start + len("trust"))
    idx = window.codebook.model.index_of(codes["Trust"].id)
    window.codebook.tree.doubleClicked.emit(idx)
    idle(window)
    seg1 = window.segment_model.segment(1)
    [coding] = project.codebook.codings(segment_id=seg1.id)
    assert (coding.start_cp, coding.end_cp) == (start, start + 5)
    assert coding.code_id == codes["Trust"].id and coding.coder == "coder-a"
    assert window.codebook.model.index_of(codes["Trust"].id).siblingAtColumn(1).data() == "1"
    assert "Trust" in window.segment_editor._spans[0][2]

    # several whole segments with quick key 2 (the second code in the tree: Trust? no: sorted)
    window.transcript.clearSelection()
    select_row(window.transcript, 2)
    window.transcript.selectionModel().select(
        window.segment_model.index(3, 0),
        window.transcript.selectionModel().SelectionFlag.Select
        | window.transcript.selectionModel().SelectionFlag.Rows,
    )
    window.transcript.setFocus()
    window.editing.pin_code(codes["Access"].id, 1)  # digits code with pinned codes only
    qtbot.keyClick(window.transcript, Qt.Key.Key_1)
    idle(window)
    access = project.codebook.codings(code_id=codes["Access"].id)
    assert sorted(c.segment_id for c in access) == sorted(
        [window.segment_model.segment(2).id, window.segment_model.segment(3).id]
    )
    assert all(c.start_cp is None for c in access)

    # drag-and-drop a code onto a row
    data = QMimeData()
    data.setData(CODE_MIME, codes["Trust"].id.encode())
    window.transcript.clearSelection()
    window.segment_model.dropMimeData(
        data, Qt.DropAction.CopyAction, -1, -1, window.segment_model.index(0, 0)
    )
    idle(window)
    assert project.codebook.codings(segment_id=window.segment_model.segment(0).id)

    # undo the drop
    window.undo_stack.undo()
    idle(window)
    assert not project.codebook.codings(segment_id=window.segment_model.segment(0).id)

    # retrieval of Trust: 1 span; export CSV
    window.docks.retrieve_code(codes["Trust"].id)
    idle(window)
    assert window.retrieval.model.rowCount() == 1
    assert window.retrieval.model.rows[0].quote == "trust"
    out = tmp_path / "trust.csv"
    window.retrieval.export_to(out)
    idle(window)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows[0]["coded_text"] == "trust" and rows[0]["code"] == "Trust"

    # remove the span coding via the dialog path (only one coding: no question asked)
    window.transcript.go_to_row(1)
    window.editing.remove_coding_dialog()
    idle(window)
    assert not project.codebook.codings(segment_id=seg1.id)
    window.undo_stack.undo()
    idle(window)
    assert project.codebook.codings(segment_id=seg1.id)[0].start_cp == start


def test_codebook_edits(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    _import_and_transcribe(window, qtbot, idle, speech_wav)
    window.editing.add_code("Access")
    window.editing.add_code("Connectivity")
    idle(window)
    codes = {c.name: c for c in project.codebook.codes()}
    # nest by drag and drop (model drop -> move command), undo
    model = window.codebook.model
    mime = model.mimeData([model.index_of(codes["Connectivity"].id)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index_of(codes["Access"].id))
    idle(window)
    assert project.codebook.get_code(codes["Connectivity"].id).path == "Access/Connectivity"
    window.undo_stack.undo()
    idle(window)
    assert project.codebook.get_code(codes["Connectivity"].id).parent_id is None
    # rename through the tree editor
    model.setData(model.index_of(codes["Access"].id), "Access to services")
    idle(window)
    assert project.codebook.get_code(codes["Access"].id).name == "Access to services"
    # delete with codings asks first; "No" keeps everything
    seg = window.segment_model.segment(0)
    project.codebook.apply_code(seg.id, codes["Connectivity"].id)
    window.editing.reload_codebook()
    idle(window)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.editing.delete_code_dialog(codes["Connectivity"].id)
    idle(window)
    assert project.codebook.find_code("Connectivity") is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.editing.delete_code_dialog(codes["Connectivity"].id)
    idle(window)
    assert project.codebook.find_code("Connectivity") is None
    assert not project.codebook.codings(segment_id=seg.id)
    assert window.segment_model.codings_for(seg.id) == []


def test_search_jumps_and_plays(window: Any, qtbot: Any, idle: Any, speech_wav: Path) -> None:
    _import_and_transcribe(window, qtbot, idle, speech_wav)
    window.search_panel.query.setText("villages")
    qtbot.keyClick(window.search_panel.query, Qt.Key.Key_Return)
    idle(window)
    assert window.search_panel.results.count() == 1
    item = window.search_panel.results.item(0)
    assert "[villages]" in item.text()
    window.search_panel.results.itemActivated.emit(item)
    idle(window)
    assert window.transcript.currentIndex().row() == 2
    assert window.player.position() == window.segment_model.segment(2).start_ms
    assert window.segment_model.playing_row == 2


def test_a_slow_older_search_does_not_replace_the_newer_results(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: Any
) -> None:
    """A broad query still running when the user types a new one: the panel ends up with the
    results of the query in the box (a new user saw "62 segments found" under "Әкем")."""
    _import_and_transcribe(window, qtbot, idle, speech_wav)
    transcript = window.project.transcript
    search = transcript.search
    release = threading.Event()

    def slow_for_broad(query: str, **kw: Any) -> Any:
        if query == "the":
            release.wait(10)
        return search(query, **kw)

    monkeypatch.setattr(transcript, "search", slow_for_broad)
    panel = window.search_panel
    panel.query.setText("the")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    panel.query.setText("villages")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.info.text() == "1 segment found", timeout=10000)
    release.set()
    idle(window)
    assert panel.info.text() == "1 segment found"
    assert "[villages]" in panel.results.item(0).text()


def test_blind_coding_shows_only_my_codings(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    project: Project = window.project
    _import_and_transcribe(window, qtbot, idle, speech_wav)
    code = project.codebook.add_code("Trust")
    seg = window.segment_model.segment(0)
    project.codebook.apply_code(seg.id, code.id, coder="ben")
    window.editing._reload_codings()  # the window sees ben's coding...
    idle(window)
    assert len(window.segment_model.codings_for(seg.id)) == 1
    project.set_meta("blind_coding", "1")  # ...until blind coding is on
    window.editing.reload_codebook()
    idle(window)
    assert window.segment_model.codings_for(seg.id) == []
    assert window.codebook.model.frequency(code.id) == 0
    project.set_meta("blind_coding", "0")
    window.editing.reload_codebook()
    idle(window)
    assert len(window.segment_model.codings_for(seg.id)) == 1


def test_transcription_progress_cancel_and_replace(
    qtbot: Any,
    project: Project,
    qsettings: Any,
    speech_wav: Path,
    idle: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gui.main_window import MainWindow
    from tests.gui.gui_helpers import make_fake_transcriber

    qsettings.setValue("transcribe_after_import", "false")
    # a segment a second: time to cancel before the fourth, even on a busy machine
    w = MainWindow(project, transcriber=make_fake_transcriber(1.0), settings=qsettings)
    qtbot.addWidget(w)
    w.transcription.import_files([speech_wav])
    idle(w)
    sid = project.sessions.all()[0].id
    w.transcription.start_transcription(sid)
    qtbot.waitUntil(lambda: w.sessions_model.live(sid) is not None, timeout=10000)
    qtbot.waitUntil(lambda: project.transcript.segment_count(sid) >= 1, timeout=10000)
    # the first segments show up while the transcription goes on
    qtbot.waitUntil(lambda: w.segment_model.rowCount() >= 1, timeout=10000)
    assert sid in w.transcription.running
    assert w.cancel_button.isVisibleTo(w)
    qtbot.mouseClick(w.cancel_button, Qt.MouseButton.LeftButton)
    idle(w)
    assert not w.cancel_button.isVisibleTo(w)
    assert 1 <= project.transcript.segment_count(sid) < 4
    assert w.sessions_model.live(sid) is None  # no progress shown
    # a second run finds a transcript: the window asks to replace
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    w.transcription.start_transcription(sid)
    idle(w)
    assert project.transcript.segment_count(sid) == 4
    w.close()


def test_memos_and_journal(window: Any, qtbot: Any, idle: Any) -> None:
    project: Project = window.project
    dialog = window.editing.journal_dialog()
    dialog.title.setText("Day 1")
    dialog.text.setPlainText("First focus group went well.")
    dialog.save()
    idle(window)
    [memo] = project.codebook.memos("journal", None)
    assert memo.title == "Day 1" and memo.text == "First focus group went well."
    assert dialog.list.count() == 1
    dialog.close()


def test_hosted_team_panels_and_blind_toggle(window: Any, qtbot: Any, idle: Any) -> None:
    from gui.teamwork import AgreementWidget

    panel = window.extra_panels.show_agreement()
    assert isinstance(panel, AgreementWidget)
    assert window.extra_panels.docks["agreement"].isVisible()
    window.extra_panels.blind_action.setChecked(True)
    window.extra_panels.toggle_blind()
    idle(window)
    assert window.project.get_meta("blind_coding") == "1" and window.blind
    window.projects.close_project()
    assert window.extra_panels.docks == {}


def test_drop_files_merge_recolour_reassign(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    from PySide6.QtCore import QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    project: Project = window.project
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(speech_wav))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)  # drag-and-drop import
    idle(window)
    [session] = project.sessions.all()
    window.transcription.start_transcription(session.id)
    idle(window)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 4)
    window.editing.add_code("Trust")
    window.editing.add_code("Confidence")
    idle(window)
    codes = {c.name: c for c in project.codebook.codes()}
    seg = window.segment_model.segment(0)
    window.transcript.go_to_row(0)
    window.editing.apply_code(codes["Confidence"].id)
    idle(window)
    # re-assign the coding to Trust (undoable)
    [coding] = project.codebook.codings(segment_id=seg.id)
    from gui.undo import ReassignCodingCommand

    window.undo_stack.push(ReassignCodingCommand(window.ctx, coding, codes["Trust"].id))
    idle(window)
    assert project.codebook.codings(segment_id=seg.id)[0].code_id == codes["Trust"].id
    window.undo_stack.undo()
    idle(window)
    assert project.codebook.codings(segment_id=seg.id)[0].code_id == codes["Confidence"].id
    # recolour (undoable)
    window.editing.codes.update_code(codes["Trust"].id, {"colour": "#123456"}, "Recolour code")
    idle(window)
    assert project.codebook.get_code(codes["Trust"].id).colour == "#123456"
    window.undo_stack.undo()
    idle(window)
    assert project.codebook.get_code(codes["Trust"].id).colour == codes["Trust"].colour
    # merge Confidence into Trust: the coding moves, the stripe follows
    window.editing.merge_codes(codes["Confidence"].id, codes["Trust"].id)
    idle(window)
    assert project.codebook.find_code("Confidence") is None
    assert [c.code_id for c in window.segment_model.codings_for(seg.id)] == [codes["Trust"].id]
    assert window.codebook.model.frequency(codes["Trust"].id) == 1


def test_a_search_hit_in_another_session_plays_from_the_hit(
    qtbot: Any, idle: Any, project: Project, qsettings: Any, speech_wav: Path
) -> None:
    """Walkthrough (real ru/kk/en recordings): activating a search hit at 0:34 of another
    session opened it and selected the hit, but the audio played from 0:00 (the player was
    still loading the file, and Qt ignores a seek then); it plays from the hit's start now."""
    from gui.main_window import MainWindow
    from storage import SegmentDraft

    shown = project.sessions.import_audio(speech_wav, title="first")
    other = project.sessions.import_audio(speech_wav, title="second", again=True)
    project.transcript.add_segments(shown.id, [SegmentDraft(0, 1000, "nothing here")])
    project.transcript.add_segments(
        other.id,
        [SegmentDraft(0, 2500, "hello there"), SegmentDraft(2500, 4500, "the village clinic")],
    )
    qsettings.setValue("transcribe_after_import", "false")
    window = MainWindow(project, settings=qsettings)
    qtbot.addWidget(window)
    window.show()
    idle(window)
    window.sessions.open_segment_session(shown.id)
    idle(window)
    window.search_panel.query.setText("clinic")
    qtbot.keyClick(window.search_panel.query, Qt.Key.Key_Return)
    idle(window)
    window.search_panel.results.itemActivated.emit(window.search_panel.results.item(0))
    idle(window)
    qtbot.waitUntil(window.player.is_playing, timeout=5000)
    qtbot.wait(300)
    assert window.segment_model.session_id == other.id
    assert window.player.position() >= 2500  # not from 0:00
    assert window.segment_model.playing_row == 1
    window.player.stop()
    window.runner.cancel_all()
    window.close()


def test_replacing_a_name_searches_again(
    qtbot: Any, idle: Any, project: Project, qsettings: Any, speech_wav: Path
) -> None:
    """Walkthrough (real ru/kk/en recordings): after searching "Скайлс", Ethics ▸ Pseudonyms
    replaced the name everywhere ("The real names are removed from the transcript text"), yet
    the search list went on showing "[Скайлс]" in three hits; the query runs again now."""
    from gui.main_window import MainWindow
    from storage import SegmentDraft

    session = project.sessions.import_audio(speech_wav, title="Алматы")
    project.transcript.add_segments(
        session.id,
        [
            SegmentDraft(0, 2000, "Айгүл апа, сәлеметсіз бе", language="kk"),
            SegmentDraft(2000, 4000, "Айгүл сказала, что очередь большая", language="ru"),
        ],
    )
    qsettings.setValue("transcribe_after_import", "false")
    window = MainWindow(project, settings=qsettings)
    qtbot.addWidget(window)
    window.show()
    idle(window)
    panel = window.search_panel
    panel.query.setText("АЙГҮЛ")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    idle(window)
    assert panel.results.count() == 2
    tab = window.extra_panels.show_privacy(1).pseudonyms
    tab.real.setText("Айгүл")
    tab.pseudonym.setText("P01")
    tab.add.click()
    tab.review.click()
    tab.confirm = lambda _text: True
    tab.apply.click()
    idle(window)
    assert panel.results.count() == 0
    assert panel.info.text() == "Nothing found."
    window.runner.cancel_all()
    window.close()

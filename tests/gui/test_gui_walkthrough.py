"""Defects found by a GUI walkthrough at 1024x700 and 1366x768 (small laptop screens)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage import Project
from tests.gui.gui_helpers import code_and_retrieve, import_and_transcribe


def _laptop_window(qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project) -> Any:
    """The test project reopened in a full app window at 1024x700."""
    from gui.main_window import MainWindow

    folder = project.folder
    project.close()
    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    assert w.projects.open_project(folder)
    return w


def test_long_session_title_never_widens_the_window(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    sid = import_and_transcribe(w, qtbot, idle, speech_wav, open_session=True)
    title = "A very long session title " * 4  # 104 characters
    w.sessions.edits.rename_session(sid, title.strip())
    idle(w)
    qtbot.wait(100)
    label = w.transcript_label
    assert w.width() <= 1024
    assert w.minimumSizeHint().width() <= 1024
    assert label.width() <= 1024
    assert title.strip()[:30] in label.full_text()
    assert title.strip() in label.toolTip()  # the whole title is in the tooltip
    assert "…" in label.text()  # elided on screen
    w.close()


def test_new_project_shows_nothing_of_the_previous_one(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,
    idle: Any,
    speech_wav: Path,
    tmp_path: Path,
) -> None:
    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    import_and_transcribe(w, qtbot, idle, speech_wav, open_session=True)
    old_title = w.project.sessions.all()[0].title
    qtbot.waitUntil(lambda: w.player.source is not None)
    qtbot.waitUntil(lambda: not w.player_bar.time.text().endswith("/ 0:00"), timeout=10000)
    assert old_title in w.transcript_label.text()
    assert w.projects.create_project(tmp_path / "Empty.fieldscribe", name="Empty") is not None
    idle(w)
    qtbot.wait(50)
    assert w.sessions_model.rowCount() == 0
    assert w.segment_model.rowCount() == 0
    assert old_title not in w.transcript_label.text()
    assert "segments" not in w.transcript_label.text()
    assert "Import audio" in w.transcript_label.text()  # the empty project says what to do
    assert "Import audio" in w.segment_editor.placeholderText()
    assert w.player_bar.time.text() == "0:00.0 / 0:00"
    w.close()


def test_cancelled_transcription_shows_in_the_sessions_list(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    from gui.models.sessions import STATUS_COL

    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    sid = import_and_transcribe(w, qtbot, idle, speech_wav, open_session=True)
    done = w.sessions_model.index(0, STATUS_COL).data()
    assert done.startswith("transcribed")
    # what the real transcriber records when cancelled at 70 %: segments kept, run unfinished
    w.project.transcription.begin_transcription(
        sid, model="base", language="en", total_ms=10_000, from_ms=7_000
    )
    w.project.transcription.end_transcription(sid, "cancelled")
    w.sessions.reload_sessions()
    idle(w)
    status = w.sessions_model.index(0, STATUS_COL).data()
    assert "cancelled at 70 %" in status
    assert status != done
    tip = w.sessions_model.index(0, STATUS_COL).data(3)
    assert "4 segments kept" in tip
    assert "goes on from where it stopped" in tip  # how to resume: in words, in the tooltip
    # the cell reads whole at 1024x700: "cancelled at 70 % — resume with Transcribe" was cut
    # to "cancelled at 70 % — resu…" (and pushed the Kind column out of the dock at 1366x768)
    view = w.sessions_view
    view.fit_columns()
    need = view.sizeHintForColumn(STATUS_COL)  # what the cell needs to show it unelided
    assert need <= view.columnWidth(STATUS_COL), (status, need, view.columnWidth(STATUS_COL))
    # one row re-read (an edit) keeps it
    w.sessions.refresh_session_row(sid)
    idle(w)
    assert "cancelled at 70 %" in w.sessions_model.index(0, STATUS_COL).data()


def test_editor_text_follows_segments_that_arrive_while_transcribing(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    w.transcription.import_files([speech_wav])
    idle(w)
    sid = w.project.sessions.all()[0].id
    w.sessions.open_segment_session(sid)
    idle(w)
    assert "no segments yet" in w.segment_editor.placeholderText()
    # segments land while the session is shown (a transcription running, or cancelled)
    w.transcription.start_transcription(sid)
    idle(w)
    w.sessions.refresh_transcript(sid)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 4)
    assert "no segments yet" not in w.segment_editor.placeholderText()
    w.close()


def test_column_widths_give_the_title_priority() -> None:
    from gui.sessions_view import MIN_STATUS, column_widths

    # title 120, status 260, kind 80, date 90: 250 px -> title whole, status elided, no others
    widths = column_widths(250, [120, 260, 80, 90])
    assert widths[0] == 120 and widths[1] == 130 and widths[2:] == [0, 0]
    # room for everything: all shown, the title takes the rest
    widths = column_widths(700, [120, 100, 80, 90])
    assert widths[1:] == [100, 80, 90] and sum(widths) == 700
    # a very long title takes half, the status (elided) the rest
    widths = column_widths(250, [600, 260, 80, 90])
    assert widths[:2] == [125, 125] and widths[1] >= MIN_STATUS
    # a narrow list (212 px at 1024x700) where the whole status leaves the title its first
    # words: the status whole ("6 coded · 2 no text" read "6 coded · 2 …")
    assert column_widths(195, [230, 117]) == [78, 117]


def test_sessions_list_keeps_the_title_readable_at_1024(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    from gui.models.sessions import STATUS_COL

    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    sid = import_and_transcribe(w, qtbot, idle, speech_wav, open_session=True)
    w.sessions.edits.rename_session(sid, "mixed-real")
    w.project.transcription.begin_transcription(
        sid, model="base", language="en", total_ms=10_000, from_ms=7_000
    )
    w.project.transcription.end_transcription(sid, "cancelled")
    w.sessions.reload_sessions()
    idle(w)
    qtbot.wait(50)
    view = w.sessions_view
    title_px = view.fontMetrics().horizontalAdvance("mixed-real")
    assert view.columnWidth(0) >= title_px  # not "mi…"
    right = view.columnViewportPosition(STATUS_COL) + view.columnWidth(STATUS_COL)
    assert right <= view.viewport().width()  # the status is in sight, elided at worst
    assert not view.horizontalScrollBar().isVisible()
    status = w.sessions_model.index(0, STATUS_COL)
    assert status.data() in status.data(3)  # the whole status in its tooltip
    w.close()


def _message_readable(dialog: Any, field: Any, qtbot: Any, text: str) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    dialog.show()
    qtbot.waitExposed(dialog)
    field.edit.setText(text)
    qtbot.wait(50)
    status = field.status
    assert "Unknown language code" in status.text()
    # the label is tall enough for all its wrapped lines, and ends above the buttons
    assert status.height() >= status.heightForWidth(status.width())
    buttons = dialog.findChild(QDialogButtonBox)
    bottom = status.mapTo(dialog, status.rect().bottomLeft()).y()
    assert bottom < buttons.mapTo(dialog, buttons.rect().topLeft()).y()
    assert dialog.height() <= 700


def test_project_languages_dialog_shows_the_whole_message(qtbot: Any) -> None:
    from gui.languages import LanguagesDialog

    dialog = LanguagesDialog(["ru", "kk"])
    qtbot.addWidget(dialog)
    _message_readable(dialog, dialog.field, qtbot, "ru, kk, en, xx")


def test_new_project_dialog_shows_the_whole_message(qtbot: Any) -> None:
    from gui.onboarding import NewProjectDialog

    dialog = NewProjectDialog("Study", "ana")
    qtbot.addWidget(dialog)
    _message_readable(dialog, dialog.languages, qtbot, "kaz")


def test_empty_session_hint_names_the_real_menu_and_wraps(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTextEdit

    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    w.transcription.import_files([speech_wav])
    idle(w)
    w.sessions.open_segment_session(w.project.sessions.all()[0].id)
    idle(w)
    editor = w.segment_editor
    hint = editor.placeholderText()
    assert "no segments yet" in hint
    menus = [a.text().replace("&", "") for a in w.menuBar().actions()]
    assert "Transcription" in menus
    assert "(Transcription ▸" in hint  # the menu that exists
    # drawn by the editor, wrapped (Qt's own placeholder is one elided line)
    assert QTextEdit.placeholderText(editor) == ""
    room = editor.viewport().rect()
    needed = editor.fontMetrics().boundingRect(room, int(Qt.TextFlag.TextWordWrap), hint)
    assert needed.height() <= room.height()
    w.close()


def test_bottom_docks_keep_their_buttons_and_an_empty_search_is_compact(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    import_and_transcribe(w, qtbot, idle, speech_wav, open_session=True)
    search = w.search_panel
    assert not search.results.isVisible()  # nothing searched: no blank list
    assert search.minimumSizeHint().height() < 60
    w.retrieval_dock.show()
    w.retrieval_dock.raise_()
    qtbot.wait(100)
    panel = w.docks.retrieval
    for widget in (panel.export_btn, panel.count):
        assert widget.isVisible()
    assert not panel.table.isVisible()  # nothing retrieved: a hint, no blank table
    button = panel.export_btn
    assert button.visibleRegion().boundingRect().height() == button.height()  # not cut off
    code_and_retrieve(w, idle, "Portal", 0)
    qtbot.waitUntil(panel.table.isVisible)
    assert panel.table.height() >= panel.table.minimumHeight() > 0
    assert button.visibleRegion().boundingRect().height() == button.height()
    w.sessions.run_search("portal")
    idle(w)
    w.search_dock.raise_()
    qtbot.wait(50)
    assert search.info.isVisible() and search.results.isVisible()
    w.close()


def test_codebook_keeps_collapsed_branches_and_offers_expand_collapse_all(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    import_and_transcribe(w, qtbot, idle, speech_wav, open_session=True)
    w.editing.add_code("Digital divide")
    w.editing.add_code("Trust")
    idle(w)
    codes = {c.name: c for c in w.project.codebook.codes()}
    w.editing.add_code("Older residents", codes["Digital divide"].id)
    w.editing.add_code("Data privacy", codes["Trust"].id)
    idle(w)
    panel = w.codebook
    tree, model = panel.tree, panel.model
    divide, trust = model.index_of(codes["Digital divide"].id), model.index_of(codes["Trust"].id)
    assert tree.isExpanded(divide) and tree.isExpanded(trust)
    tree.collapse(divide)  # the user closes one branch
    # coding a segment and creating a sub-code read the codebook again
    w.transcript.go_to_row(0)
    w.editing.apply_code(codes["Trust"].id)
    idle(w)
    w.editing.add_code("Fear of misuse", codes["Trust"].id)
    idle(w)
    divide, trust = model.index_of(codes["Digital divide"].id), model.index_of(codes["Trust"].id)
    assert not tree.isExpanded(divide)  # still closed
    assert tree.isExpanded(trust)
    # Expand all / Collapse all, in the codebook's context menu
    assert panel.act_expand_all.text() == "Expand all"
    panel.act_collapse_all.trigger()
    w.editing.reload_codebook()
    idle(w)
    assert not tree.isExpanded(model.index_of(codes["Trust"].id))
    panel.act_expand_all.trigger()
    w.editing.reload_codebook()
    idle(w)
    assert tree.isExpanded(model.index_of(codes["Digital divide"].id))
    assert tree.isExpanded(model.index_of(codes["Trust"].id))
    w.close()


def test_every_codebook_action_is_in_sight_at_1024x700(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,
    idle: Any,
    monkeypatch: Any,
) -> None:
    """The codebook's toolbar showed "New code", "Sub-code" and a » hiding the other five; its
    buttons now wrap onto more rows, each whole inside the panel, and they work."""
    from gui.ask_dialog import AskDialog

    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    qtbot.wait(100)
    bar = w.codebook.toolbar
    assert w.codebook.width() < 300  # the narrow panel of a small laptop
    assert len(bar.buttons) == 7
    for button in bar.buttons:
        assert button.isVisible() and bar.rect().contains(button.geometry()), button.text()
    assert len({b.geometry().top() for b in bar.buttons}) > 1  # wrapped onto rows
    assert bar.height() >= bar.layout().heightForWidth(bar.width())
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *a, **k: ("Trust", True)))
    new = next(b for b in bar.buttons if b.defaultAction() is w.codebook.act_new)
    new.click()
    idle(w)
    assert w.project.codebook.find_code("Trust") is not None
    w.close()


def test_a_speaker_or_language_set_in_the_workbench_can_be_filtered_on_at_once(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    """Retrieval's speaker and language filters and Search's language filter were filled
    when the project opened only: a speaker just named, or a segment just set to Russian,
    could not be filtered on until the project was opened again."""
    import_and_transcribe(window, qtbot, idle, speech_wav)
    window.transcript.go_to_row(1)
    idle(window)
    window.editing.set_speaker([window.segment_model.segment(1).id], "Aigerim")
    window.editing.set_language([window.segment_model.segment(2).id], "ru")
    idle(window)
    retrieval = window.retrieval

    def offered(box: Any) -> list[Any]:
        return [box.itemData(i) for i in range(box.count())]

    qtbot.waitUntil(lambda: "Aigerim" in offered(retrieval.speaker_box))
    assert "ru" in offered(retrieval.language_box)
    assert "ru" in offered(window.search_panel.language_box)
    window.search_panel.language_box.setCurrentIndex(
        offered(window.search_panel.language_box).index("ru")
    )
    window.editing.set_speaker([window.segment_model.segment(3).id], "Bakyt")
    idle(window)
    qtbot.waitUntil(lambda: "Bakyt" in offered(retrieval.speaker_box))
    assert window.search_panel.language() == "ru"  # a refill keeps the choice


def test_the_codes_column_keeps_its_title_in_a_narrow_transcript(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, speech_wav: Path
) -> None:
    """With the side panels open at 1024x700 the transcript is under 560 px wide, the code
    names give way to brackets, and the column's title read "ode"."""
    from gui.models.segments import COL_CODES, HEADERS

    w = _laptop_window(qtbot, qsettings, fake_transcriber, project)
    import_and_transcribe(w, qtbot, idle, speech_wav, open_session=True)
    table = w.transcript
    table.setFixedWidth(480)
    qtbot.waitUntil(lambda: table.viewport().width() < 560)
    table.fit_rows()
    title = table.horizontalHeader().fontMetrics().horizontalAdvance(HEADERS[COL_CODES])
    assert table.columnWidth(COL_CODES) >= title + 8
    w.close()


def test_words_selected_in_the_editor_are_redacted_from_the_ethics_menu(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: Any
) -> None:
    """Ethics ▸ Redactions listed and undid redactions, but nothing in the workbench made
    one: a researcher had to use `fieldscribe redact`."""
    from gui.ask_dialog import AskDialog

    project: Project = window.project
    import_and_transcribe(window, qtbot, idle, speech_wav)
    window.transcript.go_to_row(2)
    idle(window)
    editor = window.segment_editor
    text = editor.toPlainText()
    asked: list[str] = []

    def category(
        _parent: Any, _title: str, label: str, _text: str, items: list[str], **_k: Any
    ) -> Any:
        asked.append(label)
        return "place", True

    monkeypatch.setattr(AskDialog, "ask", staticmethod(category))
    window.extra_panels.act_redact.trigger()  # nothing selected: says what to do, asks nothing
    assert asked == [] and project.redactions.all() == []
    start = text.index("villages")
    editor.select_cp(start + 2, start + 5)  # inside a word: the whole word
    window.extra_panels.act_redact.trigger()
    idle(window)
    (red,) = project.redactions.all()
    assert text[red.start_cp : red.end_cp] == "villages" and red.category == "PLACE"
    assert "villages" in asked[0]
    editor.setFocus()
    qtbot.keyClicks(editor, "x")  # unsaved typing: the spans would not match the stored text
    editor.select_cp(0, 2)
    window.extra_panels.act_redact.trigger()
    idle(window)
    assert len(project.redactions.all()) == 1 and len(asked) == 1


def test_a_misheard_word_typed_over_at_a_coded_quote_s_end_stays_in_the_quote(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    """A coder codes "the internet is slow" in the editor, then selects "slow" and types what
    was really said, "patchy": the quote keeps it, in the database and in Edit ▸ Undo's
    round trip. Before, the corrected word left the span (the quote read "the internet is")."""
    project: Project = window.project
    import_and_transcribe(window, qtbot, idle, speech_wav)
    window.transcript.go_to_row(2)
    idle(window)
    editor = window.segment_editor
    text = editor.toPlainText()
    code = project.codebook.ensure_code_path("Connectivity")
    window.editing.reload_codebook()
    start, end = text.index("the internet"), text.index("slow") + len("slow")
    editor.select_cp(start, end)
    window.editing.apply_code(code.id)
    idle(window)
    seg_id = window.segment_model.segment(2).id
    (coding,) = project.codebook.codings(segment_id=seg_id)
    assert text[coding.start_cp : coding.end_cp] == "the internet is slow"
    editor.setFocus()
    editor.select_cp(text.index("slow"), end)
    qtbot.keyClicks(editor, "patchy")
    editor.commit()
    idle(window)
    now = project.transcript.get_segment(seg_id).text
    (coding,) = project.codebook.codings(segment_id=seg_id)
    assert now[coding.start_cp : coding.end_cp] == "the internet is patchy"
    window.undo_stack.undo()
    idle(window)
    (coding,) = project.codebook.codings(segment_id=seg_id)
    assert project.transcript.get_segment(seg_id).text[coding.start_cp : coding.end_cp] == (
        "the internet is slow"
    )


def test_retrieval_follows_edits_undo_and_a_code_that_is_gone(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    """Walkthrough at 1024x700: after Edit ▸ Undo of the codings and of the code, Retrieval still
    listed "2 coded segments" of a code that no longer existed (with a coded text the segment
    no longer held), and Export CSV… would have written them."""
    window.resize(1024, 700)
    import_and_transcribe(window, qtbot, idle, speech_wav, open_session=True)
    panel = window.docks.retrieval
    assert not panel.export_btn.isEnabled()  # nothing retrieved yet
    code_and_retrieve(window, idle, "Internet access", 1)
    assert panel.model.rowCount() == 1
    assert panel.export_btn.isEnabled()
    # the coded segment's words typed anew: the retrieval quotes what the segment now says
    seg = window.segment_model.segment(1)
    window.editing.edit_text(seg.id, "Біз ауылда тұрамыз, интернет нашар")
    idle(window)
    qtbot.waitUntil(
        lambda: [r.text for r in panel.model.rows] == ["Біз ауылда тұрамыз, интернет нашар"]
    )
    window.undo_stack.undo()  # the text
    window.undo_stack.undo()  # the coding
    idle(window)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert panel.count.text() == "0 coded segments"
    assert not panel.export_btn.isEnabled()  # nothing listed: nothing to export
    window.undo_stack.undo()  # the code itself
    idle(window)
    assert window.project.codebook.codes() == []
    assert panel.code_box.currentData() is None  # not another code picked silently
    assert panel.model.rowCount() == 0
    assert panel.table.isHidden()
    window.undo_stack.redo()  # the code back; the retrieval shows nothing until asked again
    idle(window)
    assert panel.model.rowCount() == 0

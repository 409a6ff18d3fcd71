"""Issue 18: a workbench a coder can trust all day (typing, undo, keyboard, layout, codes)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from gui.select_row import select_row
from storage import Project, SegmentDraft
from tests.gui.gui_helpers import code_and_retrieve

TEXTS = [
    "Bribes for small things are normal here.",
    "The clinic asks for gifts before the doctor sees you.",
    "Nobody trusts the portal.",
]


@pytest.fixture
def bench(qtbot: Any, project: Project, qsettings: Any, idle: Any) -> Iterator[Any]:
    """A window on a project with a transcribed session "Coded" and an empty one "Empty"."""
    from gui.main_window import MainWindow

    coded = project.sessions.add_session("Coded", "interview")
    project.transcript.add_segments(
        coded.id, [SegmentDraft(i * 3000, i * 3000 + 2500, t) for i, t in enumerate(TEXTS)]
    )
    project.sessions.add_session("Empty", "interview")
    qsettings.setValue("transcribe_after_import", "false")
    qsettings.setValue("coder_name", "coder-a")
    w = MainWindow(project, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    idle(w)
    open_session(w, idle, "Coded")
    yield w
    w.runner.cancel_all()
    w.close()


def open_session(w: Any, idle: Any, title: str) -> None:
    model = w.sessions_model
    row = next(r for r in range(model.rowCount()) if model.session(r).title == title)
    select_row(w.sessions_view, row)
    w.sessions.open_session(model.session(row).id)
    idle(w)


def test_an_empty_session_clears_the_editor_so_nothing_typed_is_lost(
    bench: Any, idle: Any, qtbot: Any
) -> None:
    bench.transcript.go_to_row(0)
    assert bench.segment_editor.toPlainText() == TEXTS[0]
    open_session(bench, idle, "Empty")
    editor = bench.segment_editor
    assert editor.segment is None and editor.toPlainText() == ""
    assert editor.isReadOnly() and "no segments" in editor.placeholderText()
    editor.setFocus()
    qtbot.keyClicks(editor, "lost words")
    assert editor.toPlainText() == ""  # nothing can be typed where it would be thrown away


def _seg_text(project: Project, row: int) -> str:
    return project.transcript.segments(project.sessions.all()[0].id)[row].text


def test_ctrl_z_outside_an_open_edit_undoes_the_last_workbench_edit(
    bench: Any, idle: Any, qtbot: Any
) -> None:
    project: Project = bench.project
    bench.transcript.go_to_row(0)
    editor = bench.segment_editor
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.Start)
    qtbot.keyClicks(editor, "Well, ")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # commit
    idle(bench)
    assert project.transcript.get_segment(bench.segment_model.segment(0).id).text.startswith(
        "Well, "
    )
    # the edit is committed: Ctrl+Z in the editor undoes it as a workbench edit
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    idle(bench)
    assert project.transcript.get_segment(bench.segment_model.segment(0).id).text == TEXTS[0]
    assert editor.toPlainText() == TEXTS[0]
    # inside an open edit Ctrl+Z undoes the typing, and the workbench history is untouched
    index = bench.undo_stack.index()
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " Yes")
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == TEXTS[0]
    assert bench.undo_stack.index() == index


def test_every_view_follows_edits_and_undo(bench: Any, idle: Any) -> None:
    project: Project = bench.project
    sid = bench.state.session.id
    row = bench.sessions_model.row_of(sid)
    bench.transcript.go_to_row(1)
    bench.segment_editor.setFocus()
    cursor = bench.segment_editor.textCursor()
    cursor.setPosition(TEXTS[1].index("before"))
    bench.segment_editor.setTextCursor(cursor)
    bench.editing.split_at_cursor()
    idle(bench)
    assert project.transcript.segment_count(sid) == 4
    assert "4 segments" in bench.transcript_label.text()
    assert bench.sessions_model.session(row).segment_count == 4
    assert bench.state.session.segment_count == 4
    bench.undo_stack.undo()
    idle(bench)
    assert "3 segments" in bench.transcript_label.text()
    assert bench.sessions_model.session(row).segment_count == 3
    assert bench.state.session.segment_count == 3


def test_player_shows_the_length_once_it_is_known(bench: Any) -> None:
    bench.player.duration = lambda: 83_000  # type: ignore[method-assign]
    bench.player.duration_changed.emit(83_000)
    assert bench.player_bar.time.text().endswith("/ 1:23")


def test_ctrl_f_shows_search_even_behind_retrieval_and_enter_does_not_play(
    bench: Any, idle: Any, qtbot: Any
) -> None:
    bench.docks.retrieval_dock.show()
    bench.docks.retrieval_dock.raise_()
    qtbot.waitUntil(lambda: bench.search_panel.visibleRegion().isEmpty())
    bench.transcript.setFocus()
    played: list[int] = []
    bench.transcript.play_requested.connect(played.append)
    qtbot.keyClick(bench.transcript, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bench.search_panel.query.hasFocus())
    assert not bench.search_panel.visibleRegion().isEmpty()
    qtbot.keyClicks(bench.search_panel.query, "clinic 1")
    qtbot.keyClick(bench.search_panel.query, Qt.Key.Key_Return)
    idle(bench)
    assert bench.search_panel.query.text() == "clinic 1"
    assert played == [] and bench.project.codebook.codings() == []


def test_f6_cycles_the_panes(bench: Any, qtbot: Any) -> None:
    panes = [bench.sessions_view, bench.transcript, bench.codebook.tree, bench.search_panel.query]
    bench.sessions_view.setFocus()
    qtbot.waitUntil(bench.sessions_view.hasFocus)
    for pane in [*panes[1:], panes[0]]:
        qtbot.keyClick(bench.focusWidget(), Qt.Key.Key_F6)
        qtbot.waitUntil(pane.hasFocus)
    qtbot.keyClick(bench.focusWidget(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(panes[-1].hasFocus)


def test_digits_code_only_with_pinned_codes_and_the_menu_names_them(
    bench: Any, idle: Any, qtbot: Any
) -> None:
    project: Project = bench.project
    bench.editing.add_code("Corruption")
    idle(bench)
    (code,) = project.codebook.codes()
    bench.transcript.go_to_row(0)
    bench.transcript.setFocus()
    qtbot.keyClick(bench.transcript, Qt.Key.Key_1)
    idle(bench)
    assert project.codebook.codings() == []  # nothing pinned: a stray digit codes nothing
    assert "No code pinned to key 1" in bench.statusBar().currentMessage()
    assert bench.editing.pin_actions[0].text().startswith("Pinned code 1: none")
    bench.editing.pin_code(code.id, 1)
    assert bench.editing.pin_actions[0].text() == "Pinned code 1: Corruption"
    qtbot.keyClick(bench.transcript, Qt.Key.Key_1)
    idle(bench)
    assert [c.code_id for c in project.codebook.codings()] == [code.id]


def test_esc_leaves_the_editor_keeping_what_was_typed(bench: Any, idle: Any, qtbot: Any) -> None:
    bench.transcript.go_to_row(2)
    editor = bench.segment_editor
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " Really.")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(bench.transcript.hasFocus)
    idle(bench)
    seg = bench.segment_model.segment(2)
    assert bench.project.transcript.get_segment(seg.id).text == TEXTS[2] + " Really."


def test_docks_open_tabbed_and_the_window_stays_on_the_screen(
    bench: Any, idle: Any, qtbot: Any
) -> None:
    from PySide6.QtWidgets import QDockWidget

    screen = bench.screen().availableGeometry()
    assert bench.width() <= screen.width() and bench.height() <= screen.height()
    bench.extra_panels.show_speakers()
    bench.extra_panels.show_privacy()
    bench.extra_panels.show_agreement()
    bench.docks.retrieval_dock.show()
    qtbot.wait(50)
    idle(bench)
    # everything fits a 1024x700 laptop screen (the test screen is 800x800: the window fills
    # its width as far as that minimum allows, and never grows taller than the screen)
    least = bench.minimumSizeHint()
    assert least.width() <= 1024 and least.height() <= 700
    assert bench.width() <= max(screen.width(), least.width())
    assert bench.height() <= screen.height()
    right = [
        d
        for d in bench.findChildren(QDockWidget)
        if d.isVisible() and bench.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea
    ]
    # Codebook, Speakers and Ethics share one place as tabs: none squeezed to a sliver
    assert {d.objectName() for d in bench.tabifiedDockWidgets(bench.codebook_dock)} >= {
        "Speakers",
        "Ethics",
    }
    assert all(d.height() > 300 for d in right)
    assert bench.codebook_dock.width() >= 200

    bench.reset_layout()
    qtbot.wait(50)
    assert not bench.extra_panels.docks["privacy"].isVisible()
    assert bench.codebook_dock.isVisible() and not bench.codebook.visibleRegion().isEmpty()
    assert bench.codebook_dock.width() >= 200


def test_the_window_frame_stays_on_the_screen(
    qtbot: Any, qsettings: Any, project: Project, idle: Any
) -> None:
    """A walk at 1024x700 and 1366x768: the window's client area was as tall as the screen,
    so with its frame it was 1028x704 on a 1024x700 screen (offscreen's 2-pixel frame; a
    window manager's title bar puts more of it, the status bar, under the screen's edge).
    The start page and the workbench both keep the frame inside the available area."""
    from gui.main_window import MainWindow

    w = MainWindow(settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    area = w.screen().availableGeometry()

    def inside() -> bool:
        frame = w.frameGeometry()
        return (
            frame.height() <= area.height()
            and frame.top() >= area.top()
            and (frame.bottom() <= area.bottom())
        )

    assert inside(), (w.frameGeometry(), area)
    w.projects.set_project(project)
    idle(w)
    qtbot.wait(50)
    assert inside(), (w.frameGeometry(), area)
    w.projects.close_project()
    w.runner.cancel_all()
    w.close()


def test_an_empty_search_is_a_row_and_results_make_room_for_themselves(
    project: Project, qsettings: Any, idle: Any, qtbot: Any
) -> None:
    """On a laptop the bottom docks (Search, Retrieval) start as their filter rows, leaving
    the transcript the height; search hits and retrieved codings make room when they come."""
    from gui.main_window import MainWindow

    coded = project.sessions.add_session("Coded", "interview")
    project.transcript.add_segments(
        coded.id, [SegmentDraft(i * 3000, i * 3000 + 2500, t) for i, t in enumerate(TEXTS)]
    )
    bench = MainWindow(settings=qsettings)  # as the app opens: the window, then a project
    qtbot.addWidget(bench)
    bench.show()
    bench.projects.set_project(project)
    idle(bench)
    search, retrieval = bench.search_dock, bench.docks.retrieval_dock
    qtbot.waitUntil(lambda: not bench.search_panel.visibleRegion().isEmpty())
    assert search.height() <= 110
    assert bench.retrieval.table.isHidden()  # nothing retrieved yet: no blank table
    assert "Pick a code" in bench.retrieval.count.text()
    bench.search_panel.query.setText("clinic OR portal")
    bench.sessions.run_search(bench.search_panel.query.text())
    idle(bench)
    results = bench.search_panel.results
    qtbot.waitUntil(lambda: results.count() == 2)
    # as tall as the two hits need (it was 30 % of the window, a blank under them)
    qtbot.waitUntil(
        lambda: results.visualItemRect(results.item(1)).bottom() < results.viewport().height()
    )
    # a dock the user made tall stays so: results never shrink it
    fitted = search.height()
    bench.resizeDocks([search], [fitted + 80], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: search.height() >= fitted + 40)
    tall = search.height()
    bench.sessions.run_search("clinic")
    idle(bench)
    assert search.height() == tall

    code_and_retrieve(bench, idle, "Health", 1)
    qtbot.waitUntil(lambda: bench.retrieval.model.rowCount() == 1)
    assert retrieval.isVisible() and not bench.retrieval.table.isHidden()
    table = bench.retrieval.table
    qtbot.waitUntil(
        lambda: table.rowViewportPosition(0) + table.rowHeight(0) <= table.viewport().height()
    )
    bench.runner.cancel_all()
    bench.close()


def test_layout_is_remembered_per_screen_size(bench: Any, qsettings: Any, qtbot: Any) -> None:
    from gui.layout import screen_key

    bench.codebook_dock.hide()
    bench.layout_keeper.save()
    key = f"layout/{screen_key(bench)}/state"
    assert qsettings.value(key) is not None
    bench.codebook_dock.show()
    assert bench.layout_keeper.restore()
    assert not bench.codebook_dock.isVisible()
    bench.reset_layout()
    assert qsettings.value(key) is None and bench.codebook_dock.isVisible()


LONG = (
    "When we went to the clinic in the district centre they told us to come back next week, "
    "and next week they said the doctor was away, so in the end my mother paid the nurse "
    "something small and then suddenly there was a free appointment the same afternoon."
)


def test_rows_show_their_whole_text_and_the_margin_names_the_codes(
    bench: Any, idle: Any, qtbot: Any
) -> None:
    from PySide6.QtGui import QFontMetrics

    project: Project = bench.project
    seg = bench.segment_model.segment(0)
    bench.editing.edit_text(seg.id, LONG)
    bench.editing.add_code("Corruption")
    idle(bench)
    (code,) = project.codebook.codes()
    bench.transcript.go_to_row(0)
    bench.transcript.clearSelection()
    bench.editing.apply_code(code.id)
    idle(bench)
    bench.transcript.fit_rows()
    width = bench.transcript.columnWidth(4) - 14
    metrics = QFontMetrics(bench.transcript.font())
    from PySide6.QtCore import QRect

    flags = int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere)
    need = metrics.boundingRect(QRect(0, 0, width, 10**6), flags, LONG)
    assert bench.transcript.rowHeight(0) >= need.height()  # no "…" after 2.6 lines
    # one margin column for the code; hovering lists code and coder
    assert bench.segment_model.code_slots() == {code.id: 0}
    assert bench.transcript.columnWidth(0) >= bench.transcript.margin.width_for(1)
    tip = bench.segment_model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Corruption" in tip and "coder-a" in tip
    image = bench.transcript.viewport().grab().toImage()
    x = bench.transcript.columnViewportPosition(0) + bench.transcript.columnWidth(0) - 2 - 9 + 3
    y = bench.transcript.rowViewportPosition(0) + bench.transcript.rowHeight(0) // 2
    assert image.pixelColor(x, y).name() == code.colour.lower()  # the bracket is drawn


def test_a_drag_selection_snaps_to_whole_words(bench: Any, qtbot: Any) -> None:
    from gui.text_positions import snap_to_words

    text = TEXTS[0]  # "Bribes for small things are normal here."
    assert snap_to_words(text, 2, 13) == (0, 16)  # "ibes for sm" -> "Bribes for small"
    assert snap_to_words(text, 6, 11) == (7, 10)  # " for " -> "for"
    bench.transcript.go_to_row(0)
    editor = bench.segment_editor
    editor.select_cp(2, 13)
    assert editor.selection_cp() == (0, 16)


def test_detection_is_greyed_saying_what_to_install_when_the_extra_is_missing(
    bench: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog, QMessageBox

    extra = bench.extra_panels
    extra.speakers_available = lambda: False
    extra.refresh_speaker_actions()
    assert not extra.act_detect.isEnabled()
    assert "scripts/setup.sh --with-speakers" in extra.act_detect.toolTip()
    extra.detect_speakers_dialog()  # e.g. from a stale shortcut: one message, no questions
    qtbot.wait(20)
    boxes = [d for d in bench.findChildren(QDialog) if d.isVisible()]
    assert len(boxes) == 1 and isinstance(boxes[0], QMessageBox)
    assert "speakers extra" in boxes[0].text()
    boxes[0].close()


def test_first_start_asks_the_coder_name_once(qtbot: Any, qsettings: Any) -> None:
    from gui.onboarding import first_start
    from gui.settings import Settings

    settings = Settings(qsettings)
    named: list[str] = []
    assert not settings.has_coder
    dialog = first_start(settings, None, named.append)
    assert dialog is not None and dialog.isVisible()  # start-up goes on behind it
    dialog.name.setText("Amina")
    dialog.accept()
    assert settings.coder == "Amina" and named == ["Amina"]
    assert first_start(settings) is None  # asked once


def test_new_project_asks_name_coder_and_languages(
    qtbot: Any, qsettings: Any, tmp_path: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from gui.main_window import MainWindow
    from gui.onboarding import NewProjectDialog

    w = MainWindow(settings=qsettings)
    qtbot.addWidget(w)
    target = tmp_path / "Clinics"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    seen: list[str] = []

    def fill(dialog: NewProjectDialog) -> int:
        seen.append(dialog.name.text())
        dialog.name.setText("Clinic access 2026")
        dialog.coder.setText("Bakyt")
        dialog.languages.edit.setText("ru, kk")
        dialog.accept()
        return 1

    monkeypatch.setattr(NewProjectDialog, "exec", fill)
    w.projects.new_project_dialog()
    idle(w)
    project = w.project
    assert seen == ["Clinics"]  # the folder name is offered
    assert project.name == "Clinic access 2026"
    assert project.coder == "Bakyt" and project.languages == ["ru", "kk"]
    # the project remembers its coder name (in itself); another may be coded under another one
    w.projects.set_project_coder("Bakyt B.")
    idle(w)
    assert project.coder == "Bakyt B." and project.coders.own == "Bakyt B."
    assert w.projects.coder_label.text() == "Coding as Bakyt B."
    folder = project.folder
    w.projects.close_project()
    assert w.projects.open_project(folder)
    assert w.project.coder == "Bakyt B."
    w.runner.cancel_all()
    w.close()


def test_two_copies_of_one_project_on_one_laptop_code_as_their_own_coders(
    qtbot: Any, qsettings: Any, tmp_path: Any, idle: Any
) -> None:
    """The lead's project and a coder's copy of it share the project id; the name was kept in
    the user's settings by that id (or was the general name), so the lead coded as the coder
    in the lead project (or the other way round) and her codings went to the wrong name."""
    from gui.main_window import MainWindow
    from storage import Project
    from storage.team.bundle_export import export_bundle

    with Project.create(tmp_path / "lead.fieldscribe", coder="Dana") as lead:
        export_bundle(lead, tmp_path / "lead.fsbundle")
    Project.from_bundle(
        tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="Aigerim"
    ).close()
    qsettings.setValue("coder", "Aigerim")  # the general name: the person last at this laptop
    w = MainWindow(settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    assert w.projects.open_project(tmp_path / "lead.fieldscribe")
    assert w.project.coder == "Dana" and w.project.team.may_resolve
    assert w.projects.coder_label.text() == "Coding as Dana"
    assert w.projects.coder_label.isVisible()
    w.projects.set_project_coder("Dana S.")  # only this copy
    idle(w)
    assert w.projects.open_project(tmp_path / "a.fieldscribe")
    assert w.project.coder == "Aigerim"
    assert w.projects.coder_label.text() == "Coding as Aigerim"
    assert w.projects.open_project(tmp_path / "lead.fieldscribe")
    assert w.project.coder == "Dana S."
    # the general name changed: new projects get it, the open one keeps its own
    w.projects.coder_changed("Bakyt")
    idle(w)
    assert w.project.coder == "Dana S."
    if os.environ.get("FS_SHOT"):
        w.grab().save(os.environ["FS_SHOT"])
    w.projects.close_project()
    assert not w.projects.coder_label.isVisible()
    w.runner.cancel_all()
    w.close()


def test_renaming_a_copy_that_coded_as_the_lead_asks_whose_copy_it_is(
    qtbot: Any, qsettings: Any, tmp_path: Any, idle: Any, monkeypatch: Any
) -> None:
    """A walk on one laptop: the lead (dana) exported a bundle; File ▸ New project from a team
    bundle… made her colleague's copy, "you code as dana"; the colleague renamed it to aliya
    (File ▸ Coder name for this project…), which renamed the lead too; aliya's bundle, merged
    in dana's project, said "now here: lead aliya" and dana no longer led her own project.
    Renaming the lead's name now asks whose copy it is; the colleague's answer keeps the lead."""
    from gui.main_window import MainWindow
    from gui.onboarding import CoderNameDialog
    from storage import Project
    from storage.team.bundle_export import export_bundle
    from storage.team.merging import merge_bundles

    with Project.create(tmp_path / "lead.fieldscribe", coder="dana") as lead:
        export_bundle(lead, tmp_path / "lead.fsbundle")
    Project.from_bundle(
        tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="dana"
    ).close()
    w = MainWindow(settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    assert w.projects.open_project(tmp_path / "a.fieldscribe")
    typed: list[str] = []

    def name_it(dialog: Any) -> int:
        dialog.name.setText(typed[-1])
        return 1

    monkeypatch.setattr(CoderNameDialog, "exec", name_it)
    asked: list[tuple[str, str]] = []
    answers: list[bool | None] = [None, False]  # Cancel first, then "This copy is aliya's"
    monkeypatch.setattr(
        w.projects,
        "ask_whose_copy",
        lambda lead, name: asked.append((lead, name)) or answers.pop(0),
        raising=False,
    )
    typed.append("aliya")
    w.projects.project_coder_dialog()  # cancelled: nothing changes
    idle(w)
    assert w.project.coder == "dana" and w.project.team.lead == "dana"
    w.projects.project_coder_dialog()
    idle(w)
    assert asked == [("dana", "aliya"), ("dana", "aliya")]
    assert w.project.coder == "aliya" and w.project.coders.own == "aliya"
    assert w.project.team.lead == "dana" and not w.project.team.may_resolve
    export_bundle(w.project, tmp_path / "aliya.fsbundle")
    w.projects.close_project()
    with Project.open(tmp_path / "lead.fieldscribe") as lead:
        (summary,) = merge_bundles(lead, [tmp_path / "aliya.fsbundle"])
        assert "lead" not in summary.settings
        assert lead.team.lead == "dana" and lead.team.may_resolve
    # the lead herself renaming her own project: "I am dana" renames the lead
    assert w.projects.open_project(tmp_path / "lead.fieldscribe")
    answers.append(True)
    typed.append("Dana S.")
    w.projects.project_coder_dialog()
    idle(w)
    assert w.project.team.lead == "Dana S." and w.project.team.may_resolve
    # a copy not coding as the lead is not asked
    w.projects.close_project()
    assert w.projects.open_project(tmp_path / "a.fieldscribe")
    typed.append("Aliya K.")
    asked.clear()
    w.projects.project_coder_dialog()
    idle(w)
    assert asked == [] and w.project.coder == "Aliya K." and w.project.team.lead == "dana"
    w.projects.close_project()
    w.runner.cancel_all()
    w.close()


def test_the_whose_copy_question_names_both_and_cancels(qtbot: Any, qsettings: Any) -> None:
    """The question itself (a real box): its buttons and what each answers."""
    from PySide6.QtWidgets import QMessageBox

    from gui.main_window import MainWindow

    w = MainWindow(settings=qsettings)
    qtbot.addWidget(w)
    seen: list[str] = []

    def click(box: Any, label: str) -> None:
        seen.append(box.text())
        (button,) = [b for b in box.buttons() if b.text().replace("&", "") == label]
        button.click()

    for label, want in (("I am dana", True), ("This copy is aliya's", False), ("Cancel", None)):

        def exec_(box: Any, label: str = label) -> int:
            click(box, label)
            return 0

        QMessageBox.exec, saved = exec_, QMessageBox.exec  # type: ignore[method-assign]
        try:
            assert w.projects.ask_whose_copy("dana", "aliya") is want
        finally:
            QMessageBox.exec = saved  # type: ignore[method-assign]
    assert "dana leads this project" in seen[0] and "dana stays the lead" in seen[0]
    w.close()


def test_a_name_an_older_version_kept_for_a_project_id_moves_into_the_project(
    qtbot: Any, qsettings: Any, tmp_path: Any
) -> None:
    from gui.main_window import MainWindow
    from storage import Project

    with Project.create(tmp_path / "p.fieldscribe", coder="Dana") as p:
        pid = p.id
    qsettings.setValue(f"coder/{pid}", "Dana S.")  # File ▸ Coder name for this project, before
    w = MainWindow(settings=qsettings)
    qtbot.addWidget(w)
    assert w.projects.open_project(tmp_path / "p.fieldscribe")
    assert w.project.coder == "Dana S." and w.project.coders.own == "Dana S."
    assert not qsettings.contains(f"coder/{pid}")
    w.runner.cancel_all()
    w.close()


def test_new_project_refuses_a_folder_that_exists_before_asking_the_rest(
    qtbot: Any, qsettings: Any, tmp_path: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder is checked as soon as it is chosen: a researcher who filled in name, coder
    and languages used to learn only then that the folder was taken, and start again."""
    from PySide6.QtWidgets import QFileDialog

    from gui.main_window import MainWindow
    from gui.onboarding import NewProjectDialog

    w = MainWindow(settings=qsettings)
    qtbot.addWidget(w)
    taken = tmp_path / "Clinics.fieldscribe"
    taken.mkdir()
    (taken / "notes.txt").write_text("someone's files")
    choices = iter([str(tmp_path / "Clinics"), str(tmp_path / "Clinics 2")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (next(choices), ""))
    errors: list[str] = []
    monkeypatch.setattr(w.chrome, "show_error", lambda exc, *a, **k: errors.append(str(exc)))
    asked: list[str] = []

    def fill(dialog: NewProjectDialog) -> int:
        asked.append(dialog.name.text())
        assert len(errors) == 1 and "already exists" in errors[0]  # said before this dialog
        dialog.accept()
        return 1

    monkeypatch.setattr(NewProjectDialog, "exec", fill)
    w.projects.new_project_dialog()
    idle(w)
    assert asked == ["Clinics 2"]  # asked once, for the folder chosen second
    assert w.project.folder == tmp_path / "Clinics 2.fieldscribe"
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]  # left as it was
    w.runner.cancel_all()
    w.close()


def test_sessions_can_be_renamed_and_deleted_asking_when_coded(
    bench: Any, idle: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from gui.ask_dialog import AskDialog

    project: Project = bench.project
    empty = next(s for s in project.sessions.all() if s.title == "Empty")
    coded = next(s for s in project.sessions.all() if s.title == "Coded")
    select_row(bench.sessions_view, bench.sessions_model.row_of(empty.id))
    monkeypatch.setattr(AskDialog, "ask", lambda *a, **k: ("Pilot interview", True))
    bench.sessions_view.setFocus()
    qtbot.keyClick(bench.sessions_view, Qt.Key.Key_F2)
    idle(bench)
    assert project.sessions.get_session(empty.id).title == "Pilot interview"
    row = bench.sessions_model.row_of(empty.id)
    assert bench.sessions_model.session(row).title == "Pilot interview"
    # an uncoded session goes without a question
    asked: list[str] = []

    def no(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    qtbot.keyClick(bench.sessions_view, Qt.Key.Key_Delete)
    idle(bench)
    assert asked == [] and empty.id not in {s.id for s in project.sessions.all()}
    said = bench.statusBar().currentMessage()  # how to get it back
    assert "Edit ▸ Undo brings it back (later: File ▸ Deleted sessions…)" in said, said
    # a coded one asks; "No" keeps it
    code = project.codebook.ensure_code_path("Corruption")
    seg = project.transcript.segments(coded.id)[0]
    coding = project.codebook.apply_code(seg.id, code.id)
    bench.sessions.reload_sessions()
    idle(bench)
    select_row(bench.sessions_view, bench.sessions_model.row_of(coded.id))
    bench.sessions.edits.delete_session_dialog()
    idle(bench)
    assert len(asked) == 1 and "coded segment" in asked[0]
    assert coded.id in {s.id for s in project.sessions.all()}
    # one with a transcript and no coding asks too (it went at one press), saying how to
    # get it back
    project.codebook.remove_coding(coding.id)
    bench.sessions.reload_sessions()
    idle(bench)
    select_row(bench.sessions_view, bench.sessions_model.row_of(coded.id))
    qtbot.keyClick(bench.sessions_view, Qt.Key.Key_Delete)
    idle(bench)
    assert len(asked) == 2 and "File ▸ Deleted sessions… brings it all back" in asked[1], asked
    assert coded.id in {s.id for s in project.sessions.all()}


def test_a_new_participant_shows_in_the_ethics_panel(bench: Any, idle: Any) -> None:
    panel = bench.extra_panels.show_privacy()
    idle(bench)
    bench.session_panel.add_participant("P-11", {})
    idle(bench)
    combo = panel.consent.participant
    assert "P-11" in [combo.itemText(i) for i in range(combo.count())]


def test_enter_in_the_codebook_codes_the_selection(bench: Any, idle: Any, qtbot: Any) -> None:
    project: Project = bench.project
    bench.editing.add_code("Corruption")
    idle(bench)
    (code,) = project.codebook.codes()
    bench.transcript.go_to_row(1)
    bench.codebook.select_code(code.id)
    bench.codebook.tree.setFocus()
    qtbot.keyClick(bench.codebook.tree, Qt.Key.Key_Return)
    idle(bench)
    assert [c.segment_id for c in project.codebook.codings()] == [bench.segment_model.segment(1).id]


def test_ethics_check_session_checks_the_session_open_in_the_workbench(
    bench: Any, idle: Any
) -> None:
    project: Project = bench.project
    ids = {s.title: s.id for s in project.sessions.all()}
    panel = bench.extra_panels.show_privacy()
    idle(bench)
    tab = panel.consent
    assert tab.session.currentData() == ids["Coded"]  # not "All sessions"
    tab.check.click()
    # nobody is in the interview: it said "Everyone consented", while an export of only
    # consented participants leaves every segment out (their speaker is unknown)
    purpose = tab.purpose.currentText()
    assert tab.status.text().startswith(
        f"Nobody in this session is linked to a participant or has a consent record, so consent "
        f"to {purpose} is unknown for its {len(TEXTS)} segments without a speaker"
    ), tab.status.text()
    who = project.sessions.add_participant("P01")
    yes = dict.fromkeys(("recording", "transcription", "quotation", "archiving"), True)
    project.consent.set_consent(who.id, ids["Coded"], **yes)
    tab.check.click()
    assert tab.status.text() == f"Everyone consented to {purpose}."
    open_session(bench, idle, "Empty")  # the open dock follows the workbench
    assert tab.session.currentData() == ids["Empty"]
    tab.session.setCurrentIndex(0)  # "All sessions", chosen by hand: asks for a session
    tab.check.click()
    assert tab.status.text() == "Choose a session to check."

"""Undo in the real window brings rows back with their own ids: splits, text edits, codebook."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.ask_dialog import AskDialog
from storage import Project, SegmentDraft

TEXTS = [
    ("P1", "I trust the portal with my personal data."),
    ("P2", "In the villages the internet is slow."),
    ("P1", "The health portal reminder was helpful."),
]


@pytest.fixture
def seeded(project: Project) -> dict[str, Any]:
    session = project.sessions.add_session("Focus group", "focus_group")
    drafts = [SegmentDraft(i * 4000, i * 4000 + 3900, t, s) for i, (s, t) in enumerate(TEXTS)]
    segs = project.transcript.add_segments(session.id, drafts)
    codes = {name: project.codebook.add_code(name) for name in ("Trust", "Privacy", "Access")}
    return {"session": session.id, "segs": [s.id for s in segs], "codes": codes}


@pytest.fixture
def win(
    qtbot: Any, project: Project, qsettings: Any, seeded: dict[str, Any], idle: Any
) -> Iterator[Any]:
    from gui.main_window import MainWindow

    w = MainWindow(project, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 3, timeout=10000)
    idle(w)
    yield w
    w.runner.cancel_all()
    w.close()


def code_words(window: Any, idle: Any, row: int, words: str, code_id: str) -> tuple[int, int]:
    """Select ``words`` in the segment editor and code them, as a coder does."""
    window.transcript.go_to_row(row)
    text = window.segment_editor.toPlainText()
    start = text.index(words)
    window.segment_editor.select_cp(start, start + len(words))
    window.editing.apply_code(code_id)
    idle(window)
    return start, start + len(words)


def spans_shown(window: Any) -> list[tuple[int, int]]:
    return sorted((a, b) for a, b, _tip, _coding in window.segment_editor._spans)


def test_split_then_undo_keeps_the_id_and_the_span(
    win: Any, idle: Any, project: Project, seeded: dict[str, Any]
) -> None:
    seg0 = seeded["segs"][0]
    privacy = seeded["codes"]["Privacy"].id
    span = code_words(win, idle, 0, "personal data", privacy)
    [coding] = project.codebook.codings(segment_id=seg0)
    assert (coding.start_cp, coding.end_cp) == span

    editor = win.segment_editor
    cursor = editor.textCursor()
    cursor.setPosition(len("I trust the portal"))
    editor.setTextCursor(cursor)
    win.editing.split_at_cursor()
    idle(win)
    assert win.segment_model.rowCount() == 4
    right = win.segment_model.segment(1)
    assert right.text == "with my personal data." and right.id != seg0
    assert project.codebook.codings(segment_id=seg0) == []  # the span moved to the new half
    [moved] = project.codebook.codings(segment_id=right.id)
    assert moved.id != coding.id

    win.act_undo.trigger()
    idle(win)
    model = win.segment_model
    assert model.rowCount() == 3 and model.row_of(right.id) == -1
    assert model.segment(0).id == seg0 and model.segment(0).text == TEXTS[0][1]
    [back] = project.codebook.codings(segment_id=seg0)
    assert (back.id, back.start_cp, back.end_cp) == (coding.id, *span)
    assert [c.id for c in model.codings_for(seg0)] == [coding.id]
    assert win.segment_editor.segment.id == seg0 and spans_shown(win) == [span]
    assert [h.segment_id for h in project.transcript.search("personal")] == [seg0]

    win.act_redo.trigger()
    idle(win)
    assert model.rowCount() == 4 and model.segment(1).id == right.id  # the same new half
    assert [c.id for c in project.codebook.codings(segment_id=right.id)] == [moved.id]


def test_shorter_text_then_undo_brings_the_span_back(
    win: Any, qtbot: Any, idle: Any, project: Project, seeded: dict[str, Any]
) -> None:
    seg0 = seeded["segs"][0]
    span = code_words(win, idle, 0, "personal data", seeded["codes"]["Privacy"].id)
    [coding] = project.codebook.codings(segment_id=seg0)

    editor = win.segment_editor
    editor.setFocus()
    editor.setPlainText("I trust it.")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(win)
    assert project.transcript.get_segment(seg0).text == "I trust it."
    [clipped] = project.codebook.codings(segment_id=seg0)
    assert (clipped.start_cp, clipped.end_cp) == (None, None)  # past the end: whole segment

    win.act_undo.trigger()
    idle(win)
    assert win.segment_model.segment(0).text == TEXTS[0][1]
    assert editor.toPlainText() == TEXTS[0][1]
    [back] = project.codebook.codings(segment_id=seg0)
    assert (back.id, back.start_cp, back.end_cp) == (coding.id, *span)
    assert spans_shown(win) == [span]
    assert [h.segment_id for h in project.transcript.search("personal")] == [seg0]


def test_merge_codes_then_undo_and_redo(
    win: Any, idle: Any, project: Project, seeded: dict[str, Any], monkeypatch: Any
) -> None:
    codes = seeded["codes"]
    segs = seeded["segs"]
    code_words(win, idle, 0, "trust", codes["Trust"].id)
    code_words(win, idle, 1, "internet", codes["Access"].id)
    win.transcript.go_to_row(2)
    win.editing.apply_code(codes["Access"].id)  # the whole segment
    idle(win)
    before = {
        c.id: (c.segment_id, c.start_cp)
        for c in project.codebook.codings(code_id=codes["Access"].id)
    }
    assert len(before) == 2

    monkeypatch.setattr(AskDialog, "ask", lambda *a, **k: ("Trust", True))
    win.editing.merge_code_dialog(codes["Access"].id)
    idle(win)
    assert project.codebook.find_code("Access") is None
    assert win.codebook.model.frequency(codes["Trust"].id) == 3
    assert [c.code_id for c in win.segment_model.codings_for(segs[2])] == [codes["Trust"].id]

    win.act_undo.trigger()
    idle(win)
    after_undo = {
        c.id: (c.segment_id, c.start_cp)
        for c in project.codebook.codings(code_id=codes["Access"].id)
    }
    assert after_undo == before
    assert project.codebook.get_code(codes["Access"].id).colour == codes["Access"].colour
    assert win.codebook.model.frequency(codes["Access"].id) == 2
    assert win.codebook.model.frequency(codes["Trust"].id) == 1
    assert [c.code_id for c in win.segment_model.codings_for(segs[2])] == [codes["Access"].id]

    win.act_redo.trigger()
    idle(win)
    assert project.codebook.find_code("Access") is None
    assert {c.id for c in project.codebook.codings(code_id=codes["Trust"].id)} >= set(before)


def test_delete_code_with_codings_then_undo(
    win: Any, idle: Any, project: Project, seeded: dict[str, Any], monkeypatch: Any
) -> None:
    codes = seeded["codes"]
    seg1 = seeded["segs"][1]
    span = code_words(win, idle, 1, "villages", codes["Access"].id)
    [coding] = project.codebook.codings(code_id=codes["Access"].id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    win.editing.delete_code_dialog(codes["Access"].id)
    idle(win)
    assert project.codebook.find_code("Access") is None
    assert win.segment_model.codings_for(seg1) == []
    assert all(c.name != "Access" for c in win.codebook.model.codes())

    win.act_undo.trigger()
    idle(win)
    [back] = project.codebook.codings(segment_id=seg1)
    assert (back.id, back.code_id, back.start_cp, back.end_cp) == (
        coding.id,
        codes["Access"].id,
        *span,
    )
    assert any(c.id == codes["Access"].id for c in win.codebook.model.codes())
    assert [c.id for c in win.segment_model.codings_for(seg1)] == [coding.id]

    win.act_redo.trigger()
    idle(win)
    assert (
        project.codebook.find_code("Access") is None
        and project.codebook.codings(segment_id=seg1) == []
    )


def test_speaker_and_coding_memo_undo(
    win: Any, idle: Any, project: Project, seeded: dict[str, Any], monkeypatch: Any
) -> None:
    seg1 = seeded["segs"][1]

    def hand_set() -> int:
        return int(
            project.store.scalar("SELECT speaker_edited FROM segments WHERE id = ?", (seg1,))
        )

    win.transcript.go_to_row(1)
    monkeypatch.setattr(AskDialog, "ask", lambda *a, **k: ("Moderator", True))
    win.editing.change_speaker_dialog()
    idle(win)
    assert project.transcript.get_segment(seg1).speaker == "Moderator" and hand_set() == 1
    assert win.segment_model.segment(1).speaker == "Moderator"
    win.act_undo.trigger()
    idle(win)
    assert project.transcript.get_segment(seg1).speaker == "P2" and hand_set() == 0
    assert win.segment_model.segment(1).speaker == "P2"

    span = code_words(win, idle, 1, "internet", seeded["codes"]["Access"].id)
    monkeypatch.setattr(AskDialog, "ask", lambda *a, **k: ("slow links", True))
    win.editing.coding_memo_dialog()
    idle(win)
    [coding] = project.codebook.codings(segment_id=seg1)
    assert coding.memo == "slow links" and (coding.start_cp, coding.end_cp) == span
    assert [c.memo for c in win.segment_model.codings_for(seg1)] == ["slow links"]
    win.act_undo.trigger()
    idle(win)
    assert project.codebook.codings(segment_id=seg1)[0].memo is None
    assert [c.memo for c in win.segment_model.codings_for(seg1)] == [None]
    win.act_redo.trigger()
    idle(win)
    assert project.codebook.codings(segment_id=seg1)[0].memo == "slow links"


def test_speaker_change_and_undo_redraw_the_stored_timeline(
    win: Any, idle: Any, project: Project, seeded: dict[str, Any], monkeypatch: Any
) -> None:
    sid = seeded["session"]
    turns = [(100, 3800, "P1"), (4000, 7900, "P2"), (8000, 11900, "P1")]
    project.speakers.turns.save(sid, turns)
    panel = win.extra_panels.show_speakers()
    panel.set_session(sid)
    assert [label for _r, label in panel.timeline.span_rects()] == ["P1", "P2", "P1"]
    win.transcript.go_to_row(1)  # 4000-7900: the P2 turn
    monkeypatch.setattr(AskDialog, "ask", lambda *a, **k: ("Moderator", True))
    win.editing.change_speaker_dialog()
    idle(win)
    assert project.speakers.speaker_turns(sid)[1] == (4000, 7900, "Moderator")
    assert [label for _r, label in panel.timeline.span_rects()] == ["P1", "Moderator", "P1"]
    win.act_undo.trigger()
    idle(win)
    assert project.speakers.speaker_turns(sid) == turns
    assert [label for _r, label in panel.timeline.span_rects()] == ["P1", "P2", "P1"]


def test_names_replaced_in_ethics_cannot_come_back_with_undo(
    win: Any, qtbot: Any, idle: Any, project: Project, seeded: dict[str, Any]
) -> None:
    """An edit is undoable; replacing a name in Ethics drops the undo history that still held
    the real name, and the transcript shows the pseudonym at once."""
    seg0 = seeded["segs"][0]
    editor = win.segment_editor
    win.transcript.go_to_row(0)
    editor.setFocus()
    editor.setPlainText("Aigul said: I trust the portal with my personal data.")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(win)
    assert win.undo_stack.canUndo()

    panel = win.extra_panels.show_privacy(1)
    tab = panel.pseudonyms
    tab.real.setText("Aigul")
    tab.pseudonym.setText("P01")
    tab.add.click()
    tab.review.click()
    tab.confirm = lambda _text: True
    tab.apply.click()
    idle(win)
    assert project.transcript.get_segment(seg0).text.startswith("P01 said")
    assert not win.undo_stack.canUndo()  # no Ctrl+Z back to the real name
    assert "Undo history cleared" in win.statusBar().currentMessage()
    assert win.segment_model.segment(0).text.startswith("P01 said")
    win.transcript.go_to_row(0)
    assert "Aigul" not in editor.toPlainText()
    win.act_undo.trigger()
    idle(win)
    assert project.transcript.get_segment(seg0).text.startswith("P01 said")


@pytest.fixture
def bobs_coding(project: Project, seeded: dict[str, Any]) -> Any:
    """bob's coding of segment 1, with his memo (as a merged bundle brings it)."""
    trust = seeded["codes"]["Trust"].id
    return project.codebook.apply_code(seeded["segs"][1], trust, coder="bob", memo="bob's view")


def test_another_coders_coding_memo_is_shown_not_edited(
    bobs_coding: Any, win: Any, idle: Any, project: Project, monkeypatch: Any
) -> None:
    """Coding memo… on bob's coding says whose memo it is and what it says; no editor opens
    and nothing changes (a coding's memo is its coder's)."""
    win.transcript.go_to_row(1)
    monkeypatch.setattr(AskDialog, "ask", lambda *a, **k: pytest.fail("an editor opened"))
    win.editing.coding_memo_dialog()
    idle(win)
    said = win.statusBar().currentMessage()
    assert "The memo of bob's coding is bob's: only bob can change it" in said
    assert "“bob's view”" in said
    assert project.codebook.codings(segment_id=bobs_coding.segment_id)[0].memo == "bob's view"


def test_undo_and_redo_say_what_they_did_in_the_status_bar(
    win: Any, idle: Any, seeded: dict[str, Any]
) -> None:
    code_words(win, idle, 0, "personal data", seeded["codes"]["Trust"].id)
    bar = win.statusBar()
    bar.showMessage("Something said before")
    win.act_undo.trigger()
    idle(win)
    said = bar.currentMessage()
    assert said.startswith("Undid: ") and "Trust" in said, said
    bar.showMessage("Something said before")
    win.act_redo.trigger()
    idle(win)
    said = bar.currentMessage()
    assert said.startswith("Redid: ") and "Trust" in said, said


def test_another_coders_coding_is_neither_re_assigned_nor_removed_but_by_the_lead(
    bobs_coding: Any, win: Any, idle: Any, project: Project, monkeypatch: Any
) -> None:
    """Re-assign a coding… on bob's coding says it is bob's and opens no code list (the lead
    included: her reading is a coding of her own); Remove a coding… on it is the lead's, and
    says so to anyone else. Before, both went through and bob's coding read as another code."""
    win.transcript.go_to_row(1)
    monkeypatch.setattr(AskDialog, "ask", lambda *a, **k: pytest.fail("a code list opened"))
    win.editing.coding.reassign_coding_dialog()
    idle(win)
    said = win.statusBar().currentMessage()
    assert said.startswith("bob's coding is bob's: only bob can re-assign it"), said
    assert "Nothing was changed" not in said
    [kept] = project.codebook.codings(segment_id=bobs_coding.segment_id)
    assert kept == bobs_coding
    project.team.set_lead("carol")  # this project's coder no longer leads
    win.editing.remove_coding_dialog()
    idle(win)
    said = win.statusBar().currentMessage()
    assert said.startswith("bob's coding is bob's: only bob or the lead, carol, can remove"), said
    assert project.codebook.codings(segment_id=bobs_coding.segment_id) == [kept]
    project.team.set_lead(project.coder, take_over=True)  # the lead decides: it goes
    win.editing.remove_coding_dialog()
    idle(win)
    assert project.codebook.codings(segment_id=bobs_coding.segment_id) == []

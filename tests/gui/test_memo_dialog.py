"""The memo dialog keeps what is written: closing, moving to another memo or starting a new one
with unsaved text asks first; deleting asks; an empty memo is not saved; the memo menus say
what to select instead of doing nothing (found by a new user: a memo lost on Close, the
demo's journal deleted at one click)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from gui.memos import MemoDialog
from storage import Project

B = QMessageBox.StandardButton


def _answers(monkeypatch: pytest.MonkeyPatch, *replies: Any) -> list[str]:
    asked: list[str] = []
    queue = list(replies)

    def question(*a: Any, **_k: Any) -> Any:
        asked.append(str(a[2]))
        return queue.pop(0)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def _dialog(window: Any) -> MemoDialog:
    dialog = window.editing.journal_dialog()
    assert dialog is not None
    return dialog


def _journal(project: Project) -> list[tuple[str | None, str]]:
    return [(m.title, m.text) for m in project.codebook.memos("journal", None)]


def test_close_with_unsaved_text_asks_and_saves_discards_or_stays(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    dialog = _dialog(window)
    dialog.text.setPlainText("Respondents trust the ЦОН more than the portal.")
    asked = _answers(monkeypatch, B.Cancel)
    dialog.reject()
    assert asked and dialog.isVisible()  # Cancel: still writing
    _answers(monkeypatch, B.Save)
    dialog.reject()
    assert not dialog.isVisible()  # closed (and deleted once events run)
    idle(window)
    assert _journal(project) == [(None, "Respondents trust the ЦОН more than the portal.")]
    dialog = _dialog(window)
    assert dialog.text.toPlainText().startswith("Respondents")
    dialog.text.setPlainText("changed")
    _answers(monkeypatch, B.Discard)
    dialog.reject()
    idle(window)
    assert _journal(project) == [(None, "Respondents trust the ЦОН more than the portal.")]
    dialog = _dialog(window)
    asked = _answers(monkeypatch)  # nothing changed: closes without asking
    dialog.reject()
    assert asked == [] and not dialog.isVisible()


def test_moving_to_another_memo_or_a_new_one_keeps_the_unsaved_text(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    first = project.codebook.add_memo("journal", None, "first", title="One")
    project.codebook.add_memo("journal", None, "second", title="Two")
    dialog = _dialog(window)
    assert dialog.current is not None and dialog.current.title == "Two"
    dialog.text.setPlainText("second, edited")
    _answers(monkeypatch, B.Cancel)
    dialog.list.setCurrentRow(0)
    assert dialog.text.toPlainText() == "second, edited" and dialog.list.currentRow() == 1
    _answers(monkeypatch, B.Save)
    dialog.list.setCurrentRow(0)
    idle(window)
    assert dialog.current is not None and dialog.current.id == first.id  # where the user went
    assert ("Two", "second, edited") in _journal(project)
    dialog.text.setPlainText("first, edited")
    _answers(monkeypatch, B.Discard)
    dialog._new()
    assert dialog.current is None and dialog.text.toPlainText() == ""
    assert ("One", "first") in _journal(project)
    # an empty memo is not saved
    dialog.save()
    idle(window)
    assert len(_journal(project)) == 2 and "Nothing to save" in dialog.info.text()
    dialog.reject()


def test_delete_asks_first(window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    project: Project = window.project
    project.codebook.add_memo("journal", None, "About this study", title="About")
    dialog = _dialog(window)
    asked = _answers(monkeypatch, B.No)
    dialog._delete()
    idle(window)
    assert "“About”" in asked[0] and len(_journal(project)) == 1
    _answers(monkeypatch, B.Yes)
    dialog._delete()
    idle(window)
    assert _journal(project) == []
    dialog.reject()


def test_memo_menus_say_what_to_select(window: Any) -> None:
    from PySide6.QtWidgets import QDialog

    menu = window.chrome.menu("&Memos")
    for text in ("Code memos…", "Segment memos…"):
        [action] = [a for a in menu.actions() if a.text() == text]
        action.trigger()
        assert "Select a" in window.statusBar().currentMessage(), text
    assert not [d for d in window.findChildren(QDialog) if d.isVisible()]


def test_a_segment_with_memos_is_marked_in_the_transcript(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing showed that a segment had a memo: its time now has a pencil and the tooltip
    names the memos, when written, deleted, and when the session is opened again."""
    from PySide6.QtCore import Qt

    from gui.models.segments import COL_TIME
    from storage import SegmentDraft

    project: Project = window.project
    sid = project.sessions.add_session("Interview").id
    drafts = [SegmentDraft(i * 1000, i * 1000 + 900, t, "S1") for i, t in enumerate("abc")]
    segs = project.transcript.add_segments(sid, drafts)
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(sid)
    idle(window)
    model = window.segment_model

    def mark(row: int) -> tuple[bool, str]:
        index = model.index(row, COL_TIME)
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        return icon is not None, str(index.data(Qt.ItemDataRole.ToolTipRole))

    assert mark(1) == (False, mark(1)[1]) and "Memo:" not in mark(1)[1]
    window.transcript.go_to_row(1)
    dialog = window.editing.memo_dialog("segment", segs[1].id, "Memos")
    dialog.title.setText("Queue story")
    dialog.text.setPlainText("She waited three hours at the ЦОН.")
    dialog.save()
    idle(window)
    assert mark(1) == (True, mark(1)[1]) and "Memo: Queue story" in mark(1)[1]
    assert not mark(0)[0] and not mark(2)[0]
    dialog.text.setPlainText("changed, then closed")
    _answers(monkeypatch, B.Save)
    dialog.reject()  # saved on close: the mark follows though the dialog is gone
    idle(window)
    assert mark(1)[0]
    other = project.sessions.add_session("Other").id
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(other)
    idle(window)
    window.sessions.open_segment_session(sid)  # read again from the project
    idle(window)
    assert mark(1)[0] and "Memo: Queue story" in mark(1)[1]
    dialog = window.editing.memo_dialog("segment", segs[1].id, "Memos")
    _answers(monkeypatch, B.Yes)
    dialog._delete()
    idle(window)
    assert not mark(1)[0] and "Memo:" not in mark(1)[1]
    dialog.reject()


def test_a_memo_without_title_or_text_can_be_deleted(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One made elsewhere (the command line, an older version): naming it in the question
    read the first line of an empty text."""
    project: Project = window.project
    project.codebook.add_memo("journal", None, "")
    dialog = _dialog(window)
    asked = _answers(monkeypatch, B.Yes)
    dialog._delete()
    idle(window)
    assert "“(empty)”" in asked[0] and _journal(project) == []
    dialog.reject()


def test_delete_is_greyed_out_for_a_memo_not_yet_saved(window: Any, idle: Any) -> None:
    """A new memo has nothing to delete: the button did nothing; now it is greyed out."""
    from PySide6.QtWidgets import QPushButton

    dialog = _dialog(window)  # an empty journal opens on a new memo
    buttons = {b.text(): b for b in dialog.findChildren(QPushButton)}
    delete, new = buttons["Delete"], buttons["New memo"]
    assert dialog.current is None
    assert not delete.isEnabled()
    dialog.text.setPlainText("Қазақша сұхбат: кезек ұзын.")
    dialog.save()
    idle(window)
    assert dialog.current is not None and delete.isEnabled()
    new.click()
    assert not delete.isEnabled()
    dialog.list.setCurrentRow(0)  # back to the saved one
    assert delete.isEnabled()
    dialog.reject()


def test_memos_say_when_in_local_time_and_their_labels_wrap(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    """A walkthrough in Almaty (UTC+5): a memo written at 13:09 said "08:09" (the UTC the
    project keeps), and its label ran off the list (a sideways scroll bar, cut mid-word)."""
    import time

    from gui.fmt import fmt_when

    monkeypatch.setenv("TZ", "Etc/GMT-5")  # POSIX sign: five hours east of UTC
    time.tzset()
    try:
        assert fmt_when("2026-12-05T08:09:41.123Z") == "2026-12-05 13:09"
        assert fmt_when("not a time") == "not a time"
        project: Project = window.project
        text = "Участница говорит о поликлинике: очереди, запись через портал, Қазақша жазба."
        memo = project.codebook.add_memo("journal", None, text)
        dialog = _dialog(window)
        dialog.resize(640, 420)
        qtbot.waitExposed(dialog)
        assert dialog.info.text() == f"{memo.created_by}, {fmt_when(memo.updated_at)}"
        assert memo.updated_at[11:16] not in dialog.info.text()  # not the UTC hour
        item = dialog.list.item(0)
        assert dialog.list.horizontalScrollBar().maximum() == 0
        assert text[:60] in item.toolTip() and memo.created_by in item.toolTip()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_no_blank_list_beside_the_first_memo(window: Any, idle: Any, qtbot: Any) -> None:
    """A day's walk: the first memo on a segment opened beside an empty white list a third of
    the dialog wide, unnamed (what was it for?). With no memos there is no list, the editor
    takes the width; the list comes with the first memo saved."""
    project: Project = window.project
    dialog = _dialog(window)
    qtbot.waitExposed(dialog)
    assert not dialog.list.isVisible()
    assert dialog.text.width() > dialog.width() * 0.8, (dialog.text.width(), dialog.width())
    dialog.text.setPlainText("Respondents trust the ЦОН more than the portal.")
    dialog.save()
    idle(window)
    assert _journal(project) and dialog.list.isVisible() and dialog.list.count() == 1
    dialog.close()

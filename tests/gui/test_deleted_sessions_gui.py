"""Deleting a session in the workbench can be undone: the status bar's Undo delete, and File ▸
Deleted sessions… (Restore) bring back its transcript and codings, shown again. Before, the
question said the transcript could not be brought back, and it could not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.select_row import select_row
from storage import Project, SegmentDraft

TEXTS = ["We waited three hours at the clinic.", "Nobody told us why.", "Then we left."]


@pytest.fixture
def bench(qtbot: Any, project: Project, qsettings: Any, idle: Any) -> Iterator[Any]:
    """A window on a project with a coded session "Clinic visit" and another, "Market"."""
    from gui.main_window import MainWindow

    s = project.sessions.add_session("Clinic visit", "interview")
    segs = project.transcript.add_segments(
        s.id, [SegmentDraft(i * 3000, i * 3000 + 2500, t) for i, t in enumerate(TEXTS)]
    )
    code = project.codebook.ensure_code_path("Waiting")
    project.codebook.apply_code(segs[0].id, code.id)
    project.codebook.add_memo("segment", segs[1].id, "Ask about this.")
    project.sessions.add_session("Market", "observation")
    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(project, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    idle(w)
    yield w
    w.runner.cancel_all()
    w.close()


def _delete(w: Any, idle: Any, title: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def yes(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    model = w.sessions_model
    row = next(r for r in range(model.rowCount()) if model.session(r).title == title)
    select_row(w.sessions_view, row)
    w.sessions.edits.delete_session_dialog()
    idle(w)
    return asked


def _code_count(w: Any) -> str:
    """The N column of the codebook's first code, as shown."""
    model = w.codebook.tree.model()
    return str(model.index(0, 1).data())


def _shown_texts(w: Any) -> list[str]:
    model = w.segment_model
    return [model.segment(r).text for r in range(model.rowCount())]


def test_restore_from_the_dialog_shows_transcript_and_codings(
    bench: Any, idle: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = bench.project
    (clinic,) = [s for s in project.sessions.all() if s.title == "Clinic visit"]
    asked = _delete(bench, idle, "Clinic visit", monkeypatch)
    assert "File ▸ Deleted sessions… brings it all back, audio included." in asked[0]
    assert [s.title for s in project.sessions.all()] == ["Market"]
    said = bench.statusBar().currentMessage()
    assert said.startswith("Session 'Clinic visit' deleted (3 segments, 1 coding)"), said
    assert bench.sessions.edits.undo_offer.button.isVisible()
    assert _code_count(bench) == "0"  # its coding went with it (the codebook said 1)

    bench.act_deleted_sessions.trigger()
    dialog = bench.sessions.edits.dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    table = dialog.table
    assert table.rowCount() == 1
    cells = [table.item(0, c).text() for c in range(table.columnCount())]
    assert cells[0] == "Clinic visit" and cells[2] == "coder-a" and cells[3:] == ["3", "1", "1"]
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    idle(bench)
    assert sorted(s.title for s in project.sessions.all()) == ["Clinic visit", "Market"]
    assert dialog.table.isHidden() and dialog.empty.isVisible()  # nothing left to restore
    assert not bench.sessions.edits.undo_offer.button.isVisible()
    assert bench.state.session is not None and bench.state.session.id == clinic.id
    assert _shown_texts(bench) == TEXTS
    row = bench.sessions_model.row_of(clinic.id)
    assert row >= 0 and bench.sessions_model.session(row).coded_segment_count == 1
    seg0 = project.transcript.segments(clinic.id)[0]
    assert [c.code_id for c in project.codebook.codings(segment_id=seg0.id)] != []
    assert _code_count(bench) == "1"
    assert bench.statusBar().currentMessage() == (
        "Restored session 'Clinic visit' (3 segments, 1 coding, 1 memo)."
    )
    dialog.close()


def test_undo_delete_in_the_status_bar(
    bench: Any, idle: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = bench.project
    _delete(bench, idle, "Clinic visit", monkeypatch)
    button = bench.sessions.edits.undo_offer.button
    assert button.isVisible() and button.text() == "Undo delete"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    idle(bench)
    assert sorted(s.title for s in project.sessions.all()) == ["Clinic visit", "Market"]
    assert _shown_texts(bench) == TEXTS
    assert not button.isVisible()
    # a session that took the title meanwhile: the restored one says its new title
    _delete(bench, idle, "Clinic visit", monkeypatch)
    project.sessions.add_session("Clinic visit")
    reports: list[str] = []
    monkeypatch.setattr(bench.chrome, "report", lambda text: reports.append(text))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    idle(bench)
    assert len(reports) == 1 and "titled 'Clinic visit (restored)'" in reports[0], reports


def test_edit_undo_restores_and_redo_deletes_again(
    bench: Any, idle: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = bench.project
    (clinic,) = [s for s in project.sessions.all() if s.title == "Clinic visit"]
    _delete(bench, idle, "Clinic visit", monkeypatch)
    assert (
        bench.act_undo.isEnabled() and bench.act_undo.text() == "Undo Delete session “Clinic visit”"
    )
    assert "Edit ▸ Undo brings it back" in bench.statusBar().currentMessage()
    bench.act_undo.trigger()
    idle(bench)
    assert sorted(s.title for s in project.sessions.all()) == ["Clinic visit", "Market"]
    assert bench.state.session is not None and bench.state.session.id == clinic.id
    assert _shown_texts(bench) == TEXTS and _code_count(bench) == "1"
    assert not bench.sessions.edits.undo_offer.button.isVisible()
    bench.act_redo.trigger()
    idle(bench)
    assert [s.title for s in project.sessions.all()] == ["Market"]
    assert _code_count(bench) == "0"
    assert bench.state.session is None or bench.state.session.id != clinic.id
    # the status bar's button after a redo undoes through the stack too: Redo stays true
    qtbot.mouseClick(bench.sessions.edits.undo_offer.button, Qt.MouseButton.LeftButton)
    idle(bench)
    assert sorted(s.title for s in project.sessions.all()) == ["Clinic visit", "Market"]
    assert bench.act_redo.isEnabled()


def test_delete_for_good_asks_and_the_copy_goes(
    bench: Any, idle: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = bench.project
    _delete(bench, idle, "Clinic visit", monkeypatch)
    dialog = bench.sessions.edits.deleted_sessions_dialog()
    asked: list[str] = []

    def answer(reply: QMessageBox.StandardButton) -> Any:
        def ask(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
            asked.append(args[2])
            return reply

        return ask

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    qtbot.mouseClick(dialog.forget_button, Qt.MouseButton.LeftButton)
    idle(bench)
    assert "can then no longer be restored" in asked[0]
    assert len(project.sessions.deleted_sessions()) == 1  # No keeps it
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(dialog.forget_button, Qt.MouseButton.LeftButton)
    idle(bench)
    assert project.sessions.deleted_sessions() == [] and dialog.empty.isVisible()
    assert not bench.act_undo.isEnabled()  # the deletion can no longer be undone
    assert bench.statusBar().currentMessage() == "“Clinic visit” deleted for good."
    dialog.close()


def test_deletion_times_are_shown_in_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from storage.core.ids import local_minute as deleted_when

    monkeypatch.setenv("TZ", "Asia/Almaty")
    time.tzset()
    try:
        assert deleted_when("2026-12-06T22:49:50.015Z") in ("2026-12-07 03:49", "2026-12-07 04:49")
        assert deleted_when("not a time") == "not a time"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()

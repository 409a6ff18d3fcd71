"""The Speakers dock's Rename…, Merge into… and Participant… are undoable commands."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from storage import Project, SegmentDraft


@pytest.fixture
def opened(window: Any, idle: Any) -> tuple[Any, str]:
    project: Project = window.project
    s = project.sessions.add_session("FG", kind="focus_group")
    project.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 2000, "Welcome.", speaker="Speaker 1"),
            SegmentDraft(2000, 3000, "Hi.", speaker="Speaker 2"),
            SegmentDraft(3000, 6000, "Thanks for coming.", speaker="Speaker 1"),
        ],
    )
    window.sessions.reload_sessions()
    idle(window)
    window.sessions.open_segment_session(s.id)
    idle(window)
    panel = window.extra_panels.show_speakers()
    panel.set_session(s.id)
    return panel, s.id


def _speakers(window: Any) -> list[str | None]:
    model = window.segment_model
    return [model.segment(r).speaker for r in range(model.rowCount())]


def test_rename_and_merge_in_the_dock_are_what_ctrl_z_undoes(
    window: Any, idle: Any, opened: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    panel, sid = opened
    first = window.segment_model.segment(0).id
    window.editing.set_language([first], "kk")  # an older, unrelated edit
    idle(window)
    panel.select_label("Speaker 2")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Amina", True)))
    panel._ask_rename()
    idle(window)
    assert panel.labels() == ["Speaker 1", "Amina"]
    assert _speakers(window) == ["Speaker 1", "Amina", "Speaker 1"]
    assert window.undo_stack.undoText() == "Rename speaker Speaker 2 → Amina"
    # renaming onto an existing name merges (answered Yes): one more command
    panel.select_label("Amina")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Speaker 1", True)))
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    panel._ask_rename()
    idle(window)
    assert panel.labels() == ["Speaker 1"]
    assert window.undo_stack.undoText() == "Merge speaker Amina into Speaker 1"
    window.undo_stack.undo()  # Ctrl+Z: the merge, nothing else
    idle(window)
    assert _speakers(window) == ["Speaker 1", "Amina", "Speaker 1"]
    assert panel.labels() == ["Speaker 1", "Amina"]
    window.undo_stack.undo()  # then the rename
    idle(window)
    assert _speakers(window) == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert panel.labels() == ["Speaker 1", "Speaker 2"]
    assert window.project.transcript.get_segment(first).language == "kk"  # untouched
    window.undo_stack.redo()
    window.undo_stack.redo()
    idle(window)
    assert _speakers(window) == ["Speaker 1"] * 3
    assert window.project.speakers.speaker_edited_count(sid) == 1  # the merge corrected one


def test_participant_mapping_in_the_dock_is_undoable(
    window: Any, idle: Any, opened: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    panel, sid = opened
    window.project.sessions.add_participant("P-07")
    panel.refresh()
    panel.select_label("Speaker 2")
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("P-07", True)))
    panel._ask_map()
    idle(window)
    assert panel.table.item(1, 3).text() == "P-07"
    assert window.undo_stack.undoText() == "Speaker Speaker 2 is P-07"
    window.undo_stack.undo()
    idle(window)
    assert panel.table.item(1, 3).text() == ""
    assert all(s.participant_id is None for s in window.project.sessions.session_speakers(sid))
    window.undo_stack.redo()
    idle(window)
    assert panel.table.item(1, 3).text() == "P-07"

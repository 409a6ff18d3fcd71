"""Item models tested without a window (with Qt's model tester)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from gui.models.codes import CodeTreeModel
from gui.models.segments import (
    CODE_MIME,
    CODINGS_ROLE,
    COL_SPEAKER,
    COL_TEXT,
    COL_TIME,
    SegmentTableModel,
)
from gui.models.sessions import STATUS_COL, LiveStatus, SessionTableModel, status_text
from storage import Project


def _fill(project: Project) -> tuple[str, list[Any]]:
    s = project.sessions.add_session("Interview 1", "interview")
    segs = [
        project.transcript.add_segment(s.id, i * 1000, i * 1000 + 900, f"text {i}")
        for i in range(5)
    ]
    return s.id, segs


def test_segment_model_shows_and_requests_edits(qtbot: Any, project: Project) -> None:
    sid, segs = _fill(project)
    code = project.codebook.add_code("Trust")
    project.codebook.apply_code(segs[1].id, code.id, start_cp=0, end_cp=4)
    project.codebook.apply_code(segs[1].id, code.id, coder="ben")
    model = SegmentTableModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.load(
        sid,
        project.retrieval.transcript_segments(sid),
        project.codebook.codings(session_id=sid),
        [code],
    )
    assert model.rowCount() == 5
    assert model.index(2, COL_TIME).data() == "0:02"
    assert model.index(2, COL_TEXT).data() == "text 2"
    assert len(model.index(1, 0).data(CODINGS_ROLE)) == 2
    assert "Trust" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    model.set_visible_coder("coder-a")  # blind coding: only my codings
    assert len(model.index(1, 0).data(CODINGS_ROLE)) == 1
    with qtbot.waitSignal(model.edit_requested) as blocker:
        assert model.setData(model.index(0, COL_TEXT), "new words")
    assert blocker.args == [segs[0].id, "text", "new words"]
    assert model.index(0, COL_TEXT).data() == "text 0"  # unchanged until the command ran
    with qtbot.waitSignal(model.edit_requested) as blocker:
        model.setData(model.index(0, COL_SPEAKER), " P9 ")
    assert blocker.args == [segs[0].id, "speaker", "P9"]
    assert not model.setData(model.index(0, COL_SPEAKER), "  ")  # None -> None: no edit
    assert model.row_at_time(2500) == 2
    assert model.row_at_time(0) == 0


def test_segment_model_insert_remove_replace(project: Project) -> None:
    sid, segs = _fill(project)
    model = SegmentTableModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.load(sid, project.retrieval.transcript_segments(sid), [], [])
    left, right = project.transcript.split_segment(segs[2].id, 3)
    model.replace_segment(left)
    row = model.insert_segment(right)
    assert row == 3 and model.segment(3).id == right.id
    assert model.row_of(segs[3].id) == 4
    model.remove_segment(right.id)
    assert model.rowCount() == 5 and model.row_of(segs[3].id) == 3


def test_codes_dropped_on_a_row(qtbot: Any, project: Project) -> None:
    sid, segs = _fill(project)
    model = SegmentTableModel()
    model.load(sid, project.retrieval.transcript_segments(sid), [], [])
    data = QMimeData()
    data.setData(CODE_MIME, b"c1 c2")
    assert model.canDropMimeData(data, Qt.DropAction.CopyAction, -1, -1, model.index(3, 0))
    with qtbot.waitSignal(model.codes_dropped) as blocker:
        model.dropMimeData(data, Qt.DropAction.CopyAction, -1, -1, model.index(3, 0))
    assert blocker.args == [["c1", "c2"], [segs[3].id]]
    other = QMimeData()
    other.setText("x")
    assert not model.canDropMimeData(other, Qt.DropAction.CopyAction, -1, -1, model.index(3, 0))


def test_code_tree_model(qtbot: Any, project: Project) -> None:
    _sid, segs = _fill(project)
    access = project.codebook.ensure_code_path("Access/Connectivity")
    parent = project.codebook.find_code("Access")
    trust = project.codebook.add_code("Trust")
    project.codebook.apply_code(segs[0].id, access.id)
    project.codebook.apply_code(segs[1].id, access.id)
    project.codebook.apply_code(segs[1].id, parent.id)  # type: ignore[union-attr]
    model = CodeTreeModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.load(project.codebook.codes(), project.codebook.code_frequencies())
    assert model.rowCount() == 2
    top = model.index(0, 0)
    assert top.data() == "Access" and model.rowCount(top) == 1
    child = model.index(0, 0, top)
    assert child.data() == "Connectivity"
    assert model.parent(child) == top
    assert model.index(0, 1).data() == "1 (3)"  # own (with sub-codes)
    assert [c.name for c in model.codes()] == ["Access", "Connectivity", "Trust"]
    mime = model.mimeData([child])
    with qtbot.waitSignal(model.move_requested) as blocker:
        model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index_of(trust.id))
    assert blocker.args == [access.id, trust.id]
    with qtbot.waitSignal(model.move_requested) as blocker:
        model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert blocker.args == [access.id, None]
    with qtbot.waitSignal(model.rename_requested) as blocker:
        model.setData(model.index_of(trust.id), "Trust in state")
    assert blocker.args == [trust.id, "Trust in state"]


def test_session_model_status(project: Project) -> None:
    sid, segs = _fill(project)
    code = project.codebook.add_code("X")
    project.codebook.apply_code(segs[0].id, code.id)
    model = SessionTableModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.load(project.sessions.all())
    assert model.index(0, 0).data() == "Interview 1"
    assert model.index(0, STATUS_COL).data() == "1 coded"
    model.set_live(sid, LiveStatus(0.42, 75))
    assert model.index(0, STATUS_COL).data() == "42 % · 1:15 left"
    model.set_live(sid, LiveStatus(0.99, 0.3))  # as the status bar: not "0:00 left"
    assert model.index(0, STATUS_COL).data() == "99 % · finishing"
    model.set_live(sid, None)
    empty = project.sessions.add_session("Empty", "focus_group", status="recorded")
    assert status_text(empty) == "recorded"


def test_session_tooltip_agrees_with_the_count(project: Project) -> None:
    """The sessions list's tooltip said "1 segment of speech without transcript: … play them":
    one segment is played as "it", several as "them"."""
    from dataclasses import replace

    s = project.sessions.add_session("Interview 1", "interview")
    model = SessionTableModel()
    tips = []
    for n in (1, 2):
        model.load([replace(s, untranscribed_count=n)])
        tips.append(model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole))
    assert "1 segment of speech without transcript: open the session, play it and" in tips[0]
    assert "2 segments of speech without transcript: open the session, play them and" in tips[1]

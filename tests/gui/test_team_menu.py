"""Issue 17: the Team and File menus of the workbench, driven with dialogs answered by the test."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from storage import Project, SegmentDraft


def _seed(project: Project) -> tuple[str, list[str]]:
    """One session of four segments and a code applied to two of them."""
    session = project.sessions.add_session("Interview 1")
    drafts = [
        SegmentDraft(i * 1000, i * 1000 + 900, f"segment {i} about clinics", "S1") for i in range(4)
    ]
    segs = [s.id for s in project.transcript.add_segments(session.id, drafts)]
    code = project.codebook.ensure_code_path("Services/Health")
    for seg in segs[:2]:
        project.codebook.apply_code(seg, code.id)
    return session.id, segs


def test_retrieval_export_button_writes_the_csv(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    _seed(project)
    code = project.codebook.find_code("Services/Health")
    assert code is not None
    panel = window.retrieval
    panel.reload_filters(project.codebook.codes())
    window.docks.retrieve_code(code.id)
    idle(window)
    assert panel.model.rowCount() == 2
    out = tmp_path / "retrieved.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "CSV (*.csv)"))
    )
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    panel.export_btn.click()
    idle(window)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 3
    assert rows[1][0] == "Services/Health"
    assert "segment 0 about clinics" in rows[1]

"""The workbench says which model wrote the current segment's text (the time's tooltip in the
transcript, the segment editor's tooltip): a segment re-transcribed with another model says that
model, typed text "Typed by hand". Before, nothing in the workbench named a model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from gui.models.segments import COL_TIME
from storage import Project, SegmentDraft


@pytest.fixture
def project(tmp_path: Path, speech_wav: Path) -> Iterator[Project]:
    with Project.create(tmp_path / "Clinic.fieldscribe", name="Clinic", coder="aigerim") as p:
        p.set_languages("en")
        s = p.sessions.import_audio(speech_wav, kind="interview", title="Clinic")
        p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 900, "The village clinic.", language="en", model="base"),
                SegmentDraft(900, 1800, "Typed words.", origin="manual"),
                SegmentDraft(1800, 2600, "From a file.", origin="import"),
            ],
        )
        yield p


def _time_tip(window: Any, row: int) -> str:
    return str(window.segment_model.index(row, COL_TIME).data(Qt.ItemDataRole.ToolTipRole))


def _editor_tip(window: Any) -> str:
    editor = window.segment_editor
    QToolTip.hideText()
    editor.event(QHelpEvent(QEvent.Type.ToolTip, QPoint(5, 5), editor.mapToGlobal(QPoint(5, 5))))
    return QToolTip.text()


def test_the_current_segment_says_which_model_wrote_it(
    window: Any, qtbot: Any, idle: Any, project: Project
) -> None:
    idle(window)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 3, timeout=10000)
    idle(window)
    assert "Transcribed with base" in _time_tip(window, 0)
    assert "Typed by hand" in _time_tip(window, 1)
    assert "Imported from a file" in _time_tip(window, 2)

    def retranscribed(
        p: Project, segment_id: str, *, language: str | None = None, cancel: Any = None
    ):
        return p.transcript.replace_transcription(
            segment_id, text="The village clinic opened.", words=[], confidence=None,
            language=language, model="/home/aigerim/usb/small-kk",
        )  # fmt: skip

    window.transcription.segment_retranscriber = retranscribed
    window.transcript.go_to_row(0)
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert window.segment_editor.toPlainText() == "The village clinic opened."
    tip = _time_tip(window, 0)
    assert "Transcribed with small-kk" in tip and "aigerim" not in tip
    assert "Transcribed with small-kk" in _editor_tip(window)
    shots = os.environ.get("FIELDSCRIBE_SHOTS")
    if shots:  # the tooltip as it shows (a separate window): FIELDSCRIBE_SHOTS=DIR
        label = next(w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel"))
        label.grab().save(str(Path(shots) / "segment-model-tooltip.png"))
        window.resize(1024, 700)
        window.grab().save(str(Path(shots) / "segment-model-window.png"))
    # typed over by hand in the editor: still the model's text, corrected
    window.segment_editor.setPlainText("The village clinic opened again.")
    window.segment_editor.commit()
    idle(window)
    assert "Transcribed with small-kk, corrected by hand" in _time_tip(window, 0)

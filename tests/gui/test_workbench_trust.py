"""Issue 18: a workbench a coder can trust all day (typing, undo, keyboard, layout, codes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from storage import Project, SegmentDraft

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
    w.sessions_view.selectRow(row)
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

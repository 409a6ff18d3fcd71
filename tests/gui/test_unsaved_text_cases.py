"""Kept typing (DIR/drafts) in the cases the first version left out: a project open read-only,
an edit whose write does not land (its segment deleted or replaced meanwhile), and a bar that
names the session while the transcript shows another one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from storage import Project, SegmentDraft
from tests.gui.test_unsaved_text_gui import _window, quick_keeping


def _two_sessions(folder: Path) -> list[tuple[str, list[str]]]:
    with Project.create(folder, coder="coder-a") as project:
        made = []
        for title in ("Focus group 1", "Interview 2"):
            session = project.sessions.add_session(title)
            segs = project.transcript.add_segments(
                session.id,
                [
                    SegmentDraft(i * 1000, i * 1000 + 900, f"{title} segment {i}", "S1")
                    for i in range(3)
                ],
            )
            made.append((session.id, [s.id for s in segs]))
        return made


def test_read_only_offers_copy_only_and_keeps_nothing(
    qtbot: Any, qsettings: Any, idle: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    quick_keeping(monkeypatch)
    folder = tmp_path / "Study.fieldscribe"
    (a, asegs), (_b, bsegs) = _two_sessions(folder)
    with Project.open(folder) as project:
        project.unsaved_text.keep(asegs[1], a, "Focus group 1 segment 1", "typed one")
        project.unsaved_text.keep(asegs[2], a, "Focus group 1 segment 2", "typed two")
    files = sorted(p.name for p in (folder / "drafts").iterdir())
    project = Project.open(folder, readonly=True)
    w = _window(qtbot, project, qsettings)
    bar = w.unsaved_bar
    qtbot.waitUntil(bar.isVisible, timeout=10000)
    text = bar.label.text()
    assert "The project is open read-only: copy the text to keep it" in text, text
    assert bar.copy_button.isVisible()
    assert not bar.restore_button.isVisible() and not bar.discard_button.isVisible()
    qtbot.mouseClick(bar.copy_button, Qt.MouseButton.LeftButton)
    first = QGuiApplication.clipboard().text()
    assert first in ("typed one", "typed two")
    assert bar.isVisible() and bar.label.text().endswith("\u00a0(2\u00a0of\u00a02)")
    qtbot.mouseClick(bar.copy_button, Qt.MouseButton.LeftButton)
    assert {first, QGuiApplication.clipboard().text()} == {"typed one", "typed two"}
    assert not bar.isVisible()
    # the files stay, for when the project can be written
    assert sorted(p.name for p in (folder / "drafts").iterdir()) == files
    # and typing here keeps nothing
    w.sessions.open_session(a)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 3, timeout=10000)
    w.transcript.go_to_row(0)
    editor = w.segment_editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " more")
    qtbot.wait(500)  # past the keeping delay
    assert sorted(p.name for p in (folder / "drafts").iterdir()) == files
    assert not project.unsaved_text.path(bsegs[0]).exists()
    w.runner.cancel_all()
    w.close()


def test_an_edit_that_does_not_land_keeps_its_typing_and_offers_it_at_once(
    qtbot: Any, qsettings: Any, idle: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The segment went while the coder typed (a merge or a new transcription replaced it):
    the save fails, and the kept copy used to be removed all the same."""
    quick_keeping(monkeypatch)
    folder = tmp_path / "Study.fieldscribe"
    (a, asegs), _ = _two_sessions(folder)
    project = Project.open(folder)
    w = _window(qtbot, project, qsettings)
    w.sessions.open_session(a)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 3, timeout=10000)
    w.transcript.go_to_row(1)
    editor = w.segment_editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " typed")
    kept = project.unsaved_text.path(asegs[1])
    qtbot.waitUntil(kept.exists, timeout=3000)
    project.transcript.delete_segment(asegs[1])  # as a merge or a re-transcription does
    editor.commit()
    idle(w)
    assert kept.exists()
    bar = w.unsaved_bar
    qtbot.waitUntil(bar.isVisible, timeout=5000)
    assert "Text typed into a segment of “Focus group 1”" in bar.label.text()
    assert "no longer exists" in bar.label.text()
    qtbot.mouseClick(bar.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "Focus group 1 segment 1 typed"
    w.runner.cancel_all()
    w.close()


def test_the_bar_names_the_session_typed_into(
    qtbot: Any, qsettings: Any, idle: Any, tmp_path: Path
) -> None:
    """Another session open in the same run has a segment 2 too: the bar says whose."""
    folder = tmp_path / "Study.fieldscribe"
    (_a, _asegs), (b, bsegs) = _two_sessions(folder)
    with Project.open(folder) as project:
        project.unsaved_text.keep(bsegs[1], b, "Interview 2 segment 1", "typed into b")
    project = Project.open(folder)
    w = _window(qtbot, project, qsettings)
    bar = w.unsaved_bar
    qtbot.waitUntil(bar.isVisible, timeout=10000)
    text = bar.label.text()
    assert text.startswith("Text typed into segment 2 (S1, 0:01) of “Interview 2” at "), text
    qtbot.mouseClick(bar.restore_button, Qt.MouseButton.LeftButton)
    editor = w.segment_editor
    qtbot.waitUntil(lambda: editor.toPlainText() == "typed into b", timeout=10000)
    assert editor.segment is not None and editor.segment.id == bsegs[1]
    w.runner.cancel_all()
    w.close()


def test_the_bar_reads_the_kept_text_again_before_acting(
    qtbot: Any, qsettings: Any, idle: Any, tmp_path: Path
) -> None:
    """The project changed while the bar was shown: names were replaced (the clipboard got the
    real names from the bar's old copy) and a merge changed the segment (Restore put the old
    typing over the merged text)."""
    folder = tmp_path / "Study.fieldscribe"
    (a, asegs), _ = _two_sessions(folder)
    with Project.open(folder) as project:
        project.transcript.update_segment(asegs[0], text="Ерлан сказал")
        project.transcript.update_segment(asegs[1], text="second")
        project.unsaved_text.keep(asegs[0], a, "Ерлан сказал", "Ерлан сказал, что Ерлану нужно")
        project.unsaved_text.keep(asegs[1], a, "second", "second, typed")
    project = Project.open(folder)
    w = _window(qtbot, project, qsettings)
    bar = w.unsaved_bar
    qtbot.waitUntil(bar.isVisible, timeout=10000)
    assert bar.label.toolTip() == "Ерлан сказал, что Ерлану нужно"
    project.privacy.set_pseudonym("Ерлан", "Марат")
    project.privacy.apply_pseudonyms()  # as Ethics ▸ Pseudonyms ▸ Apply does
    w.extra_panels.text_rewritten.emit()
    assert bar.label.toolTip() == "Марат сказал, что Марату нужно"
    qtbot.mouseClick(bar.discard_button, Qt.MouseButton.LeftButton)
    assert bar.label.toolTip() == "second, typed" and bar.restore_button.isVisible()
    project.transcript.update_segment(asegs[1], text="merged from a bundle")  # not announced
    qtbot.mouseClick(bar.restore_button, Qt.MouseButton.LeftButton)
    idle(w)
    assert "the segment's text has changed since" in bar.label.text()
    assert bar.copy_button.isVisible() and not bar.restore_button.isVisible()
    assert w.segment_editor.toPlainText() != "second, typed"
    qtbot.mouseClick(bar.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "second, typed"
    assert Path(project.unsaved_text.path(asegs[1])).exists()
    w.runner.cancel_all()
    w.close()


def test_a_transcription_that_replaced_the_segment_updates_the_bar(
    qtbot: Any, qsettings: Any, idle: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    (a, asegs), _ = _two_sessions(folder)
    with Project.open(folder) as project:
        project.unsaved_text.keep(asegs[0], a, "Focus group 1 segment 0", "typed before")
    project = Project.open(folder)
    w = _window(qtbot, project, qsettings)
    bar = w.unsaved_bar
    qtbot.waitUntil(bar.isVisible, timeout=10000)
    assert bar.restore_button.isVisible()
    project.transcript.delete_segment(asegs[0])  # a new transcription replaced it
    w.transcription.transcribed.emit(a)
    assert "no longer exists" in bar.label.text()
    assert bar.copy_button.isVisible() and not bar.restore_button.isVisible()
    w.runner.cancel_all()
    w.close()

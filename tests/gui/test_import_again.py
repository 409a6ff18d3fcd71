"""Importing audio that is already in the project: the window asks, and only "Yes" imports it
again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.gui.gui_helpers import Asked
from tests.hardening_support import tone_wav

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def test_duplicate_import_asks_first(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wav = tone_wav(tmp_path / "tone.wav")
    window.transcription.import_files([wav])
    idle(window)
    assert len(window.project.sessions.all()) == 1

    no = Asked(NO)
    monkeypatch.setattr(QMessageBox, "question", no)
    window.transcription.import_files([wav])
    idle(window)
    assert len(no.texts) == 1 and "already in the project" in no.texts[0]
    assert len(window.project.sessions.all()) == 1
    assert "already here" in window.statusBar().currentMessage()

    yes = Asked(YES)
    monkeypatch.setattr(QMessageBox, "question", yes)
    window.transcription.import_files([wav])
    idle(window)
    idle(window)
    assert len(yes.texts) == 1
    assert len(window.project.sessions.all()) == 2


def test_one_bad_file_among_several_says_none_was_imported(
    window: Any, idle: Any, tmp_path: Path
) -> None:
    """All or nothing: the message named only the bad file, leaving the user to think the
    good one was imported."""
    good = tone_wav(tmp_path / "tone.wav")
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio", encoding="utf-8")
    window.transcription.import_files([bad, good])
    idle(window)
    assert window.project.sessions.all() == []
    error = window.chrome.last_error
    assert "notes.wav" in error and "None of the 2 files was imported" in error
    window.transcription.import_files([bad])  # one file: its own message says it all
    idle(window)
    assert "None of" not in window.chrome.last_error


def test_opening_a_folder_that_is_no_project_names_the_menu_not_a_command(
    window: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "Interviews"
    folder.mkdir()
    assert not window.projects.open_project(folder)
    error = window.chrome.last_error
    assert "not a FieldScribe project" in error
    assert "fieldscribe new" not in error and "File ▸ New project" in error


def test_a_file_with_several_audio_tracks_is_imported_with_the_cli_s_note(
    window: Any, idle: Any, qtbot: Any, tmp_path: Path
) -> None:
    """`fieldscribe import` notes that a file with several audio tracks is heard only through
    its first; the desktop import said nothing. It says the same, in the status bar and in a
    box that does not block; a file with one track gets no note."""
    from PySide6.QtWidgets import QApplication

    from storage.core.audio import probe, track_note
    from tests.test_cli_import_inputs import _two_tracks

    src = _two_tracks(tmp_path)
    window.resize(1024, 700)
    window.transcription.import_files([src])
    idle(window)
    qtbot.waitUntil(lambda: len(window.project.sessions.all()) == 1, timeout=10000)
    note = track_note(src, probe(src))
    assert note is not None and "has 2 audio tracks" in note
    assert window.transcription.last_notes == [note]
    boxes = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    assert any(note in box.text() for box in boxes)
    assert "Imported 1 session." in window.statusBar().currentMessage()
    box = next(box for box in boxes if note in box.text())
    box.close()
    window.transcription.last_notes = []
    window.transcription.import_files([tone_wav(tmp_path / "one.wav", freq=330)])
    idle(window)
    qtbot.waitUntil(lambda: len(window.project.sessions.all()) == 2, timeout=10000)
    assert window.transcription.last_notes == []
    assert window.statusBar().currentMessage() == "Imported 1 session."

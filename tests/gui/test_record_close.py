"""Closing the window while recording: asked first, and the recording is saved as a session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage import Project
from tests.audio_fixtures import PulseMic, espeak_wav
from tests.gui.gui_helpers import Asked


def _recording(window: Any, pulse_mic: PulseMic, qtbot: Any, tmp_path: Path) -> Any:
    """The Record panel recording speech from the virtual microphone for 1.5 s and more."""
    speech = espeak_wav(tmp_path / "s.wav", "Tell me how you book an appointment online.")
    panel = window.extra_panels.show_recorder()
    panel.ask_details = False
    assert panel.select_device("fs_mic")
    assert panel.start_recording()
    pulse_mic.play(speech)
    qtbot.waitUntil(lambda: panel.recorder.position_ms > 1500, timeout=15000)
    return panel


@pytest.mark.audio
@pytest.mark.slow
def test_closing_the_window_while_recording_asks_and_saves_the_session(  # type: ignore[no-untyped-def]
    pulse_mic: PulseMic, window, project: Project, qtbot, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    folder = project.folder
    panel = _recording(window, pulse_mic, qtbot, tmp_path)

    keep = Asked(QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(QMessageBox, "question", keep)
    assert not window.close()  # Cancel: the interview goes on
    assert keep.texts and "recording" in keep.texts[0]
    assert panel.is_recording and window.project is project

    save = Asked(QMessageBox.StandardButton.Save)
    monkeypatch.setattr(QMessageBox, "question", save)
    assert window.close()
    pulse_mic.stop_players()
    assert save.texts
    # the session is there when the app is gone: no crash recovery needed next time
    assert not list((folder / "recordings").glob("*.wav"))
    with Project.open(folder) as again:
        sessions = again.sessions.all()
        assert [s.status for s in sessions] == ["recorded"]
        assert sessions[0].duration_ms > 1500


@pytest.mark.audio
@pytest.mark.slow
def test_file_close_project_while_recording_asks_and_saves_the_session(  # type: ignore[no-untyped-def]
    pulse_mic: PulseMic, window, project: Project, qtbot, tmp_path: Path, monkeypatch
) -> None:
    """File ▸ Close project (Ctrl+W, easy to press by mistake) closed the project under a
    running recording, which stopped unsaved; now it asks the same question."""
    from PySide6.QtWidgets import QMessageBox

    folder = project.folder
    panel = _recording(window, pulse_mic, qtbot, tmp_path)

    monkeypatch.setattr(QMessageBox, "question", Asked(QMessageBox.StandardButton.Cancel))
    window.act_close.trigger()
    assert panel.is_recording and window.project is project  # still open, still recording

    monkeypatch.setattr(QMessageBox, "question", Asked(QMessageBox.StandardButton.Save))
    after: list[str] = []  # what the saved recording set off once the project was closed
    panel.recording_finished.connect(after.append)
    panel.transcribe_requested.connect(after.append)
    window.transcription.start_transcription = lambda sid, *a, **k: after.append(f"T {sid}")
    window.act_close.trigger()
    pulse_mic.stop_players()
    assert window.project is None
    qtbot.wait(500)  # the finished import's report arrives: nothing is opened or transcribed
    assert after == [] and window.project is None and not window.runner.busy()
    assert not list((folder / "recordings").glob("*.wav"))
    with Project.open(folder) as again:
        assert [s.status for s in again.sessions.all()] == ["recorded"]

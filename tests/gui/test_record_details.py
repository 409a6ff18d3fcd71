"""The "Recorded session" dialog that opens when a recording stops (found by a recording walk)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from storage import Project, Session
from storage.recordings.recording import ActiveRecording, finish_recording


def _recorded(project: Project) -> Session:
    """A just-finished one-second recording, as Stop leaves it."""
    rec = ActiveRecording(project.folder, sample_rate=16000, channels=1)
    rec.feed(b"\1\0" * 16000)
    session = finish_recording(project, rec)
    assert session is not None
    return session


def test_details_dialog_shows_the_whole_title_and_an_unambiguous_date(
    project: Project, qtbot: Any
) -> None:
    from gui.session_details import SessionDetailsDialog

    session = _recorded(project)
    dialog = SessionDetailsDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    edit = dialog.title_edit
    # the default title "Recording 2026-12-05 23:21" read "ding 2026-12-05 23:21" (200 px dialog)
    need = edit.fontMetrics().horizontalAdvance(session.title)
    room = edit.contentsRect().width() - edit.textMargins().left() - edit.textMargins().right()
    assert need < room - 8, (need, room)  # 8: the frame's padding inside the field
    # the date as the sessions list writes it (was the locale's "5 12 2026")
    assert dialog.date_edit.text() == session.date
    assert dialog.width() <= 640  # fits a 1024 px screen with room to spare


def test_details_saved_show_in_the_sessions_list_and_the_heading(
    window: Any, qtbot: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gui.models.sessions import STATUS_COL
    from gui.record_panel import RecordPanel
    from gui.session_details import SessionDetailsDialog

    monkeypatch.setattr(RecordPanel, "auto_transcribe", property(lambda _self: False))
    panel = window.extra_panels.show_recorder()
    session = _recorded(window.project)
    panel._on_imported(session, "")  # what Stop ends with: the session saved, the dialog open
    idle(window)
    dialog = panel.findChild(SessionDetailsDialog)
    assert dialog is not None and dialog.isVisible()
    model = window.sessions_model
    assert model.index(0, 0).data() == session.title
    dialog.title_edit.setText("Aigerim, Almaty market")
    dialog.place_edit.setText("Almaty")
    dialog.accept()
    idle(window)
    assert window.project.sessions.get_session(session.id).title == "Aigerim, Almaty market"
    # the list, the transcript's heading and the panel show it (they kept "Recording 2026-…")
    qtbot.waitUntil(lambda: model.index(0, 0).data() == "Aigerim, Almaty market")
    assert model.index(0, STATUS_COL).data() == "recorded"
    assert "Aigerim, Almaty market" in window.transcript_label.full_text()
    assert window.state.session.place == "Almaty"
    assert panel.status_label.text().startswith("Saved “Aigerim, Almaty market” (")


def test_saved_message_and_markers_read_whole_in_a_laptops_record_dock(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any
) -> None:
    """Recording walk at 1024x700: after Stop, "Saved “Recording 2026-12-05 23:27” (00:12)."
    was cut at the Record dock's bottom, under a 120 px marker list holding one marker."""
    from gui.main_window import MainWindow
    from storage.recordings.recording import RecordingMarker

    folder = project.folder
    project.close()
    w = MainWindow(transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    assert w.projects.open_project(folder)
    panel = w.extra_panels.show_recorder()
    idle(w)
    qtbot.wait(50)
    panel._on_marker(RecordingMarker(2000, "Marker 1", "Anna starts on the internet"))
    # why it stopped, when it stopped by itself, comes before "Saved …" (three lines or more)
    panel._status(
        "The microphone 'USB Audio' was lost (unplugged): recording stopped; the 12.4 s "
        "recorded so far are kept. Saved “Recording 2026-12-05 23:27” (00:12)."
    )
    qtbot.wait(100)
    markers = panel.marker_list
    item = markers.visualItemRect(markers.item(0))
    assert markers.viewport().rect().contains(item)  # the marker whole
    view = panel.scroller.viewport()
    label = panel.status_label
    bottom = label.mapTo(view, label.rect().bottomLeft()).y()
    assert bottom <= view.height(), (bottom, view.height())  # the message whole, unscrolled
    assert panel.record_button.mapTo(view, panel.record_button.rect().topLeft()).y() >= 0
    w.close()


def test_while_recording_the_empty_transcript_says_the_session_comes_at_stop(
    window: Any, qtbot: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recording walk: while the first recording of a new project ran, the transcript's place
    said "No sessions yet — import a recording: File ▸ Import audio…", as if it went nowhere."""
    from gui.record_panel import RecordPanel

    monkeypatch.setattr(RecordPanel, "auto_transcribe", property(lambda _self: False))
    panel = window.extra_panels.show_recorder()
    idle(window)
    assert "No sessions yet" in window.transcript_label.full_text()
    panel.recording_active.emit(True)  # Record pressed (the recorder started)
    label = window.transcript_label.full_text()
    assert "Recording" in label and "Stop" in label and "No sessions yet" not in label
    assert "Stop" in window.segment_editor.placeholderText()
    window.sessions.reload_sessions()  # a reload meanwhile keeps it
    idle(window)
    assert "Recording" in window.transcript_label.full_text()
    panel.recording_active.emit(False)  # stopped with nothing recorded
    idle(window)
    assert "No sessions yet" in window.transcript_label.full_text()
    panel.recording_active.emit(True)
    rec = ActiveRecording(window.project.folder, sample_rate=16000, channels=1)
    rec.feed(b"\1\0" * 16000)
    imported: list[str] = []
    panel.recording_finished.connect(imported.append)
    panel._on_stopped(rec)  # Stop: the recording is saved in the background
    assert "Recording" in window.transcript_label.full_text()  # not "No sessions yet"
    qtbot.waitUntil(lambda: bool(imported))
    idle(window)
    panel.findChild(QDialog).reject()
    title = window.project.sessions.get_session(imported[0]).title
    qtbot.waitUntil(lambda: title in window.transcript_label.full_text())
    assert not window.sessions.recording


def test_the_clock_shows_the_length_saved(
    project: Project, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recording walk (1366x768): after Stop the clock read "00:11" beside "Saved “…” (00:12).":
    it kept its last tick, a moment before the end of the audio."""
    from gui.record_panel import RecordPanel

    monkeypatch.setattr(RecordPanel, "auto_transcribe", property(lambda _self: False))
    panel = RecordPanel(project)
    panel.ask_details = False
    qtbot.addWidget(panel)
    panel.elapsed_label.setText("00:00")  # the last tick, before the last second arrived
    session = _recorded(project)  # one second
    panel._on_imported(session, "")
    assert panel.elapsed_label.text() == "00:01"
    assert panel.status_label.text().endswith("(00:01).")


def test_a_recording_saved_as_the_project_closes_leaves_no_recording_heading(
    window: Any, idle: Any
) -> None:
    """Closing the project while recording saves it without the usual report (the window
    goes on without that project): the next project must not read "Recording…"."""
    from types import SimpleNamespace

    panel = window.extra_panels.show_recorder()
    idle(window)
    panel.recording_active.emit(True)
    assert window.sessions.recording
    panel.recorder = SimpleNamespace(is_recording=False)  # stopped, saved by the finisher
    panel.stop_and_save_now(timeout_s=1)
    assert not window.sessions.recording


@pytest.mark.parametrize("again", [False, True])
def test_after_stop_the_sessions_list_comes_to_the_front_with_the_new_session(
    window: Any, qtbot: Any, idle: Any, monkeypatch: pytest.MonkeyPatch, again: bool
) -> None:
    """After Stop the Record tab stayed in front and hid the Sessions list where the new
    session appeared: the list comes to the front with it selected, unless a new recording
    already runs (the Record tab then stays)."""
    from gui.record_panel import RecordPanel

    monkeypatch.setattr(RecordPanel, "auto_transcribe", property(lambda _self: False))
    monkeypatch.setattr(RecordPanel, "ask_details", False, raising=False)
    panel = window.extra_panels.show_recorder()
    idle(window)
    qtbot.wait(50)
    record_dock = window.extra_panels.docks["record"]
    assert record_dock in window.tabifiedDockWidgets(window.sessions_dock)

    def in_front(widget: Any) -> bool:  # a dock behind another tab stays "visible"
        return not widget.visibleRegion().isEmpty()

    assert in_front(record_dock) and not in_front(window.sessions_dock)  # Record in front
    monkeypatch.setattr(RecordPanel, "is_recording", property(lambda _self: again))
    session = _recorded(window.project)
    panel._on_imported(session, "")  # what Stop ends with
    idle(window)
    qtbot.wait(50)
    assert in_front(window.sessions_dock) is not again
    assert in_front(record_dock) is again
    rows = window.sessions_view.selectionModel().selectedRows()
    assert [window.sessions_model.index(r.row(), 0).data() for r in rows] == [session.title]
    monkeypatch.setattr(RecordPanel, "is_recording", property(lambda _self: False))


class _PausableRecorder:
    """A running recorder as the panel sees it (the real one needs a microphone)."""

    is_recording = True
    has_audio = True
    position_ms = 4000
    recording = None

    def __init__(self) -> None:
        self.is_paused = False

    def pause(self) -> None:
        self.is_paused = True

    def resume(self) -> None:
        self.is_paused = False


def test_while_paused_the_empty_transcript_says_paused(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recording walk: with the recording paused (the Record panel said "❚❚ Paused"), the
    transcript's place still said "Recording… — it becomes a session when you press ■ Stop"."""
    from gui.record_panel import RecordPanel

    monkeypatch.setattr(RecordPanel, "auto_transcribe", property(lambda _self: False))
    panel = window.extra_panels.show_recorder()
    idle(window)
    panel.recording_active.emit(True)  # Record pressed (the recorder started)
    # undone before the window closes (a recorder left running asks whether to save it)
    monkeypatch.setattr(panel, "recorder", _PausableRecorder())
    assert "Recording…" in window.transcript_label.full_text()
    panel.toggle_pause()  # Pause
    label = window.transcript_label.full_text()
    assert "paused" in label.lower() and "Recording…" not in label, label
    assert "Resume" in label and "Stop" in label
    assert "paused" in window.segment_editor.placeholderText().lower()
    window.sessions.reload_sessions()  # a reload meanwhile keeps it
    idle(window)
    assert "paused" in window.transcript_label.full_text().lower()
    panel.toggle_pause()  # Resume
    label = window.transcript_label.full_text()
    assert "Recording…" in label and "paused" not in label.lower(), label
    panel.toggle_pause()  # paused again, then stopped: the next recording starts unpaused
    panel.recorder = None
    panel.recording_active.emit(False)
    panel.recording_active.emit(True)
    assert "Recording…" in window.transcript_label.full_text()


def test_sessions_that_arrive_while_none_is_open_end_the_empty_project_heading(
    window: Any, idle: Any
) -> None:
    """Team walk: a .qdpx imported into the open, empty project brought sessions into the list,
    and the transcript's heading still said "No sessions yet — import a recording"."""
    idle(window)
    assert "No sessions yet" in window.transcript_label.full_text()
    window.project.sessions.add_session("Фокус-группа, Шымкент", "focus_group")
    window.sessions.reload_sessions()  # as after File ▸ Import a .qdpx
    idle(window)
    assert window.state.session is None  # none opened for the user
    assert "No sessions yet" not in window.transcript_label.full_text()
    assert "Sessions list" in window.segment_editor.placeholderText()

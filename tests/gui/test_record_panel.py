"""The recording panel, offscreen, recording from the PulseAudio virtual microphone."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from storage import Project
from storage.recordings.recording import ActiveRecording
from tests.audio_fixtures import PulseMic, espeak_wav


@pytest.fixture
def settings_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep QSettings away from the real user configuration."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    # the panel's QSettings("FieldScribe", "FieldScribe") is NativeFormat: without its own path
    # it wrote the device (and any untick) into the user's ~/.config/FieldScribe
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def project(tmp_path: Path):
    with Project.create(tmp_path / "P.fieldscribe", coder="coder-a") as p:
        yield p


def test_guide_parsing_and_idle_state(settings_home: Path, project: Project, qtbot, tmp_path):  # type: ignore[no-untyped-def]
    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    assert not panel.is_recording
    assert not panel.stop_button.isEnabled() and not panel.marker_button.isEnabled()
    assert panel.drop_marker() is None and panel.next_question() is None
    guide = tmp_path / "guide.md"
    guide.write_text("## Guide\n- [ ] First?\n2. Second?\n\n", encoding="utf-8")
    panel.load_guide_file(guide)
    assert panel.guide_questions() == ["Guide", "First?", "Second?"]
    panel.load_guide_file(tmp_path / "nope.md")
    assert "nope.md: no such guide file" in panel.status_label.text()
    assert panel.guide_questions() == ["Guide", "First?", "Second?"]  # unchanged


def test_the_recording_hint_names_the_check_box_as_it_reads(  # type: ignore[no-untyped-def]
    settings_home: Path, project: Project, qtbot
):
    """While recording, the transcript's place said "when “Transcribe automatically” is
    ticked", a box the Record panel does not have: its box reads "Transcribe after recording"."""
    from gui.hints import nothing_open_hints
    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    _heading, placeholder = nothing_open_hints(recording=True, has_sessions=False)
    assert f"“{panel.auto_check.text()}”" in placeholder


@pytest.mark.audio
@pytest.mark.slow
def test_panel_records_a_session_with_markers(  # type: ignore[no-untyped-def]
    pulse_mic: PulseMic, settings_home: Path, project: Project, qtbot, tmp_path: Path
) -> None:
    from gui.record_panel import SETTINGS_DEVICE, RecordPanel

    speech = espeak_wav(tmp_path / "s.wav", "Welcome to the focus group about online services.")
    panel = RecordPanel(project)
    panel.ask_details = False
    qtbot.addWidget(panel)
    assert panel.select_device("fs_mic")
    assert panel.settings.value(SETTINGS_DEVICE) == "fs_mic"
    assert "left" in panel.disk_label.text()
    panel.guide_edit.setPlainText("1. How do you book?\n2. What went wrong?")
    hints: list[str] = []
    panel.title_hint.connect(hints.append)
    transcribe: list[str] = []
    panel.transcribe_requested.connect(transcribe.append)
    assert panel.start_recording()
    # nothing is recorded until the microphone delivers its first audio: the panel says so
    assert panel.recorder is not None and not panel.recorder.has_audio
    assert panel.state_label.text() == "● Starting the microphone…"
    assert panel.is_recording and panel.stop_button.isEnabled()
    assert not panel.record_button.isEnabled() and not panel.device_combo.isEnabled()
    pulse_mic.play(speech)
    qtbot.waitUntil(lambda: panel.recorder.position_ms > 500, timeout=15000)
    qtbot.waitUntil(lambda: panel.level_bar.value() > 5, timeout=10000)
    qtbot.waitUntil(lambda: panel.state_label.text() == "● Recording", timeout=2000)
    panel.next_question()
    assert panel.question_label.text() == "Q1: How do you book?"
    panel.note_edit.setText("nods")
    panel.drop_marker()
    qtbot.wait(800)
    panel.toggle_pause()
    assert panel.pause_button.text() == "Resume"
    qtbot.wait(600)
    panel.toggle_pause()
    qtbot.wait(800)
    assert any(h.startswith("● REC 00:0") for h in hints)
    assert any(h.startswith("❚❚ PAUSED") for h in hints)
    with qtbot.waitSignal(panel.recording_finished, timeout=20000) as finished:
        panel.stop_recording()
    session_id = finished.args[0]
    assert hints[-1] == ""
    assert transcribe == [session_id]  # automatic transcription is on by default
    session = project.sessions.get_session(session_id)
    assert session.status == "recorded" and session.duration_ms > 1500
    markers = project.sessions.markers(session_id)
    assert [(m.label, m.note, m.source) for m in markers] == [
        ("Q1: How do you book?", None, "guide"),
        ("Marker 1", "nods", "recording"),
    ]
    assert panel.marker_list.count() == 2
    assert panel.record_button.isEnabled()
    pulse_mic.stop_players()


def test_details_dialog_updates_the_session(  # type: ignore[no-untyped-def]
    settings_home: Path, project: Project, qtbot
) -> None:
    from gui.session_details import SessionDetailsDialog

    rec = ActiveRecording(project.folder, sample_rate=16000, channels=1)
    rec.feed(b"\1\0" * 16000)
    from storage.recordings.recording import finish_recording

    session = finish_recording(project, rec)
    assert session is not None
    dialog = SessionDetailsDialog(session)
    qtbot.addWidget(dialog)
    dialog.title_edit.setText("Interview with A")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("focus_group"))
    dialog.place_edit.setText("Town hall")
    values = dialog.values()
    project.sessions.update_session(session.id, **values)
    updated = project.sessions.get_session(session.id)
    assert (updated.title, updated.kind, updated.place) == (
        "Interview with A",
        "focus_group",
        "Town hall",
    )
    assert updated.date == time.strftime("%Y-%m-%d")


def test_panel_reads_whole_in_a_laptop_dock(settings_home: Path, project: Project, qtbot):  # type: ignore[no-untyped-def]
    """In the Record dock of a 1024x700 window (~290 px) "Next question (N)" was cut to
    "ext question (", the question asked to a few letters a line and "Disk: … left" at the
    right edge: buttons keep their text, the question and the disk get lines of their own."""
    from PySide6.QtWidgets import QLabel, QLayout, QPushButton

    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    # as in the dock: narrower than it would like (ExtraPanels._dock lowers its minimum)
    panel.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    panel.setMinimumSize(0, 0)
    panel.resize(290, 640)
    panel.show()
    assert panel.width() == 290
    panel.disk_label.setText("Disk: 207 h 50 min left")  # as while recording (shown then,
    panel.disk_label.show()  # with or without a microphone on the machine that runs this)
    panel.state_label.setText("● Recording")
    panel.guide.show_question("Q1: Как вы записываетесь к врачу?")
    qtbot.wait(50)
    for button in panel.findChildren(QPushButton):
        if button.isVisible():
            assert button.width() >= button.sizeHint().width(), button.text()
    for label in (panel.disk_label, panel.state_label):
        need = label.fontMetrics().horizontalAdvance(label.text())
        assert label.width() >= need, (label.text(), label.width(), need)
        assert label.geometry().right() <= panel.contentsRect().right()
    question = panel.question_label
    assert question.height() >= question.heightForWidth(question.width()), question.height()
    assert question.width() >= 200  # not squeezed between the buttons
    assert isinstance(question, QLabel)
    # the level meter is named (an empty, unnamed bar looked like a blank text field)
    assert panel.level_label.text() == "Level" and panel.level_label.isVisible()
    assert panel.level_label.geometry().center().y() in range(
        panel.level_bar.geometry().top(), panel.level_bar.geometry().bottom() + 1
    )
    assert "loud" in panel.level_bar.toolTip()


def test_panel_scrolls_in_a_short_dock_rather_than_crush_the_guide(  # type: ignore[no-untyped-def]
    settings_home: Path, project: Project, qtbot
) -> None:
    """At 1024x700 the Record tab over a tall bottom panel (Disagreements) is about 300 px
    high: the guide box was crushed to an 8 px sliver and "Load guide…" and "Next question
    (N)" were gone. Each control keeps its height; the panel scrolls to them."""
    from PySide6.QtWidgets import QPushButton

    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    hint = panel.minimumSizeHint()  # as ExtraPanels._dock lowers it for a laptop
    panel.setMinimumSize(min(hint.width(), 320), min(hint.height(), 200))
    # the width the layout gives it in front (it may be narrower, as a tab of the Sessions
    # list: ``test_the_record_tab_leaves_the_sessions_list_its_width``)
    panel.resize(panel.needed_width(), 300)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.height() == 300
    view = panel.scroller.viewport()
    for button in panel.findChildren(QPushButton):  # none cut at the right (no sideways scroll)
        right = button.mapTo(view, button.rect().topRight()).x()
        assert right < view.width(), (button.text(), right, view.width())
    guide = panel.guide_edit
    assert guide.height() >= guide.minimumSizeHint().height() >= 3 * guide.fontMetrics().height()
    for button in (panel.load_guide_button, panel.next_button, panel.record_button):
        assert button.isVisible() and button.height() >= button.sizeHint().height()
        assert isinstance(button, QPushButton)
    bar = panel.scroller.verticalScrollBar()
    assert bar.maximum() > 0  # the rest is a scroll away
    panel.scroller.ensureWidgetVisible(panel.next_button)
    qtbot.wait(20)
    top = panel.next_button.mapTo(panel, panel.next_button.rect().topLeft()).y()
    assert top >= 0 and top + panel.next_button.height() <= panel.height()
    assert not panel.scroller.horizontalScrollBar().isVisible()


class _Input:
    """A microphone's input that has delivered ``pending`` bytes since it was last read."""

    def __init__(self) -> None:
        self.pending = b""

    def readAll(self) -> object:  # Qt's name
        from PySide6.QtCore import QByteArray

        data, self.pending = self.pending, b""
        return QByteArray(data)


def _fake_microphone(monkeypatch: pytest.MonkeyPatch) -> _Input:
    """Record pressed opens this input (no audio yet: fill its ``pending``), not a device."""
    from PySide6.QtMultimedia import QAudioDevice

    from gui.record_panel import RecordPanel
    from gui.recording_engine import Recorder

    mic = _Input()

    def start(self: Recorder) -> ActiveRecording:  # the input opened, no audio yet
        self.recording = ActiveRecording(
            self.folder, sample_rate=16000, channels=1, sample_width=2, device="test",
            guide=self.guide,
        )  # fmt: skip
        self._io = mic  # type: ignore[assignment]
        self.state_changed.emit("recording")
        return self.recording

    monkeypatch.setattr(Recorder, "start", start)
    monkeypatch.setattr(RecordPanel, "_current_device", lambda _self: QAudioDevice())
    return mic


def test_no_marker_before_the_microphone_delivers_audio(  # type: ignore[no-untyped-def]
    settings_home: Path, project: Project, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A marker dropped while the panel said "Starting the microphone…" landed at 0:00, on
    speech that was never captured: until the first audio the marker and next-question
    buttons are greyed (a tooltip says why), M and N say so and keep the note and the guide
    where they were; once audio arrives they mark the audio heard then."""
    from gui.record_panel import MARKERS_WAIT_TIP, WAIT_FOR_AUDIO, RecordPanel

    mic = _fake_microphone(monkeypatch)
    panel = RecordPanel(project)
    panel.ask_details = False
    qtbot.addWidget(panel)
    panel.guide_edit.setPlainText("How do you book?\nAnd then?")
    assert panel.start_recording()
    recorder = panel.recorder
    assert recorder is not None and recorder.recording is not None
    assert panel.state_label.text() == "● Starting the microphone…"
    assert not panel.marker_button.isEnabled() and not panel.next_button.isEnabled()
    assert panel.marker_button.toolTip() == MARKERS_WAIT_TIP
    panel.note_edit.setText("Aigerim arrives")
    assert panel.drop_marker() is None and panel.next_question() is None
    assert recorder.add_marker("x") is None  # the engine refuses it too (the CLI's m and n)
    assert recorder.recording.markers == []
    assert panel.status_label.text() == WAIT_FOR_AUDIO
    assert panel.note_edit.text() == "Aigerim arrives"  # kept for the marker
    assert panel.question_label.text() == "" and recorder.recording.guide_index == -1
    mic.pending = b"\0\0" * (16000 * 7 // 10)  # 0.7 s of audio has arrived, not yet read
    marker = panel.drop_marker()
    assert marker is not None and marker.time_ms == 700 and marker.note == "Aigerim arrives"
    assert panel.marker_button.isEnabled() and panel.next_button.isEnabled()
    assert panel.marker_button.toolTip() == ""
    assert panel.status_label.text() == "The microphone started: markers can be dropped."
    assert panel.note_edit.text() == ""
    question = panel.next_question()
    assert question is not None and question.time_ms == 700
    assert panel.question_label.text() == "Q1: How do you book?"
    assert [m.time_ms for m in recorder.recording.markers] == [700, 700]
    recorder.recording.stop()
    recorder.recording.release()


def _colours(image, rect) -> set[int]:  # type: ignore[no-untyped-def]
    return {
        image.pixel(x, y)
        for x in range(rect.left(), rect.right())
        for y in range(rect.top(), rect.bottom())
    }


def test_a_silent_level_meter_reads_as_a_meter(settings_home: Path, project: Project, qtbot):  # type: ignore[no-untyped-def]
    """Silent (0), the level meter was a blank white box inside a frame: an empty text field.
    It draws its scale (a dim track, ticks, the loud end marked) whatever the level, and still
    shows the level it is given (0 to 100, as the recorder's peak)."""
    import os

    from PySide6.QtCore import QRect

    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    panel.resize(290, 640)
    panel.show()
    qtbot.waitExposed(panel)
    bar = panel.level_bar
    assert bar.value() <= 0  # nothing measured yet (-1), or silence
    shots = Path(os.environ.get("FIELDSCRIBE_SHOTS", settings_home))
    silent = bar.grab().toImage()
    bar.grab().save(str(shots / "level_silent.png"))
    panel.grab().save(str(shots / "record_panel.png"))
    inside = QRect(3, 3, silent.width() - 6, silent.height() - 6)  # within the frame
    # more than a background: the scale's marks are drawn over it (it was one colour)
    assert len(_colours(silent, inside)) >= 3, len(_colours(silent, inside))
    # what it measures is unchanged: the value moves the bar
    bar.setValue(60)
    loud = bar.grab().toImage()
    bar.grab().save(str(shots / "level_60.png"))
    left = QRect(inside.left(), inside.top(), inside.width() // 3, inside.height())
    assert _colours(loud, left) != _colours(silent, left)
    assert (bar.minimum(), bar.maximum()) == (0, 100)


def test_no_empty_boxes_in_the_idle_panel(settings_home: Path, project: Project, qtbot):  # type: ignore[no-untyped-def]
    """Idle, in a 290x640 dock, the panel showed a blank white box (the markers list, empty
    until a recording's first marker) and the interview guide's frame stretched 200 px past
    its contents. The list shows with its first marker; the room left is under the panel."""
    from gui.record_panel import RecordPanel
    from storage.recordings.recording import RecordingMarker

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    panel.resize(290, 640)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.wait(50)
    assert not panel.marker_list.isVisible()
    guide = panel.guide_edit.parentWidget()
    assert guide.height() <= guide.sizeHint().height() + 2, (guide.height(), guide.sizeHint())
    panel._on_marker(RecordingMarker(time_ms=65000, label="Q1", note="приехали"))
    qtbot.wait(50)
    assert panel.marker_list.isVisible() and panel.marker_list.count() == 1
    item = panel.marker_list.visualItemRect(panel.marker_list.item(0))
    assert panel.marker_list.viewport().rect().contains(item)


def test_the_question_line_shows_only_with_a_question(  # type: ignore[no-untyped-def]
    settings_home: Path, project: Project, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interview guide's frame kept ~20 px blank under its buttons for the question asked
    now, empty until "Next question": the line shows with a question (whole, the frame's
    width), and goes with the next recording."""
    from gui.record_panel import RecordPanel

    mic = _fake_microphone(monkeypatch)
    panel = RecordPanel(project)
    panel.ask_details = False
    qtbot.addWidget(panel)
    panel.resize(290, 640)  # the Record dock at 1024x700
    panel.show()
    qtbot.waitExposed(panel)
    panel.guide_edit.setPlainText("Как вы записываетесь к врачу?\nИ что потом?")
    guide, question = panel.guide_edit.parentWidget(), panel.question_label

    def blank_under_buttons() -> int:
        buttons = panel.next_button.geometry().bottom() + 1
        return guide.height() - buttons - guide.layout().contentsMargins().bottom()

    qtbot.wait(50)
    assert not question.isVisible()
    assert blank_under_buttons() <= 3, blank_under_buttons()  # was 23 px (a line and a gap)
    assert panel.start_recording()
    assert not question.isVisible()
    mic.pending = b"\0\0" * 1600  # 0.1 s of audio arrived
    assert panel.next_question() is not None
    qtbot.wait(50)
    assert question.isVisible() and question.text() == "Q1: Как вы записываетесь к врачу?"
    assert question.height() >= question.heightForWidth(question.width()) > 0
    assert question.geometry().bottom() < guide.height()  # inside the frame, not cut
    assert blank_under_buttons() > question.height()
    panel.recorder.recording.stop()
    panel.recorder.recording.release()
    panel.recorder = None  # saved; a new recording starts without a question
    assert panel.start_recording()
    qtbot.wait(50)
    assert not question.isVisible() and blank_under_buttons() <= 3
    panel.recorder.recording.stop()
    panel.recorder.recording.release()


@pytest.mark.audio
def test_an_input_that_does_not_open_keeps_saying_why(  # type: ignore[no-untyped-def]
    pulse_mic: PulseMic, settings_home: Path, project: Project, qtbot, monkeypatch
) -> None:
    """Record on a microphone that cannot be opened (unplugged, still listed): the panel said
    why for an instant, then "Nothing was recorded (no audio arrived)." replaced it (the empty
    recording cleared in the background); now the reason stays, with what to do."""
    from PySide6.QtMultimedia import QAudioSource

    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    panel.ask_details = False
    qtbot.addWidget(panel)
    assert panel.select_device("fs_mic")
    monkeypatch.setattr(QAudioSource, "start", lambda self, *a: None)  # Qt: could not open
    assert not panel.start_recording()
    # the background clean-up of the empty recording ends and reports
    worker = panel._finisher._thread
    qtbot.waitUntil(lambda: worker is None or not worker.is_alive(), timeout=20000)
    qtbot.wait(200)
    text = panel.status_label.text()
    assert text.startswith("Cannot record from"), text
    assert "pick another input" in text
    assert "Nothing was recorded" not in text
    assert panel.record_button.isEnabled() and project.sessions.all() == []


@pytest.mark.audio
@pytest.mark.slow
def test_an_unplugged_microphone_is_named_beside_the_saved_session(  # type: ignore[no-untyped-def]
    pulse_mic: PulseMic, settings_home: Path, project: Project, qtbot, tmp_path: Path
) -> None:
    """The microphone unplugged mid-interview: the panel said why for an instant, then only
    "Saved “Recording …” (00:03)." (the reason lasted 6 s in the status bar), so a researcher
    who looked back saw a short recording and no reason; now both stay in the panel."""
    from gui.record_panel import RecordPanel

    speech = espeak_wav(tmp_path / "s.wav", "Tell me how you book an appointment online.")
    panel = RecordPanel(project)
    panel.ask_details = False
    qtbot.addWidget(panel)
    assert panel.select_device("fs_mic")
    assert panel.start_recording()
    pulse_mic.play(speech)
    try:
        qtbot.waitUntil(lambda: panel.recorder.position_ms > 1000, timeout=15000)
        with qtbot.waitSignal(panel.recording_finished, timeout=30000):
            pulse_mic.unload_mic()
    finally:
        pulse_mic.stop_players()
        pulse_mic.load_mic()
    text = panel.status_label.text()
    assert "was lost" in text and "kept" in text, text
    assert "Saved “Recording" in text
    assert [s.status for s in project.sessions.all()] == ["recorded"]


def test_a_recorder_outliving_its_panel_does_not_call_into_it(  # type: ignore[no-untyped-def]
    settings_home: Path, project: Project, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorder (no parent) may still report its state when the panel is gone (its window
    closed while the recording is saved): a lambda connected to the panel called into the
    deleted panel ("Internal C++ object (QComboBox) already deleted", seen in the event loop
    of the full suite)."""
    from shiboken6 import isValid

    from gui.record_panel import RecordPanel

    _fake_microphone(monkeypatch)
    panel = RecordPanel(project)
    panel.ask_details = False
    assert panel.start_recording()
    recorder = panel.recorder
    assert recorder is not None and recorder.recording is not None
    panel.deleteLater()
    qtbot.waitUntil(lambda: not isValid(panel), timeout=5000)
    recorder.state_changed.emit("saving")  # raised in the deleted panel before
    recorder.recording.stop()
    recorder.recording.release()


def test_why_a_recording_stopped_stays_with_it_and_not_with_the_next(  # type: ignore[no-untyped-def]
    settings_home: Path, project: Project, qtbot
) -> None:
    """The disk filled up: the panel said why it stopped, then only that the copy into the
    project failed (the disk-full reason gone), and the next recording's "Saved …" began with
    the old "The disk is full…". The reason stays beside the failed save, and only there."""
    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    panel.ask_details = False
    qtbot.addWidget(panel)
    full = "The disk is full: recording stopped; 8.8 s of audio are kept in r.wav."
    panel._on_failed(full)
    panel._on_imported(None, "r.wav: could not copy into media (the disk is full).")
    text = panel.status_label.text()
    assert full in text and "could not copy" in text, text
    session = project.sessions.add_session("Next interview", "interview")
    panel._on_imported(session, "")
    assert panel.status_label.text().startswith("Saved “Next interview”"), panel.status_label.text()

"""The recording panel: record a session from a microphone into the open project.

``RecordPanel(project)`` shows the input picker (remembered), a live level meter with a clipping
warning, elapsed and remaining disk time, Record / Pause / Stop, markers (key M or the button,
with an optional note) and an optional interview guide (gui/interview_guide.py) whose "Next
question" (key N) stamps a ``guide`` marker. Audio goes to a crash-safe WAV in
``PROJECT/recordings/`` (see gui/recording_engine.py and storage/recordings/recording.py); on Stop
the recording is imported as a session in a background thread, a small dialog asks for title,
kind, date and place, and ``recording_finished(session_id)`` is emitted (plus
``transcribe_requested(session_id)`` when automatic transcription is on: the main window starts
it through its task module); ``details_saved(session_id)`` once the dialog's details are saved.

For the main window: ``title_hint(str)`` carries "● REC 12:34" while recording ("" when idle)
so the window title shows it even when the window is not focused; ``recover_unfinished``
(gui/recording_finish.py, beside the worker that saves a stopped recording) is what to call when
a project is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from storage import Project, Session
from storage.core.errors import FieldScribeError
from storage.recordings.recording import ActiveRecording, RecordingMarker

from .eliding_combo import ElidingComboBox
from .fit import fit_list, fit_list_height, scrolling
from .flow_row import FlowRow
from .hints import AUTO_TRANSCRIBE_LABEL
from .input_list import Input, InputWatch, follow, lost_text
from .interview_guide import GuideBox
from .level_meter import LevelMeter
from .recording_engine import Recorder, choose_format, device_id, input_devices
from .recording_finish import Finisher, fmt_clock, fmt_hours
from .session_details import SessionDetailsDialog

SETTINGS_DEVICE = "record/device"
SETTINGS_AUTO_TRANSCRIBE = "record/auto_transcribe"


#: said when a marker is asked for before the microphone's first audio
WAIT_FOR_AUDIO = (
    "The microphone is starting: drop the marker when the clock runs (a second or two);"
    " nothing before that is recorded."
)
MARKERS_WAIT_TIP = "Markers start with the first audio: the microphone is starting."


#: px: the Record panel at its narrowest, a tab of the Sessions list (212 px at 1024x700)
PANEL_NARROWEST = 200


class RecordPanel(QWidget):
    """Record sessions straight into ``project`` (see the module doc)."""

    recording_finished = Signal(str)
    transcribe_requested = Signal(str)
    details_saved = Signal(str)  # the details dialog changed a session: its id
    title_hint = Signal(str)
    recording_active = Signal(bool)
    recording_paused = Signal(bool)  # paused (True) or resumed (False)
    message = Signal(str)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.recorder: Recorder | None = None
        self.settings = QSettings("FieldScribe", "FieldScribe")
        self.ask_details = True
        self.last_session_id: str | None = None
        self._clip_until = 0
        self._start_error = ""  # why the last Record did not start (kept over the clean-up)
        self._failure = ""  # why the running recording stopped by itself (device lost, disk full)
        self._finisher = Finisher(self)
        self._finisher.done.connect(self._on_imported)
        self._tray: QSystemTrayIcon | None = None
        self._inputs: list[Input] = []  # what the input list shows
        self._lost_recording: str | None = None  # the input a recording stopped losing
        self.inputs = InputWatch(self)  # inputs come and go (an unplugged one leaves the list)
        self.inputs.changed.connect(self.refresh_devices)
        self._build()
        self.refresh_devices()
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._update_clock)
        self._update_buttons()
        self._update_disk()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.inputs.watch(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self.recorder is None or not self.recorder.is_recording:
            self.inputs.watch(False)  # a recording's input is still watched (unplugged: stop)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        # the controls scroll in a short dock (a laptop's Record tab over a tall bottom panel:
        # about 300 px at 1024x700) rather than crush the guide to a sliver and hide its buttons
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        body = QWidget()
        # a tab of the Sessions list: its 287 px of controls held the list 301 px wide after
        # Stop (1024x700), the transcript 89 px narrower; it may be as narrow as the list
        # and gets the width it needs when in front (``needed_width``)
        self.scroller = scrolling(body, narrowest=PANEL_NARROWEST)
        outer.addWidget(self.scroller)
        layout = QVBoxLayout(body)
        top = QHBoxLayout()
        # as narrow as the dock (a long input name ends in "…", whole in the tooltip)
        self.device_combo = ElidingComboBox()
        self.device_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.device_combo.setMinimumContentsLength(8)
        self.device_combo.setToolTip("Microphone or other input")
        self.device_combo.currentIndexChanged.connect(self._on_device_chosen)
        top.addWidget(QLabel("Input"))
        top.addWidget(self.device_combo, 1)
        layout.addLayout(top)

        meter = QHBoxLayout()
        self.level_bar = LevelMeter()  # its scale drawn: empty, a bar read as a text field
        self.level_bar.setToolTip("How loud the input is now; CLIPPING beside it: too loud")
        self.clip_label = QLabel("")
        self.clip_label.setStyleSheet("color: #c0392b; font-weight: bold")
        # named like the Input row: unnamed, an empty meter read as a blank text field
        self.level_label = QLabel("Level")
        meter.addWidget(self.level_label)
        meter.addWidget(self.level_bar, 1)
        meter.addWidget(self.clip_label)
        layout.addLayout(meter)

        info = QHBoxLayout()
        self.state_label = QLabel("Ready")
        self.elapsed_label = QLabel("00:00")
        self.elapsed_label.setStyleSheet("font-size: 20pt")
        self.disk_label = QLabel("")
        info.addWidget(self.state_label)
        info.addStretch(1)
        info.addWidget(self.elapsed_label)
        info.addStretch(1)
        layout.addLayout(info)
        # a line of its own: beside the state and the clock, a 290 px dock (1024x700) cut it
        # to "Disk: 207 h 50 m"
        layout.addWidget(self.disk_label)

        # wrapped onto two lines in a narrow dock (an 800 px window: 237 px), Stop not behind
        # a sideways scroll bar
        buttons = FlowRow()
        self.record_button = QPushButton("● Record")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("■ Stop")
        self.record_button.clicked.connect(self.start_recording)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop_recording)
        for button in (self.record_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        markers = QHBoxLayout()
        self.note_edit = QLineEdit()
        # short enough to read whole in a 290 px dock (1024x700): "Marker note (optional), En…"
        # was cut; how to drop the marker is in the tooltip and on the button beside it
        self.note_edit.setPlaceholderText("Marker note (optional)")
        self.note_edit.setToolTip(
            "A note for the next marker (optional): Enter drops a marker with it.\n"
            "M, or the Marker (M) button, drops one too, with the note typed if any."
        )
        self.note_edit.returnPressed.connect(self.drop_marker)
        self.marker_button = QPushButton("Marker (M)")
        self.marker_button.clicked.connect(self.drop_marker)
        markers.addWidget(self.note_edit, 1)
        markers.addWidget(self.marker_button)
        layout.addLayout(markers)

        self.guide = GuideBox()
        self.guide.file_chosen.connect(self.load_guide_file)
        self.guide.next_button.clicked.connect(self.next_question)
        self.guide_edit, self.question_label = self.guide.edit, self.guide.question_label
        self.load_guide_button, self.next_button = self.guide.load_button, self.guide.next_button
        layout.addWidget(self.guide)

        self.marker_list = QListWidget()
        fit_list(self.marker_list)  # a long note wraps in the dock, not sideways
        # as tall as its markers: one marker in a 120 px box pushed "Saved “…” (00:12)." out of
        # a laptop's Record dock (1024x700)
        fit_list_height(self.marker_list, 120)
        self.marker_list.hide()  # until the first marker: empty, a blank white box
        layout.addWidget(self.marker_list)

        # short enough for the narrowest dock (a check box's label does not wrap)
        self.auto_check = QCheckBox(AUTO_TRANSCRIBE_LABEL)
        self.auto_check.setToolTip(
            "Transcribe automatically after recording: Stop sends the new session to be transcribed"
        )
        self.auto_check.setChecked(self.auto_transcribe)
        self.auto_check.toggled.connect(
            lambda on: self.settings.setValue(SETTINGS_AUTO_TRANSCRIBE, bool(on))
        )
        layout.addWidget(self.auto_check)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        layout.addStretch(1)  # the room left under the panel, not inside the guide's frame

        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("M"), self, self._marker_key, context=ctx)
        QShortcut(QKeySequence("N"), self, self._next_key, context=ctx)

    def needed_width(self) -> int:
        """The width its controls read whole in (the layout gives it when it opens or comes
        in front)."""
        return self.scroller.needed_width()  # type: ignore[attr-defined,no-any-return]

    # ------------------------------------------------------------------ settings
    @property
    def auto_transcribe(self) -> bool:
        """Whether a finished recording is sent for transcription (QSettings, default on)."""
        value = self.settings.value(SETTINGS_AUTO_TRANSCRIBE, True)
        return value not in (False, "false", "0", 0)

    def refresh_devices(self) -> None:
        """Refill the input picker as inputs come and go (``gui.input_list``), keeping the
        chosen (or remembered) input selected. When the selected input went away, the default
        takes its place and the user is told; a recording from it stops, keeping its audio."""
        wanted = str(self.settings.value(SETTINGS_DEVICE, "") or "")
        before, now = self._inputs, self.inputs.listing()
        current = self.device_combo.currentData() or None
        if current is None or not before:  # the first fill, or no input until now
            current = wanted if any(i.ident == wanted for i in now) else current
        followed = follow(before, current, now)
        self._inputs = now
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        for item in now:
            self.device_combo.addItem(item.description, item.ident)
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(followed.selected)))
        self.device_combo.blockSignals(False)
        if self.device_combo.count() == 0:
            self.device_combo.addItem("No microphone found", "")
        self._update_buttons()
        if followed.lost is not None:
            self._input_lost(followed.lost)

    def _input_lost(self, lost: Input) -> None:
        recorder = self.recorder
        if recorder is not None:  # recording or saving: the recorder says what it kept
            if recorder.is_recording and device_id(recorder.device) == lost.ident:
                recorder.device_lost("it was unplugged or disabled")
            return
        now = self.device_combo.currentText() if self.device_combo.currentData() else None
        if lost.ident != self._lost_recording:  # else said already, with what was kept
            self._status(lost_text(lost, now))
            self.message.emit(lost_text(lost, now))
        self._update_disk()

    def select_device(self, ident: str) -> bool:
        """Choose the input with id ``ident`` (and remember it)."""
        index = self.device_combo.findData(ident)
        if index >= 0:
            self.device_combo.setCurrentIndex(index)
            self._on_device_chosen(index)
        return index >= 0

    def _on_device_chosen(self, _index: int) -> None:
        ident = self.device_combo.currentData()
        if ident:
            self.settings.setValue(SETTINGS_DEVICE, ident)
        self._update_disk()

    def _current_device(self) -> Any:
        ident = self.device_combo.currentData()
        return next((d for d in input_devices() if device_id(d) == ident), None)

    # ------------------------------------------------------------------ guide
    def guide_questions(self) -> list[str]:
        """The guide as typed or loaded."""
        return self.guide.questions()

    def load_guide_file(self, path: str | Path) -> None:
        """Load a .txt/.md guide into the editor (a clear message on bad files)."""
        try:
            self.guide.load_file(path)
        except FieldScribeError as exc:
            self._status(str(exc))

    # ------------------------------------------------------------------ actions
    @property
    def is_recording(self) -> bool:
        """True while a recording runs (paused included)."""
        return self.recorder is not None and self.recorder.is_recording

    def start_recording(self) -> bool:
        """Start recording from the chosen input; False (with a message) when it cannot."""
        if self.is_recording:
            return False
        device = self._current_device()
        if device is None:
            self._status("No microphone found: plug one in and pick it above.")
            return False
        recorder = Recorder(self.project.folder, device, guide=self.guide_questions())
        recorder.level.connect(self._on_level)
        recorder.marker_added.connect(self._on_marker)
        recorder.failed.connect(self._on_failed)
        recorder.stopped.connect(self._on_stopped)
        # a method, not a lambda: a recorder still saving when the panel is gone (its window
        # closed) no longer calls into the deleted panel (PySide drops a dead receiver's slots)
        recorder.state_changed.connect(self._on_state_changed)
        recorder.started.connect(self._on_audio_arrived)
        try:
            recorder.start()
        except FieldScribeError as exc:
            # the empty recording is cleared in the background; its "Nothing was recorded"
            # must not replace why the input did not start
            self._start_error = f"{exc} Check that it is plugged in, or pick another input above."
            self._status(self._start_error)
            return False
        self._start_error = ""
        self._failure = ""
        self.recorder = recorder
        self.marker_list.clear()
        self.marker_list.hide()
        self.guide.show_question("")
        self._status(f"Recording from {device.description()}. The audio is saved as it comes.")
        self._tick.start()
        self.recording_active.emit(True)
        self._notify("Recording started", "FieldScribe is recording.")
        self._update_buttons()
        self._update_clock()
        return True

    def toggle_pause(self) -> None:
        """Pause or resume."""
        if self.recorder is None or not self.recorder.is_recording:
            return
        if self.recorder.is_paused:
            self.recorder.resume()
        else:
            self.recorder.pause()
        self.recording_paused.emit(self.recorder.is_paused)
        self._update_buttons()
        self._update_clock()

    def stop_recording(self) -> None:
        """Stop; the session is created in the background (``recording_finished``)."""
        if self.recorder is not None and self.recorder.is_recording:
            self.recorder.stop()

    def stop_and_save_now(self, timeout_s: float = 120.0) -> None:
        """Stop a running recording and wait until it is saved as a session (window closing)."""
        if self.recorder is None:
            return
        # the project closes next: the finished import's report would open, reload and
        # transcribe the session in a window without a project
        self._finisher.done.disconnect(self._on_imported)
        self.stop_recording()
        self._finisher.wait(timeout_s)
        self.recorder = None
        self.recording_active.emit(False)  # the next project opened is not "Recording…"

    def drop_marker(self) -> RecordingMarker | None:
        """Drop a marker now, with the note typed (if any)."""
        if self.recorder is None or not self.recorder.is_recording:
            return None
        marker = self.recorder.add_marker(self.note_edit.text())
        if marker is None:  # the microphone is starting: the note stays for the marker
            self._status(WAIT_FOR_AUDIO)
            return None
        self.note_edit.clear()
        return marker

    def next_question(self) -> RecordingMarker | None:
        """Stamp a guide marker for the next question."""
        if self.recorder is None or not self.recorder.is_recording:
            return None
        marker = self.recorder.next_question()
        if marker is None and not self.recorder.has_audio:
            self._status(WAIT_FOR_AUDIO)  # the microphone is starting: no question passed over
            return None
        rec = self.recorder.recording
        if marker is None:
            self.guide.show_question("Guide finished.")
        elif rec is not None:
            self.guide.show_question(f"Q{rec.guide_index + 1}: {rec.current_question}")
        return marker

    def _marker_key(self) -> None:
        if not self.note_edit.hasFocus():
            self.drop_marker()

    def _next_key(self) -> None:
        if not (self.note_edit.hasFocus() or self.guide_edit.hasFocus()):
            self.next_question()

    # ------------------------------------------------------------------ recorder events
    def _on_audio_arrived(self) -> None:
        self._update_buttons()
        self._update_clock()
        if self.status_label.text() == WAIT_FOR_AUDIO:
            self._status("The microphone started: markers can be dropped.")

    def _on_level(self, peak: float, clipping: bool) -> None:
        self.level_bar.setValue(int(min(1.0, peak) * 100))
        if clipping:
            self.clip_label.setText("CLIPPING: move the microphone away or lower the gain")
            self._clip_until = 4  # ticks of 250 ms

    def _on_marker(self, marker: RecordingMarker) -> None:
        text = f"{fmt_clock(marker.time_ms)}  {marker.label}"
        if marker.note:
            text += f" — {marker.note}"
        self.marker_list.addItem(text)
        self.marker_list.show()
        self.marker_list.item(self.marker_list.count() - 1).setToolTip(text)
        self.marker_list.scrollToBottom()

    def _on_failed(self, text: str) -> None:
        self._lost_recording = device_id(self.recorder.device) if self.recorder else None
        self._failure = text  # kept beside "Saved …": otherwise why it stopped was gone
        self._status(text)
        self.message.emit(text)
        self._notify("Recording stopped", text)

    def _on_stopped(self, recording: ActiveRecording | None) -> None:
        self._tick.stop()
        self.level_bar.setValue(0)
        self.title_hint.emit("")
        self._update_buttons()
        if recording is None:
            self.recording_active.emit(False)
            return
        self.state_label.setText("Saving…")
        self._finisher.run(self.project, recording)

    def _on_imported(self, session: Session | None, error: str) -> None:
        self.state_label.setText("Ready")
        self.recorder = None
        self._update_buttons()
        # ended once saved: while it was copied and hashed (seconds, for an hour), the window
        # said "No sessions yet — import a recording"
        self.recording_active.emit(False)
        if session is None:
            said = error or self._start_error or "Nothing was recorded (no audio arrived)."
            # why it stopped (the disk is full) stays beside why it could not be saved, and
            # is not carried over to the next recording's "Saved …"
            self._status(f"{self._failure} {said}" if self._failure else said)
            self._start_error = self._failure = ""
            return
        self.last_session_id = session.id
        # the clock stopped at its last tick ("00:11" beside "Saved … (00:12)."): the length saved
        self.elapsed_label.setText(fmt_clock(session.duration_ms))
        saved = f"Saved “{session.title}” ({fmt_clock(session.duration_ms)})."
        self._status(f"{self._failure} {saved}" if self._failure else saved)
        self._failure = ""
        if self.ask_details:
            dialog = SessionDetailsDialog(session, self)
            dialog.accepted.connect(lambda: self._save_details(session.id, dialog.values()))
            dialog.open()
        self.recording_finished.emit(session.id)
        if self.auto_transcribe:
            self.transcribe_requested.emit(session.id)

    def _save_details(self, session_id: str, values: dict[str, Any]) -> None:
        try:
            session = self.project.sessions.update_session(session_id, **values)
        except FieldScribeError as exc:
            self._status(str(exc))
            return
        # the window shows the new title (the sessions list and the transcript's heading kept
        # the default "Recording 2026-…" until the project was opened again)
        self._status(f"Saved “{session.title}” ({fmt_clock(session.duration_ms)}).")
        self.details_saved.emit(session_id)

    # ------------------------------------------------------------------ display
    def _update_clock(self) -> None:
        recorder = self.recorder
        if recorder is None or not recorder.is_recording:
            return
        clock = fmt_clock(recorder.position_ms)
        self.elapsed_label.setText(clock)
        paused = recorder.is_paused
        # the microphone delivers its first audio a second or two after Record: until then
        # nothing is recorded, and markers wait for it (the buttons are greyed)
        starting = not recorder.has_audio and not paused
        state = (
            "❚❚ Paused" if paused else "● Starting the microphone…" if starting else "● Recording"
        )
        self.state_label.setText(state)
        self.state_label.setStyleSheet("" if paused else "color: #c0392b; font-weight: bold")
        self.title_hint.emit(f"❚❚ PAUSED {clock}" if paused else f"● REC {clock}")
        if self._clip_until:
            self._clip_until -= 1
            if not self._clip_until:
                self.clip_label.setText("")
        self._update_disk()

    def _update_disk(self) -> None:
        rec = self.recorder.recording if self.recorder else None
        if rec is not None:
            seconds = rec.free_seconds()
        else:
            device = self._current_device()
            if device is None:  # no microphone: no line (an empty one was a blank gap)
                self.disk_label.setText("")
                self.disk_label.hide()
                return
            fmt = choose_format(device)
            rate = fmt.sampleRate() * fmt.channelCount() * fmt.bytesPerSample()
            import shutil

            try:
                seconds = shutil.disk_usage(self.project.folder).free / max(1, rate)
            except OSError:
                seconds = 0
        self.disk_label.setText(f"Disk: {fmt_hours(seconds)} left")
        self.disk_label.show()
        warn = seconds < 15 * 60
        self.disk_label.setStyleSheet("color: #c0392b; font-weight: bold" if warn else "")

    def _on_state_changed(self, _state: object) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        recording = self.is_recording
        busy = self.recorder is not None  # recording or saving
        has_device = (
            bool(self.device_combo.currentData()) if hasattr(self, "device_combo") else False
        )
        self.record_button.setEnabled(not busy and has_device)
        self.device_combo.setEnabled(not busy)
        self.pause_button.setEnabled(recording)
        self.stop_button.setEnabled(recording)
        # a marker before the first audio would point at speech never captured (at 0:00)
        audio = recording and self.recorder is not None and self.recorder.has_audio
        self.marker_button.setEnabled(audio)
        self.next_button.setEnabled(audio)
        waiting = MARKERS_WAIT_TIP if recording and not audio else ""
        self.marker_button.setToolTip(waiting)
        cut = self.next_button.shown_text() != self.next_button.text()  # "Next (N)"
        self.next_button.setToolTip(waiting or (self.next_button.text() if cut else ""))
        self.guide.set_busy(busy)
        paused = self.recorder is not None and self.recorder.is_paused
        self.pause_button.setText("Resume" if paused else "Pause")
        if not recording:
            self.state_label.setStyleSheet("")

    def _status(self, text: str) -> None:
        self.status_label.setText(text)

    def _notify(self, title: str, text: str) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            self._tray = QSystemTrayIcon(self.windowIcon(), self)
            self._tray.setToolTip("FieldScribe")
            self._tray.show()
        self._tray.showMessage(title, text)

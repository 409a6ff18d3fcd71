"""Recording from a microphone with Qt Multimedia into a crash-safe WAV (GUI and CLI share it).

``Recorder`` wraps a ``QAudioSource`` in push mode: every ``readyRead`` hands the bytes to an
``ActiveRecording`` (storage/recordings/recording.py), whose background thread writes and fsyncs
them, so the thread running the Qt event loop never waits on the disk. It works under
``QCoreApplication`` (the ``record`` command) as well as in the app.

Losing the device is detected three ways, because backends differ: the source stops with an
error (ALSA, Windows, macOS), ``QMediaDevices.audioInputsChanged`` no longer lists it, or, on
PulseAudio/PipeWire (which silently move a stream to another source when its source vanishes,
and where Qt 6.12 does not report removals), ``pactl`` stops listing the source; a data stall of
several seconds counts as lost too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QIODevice, QObject, Qt, QTimer, Signal
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource, QMediaDevices

from storage.core.errors import FieldScribeError, InvalidInputError
from storage.recordings.recording import ActiveRecording, RecordingMarker

PREFERRED_RATE = 48000
STALL_SECONDS = 4.0
PUMP_MS = 100
CLIP_LEVEL = 0.99


def input_devices() -> list[QAudioDevice]:
    """The audio inputs Qt knows, default first."""
    devices = list(QMediaDevices.audioInputs())
    devices.sort(key=lambda d: not d.isDefault())
    return devices


def device_id(device: QAudioDevice) -> str:
    """A device's stable id as text."""
    return bytes(device.id().data()).decode("utf-8", "replace")


def find_device(name: str | None) -> QAudioDevice:
    """The input whose id or description is (or contains) ``name``; the default for None.

    Raises:
        InvalidInputError: no such input (the message lists those available).
    """
    devices = input_devices()
    if not devices:
        raise InvalidInputError(
            "No audio input device found; plug in a microphone (or check the sound server)."
        )
    if not name:
        default = QMediaDevices.defaultAudioInput()
        return default if not default.isNull() else devices[0]
    for exact in (True, False):
        for device in devices:
            ident, desc = device_id(device), device.description()
            if (exact and name in (ident, desc)) or (
                not exact and name.lower() in f"{ident} {desc}".lower()
            ):
                return device
    listing = ", ".join(f"{device_id(d)} ({d.description()})" for d in devices)
    raise InvalidInputError(f"No audio input named {name!r}; available: {listing}.")


def choose_format(device: QAudioDevice) -> QAudioFormat:
    """Mono (if possible) 16-bit PCM at 48 kHz, or at the device's preferred rate."""
    preferred = device.preferredFormat()
    fmt = QAudioFormat()
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    for rate in (PREFERRED_RATE, preferred.sampleRate(), 44100, 16000):
        for channels in (1, preferred.channelCount(), 2):
            if rate <= 0 or channels <= 0:
                continue
            fmt.setSampleRate(rate)
            fmt.setChannelCount(channels)
            if device.isFormatSupported(fmt):
                return fmt
    fmt.setSampleRate(preferred.sampleRate() or PREFERRED_RATE)
    fmt.setChannelCount(preferred.channelCount() or 1)
    return fmt


def pactl_sources() -> set[str] | None:
    """Names of the PulseAudio/PipeWire sources, or None when pactl cannot tell."""
    exe = shutil.which("pactl")
    if exe is None or not sys.platform.startswith("linux"):
        return None
    try:
        out = subprocess.run(
            [exe, "list", "short", "sources"], capture_output=True, text=True, timeout=3
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return {line.split("\t")[1] for line in out.stdout.splitlines() if "\t" in line}


class _PactlProbe:
    """Whether pactl still lists a source, asked in a thread of its own (pactl can take a
    while) that holds nothing of the recorder's. The thread held the recorder itself: when it
    had the last reference (a recorder dropped while a probe ran), the recorder and its Qt
    objects were destroyed in that thread ("QSocketNotifier: Socket notifiers cannot be enabled
    or disabled from another thread", then a segmentation fault in the GUI tests)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.busy = False
        self.gone = False

    def ask(self) -> None:
        self.busy = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            sources = pactl_sources()
            if sources is not None and self.name not in sources:
                self.gone = True
        finally:
            self.busy = False


class Recorder(QObject):
    """One recording session from one input device into ``PROJECT/recordings/``.

    Signals:
        level(float, bool): peak level 0..1 of the latest audio and whether it clips.
        started(): audio is arriving.
        state_changed(str): "recording", "paused" or "stopped".
        marker_added(object): a ``RecordingMarker`` was dropped.
        failed(str): the recording stopped by itself (device lost, disk full); the message says
            what was kept. ``stopped`` follows.
        stopped(object): the recording is closed; carries the ``ActiveRecording`` (to import).
    """

    level = Signal(float, bool)
    started = Signal()
    state_changed = Signal(str)
    marker_added = Signal(object)
    failed = Signal(str)
    stopped = Signal(object)
    _device_gone = Signal(str)

    def __init__(
        self,
        project_folder: str | Path,
        device: QAudioDevice,
        *,
        title: str | None = None,
        kind: str = "interview",
        guide: list[str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(project_folder)
        self.device = device
        self.title = title
        self.kind = kind
        self.guide = guide or []
        self.format = choose_format(device)
        self.recording: ActiveRecording | None = None
        self.limit_ms: int | None = None  # stop by itself after this much audio
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._media_devices = QMediaDevices(self)
        self._pump = QTimer(self)
        self._pump.setInterval(PUMP_MS)
        self._pump.setTimerType(Qt.TimerType.PreciseTimer)
        self._pump.timeout.connect(self._on_ready_read)
        self._watch = QTimer(self)
        self._watch.setInterval(500)
        self._watch.timeout.connect(self._check)
        self._last_data = 0.0
        self._last_level = 0.0
        self._got_audio = False
        self._stopping = False
        listed = pactl_sources()
        self._probe = (
            _PactlProbe(device_id(device)) if device_id(device) in (listed or ()) else None
        )
        self._last_pactl = 0.0
        self._device_gone.connect(self._on_device_gone)

    # ------------------------------------------------------------------ state
    @property
    def is_recording(self) -> bool:
        """True from ``start`` to ``stop`` (paused included)."""
        return self.recording is not None and not self.recording.stopped

    @property
    def is_paused(self) -> bool:
        """True while paused."""
        return self.recording is not None and self.recording.paused

    @property
    def has_audio(self) -> bool:
        """True once the input delivered its first audio (a second or two after ``start``)."""
        return self._got_audio

    @property
    def position_ms(self) -> int:
        """Length of the recorded audio so far."""
        return self.recording.position_ms if self.recording else 0

    # ------------------------------------------------------------------ control
    def start(self) -> ActiveRecording:
        """Create the recording files and start capturing.

        Raises:
            ReadOnlyError: the files cannot be created (also ``DiskFullError``).
            InvalidInputError: the device cannot record in any PCM format.
        """
        fmt = self.format
        self.recording = ActiveRecording(
            self.folder,
            sample_rate=fmt.sampleRate(),
            channels=fmt.channelCount(),
            sample_width=fmt.bytesPerSample(),
            device=f"{device_id(self.device)} ({self.device.description()})",
            title=self.title,
            kind=self.kind,
            guide=self.guide,
        )
        source = QAudioSource(self.device, fmt, self)
        source.setBufferSize(fmt.bytesForDuration(400_000))
        # the state argument is not convertible in some PySide6 versions: read it back instead
        source.stateChanged.connect(self._on_state)
        self._source = source
        self._io = source.start()
        if self._io is None or source.error().name != "NoError":
            error = self._finish()
            raise InvalidInputError(
                f"Cannot record from {self.device.description()} ({source.error().name})."
                + (f" {error}" if error else "")
            )
        # Reading every 100 ms rather than on each readyRead (about 50 a second) costs a fifth
        # of the CPU; the source buffers 400 ms.
        self._pump.start()
        self._media_devices.audioInputsChanged.connect(self._on_inputs_changed)
        self._last_data = time.monotonic()
        self._watch.start()
        self.state_changed.emit("recording")
        return self.recording

    def pause(self) -> None:
        """Pause: audio keeps flowing to the level meter but is not written.

        What the input captured before the click is written first: it waited up to a pump
        interval (0.1 s, more under load) in the source's buffer and was dropped as paused
        audio, a cut at each pause (0.15 s measured with the virtual microphone)."""
        if self.recording and self.is_recording and not self.recording.paused:
            self._on_ready_read()
            self.recording.pause()
            self.state_changed.emit("paused")

    def resume(self) -> None:
        """Resume writing after ``pause``; what the input captured while paused (still in the
        source's buffer) is dropped first, not written as the first audio after the pause."""
        if self.recording and self.recording.paused and self.is_recording:
            self._on_ready_read()
            self.recording.resume()
            self.state_changed.emit("recording")

    def add_marker(
        self, note: str | None = None, *, label: str | None = None
    ) -> RecordingMarker | None:
        """Drop a marker at the current position (journaled at once).

        The position is that of the audio heard when it is dropped: what the input has already
        captured is read first (else the marker fell up to a pump interval, 0.1 s, before
        that audio: measured with the virtual microphone, tests/gui/test_marker_timing.py).

        Returns:
            The marker; None when not recording or while the microphone is starting (no audio
            yet: the marker would point at speech that was never captured, at 0:00).
        """
        if not self._can_mark() or self.recording is None:
            return None
        marker = self.recording.add_marker(note, label=label)
        self.marker_added.emit(marker)
        return marker

    def next_question(self) -> RecordingMarker | None:
        """Stamp a ``guide`` marker for the next question of the guide (at the audio heard
        now, as ``add_marker``; None before the first audio, or when the guide is done)."""
        if not self._can_mark() or self.recording is None:
            return None
        marker = self.recording.next_question()
        if marker is not None:
            self.marker_added.emit(marker)
        return marker

    def stop(self) -> FieldScribeError | None:
        """Stop capturing, write everything received and close the files.

        Returns:
            The write error that had stopped the recording, if any.
        """
        return self._finish()

    # ------------------------------------------------------------------ internals
    def _can_mark(self) -> bool:
        """Recording, and the input's first audio arrived (what it captured is read now)."""
        if not self.is_recording:
            return False
        self._on_ready_read()
        return self._got_audio

    def _on_ready_read(self) -> None:
        if self._io is None or self.recording is None:
            return
        data: QByteArray = self._io.readAll()
        if data.isEmpty():
            return
        raw = bytes(data.data())  # bytes already (no copy); the stubs say maybe not
        self._last_data = time.monotonic()
        if not self._got_audio:
            self._got_audio = True
            self.started.emit()
        rec = self.recording
        if self.limit_ms is not None:
            room = (self.limit_ms - rec.position_ms) * rec.byte_rate // 1000
            room = max(0, room) // rec.block_align * rec.block_align
            raw = raw[:room]
        rec.feed(raw)
        if self.limit_ms is not None and rec.position_ms >= self.limit_ms and not rec.paused:
            QTimer.singleShot(0, self.stop)
        now = self._last_data
        if now - self._last_level >= 0.08:
            self._last_level = now
            peak = _peak(raw, self.format.bytesPerSample())
            self.level.emit(peak, peak >= CLIP_LEVEL)

    def _on_state(self) -> None:
        source = self._source
        if source is None or self._stopping:
            return
        if source.state().name == "StoppedState" and source.error().name != "NoError":
            self._device_gone.emit(f"the input stopped ({source.error().name})")

    def _on_inputs_changed(self) -> None:
        ids = {device_id(d) for d in QMediaDevices.audioInputs()}
        if device_id(self.device) not in ids:
            self._device_gone.emit("it was unplugged or disabled")

    def _check(self) -> None:
        rec = self.recording
        if rec is None or self._stopping:
            return
        if rec.error is not None:
            self._fail(str(rec.error))
            return
        now = time.monotonic()
        if now - self._last_data > STALL_SECONDS:
            self._device_gone.emit(f"no audio arrived for {STALL_SECONDS:.0f} seconds")
            return
        probe = self._probe
        if probe is not None and probe.gone:
            self._device_gone.emit("it was unplugged or disabled")
        elif probe is not None and not probe.busy and now - self._last_pactl >= 1.0:
            self._last_pactl = now
            probe.ask()

    def device_lost(self, why: str) -> None:
        """The input went away (the recording panel's list found it gone): stop, keeping what
        was recorded, as when the recorder finds it itself."""
        self._device_gone.emit(why)

    def _on_device_gone(self, why: str) -> None:
        if self._stopping or self.recording is None or self.recording.stopped:
            return
        kept = self.recording.position_ms / 1000
        self._fail(
            f"The microphone {self.device.description()!r} was lost ({why}): recording stopped; "
            f"the {kept:.1f} s recorded so far are kept."
        )

    def _fail(self, message: str) -> None:
        if self._stopping:
            return
        self.failed.emit(message)
        self._finish()

    def _finish(self) -> FieldScribeError | None:
        if self._stopping:
            return self.recording.error if self.recording else None
        self._stopping = True
        self._watch.stop()
        self._pump.stop()
        source, io = self._source, self._io
        if io is not None and self.recording is not None:
            tail = io.readAll()
            if not tail.isEmpty():
                self.recording.feed(bytes(tail.data()))
        if source is not None:
            source.stateChanged.disconnect(self._on_state)
            source.stop()
        self._source = None
        self._io = None
        error = None
        if self.recording is not None:
            error = self.recording.stop()
            self.recording.release()
        self.state_changed.emit("stopped")
        self.stopped.emit(self.recording)
        return error


def _peak(raw: bytes, width: int) -> float:
    """Peak level 0..1 of PCM bytes."""
    if width == 2:
        samples = np.frombuffer(raw, dtype="<i2", count=len(raw) // 2)
        if samples.size == 0:
            return 0.0
        return float(max(int(samples.max()), -int(samples.min()))) / 32768.0
    if width == 4:
        samples32 = np.frombuffer(raw, dtype="<i4", count=len(raw) // 4)
        if samples32.size == 0:
            return 0.0
        return float(max(int(samples32.max()), -int(samples32.min()))) / 2147483648.0
    return 0.0

"""Audio playback for transcription: QMediaPlayer + QAudioOutput with transcriber keys' logic.

``Player`` wraps Qt Multimedia with what transcribers expect: play from a time, toggle, skip back
and forward by a configurable step, a speed between 0.5x and 2x, and auto-rewind on resume (after
a pause, playback restarts a few seconds earlier so the last words are heard again).

The ``QMediaPlayer`` and ``QAudioOutput`` are made by Qt (through a one-line QML component), not
by Python. An object Python makes is a PySide "shell" whose C++ virtuals (``metaObject``,
``disconnectNotify`` ...) take Python's GIL to look for Python overrides. Qt's audio thread calls
them on the output when it destroys its renderer after a stop, a seek or the end of the file,
while it holds a Qt lock that the main thread's next ``stop``/``setSource`` waits for - and the
main thread holds the GIL during that call: the window froze for good (seen about once in ten
runs of the GUI tests, and once at the end of a file). Objects made by Qt have no shell, so Qt's
threads never wait for Python. When Qt's QtMultimedia QML module is missing, Python-made objects
are used.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal, Slot
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtQml import QQmlComponent, QQmlEngine

from gui.qtcompat import emit

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)

log = logging.getLogger(__name__)

_QML = b"import QtMultimedia\nMediaPlayer { audioOutput: AudioOutput {} }\n"
#: the engine and its component, made once per process; both live as long as the application
_factory: list[tuple[QQmlEngine, QQmlComponent]] = []


def _qt_made_player(parent: QObject) -> tuple[QMediaPlayer, QAudioOutput] | None:
    """A player and its output created by Qt's QML engine (no Python shell), owned by ``parent``."""
    if not _factory:
        engine = QQmlEngine(QCoreApplication.instance())
        component = QQmlComponent(engine, engine)
        component.setData(_QML, QUrl())
        _factory.append((engine, component))
    component = _factory[0][1]
    made = component.create() if component.isReady() else None
    if not isinstance(made, QMediaPlayer) or not isinstance(made.audioOutput(), QAudioOutput):
        log.warning("Qt's MediaPlayer could not be made (%s)", component.errorString().strip())
        return None
    QQmlEngine.setObjectOwnership(made, QQmlEngine.ObjectOwnership.CppOwnership)
    made.setParent(parent)
    output = made.audioOutput()
    assert output is not None
    return made, output


class Player(QObject):
    """One session's audio."""

    position_changed = Signal(int)  # ms
    playing_changed = Signal(bool)
    speed_changed = Signal(float)
    duration_changed = Signal(int)
    error = Signal(str)
    #: play was asked for with no file loaded (the window says why: it did nothing, silently)
    nothing_to_play = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        made = _qt_made_player(self)
        if made is None:
            made = (QMediaPlayer(self), QAudioOutput(self))
            made[0].setAudioOutput(made[1])
        self._player, self._output = made
        self.skip_ms = 5000
        self.rewind_ms = 2000
        self._position = 0
        self._source: Path | None = None
        # a seek asked for while the file is still loading: Qt ignores setPosition then (a
        # search hit in another session played from 0:00, not from the hit), so it is made
        # once the file is loaded
        self._seek_on_load: int | None = None
        self._player.mediaStatusChanged.connect(self._on_media_status)
        self._player.positionChanged.connect(self._on_position)
        self._player.playbackStateChanged.connect(self._on_state)
        self._player.durationChanged.connect(lambda d: emit(self.duration_changed, int(d)))
        self._player.errorOccurred.connect(self._on_error)

    # ------------------------------------------------------------------ state
    @property
    def source(self) -> Path | None:
        """The loaded file."""
        return self._source

    def position(self) -> int:
        """The current position in ms (what was asked last, if the backend lags)."""
        return self._position

    def duration(self) -> int:
        """The duration in ms (0 until known, and with no file)."""
        return int(self._player.duration()) if self._source is not None else 0

    def is_playing(self) -> bool:
        """True while playing."""
        return self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def speed(self) -> float:
        """The playback rate."""
        return float(self._player.playbackRate())

    # ------------------------------------------------------------------ control
    def load(self, path: Path | None) -> None:
        """Load a file (or nothing)."""
        self.stop()
        self._source = path
        self._position = 0
        self._seek_on_load = None
        self._player.setSource(QUrl.fromLocalFile(str(path)) if path else QUrl())
        if path is None:  # the time shown drops the previous file's length at once
            emit(self.duration_changed, 0)

    def stop(self) -> None:
        """Stop playback."""
        self._player.stop()

    def play(self) -> None:
        """Play from the current position."""
        if self._source is not None:
            self._player.play()
        else:
            emit(self.nothing_to_play)

    def pause(self) -> None:
        """Pause."""
        self._player.pause()

    def toggle(self) -> None:
        """Play/pause; resuming rewinds ``rewind_ms`` first."""
        if self.is_playing():
            self.pause()
        else:
            if self._position > 0 and self.rewind_ms:
                self.seek(self._position - self.rewind_ms)
            self.play()

    def play_from(self, ms: int) -> None:
        """Seek to ``ms`` and play."""
        self.seek(ms)
        self.play()

    def seek(self, ms: int) -> None:
        """Move to ``ms`` (clamped to the file)."""
        ms = max(0, int(ms))
        if self.duration() > 0:
            ms = min(ms, self.duration())
        self._position = ms
        status = self._player.mediaStatus()
        loading = status == QMediaPlayer.MediaStatus.LoadingMedia
        if loading or (status == QMediaPlayer.MediaStatus.NoMedia and self._source is not None):
            self._seek_on_load = ms
        self._player.setPosition(ms)
        emit(self.position_changed, ms)

    def skip(self, direction: int) -> None:
        """Jump back (-1) or forward (+1) by ``skip_ms``."""
        self.seek(self._position + direction * self.skip_ms)

    def set_speed(self, rate: float) -> None:
        """Set the playback rate (0.5-2.0)."""
        rate = max(SPEEDS[0], min(SPEEDS[-1], float(rate)))
        self._player.setPlaybackRate(rate)
        emit(self.speed_changed, rate)

    def step_speed(self, direction: int) -> None:
        """Go to the next slower (-1) or faster (+1) speed."""
        current = self.speed()
        if direction > 0:
            faster = [s for s in SPEEDS if s > current + 1e-6]
            self.set_speed(faster[0] if faster else SPEEDS[-1])
        else:
            slower = [s for s in SPEEDS if s < current - 1e-6]
            self.set_speed(slower[-1] if slower else SPEEDS[0])

    # ------------------------------------------------------------------ backend
    @Slot(QMediaPlayer.MediaStatus)
    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        loaded = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        if status in loaded and self._seek_on_load is not None:
            ms, self._seek_on_load = self._seek_on_load, None
            if ms:
                self._player.setPosition(ms)

    @Slot(int)
    def _on_position(self, ms: int) -> None:
        self._position = int(ms)
        emit(self.position_changed, int(ms))

    @Slot(QMediaPlayer.PlaybackState)
    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        emit(self.playing_changed, state == QMediaPlayer.PlaybackState.PlayingState)

    @Slot(QMediaPlayer.Error, str)
    def _on_error(self, err: QMediaPlayer.Error, text: str) -> None:
        if err != QMediaPlayer.Error.NoError:
            emit(self.error, text or "The audio could not be played.")

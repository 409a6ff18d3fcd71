"""The audio inputs as they come and go, for the recording panel's input list.

Qt announces inputs with ``QMediaDevices.audioInputsChanged``. On PulseAudio/PipeWire, Qt 6.12
reports a new input but never a removed one: ``QMediaDevices.audioInputs()`` keeps listing an
unplugged microphone for the life of the process (measured with the virtual microphone:
``module-remap-source`` unloaded, no signal, still listed). So where ``pactl`` answers, its
source list is asked too, every ``POLL_MS`` in a thread of its own (pactl can take a while),
and an input it no longer lists is left out.

``follow`` decides what the list shows after a change; it is plain Python, tested on its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtMultimedia import QMediaDevices

from .recording_engine import device_id, input_devices, pactl_sources

POLL_MS = 1000  # an unplugged input leaves the list within two of these


@dataclass(frozen=True)
class Input:
    """One audio input as the list shows it."""

    ident: str
    description: str
    is_default: bool = False


@dataclass(frozen=True)
class Followed:
    """What the list shows after a change: ``selected`` (None: no input at all) and the input
    that was selected and went away (None: the selection stayed)."""

    selected: str | None
    lost: Input | None


def follow(before: list[Input], selected: str | None, now: list[Input]) -> Followed:
    """The selection after the inputs changed from ``before`` to ``now``: kept while its input
    is still there; else the default input (else the first), and the lost one is named."""
    ids = [i.ident for i in now]
    if selected in ids:
        return Followed(selected, None)
    lost = next((i for i in before if i.ident == selected), None)
    fallback = next((i.ident for i in now if i.is_default), ids[0] if ids else None)
    return Followed(fallback, lost)


def lost_text(lost: Input, now: str | None) -> str:
    """What the user is told when the selected input went away and ``now`` (its description;
    None: no input left) takes its place."""
    then = "no other input is found: plug one in" if now is None else f"recording uses “{now}”"
    return f"The input “{lost.description}” was unplugged or disabled; {then}."


class _Sources:
    """pactl's source names, asked in a thread of its own that holds nothing of Qt's (see
    ``recording_engine._PactlProbe``: a thread holding a Qt object may end up destroying it)."""

    def __init__(self) -> None:
        self.busy = False
        self.answer: set[str] | None = None  # the latest answer, until taken

    def ask(self) -> None:
        self.busy = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            self.answer = pactl_sources()
        finally:
            self.busy = False


class InputWatch(QObject):
    """Qt's audio inputs, less those the sound server no longer has; ``changed`` is emitted
    when the list may differ (Qt's signal, or pactl's answer changed)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._media = QMediaDevices(self)
        self._media.audioInputsChanged.connect(self._qt_changed)
        self._pulse: set[str] | None = pactl_sources()  # None: pactl cannot tell
        self._seen: set[str] = set(self._pulse or ())  # names pactl listed once
        self._sources = _Sources()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        if self._pulse is not None:
            self._timer.start()

    def watch(self, on: bool) -> None:
        """Ask pactl every ``POLL_MS`` only while the list is on screen (a process a second
        for nothing otherwise); Qt's own signal is followed always."""
        if on and self._pulse is not None:
            if not self._timer.isActive():
                self._poll()
                self._timer.start()
        else:
            self._timer.stop()

    def listing(self) -> list[Input]:
        """The inputs to offer, default first."""
        devices = [Input(device_id(d), d.description(), d.isDefault()) for d in input_devices()]
        pulse = self._pulse
        # only where Qt's ids are pulse source names (some match, or pactl listed them once)
        if pulse is None or not any(i.ident in pulse or i.ident in self._seen for i in devices):
            return devices
        return [i for i in devices if i.ident in pulse]

    def _qt_changed(self) -> None:
        # an input Qt reports may be new to pactl's last answer too: ask again now (a few ms)
        if self._pulse is not None:
            self._take(pactl_sources())
        self.changed.emit()

    def _take(self, answer: set[str] | None) -> bool:
        if answer is None or answer == self._pulse:
            return False
        self._pulse = answer
        self._seen |= answer
        return True

    def _poll(self) -> None:
        answer, self._sources.answer = self._sources.answer, None
        if self._take(answer):
            self.changed.emit()
        if not self._sources.busy:
            self._sources.ask()

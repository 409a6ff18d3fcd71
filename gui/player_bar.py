"""The transport bar under the waveform: back, play/pause, forward, time and speed."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from gui.fmt import fmt_ms
from gui.player import SPEEDS, Player


class PlayerBar(QWidget):
    """Buttons mirroring the keyboard: F3 back, F4 play/pause, F5 forward."""

    def __init__(self, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        style = self.style()
        icon = QStyle.StandardPixmap
        self._play_icon = style.standardIcon(icon.SP_MediaPlay)
        self._pause_icon = style.standardIcon(icon.SP_MediaPause)
        self.back = QPushButton(style.standardIcon(icon.SP_MediaSeekBackward), "F3", self)
        self.play = QPushButton(self._play_icon, "F4", self)
        self.forward = QPushButton(style.standardIcon(icon.SP_MediaSeekForward), "F5", self)
        self.back.setToolTip("Back (F3)")
        self.play.setToolTip("Play / pause (F4 or Ctrl+Space)")
        self.forward.setToolTip("Forward (F5)")
        self.time = QLabel("0:00.0 / 0:00", self)
        self.speed = QComboBox(self)
        for rate in SPEEDS:
            self.speed.addItem(f"{rate:g}×", rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.setToolTip("Playback speed (Ctrl+, slower / Ctrl+. faster)")
        self.back.clicked.connect(lambda: player.skip(-1))
        self.play.clicked.connect(player.toggle)
        self.forward.clicked.connect(lambda: player.skip(1))
        self.speed.activated.connect(lambda i: player.set_speed(float(self.speed.itemData(i))))
        player.position_changed.connect(self._position)
        player.playing_changed.connect(
            lambda playing: self.play.setIcon(self._pause_icon if playing else self._play_icon)
        )
        player.speed_changed.connect(self._speed)
        # the length shows as soon as it is known (a new recording, an import, another session)
        player.duration_changed.connect(lambda _ms: self._position(player.position()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.back, self.play, self.forward, self.time):
            layout.addWidget(w)
        for button in (self.back, self.play, self.forward):
            button.setMinimumWidth(44)  # a narrow laptop window squeezes them, not the docks
        layout.addStretch(1)
        layout.addWidget(QLabel("Speed", self))
        layout.addWidget(self.speed)

    def _position(self, ms: int) -> None:
        self.time.setText(f"{fmt_ms(ms, tenths=True)} / {fmt_ms(self.player.duration())}")

    def _speed(self, rate: float) -> None:
        best = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - rate))
        self.speed.setCurrentIndex(best)

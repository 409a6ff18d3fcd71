"""The Record dock's input level meter: a scale that reads as a meter even when silent.

A plain ``QProgressBar`` at 0 is a white box in a frame, which read as an empty text field.
``LevelMeter`` keeps the progress bar's value (0 to 100, the input's peak as the recorder
measures it) and draws its own scale: a dim track coloured quiet → loud → clipping, ticks at
each quarter, and the level over it in the same colours at full strength.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QProgressBar, QWidget

#: the scale's zones, as (from %, to %, colour): speech, loud, clipping
ZONES = ((0, 70, QColor("#2e9d4f")), (70, 90, QColor("#d4a017")), (90, 100, QColor("#c0392b")))
TRACK_ALPHA = 45  # the dim track under the level
TICKS = (25, 50, 75)


class LevelMeter(QProgressBar):
    """A horizontal level meter over 0..100 (``setValue``, as a ``QProgressBar``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 100)
        self.setTextVisible(False)

    def paintEvent(self, _event: QPaintEvent) -> None:  # Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        frame = self.rect().adjusted(0, 0, -1, -1)
        painter.setPen(palette.mid().color())
        painter.setBrush(palette.base())
        painter.drawRect(frame)
        inner = frame.adjusted(2, 2, -1, -1)
        span = max(0, self.maximum() - self.minimum())
        level = 0.0 if span == 0 else (self.value() - self.minimum()) / span
        level = min(1.0, max(0.0, level))
        painter.setPen(QColor(0, 0, 0, 0))
        for start, end, colour in ZONES:
            zone = self._part(inner, start / 100, end / 100)
            dim = QColor(colour)
            dim.setAlpha(TRACK_ALPHA)
            painter.fillRect(zone, dim)
            lit = self._part(inner, start / 100, min(end / 100, level))
            if lit.width() > 0:
                painter.fillRect(lit, colour)
        tick = QColor(palette.text().color())
        tick.setAlpha(110)
        painter.setPen(tick)
        for at in TICKS:
            x = inner.left() + round(inner.width() * at / 100)
            painter.drawLine(x, inner.bottom() - inner.height() // 3, x, inner.bottom())
        painter.end()

    @staticmethod
    def _part(inner: QRect, start: float, end: float) -> QRectF:
        """The part of ``inner`` from ``start`` to ``end`` (fractions of its width)."""
        left = inner.left() + inner.width() * start
        width = max(0.0, inner.width() * (end - start))
        return QRectF(left, inner.top(), width, inner.height())

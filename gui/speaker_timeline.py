"""Who speaks when: one lane per speaker, a coloured span for each turn.

One widget, two uses. The Speakers dock shows the whole session (``SpeakerTimeline()``); the
workbench shows a compact strip under the waveform (``SpeakerTimeline.compact()`` followed by
``follow(waveform)``) that uses the waveform's time axis, so a turn lies exactly under its audio.
Both draw the play head (``set_position``) and the current segment (``set_segment``), tell the
turn under the mouse in a tooltip ("Speaker 2 · 0:13.9–0:18.5") and ask to play a turn when it
is clicked (``seek_requested``; a click beside every turn asks for the time clicked, like the
waveform). Lanes are ordered like ``Project.speaker_stats`` and coloured with ``speaker_colour``,
so a speaker has the same colour everywhere.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from gui.fmt import fmt_ms
from gui.qtcompat import emit

if TYPE_CHECKING:
    from gui.waveform import WaveformStrip

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
)  # fmt: skip

Turn = tuple[int, int, str | None]

HINT = "Who speaks when: one lane per speaker. Click a turn to play it."
_HIT_PX = 3  # a turn narrower than this is still hit within this many pixels


def speaker_colour(index: int) -> QColor:
    """The colour of the n-th speaker of a session."""
    return QColor(PALETTE[index % len(PALETTE)])


def turn_text(turn: Turn) -> str:
    """How a turn is named in tooltips: ``Speaker 2 · 0:13.9–0:18.5``."""
    start, end, label = turn
    return f"{label} · {fmt_ms(start, tenths=True)}–{fmt_ms(end, tenths=True)}"


class SpeakerTimeline(QWidget):
    """A strip with one lane per speaker and a coloured span for each of their turns (the
    stored timeline of speaker detection, else the segments)."""

    seek_requested = Signal(int)  # ms

    LANE = 10  # lane height of the full-size strip (the dock's)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        lane_px: int = LANE,
        max_height: int | None = None,
        margin: int = 1,
        dark: bool = False,
    ) -> None:
        """``lane_px``: lane height; ``max_height``: lanes shrink (to 2 px) to stay under it and
        the strip keeps a fixed height; ``margin``: pixels left and right of the time axis;
        ``dark``: the waveform's background instead of the palette's."""
        super().__init__(parent)
        self._turns: list[Turn] = []
        self._starts: list[int] = []  # the turns' starts, sorted like the turns
        self._longest = 0
        self._labels: list[str] = []
        self._layer: QPixmap | None = None  # the spans of the whole session, drawn once
        self._duration = 0
        self._position: int | None = None
        self._segment: tuple[int, int] | None = None
        self._follow: WaveformStrip | None = None
        self.lane_px = lane_px
        self.max_height = max_height
        self.margin = margin
        self.dark = dark
        self.setToolTip(HINT)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        if max_height is not None:
            self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._resize_to_lanes()

    @classmethod
    def compact(cls, parent: QWidget | None = None) -> SpeakerTimeline:
        """The workbench's strip: a few pixels per lane, at most 48 px tall, no side margins
        (like the waveform), on the waveform's dark background."""
        return cls(parent, lane_px=8, max_height=48, margin=0, dark=True)

    # ----------------------------------------------------------------- data
    def set_turns(self, turns: list[Turn], labels: list[str], duration_ms: int) -> None:
        """Show these ``(start_ms, end_ms, speaker)`` spans; ``labels`` orders the lanes."""
        self._turns = sorted(turns, key=lambda t: t[0])
        self._starts = [t[0] for t in self._turns]
        self._longest = max((e - s for s, e, _l in self._turns), default=0)
        self._labels = list(labels)
        self._duration = max(duration_ms, max((e for _s, e, _l in turns), default=0))
        self._layer = None
        self._resize_to_lanes()
        self.update()

    def clear(self) -> None:
        """Show nothing (no turns, no play head, no segment)."""
        self._position = None
        self._segment = None
        self.set_turns([], [], 0)

    @property
    def labels(self) -> list[str]:
        """The speakers, one lane each, in lane order."""
        return list(self._labels)

    @property
    def turns(self) -> list[Turn]:
        """The turns shown."""
        return list(self._turns)

    def has_speakers(self) -> bool:
        """True when at least one turn belongs to a lane (something to draw)."""
        lanes = set(self._labels)
        return any(label in lanes for _s, _e, label in self._turns)

    def lane_of(self, label: str | None) -> int:
        """The lane index of a speaker (-1 when unknown)."""
        return self._labels.index(label) if label in self._labels else -1

    def set_position(self, ms: int | None) -> None:
        """Move the play head (None hides it)."""
        self._position = ms
        self.update()

    def set_segment(self, span: tuple[int, int] | None) -> None:
        """Shade the current segment's span."""
        self._segment = span
        self.update()

    def follow(self, waveform: WaveformStrip | None) -> None:
        """Use this waveform's time axis (what it shows, scrolling with it); None: the session."""
        if self._follow is not None:
            self._follow.view_changed.disconnect(self.update)
        self._follow = waveform
        self._layer = None
        if waveform is not None:
            waveform.view_changed.connect(self.update)
        self.update()

    # ----------------------------------------------------------------- geometry
    def time_range(self) -> tuple[int, int]:
        """(start, end) ms across the width: the followed waveform's, else the whole session."""
        if self._follow is not None:
            return self._follow.visible_range()
        return 0, max(1, self._duration)

    def _axis(self) -> tuple[int, float]:
        """(the time at the left margin, pixels per millisecond)."""
        start, end = self.time_range()
        return start, max(1, self.width() - 2 * self.margin) / max(1, end - start)

    def x_of(self, ms: int) -> float:
        """The x coordinate of a time."""
        start, scale = self._axis()
        return self.margin + (ms - start) * scale

    def time_at(self, x: float) -> int:
        """The time at an x coordinate."""
        start, end = self.time_range()
        width = max(1, self.width() - 2 * self.margin)
        return int(start + (x - self.margin) / width * (end - start))

    def lane_height(self) -> int:
        """The height of one lane in pixels."""
        if self.max_height is None:
            return self.lane_px
        lanes = max(1, len(self._labels))
        return max(2, min(self.lane_px, (self.max_height - 2 * self._pad()) // lanes))

    def _pad(self) -> int:
        return 1 if self.max_height is not None else 2

    def lane_rect(self, lane: int) -> QRectF:
        """The band of a lane, across the whole width."""
        h = self.lane_height()
        return QRectF(0, self._pad() + lane * h, self.width(), h)

    def _span_height(self) -> int:
        h = self.lane_height()
        gap = 2 if h >= 8 and self.max_height is None else (1 if h >= 4 else 0)
        return h - gap

    def _strip_height(self) -> int:
        return max(1, len(self._labels)) * self.lane_height() + 2 * self._pad()

    def _resize_to_lanes(self) -> None:
        if self.max_height is not None:
            self.setFixedHeight(self._strip_height())
        else:
            self.setMinimumHeight(self._strip_height())
        self.updateGeometry()

    def turns_between(self, start_ms: int, end_ms: int) -> Iterator[Turn]:
        """The turns that overlap ``[start_ms, end_ms]``, without scanning the others (a long
        session has tens of thousands)."""
        first = bisect_left(self._starts, start_ms - self._longest)
        last = bisect_right(self._starts, end_ms)
        for turn in self._turns[first:last]:
            if turn[1] >= start_ms:
                yield turn

    def _spans(self) -> Iterator[tuple[float, float, int, str]]:
        """``(x0, x1, lane, label)`` of each turn in view, in time order."""
        if not self._duration and self._follow is None:
            return
        start, end = self.time_range()
        origin, scale = self._axis()
        left, right = self.margin, self.width() - self.margin
        lanes = {label: lane for lane, label in enumerate(self._labels)}
        for t0, t1, label in self.turns_between(start, end):
            lane = lanes.get(label, -1) if label is not None else -1
            if lane < 0:
                continue
            x0, x1 = left + (t0 - origin) * scale, left + (t1 - origin) * scale
            if x1 >= left and x0 <= right:
                yield x0, x1, lane, str(label)

    def span_rects(self) -> list[tuple[QRectF, str]]:
        """Where each span is drawn (for painting and tests); spans out of view are left out."""
        span_h, pad, h = self._span_height(), self._pad(), self.lane_height()
        return [
            (QRectF(x0, pad + lane * h, max(1.0, x1 - x0), span_h), label)
            for x0, x1, lane, label in self._spans()
        ]

    def turn_at(self, pos: QPoint | QPointF) -> Turn | None:
        """The turn under a point: in the lane under it, else the nearest lane's (lanes are
        thin); None when no turn is at that time."""
        x, y = float(pos.x()), float(pos.y())
        best: tuple[float, Turn] | None = None
        h = self.lane_height()
        slack = self.time_at(x + 2 * _HIT_PX) - self.time_at(x)  # narrow turns are widened
        near = self.time_at(x)
        for turn in self.turns_between(near - slack, near + slack):
            lane = self.lane_of(turn[2])
            if lane < 0:
                continue
            x0, x1 = self.x_of(turn[0]), self.x_of(turn[1])
            if x1 - x0 < 2 * _HIT_PX:
                x0, x1 = (x0 + x1) / 2 - _HIT_PX, (x0 + x1) / 2 + _HIT_PX
            if not x0 <= x <= x1:
                continue
            centre = self._pad() + lane * h + h / 2
            distance = max(0.0, abs(y - centre) - h / 2)
            if best is None or distance < best[0]:
                best = (distance, turn)
        return best[1] if best is not None else None

    def tooltip_at(self, pos: QPoint | QPointF) -> str:
        """The tooltip at a point: the turn there, else what the strip is for and its lanes."""
        turn = self.turn_at(pos)
        if turn is not None:
            return turn_text(turn)
        if not self._labels:
            return HINT
        names = ", ".join(self._labels[:12]) + (", …" if len(self._labels) > 12 else "")
        return f"{HINT}\nLanes from the top: {names}."

    def sizeHint(self) -> QSize:
        """Wide and as tall as the lanes."""
        return QSize(400, self._strip_height())

    # ----------------------------------------------------------------- painting
    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the lanes, the current segment, the spans and the play head."""
        p = QPainter(self)
        if self.dark:
            p.fillRect(self.rect(), QColor(32, 36, 44))
            for lane in range(1, len(self._labels), 2):  # every other lane a little lighter
                p.fillRect(self.lane_rect(lane), QColor(40, 45, 55))
        else:
            p.fillRect(self.rect(), self.palette().base())
        if self._segment is not None:
            x0, x1 = self.x_of(self._segment[0]), self.x_of(self._segment[1])
            shade = QColor(90, 80, 40) if self.dark else QColor(255, 236, 170)
            p.fillRect(QRectF(x0, 0, max(1.0, x1 - x0), self.height()), shade)
        if self._follow is not None:
            self._paint_spans(p)  # a window of the session: a few turns, drawn each time
        else:
            p.drawPixmap(0, 0, self._spans_layer())  # the whole session: drawn once
        if self._position is not None:
            x = self.x_of(self._position)
            if self.margin <= x <= self.width() - self.margin:
                p.setPen(QPen(QColor(255, 80, 80), 2))
                p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()

    def _paint_spans(self, p: QPainter) -> None:
        """Each lane's spans; spans less than half a pixel apart are drawn as one (a whole
        session of tens of thousands of turns is a few hundred rectangles)."""
        span_h, pad, h = self._span_height(), self._pad(), self.lane_height()
        colours = [speaker_colour(lane) for lane in range(len(self._labels))]

        def draw(lane: int, x0: float, x1: float) -> None:
            p.fillRect(QRectF(x0, pad + lane * h, max(1.0, x1 - x0), span_h), colours[lane])

        runs: dict[int, list[float]] = {}
        for x0, x1, lane, _label in self._spans():
            run = runs.get(lane)
            if run is not None and x0 <= run[1] + 0.5:
                run[1] = max(run[1], x1)
                continue
            if run is not None:
                draw(lane, run[0], run[1])
            runs[lane] = [x0, x1]
        for lane, (x0, x1) in runs.items():
            draw(lane, x0, x1)

    def _spans_layer(self) -> QPixmap:
        """The spans on a transparent pixmap, kept until the turns or the size change (the play
        head moves many times a second; a session can have tens of thousands of turns). A new
        size (of the widget or the screen's pixel ratio) draws them again."""
        ratio = self.devicePixelRatioF()
        layer = self._layer
        if layer is None or layer.size() != self.size() * ratio:
            layer = QPixmap(self.size() * ratio)
            layer.setDevicePixelRatio(ratio)
            layer.fill(Qt.GlobalColor.transparent)
            painter = QPainter(layer)
            self._paint_spans(painter)
            painter.end()
            self._layer = layer
        return layer

    # ----------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Play the turn clicked (from its start), else from the time clicked."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        turn = self.turn_at(event.position())
        ms = turn[0] if turn is not None else self.time_at(event.position().x())
        emit(self.seek_requested, max(0, ms))

    def event(self, event: QEvent) -> bool:
        """Tooltips name the turn under the mouse."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self.tooltip_at(event.pos()), self)
            return True
        return super().event(event)

"""The waveform strip: peaks decoded in a background task (PyAV), cached, painted with markers."""

from __future__ import annotations

import hashlib
from array import array
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.fmt import fmt_ms
from gui.qtcompat import emit
from storage.core.models import Marker

BUCKET_MS = 20  # one peak per 20 ms
_RATE = 8000  # decode to mono 8 kHz: plenty for a picture


def cache_dir() -> Path:
    """Where peak files are kept (outside the project: they can always be recomputed)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("fieldscribe")) / "peaks"


def _cache_key(path: Path) -> str:
    stat = path.stat()
    raw = f"{path.resolve()}|{stat.st_size}|{int(stat.st_mtime)}|{BUCKET_MS}"
    return hashlib.sha1(raw.encode()).hexdigest()


def compute_peaks(path: Path, *, cancel: Any = None, cache: Path | None = None) -> array[float]:
    """Return one peak (0..1) per ``BUCKET_MS`` of the file's audio, using the cache if any.

    Runs on a worker thread (no Qt). ``cancel`` is a ``threading.Event``; a cancelled run
    returns what it has and does not write the cache.
    """
    import av
    import numpy as np

    folder = cache or cache_dir()
    cached = folder / f"{_cache_key(path)}.f32"
    if cached.is_file():
        peaks = array("f")
        peaks.frombytes(cached.read_bytes())
        return peaks
    per_bucket = _RATE * BUCKET_MS // 1000
    chunks: list[Any] = []
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=_RATE)
        for frame in container.decode(stream):
            if cancel is not None and cancel.is_set():
                return array("f")
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    n = len(samples) // per_bucket
    if n == 0:
        return array("f")
    blocks = np.abs(samples[: n * per_bucket]).reshape(n, per_bucket).max(axis=1)
    top = float(blocks.max()) or 1.0
    peaks = array("f", (blocks / top).astype(np.float32).tobytes())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".part")
        tmp.write_bytes(peaks.tobytes())
        tmp.replace(cached)
    except OSError:
        pass  # a cache we cannot write is only slower next time
    return peaks


class WaveformStrip(QWidget):
    """Shows ``window_ms`` of audio around the play head, the markers and the current segment."""

    seek_requested = Signal(int)
    view_changed = Signal()  # what is shown moved (play head, duration): followers repaint

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(56)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(64)
        self._peaks = array("f")
        self._markers: list[Marker] = []
        self._position = 0
        self._duration = 0
        self._segment: tuple[int, int] | None = None
        self.window_ms = 30_000
        self.loading = False
        self.empty_text = "No audio"  # said where there is no waveform (``SessionsController``)
        self.setToolTip("Click to play from there; markers are shown as flags.")

    def set_peaks(self, peaks: array[float], duration_ms: int | None = None) -> None:
        """Show these peaks (``BUCKET_MS`` each)."""
        self._peaks = peaks
        self.loading = False
        if duration_ms:
            self._duration = duration_ms
        elif peaks:
            self._duration = len(peaks) * BUCKET_MS
        self.update()
        emit(self.view_changed)

    def set_markers(self, markers: list[Marker]) -> None:
        """Show these markers."""
        self._markers = list(markers)
        self.update()

    def set_position(self, ms: int) -> None:
        """Move the play head."""
        self._position = ms
        self.update()
        emit(self.view_changed)

    def set_segment(self, span: tuple[int, int] | None) -> None:
        """Shade the current segment."""
        self._segment = span
        self.update()

    @property
    def segment(self) -> tuple[int, int] | None:
        """The shaded segment's span."""
        return self._segment

    def clear(self) -> None:
        """Show nothing."""
        self._peaks = array("f")
        self._markers = []
        self._duration = 0
        self._position = 0
        self._segment = None
        self.update()
        emit(self.view_changed)

    def visible_range(self) -> tuple[int, int]:
        """(start, end) ms shown."""
        window = self.window_ms
        if self._duration and self._duration <= window:
            return 0, max(self._duration, 1)
        start = max(0, self._position - window // 3)
        if self._duration:
            start = min(start, max(0, self._duration - window))
        return start, start + window

    def _x(self, ms: int, start: int, end: int) -> float:
        return (ms - start) / max(1, end - start) * self.width()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(32, 36, 44))
        start, end = self.visible_range()
        h = self.height()
        mid = h / 2
        if self._segment is not None:
            x0, x1 = self._x(self._segment[0], start, end), self._x(self._segment[1], start, end)
            p.fillRect(QRectF(x0, 0, max(1.0, x1 - x0), h), QColor(90, 80, 40))
        if self._peaks:
            p.setPen(QPen(QColor(110, 190, 255), 1))
            width = max(1, self.width())
            per_px = (end - start) / width
            n = len(self._peaks)
            for px in range(width):
                a = int((start + px * per_px) / BUCKET_MS)
                b = max(a + 1, int((start + (px + 1) * per_px) / BUCKET_MS))
                if a >= n:
                    break
                peak = max(self._peaks[a : min(b, n)])
                y = peak * (mid - 4)
                p.drawLine(QPointF(px, mid - y), QPointF(px, mid + y))
        else:
            p.setPen(QColor(150, 150, 150))
            text = "Reading the audio…" if self.loading else self.empty_text
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, text)
        p.setPen(QPen(QColor(255, 170, 60), 1))
        for marker in self._markers:
            if start <= marker.time_ms <= end:
                x = self._x(marker.time_ms, start, end)
                p.drawLine(QPointF(x, 0), QPointF(x, h))
                p.drawText(QPointF(x + 3, 12), marker.label[:24])
        x = self._x(self._position, start, end)
        p.setPen(QPen(QColor(255, 80, 80), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, h))
        p.setPen(QColor(200, 200, 200))
        labels = self.axis_labels()
        if labels:
            p.drawText(QPointF(4, h - 4), labels[0])
            p.drawText(QPointF(self.width() - 8 * len(labels[1]) - 4, h - 4), labels[1])
        p.end()

    def axis_labels(self) -> tuple[str, str] | None:
        """The times at the strip's two ends; None with no audio (an empty project's strip
        said "No audio" between 0:00 and 0:30, a length nothing has)."""
        if not self._peaks and not self._duration:
            return None
        start, end = self.visible_range()
        return fmt_ms(start), fmt_ms(end)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        start, end = self.visible_range()
        ms = int(start + event.position().x() / max(1, self.width()) * (end - start))
        emit(self.seek_requested, max(0, ms))

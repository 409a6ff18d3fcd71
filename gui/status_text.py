"""A status bar message that fits: the folders of the paths in it shortened in the middle
(each file name kept), so the advice at its end stays readable.

A refused bundle with a long path said "/home/…/2026/coder-a.fsbundle: the manifest has no
schema version (damaged?); ask for the b" and the status bar cut off the rest.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizeGrip, QSizePolicy, QStatusBar, QWidget

#: an absolute (or home) path: its folders (spaces allowed, up to the last slash before a colon,
#: semicolon, comma or quote) and the name after them, up to a space
_PATH = re.compile(r"(?:[A-Za-z]:[\\/]|~?/)(?:[^\n:;,'\"]*[\\/])?[^\s:;,'\"\\/]*")


def paths_in(text: str) -> list[str]:
    """The paths in ``text``, without the full stop or bracket after them."""
    return [m.group(0).rstrip(".)") for m in _PATH.finditer(text)]


def fit_status(text: str, metrics: QFontMetrics, width: int) -> str:
    """``text`` as it fits in ``width`` pixels: first the folders of its paths, longest first,
    shortened in the middle to "…" (the file names kept); then, if that is not enough, what
    comes before its advice (its last clause) shortened, else its middle. Only its first line
    is shown."""
    text = text.splitlines()[0] if text else ""
    for path in sorted(set(paths_in(text)), key=len, reverse=True):
        over = metrics.horizontalAdvance(text) - width
        if over <= 0:
            return text
        cut = max(path.rfind("/"), path.rfind("\\")) + 1
        folder, name = path[:cut], path[cut:]
        room = max(metrics.horizontalAdvance("…/"), metrics.horizontalAdvance(folder) - over)
        short = metrics.elidedText(folder, Qt.TextElideMode.ElideMiddle, room)
        if folder and short[-1:] not in ("/", "\\"):
            short += folder[-1]  # "…/name", not "…name"
        text = text.replace(path, short + name)
    if metrics.horizontalAdvance(text) <= width:
        return text
    # the advice (after the last "; ", else the last sentence) whole, what comes before it
    # shortened at its end; the middle shortened when the advice alone takes most of the room
    cut = text.rfind("; ")
    if cut < 0:
        cut = text.rstrip(".").rfind(". ") + 1
    advice = text[cut:] if cut > 0 else ""
    room = width - metrics.horizontalAdvance(advice)
    if advice and room >= width // 4:
        return metrics.elidedText(text[:cut], Qt.TextElideMode.ElideRight, room) + advice
    return metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, width)


class FitStatusBar(QStatusBar):
    """A status bar whose message is drawn made to fit (``fit_status``: its paths' folders
    shortened in the middle, else its middle), the whole message on hover; refitted as the
    window is resized. ``currentMessage()`` stays the whole message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messageChanged.connect(self._changed)

    def _changed(self, text: str) -> None:
        self.setToolTip(text if text and self.shown_text() != text else "")

    def message_rect(self) -> QRect:
        """Where the message goes: from the left margin to the first permanent widget."""
        right = self.width() - 6
        for widget in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if widget.isVisible() and not isinstance(widget, QSizeGrip):
                right = min(right, widget.x() - 12)
        return QRect(6, 0, max(0, right - 6), self.height())

    def shown_text(self) -> str:
        """The message as it is drawn."""
        message = self.currentMessage()
        return fit_status(message, self.fontMetrics(), self.message_rect().width())

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        flags = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(
            self.message_rect(), int(flags | Qt.TextFlag.TextSingleLine), self.shown_text()
        )
        painter.end()


class FitLabel(QLabel):
    """A one-line status label drawn made to fit like ``FitStatusBar`` (``fit_status``: its
    paths' folders shortened in the middle), the whole text on hover; it never widens its
    window. ``text()`` stays the whole text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._tip()

    def shown_text(self) -> str:
        """The text as it is drawn."""
        return fit_status(self.text(), self.fontMetrics(), self.contentsRect().width())

    def _tip(self) -> None:
        text = self.text()
        self.setToolTip(text if text and self.shown_text() != text else "")

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._tip()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        flags = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(
            self.contentsRect(), int(flags | Qt.TextFlag.TextSingleLine), self.shown_text()
        )
        painter.end()

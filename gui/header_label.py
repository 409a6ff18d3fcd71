"""The line over the transcript: a title and details on one line that never widens the window."""

from __future__ import annotations

import html

from PySide6.QtCore import (
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QLabel,
    QSizePolicy,
    QWidget,
)


class HeaderLabel(QLabel):
    """The line over the transcript (``<b>title</b> — details``): one line that never widens the
    window. A title too long for the width is elided; the whole line is in the tooltip."""

    MIN_TITLE_PX = 60

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(False)
        # its size hint (the whole text) never sets the window's minimum width
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)
        self._full = ""
        self._hint = ""
        self.setText(text)

    def full_text(self) -> str:
        """The header as set (not elided)."""
        return self._full

    def setText(self, text: str, hint: str = "") -> None:
        """Show ``text``; ``hint`` (what to do about it) goes into the tooltip, not the line."""
        self._full = text
        self._hint = hint
        self._render()

    def _html_width(self, html_text: str) -> float:
        doc = QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setDocumentMargin(0)
        doc.setHtml(html_text)
        return doc.idealWidth()

    def _render(self) -> None:
        text = self._full
        doc = QTextDocument()
        doc.setHtml(text)
        tip = doc.toPlainText() if text else ""
        self.setToolTip(f"{tip}\n{self._hint}" if tip and self._hint else tip)
        shown = text
        if text.startswith("<b>") and "</b>" in text:
            end = text.index("</b>")
            title = html.unescape(text[3:end])
            rest = text[end + 4 :]
            room = self.contentsRect().width() - 4
            if self._html_width(text) > room:
                bold = QFont(self.font())
                bold.setBold(True)
                # the title keeps at least a quarter of the line (the Sessions list and the
                # tooltip have it whole): the counts and languages after it stay in sight on a
                # 1024 px screen; details past the edge are clipped
                floor = max(self.MIN_TITLE_PX, int(room * 0.25))
                avail = max(floor, int(room - self._html_width(rest)))
                elided = QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, avail)
                shown = f"<b>{html.escape(elided)}</b>{rest}"
        super().setText(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

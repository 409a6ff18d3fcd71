"""The line over the transcript: a title and details on one line that never widens the window."""

from __future__ import annotations

import html
import re

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

#: how the details after the title are shortened, one step after another, until the line fits:
#: the counts first, so that the title (what the session is) stays readable
SHORTER_DETAILS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(\d+) segments?\b"), r"\1 seg."),
    (re.compile(r"\b(\d+) without transcript\b"), r"\1 untranscribed"),
    (re.compile(r"\b([A-Z]{2,3}) · (?=[A-Z]{2,3}\b)"), r"\1·"),
)


#: what separates one detail from the next in the line
DETAIL_SEP = " — "


def shorter_details(rest: str) -> list[str]:
    """``rest`` (the details after the title) and its shorter forms, longest first."""
    forms = [rest]
    for pattern, short in SHORTER_DETAILS:
        shortened = pattern.sub(short, forms[-1])
        if shortened != forms[-1]:
            forms.append(shortened)
    return forms


class HeaderLabel(QLabel):
    """The line over the transcript (``<b>title</b> — details``): one line that never widens the
    window. Too long for the width, the details' counts are shortened first ("2 seg.",
    "1 untranscribed"), then the title is elided (to no less than 40 % of the line); the whole
    line is in the tooltip."""

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
                forms = shorter_details(rest)
                rest = next(
                    (
                        form
                        for form in forms
                        if self._html_width(f"<b>{html.escape(title)}</b>{form}") <= room
                    ),
                    forms[-1],
                )
                # the title gives way only after the counts are short, and keeps at least 40 %
                # of the line (about 25 letters at 1024 px; the Sessions list and the tooltip
                # have it whole): details past the edge are clipped
                floor = max(self.MIN_TITLE_PX, int(room * 0.4))
                avail = max(floor, int(room - self._html_width(rest)))
                elided = QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, avail)
                head = f"<b>{html.escape(elided)}</b>"
                shown = head + self._details_that_fit(rest, room - self._html_width(head))
        super().setText(shown)

    def _details_that_fit(self, rest: str, room: float) -> str:
        """``rest`` whole if it fits in ``room``, else its " — " parts from the first on, as many
        as fit, and " — …" after them: a detail is shown whole or not at all (it was cut in the
        middle of a word with nothing to say so, "1 untranscribed — no au"). The first detail
        always stays (a hint such as "No sessions yet — import a recording…" is one detail:
        clipped at the edge, it still says what to do)."""
        if self._html_width(rest) <= room:
            return rest
        parts = rest.split(DETAIL_SEP)  # "" before the first separator, then the details
        while len(parts) > 2:
            parts.pop()
            shorter = DETAIL_SEP.join(parts) + DETAIL_SEP + "…"
            if self._html_width(shorter) <= room or len(parts) == 2:
                return shorter
        return rest

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

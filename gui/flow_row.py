"""A row of buttons that wraps onto a second line when the panel is narrower than the row.

A plain ``QHBoxLayout`` of Record / Pause / Stop held the Record panel 282 px wide: in an 800 px
window its dock got 237 px and Stop went behind a sideways scroll bar. ``FlowRow`` lays its
widgets left to right, each at its size hint, and starts a new line when the next one would
pass the right edge; its minimum width is its widest widget's, and its height is that of the
lines it took at the width it was last given (not ``heightForWidth``: a scroll area then gives
its whole widget the preferred height, and the Record panel's guide box could not give up its
room in a short dock).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowRow(QLayout):
    """Widgets left to right, wrapped onto more lines where the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self._width = 0  # the width last laid out in (0: none yet, one line)
        self._height = 0
        self.setContentsMargins(0, 0, 0, 0)

    # QLayout's interface (Qt's names)
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        height = self._place(rect, move=True)
        self._width = rect.width()
        if height != self._height:  # more or fewer lines: the panel lays out again
            self._height = height
            QTimer.singleShot(0, self, self.invalidate)  # not after the layout is gone

    def _tall(self) -> int:
        """The height of the lines at the last width (one line before the first)."""
        if self._width:
            return self._place(QRect(0, 0, self._width, 0), move=False)
        margins = self.contentsMargins()
        lines = max((i.sizeHint().height() for i in self._shown()), default=0)
        return lines + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:
        shown = self._shown()
        margins = self.contentsMargins()
        width = sum(i.sizeHint().width() for i in shown) + self._gap * max(0, len(shown) - 1)
        return QSize(width + margins.left() + margins.right(), self._tall())

    def minimumSize(self) -> QSize:
        margins = self.contentsMargins()
        widest = max((i.sizeHint().width() for i in self._shown()), default=0)
        return QSize(widest + margins.left() + margins.right(), self._tall())

    def lines(self) -> int:
        """How many lines the widgets take at the layout's present width."""
        tops = {i.geometry().top() for i in self._shown()}
        return len(tops)

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lay the widgets out in ``rect`` (``move``: really move them); the height used."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._shown():
            size = item.sizeHint()
            if x > area.x() and x + size.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), size))
            x += size.width() + self._gap
            line = max(line, size.height())
        return y + line - rect.y() + margins.bottom()

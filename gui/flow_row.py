"""Layouts that wrap their widgets onto more lines when the panel is narrower than the row.

``FlowLayout`` lays its items out left to right, each at its size hint, and starts a new line
where the next one would pass the right edge; it answers ``heightForWidth`` (the codebook's
action bar, the Names tab's buttons, the analysis window's filter bar).

``FlowRow`` is the same placement for a row of buttons inside a scroll area. A plain
``QHBoxLayout`` of Record / Pause / Stop held the Record panel 282 px wide: in an 800 px window
its dock got 237 px and Stop went behind a sideways scroll bar. Its minimum width is its
widest widget's, and its height is that of the lines it took at the width it was last given
(not ``heightForWidth``: a scroll area then gives its whole widget the preferred height, and
the Record panel's guide box could not give up its room in a short dock).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Lays its items out left to right, starting a new row where the next one does not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 2) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(QMargins(2, 2, 2, 2))

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

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        """As wide as the widest item (everything else wraps), as tall as one row."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _shown(self) -> list[QLayoutItem]:
        """The items laid out: every one (a spacer item too)."""
        return self._items

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Put the items in rows inside ``rect`` (only measure unless ``place``); the height
        the rows take."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._shown():
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:  # the next row
                x, y, row_height = area.x(), y + row_height + self._gap, 0
            if place:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + m.bottom()


class FlowRow(FlowLayout):
    """Widgets left to right, wrapped onto more lines where the width runs out; tall as the
    lines it took at the width it was last laid out in."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent, spacing)
        self._width = 0  # the width last laid out in (0: none yet, one line)
        self._height = 0
        self.setContentsMargins(0, 0, 0, 0)

    def hasHeightForWidth(self) -> bool:
        return False

    def setGeometry(self, rect: QRect) -> None:
        QLayout.setGeometry(self, rect)
        height = self._arrange(rect, place=True)
        self._width = rect.width()
        if height != self._height:  # more or fewer lines: the panel lays out again
            self._height = height
            QTimer.singleShot(0, self, self.invalidate)  # not after the layout is gone

    def _tall(self) -> int:
        """The height of the lines at the last width (one line before the first)."""
        if self._width:
            return self._arrange(QRect(0, 0, self._width, 0), place=False)
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

    def _shown(self) -> list[QLayoutItem]:
        """The widgets shown: a hidden one takes no room."""
        return [i for i in self._items if not i.isEmpty()]

    def lines(self) -> int:
        """How many lines the widgets take at the layout's present width."""
        tops = {i.geometry().top() for i in self._shown()}
        return len(tops)

"""A table that shows whole rows: the part of its height that would show a row cut in half
stays blank under it (the table scrolls for the rest).

At 1024x700 the Agreement and Disagreements docks, kept short so the transcript keeps its
rows, showed a third row cut in half under two whole ones, as if that were all there was.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtWidgets import QTableView, QWidget


def whole_rows_height(view: QTableView, height: int) -> int:
    """The height, at most ``height``, at which ``view`` shows only whole rows: ``height``
    itself when every row from the top one shown fits, or when not even one does."""
    model = view.model()
    count = model.rowCount() if model is not None else 0
    chrome = 2 * view.frameWidth()
    if not view.horizontalHeader().isHidden():
        chrome += view.horizontalHeader().sizeHint().height()
    if view.horizontalScrollBar().isVisible():
        chrome += view.horizontalScrollBar().sizeHint().height()
    room = height - chrome
    top = max(0, view.rowAt(0))
    used = 0
    for row in range(top, count):
        if view.isRowHidden(row):
            continue
        tall = view.rowHeight(row)
        if used + tall > room:
            return chrome + used if used else height
        used += tall
    return height


class WholeRows(QWidget):
    """Holds ``view`` and gives it the height of whole rows (re-fitted as rows come and go,
    and as the table scrolls to rows of other heights)."""

    def __init__(self, view: QTableView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        view.setParent(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.verticalScrollBar().valueChanged.connect(self._timer.start)
        view.horizontalScrollBar().rangeChanged.connect(self._timer.start)
        view.verticalHeader().sectionResized.connect(self._timer.start)
        view.installEventFilter(self)
        self._watch()

    def _watch(self) -> None:
        model = self.view.model()
        if model is not None:
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
                signal.connect(self._timer.start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Show:
            self._timer.start()
        return False

    def sizeHint(self) -> QSize:
        return self.view.sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self.view.minimumSizeHint()

    def resizeEvent(self, event: object) -> None:
        self.fit()

    def fit(self) -> None:
        """Lay the table out at the top, as tall as its whole rows that fit."""
        self.view.setGeometry(0, 0, self.width(), self.height())
        tall = whole_rows_height(self.view, self.height())
        if tall != self.height():
            self.view.setGeometry(0, 0, self.width(), tall)

"""Rows as tall as their wrapped text, measured as they come into sight.

``QTableView.resizeRowsToContents`` measures every row at once: the segments of a
co-occurrence cell of a focus-group series (410 of them) froze the Analysis window for 0.17 s,
a cell of thousands for seconds.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QTableView


class RowsInSight(QObject):
    """Fits ``view``'s rows to their contents as they come into sight (again when its
    columns change width, which changes the wrapping); rows never seen are never measured."""

    #: rows above and below those in sight fitted too: a page up or down lands on fitted rows
    MARGIN = 20

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.fitted: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.installEventFilter(self)  # shown again: the rows in sight are fitted then
        view.verticalScrollBar().valueChanged.connect(self._timer.start)
        view.horizontalHeader().sectionResized.connect(self._refit)
        model = view.model()
        if model is not None:
            model.modelReset.connect(self._refit)

    def _refit(self, *_args: object) -> None:
        self.fitted.clear()
        self._timer.start()

    def reset(self) -> None:
        """New rows: fit those in sight now."""
        self.fitted.clear()
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Show:
            self._timer.start()
        return False

    def fit(self) -> None:
        """Fit the rows in sight (and ``MARGIN`` more each way) not fitted yet; none while
        the view is hidden (a closed window's rows are nobody's to measure: fitted when it
        shows again)."""
        view, model = self.view, self.view.model()
        if not view.isVisible():
            return
        count = model.rowCount() if model is not None else 0
        if count == 0:
            return
        for _ in range(4):  # a fitted row moves those under it: once more for them
            first = max(0, view.rowAt(0))
            height = view.viewport().height()
            last = view.rowAt(height - 1) if height > 0 else first
            if last < 0:  # every row from ``first`` on is in sight
                last = count - 1
            rows = range(max(0, first - self.MARGIN), min(count, last + 1 + self.MARGIN))
            todo = [r for r in rows if r not in self.fitted]
            if not todo:
                return
            for row in todo:
                view.resizeRowToContents(row)
                self.fitted.add(row)

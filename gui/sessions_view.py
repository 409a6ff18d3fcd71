"""The sessions list: the title has priority, the status elides, nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from gui.models.sessions import KEPT_ROLE, LIVE_ROLE, STATUS_COL

TITLE_COL = 0
MIN_TITLE = 90  # px: a title is still recognisable
TITLE_SHARE = 0.5  # what a long title leaves the status: "6 coded · 2 no text" stays whole
MIN_STATUS = 70  # px: "cancelled…", "transcribing 4…" (the tooltip has it all)
#: a title this wide beside the whole status reads its first words ("Focus group: o…"): the
#: list at 1024x700 (212 px) showed "6 coded · 2 …" beside "Focus group: onl…"
TITLE_BESIDE_STATUS = 72


def column_widths(available: int, wanted: list[int], kept: int = 0) -> list[int]:
    """Widths for the columns (0: hidden) in ``available`` px: in a list too narrow for both
    the status whole and ``MIN_TITLE`` of the title, the status whole where it leaves the
    title ``TITLE_BESIDE_STATUS``; else the title first (what it needs, at least
    ``MIN_TITLE``, or half of the width when the status would not fit), the status next
    (elided when short, but ``kept`` px of it always, while the title keeps
    ``TITLE_BESIDE_STATUS``: the start of the status that says what matters),
    the other columns only where both fit whole; what is left widens the title."""
    widths = [0] * len(wanted)
    left = available - wanted[STATUS_COL]
    if TITLE_BESIDE_STATUS <= left < min(MIN_TITLE, wanted[TITLE_COL]):
        title = left  # a narrow list: the status whole, the title what it leaves (elided)
    else:  # all of the title when the status still fits whole, else at most half the width
        share = max(int(available * TITLE_SHARE), left)
        title = max(MIN_TITLE, min(wanted[TITLE_COL], share, available - MIN_STATUS))
    # "transcribed · 2 no text" was cut to "transcribed · …" beside a long title (1024x700)
    title = min(title, max(TITLE_BESIDE_STATUS, available - kept))
    status = max(MIN_STATUS, min(wanted[STATUS_COL], available - title))
    if title + status > available:
        title = max(0, available - status)
    rest = available - title - status
    for col, want in enumerate(wanted):
        if col in (TITLE_COL, STATUS_COL):
            continue
        if title >= wanted[TITLE_COL] and status >= wanted[STATUS_COL] and want <= rest:
            widths[col] = want
            rest -= want
    widths[TITLE_COL] = title + max(0, rest)
    widths[STATUS_COL] = status
    return widths


class LiveStatusDelegate(QStyledItemDelegate):
    """The status cell; a running transcription's "42 % · 0:07 left" above a thin progress
    strip.

    The text was drawn over the bar, light on its fill and dark beside it: in the narrow list
    (1366x768) "32 %" sat on the blue fill, cut through the "%", and read like "82 %". The text
    now keeps the row's own colours (the list's text on its base, or on the selection) and the
    bar runs below it, so no letter is ever on the fill (``bar_rect``)."""

    PAD = 8  # px: room beside the text, as the bar's frame had
    BAR = 3  # px: the strip's height
    BAR_GAP = 1  # px: between the strip and the cell's bottom edge

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:  # Qt's name
        hint = super().sizeHint(option, index)
        if index.data(LIVE_ROLE) is not None:
            hint.setWidth(hint.width() + self.PAD)
        return hint

    @classmethod
    def bar_rect(cls, cell: QRect) -> QRect:
        """The progress strip's groove in a cell: along its bottom, below the text."""
        return QRect(
            cell.left() + 3, cell.bottom() - cls.BAR_GAP - cls.BAR + 1, cell.width() - 6, cls.BAR
        )

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:  # Qt's name
        fraction = index.data(LIVE_ROLE)
        if fraction is None:
            super().paint(painter, option, index)
            return
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        text = cell.text
        cell.text = ""  # the row's background and selection; the text is drawn above the bar
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, cell, painter, widget)
        bar = self.bar_rect(option.rect)
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, cell, widget)
        area.setBottom(min(area.bottom(), bar.top() - 1))
        if area.left() <= option.rect.left():  # the margins an item view gives its text
            margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, cell, widget) + 1
            area.adjust(margin, 0, -margin, 0)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        ink = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        fill = ink if selected else palette.color(QPalette.ColorRole.Highlight)
        groove = palette.color(QPalette.ColorRole.Highlight).darker(140) if selected else (
            palette.color(QPalette.ColorRole.Mid)
        )  # fmt: skip
        done = round(bar.width() * max(0.0, min(1.0, float(fraction))))
        painter.save()
        painter.fillRect(bar, groove)
        if done:
            painter.fillRect(QRect(bar.left(), bar.top(), done, bar.height()), fill)
        painter.setFont(cell.font)
        painter.setPen(ink)
        shown = cell.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, area.width())
        painter.drawText(
            area, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown
        )
        painter.restore()


class SessionsView(QTableView):
    """Every session of the project, in a narrow dock: title and status always in sight."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        # Tab leaves the list for the next control: it moved from a title to its status and
        # back, and the keyboard never left the list (the arrows walk the rows)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(0)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit_columns)
        self.setItemDelegateForColumn(STATUS_COL, LiveStatusDelegate(self))

    def setModel(self, model: Any) -> None:  # Qt's name
        super().setModel(model)
        for signal in (model.modelReset, model.dataChanged, model.rowsInserted):
            signal.connect(lambda *_: self._timer.start())
        self._timer.start()

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt's name
        super().resizeEvent(event)
        self._timer.start()

    def _kept_width(self) -> int:
        """The widest start of a status that must show whole (``KEPT_ROLE``), with the cell's
        margins."""
        model = self.model()
        metrics = self.fontMetrics()
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        texts = (model.index(row, STATUS_COL).data(KEPT_ROLE) for row in range(model.rowCount()))
        return max((metrics.horizontalAdvance(t) + margin for t in texts if t), default=0)

    def fit_columns(self) -> None:
        """Share the width among the columns (title first, then status)."""
        model = self.model()
        if model is None:
            return
        header = self.horizontalHeader()
        count = model.columnCount()
        for col in range(count):  # a hidden section's size hint is 0: its header would clip
            if self.isColumnHidden(col):
                self.setColumnHidden(col, False)
        wanted = [
            max(header.sectionSizeHint(c), self.sizeHintForColumn(c) if model.rowCount() else 0)
            for c in range(count)
        ]
        widths = column_widths(self.viewport().width(), wanted, self._kept_width())
        for col, width in enumerate(widths):
            self.setColumnHidden(col, width == 0)
            if width:
                header.resizeSection(col, width)

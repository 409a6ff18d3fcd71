"""Tables, lists and tab bars that read whole in a narrow dock (290 px at 1024x700): no sideways
scrolling; columns share the width, long cells wrap onto more lines (inside a word too long
for its column), and a cell cut off after a few lines is whole in its tooltip; tabs take
their short labels rather than hide behind scroll arrows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QListWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTabWidget,
)

MIN_COLUMN_PX = 36
CELL_PADDING_PX = 14  # a cell's margins around its text
MAX_LINES = 6  # a cell taller than this is cut (its tooltip has it whole)
#: wrap at spaces, and inside a word too long for the column (an id, a path)
WRAP = int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere)


def _fill_up(widths: list[int], limits: list[int], room: int) -> list[int]:
    """Share ``room`` out over ``widths`` equally, none past its limit (water filling)."""
    widths = list(widths)
    todo = sorted(
        (c for c in range(len(widths)) if limits[c] > widths[c]),
        key=lambda c: limits[c] - widths[c],
    )
    while todo and room > 0:
        share = room // len(todo)
        c = todo[0]
        if limits[c] - widths[c] <= share:
            room -= limits[c] - widths[c]
            widths[c] = limits[c]
            todo.pop(0)
            continue
        for c in todo:
            widths[c] += share
        break
    return widths


def share_width(
    wanted: list[int], room: int, needed: list[int] | None = None, floor: int = MIN_COLUMN_PX
) -> list[int]:
    """Column widths that fill ``room``.

    Each column its ``wanted`` width (its text on one line) when all fit, the last taking what
    is left; else each its ``needed`` width (its longest word: it wraps, no word is cut) and the
    rest shared out; else the columns of short words whole and the others an equal share (at
    least ``floor``, or what ``room`` allows; ``WrapDelegate`` wraps inside their words).
    """
    if not wanted:
        return []
    if sum(wanted) <= room:
        return [*wanted[:-1], wanted[-1] + room - sum(wanted)]
    needed = [min(n, w) for n, w in zip(needed or wanted, wanted, strict=True)]
    if sum(needed) <= room:
        return _fill_up(needed, wanted, room - sum(needed))
    # too narrow even for the longest words: the columns of short words keep them whole, the
    # others share the rest equally (``WrapDelegate`` wraps inside their words)
    floor = min(floor, room // len(wanted))
    return _fill_up([floor] * len(wanted), needed, room - floor * len(wanted))


class WrapDelegate(QStyledItemDelegate):
    """A cell's text wrapped in its column, inside words when it must (Qt's own wraps only
    at spaces and elides a long word), up to ``MAX_LINES`` lines."""

    def _text_rect(self, option: QStyleOptionViewItem) -> QRect:
        return option.rect.adjusted(CELL_PADDING_PX // 2, 2, -CELL_PADDING_PX // 2, -2)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(opt.palette.color(role))
        painter.setFont(opt.font)
        rect = self._text_rect(opt)
        painter.setClipRect(rect)
        # centred when it fits, from the top when it is cut (its tooltip has it whole)
        tall = opt.fontMetrics.boundingRect(QRect(0, 0, rect.width(), 10**6), WRAP, text)
        align = (
            Qt.AlignmentFlag.AlignVCenter
            if tall.height() <= rect.height()
            else Qt.AlignmentFlag.AlignTop
        )
        painter.drawText(rect, WRAP | int(align), text)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        width = self._text_rect(option).width()
        if width <= 0:
            return hint
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        metrics = option.fontMetrics
        bound = metrics.boundingRect(QRect(0, 0, width, 10**6), WRAP, text)
        lines = min(bound.height(), metrics.lineSpacing() * MAX_LINES)
        return QSize(hint.width(), max(hint.height(), lines + 4))


class _Fitter(QObject):
    """Keeps a table's columns within its width as it is resized or refilled."""

    def __init__(self, table: QTableWidget) -> None:
        super().__init__(table)
        self.table = table
        self.busy = False
        table.viewport().installEventFilter(self)

    def eventFilter(self, obj: Any, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _longest_word(self, column: int, rows: int = 200) -> int:
        """The width of the column's longest word (of its first ``rows`` rows and header)."""
        table = self.table
        metrics = table.fontMetrics()
        texts = [table.item(r, column) for r in range(min(rows, table.rowCount()))]
        header = table.horizontalHeaderItem(column)
        words = [w for item in [*texts, header] if item is not None for w in item.text().split()]
        return max((metrics.horizontalAdvance(w) for w in words), default=0) + CELL_PADDING_PX

    def fit(self) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            table = self.table
            header = table.horizontalHeader()
            columns = table.columnCount()
            wanted = [
                max(table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(columns)
            ]
            room = table.viewport().width()
            needed = [self._longest_word(c) for c in range(columns)]
            for c, width in enumerate(share_width(wanted, room, needed)):
                header.resizeSection(c, width)
            table.resizeRowsToContents()
        finally:
            self.busy = False


def fit_table(table: QTableWidget) -> None:
    """Make ``table`` read whole in its width: see the module's docstring. Call
    ``refit(table)`` after filling it."""
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    header.setTextElideMode(Qt.TextElideMode.ElideRight)
    header.setMinimumSectionSize(MIN_COLUMN_PX)
    for c in range(table.columnCount()):
        item = table.horizontalHeaderItem(c)
        if item is not None:
            item.setToolTip(item.text())
    table.setItemDelegate(WrapDelegate(table))
    _Fitter(table).fit()


def refit(table: QTableWidget) -> None:
    """After ``table`` was filled (rows added or removed): share its width again."""
    fitter = table.findChild(_Fitter)
    if fitter is not None:
        fitter.fit()


def fit_list(view: QListWidget) -> None:
    """A list whose long lines wrap in its width instead of scrolling sideways."""
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setWordWrap(True)
    view.setResizeMode(QListWidget.ResizeMode.Adjust)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)


class _TabFitter(QObject):
    """Gives a tab widget's tabs their short labels when the long ones do not fit its width."""

    def __init__(self, tabs: QTabWidget, labels: list[tuple[str, str]]) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self.labels = labels
        tabs.installEventFilter(self)

    def eventFilter(self, obj: Any, event: QEvent) -> bool:  # Qt's name
        if event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange, QEvent.Type.Show):
            self.fit()
        return False

    def fit(self) -> None:
        bar = self.tabs.tabBar()
        room = self.tabs.width()
        for which in (0, 1):
            for i, pair in enumerate(self.labels[: bar.count()]):
                if bar.tabText(i) != pair[which]:
                    bar.setTabText(i, pair[which])
            if sum(bar.tabSizeHint(i).width() for i in range(bar.count())) <= room:
                return
        # even the short labels are too wide (a large font): the tabs share the width, their
        # labels elided; each still shows and its tooltip names it


def fit_tabs(tabs: QTabWidget, short: dict[str, str]) -> None:
    """Every tab of ``tabs`` shown in its width, none behind scroll arrows: a tab whose label
    is in ``short`` takes the short label when the long ones do not fit, and when even those
    do not, the labels are elided. A tab's tooltip names it in full."""
    bar = tabs.tabBar()
    bar.setUsesScrollButtons(False)
    bar.setElideMode(Qt.TextElideMode.ElideRight)
    labels = []
    for i in range(tabs.count()):
        label = tabs.tabText(i)
        labels.append((label, short.get(label, label)))
        if not tabs.tabToolTip(i):
            tabs.setTabToolTip(i, label)
    _TabFitter(tabs, labels).fit()

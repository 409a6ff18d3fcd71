"""Tables, lists and tab bars that read whole in a narrow dock (290 px at 1024x700): no sideways
scrolling (but in a table of many columns, ``fit_table(sideways=True)``); columns share the
width, long cells wrap onto more lines at spaces, a word too long for its column (an id, a
path) is elided rather than broken, and a cell cut off (elided, or after a few lines) is whole
in its tooltip; tabs take their short labels rather than hide behind scroll arrows, and so do
buttons (``FitButton``) rather than be cut at the panel's edge."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHeaderView,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QStylePainter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QWidget,
)

MIN_COLUMN_PX = 36
CELL_PADDING_PX = 14  # a cell's margins around its text
MAX_LINES = 6  # a cell taller than this is cut (its tooltip has it whole)
SIDEWAYS_LETTERS = 16  # a column of a table that scrolls sideways: its longest word, up to this


def elide_words(text: str, font: QFont, width: int) -> str:
    """``text`` with each word wider than ``width`` pixels elided to it ("01a24594-56…"): an id
    or a path broken into pieces of a few letters a line read as none (the tooltip has it)."""
    metrics = QFontMetricsF(font)
    return "".join(
        metrics.elidedText(piece, Qt.TextElideMode.ElideRight, max(1, width))
        if not piece.isspace() and metrics.horizontalAdvance(piece) > width
        else piece
        for piece in re.split(r"(\s+)", text)
    )


def wrapped(text: str, font: QFont, width: int) -> tuple[QTextLayout, int]:
    """``text`` laid out in lines of ``width`` pixels, and their height: broken at spaces (and
    line ends), a word alone wider than ``width`` elided (``elide_words``), never broken.
    Qt's ``TextWrapAnywhere`` broke any word at the line's end ("hidden in expo|rts"), and
    breaking only the words too long for a line still cut ids into runs of four letters."""
    layout = QTextLayout(elide_words(text, font, width).replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    height = 0.0
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1, width))
        line.setPosition(QPointF(0, height))
        height += line.height()
    layout.endLayout()
    return layout, int(height + 0.999)


def wrapped_height(text: str, font: QFont, width: int) -> int:
    """The height of ``text`` wrapped in ``width`` pixels as a ``WrapDelegate`` draws it."""
    return wrapped(text, font, width)[1]


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
    wanted: list[int],
    room: int,
    needed: list[int] | None = None,
    floor: int = MIN_COLUMN_PX,
    first: int | None = None,
) -> list[int]:
    """Column widths that fill ``room``.

    Each column its ``wanted`` width (its text on one line) when all fit, the last taking what
    is left; else each its ``needed`` width (its longest word: it wraps, no word is cut) and the
    rest shared out; else as many columns as fit keep their longest word whole, those of the
    shortest words first (a name, an action), and the others (ids, long places) share the rest
    equally (at least ``floor``, or what ``room`` allows; ``WrapDelegate`` elides their longer
    words). ``first``: the column whose words are kept whole before any other's (the one
    read, such as a context).
    """
    if not wanted:
        return []
    if sum(wanted) <= room:
        return [*wanted[:-1], wanted[-1] + room - sum(wanted)]
    needed = [min(n, w) for n, w in zip(needed or wanted, wanted, strict=True)]
    if sum(needed) <= room:
        return _fill_up(needed, wanted, room - sum(needed))
    floor = min(floor, room // len(wanted))
    widths = [0] * len(wanted)
    rest = list(range(len(wanted)))
    left = room
    for c in sorted(rest, key=lambda c: (c != first, needed[c])):
        if needed[c] + floor * (len(rest) - 1) > left:
            break
        widths[c] = needed[c]
        left -= needed[c]
        rest.remove(c)
    shared = _fill_up([floor] * len(rest), [needed[c] for c in rest], left - floor * len(rest))
    for c, width in zip(rest, shared, strict=True):
        widths[c] = width
    return widths


def check_width() -> int:
    """The room a cell's check box takes before its text."""
    return QApplication.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + 6


class WrapDelegate(QStyledItemDelegate):
    """A cell's text wrapped in its column at spaces, a word too long for it elided, up to
    ``MAX_LINES`` lines (Qt's own elides the whole cell at its first line's end)."""

    def _text_rect(self, option: QStyleOptionViewItem) -> QRect:
        """Where the text goes: the cell less its padding, right of a check box if any."""
        rect = option.rect.adjusted(CELL_PADDING_PX // 2, 2, -CELL_PADDING_PX // 2, -2)
        if option.features & QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator:
            rect.setLeft(rect.left() + check_width())
        return rect

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
        layout, tall = wrapped(text, opt.font, rect.width())
        top = rect.top() + max(0, (rect.height() - tall) // 2)
        layout.draw(painter, QPointF(rect.left(), top))
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        width = self._text_rect(opt).width()
        if width <= 0:
            return hint
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        tall = wrapped_height(text, option.font, width)
        lines = min(tall, option.fontMetrics.lineSpacing() * MAX_LINES)
        return QSize(hint.width(), max(hint.height(), lines + 4))


class _Fitter(QObject):
    """Keeps a table's columns within its width as it is resized or refilled."""

    def __init__(
        self, table: QTableWidget, first: int | None = None, sideways: bool = False
    ) -> None:
        super().__init__(table)
        self.table = table
        self.first = first
        self.sideways = sideways
        self.busy = False
        table.viewport().installEventFilter(self)

    def eventFilter(self, obj: Any, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _widths(self, column: int, rows: int = 200) -> tuple[int, int]:
        """The column's width with each cell on one line, and with its longest word whole (of
        its first ``rows`` rows and its header). Measured from the texts: the view's own
        ``sizeHintForColumn`` of wrapped cells is the width they already have."""
        table = self.table
        metrics = table.fontMetrics()
        items = [table.item(r, column) for r in range(min(rows, table.rowCount()))]
        texts = [item.text() for item in items if item is not None]
        # (a check box shows where a check state is set: every item is "user checkable")
        checks = any(
            i is not None and i.data(Qt.ItemDataRole.CheckStateRole) is not None for i in items
        )
        header = table.horizontalHeaderItem(column)
        words = [w for text in [*texts, header.text() if header else ""] for w in text.split()]
        lines = [line for text in texts for line in text.splitlines()]
        # two pixels over: the grid line, and the text layout's fractional widths
        pad = CELL_PADDING_PX + 2 + (check_width() if checks else 0)
        line = max((metrics.horizontalAdvance(t) for t in lines), default=0) + pad
        word = max((metrics.horizontalAdvance(w) for w in words), default=0) + pad
        return max(line, table.horizontalHeader().sectionSizeHint(column)), word

    def fit(self) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            table = self.table
            header = table.horizontalHeader()
            columns = table.columnCount()
            if not columns:
                return
            wanted, needed = map(list, zip(*map(self._widths, range(columns)), strict=True))
            room = table.viewport().width()
            # a column squeezed by others keeps about four letters a line (an id, a place)
            floor = table.fontMetrics().horizontalAdvance("x" * 4) + CELL_PADDING_PX + 2
            widths = share_width(wanted, room, needed, max(MIN_COLUMN_PX, floor), self.first)
            if self.sideways:
                # each column its longest word, up to ``SIDEWAYS_LETTERS`` letters (a longer
                # id or path is elided): when they do not fit side by side the table scrolls
                cap = table.fontMetrics().horizontalAdvance("x" * SIDEWAYS_LETTERS)
                whole = [min(n, cap + CELL_PADDING_PX + 2) for n in needed]
                if sum(whole) > room:
                    widths = whole
            for c, width in enumerate(widths):
                header.resizeSection(c, width)
            table.resizeRowsToContents()
        finally:
            self.busy = False


def fit_table(table: QTableWidget, *, first: int | None = None, sideways: bool = False) -> None:
    """Make ``table`` read whole in its width: see the module's docstring (``first``: see
    ``share_width``). ``sideways``: a table of many columns (five in a 290 px dock) scrolls
    sideways rather than crush its columns to a few letters each, when their longest words
    do not fit side by side. Call ``refit(table)`` after filling it."""
    table.setHorizontalScrollBarPolicy(
        Qt.ScrollBarPolicy.ScrollBarAsNeeded if sideways else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    )
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
    _Fitter(table, first, sideways).fit()


def refit(table: QTableWidget) -> None:
    """After ``table`` was filled (rows added or removed): share its width again."""
    fitter = table.findChild(_Fitter)
    if fitter is not None:
        fitter.fit()


def new_table(headers: list[str]) -> QTableWidget:
    """A read-only table of whole rows under ``headers`` (``fit_table`` fits it to a dock)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    for column, header in enumerate(headers):  # a header a narrow dock elides ("Rejected for…")
        item = table.horizontalHeaderItem(column)
        if item is not None:
            item.setToolTip(header)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    return table


def fill_table(table: QTableWidget, rows: list[list[str]]) -> None:
    """``rows`` of texts in ``table``, each cell's whole text in its tooltip; refitted."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value)
            item.setToolTip(value)  # a narrow column (the dock) may cut it off
            table.setItem(r, c, item)
    refit(table)


def fit_list(view: QListWidget) -> None:
    """A list whose long lines wrap in its width instead of scrolling sideways."""
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setWordWrap(True)
    view.setResizeMode(QListWidget.ResizeMode.Adjust)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)


class _ListHeight(QObject):
    """Keeps a list as tall as its rows (wrapped at its width), up to ``max_px``."""

    def __init__(self, view: QListWidget, max_px: int) -> None:
        super().__init__(view)
        self.view = view
        self.max_px = max_px
        self._width = -1
        self._timer = QTimer(self)  # goes with the list (a bare single shot outlived it)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.installEventFilter(self)
        model = view.model()
        model.rowsInserted.connect(self.later)
        model.rowsRemoved.connect(self.later)
        model.modelReset.connect(self.later)

    def later(self, *_args: Any) -> None:
        self._timer.start()  # once the layout placed the rows at the list's width

    def eventFilter(self, obj: Any, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Resize and obj.width() != self._width:
            self._width = obj.width()  # a wrapped row takes more or fewer lines
            self.later()
        return False

    def fit(self) -> None:
        view = self.view
        view.doItemsLayout()
        rows = sum(view.visualItemRect(view.item(i)).height() for i in range(view.count()))
        view.setFixedHeight(min(self.max_px, rows + 2 * view.frameWidth() + 2))


def fit_list_height(view: QListWidget, max_px: int) -> None:
    """``view`` as tall as its rows up to ``max_px``, then it scrolls: a fixed maximum left an
    empty box under one row, and pushed what follows it out of a short dock."""
    view.setMaximumHeight(max_px)
    _ListHeight(view, max_px)


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


class _UpAndDown(QScrollArea):
    """Scrolls up and down only: as narrow as its widget allows, no narrower (or, with
    ``narrowest``, that narrow, scrolling sideways below the width it needs)."""

    narrowest: int | None = None

    def needed_width(self) -> int:
        """The width its widget reads whole in, beside the vertical scroll bar."""
        widget = self.widget()
        if widget is None:
            return 0
        bar = self.verticalScrollBar().sizeHint().width()
        return widget.minimumSizeHint().width() + bar + 2 * self.frameWidth()

    def minimumSizeHint(self) -> QSize:  # Qt's name
        hint = super().minimumSizeHint()
        if self.widget() is None:
            return hint
        need = self.needed_width()
        if self.narrowest is not None:
            need = min(need, self.narrowest)
        return QSize(need, hint.height())


def scrolling(widget: QWidget, narrowest: int | None = None) -> QScrollArea:
    """``widget`` in a frameless area that scrolls up and down: in a short dock (about 300 px
    at 1024x700, beside a tall bottom panel) its controls keep their height, a scroll away,
    rather than be crushed into each other. ``narrowest``: the area may be that narrow (it
    then scrolls sideways too), so that a dock it is a tab of is not held wider for it."""
    area = _UpAndDown()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(
        Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        if narrowest is None
        else Qt.ScrollBarPolicy.ScrollBarAsNeeded
    )
    area.narrowest = narrowest
    area.setWidget(widget)
    return area


class FitButton(QPushButton):
    """A push button that reads whole in a narrow panel: its label where it fits, else its
    ``short`` one ("Save" for "Save session details"), the long one then its tooltip. A
    plain button in a 212 px dock was cut at the panel's edge ("Save session detail") or held
    the panel wider than the dock, scrolling sideways. ``text()`` stays the long label (what
    tests, shortcuts and screen readers name it by)."""

    def __init__(self, text: str, short: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.short = short
        # as narrow as the short label (a button's Minimum policy keeps it its long one)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def width_for(self, text: str) -> int:
        """The width a label ``text`` reads whole in, with the button's margins."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        size = self.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, text)
        content = QSize(size.width(), max(size.height(), option.iconSize.height()))
        style = self.style()
        return style.sizeFromContents(
            QStyle.ContentsType.CT_PushButton, option, content, self
        ).width()

    def shown_text(self) -> str:
        """The label painted at the present width."""
        return self.text() if self.width() >= self.width_for(self.text()) else self.short

    def minimumSizeHint(self) -> QSize:  # Qt's name
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.width_for(self.short)), hint.height())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.setToolTip(self.text() if self.shown_text() != self.text() else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = self.shown_text()
        QStylePainter(self).drawControl(QStyle.ControlElement.CE_PushButton, option)

"""The transcript table: fixed-height rows, painted coding stripes, codes dropped on rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QFontMetrics,
    QKeyEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from gui.context_menu import context_menu
from gui.languages import LanguageBadgeDelegate
from gui.models.segments import (
    CODE_MIME,
    COL_CODES,
    COL_LANG,
    COL_SPEAKER,
    COL_TEXT,
    COL_TIME,
    HEADERS,
    SegmentTableModel,
)
from gui.qtcompat import emit
from gui.transcript_delegates import CodeMarginDelegate, TextDelegate
from storage.core.models import Segment


class TranscriptView(QTableView):
    """The segment table: Enter plays, 1-9 code with pinned codes, codes can be dropped on rows."""

    play_requested = Signal(int)  # row
    quick_code = Signal(int)  # 1..9
    current_row_changed = Signal(int)
    #: px the text column keeps before the code margin gets room for names: at 1024x700 with
    #: a side panel open (Speakers, Ethics) 200 left names 40 px, "Positive exp…nce"; 180
    #: leaves them a word's width (they wrap at spaces), the text some 29 characters a line
    TEXT_MIN = 180

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(int(self.fontMetrics().lineSpacing() * 2))
        # rows show their whole text: the rows in view are measured (and only those, so a
        # 100,000-segment session scrolls as fast as before) and grow to fit
        self._min_row = vh.defaultSectionSize()
        self._measured: dict[str, tuple[str, int, int]] = {}  # id -> (text, width, height)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_rows)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.fit_rows())
        self.margin = CodeMarginDelegate(self)
        # the margin's code names, their px and their widest word's
        self._names: tuple[list[str], int, int] = ([], 0, 0)
        self.setItemDelegateForColumn(COL_CODES, self.margin)
        self.setItemDelegateForColumn(COL_TEXT, TextDelegate(self))
        self.setItemDelegateForColumn(COL_LANG, LanguageBadgeDelegate(self))
        # controllers add their segment actions (Set language…, Re-transcribe segment…)
        context_menu(self)  # lettered items
        # Tab goes on to the segment's text below, not from cell to cell of a row for ever
        self.setTabKeyNavigation(False)
        self.doubleClicked.connect(self._double_clicked)
        self.clicked.connect(self._clicked)

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        hh = self.horizontalHeader()
        hh.setSectionResizeMode(COL_CODES, QHeaderView.ResizeMode.Fixed)
        hh.resizeSection(COL_CODES, self.margin.width_for(0))
        hh.setSectionResizeMode(COL_TIME, QHeaderView.ResizeMode.Fixed)
        hh.resizeSection(COL_TIME, 64)
        hh.setSectionResizeMode(COL_LANG, QHeaderView.ResizeMode.Fixed)
        hh.resizeSection(COL_LANG, 44)
        hh.setSectionResizeMode(COL_SPEAKER, QHeaderView.ResizeMode.Interactive)
        hh.resizeSection(COL_SPEAKER, 110)
        hh.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        self.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: emit(self.current_row_changed, cur.row())
        )
        hh.sectionResized.connect(lambda *_a: self._fit_timer.start())
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.dataChanged):
            signal.connect(lambda *_a: self._fit_timer.start())
        model.modelReset.connect(self._measured.clear)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_timer.start()
        # a dock below grew (search or retrieval results): the current row, in view before,
        # stays in view rather than slip under it (the sizes are the viewport's)
        old, new = event.oldSize().height(), event.size().height()
        index = self.currentIndex()
        if index.isValid() and 0 < new < old:
            shown = self.visualRect(index)
            if shown.top() >= 0 and shown.bottom() <= old and shown.bottom() > new:
                self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _names_px(self, model: SegmentTableModel, slots: dict[str, int]) -> tuple[int, int]:
        """How wide the longest name of the codes in the margin is drawn, and its widest
        word."""
        names = [code.name for code_id in slots if (code := model.code(code_id)) is not None]
        if names != self._names[0]:
            metrics = QFontMetrics(CodeMarginDelegate.name_font(self.font()))
            words = [w for n in names for w in n.split()]
            self._names = (
                names,
                max((metrics.horizontalAdvance(n) for n in names), default=0),
                max((metrics.horizontalAdvance(w) for w in words), default=0),
            )
        return self._names[1], self._names[2]

    def fit_rows(self) -> None:
        """Give the rows in view the height their whole text needs (and the code margin the
        width its codes need)."""
        model = self.model()
        if not isinstance(model, SegmentTableModel):
            return
        hh = self.horizontalHeader()
        table = self.viewport().width()
        speaker = 110 if table >= 700 else 80
        if hh.sectionSize(COL_SPEAKER) in (80, 110) and hh.sectionSize(COL_SPEAKER) != speaker:
            hh.resizeSection(COL_SPEAKER, speaker)  # unless the coder chose a width
        # the code names in the margin whole, as far as the text stays the widest column and
        # keeps TEXT_MIN px (a narrower table names its codes in the tooltip)
        slots = model.code_slots()
        spare = table - sum(hh.sectionSize(c) for c in (COL_TIME, COL_LANG, COL_SPEAKER))
        room = min(spare // 2, spare - self.TEXT_MIN)
        names_px, words_px = self._names_px(model, slots)
        self.margin.name_width = self.margin.names_fit(
            names_px, len(slots), room, words_px, text=spare
        )
        # never narrower than its title: at 1024x700 the title read "ode"
        title = hh.fontMetrics().horizontalAdvance(HEADERS[COL_CODES]) + 14
        margin = max(hh.minimumSectionSize(), title, self.margin.width_for(len(slots)))
        if hh.sectionSize(COL_CODES) != margin:
            hh.resizeSection(COL_CODES, margin)
        n = model.rowCount()
        width = self.columnWidth(COL_TEXT) - 14
        if not n or width <= 20:
            return
        vh = self.verticalHeader()
        delegate = self.itemDelegateForColumn(COL_TEXT)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = QRect(0, 0, self.columnWidth(COL_TEXT), self._min_row)
        ids = model.segment_ids()
        for _ in range(4):  # rows that grow push others out of view: measure those too
            first = max(0, self.rowAt(0))
            last = self.rowAt(self.viewport().height() - 1)
            last = n - 1 if last < 0 else last
            changed = False
            for row in range(max(0, first - 2), min(n, last + 3)):
                index = model.index(row, COL_TEXT)
                text = str(model.data(index) or "")
                known = self._measured.get(ids[row])
                if known is not None and known[0] is text and known[1] == width:
                    height = known[2]
                else:  # what the delegate needs to lay the whole text out in this width
                    height = max(self._min_row, delegate.sizeHint(option, index).height() + 10)
                    self._measured[ids[row]] = (text, width, height)
                if vh.sectionSize(row) != height:
                    vh.resizeSection(row, height)
                    changed = True
            if not changed:
                break

    def segment_model(self) -> SegmentTableModel:
        """The model (typed)."""
        model = self.model()
        assert isinstance(model, SegmentTableModel)
        return model

    def selected_rows(self) -> list[int]:
        """Selected rows, in order (the current row if none is selected)."""
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        if not rows and self.currentIndex().isValid():
            rows = [self.currentIndex().row()]
        return rows

    def selected_segments(self) -> list[Segment]:
        """Selected segments, in order."""
        model = self.segment_model()
        return [model.segment(r) for r in self.selected_rows()]

    def go_to_row(self, row: int, *, select: bool = True) -> None:
        """Scroll to ``row`` (and make it current)."""
        model = self.segment_model()
        if not 0 <= row < model.rowCount():
            return
        index = model.index(row, COL_TEXT)
        if select:
            flags = (
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows
            )
            self.selectionModel().setCurrentIndex(index, flags)
        # the rows that come into view are measured then and may grow, pushing ``row`` back
        # out of view (the last rows of a session at 1024x700): scroll again until it stays
        for _ in range(4):
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
            self.fit_rows()
            self.updateGeometries()  # the scroll range follows the grown rows now, not later
            shown = self.visualRect(index)
            if self.viewport().rect().contains(shown.topLeft()) and (
                shown.bottom() <= self.viewport().rect().bottom()
                or shown.height() > self.viewport().height()
            ):
                break

    def _clicked(self, index: QModelIndex) -> None:
        # a click on a segment's time plays it (text and speaker clicks only select)
        plain = QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
        if index.column() == COL_TIME and plain:
            emit(self.play_requested, index.row())

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.column() in (COL_TIME, COL_CODES):
            emit(self.play_requested, index.row())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if self.state() != QAbstractItemView.State.EditingState and plain:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
                emit(self.play_requested, self.currentIndex().row())
                return
            if Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
                emit(self.quick_code, int(key) - int(Qt.Key.Key_0))
                return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(CODE_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(CODE_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            super().dragMoveEvent(event)

"""The transcript table (fixed-height rows, painted coding stripes) and the segment editor."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTextEdit,
    QToolTip,
    QWidget,
)

from gui.languages import LanguageBadgeDelegate
from gui.models.segments import (
    CODE_MIME,
    CODINGS_ROLE,
    COL_CODES,
    COL_LANG,
    COL_SPEAKER,
    COL_TEXT,
    COL_TIME,
    HEADERS,
    PLACEHOLDER_COLOUR,
    REDACTIONS_ROLE,
    UNTRANSCRIBED_ROLE,
    SegmentTableModel,
)
from gui.qtcompat import emit
from storage.core.models import Code, Coding, Segment

Index = QModelIndex | QPersistentModelIndex


def utf16_to_cp(text: str, pos: int) -> int:
    """Qt text positions count UTF-16 units; storage counts code points."""
    return len(text.encode("utf-16-le")[: 2 * pos].decode("utf-16-le", errors="ignore"))


def cp_to_utf16(text: str, cp: int) -> int:
    """Code point position -> Qt (UTF-16) position."""
    return len(text[:cp].encode("utf-16-le")) // 2


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch in "_-'’"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words and trim the spaces around it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return start, start
    while start > 0 and _wordish(text[start - 1]) and _wordish(text[start]):
        start -= 1
    while end < len(text) and _wordish(text[end]) and _wordish(text[end - 1]):
        end += 1
    return start, end


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


class CodeMarginDelegate(QStyledItemDelegate):
    """The code margin, in the manner of MAXQDA's coding stripes: one column per code used in
    the session, a bracket in the code's colour spanning the rows it codes (thin and dashed
    where only words of a segment are coded), the code's name beside the bracket's top.
    Hovering the margin lists code, coder and memo (the model's tooltip)."""

    SLOT = 9  # px per code column
    MAX_SLOTS = 8  # codes past these share the last column (grey)

    NAME_MAX = 96  # px: a longer name is elided (the tooltip has it whole)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_width = self.NAME_MAX  # where the names go; the view fits it (names_fit)

    @staticmethod
    def name_font(font: QFont) -> QFont:
        """The font code names are drawn in: a little smaller than the table's."""
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        return small

    def names_fit(self, names_px: int, slots: int, room: int) -> int:
        """The width for code names ``names_px`` wide (the longest), in a margin of ``slots``
        codes that may take ``room`` px (what the text column can spare): no more than
        the names need, at most ``NAME_MAX``, none when fewer than a few letters would fit
        (the tooltip names them). At 1024x700 a fixed 0 px by a table's width left "Денс…"."""
        width = min(names_px + 4, self.NAME_MAX, room - self.brackets_width(slots))
        return width if width >= 24 else 0

    def brackets_width(self, slots: int) -> int:
        """The margin's width beside the names: the brackets of ``slots`` codes."""
        return max(1, min(slots, self.MAX_SLOTS)) * self.SLOT + 4

    def width_for(self, slots: int) -> int:
        """The margin's width for a session using ``slots`` codes."""
        return self.name_width + self.brackets_width(slots)

    def names_right(self, rect: QRect, slots: int) -> int:
        """The x where code names end: left of the brackets in the first ``slots`` columns."""
        used = max(1, min(slots, self.MAX_SLOTS))
        return rect.right() - 2 - used * self.SLOT + 3 - 4

    @staticmethod
    def name_colour(option: QStyleOptionViewItem, colour: QColor, *, selected: bool) -> QColor:
        """A code name's colour: the code's (darker) on the row, the highlight's text colour
        on a selected row (dark code colours are unreadable on the blue highlight)."""
        if selected:
            return option.palette.color(QPalette.ColorRole.HighlightedText)
        return colour.darker(130)

    EDGE = 4  # px: the amber edge of speech without transcript (seen on the selection too)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        model = index.model()
        if not isinstance(model, SegmentTableModel):
            return
        if index.data(UNTRANSCRIBED_ROLE):
            edge = QRect(option.rect)
            edge.setWidth(self.EDGE)
            painter.fillRect(edge, PLACEHOLDER_COLOUR)
        row = index.row()
        here = model.margin_codes(row)
        if not here:
            return
        slots = model.code_slots()
        above = model.margin_codes(row - 1)
        below = model.margin_codes(row + 1)
        rect: QRect = option.rect
        painter.save()
        painter.setClipRect(rect)
        font = self.name_font(option.font)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        name_y = rect.top() + 1
        right = rect.right() - 2
        last = self.MAX_SLOTS - 1
        # names go left of every bracket drawn in this row, never across one
        leftmost = max(min(slots.get(code_id, last), last) for code_id in here) + 1
        room = self.names_right(rect, leftmost) - rect.left() - 2
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        for code_id, spans_only in here.items():
            code = model.code(code_id)
            if code is None:
                continue
            slot = min(slots.get(code_id, last), last)
            x = right - (slot + 1) * self.SLOT + 3
            colour = (
                QColor(code.colour)
                if slot < last or len(slots) <= self.MAX_SLOTS
                else QColor("gray")
            )
            starts, ends = code_id not in above, code_id not in below
            top = rect.top() + (3 if starts else 0)
            bottom = rect.bottom() - (3 if ends else -1)
            pen = QPen(colour, 2 if spans_only else 3)
            if spans_only:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(x, top, x, bottom)
            if starts:
                painter.drawLine(x, top, x + self.SLOT - 4, top)
                if room > 12 and name_y + metrics.height() <= rect.bottom() + 1:
                    painter.setPen(self.name_colour(option, colour, selected=selected))
                    name = metrics.elidedText(code.name, Qt.TextElideMode.ElideRight, room)
                    painter.drawText(
                        QRect(rect.left() + 2, name_y, room, metrics.height()),
                        int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                        name,
                    )
                    name_y += metrics.height()
            if ends:
                painter.setPen(pen)
                painter.drawLine(x, bottom, x + self.SLOT - 4, bottom)
        painter.restore()


#: the name the rest of the code knew the margin by
CodingStripeDelegate = CodeMarginDelegate


class TextDelegate(QStyledItemDelegate):
    """Wrapped text; a multi-line plain editor (Enter commits, Shift+Enter breaks a line)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        option.textElideMode = Qt.TextElideMode.ElideRight

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The text, with its coded spans underlined in their codes' colours and its redacted
        spans struck through on grey (as in the segment editor: what exports hide)."""
        items: list[tuple[Coding, Code]] = index.data(CODINGS_ROLE) or []
        spans = [(c.start_cp, c.end_cp, code) for c, code in items if c.start_cp is not None]
        redacted: list[tuple[int, int, str]] = index.data(REDACTIONS_ROLE) or []
        if not spans and not redacted:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        area.adjust(3, 0, -3, 0)
        layout = QTextLayout(text, opt.font)
        text_option = QTextOption()
        text_option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(text_option)
        ranges = []
        for start, end, code in spans:
            fr = QTextLayout.FormatRange()
            fr.start = cp_to_utf16(text, start or 0)
            fr.length = cp_to_utf16(text, end or 0) - fr.start
            fmt = QTextCharFormat()
            colour = QColor(code.colour)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(colour)
            colour.setAlpha(70)
            fmt.setBackground(colour)
            fr.format = fmt
            ranges.append(fr)
        for start, end, _placeholder in redacted:
            start, end = min(start, len(text)), min(end, len(text))
            if start >= end:
                continue
            fr = QTextLayout.FormatRange()
            fr.start = cp_to_utf16(text, start)
            fr.length = cp_to_utf16(text, end) - fr.start
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(0, 0, 0, 60))
            fmt.setFontStrikeOut(True)
            fr.format = fmt
            ranges.append(fr)
        layout.setFormats(ranges)
        layout.beginLayout()
        height = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(area.width())
            line.setPosition(QPointF(0, height))
            height += line.height()
        layout.endLayout()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setClipRect(area)
        painter.setPen(opt.palette.color(role))
        top = area.top() + max(0.0, (area.height() - height) / 2)
        layout.draw(painter, QPointF(area.left(), top))
        painter.restore()

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QPlainTextEdit(parent)
        editor.setTabChangesFocus(True)
        editor.installEventFilter(self)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QPlainTextEdit)
        editor.setPlainText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        editor.moveCursor(QTextCursor.MoveOperation.End)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, QPlainTextEdit)
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def eventFilter(self, obj: Any, event: QEvent) -> bool:
        if (
            isinstance(obj, QPlainTextEdit)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            emit(self.commitData, obj)
            emit(self.closeEditor, obj, QStyledItemDelegate.EndEditHint.NoHint)
            return True
        return super().eventFilter(obj, event)


class TranscriptView(QTableView):
    """The segment table: Enter plays, 1-9 code with pinned codes, codes can be dropped on rows."""

    play_requested = Signal(int)  # row
    quick_code = Signal(int)  # 1..9
    current_row_changed = Signal(int)
    TEXT_MIN = 200  # px the text column keeps before the code margin gets room for names

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
        vh.setDefaultSectionSize(int(self.fontMetrics().lineSpacing() * 2.6))
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
        self._names: tuple[list[str], int] = ([], 0)  # the margin's code names, their px
        self.setItemDelegateForColumn(COL_CODES, self.margin)
        self.setItemDelegateForColumn(COL_TEXT, TextDelegate(self))
        self.setItemDelegateForColumn(COL_LANG, LanguageBadgeDelegate(self))
        # controllers add their segment actions (Set language…, Re-transcribe segment…)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
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

    def _names_px(self, model: SegmentTableModel, slots: dict[str, int]) -> int:
        """How wide the longest name of the codes in the margin is drawn."""
        names = [code.name for code_id in slots if (code := model.code(code_id)) is not None]
        if names != self._names[0]:
            metrics = QFontMetrics(CodeMarginDelegate.name_font(self.font()))
            self._names = (names, max((metrics.horizontalAdvance(n) for n in names), default=0))
        return self._names[1]

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
        self.margin.name_width = self.margin.names_fit(
            self._names_px(model, slots), len(slots), room
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


class SegmentEditor(QTextEdit):
    """The current segment's full text: edit it, split at the cursor, select words to code.

    Coded spans are shown in their codes' colours; hovering shows code, coder and memo.
    """

    text_committed = Signal(str, str, str)  # segment id, old text, new text
    leave_requested = Signal()  # Esc: focus goes back to the transcript

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hint = ""
        self.setAcceptRichText(False)
        self.setPlaceholderText("Select a segment to read, correct and code its text here.")
        self.setMouseTracking(True)
        self.segment: Segment | None = None
        self._base_text = ""
        self._spans: list[tuple[int, int, str]] = []  # cp start, cp end, tooltip
        #: a segment id -> its redacted spans (cp start, cp end, placeholder); the window
        #: reads them from the project (a redaction changed nothing on screen otherwise)
        self.redactions: Callable[[str], list[tuple[int, int, str]]] = lambda _sid: []
        self.setMaximumHeight(140)

    # Qt draws a placeholder on one line, elided ("…import a transcript; then"): the editor
    # draws its own, wrapped over as many lines as it needs
    def setPlaceholderText(self, text: str) -> None:  # Qt's name
        self._hint = text
        super().setPlaceholderText("")
        self.viewport().update()

    def placeholderText(self) -> str:  # Qt's name
        return self._hint

    def paintEvent(self, event: Any) -> None:  # Qt's name
        super().paintEvent(event)
        if not self._hint or not self.document().isEmpty():
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        margin = int(self.document().documentMargin())
        rect = self.viewport().rect().adjusted(margin, margin, -margin, -margin)
        flags = int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        painter.drawText(rect, flags | int(Qt.TextFlag.TextWordWrap), self._hint)
        painter.end()

    def show_segment(self, segment: Segment | None, codings: list[tuple[Coding, Code]]) -> None:
        """Show a segment and paint its coded spans (commits pending edits first)."""
        same = self.segment is not None and segment is not None and self.segment.id == segment.id
        if same and segment is not None and (self.is_dirty() or self.toPlainText() == segment.text):
            # same segment: keep what is being typed, refresh the spans
            if not self.is_dirty():
                self._base_text = segment.text
            self.segment = segment
            self._paint_spans(self.toPlainText(), codings)
            return
        self.commit()
        self.segment = segment
        self._base_text = segment.text if segment else ""
        self.blockSignals(True)
        self.setPlainText(segment.text if segment else "")
        self.document().clearUndoRedoStacks()
        self.blockSignals(False)
        self.document().setModified(False)
        self.setReadOnly(segment is None)
        self.setPlaceholderText(
            "Speech without transcript: play it (click its time, or F4) and type what was said."
            if segment is not None and segment.untranscribed
            else "Select a segment to read, correct and code its text here."
        )
        self._paint_spans(segment.text if segment else "", codings)

    def _paint_spans(self, text: str, codings: list[tuple[Coding, Code]]) -> None:
        selections = []
        self._spans = []
        for coding, code in codings:
            memo = f" — {coding.memo}" if coding.memo else ""
            tip = f"{code.path} · {coding.coder}{memo}"
            if coding.start_cp is None or coding.end_cp is None:
                self._spans.append((0, len(text), tip + " (whole segment)"))
                continue
            self._spans.append((coding.start_cp, coding.end_cp, tip))
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(cp_to_utf16(text, coding.start_cp))
            cursor.setPosition(cp_to_utf16(text, coding.end_cp), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            colour = QColor(code.colour)
            colour.setAlpha(90)
            fmt.setBackground(colour)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(code.colour))
            sel.cursor = cursor
            sel.format = fmt
            selections.append(sel)
        for start, end, placeholder in self.redactions(self.segment.id) if self.segment else []:
            start, end = min(start, len(text)), min(end, len(text))
            if start >= end:
                continue
            self._spans.append(
                (start, end, f"Redacted: exports show {placeholder} (Ethics ▸ Redactions)")
            )
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(cp_to_utf16(text, start))
            cursor.setPosition(cp_to_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(0, 0, 0, 60))
            fmt.setFontStrikeOut(True)
            sel.cursor = cursor
            sel.format = fmt
            selections.append(sel)
        self.setExtraSelections(selections)

    def is_dirty(self) -> bool:
        """True when the text differs from the stored segment."""
        return self.segment is not None and self.toPlainText() != self._base_text

    def commit(self) -> None:
        """Send the edited text (if changed)."""
        if self.is_dirty():
            assert self.segment is not None
            old, new = self._base_text, self.toPlainText()
            self._base_text = new  # never commit the same edit twice
            # the typing is now one workbench edit: Ctrl+Z from here undoes it as a whole
            self.document().clearUndoRedoStacks()
            emit(self.text_committed, self.segment.id, old, new)

    def cursor_cp(self) -> int:
        """The cursor position in code points."""
        return utf16_to_cp(self.toPlainText(), self.textCursor().position())

    def selection_cp(self) -> tuple[int, int] | None:
        """The selected span in code points, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        text = self.toPlainText()
        a = utf16_to_cp(text, cursor.selectionStart())
        b = utf16_to_cp(text, cursor.selectionEnd())
        a, b = snap_to_words(text, a, b)
        return (a, b) if b > a else None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        # a drag that starts or ends inside a word selects the whole word
        cursor = self.textCursor()
        if event.button() == Qt.MouseButton.LeftButton and cursor.hasSelection():
            text = self.toPlainText()
            a = utf16_to_cp(text, cursor.selectionStart())
            b = utf16_to_cp(text, cursor.selectionEnd())
            start, end = snap_to_words(text, a, b)
            if (start, end) != (a, b) and end > start:
                self.select_cp(start, end)

    def select_cp(self, start: int, end: int) -> None:
        """Select a span given in code points."""
        text = self.toPlainText()
        cursor = self.textCursor()
        cursor.setPosition(cp_to_utf16(text, start))
        cursor.setPosition(cp_to_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.commit()
            return
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            # Esc leaves the editor: what was typed is kept (committed), focus goes back
            self.commit()
            emit(self.leave_requested)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.commit()
        super().focusOutEvent(event)

    def _owns_undo_key(self, event: QKeyEvent) -> bool:
        """Whether Ctrl+Z / redo belong to the typing in progress (an open edit) rather than
        to the workbench's undo history."""
        if event.matches(QKeySequence.StandardKey.Undo):
            return self.is_dirty() and self.document().isUndoAvailable()
        if event.matches(QKeySequence.StandardKey.Redo) or (
            event.key() == Qt.Key.Key_Y and event.modifiers() == Qt.KeyboardModifier.ControlModifier
        ):
            return self.document().isRedoAvailable()
        return True

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            undo_key = (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)
                or (
                    event.key() == Qt.Key.Key_Y
                    and event.modifiers() == Qt.KeyboardModifier.ControlModifier
                )
            )
            if undo_key:
                if self._owns_undo_key(event):
                    event.accept()
                else:
                    event.ignore()  # the window's Edit ▸ Undo / Redo takes it
                return True
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            cursor = self.cursorForPosition(event.pos())
            cp = utf16_to_cp(self.toPlainText(), cursor.position())
            tips = [tip for a, b, tip in self._spans if a <= cp < b]
            if tips:
                QToolTip.showText(event.globalPos(), "\n".join(tips), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

"""How the transcript table paints its rows: the code margin (stripes and names) and the text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QApplication,
    QPlainTextEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from gui.contrast import over, readable_on
from gui.models.segments import (
    CODINGS_ROLE,
    PLACEHOLDER_COLOUR,
    REDACTIONS_ROLE,
    SEGMENT_ROLE,
    UNTRANSCRIBED_ROLE,
    SegmentTableModel,
)
from gui.qtcompat import emit
from gui.text_positions import cp_to_utf16
from storage.core.models import Code, Coding

Index = QModelIndex | QPersistentModelIndex


class CodeMarginDelegate(QStyledItemDelegate):
    """The code margin, in the manner of MAXQDA's coding stripes: one column per code used in
    the session, a bracket in the code's colour spanning the rows it codes (thin and dashed
    where only words of a segment are coded), the code's name beside the bracket's top.
    Hovering the margin lists code, coder and memo (the model's tooltip)."""

    SLOT = 9  # px per code column
    MAX_SLOTS = 8  # codes past these share the last column (grey)

    NAME_MAX = 96  # px: a longer name is elided in the middle (the tooltip has it whole)
    TEXT_WIDE = 320  # px: the text column that whole names leave it, else names wrap

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_width = self.NAME_MAX  # where the names go; the view fits it (names_fit)

    @staticmethod
    def name_font(font: QFont) -> QFont:
        """The font code names are drawn in: a little smaller than the table's."""
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        return small

    def names_fit(
        self, names_px: int, slots: int, room: int, words_px: int | None = None, text: int = 0
    ) -> int:
        """The width for code names ``names_px`` wide (the longest), in a margin of ``slots``
        codes that may take ``room`` px (what the text column can spare): no more than
        the names need, at most ``NAME_MAX``, none when fewer than a few letters would fit
        (the tooltip names them). At 1024x700 a fixed 0 px by a table's width left "Денс…".
        ``words_px``: the widest word of the names; where whole names would leave the text
        column (``text`` px wide without the names) under ``TEXT_WIDE``, the names get their
        widest word's width and wrap (``name_blocks``): the text keeps the rest."""
        brackets = self.brackets_width(slots)
        width = min(names_px + 4, self.NAME_MAX)
        if words_px is not None and text - brackets - width < self.TEXT_WIDE:
            width = min(words_px + 4, width)
        width = min(width, room - brackets)
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
    def shown_name(name: str, metrics: QFontMetrics, room: int) -> str:
        """A code's name as drawn in ``room`` px: elided in the middle, as the analysis
        tables' headers, so that "Экономические трудности семьи (кредиты, долги)" and
        "(работа, зарплата)" stay apart ("Эконо…долги)", not "Экономи…" for both). A name
        as wide as ``room`` is left whole (``elidedText`` cut one exactly that wide)."""
        if metrics.horizontalAdvance(name) <= room:
            return name
        return metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, room)

    @staticmethod
    def name_colour(option: QStyleOptionViewItem, colour: QColor, *, selected: bool) -> QColor:
        """A code name's colour: the code's (darker) on the row, the highlight's text colour
        on a selected row (dark code colours are unreadable on the blue highlight). Light
        code colours are darkened further until the name reads at 4.5:1 on the row (the
        palette's #aaffc3 read 2.0:1, #bfef45 2.3:1)."""
        if selected:
            return option.palette.color(QPalette.ColorRole.HighlightedText)
        return readable_on(colour.darker(130), option.palette.color(QPalette.ColorRole.Base))

    EDGE = 4  # px: the amber edge of speech without transcript (seen on the selection too)

    @staticmethod
    def name_lines(names: list[str], lines: int) -> list[str]:
        """What the name lines of a row hold when ``names`` (codes starting there) meet
        ``lines`` lines: every name, or as many as fit less one and "+N more" in the last, or
        "N codes" on a single line (a one-line row under three codes showed one name and left
        the others out unsaid)."""
        if len(names) <= lines:
            return list(names)
        if lines <= 0:
            return []
        if lines == 1:
            return [f"{len(names)} codes"]
        return [*names[: lines - 1], f"+{len(names) - lines + 1} more"]

    @classmethod
    def name_blocks(
        cls, names: list[str], metrics: QFontMetrics, room: int, lines: int
    ) -> list[list[str]]:
        """The lines each of ``names`` is drawn on in ``room`` px and ``lines`` lines: a name
        too wide for one line wraps at its spaces onto the lines the row has left after one
        for each name (the first names first), a word or the last line too wide is elided in
        the middle. At 1024x700 the margin's 54 px showed "Positive experience" as
        "Posi…ence"; it reads "Positive" over "experience" now."""
        labels = cls.name_lines(names, lines)
        spare = lines - len(labels)
        blocks = []
        for label in labels:
            words = cls.wrapped(label, metrics, room)
            take = min(len(words), 1 + spare)
            spare -= take - 1
            kept = [*words[: take - 1], " ".join(words[take - 1 :])]
            blocks.append([cls.shown_name(line, metrics, room) for line in kept])
        if any(not cls.readable(line) for block in blocks for line in block):
            # "Д…е", "го…ву", "Эк…ы)" name nothing: how many codes start here, or (too narrow
            # even for that) the brackets alone; the tooltip names each code
            count = f"{len(names)} codes"
            if len(names) > 1 and lines and metrics.horizontalAdvance(count) <= room:
                return [[count]]
            return []
        return blocks

    #: the fewest letters of each word an elided name shows to be read as that name
    READABLE_LETTERS = 4

    @classmethod
    def readable(cls, line: str) -> bool:
        """Whether a drawn line shows enough of what it elides (``READABLE_LETTERS``)."""
        return all(
            "…" not in word or sum(ch.isalpha() for ch in word) >= cls.READABLE_LETTERS
            for word in line.split()
        )

    @staticmethod
    def wrapped(name: str, metrics: QFontMetrics, room: int) -> list[str]:
        """``name`` broken at its spaces into lines no wider than ``room`` px where its words
        allow (a longer word has a line of its own)."""
        out: list[str] = []
        for word in name.split():
            if out and metrics.horizontalAdvance(f"{out[-1]} {word}") <= room:
                out[-1] = f"{out[-1]} {word}"
            else:
                out.append(word)
        return out or [name]

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
        starting = [
            code.name
            for code_id in here
            if code_id not in above and (code := model.code(code_id)) is not None
        ]
        lines = (rect.bottom() + 1 - name_y) // max(1, metrics.height()) if room > 12 else 0
        labels = self.name_blocks(starting, metrics, room, lines)
        cut = len(labels) < len(starting)  # the last label says how many are left unnamed
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
                if labels:
                    block = labels.pop(0)
                    shade = QColor("gray") if cut and not labels else colour
                    painter.setPen(self.name_colour(option, shade, selected=selected))
                    for line in block:
                        painter.drawText(
                            QRect(rect.left() + 2, name_y, room, metrics.height()),
                            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                            line,
                        )
                        name_y += metrics.height()
            if ends:
                painter.setPen(pen)
                painter.drawLine(x, bottom, x + self.SLOT - 4, bottom)
        painter.restore()


#: the name the rest of the code knew the margin by
CodingStripeDelegate = CodeMarginDelegate


class TextDelegate(QStyledItemDelegate):
    """Wrapped text; a multi-line plain editor (Enter commits, Shift+Enter breaks a line).

    ``typed`` (the segment as stored, the editor's text) follows the typing in the table's own
    editor and ``cancelled`` (the segment) its Esc, so that typing not saved yet is kept
    (``gui.unsaved_text``)."""

    typed = Signal(object, str)
    cancelled = Signal(object)

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        option.textElideMode = Qt.TextElideMode.ElideRight

    #: how strongly a coded span is tinted in its code's colour
    SPAN_ALPHA = 70

    @classmethod
    def span_background(cls, opt: QStyleOptionViewItem, colour: QColor) -> QColor:
        """A coded span's background: its code's colour tinted over the row (the selection,
        the row's own background or the base), darkened or lightened until the row's text
        reads on it at 4.5:1. The light code colours tinted over the selection's blue read
        3.0:1 under its white text (#aaffc3; 2.6:1 on Fusion's own blue)."""
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        if selected:
            under = palette.color(QPalette.ColorRole.Highlight)
            ink = palette.color(QPalette.ColorRole.HighlightedText)
        else:
            has_own = opt.backgroundBrush.style() != Qt.BrushStyle.NoBrush
            under = (
                opt.backgroundBrush.color() if has_own else palette.color(QPalette.ColorRole.Base)
            )
            ink = palette.color(QPalette.ColorRole.Text)
        return readable_on(over(under, colour, cls.SPAN_ALPHA), ink)

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
            fmt.setBackground(self.span_background(opt, colour))
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
        segment = index.data(SEGMENT_ROLE)
        editor.setProperty("fieldscribe_segment", segment)
        if segment is not None:
            editor.textChanged.connect(lambda: emit(self.typed, segment, editor.toPlainText()))
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
            and event.key() == Qt.Key.Key_Escape
            and (segment := obj.property("fieldscribe_segment")) is not None
        ):
            emit(self.cancelled, segment)  # the typing is dropped on purpose (Qt reverts it)
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

"""The segment editor: the current segment's full text, its coded spans in their colours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QTextEdit,
    QToolTip,
    QWidget,
)

from gui.qtcompat import emit
from gui.text_positions import cp_to_utf16, snap_to_words, utf16_to_cp
from storage.core.model_names import written_by
from storage.core.models import Code, Coding, Segment


class SegmentEditor(QTextEdit):
    """The current segment's full text: edit it, split at the cursor, select words to code.

    Coded spans are shown in their codes' colours; hovering shows code, coder, memo and links,
    and which model wrote the text (or "Typed by hand").
    """

    text_committed = Signal(str, str, str)  # segment id, old text, new text
    leave_requested = Signal()  # Esc: focus goes back to the transcript

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hint = ""
        self.setAcceptRichText(False)
        # Tab goes on to the next control, as in the transcript's own cell editor: it typed a
        # tab into the segment's words, and the keyboard stayed in the editor
        self.setTabChangesFocus(True)
        self.setPlaceholderText("Select a segment to read, correct and code its text here.")
        self.setMouseTracking(True)
        self.segment: Segment | None = None
        self._base_text = ""
        #: cp start, cp end, tooltip, and the coding there (None: a redaction)
        self._spans: list[tuple[int, int, str, str | None]] = []
        #: a coding id -> its links' lines for the hover (``link_actions.passage_link_lines``)
        self.passage_links: Callable[[str], list[str]] = lambda _cid: []
        #: a segment id -> its redacted spans (cp start, cp end, placeholder); the window
        #: reads them from the project (a redaction changed nothing on screen otherwise)
        self.redactions: Callable[[str], list[tuple[int, int, str]]] = lambda _sid: []
        self.setMaximumHeight(140)

    def minimumSizeHint(self) -> QSize:  # Qt's name
        """Three lines of text: Qt's 70 px (four) held the transcript above it to two whole
        rows of long turns at 1024x700 while a bottom panel (Retrieval) was open."""
        margin = int(self.document().documentMargin())
        lines = 3 * self.fontMetrics().lineSpacing() + 2 * margin + 2 * self.frameWidth()
        return QSize(super().minimumSizeHint().width(), lines)

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
                self._spans.append((0, len(text), tip + " (whole segment)", coding.id))
                continue
            self._spans.append((coding.start_cp, coding.end_cp, tip, coding.id))
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
                (start, end, f"Redacted: exports show {placeholder} (Ethics ▸ Redactions)", None)
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

    @property
    def base_text(self) -> str:
        """The segment's stored text the typing in progress started from."""
        return self._base_text

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
            tips = []
            for a, b, tip, coding_id in self._spans:
                if a <= cp < b:  # a passage's links under it, read as it is hovered
                    tips += [tip, *(self.passage_links(coding_id) if coding_id else [])]
            seg = self.segment
            if seg is not None and (who := written_by(seg.model, seg.origin, seg.edited)):
                tips.append(who)  # which model wrote the text (or a person typed it)
                QToolTip.showText(event.globalPos(), "\n".join(tips), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

"""One small dialog that asks for a line of text (a name, a title, a passphrase), a memo or a
choice.

``QInputDialog`` was 200 px wide: a Russian code name ("Недоверие к государственным
институтам и местной власти", 55 letters) scrolled out of sight as it was typed. This one is
wide enough for about 50 letters, grows with a longer value (the one given, and as it is
typed) up to the screen's width, and wraps its label; a memo wraps at its width (in
``QInputDialog``'s, 256 px wide, a code's description ran on out of sight). Every caller goes
through ``AskDialog.ask``: the one place a test answers it (``monkeypatch.setattr(AskDialog,
"ask", staticmethod(...))``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Concatenate, ParamSpec, cast

from PySide6.QtGui import QFontMetrics, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

#: the letters the field holds without growing
LETTERS = 50
#: the letters a width is measured in: Russian and Kazakh text, not a narrow Latin average
SAMPLE = "абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"
#: the lines a memo shows without scrolling
MEMO_LINES = 8
#: a line edit's frame and padding around its text; a combo box's arrow
FIELD_PX = 16
COMBO_ARROW_PX = 28
#: the dialog's margin from the screen's edges when it grows
SCREEN_MARGIN_PX = 40


def letters_px(metrics: QFontMetrics, letters: int = LETTERS) -> int:
    """The width of ``letters`` average letters of Russian and Kazakh text."""
    return metrics.horizontalAdvance(SAMPLE) * letters // len(SAMPLE)


P = ParamSpec("P")


def _asking(init: Callable[Concatenate[Any, P], None]) -> Callable[P, tuple[str, bool]]:
    """``AskDialog.ask``, taking what ``init`` (``AskDialog.__init__``) takes."""

    def ask(*args: P.args, **kwargs: P.kwargs) -> tuple[str, bool]:
        """Ask and wait: (the text or item, True) on OK, (…, False) on Cancel.

        ``items``: a choice of these (``text`` the one chosen first), typed freely when
        ``editable``. ``password``: the text typed is not shown. ``multiline``: a text of
        several lines. The one patch point of the tests."""
        make = cast(Callable[P, AskDialog], AskDialog)  # its __init__ is ``init``
        dialog = make(*args, **kwargs)
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        value = dialog.value()
        dialog.deleteLater()
        return value, ok

    return ask


class AskDialog(QDialog):
    """A label over a line edit (``items`` None), a combo box of ``items`` or a text of several
    lines (``multiline``: a memo, a description, wrapped at the dialog's width); OK and
    Cancel."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        label: str,
        text: str = "",
        *,
        items: Sequence[str] | None = None,
        editable: bool = False,
        password: bool = False,
        multiline: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.label = QLabel(label)
        self.label.setWordWrap(True)
        self.combo: QComboBox | None = None
        self.memo: QPlainTextEdit | None = None
        if multiline:
            self.memo = QPlainTextEdit(text)
            self.memo.setTabChangesFocus(True)  # Tab goes on to OK (it typed a tab)
            self.memo.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
            self.memo.setMinimumHeight(self.fontMetrics().lineSpacing() * MEMO_LINES)
            # the cursor after the memo, not the memo selected: a key typed replaced it whole
            self.memo.moveCursor(QTextCursor.MoveOperation.End)
            self.edit = QLineEdit()  # not shown: a memo does not grow, it wraps
            field: QWidget = self.memo
            texts = [""]
        elif items is None:
            self.edit = QLineEdit(text)
            self.edit.selectAll()
            field = self.edit
            texts = [text]
        else:
            self.combo = QComboBox()
            self.combo.addItems(list(items))
            self.combo.setEditable(editable)
            self.combo.setCurrentIndex(max(0, self.combo.findText(text)))
            if editable and self.combo.findText(text) < 0:
                self.combo.setEditText(text)
            line = self.combo.lineEdit()
            self.edit = line if line is not None else QLineEdit()
            field = self.combo
            texts = [text, *items]
        if password:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.label.setBuddy(field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(field)
        layout.addWidget(buttons)
        self._width = 0
        metrics = self.fontMetrics()
        self._fit(max(letters_px(metrics), *(metrics.horizontalAdvance(t) for t in texts)))
        self.edit.textChanged.connect(self._grow)
        field.setFocus()

    def value(self) -> str:
        """The text typed, or the item chosen."""
        if self.memo is not None:
            return self.memo.toPlainText()
        return self.combo.currentText() if self.combo is not None else self.edit.text()

    def _room(self) -> int:
        """The widest the dialog may be: its screen's width, less a margin."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry().width() - SCREEN_MARGIN_PX

    def _fit(self, text_px: int) -> None:
        """As wide as ``text_px`` of text in its field needs, up to the screen's width (it
        never narrows)."""
        margins = self._layout.contentsMargins()
        # the field's frame and padding, and a combo box's arrow, around its text
        around = FIELD_PX + (COMBO_ARROW_PX if self.combo is not None else 0)
        want = text_px + around + margins.left() + margins.right()
        if want <= self._width:
            return
        self._width = min(want, self._room())
        self.setMinimumWidth(self._width)
        layout = self._layout  # the wrapped label's height at this width (not at its own)
        high = layout.totalHeightForWidth(self._width) if layout.hasHeightForWidth() else -1
        self.resize(self._width, max(high, self.minimumSizeHint().height()))

    def _grow(self, text: str) -> None:
        """A value typed past the field's end widens the dialog (up to the screen's)."""
        self._fit(self.edit.fontMetrics().horizontalAdvance(text))

    #: ``ask(parent, title, label, text="", *, items=None, editable=False, password=False,
    #: multiline=False)``: made from ``__init__``, so its parameters are written once
    ask = staticmethod(_asking(__init__))

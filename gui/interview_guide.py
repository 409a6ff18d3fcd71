"""The Record panel's interview guide: the questions (typed or loaded from a .txt/.md file),
"Load guide…", "Next question (N)" and the question asked now, a line shown only while there
is one (empty, it kept ~20 px blank under the buttons)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui.fit import FitButton
from gui.qtcompat import emit
from storage.recordings.recording import load_guide, parse_guide


class GuideBox(QGroupBox):
    """The guide's frame: ``edit`` (one question per line), ``load_button``, ``next_button``
    (the panel connects it) and ``question_label`` (``show_question``)."""

    file_chosen = Signal(str)  # "Load guide…": the file the user chose

    def __init__(self, parent: QWidget | None = None) -> None:
        # the title short enough for the narrowest Record dock; how to type it, in the box
        super().__init__("Interview guide", parent)
        self.setToolTip("The interview guide: one question per line")
        layout = QVBoxLayout(self)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)  # Tab leaves it (it typed a tab: a keyboard trap)
        self.edit.setMaximumHeight(110)
        self.edit.setPlaceholderText(
            "One question per line:\n1. How do you book an appointment?\n2. ..."
        )
        # one line in the narrowest dock (an 800 px window): "Load…" and "Next (N)" there,
        # the whole labels then in their tooltips
        row = QHBoxLayout()
        self.load_button = FitButton("Load guide…", "Load…")
        self.load_button.clicked.connect(self.choose_file)
        self.next_button = FitButton("Next question (N)", "Next (N)")
        row.addWidget(self.load_button)
        row.addStretch(1)
        row.addWidget(self.next_button)
        layout.addWidget(self.edit)
        layout.addLayout(row)
        # the question asked now under its buttons, the dock's whole width: between them, in
        # a 290 px dock, it squeezed "Next question (N)" to "ext question (" and itself to
        # a few letters a line
        self.question_label = QLabel("")
        self.question_label.setWordWrap(True)
        self.question_label.hide()
        layout.addWidget(self.question_label)

    def questions(self) -> list[str]:
        """The guide as typed or loaded."""
        return parse_guide(self.edit.toPlainText())

    def load_file(self, path: str | Path) -> None:
        """Put a .txt/.md guide into the editor (``FieldScribeError`` on a bad file: the
        editor keeps what it had)."""
        self.edit.setPlainText("\n".join(load_guide(path)))

    def choose_file(self) -> None:
        """Ask for a guide file (``file_chosen``: the panel loads it and reports a bad one)."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Load interview guide", "", "Guides (*.txt *.md);;All files (*)"
        )
        if path:
            emit(self.file_chosen, path)

    def show_question(self, text: str) -> None:
        """Show the question asked now ("" hides the line: it takes no room)."""
        self.question_label.setText(text)
        self.question_label.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        """While recording or saving, the guide is read-only and no other one is loaded."""
        self.edit.setReadOnly(busy)
        self.load_button.setEnabled(not busy)

"""Languages in the GUI: the segment language badge, the language picker, the languages field.

A project lists the languages it expects (``Project.languages``); each segment records the one it
was transcribed in (``Segment.language``, a Whisper code). The transcript shows it as a compact
badge ("RU", "KK"); a coder corrects it with a picker that offers the project's languages first.
"""

from __future__ import annotations

import html
from collections.abc import Collection

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSignalBlocker, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from gui.ask_dialog import AskDialog
from storage.core.errors import InvalidInputError
from storage.core.languages import (
    LANGUAGES,
    UnknownLanguageError,
    language_name,
    parse_languages,
)

Index = QModelIndex | QPersistentModelIndex

# Fixed colours for the languages of the field, a hash into the rest for the others.
_BADGE_COLOURS = {"ru": "#1f5fa8", "kk": "#00808a", "en": "#6a4c9c"}
_OTHER_COLOURS = ("#7a5c2e", "#2e7a3c", "#8a3b5c", "#4b5d73", "#7a2e2e")

#: what the languages field shows as a hint
LANGUAGES_HINT = "ru, kk, en"
#: the language filters' choice for segments whose language nobody knows (their code: ""),
#: written as the others ("KK · Kazakh"): "Language unknown" widened Retrieval's filter row past
#: a 1024-px window, and its scroll bar took a row of the table
UNKNOWN_LANGUAGE = "? · Unknown"
#: the refusal's tooltip: every language Whisper knows, by name, with its code
KNOWN_LANGUAGES_TIP = (
    "<p>Whisper knows: "
    + ", ".join(
        f"{name}&nbsp;({code})" for code, name in sorted(LANGUAGES.items(), key=lambda kv: kv[1])
    )
    + ".</p>"
)


def badge_colour(code: str) -> QColor:
    """The badge colour of a language code."""
    if code in _BADGE_COLOURS:
        return QColor(_BADGE_COLOURS[code])
    return QColor(_OTHER_COLOURS[sum(map(ord, code)) % len(_OTHER_COLOURS)])


def describe(codes: list[str]) -> str:
    """ "ru (Russian), kk (Kazakh)" — or "not set"."""
    return ", ".join(f"{c} ({language_name(c)})" for c in codes) or "not set"


class LanguageBadgeDelegate(QStyledItemDelegate):
    """Paints a segment's language code as a small coloured pill ("RU"); nothing when unknown."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        code = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # the background (selection, highlight) without the text
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(style.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if not code:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = painter.font()
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(code) + 10
        height = metrics.height() + 4
        rect: QRect = option.rect
        pill = QRect(
            rect.left() + (rect.width() - width) // 2,
            rect.top() + (rect.height() - height) // 2,
            width,
            height,
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(badge_colour(code.lower()))
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(QColor("white"))
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), code)
        painter.restore()


def language_choices(project_languages: list[str]) -> list[tuple[str, str]]:
    """(label, code) for a picker: the project's languages first, then every other one by name."""
    first = [(f"{language_name(c)} ({c})", c) for c in project_languages]
    rest = sorted(
        ((f"{name} ({code})", code) for code, name in LANGUAGES.items()
         if code not in project_languages),
        key=lambda item: item[0].lower(),
    )  # fmt: skip
    return first + rest


def choose_language(
    parent: QWidget | None,
    project_languages: list[str],
    current: str | None,
    *,
    title: str = "Set language",
    prompt: str = "Language of the segment",
) -> str | None:
    """Ask for a language (project languages first); None when cancelled."""
    choices = language_choices(project_languages)
    labels = [label for label, _ in choices]
    codes = [code for _, code in choices]
    start = codes.index(current) if current in codes else 0
    label, ok = AskDialog.ask(
        parent,
        title,
        f"{prompt}\n(the project's languages first, then every language):",
        labels[start],
        items=labels,
    )
    if not ok or label not in labels:
        return None
    return codes[labels.index(label)]


class LanguagesField(QWidget):
    """A line edit for the languages a project expects ("ru, kk, en"), checked as typed."""

    def __init__(self, codes: list[str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(", ".join(codes or []), self)
        self.edit.setPlaceholderText(LANGUAGES_HINT)
        self.edit.setToolTip(
            "Two-letter codes of the languages people speak, e.g. ru, kk, en\n"
            "(or their names: Russian, казахский, қазақша).\n"
            "Auto-detection then chooses only among them."
        )
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.status)
        self.edit.textChanged.connect(lambda _t: self.check())
        self.check()

    def check(self) -> str | None:
        """Show what the field says (or what is wrong); return the error, or None."""
        try:
            codes = parse_languages(self.edit.text())
        except InvalidInputError as exc:
            # one short line here; the command line's wording names a command a GUI user lacks
            short = exc.short if isinstance(exc, UnknownLanguageError) else str(exc)
            self.status.setText(
                f"<span style='color:#b00020'>{html.escape(short, quote=False)}</span>"
            )
            self.status.setToolTip(KNOWN_LANGUAGES_TIP)
            self._fit_dialog()
            return short
        self.status.setToolTip("")
        self.status.setText(
            describe(codes) if codes else "Not set: Whisper detects the language on its own."
        )
        self._fit_dialog()
        return None

    def _fit_dialog(self) -> None:
        """A longer message wraps onto more lines: the dialog holding the field grows to show
        them all (a top-level window does not follow a wrapped label's height on its own)."""
        window = self.window()
        if not isinstance(window, QDialog) or window.layout() is None:
            return
        self.status.updateGeometry()
        own = self.layout()
        if own is not None:
            own.invalidate()  # drop the cached heights now, not on the next layout pass
        self.updateGeometry()
        layout = window.layout()
        if layout is None:
            return
        for nested in window.findChildren(QLayout):  # a form layout caches its heights too
            nested.invalidate()
        layout.invalidate()
        need = (
            layout.totalHeightForWidth(window.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if need > window.height():
            window.resize(window.width(), need)

    def codes(self) -> list[str]:
        """The codes typed (raises ``InvalidInputError`` for an unknown one)."""
        return parse_languages(self.edit.text())


AUTOMATIC_MODEL = "Automatic: tiny.en for English only, else base"
#: after the name of a project's model that is not on this computer
NOT_HERE = "(not on this computer)"
#: the choices of how transcripts write numbers (``Project.numbers``)
NUMBER_CHOICES = {
    "words": "As said, in words (с двенадцати лет, восьми с половиной)",
    "digits": "As digits (с 12 лет, 8,5)",
}


class LanguagesDialog(QDialog):
    """Ask for a project's languages (new project, project settings); unknown codes refused."""

    def __init__(
        self,
        codes: list[str] | None = None,
        parent: QWidget | None = None,
        *,
        title: str = "",
        models: list[str] | None = None,
        model: str | None = None,
        numbers: str | None = None,
        english_only: Collection[str] = (),
        multilingual: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title or "Project languages")
        self.field = LanguagesField(codes, self)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Languages spoken in this project (e.g. ru, kk, en):", self))
        layout.addWidget(self.field)
        # the Whisper model the project transcribes with (project settings only)
        self.model_box: QComboBox | None = None
        self.models = list(models or [])
        self.english_only = set(english_only)
        self.multilingual = multilingual  # what transcription swaps an English-only model for
        self.model_note = QLabel(self)
        self.model_note.setWordWrap(True)
        self.model_note.setStyleSheet("color: #8a5300;")
        self.model_note.hide()
        #: what is checked while the models are read in the background (Project settings)
        self.model_checking = QLabel(self)
        self.model_checking.setWordWrap(True)
        self.model_checking.hide()
        if models is not None:
            self.model_box = QComboBox(self)
            self._fill_models(model)
            layout.addWidget(QLabel("Whisper model (Settings ▸ Models installs more):", self))
            layout.addWidget(self.model_box)
            layout.addWidget(self.model_checking)
            layout.addWidget(self.model_note)
            self.model_box.currentIndexChanged.connect(lambda _i: self.update_model_note())
            self.field.edit.textChanged.connect(lambda _t: self.update_model_note())
        # how new transcripts write numbers (project settings only)
        self.numbers_box: QComboBox | None = None
        if numbers is not None:
            self.numbers_box = QComboBox(self)
            for style, label in NUMBER_CHOICES.items():
                self.numbers_box.addItem(label, style)
            self.numbers_box.setCurrentIndex(max(0, self.numbers_box.findData(numbers)))
            layout.addWidget(QLabel("Numbers in new transcripts:", self))
            layout.addWidget(self.numbers_box)
        # made after the fields: Tab follows the order widgets are made in (made first, OK and
        # Cancel came before the model and the numbers)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self.result_codes: list[str] = []
        self.result_model: str | None = model
        self.result_numbers: str | None = numbers
        self.update_model_note()

    def _fill_models(self, model: str | None) -> None:
        """The model choices: automatic, ``self.models``, and ``model`` when it is not among
        them; ``model`` is selected."""
        box = self.model_box
        if box is None:
            return
        box.clear()
        box.addItem(AUTOMATIC_MODEL, None)
        for name in self.models:
            box.addItem(name, name)
        if model and model not in self.models:  # removed, or a colleague's: said, not hidden
            box.addItem(f"{model} {NOT_HERE}", model)
        box.setCurrentIndex(max(0, box.findData(model)) if model else 0)

    def set_models(
        self, models: list[str], english_only: Collection[str], multilingual: str | None
    ) -> None:
        """Offer ``models`` instead (what a check in the background found); the model chosen
        stays chosen (marked "not on this computer" when it is no longer offered)."""
        if self.model_box is None:
            return
        chosen = self.model_box.currentData()
        self.models = list(models)
        self.english_only = set(english_only)
        self.multilingual = multilingual
        with QSignalBlocker(self.model_box):
            self._fill_models(chosen)
        self.update_model_note()

    def show_checking(self, text: str) -> None:
        """Say under the model choice what is being checked ("": the check ended)."""
        self.model_checking.setText(text)
        self.model_checking.setVisible(bool(text) and self.model_box is not None)
        self.field._fit_dialog()

    def model_note_text(self) -> str:
        """What the chosen model means for this project ("" when nothing to say): a model
        not on this computer (the default is used), or an English-only one for languages
        besides English (swapped for the multilingual one, or refused without one)."""
        chosen = self.model_box.currentData() if self.model_box is not None else None
        if not chosen:
            return ""
        if chosen not in self.models:
            from transcribe.models import default_model

            try:
                codes = self.field.codes()
            except InvalidInputError:
                codes = []
            return (
                f"{chosen} is not on this computer: transcription uses {default_model(codes)}, "
                "the default for the project's languages, until it is installed or imported "
                "(Settings ▸ Models)."
            )
        if chosen not in self.english_only:
            return ""
        try:
            others = [code for code in self.field.codes() if code != "en"]
        except InvalidInputError:
            return ""
        if not others:
            return ""
        names = ", ".join(language_name(code) for code in others)
        if self.multilingual is None:
            return (
                f"{chosen} is English-only and the project expects {names}: with no "
                "multilingual model here, transcription refuses it (Settings ▸ Models "
                "installs one)."
            )
        return (
            f"{chosen} is English-only and the project expects {names}: transcription will "
            f"use {self.multilingual} instead."
        )

    def update_model_note(self) -> None:
        """Show (or hide) the note beside the model choice."""
        text = self.model_note_text()
        self.model_note.setText(text)
        self.model_note.setVisible(bool(text) and self.model_box is not None)
        self.field._fit_dialog()  # the dialog grows to show the note's lines

    def accept(self) -> None:
        if self.field.check() is not None:
            self.field.edit.setFocus()
            return  # stays open: nothing is created or changed with an unknown code
        self.result_codes = self.field.codes()
        if self.model_box is not None:
            self.result_model = self.model_box.currentData()
        if self.numbers_box is not None:
            self.result_numbers = self.numbers_box.currentData()
        super().accept()

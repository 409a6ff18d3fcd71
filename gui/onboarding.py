"""First steps: the coder's name on first start, a new project's name, coder and languages.

The coder's name goes on every coding and edit; until someone types it FieldScribe records a
neutral name (``UNNAMED_CODER``, never the login name, which would travel in bundles and
exports without its owner choosing it), so the first start asks for it (kept in QSettings
``coder``): the name of the projects created or started from a bundle after. Each project
keeps whom it codes as itself (``Project.coders.own``, in the project), changed by File ▸ Coder
name for this project.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.languages import LanguagesField
from gui.settings import Settings


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class CoderNameDialog(QDialog):
    """Ask the name written on this person's codings."""

    def __init__(self, name: str, parent: QWidget | None = None, *, project: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Your coder name" if not project else f"Coder name — {project}")
        self.name = QLineEdit(name, self)
        self.name.selectAll()
        why = (
            "Your name goes on every code you apply and every edit you make, so a team can see "
            "who coded what and measure agreement. Use the same name on every laptop."
            if not project
            else f"Code “{project}” under this name (only this copy of the project, kept in "
            "it; File ▸ Settings changes the name new projects get)."
        )
        text = QLabel(why, self)
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        form = QFormLayout()
        form.addRow("Coder name", self.name)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))
        self.setMinimumWidth(420)

    def value(self) -> str:
        """The name typed (spaces trimmed)."""
        return self.name.text().strip()

    def accept(self) -> None:
        if not self.value():
            self.name.setFocus()
            return
        super().accept()


class NewProjectDialog(QDialog):
    """A new project's name, the coder who owns this copy, and the languages spoken."""

    def __init__(self, name: str, coder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.name = QLineEdit(name, self)
        self.coder = QLineEdit(coder, self)
        self.coder.setToolTip("The name written on your codings in this project")
        self.languages = LanguagesField(None, self)
        form = QFormLayout()
        form.addRow("Project name", self.name)
        form.addRow("Your coder name", self.coder)
        # the field spans the dialog: a refusal ("... did you mean kk (Kazakh)?") fits one line
        form.addRow(QLabel("Languages spoken (e.g. ru, kk, en):", self))
        form.addRow(self.languages)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))
        self.setMinimumWidth(480)
        self.result_codes: list[str] = []

    def accept(self) -> None:
        for field in (self.name, self.coder):
            if not field.text().strip():
                field.setFocus()
                return
        if self.languages.check() is not None:
            self.languages.edit.setFocus()
            return  # stays open: nothing is created with an unknown code
        self.result_codes = self.languages.codes()
        super().accept()


def first_start(
    settings: Settings,
    parent: QWidget | None = None,
    on_name: Callable[[str], Any] | None = None,
) -> CoderNameDialog | None:
    """On the first start (no coder name saved yet) ask for it, without blocking start-up
    (the dialog is window-modal); ``on_name`` gets the name once given. Asked only once: a
    cancelled dialog keeps the neutral name (``default_coder``)."""
    if settings.has_coder:
        return None
    dialog = CoderNameDialog(settings.coder, parent)
    settings.coder = settings.coder  # asked once, whatever the answer

    def accepted() -> None:
        settings.coder = dialog.value()
        if on_name is not None:
            on_name(dialog.value())

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog

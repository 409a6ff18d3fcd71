"""The dialog that asks for a just-recorded session's title, kind, date and place."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from storage import Session
from storage.core.models import KIND_LABELS, SESSION_KINDS

#: wide enough for a title of about 45 characters beside its label
MIN_WIDTH = 420
#: a very long title scrolls in its field rather than widen the dialog past a small laptop screen
MAX_WIDTH = 640


class SessionDetailsDialog(QDialog):
    """Title, kind, date and place of a just-recorded session."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recorded session")
        form = QFormLayout(self)
        self.title_edit = QLineEdit(session.title)
        self.kind_combo = QComboBox()
        for kind in SESSION_KINDS:
            self.kind_combo.addItem(KIND_LABELS.get(kind, kind), kind)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(session.kind)))
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        # written as the sessions list writes it: the locale's "5 12 2026" read as May or December
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        date = QDate.fromString(session.date or "", "yyyy-MM-dd")
        self.date_edit.setDate(date if date.isValid() else QDate.currentDate())
        self.place_edit = QLineEdit(session.place or "")
        form.addRow("Title", self.title_edit)
        form.addRow("Kind", self.kind_combo)
        form.addRow("Date", self.date_edit)
        form.addRow("Place", self.place_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        # the title whole: the default 200 px showed "ding 2026-12-05 23:21" of the recording's
        # default title, and a longer typed title scrolled out of sight
        title_px = self.title_edit.fontMetrics().horizontalAdvance(session.title) + 160
        self.setMinimumWidth(min(MAX_WIDTH, max(MIN_WIDTH, title_px)))

    def values(self) -> dict[str, Any]:
        """The fields for ``Project.update_session``."""
        return {
            "title": self.title_edit.text().strip() or "Recording",
            "kind": self.kind_combo.currentData(),
            "date": self.date_edit.date().toString("yyyy-MM-dd"),
            "place": self.place_edit.text().strip() or None,
        }

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

    def values(self) -> dict[str, Any]:
        """The fields for ``Project.update_session``."""
        return {
            "title": self.title_edit.text().strip() or "Recording",
            "kind": self.kind_combo.currentData(),
            "date": self.date_edit.date().toString("yyyy-MM-dd"),
            "place": self.place_edit.text().strip() or None,
        }

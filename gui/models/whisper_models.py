"""The Whisper models on this machine as a table (the Models page of the settings)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from gui.models.table import RowTableModel
from gui.models.wording import window_repair
from transcribe.model_speed import speed_words
from transcribe.models import ModelInfo

Index = QModelIndex | QPersistentModelIndex
NOT_MEASURED = "not measured"


def speed_text(record: dict[str, Any] | None) -> str:
    """A measured real-time factor as '4.1× real time' (``fieldscribe models``'s words,
    ``transcribe.model_speed.speed_words``), or 'not measured'."""
    return speed_words((record or {}).get("rtf")) or NOT_MEASURED


class WhisperModelsTable(RowTableModel):
    """Rows of ``ModelInfo`` with the speed measured on this machine (keyed by folder)."""

    headers = ("Model", "Languages", "Size", "Speed here", "Source")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[ModelInfo] = []
        self.speeds: dict[str, dict[str, Any]] = {}
        #: the model the open project transcribes with (its name) and why, or None
        self.in_use: str | None = None
        self.in_use_why = ""

    def set_models(
        self,
        models: list[ModelInfo],
        speeds: dict[str, dict[str, Any]],
        in_use: str | None = None,
        in_use_why: str = "",
    ) -> None:
        """Replace the rows (``in_use``: the open project's model, marked on its row)."""
        self.beginResetModel()
        self.rows = list(models)
        self.speeds = dict(speeds)
        self.in_use, self.in_use_why = in_use, in_use_why
        self.endResetModel()

    def is_in_use(self, row: int) -> bool:
        """True when the open project transcribes with the model on ``row``."""
        info = self.model_at(row)
        return info is not None and self.in_use is not None and info.name == self.in_use

    def row_total(self) -> int:
        return len(self.rows)

    def model_at(self, row: int) -> ModelInfo | None:
        """The model on a row (None outside the table)."""
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        info = self.model_at(index.row()) if index.isValid() else None
        if info is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 0:
                name = f"{info.name} (DAMAGED)" if info.damaged else info.name
                return f"{name} ✓ this project" if self.is_in_use(index.row()) else name
            if col == 1:
                return "multilingual" if info.multilingual else "English only"
            if col == 2:
                return f"{info.size_bytes / 1e6:,.0f} MB"
            if col == 3:
                return speed_text(self.speeds.get(str(info.path)))
            return info.source
        if role == Qt.ItemDataRole.ToolTipRole:
            where = str(info.path) if info.path else "assembled from its packages on first use"
            used = f"\n{self.in_use_why}" if self.is_in_use(index.row()) else ""
            damage = ""
            if info.damaged:  # what `fieldscribe models` says under its table, in the page's words
                damage = f"\nDamaged ({info.damaged}): {window_repair(info)}."
            speed = ""
            if index.column() == 3 and speed_text(self.speeds.get(str(info.path))) == NOT_MEASURED:
                speed = "\nSpeed: not measured on this computer yet; select the model and click "
                speed += "Measure speed (10 s of speech)."
            return f"{info.name}: {where}{used}{damage}{speed}"
        if role == Qt.ItemDataRole.ForegroundRole and info.damaged:
            return QColor("#b00020")
        if role == Qt.ItemDataRole.FontRole and index.column() == 0 and self.is_in_use(index.row()):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

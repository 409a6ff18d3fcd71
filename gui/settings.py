"""User settings (QSettings): transcription keys, coder name, recent projects; the dialog
(General, and the Models page of ``gui.models_page``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.models_page import ModelsPage
from storage.core.models import UNNAMED_CODER

if TYPE_CHECKING:
    from storage import Project

MAX_RECENT = 8


def default_coder() -> str:
    """The coder name before one is given: a neutral one, never the login name (it would go
    on every coding and into bundles and exports without its owner choosing it)."""
    return UNNAMED_CODER


class Settings:
    """Typed access to the stored settings."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings or QSettings("FieldScribe", "FieldScribe")

    def _float(self, key: str, default: float) -> float:
        try:
            return float(self.q.value(key, default))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default

    @property
    def skip_s(self) -> float:
        """F3/F5 jump, seconds."""
        return self._float("player/skip_s", 5.0)

    @skip_s.setter
    def skip_s(self, value: float) -> None:
        self.q.setValue("player/skip_s", float(value))

    @property
    def rewind_s(self) -> float:
        """Auto-rewind on resume, seconds."""
        return self._float("player/rewind_s", 2.0)

    @rewind_s.setter
    def rewind_s(self, value: float) -> None:
        self.q.setValue("player/rewind_s", float(value))

    @property
    def coder(self) -> str:
        """The name written on this person's codings."""
        value = str(self.q.value("coder", "") or "")
        return value or default_coder()

    @coder.setter
    def coder(self, value: str) -> None:
        self.q.setValue("coder", value.strip())

    @property
    def has_coder(self) -> bool:
        """Whether a coder name was ever saved (the first start asks for it)."""
        return bool(str(self.q.value("coder", "") or ""))

    def take_project_coder(self, project_id: str) -> str:
        """The name an older FieldScribe kept here for one project id (``coder/<id>``), removed
        as it is read: a project keeps whom it codes as itself now (``Project.coders.own``),
        since the copies of one project (a lead's and a coder's on one laptop) share its id."""
        key = f"coder/{project_id}"
        value = str(self.q.value(key, "") or "").strip()
        if value:
            self.q.remove(key)
        return value

    @property
    def transcribe_after_import(self) -> bool:
        """Start transcribing imported audio right away."""
        return str(self.q.value("transcribe_after_import", "true")).lower() == "true"

    @transcribe_after_import.setter
    def transcribe_after_import(self, value: bool) -> None:
        self.q.setValue("transcribe_after_import", "true" if value else "false")

    @property
    def demo_offered(self) -> bool:
        """True once the start page offered the demo project."""
        return str(self.q.value("demo_offered", "false")).lower() == "true"

    @demo_offered.setter
    def demo_offered(self, value: bool) -> None:
        self.q.setValue("demo_offered", "true" if value else "false")

    def recent(self) -> list[str]:
        """Recently opened project folders, newest first."""
        return [v for v in _str_list(self.q.value("recent", [])) if v]

    def add_recent(self, folder: str) -> None:
        """Put a folder first in the recent list."""
        items = [folder, *[f for f in self.recent() if f != folder]][:MAX_RECENT]
        self.q.setValue("recent", items)

    def pins(self, project_id: str) -> list[str]:
        """Code ids pinned to keys 1-9 in a project ('' for a free key)."""
        return _str_list(self.q.value(f"pins/{project_id}", []))

    def set_pins(self, project_id: str, pins: list[str]) -> None:
        """Store the pinned codes of a project."""
        self.q.setValue(f"pins/{project_id}", pins[:9])


class SettingsDialog(QDialog):
    """Edit the settings: a General page and the Models page."""

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        models_cache_dir: Path | None = None,
        project: Project | None = None,
        transcribing: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("FieldScribe settings")
        self.tabs = QTabWidget(self)
        general = QWidget(self.tabs)
        self.skip = QDoubleSpinBox(general)
        self.skip.setRange(0.5, 60)
        self.skip.setSuffix(" s")
        self.skip.setValue(settings.skip_s)
        self.rewind = QDoubleSpinBox(general)
        self.rewind.setRange(0, 30)
        self.rewind.setSuffix(" s")
        self.rewind.setValue(settings.rewind_s)
        self.coder = QLineEdit(settings.coder, general)
        self.auto = QCheckBox("Transcribe imported audio right away", general)
        self.auto.setChecked(settings.transcribe_after_import)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(general)
        form.addRow("Jump back/forward (F3/F5)", self.skip)
        form.addRow("Rewind when resuming", self.rewind)
        form.addRow("Your coder name (new projects)", self.coder)
        form.addRow("", self.auto)
        self.models = ModelsPage(
            self.tabs, cache_dir=models_cache_dir, project=project, transcribing=transcribing
        )
        self.tabs.addTab(general, "General")
        self.tabs.addTab(self.models, "Models")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        # as wide as the Models table's columns (ModelsPage.sizeHint): Qt opens a dialog at
        # most 2/3 of the screen wide, the screen itself is the limit here
        screen = self.screen()
        room = screen.availableGeometry().size() if screen is not None else self.sizeHint()
        self.resize(self.sizeHint().boundedTo(room))

    def done(self, result: int) -> None:
        self.models.shutdown()  # a download stops (resumable); a measurement ends
        super().done(result)

    def accept(self) -> None:
        self.settings.skip_s = self.skip.value()
        self.settings.rewind_s = self.rewind.value()
        if self.coder.text().strip():
            self.settings.coder = self.coder.text()
        self.settings.transcribe_after_import = self.auto.isChecked()
        super().accept()


def _str_list(value: object) -> list[str]:
    """A QSettings list value (a lone string when it held one item, None when empty)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []

"""The start page: new, open, recent projects, a project from a team bundle or a .qdpx, and the
demo offered on first start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.qtcompat import emit


class StartPage(QWidget):
    """Shown while no project is open."""

    new_requested = Signal()
    open_requested = Signal()
    demo_requested = Signal()
    recent_requested = Signal(str)
    from_bundle_requested = Signal()
    qdpx_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h1>FieldScribe</h1>", self)
        subtitle = QLabel(
            "Record or import focus groups and interviews, transcribe them on this computer "
            "(the audio never leaves it), then code, retrieve and share.",
            self,
        )
        subtitle.setWordWrap(True)
        self.banner = QFrame(self)
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setStyleSheet("QFrame { background: #fff6d6; border-radius: 6px; }")
        banner_text = QLabel(
            "<b>New here?</b> Open the demo project: a 51-second focus group about online "
            "public services, transcribed in the background on this computer.",
            self.banner,
        )
        banner_text.setWordWrap(True)
        self.demo_button = QPushButton("Open the demo project", self.banner)
        self.demo_button.clicked.connect(self.demo_requested)
        row = QHBoxLayout(self.banner)
        row.addWidget(banner_text, 1)
        row.addWidget(self.demo_button)

        new = QPushButton("New project…", self)
        new.clicked.connect(self.new_requested)
        open_ = QPushButton("Open project…", self)
        open_.clicked.connect(self.open_requested)
        demo = QPushButton("Demo project", self)
        demo.clicked.connect(self.demo_requested)
        buttons = QHBoxLayout()
        for b in (new, open_, demo):
            b.setMinimumHeight(34)
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.from_bundle = QPushButton("Start from a team bundle…", self)
        self.from_bundle.setToolTip(
            "Your lead sent you a .fsbundle: start your own copy of the project from it, code, "
            "then send your bundle back (Team ▸ Export a bundle…)"
        )
        self.from_bundle.clicked.connect(self.from_bundle_requested)
        self.import_qdpx = QPushButton("Import a REFI-QDA project (.qdpx)…", self)
        self.import_qdpx.setToolTip("A project exported by NVivo, ATLAS.ti, MAXQDA or QualCoder")
        self.import_qdpx.clicked.connect(self.qdpx_requested)
        team_label = QLabel("<b>Working in a team, or coming from another tool?</b>", self)
        team_row = QHBoxLayout()
        for b in (self.from_bundle, self.import_qdpx):
            b.setMinimumHeight(30)
            team_row.addWidget(b)
        team_row.addStretch(1)

        self.recent = QListWidget(self)
        self.recent.itemActivated.connect(
            lambda item: emit(self.recent_requested, item.data(Qt.ItemDataRole.UserRole))
        )
        self.recent.setMaximumHeight(220)
        self.recent_label = QLabel(
            "<b>Recent projects</b> (double-click or Enter opens one; "
            "you can also drop a project folder on this window)",
            self,
        )

        inner = QVBoxLayout()
        inner.addWidget(title)
        inner.addWidget(subtitle)
        inner.addSpacing(12)
        inner.addWidget(self.banner)
        inner.addSpacing(12)
        inner.addLayout(buttons)
        inner.addSpacing(12)
        inner.addWidget(team_label)
        inner.addLayout(team_row)
        inner.addSpacing(12)
        inner.addWidget(self.recent_label)
        inner.addWidget(self.recent)
        inner.addStretch(1)
        box = QWidget(self)
        box.setLayout(inner)
        box.setMaximumWidth(760)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 4)
        outer.addStretch(1)
        outer.setAlignment(Qt.AlignmentFlag.AlignTop)

    def set_recent(self, folders: list[str]) -> None:
        """Show the recent projects that still exist."""
        self.recent.clear()
        for folder in folders:
            path = Path(folder)
            if (path / "project.db").is_file():
                item = QListWidgetItem(f"{path.stem}  —  {path.parent}")  # the name first
                item.setData(Qt.ItemDataRole.UserRole, folder)
                item.setToolTip(folder)
                self.recent.addItem(item)
        visible = self.recent.count() > 0
        self.recent.setVisible(visible)
        self.recent_label.setVisible(visible)

    def show_demo_offer(self, show: bool) -> None:
        """Show the first-start banner."""
        self.banner.setVisible(show)

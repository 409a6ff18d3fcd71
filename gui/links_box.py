"""The codebook's Links list: the selected code's links both ways, with Add link… and Remove
link (the actions are the codebook panel's, so they are in its context menu too)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QVBoxLayout, QWidget

from gui.action_bar import ActionBar
from gui.models.links import LinkListModel
from storage.codebook.links import Link


class LinksBox(QWidget):
    """A title ("Links of “Health” (2)"), the list, and the two actions' buttons."""

    def __init__(self, add: QAction, remove: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LinkListModel(self)
        self.title = QLabel("Links", self)
        self.title.setWordWrap(True)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAccessibleName("Links of the selected code")
        self.buttons = ActionBar([add, remove], self)
        self._remove = remove
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._update())
        self.model.modelReset.connect(self._update)
        self._name: str | None = None
        self._update()

    def show_code(self, code_id: str | None, name: str | None) -> None:
        """Show this code's links (None: no code selected)."""
        self._name = name
        self.model.show_code(code_id)

    def current_link(self) -> Link | None:
        """The link selected in the list."""
        index = self.view.currentIndex()
        return self.model.link(index.row()) if index.isValid() else None

    def _update(self) -> None:
        n = self.model.rowCount()
        if self._name is None:
            self.title.setText("Links (select a code)")
        else:
            self.title.setText(
                f"Links of “{self._name}” ({n})" if n else f"No links of “{self._name}”"
            )
        self._remove.setEnabled(self.current_link() is not None)

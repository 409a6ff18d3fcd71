"""The links of one code, both ways, as the codebook's Links list shows them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from storage.codebook.links import Link

Index = QModelIndex | QPersistentModelIndex


def _short(label: str) -> str:
    """A code's label without its kind (``code 'Health'`` -> ``Health``); others as they are."""
    if label.startswith("code '") and label.endswith("'"):
        return label[len("code '") : -1]
    return label


def seen_from(link: Link, code_id: str) -> str:
    """The link as read from one of its ends: ``→ is cause of → Health`` from its origin,
    ``Access/Transport → is cause of →`` from its target."""
    arrow = link.arrow
    if link.origin.kind == "code" and link.origin.id == code_id:
        return f"{arrow} {link.name} {arrow} {_short(link.target.label)}"
    return f"{_short(link.origin.label)} {arrow} {link.name} {arrow}"


class LinkListModel(QAbstractListModel):
    """The links with a code at either end (``load``), each read from that code."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[Link] = []
        self._code_id: str | None = None
        self._rows: list[Link] = []

    def load(self, links: list[Link]) -> None:
        """Every link of the project (the codebook's reading)."""
        self._all = list(links)
        self.show_code(self._code_id)

    def show_code(self, code_id: str | None) -> None:
        """Show the links of this code (None: none)."""
        self.beginResetModel()
        self._code_id = code_id
        self._rows = [
            k
            for k in self._all
            if code_id is not None
            and (
                (k.origin.kind == "code" and k.origin.id == code_id)
                or (k.target.kind == "code" and k.target.id == code_id)
            )
        ]
        self.endResetModel()

    def links(self) -> list[Link]:
        """Every link of the project, as last loaded."""
        return list(self._all)

    def link(self, row: int) -> Link | None:
        """The link shown at ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        link = self.link(index.row()) if index.isValid() else None
        if link is None or self._code_id is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return seen_from(link, self._code_id)
        if role == Qt.ItemDataRole.ToolTipRole:
            memo = f"\n{link.memo}" if link.memo else ""
            return f"{link.describe()}{memo}\n(by {link.created_by})"
        return None

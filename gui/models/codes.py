"""The codebook tree model: nested ``Code``s with colours and frequencies, drag-and-drop."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPixmap

from gui.fmt import plural
from gui.models.segments import CODE_MIME
from gui.qtcompat import emit
from storage.core.models import Code
from storage.core.names import name_order

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def colour_icon(colour: str, size: int = 12) -> QIcon:
    """A small square icon in a code's colour."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class CodeTreeModel(QAbstractItemModel):
    """The codebook as a tree: name (with colour) and number of codings."""

    rename_requested = Signal(str, str)  # code id, new name
    move_requested = Signal(str, object)  # code id, new parent id (None = top level)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._codes: dict[str, Code] = {}
        self._children: dict[str | None, list[str]] = {None: []}
        self._keys: list[str] = []  # internal ids -> code ids
        self._key_of: dict[str, int] = {}
        self._freq: dict[str, int] = {}
        self._icons: dict[str, QIcon] = {}

    def load(self, codes: list[Code], frequencies: dict[str, int]) -> None:
        """Replace the codebook."""
        self.beginResetModel()
        self._codes = {c.id: c for c in codes}
        self._children = {None: []}
        # in the alphabet's order: Kazakh's ә, қ, ү... after я (and і before а) no longer
        for code in sorted(codes, key=lambda c: name_order(c.name)):
            parent = code.parent_id if code.parent_id in self._codes else None
            self._children.setdefault(parent, []).append(code.id)
        self._keys = list(self._codes)
        self._key_of = {cid: i for i, cid in enumerate(self._keys)}
        self._freq = dict(frequencies)
        self._icons = {}
        self.endResetModel()

    # ------------------------------------------------------------------ access
    def code(self, index: Index) -> Code | None:
        """The code at an index."""
        if not index.isValid():
            return None
        return self._codes.get(self._keys[index.internalId()])

    def codes(self) -> list[Code]:
        """Every code, in tree order (depth first)."""
        out: list[Code] = []

        def walk(parent: str | None) -> None:
            for cid in self._children.get(parent, []):
                out.append(self._codes[cid])
                walk(cid)

        walk(None)
        return out

    def index_of(self, code_id: str) -> QModelIndex:
        """The index of a code id (invalid if unknown)."""
        code = self._codes.get(code_id)
        if code is None:
            return QModelIndex()
        parent = code.parent_id if code.parent_id in self._codes else None
        row = self._children.get(parent, []).index(code_id)
        return self.createIndex(row, 0, self._key_of[code_id])

    def frequency(self, code_id: str, *, with_subcodes: bool = False) -> int:
        """Codings of a code (optionally with its sub-codes)."""
        total = self._freq.get(code_id, 0)
        if with_subcodes:
            for child in self._children.get(code_id, []):
                total += self.frequency(child, with_subcodes=True)
        return total

    # ------------------------------------------------------------------ Qt model API
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        parent_id = self._keys[parent.internalId()] if parent.isValid() else None
        children = self._children.get(parent_id, [])
        if not 0 <= row < len(children) or not 0 <= column < 2:
            return QModelIndex()
        return self.createIndex(row, column, self._key_of[children[row]])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        code = self._codes[self._keys[index.internalId()]]
        if code.parent_id is None or code.parent_id not in self._codes:
            return QModelIndex()
        return self.index_of(code.parent_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        parent_id = self._keys[parent.internalId()] if parent.isValid() else None
        return len(self._children.get(parent_id, []))

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return ("Code", "N")[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                "Codes; drag one onto another to nest it, onto segments to code them",
                "Codings of the code; “2 (5)”: 2 on the code itself, 5 with its sub-codes",
            )[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        code = self.code(index)
        if code is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return code.name
            own = self._freq.get(code.id, 0)
            total = self.frequency(code.id, with_subcodes=True)
            return str(own) if own == total else f"{own} ({total})"
        if role == Qt.ItemDataRole.EditRole and col == 0:
            return code.name
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            icon = self._icons.get(code.colour)
            if icon is None:
                icon = self._icons[code.colour] = colour_icon(code.colour)
            return icon
        if role == Qt.ItemDataRole.ToolTipRole:
            desc = f"\n{code.description}" if code.description else ""
            n = self.frequency(code.id, with_subcodes=True)
            return f"{code.path} — {plural(n, 'coding')}{desc}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == CODE_ROLE:
            return code
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemIsDropEnabled
        )
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        code = self.code(index)
        if code is None or role != Qt.ItemDataRole.EditRole:
            return False
        name = str(value).strip()
        if name and name != code.name:
            emit(self.rename_requested, code.id, name)
            return True
        return False

    # ------------------------------------------------------------------ drag and drop
    def mimeTypes(self) -> list[str]:
        return [CODE_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        ids = list(dict.fromkeys(c.id for i in indexes if (c := self.code(i)) is not None))
        data = QMimeData()
        data.setData(CODE_MIME, " ".join(ids).encode())
        data.setText("\n".join(self._codes[i].path for i in ids))
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not data.hasFormat(CODE_MIME):
            return False
        target = self.code(parent)
        target_id = target.id if target is not None else None
        for code_id in bytes(data.data(CODE_MIME).data()).decode().split():
            known = code_id != target_id and code_id in self._codes
            if known and self._codes[code_id].parent_id != target_id:
                emit(self.move_requested, code_id, target_id)
        return False  # the window reloads the tree after the move ran

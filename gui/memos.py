"""Memos on sessions, segments, codes and the project journal: a small list-and-editor dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storage.core.models import Memo

if TYPE_CHECKING:
    from gui.tasks import TaskRunner
    from storage import Project

MEMO_ROLE = Qt.ItemDataRole.UserRole + 1


class MemoDialog(QDialog):
    """All memos of one target (or the journal); add, edit and delete them."""

    def __init__(
        self,
        project: Project,
        runner: TaskRunner,
        target_type: str,
        target_id: str | None,
        heading: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.project, self.runner = project, runner
        self.target_type, self.target_id = target_type, target_id
        self.setWindowTitle(heading)
        self.resize(640, 420)
        self.list = QListWidget(self)
        self.list.currentItemChanged.connect(self._show)
        self.title = QLineEdit(self)
        self.title.setPlaceholderText("Title (optional)")
        self.text = QPlainTextEdit(self)
        self.text.setPlaceholderText("Write the memo here.")
        self.info = QLabel(self)
        new_btn = QPushButton("New memo", self)
        new_btn.clicked.connect(self._new)
        save_btn = QPushButton("Save", self)
        save_btn.setDefault(True)
        save_btn.clicked.connect(self.save)
        del_btn = QPushButton("Delete", self)
        del_btn.clicked.connect(self._delete)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.text)
        right.addWidget(self.info)
        buttons = QHBoxLayout()
        for b in (new_btn, save_btn, del_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(right, 2)
        self.current: Memo | None = None
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the memos (a quick read on the GUI thread)."""
        memos = self.project.codebook.memos(self.target_type, self.target_id)
        self.list.clear()
        for memo in memos:
            label = memo.title or (memo.text.splitlines()[0][:40] if memo.text else "(empty)")
            item = QListWidgetItem(f"{label}  ·  {memo.created_by}")
            item.setData(MEMO_ROLE, memo)
            self.list.addItem(item)
            if memo.id == select:
                self.list.setCurrentItem(item)
        if select is None and self.list.count():
            self.list.setCurrentRow(self.list.count() - 1)
        if not self.list.count():
            self._new()

    def _show(self, item: QListWidgetItem | None) -> None:
        memo = item.data(MEMO_ROLE) if item else None
        self.current = memo
        self.title.setText(memo.title or "" if memo else "")
        self.text.setPlainText(memo.text if memo else "")
        self.info.setText(f"{memo.created_by}, {memo.updated_at[:16]}" if memo else "New memo")

    def _new(self) -> None:
        self.list.setCurrentRow(-1)
        self.current = None
        self.title.clear()
        self.text.clear()
        self.info.setText("New memo")
        self.text.setFocus()

    def save(self) -> None:
        """Write the memo being edited (in the background)."""
        text, title = self.text.toPlainText(), self.title.text().strip() or None
        current = self.current
        project, tt, tid = self.project, self.target_type, self.target_id

        def job(_ctx: object) -> Memo:
            if current is None:
                return project.codebook.add_memo(tt, tid, text, title=title)
            return project.codebook.update_memo(current.id, text, title=title)

        self.runner.submit("Save memo", job, on_done=lambda m: self.reload(m.id), serial=True)

    def _delete(self) -> None:
        if self.current is None:
            return
        memo_id, project = self.current.id, self.project
        self.runner.submit(
            "Delete memo",
            lambda _ctx: project.codebook.delete_memo(memo_id),
            on_done=lambda _r: self.reload(),
            serial=True,
        )

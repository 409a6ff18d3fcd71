"""Memos on sessions, segments, codes and the project journal: a small list-and-editor dialog;
under the editor, the shown memo's links (refreshed when links change: ``show_links``)."""

from __future__ import annotations

from collections.abc import Callable
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
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.fit import fit_list
from gui.fmt import fmt_when
from gui.link_actions import end_link_lines
from storage.codebook.codebook import memo_label
from storage.codebook.links import Link
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
        on_changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.project, self.runner = project, runner
        self.on_changed = on_changed  # the memos were written (called after this closes too)
        self.target_type, self.target_id = target_type, target_id
        self.setWindowTitle(heading)
        self.resize(640, 420)
        self.list = QListWidget(self)
        fit_list(self.list)  # a long label wraps, whole in its tooltip; no sideways scrolling
        self.list.currentItemChanged.connect(self._show)
        self.title = QLineEdit(self)
        self.title.setPlaceholderText("Title (optional)")
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)  # Tab goes on to the buttons (it typed a tab)
        self.text.setPlaceholderText("Write the memo here.")
        self.info = QLabel(self)
        self.links = QLabel(self)  # the shown memo's links ("Link: → is about → code 'X'")
        self.links.setWordWrap(True)
        self.links.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.links.setAccessibleName("Links of this memo")
        new_btn = QPushButton("New memo", self)
        new_btn.clicked.connect(self._new)
        save_btn = QPushButton("Save", self)
        save_btn.setDefault(True)
        save_btn.clicked.connect(self.save)
        del_btn = QPushButton("Delete", self)
        del_btn.clicked.connect(self._delete)
        # greyed out while the editor shows a new, unsaved memo: there is nothing to delete
        self.delete_button = del_btn
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.text)
        right.addWidget(self.info)
        right.addWidget(self.links)
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
        self._baseline = ("", "")  # the text and title as saved, of what the editor shows
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the memos (a quick read on the GUI thread)."""
        # blind coding: other coders' memos on this session, segment or code stay hidden
        memos = self.project.team.visible_memos(self.target_type, self.target_id)
        self.list.blockSignals(True)  # rebuilding the list is not the user moving on
        self.list.clear()
        for memo in memos:
            label = memo_label(memo.title, memo.text, 40)
            item = QListWidgetItem(f"{label}  ·  {memo.created_by}")
            item.setToolTip(f"{memo_label(memo.title, memo.text, 200)}\n{self._written(memo)}")
            item.setData(MEMO_ROLE, memo)
            self.list.addItem(item)
            if memo.id == select:
                self.list.setCurrentItem(item)
        if select is None and self.list.count():
            self.list.setCurrentRow(self.list.count() - 1)
        self.list.blockSignals(False)
        # no memos yet: no list (an empty white third of the dialog, unnamed, read as broken);
        # it comes with the first memo saved
        self.list.setVisible(bool(self.list.count()))
        if not self.list.count():
            self._new()
        else:
            current = self.list.currentItem()
            self._display(current.data(MEMO_ROLE) if current is not None else None)

    def _dirty(self) -> bool:
        """True when the editor holds text that is not saved."""
        return (self.text.toPlainText(), self.title.text().strip()) != self._baseline

    def _settle(self, select: str | None = None) -> bool:
        """Before the editor shows something else: unsaved text is saved or dropped, as the
        user says. False: stay (Cancel). ``select``: the memo to show once it is saved."""
        if not self._dirty():
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self,
            "Unsaved memo",
            "Save the changes to this memo before going on?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Cancel:
            return False
        if answer == buttons.Save:
            self.save(select=select)
        return True

    def reject(self) -> None:
        """Close, asking first when the memo being written is not saved."""
        if self._settle(select=""):
            super().reject()

    def _show(self, item: QListWidgetItem | None, previous: QListWidgetItem | None = None) -> None:
        memo = item.data(MEMO_ROLE) if item else None
        if self._dirty() and not self._settle(select=memo.id if memo else None):
            self.list.blockSignals(True)  # Cancel: back to the memo being written
            if previous is None:
                self.list.setCurrentRow(-1)
            else:
                self.list.setCurrentItem(previous)
            self.list.blockSignals(False)
            return
        self._display(memo)

    def _display(self, memo: Memo | None) -> None:
        """Show ``memo`` (None: a new one) in the editor."""
        self.current = memo
        self.title.setText(memo.title or "" if memo else "")
        self.text.setPlainText(memo.text if memo else "")
        self._baseline = (self.text.toPlainText(), self.title.text().strip())
        self.info.setText(self._written(memo) if memo else "New memo")
        self.delete_button.setEnabled(memo is not None)
        self.show_links()

    def show_links(self, links: list[Link] | None = None) -> None:
        """Show the shown memo's links among ``links`` (every link of the project, as the
        window has just re-read them after a link was added, removed or undone; None: read
        the memo's own here). Before, the window showed no links: a memo linked from Memos ▸
        Link a memo… while it was open looked unlinked."""
        memo = self.current
        if memo is None:
            self.links.clear()
            self.links.hide()
            return
        if links is None:
            links = self.project.links.of("memo", memo.id)
        lines = end_link_lines(links, ("memo", memo.id))
        self.links.setText("\n".join(lines))
        self.links.setVisible(bool(lines))

    @staticmethod
    def _written(memo: Memo) -> str:
        """Who wrote the memo and when, in this computer's time (the project keeps UTC)."""
        return f"{memo.created_by}, {fmt_when(memo.updated_at)}"

    def _new(self) -> None:
        if not self._settle():
            return
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self.current = None
        self.title.clear()
        self.text.clear()
        self._baseline = ("", "")
        self.info.setText("New memo")
        self.delete_button.setEnabled(False)
        self.show_links()
        self.text.setFocus()

    def save(self, *, select: str | None = None) -> None:
        """Write the memo being edited (in the background), then show it (or the memo
        ``select``; "" when the dialog is closing: nothing to show)."""
        text, title = self.text.toPlainText(), self.title.text().strip() or None
        if not text.strip() and not title:
            self.info.setText("Nothing to save: write the memo first.")
            return
        current = self.current
        project, tt, tid = self.project, self.target_type, self.target_id

        def job(_ctx: object) -> Memo:
            if current is None:
                return project.codebook.add_memo(tt, tid, text, title=title)
            # "": a title cleared in the editor is cleared in the memo too
            return project.codebook.update_memo(current.id, text, title=title or "")

        self._baseline = (text, title or "")  # saved as written: leaving asks nothing more
        notify = self.on_changed

        def done(memo: Memo) -> None:
            if notify is not None:
                notify()
            if select != "":  # "": the dialog is closing (deleted by then)
                self.reload(select or memo.id)

        self.runner.submit("Save memo", job, on_done=done, serial=True)

    def _delete(self) -> None:
        if self.current is None:
            return
        label = memo_label(self.current.title, self.current.text, 40)
        answer = QMessageBox.question(
            self,
            "Delete the memo?",
            f"Delete the memo “{label}” ({self.current.created_by})? This cannot be undone.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        memo_id, project = self.current.id, self.project
        self.runner.submit(
            "Delete memo",
            lambda _ctx: project.codebook.delete_memo(memo_id),
            on_done=lambda _r: self._deleted(),
            serial=True,
        )

    def _deleted(self) -> None:
        if self.on_changed is not None:
            self.on_changed()
        self.reload()

"""The Memos menu: the project journal and the memos of a session, a segment or a code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from gui.edit_scope import EditScope
from gui.fmt import fmt_ms
from gui.memos import MemoDialog
from gui.tasks import TaskRunner
from storage.codebook.links import Link


class MemoActions:
    """Opens memo dialogs for what the user has selected."""

    def __init__(
        self,
        scope: EditScope,
        runner: TaskRunner,
        current_segment: Callable[[], Any],
    ) -> None:
        self.state, self.chrome, self.views = scope.state, scope.chrome, scope.views
        self.runner = runner
        self.current_segment = current_segment
        self.open: list[MemoDialog] = []  # the memo windows open now (``links_changed``)

    def memo_dialog(
        self, target_type: str, target_id: str | None, heading: str
    ) -> MemoDialog | None:
        """Open the memos of a target."""
        if self.state.project is None:
            return None
        project = self.state.project
        on_changed = None
        if target_type == "segment" and target_id is not None:
            segment_id = target_id

            def on_changed() -> None:  # the transcript marks the segment's memos
                mine = project.coder if project.team.blind_coding else None
                labels = project.codebook.segment_memo_labels_of(segment_id, author=mine)
                self.views.segment_model.set_segment_memos(segment_id, labels)

        dialog = MemoDialog(
            project,
            self.runner,
            target_type,
            target_id,
            heading,
            self.chrome.window,
            on_changed=on_changed,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.open.append(dialog)
        dialog.destroyed.connect(lambda *_: self._closed(dialog))
        dialog.show()
        return dialog

    def _closed(self, dialog: MemoDialog) -> None:
        if dialog in self.open:
            self.open.remove(dialog)

    def links_changed(self, links: list[Link]) -> None:
        """The project's links as just re-read (a link added, removed, undone): each open
        memo window shows its memo's."""
        for dialog in self.open:
            dialog.show_links(links)

    def journal_dialog(self) -> MemoDialog | None:
        """The project journal."""
        return self.memo_dialog("journal", None, "Project journal")

    def session_memo(self) -> None:
        if self.state.session is None:
            self.chrome.message("Select a session first: its memos open here.", 5000)
            return
        self.memo_dialog("session", self.state.session.id, f"Memos: {self.state.session.title}")

    def segment_memo(self) -> None:
        seg = self.current_segment()
        if seg is None:
            self.chrome.message("Select a segment of the transcript first.", 5000)
            return
        self.memo_dialog(
            "segment", seg.id, f"Memos on the segment at {fmt_ms(seg.start_ms, tenths=True)}"
        )

    def code_memo(self, code_id: str | None) -> None:
        code = (
            self.views.codebook.current_code()
            if code_id is None
            else self.views.segment_model.code(code_id)
        )
        if code is None:
            self.chrome.message("Select a code in the codebook first: its memos open here.", 5000)
            return
        self.memo_dialog("code", code.id, f"Memos on code {code.path}")

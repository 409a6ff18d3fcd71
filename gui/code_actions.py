"""Edits of the codebook: new, rename, move, recolour, describe, merge, delete codes (undoable)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QMessageBox, QWidget

from gui.ask_dialog import AskDialog
from gui.edit_scope import EditScope
from gui.fmt import plural
from gui.undo import AddCodeCommand, DeleteCodeCommand, MergeCodesCommand, UpdateCodeCommand
from storage.core.models import Code


def pick_code(parent: QWidget, codes: list[Any], title: str, prompt: str) -> Any:
    """One of ``codes`` chosen by its path in a list (None: cancelled)."""
    paths = [c.path for c in codes]
    path, ok = AskDialog.ask(parent, title, prompt, paths[0] if paths else "", items=paths)
    return codes[paths.index(path)] if ok and path in paths else None


class CodeActions:
    """Turns the codebook's requests into undoable commands (``push``)."""

    def __init__(self, scope: EditScope) -> None:
        self.state, self.chrome, self.views = scope.state, scope.chrome, scope.views
        self._push = scope.push
        # a code just created (name, parent id): selected once the codebook is read again,
        # so that Sub-code, Colour… and coding apply to it
        self._new_code: tuple[str, str | None] | None = None

    def take_new_code(self, codes: list[Code]) -> Code | None:
        """The code just created, once a reading holds it (one begun before it was added
        does not: it is looked for again in the next)."""
        created = self._new_code
        new = next((c for c in codes if created and (c.name, c.parent_id) == created), None)
        if new is not None:
            self._new_code = None
        return new

    def add_code_dialog(self, parent_id: str | None) -> None:
        if self.state.ctx is None:
            return
        where = self.views.codebook.model.index_of(parent_id).data() if parent_id else None
        label = f"New code under “{where}”:" if where else "New code:"
        name, ok = AskDialog.ask(self.chrome.window, "New code", label)
        if ok and name.strip():
            self.add_code(name.strip(), parent_id)

    def add_code(self, name: str, parent_id: str | None = None, colour: str | None = None) -> None:
        """Create a code (undoable)."""
        if self.state.ctx is not None:
            self._new_code = (name, parent_id)
            self._push(AddCodeCommand(self.state.ctx, name, parent_id, colour))

    def update_code(self, code_id: str, new: dict[str, Any], text: str) -> None:
        if self.state.ctx is None or self.state.project is None:
            return
        code = self.views.codebook.model.code(self.views.codebook.model.index_of(code_id))
        if code is None:
            return
        old = {k: getattr(code, k) for k in new}
        if "description" in old and old["description"] is None:
            old["description"] = ""
        self._push(UpdateCodeCommand(self.state.ctx, code_id, old, new, text))

    def recolour_dialog(self, code_id: str) -> None:
        code = self.views.segment_model.code(code_id)
        colour = QColorDialog.getColor(
            QColor(code.colour if code else "#888888"), self.chrome.window
        )
        if colour.isValid():
            self.update_code(code_id, {"colour": colour.name()}, "Recolour code")

    def describe_dialog(self, code_id: str) -> None:
        code = self.views.segment_model.code(code_id)
        text, ok = AskDialog.ask(
            self.chrome.window,
            "Describe code",
            "Description (when to use this code):",
            (code.description or "") if code else "",
            multiline=True,
        )
        if ok:
            self.update_code(code_id, {"description": text}, "Describe code")

    def merge_code_dialog(self, code_id: str) -> None:
        if self.state.project is None:
            return
        model = self.views.codebook.model
        source = model.code(model.index_of(code_id))
        if source is None:
            return
        # a code cannot merge into itself or one of its own sub-codes
        codes = [
            c for c in model.codes() if c.id != code_id and not c.path.startswith(source.path + "/")
        ]
        if not codes:
            self.chrome.message(f"There is no other code to merge “{source.name}” into.")
            return
        prompt = f"Merge “{source.path}” (its codings, sub-codes and memos) into:"
        chosen = pick_code(self.chrome.window, codes, "Merge code", prompt)
        if chosen is not None:
            self.merge_codes(code_id, chosen.id)

    def merge_codes(self, source_id: str, target_id: str) -> None:
        """Merge one code into another: its codings, sub-codes and memos move (undoable)."""
        if self.state.ctx is not None:
            self._push(MergeCodesCommand(self.state.ctx, source_id, target_id))

    def delete_code_dialog(self, code_id: str) -> None:
        if self.state.project is None:
            return
        model = self.views.codebook.model
        n = model.frequency(code_id, with_subcodes=True)
        code = model.code(model.index_of(code_id))
        name = code.path if code else "this code"
        if n:
            subs = " (with its sub-codes)" if model.rowCount(model.index_of(code_id)) else ""
            answer = QMessageBox.question(
                self.chrome.window,
                "Delete code",
                f"“{name}”{subs} has {plural(n, 'coding')}. Delete the code and its "
                "codings? (Edit ▸ Undo brings them back; merging it into another code keeps "
                "them.)",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.delete_code(code_id, force=bool(n))

    def delete_code(self, code_id: str, *, force: bool = False) -> None:
        """Delete a code with its sub-codes (``force`` when it has codings); undoable."""
        if self.state.ctx is not None:
            self._push(DeleteCodeCommand(self.state.ctx, code_id, force=force))

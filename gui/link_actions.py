"""Links of the codebook: Add link… asks the other code, the link's name and its direction;
Remove link removes the link selected in the Links list. Both are undoable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gui.ask_dialog import AskDialog
from gui.code_actions import pick_code
from gui.edit_scope import EditScope
from gui.undo import EditContext, Outcome, RecordedCommand
from storage.codebook.links import DIRECTION_WORDS, Link
from storage.history.undo import UndoScope

#: names offered first when a link is added (any other can be typed)
SUGGESTED_NAMES = ("is cause of", "is part of", "contradicts", "is associated with")
#: the direction choices, as the dialog words them
DIRECTIONS = {
    "one way (from the first code to the other)": "one-way",
    "both ways": "both",
    "no direction": "none",
}

if TYPE_CHECKING:
    from storage import Project


class AddLinkCommand(RecordedCommand):
    """Link two codes (undo removes the link; redo brings it back with its id)."""

    def __init__(
        self, ctx: EditContext, origin: str, target: str, name: str, direction: str
    ) -> None:
        super().__init__(ctx, f"Add link “{name}”")
        self.origin, self.target, self.name, self.direction = origin, target, name, direction
        self.said = ""

    def scope(self, project: Project) -> UndoScope:
        return UndoScope()

    def operate(self, project: Project) -> Link:
        link = project.links.add(
            ("code", self.origin),
            ("code", self.target),
            self.name,
            direction=DIRECTION_WORDS[self.direction],
        )
        self.said = f"Linked {link.describe()}"
        return link

    def grows(self, result: Any) -> UndoScope:
        return UndoScope.of(links=[result.id])

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        return Outcome(
            codebook_changed=True, message=f"Undone: {self.said}" if undone else self.said
        )


class RemoveLinkCommand(RecordedCommand):
    """Remove one link (undo brings it back with its id)."""

    def __init__(self, ctx: EditContext, link: Link) -> None:
        super().__init__(ctx, f"Remove link “{link.name}”")
        self.link = link

    def scope(self, project: Project) -> UndoScope:
        return UndoScope.of(links=[self.link.id])

    def operate(self, project: Project) -> None:
        project.links.remove(self.link.id)

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        said = f"Removed link {self.link.describe()}"
        return Outcome(codebook_changed=True, message=f"Undone: {said}" if undone else said)


class LinkActions:
    """Turns the codebook's link requests into undoable commands."""

    def __init__(self, scope: EditScope) -> None:
        self.state, self.chrome, self.views = scope.state, scope.chrome, scope.views
        self._push = scope.push

    def add_link_dialog(self, code_id: str) -> None:
        """Ask the other code, the name and the direction; link them (undoable)."""
        if self.state.ctx is None:
            return
        model = self.views.codebook.model
        source = model.code(model.index_of(code_id))
        others = [c for c in model.codes() if c.id != code_id]
        if source is None or not others:
            self.chrome.message("There is no other code to link this code to.")
            return
        target = pick_code(self.chrome.window, others, "Add link", f"Link “{source.path}” to:")
        if target is None:
            return
        used = sorted({k.name for k in self.views.codebook.links.model.links()})
        names = [*SUGGESTED_NAMES, *(n for n in used if n not in SUGGESTED_NAMES)]
        name, ok = AskDialog.ask(
            self.chrome.window,
            "Add link",
            f"“{source.path}” … “{target.path}”: the link's name",
            names[0],
            items=names,
            editable=True,
        )
        if not ok or not name.strip():
            return
        words = list(DIRECTIONS)
        direction, ok = AskDialog.ask(
            self.chrome.window, "Add link", "Direction:", words[0], items=words
        )
        if not ok or direction not in DIRECTIONS:
            return
        self.add_link(code_id, target.id, name.strip(), DIRECTIONS[direction])

    def add_link(self, origin: str, target: str, name: str, direction: str = "one-way") -> None:
        """Link two codes (undoable); a refusal (the same link again) is said in the status
        bar by the command's error."""
        if self.state.ctx is not None:
            self._push(AddLinkCommand(self.state.ctx, origin, target, name, direction))

    def remove_link(self, link: Link) -> None:
        """Remove a link (undoable)."""
        if self.state.ctx is not None:
            self._push(RemoveLinkCommand(self.state.ctx, link))

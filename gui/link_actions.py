"""Links: the codebook's Add link… asks the other code, the link's name and its direction;
Remove link removes the link selected in the Links list; Code ▸ Link passage to… (also the
transcript's right-click menu) links one of the current segment's codings to a code, another
passage of its session, a memo, a participant or the session (as ATLAS.ti links a quotation to
a code or another quotation); Memos ▸ Link a memo… links a memo so; Code ▸ Link… asks both
ends, of every kind (a participant or a session first too). All are undoable; the segment
editor's hover shows a passage's links (``passage_link_lines``), a memo's window the memo's
(``end_link_lines``)."""

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


End = tuple[str, str]


class AddLinkCommand(RecordedCommand):
    """Link two ends, each ``(kind, id)`` (undo removes the link; redo brings it back with its
    id)."""

    def __init__(
        self, ctx: EditContext, origin: End, target: End, name: str, direction: str
    ) -> None:
        super().__init__(ctx, f"Add link “{name}”")
        self.origin, self.target, self.name, self.direction = origin, target, name, direction
        self.said = ""

    def scope(self, project: Project) -> UndoScope:
        return UndoScope()

    def operate(self, project: Project) -> Link:
        link = project.links.add(
            self.origin,
            self.target,
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
        asked = self._name_and_direction("Add link", f"“{source.path}” … “{target.path}”")
        if asked is not None:
            self.add_link(code_id, target.id, *asked)

    def _name_and_direction(self, title: str, between: str) -> tuple[str, str] | None:
        """Ask a link's name (suggested and used names offered, any typed) and direction."""
        used = sorted({k.name for k in self.views.codebook.links.model.links()})
        names = [*SUGGESTED_NAMES, *(n for n in used if n not in SUGGESTED_NAMES)]
        name, ok = AskDialog.ask(
            self.chrome.window,
            title,
            f"{between}: the link's name",
            names[0],
            items=names,
            editable=True,
        )
        if not ok or not name.strip():
            return None
        words = list(DIRECTIONS)
        direction, ok = AskDialog.ask(
            self.chrome.window, title, "Direction:", words[0], items=words
        )
        if not ok or direction not in DIRECTIONS:
            return None
        return name.strip(), DIRECTIONS[direction]

    def link_passage_dialog(self, coding_id: str, session_id: str) -> None:
        """Ask what to link passage ``coding_id`` to (a code, another passage of the session,
        a memo, a participant, the session), the name and the direction; link them."""
        self.link_from_dialog(("coding", coding_id), session_id, "Link passage", "The passage")

    def link_memo_dialog(self, session_id: str | None) -> None:
        """Ask which memo to link (those the coder may see), then what to link it to (a code,
        a passage of the session shown, another memo, a participant, a session), the name and
        the direction; link them."""
        if self.state.ctx is None:
            return
        project = self.state.ctx.project
        memos = project.team.visible_memos()
        if not memos:
            self.chrome.message("There are no memos to link yet (Memos ▸ Project journal…).")
            return
        labels = [project.links.label("memo", m.id) for m in memos]
        label, ok = AskDialog.ask(
            self.chrome.window, "Link a memo", "Memo:", labels[0], items=labels
        )
        if ok and label in labels:
            memo = ("memo", memos[labels.index(label)].id)
            self.link_from_dialog(memo, session_id, "Link a memo", label)

    def link_any_dialog(self, session_id: str | None) -> None:
        """Ask what to link from, of every kind (a code, a passage of the session shown, a
        memo, a participant, a session: a participant or a session could be a link's target
        only), then what to link it to, the name and the direction; link them."""
        if self.state.ctx is None:
            return
        project = self.state.ctx.project
        ends = link_ends(project, session_id, besides=None)
        if len(ends) < 2:
            self.chrome.message("There are not two things to link yet (codes, memos, people…).")
            return
        labels = [label for label, _ in ends]
        label, ok = AskDialog.ask(self.chrome.window, "Link", "Link from:", labels[0], items=labels)
        if ok and label in labels:
            self.link_from_dialog(ends[labels.index(label)][1], session_id, "Link", label)

    def link_from_dialog(self, origin: End, session_id: str | None, title: str, named: str) -> None:
        """Ask what to link ``origin`` to (``link_ends``), the name and the direction; link
        them (undoable)."""
        if self.state.ctx is None:
            return
        ends = link_ends(self.state.ctx.project, session_id, besides=origin)
        labels = [label for label, _ in ends]
        label, ok = AskDialog.ask(
            self.chrome.window, title, f"Link {named[0].lower()}{named[1:]} to:", labels[0],
            items=labels,
        )  # fmt: skip
        if not ok or label not in labels:
            return
        asked = self._name_and_direction(title, f"{named} … {label}")
        if asked is not None:
            self.add_link_between(origin, ends[labels.index(label)][1], *asked)

    def add_link(self, origin: str, target: str, name: str, direction: str = "one-way") -> None:
        """Link two codes (undoable); a refusal (the same link again) is said in the status
        bar by the command's error."""
        self.add_link_between(("code", origin), ("code", target), name, direction)

    def add_link_between(
        self, origin: End, target: End, name: str, direction: str = "one-way"
    ) -> None:
        """Link two ends, each ``(kind, id)`` (undoable)."""
        if self.state.ctx is not None:
            self._push(AddLinkCommand(self.state.ctx, origin, target, name, direction))

    def remove_link(self, link: Link) -> None:
        """Remove a link (undoable)."""
        if self.state.ctx is not None:
            self._push(RemoveLinkCommand(self.state.ctx, link))


def link_ends(
    project: Project, session_id: str | None, *, besides: End | None
) -> list[tuple[str, End]]:
    """What ``besides`` may be linked to, each with the words the picker shows: the codes, the
    passages of session ``session_id`` (the one shown; None: no passages), the memos the coder
    may see, the participants, and that session (else every session)."""
    ends: list[End] = [("code", c.id) for c in project.codebook.codes()]
    if session_id is not None:
        ends += [("coding", c.id) for c in project.codebook.codings(session_id=session_id)]
    ends += [("memo", m.id) for m in project.team.visible_memos()]
    ends += [("participant", p.id) for p in project.sessions.participants()]
    sessions = [session_id] if session_id is not None else [s.id for s in project.sessions.all()]
    ends += [("session", sid) for sid in sessions]
    return [(project.links.label(*end), end) for end in ends if end != besides]


def passage_link_lines(project: Project, coding_id: str) -> list[str]:
    """A passage's links as its hover shows them: ``Link: → shows → code 'Health'``."""
    return end_link_lines(project.links.of("coding", coding_id), ("coding", coding_id))


def end_link_lines(links: list[Link], end: End) -> list[str]:
    """The lines of ``links`` that have ``end`` at one end (a passage's hover, a memo's
    window), the other end named: ``Link: → shows → code 'Health'``,
    ``Link: participant 'P3' → voices →``."""
    lines = []
    for link in links:
        if (link.origin.kind, link.origin.id) == end:
            lines.append(f"Link: {link.arrow} {link.name} {link.arrow} {link.target.label}")
        elif (link.target.kind, link.target.id) == end:
            lines.append(f"Link: {link.origin.label} {link.arrow} {link.name} {link.arrow}")
    return lines

"""Undoable edits: ``QUndoCommand``s whose redo/undo call the ``Project`` API off the GUI thread.

Every command runs its database work through the serial lane of ``gui.tasks.TaskRunner`` (so an
undo never overtakes the edit it reverses) and returns an ``Outcome`` that the window applies to
its models on the GUI thread. Re-creating a row (undoing a merge, re-applying a removed coding)
gives it a new id; ``IdMap`` remembers old -> new so older commands on the stack still find it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from storage.models import Coding, Segment

if TYPE_CHECKING:
    from gui.tasks import TaskRunner
    from storage import Project


@dataclass
class Outcome:
    """What an edit changed, for the views to catch up."""

    changed: list[Segment] = field(default_factory=list)
    inserted: list[Segment] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    codings: dict[str, list[Coding]] = field(default_factory=dict)
    codebook_changed: bool = False
    speakers_changed: bool = False
    select_segment: str | None = None


class IdMap:
    """Old id -> new id of rows that an undo/redo re-created."""

    def __init__(self) -> None:
        self._map: dict[str, str] = {}

    def set(self, old: str, new: str) -> None:
        """Record that ``old`` now lives on as ``new``."""
        if old != new:
            self._map[old] = new

    def get(self, row_id: str) -> str:
        """The current id of a row (following chains)."""
        seen = set()
        while row_id in self._map and row_id not in seen:
            seen.add(row_id)
            row_id = self._map[row_id]
        return row_id


@dataclass
class EditContext:
    """What commands need: the project, the task runner and where outcomes go."""

    project: Project
    runner: TaskRunner
    apply: Callable[[Outcome], None]
    error: Callable[[BaseException], None]
    ids: IdMap = field(default_factory=IdMap)
    stack: Any = None  # the QUndoStack, to step back over a command that failed


def _with_codings(project: Project, segments: list[Segment], outcome: Outcome) -> Outcome:
    for seg in segments:
        outcome.codings[seg.id] = project.codings(segment_id=seg.id)
    return outcome


class ProjectCommand(QUndoCommand):
    """Base: subclasses implement ``forward`` and ``backward`` (worker thread, Project only)."""

    def __init__(self, ctx: EditContext, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self.failed = False

    def forward(self, project: Project) -> Outcome:
        raise NotImplementedError

    def backward(self, project: Project) -> Outcome:
        raise NotImplementedError

    def _submit(self, fn: Callable[[Project], Outcome]) -> None:
        if self.failed:
            return
        project = self.ctx.project

        def job(_ctx: Any) -> Outcome:
            with project.transaction():
                return fn(project)

        def error(exc: BaseException) -> None:
            self.failed = True  # from now on undo/redo of this command do nothing
            stack = self.ctx.stack
            if stack is not None and stack.index() > 0 and stack.command(stack.index() - 1) is self:
                stack.undo()  # so the next Ctrl+Z undoes the edit before it
            self.ctx.error(exc)

        self.ctx.runner.submit(
            self.text(), job, on_done=self.ctx.apply, on_error=error, serial=True
        )

    def redo(self) -> None:
        self._submit(self.forward)

    def undo(self) -> None:
        self._submit(self.backward)


class EditTextCommand(ProjectCommand):
    """Replace a segment's text."""

    def __init__(self, ctx: EditContext, segment_id: str, old: str, new: str) -> None:
        super().__init__(ctx, "Edit text")
        self.segment_id, self.old, self.new = segment_id, old, new

    def _set(self, project: Project, text: str) -> Outcome:
        seg = project.update_segment(self.ctx.ids.get(self.segment_id), text=text)
        return _with_codings(project, [seg], Outcome(changed=[seg]))

    def forward(self, project: Project) -> Outcome:
        return self._set(project, self.new)

    def backward(self, project: Project) -> Outcome:
        return self._set(project, self.old)


class SpeakerCommand(ProjectCommand):
    """Change the speaker of one or more segments."""

    def __init__(self, ctx: EditContext, old: dict[str, str | None], new: str | None) -> None:
        super().__init__(ctx, f"Speaker → {new or 'none'}")
        self.old, self.new = dict(old), new

    def _set(self, project: Project, values: dict[str, str | None]) -> Outcome:
        out = Outcome(speakers_changed=True)
        for seg_id, speaker in values.items():
            out.changed.append(
                project.update_segment(
                    self.ctx.ids.get(seg_id), speaker=speaker, clear_speaker=speaker is None
                )
            )
        return out

    def forward(self, project: Project) -> Outcome:
        return self._set(project, dict.fromkeys(self.old, self.new))

    def backward(self, project: Project) -> Outcome:
        return self._set(project, self.old)


class SplitCommand(ProjectCommand):
    """Split a segment at a text position."""

    def __init__(self, ctx: EditContext, segment: Segment, at_cp: int, at_ms: int | None) -> None:
        super().__init__(ctx, "Split segment")
        self.segment_id, self.at_cp, self.at_ms = segment.id, at_cp, at_ms
        self.orig_text, self.orig_end = segment.text, segment.end_ms
        self.right_id: str | None = None

    def forward(self, project: Project) -> Outcome:
        left, right = project.split_segment(
            self.ctx.ids.get(self.segment_id), self.at_cp, self.at_ms
        )
        if self.right_id is not None:
            self.ctx.ids.set(self.right_id, right.id)
        self.right_id = right.id
        out = Outcome(changed=[left], inserted=[right], select_segment=right.id)
        return _with_codings(project, [left, right], out)

    def backward(self, project: Project) -> Outcome:
        left_id = self.ctx.ids.get(self.segment_id)
        assert self.right_id is not None
        right_id = self.ctx.ids.get(self.right_id)
        project.merge_with_next(left_id)
        seg = project.update_segment(left_id, text=self.orig_text, end_ms=self.orig_end)
        out = Outcome(changed=[seg], removed=[right_id], select_segment=seg.id)
        return _with_codings(project, [seg], out)


class MergeCommand(ProjectCommand):
    """Merge a segment with the next one."""

    def __init__(self, ctx: EditContext, segment: Segment, nxt: Segment) -> None:
        super().__init__(ctx, "Merge segments")
        self.segment_id, self.next_id = segment.id, nxt.id
        self.left_text, self.left_end = segment.text, segment.end_ms
        self.next_start, self.next_end, self.next_speaker = nxt.start_ms, nxt.end_ms, nxt.speaker
        self.next_text = nxt.text

    def forward(self, project: Project) -> Outcome:
        left_id, next_id = self.ctx.ids.get(self.segment_id), self.ctx.ids.get(self.next_id)
        merged = project.merge_with_next(left_id)
        out = Outcome(changed=[merged], removed=[next_id], select_segment=merged.id)
        return _with_codings(project, [merged], out)

    def backward(self, project: Project) -> Outcome:
        left_id = self.ctx.ids.get(self.segment_id)
        cut = len(self.left_text) + (1 if self.left_text and self.next_text else 0)
        left, right = project.split_segment(left_id, cut, self.next_start)
        left = project.update_segment(left_id, text=self.left_text, end_ms=self.left_end)
        right = project.update_segment(
            right.id,
            text=self.next_text,
            end_ms=self.next_end,
            speaker=self.next_speaker,
            clear_speaker=self.next_speaker is None,
        )
        self.ctx.ids.set(self.ctx.ids.get(self.next_id), right.id)
        out = Outcome(changed=[left], inserted=[right], select_segment=left.id)
        return _with_codings(project, [left, right], out)


class ApplyCodeCommand(ProjectCommand):
    """Code whole segments, or one span of one segment."""

    def __init__(
        self,
        ctx: EditContext,
        code_id: str,
        segment_ids: list[str],
        span: tuple[int, int] | None = None,
        label: str = "Code",
    ) -> None:
        super().__init__(ctx, label)
        self.code_id, self.segment_ids, self.span = code_id, list(segment_ids), span
        self.added: list[str] = []

    def forward(self, project: Project) -> Outcome:
        out = Outcome(codebook_changed=True)
        self.added = []
        start, end = self.span if self.span else (None, None)
        for seg_id in self.segment_ids:
            sid = self.ctx.ids.get(seg_id)
            before = {c.id for c in project.codings(segment_id=sid)}
            coding = project.apply_code(sid, self.code_id, start_cp=start, end_cp=end)
            if coding.id not in before:
                self.added.append(coding.id)
            out.codings[sid] = project.codings(segment_id=sid)
        return out

    def backward(self, project: Project) -> Outcome:
        out = Outcome(codebook_changed=True)
        for coding_id in self.added:
            project.remove_coding(coding_id)
        for seg_id in self.segment_ids:
            sid = self.ctx.ids.get(seg_id)
            out.codings[sid] = project.codings(segment_id=sid)
        return out


class RemoveCodingCommand(ProjectCommand):
    """Remove one coding (undo puts it back, with its memo)."""

    def __init__(self, ctx: EditContext, coding: Coding) -> None:
        super().__init__(ctx, "Remove coding")
        self.coding = coding

    def forward(self, project: Project) -> Outcome:
        project.remove_coding(self.ctx.ids.get(self.coding.id))
        seg_id = self.ctx.ids.get(self.coding.segment_id)
        return Outcome(codings={seg_id: project.codings(segment_id=seg_id)}, codebook_changed=True)

    def backward(self, project: Project) -> Outcome:
        c = self.coding
        seg_id = self.ctx.ids.get(c.segment_id)
        new = project.apply_code(
            seg_id, c.code_id, start_cp=c.start_cp, end_cp=c.end_cp, memo=c.memo, coder=c.coder
        )
        self.ctx.ids.set(self.ctx.ids.get(c.id), new.id)
        return Outcome(codings={seg_id: project.codings(segment_id=seg_id)}, codebook_changed=True)


class ReassignCodingCommand(ProjectCommand):
    """Move a coding to another code."""

    def __init__(self, ctx: EditContext, coding: Coding, new_code_id: str) -> None:
        super().__init__(ctx, "Re-assign coding")
        self.coding, self.new_code_id = coding, new_code_id

    def _set(self, project: Project, code_id: str) -> Outcome:
        project.update_coding(self.ctx.ids.get(self.coding.id), code_id=code_id)
        seg_id = self.ctx.ids.get(self.coding.segment_id)
        return Outcome(codings={seg_id: project.codings(segment_id=seg_id)}, codebook_changed=True)

    def forward(self, project: Project) -> Outcome:
        return self._set(project, self.new_code_id)

    def backward(self, project: Project) -> Outcome:
        return self._set(project, self.coding.code_id)


class AddCodeCommand(ProjectCommand):
    """Create a code."""

    def __init__(
        self, ctx: EditContext, name: str, parent_id: str | None, colour: str | None = None
    ) -> None:
        super().__init__(ctx, f"New code {name}")
        self.name, self.parent_id, self.colour = name, parent_id, colour
        self.code_id: str | None = None

    def forward(self, project: Project) -> Outcome:
        parent = None if self.parent_id is None else self.ctx.ids.get(self.parent_id)
        code = project.add_code(self.name, parent_id=parent, colour=self.colour)
        self.colour = code.colour
        if self.code_id is not None:
            self.ctx.ids.set(self.code_id, code.id)
        self.code_id = code.id
        return Outcome(codebook_changed=True)

    def backward(self, project: Project) -> Outcome:
        assert self.code_id is not None
        project.delete_code(self.ctx.ids.get(self.code_id))
        return Outcome(codebook_changed=True)


class UpdateCodeCommand(ProjectCommand):
    """Rename, recolour, describe or move a code."""

    def __init__(
        self, ctx: EditContext, code_id: str, old: dict[str, Any], new: dict[str, Any], text: str
    ) -> None:
        super().__init__(ctx, text)
        self.code_id, self.old, self.new = code_id, old, new

    def _set(self, project: Project, values: dict[str, Any]) -> Outcome:
        fields = dict(values)
        if "parent_id" in fields:
            parent = fields.pop("parent_id")
            if parent is None:
                fields["move_to_top"] = True
            else:
                fields["parent_id"] = self.ctx.ids.get(parent)
        project.update_code(self.ctx.ids.get(self.code_id), **fields)
        return Outcome(codebook_changed=True)

    def forward(self, project: Project) -> Outcome:
        return self._set(project, self.new)

    def backward(self, project: Project) -> Outcome:
        return self._set(project, self.old)

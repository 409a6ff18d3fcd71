"""Undoable edits: ``QUndoCommand``s whose redo/undo call the ``Project`` API off the GUI thread.

Every command runs its database work through the serial lane of ``gui.tasks.TaskRunner`` (so an
undo never overtakes the edit it reverses) and returns an ``Outcome`` that the editing controller
(``gui.editing``) applies to the models on the GUI thread. Edits that create or delete rows
(split, merge, text edits that clip spans, coding, code merges and deletions) are recorded with
``project.history.record_edit``: undo and redo write the recorded rows back with their own
ids (``storage/history/undo.py``), so every command on the stack keeps finding its rows.
``IdMap`` stays for rows re-created under a new id (none now).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from storage.codebook.codebook import autocoded
from storage.core.languages import language_name
from storage.core.models import Coding, DeletionReport, Segment
from storage.history.undo import EditRecord, UndoScope
from storage.sessions.deleted import RestoreReport

if TYPE_CHECKING:
    from gui.tasks import TaskRunner
    from storage import Project


#: how a speaker mapped to nobody is named (the Speakers dock, Session details, undo texts)
NO_PARTICIPANT = "(no participant)"


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
    reload_codings: bool = False  # re-read every coding of the shown session
    participants_changed: bool = False  # names or attributes: what Session details changes
    message: str | None = None  # for the status bar
    #: a session deleted (its id and what went) or restored: the sessions list and what is
    #: shown follow (``gui.session_edits``)
    deleted_session: tuple[str, DeletionReport] | None = None
    restored_session: RestoreReport | None = None


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
        outcome.codings[seg.id] = project.codebook.codings(segment_id=seg.id)
    return outcome


class ProjectCommand(QUndoCommand):
    """Base: subclasses implement ``forward`` and ``backward`` (worker thread, Project only)."""

    #: run ``forward``/``backward`` in one transaction of the command's own; False for one
    #: that commits before it moves files (a session's deletion and restore: its audio)
    own_transaction = True

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
            if not self.own_transaction:
                return fn(project)
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


class RecordedCommand(ProjectCommand):
    """An edit run once and then undone/redone from its recorded rows (ids kept).

    Subclasses give the ``scope`` of rows the edit touches, ``operate`` (the first run) and
    what the views need afterwards (``outcome``).
    """

    def __init__(self, ctx: EditContext, text: str) -> None:
        super().__init__(ctx, text)
        self.record: EditRecord | None = None

    def scope(self, project: Project) -> UndoScope:
        raise NotImplementedError

    def operate(self, project: Project) -> Any:
        raise NotImplementedError

    def grows(self, result: Any) -> UndoScope:
        """Rows the first run created (from its result)."""
        return UndoScope()

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        """What the views must show after a run, an undo or a redo."""
        assert self.record is not None
        return segments_outcome(project, self.record, undone=undone)

    def forward(self, project: Project) -> Outcome:
        if self.record is None:
            _, self.record = project.history.record_edit(
                self.scope(project), lambda: self.operate(project), grows=self.grows
            )
        else:
            project.history.redo_edit(self.record)
        return self.outcome(project, undone=False)

    def backward(self, project: Project) -> Outcome:
        assert self.record is not None
        project.history.undo_edit(self.record)
        return self.outcome(project, undone=True)


def segments_outcome(project: Project, record: EditRecord, *, undone: bool) -> Outcome:
    """The segments a recorded edit (or its undo) changed, inserted and removed."""
    target, other = (record.before, record.after) if undone else (record.after, record.before)
    now, was = target.table("segments"), other.table("segments")
    out = Outcome()
    for seg_id in now:
        seg = project.transcript.get_segment(seg_id)
        (out.changed if seg_id in was else out.inserted).append(seg)
    out.removed = [seg_id for seg_id in was if seg_id not in now]
    _with_codings(project, out.changed + out.inserted, out)
    if target.table("codings") != other.table("codings"):
        out.codebook_changed = True  # frequencies
    return out


class EditTextCommand(RecordedCommand):
    """Replace a segment's text (undo also brings back span codings the new text clipped)."""

    def __init__(self, ctx: EditContext, segment_id: str, old: str, new: str) -> None:
        super().__init__(ctx, "Edit text")
        self.segment_id, self.old, self.new = segment_id, old, new

    def scope(self, project: Project) -> UndoScope:
        return UndoScope.of(segments=[self.segment_id])

    def operate(self, project: Project) -> Segment:
        return project.transcript.update_segment(self.segment_id, text=self.new)


class SpeakerCommand(RecordedCommand):
    """Change the speaker of one or more segments (undo also clears the "set by hand" mark)."""

    def __init__(self, ctx: EditContext, old: dict[str, str | None], new: str | None) -> None:
        super().__init__(ctx, f"Speaker → {new or 'none'}")
        self.old, self.new = dict(old), new

    def scope(self, project: Project) -> UndoScope:
        # the whole timeline of the sessions: a label taken off its last segment loses its
        # turns elsewhere too (``SpeakerTurns.follow_segments``), and undo brings them back
        sessions = {project.transcript.get_segment(seg_id).session_id for seg_id in self.old}
        return UndoScope.of(segments=self.old, speaker_sessions=sessions)

    def operate(self, project: Project) -> None:
        for seg_id in self.old:
            project.transcript.update_segment(
                seg_id, speaker=self.new, clear_speaker=self.new is None
            )

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        out = super().outcome(project, undone=undone)
        out.speakers_changed = True
        return out


class SpeakerDockCommand(RecordedCommand):
    """Base of the Speakers dock's edits of one session's speaker labels: undo and redo write
    back the segments of the labels, the session's speaker timeline and its mappings."""

    def __init__(self, ctx: EditContext, text: str, session_id: str, labels: list[str]) -> None:
        super().__init__(ctx, text)
        self.session_id, self.labels = session_id, list(labels)

    def scope(self, project: Project) -> UndoScope:
        return project.history.speaker_scope(self.session_id, self.labels)

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        out = super().outcome(project, undone=undone)
        out.speakers_changed = True
        return out


class RenameSpeakerCommand(SpeakerDockCommand):
    """Rename a speaker of a session (its mapping and timeline follow)."""

    def __init__(self, ctx: EditContext, session_id: str, old: str, new: str) -> None:
        super().__init__(ctx, f"Rename speaker {old} → {new}", session_id, [old, new])
        self.old, self.new = old, new

    def operate(self, project: Project) -> int:
        return project.speakers.rename_speaker(self.session_id, self.old, self.new)


class MergeSpeakersCommand(SpeakerDockCommand):
    """Give every segment (and turn) of one speaker to another."""

    def __init__(self, ctx: EditContext, session_id: str, source: str, target: str) -> None:
        super().__init__(ctx, f"Merge speaker {source} into {target}", session_id, [source, target])
        self.source, self.target = source, target

    def operate(self, project: Project) -> int:
        return project.speakers.merge_speakers(self.session_id, self.source, self.target)


class MapSpeakerCommand(SpeakerDockCommand):
    """Map a speaker of a session to a participant (None clears the mapping)."""

    def __init__(
        self, ctx: EditContext, session_id: str, label: str, participant_id: str | None, who: str
    ) -> None:
        super().__init__(ctx, f"Speaker {label} is {who}", session_id, [])
        self.label, self.participant_id = label, participant_id

    def operate(self, project: Project) -> None:
        project.sessions.map_speaker(self.session_id, self.label, self.participant_id)


class LanguageCommand(RecordedCommand):
    """Correct the language of one or more segments (a Whisper code)."""

    def __init__(self, ctx: EditContext, segment_ids: list[str], language: str) -> None:
        super().__init__(ctx, f"Language → {language_name(language)}")
        self.segment_ids, self.language = list(segment_ids), language

    def scope(self, project: Project) -> UndoScope:
        return UndoScope.of(segments=self.segment_ids)

    def operate(self, project: Project) -> None:
        for seg_id in self.segment_ids:
            project.transcript.update_segment(seg_id, language=self.language)


class RetranscribeCommand(RecordedCommand):
    """A segment re-transcribed (its audio decoded again in the background, already written):
    undo brings back its text, language and codings as they were, redo the new ones."""

    def __init__(self, ctx: EditContext, record: EditRecord, language: str | None) -> None:
        super().__init__(
            ctx,
            f"Re-transcribe segment in {language_name(language)}"
            if language
            else "Re-transcribe segment",
        )
        self.record = record
        self._applied = True  # the first redo (QUndoStack.push) only shows it

    def forward(self, project: Project) -> Outcome:
        if self._applied:
            self._applied = False
            return self.outcome(project, undone=False)
        return super().forward(project)


class CodingMemoCommand(RecordedCommand):
    """Write the memo of one coding."""

    def __init__(self, ctx: EditContext, coding: Coding, memo: str) -> None:
        super().__init__(ctx, "Coding memo")
        self.coding, self.memo = coding, memo

    def scope(self, project: Project) -> UndoScope:
        return UndoScope.of(segments=[self.coding.segment_id])

    def operate(self, project: Project) -> None:
        project.codebook.update_coding(self.coding.id, memo=self.memo)

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        seg_id = self.coding.segment_id
        return Outcome(codings={seg_id: project.codebook.codings(segment_id=seg_id)})


class SplitCommand(RecordedCommand):
    """Split a segment at a text position (undo restores it, its id and its codings)."""

    def __init__(self, ctx: EditContext, segment: Segment, at_cp: int, at_ms: int | None) -> None:
        super().__init__(ctx, "Split segment")
        self.segment_id, self.at_cp, self.at_ms = segment.id, at_cp, at_ms
        self.right_id: str | None = None

    def scope(self, project: Project) -> UndoScope:
        return UndoScope.of(segments=[self.segment_id])

    def operate(self, project: Project) -> tuple[Segment, Segment]:
        left, right = project.transcript.split_segment(self.segment_id, self.at_cp, self.at_ms)
        self.right_id = right.id
        return left, right

    def grows(self, result: Any) -> UndoScope:
        return UndoScope.of(segments=[result[1].id])

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        out = super().outcome(project, undone=undone)
        out.select_segment = self.segment_id if undone else self.right_id
        return out


class MergeCommand(RecordedCommand):
    """Merge a segment with the next one (undo brings the next one back, same id)."""

    def __init__(self, ctx: EditContext, segment: Segment, nxt: Segment) -> None:
        super().__init__(ctx, "Merge segments")
        self.segment_id, self.next_id = segment.id, nxt.id

    def scope(self, project: Project) -> UndoScope:
        return UndoScope.of(segments=[self.segment_id, self.next_id])

    def operate(self, project: Project) -> Segment:
        return project.transcript.merge_with_next(self.segment_id)

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        out = super().outcome(project, undone=undone)
        out.select_segment = self.segment_id
        return out


class DeleteSegmentsCommand(RecordedCommand):
    """Delete segments with their codings (undo brings them back, same ids; a transcription
    of the session meanwhile leaves their speech out: ``Transcript.delete_segment``)."""

    def __init__(self, ctx: EditContext, segment_ids: list[str], then: str | None) -> None:
        n = len(segment_ids)
        super().__init__(ctx, "Delete segment" if n == 1 else f"Delete {n} segments")
        self.segment_ids, self.then = list(segment_ids), then

    def scope(self, project: Project) -> UndoScope:
        return UndoScope.of(segments=self.segment_ids)

    def operate(self, project: Project) -> None:
        for seg_id in self.segment_ids:
            project.transcript.delete_segment(seg_id, force=True)

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        out = super().outcome(project, undone=undone)
        out.select_segment = self.segment_ids[0] if undone else self.then
        return out


class ApplyCodeCommand(RecordedCommand):
    """Code whole segments, or one span of one segment."""

    def __init__(
        self,
        ctx: EditContext,
        code_id: str,
        segment_ids: list[str],
        span: tuple[int, int] | None = None,
        label: str = "Code",
        *,
        say_found: bool = False,
    ) -> None:
        super().__init__(ctx, label)
        self.code_id, self.segment_ids, self.span = code_id, list(segment_ids), span
        # a search's hits: the status bar says how many were found, coded and coded already
        self.say_found = say_found
        self.added = 0

    def scope(self, project: Project) -> UndoScope:
        return UndoScope.of(segments=self.segment_ids)

    def operate(self, project: Project) -> None:
        start, end = self.span if self.span else (None, None)
        coder = project.coder.strip()
        self.added = 0
        for seg_id in self.segment_ids:
            had = any(
                c.coder == coder and (c.start_cp, c.end_cp) == (start, end)
                for c in project.codebook.codings(segment_id=seg_id, code_id=self.code_id)
            )
            project.codebook.apply_code(seg_id, self.code_id, start_cp=start, end_cp=end)
            self.added += not had

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        out = Outcome(codebook_changed=True)
        for seg_id in self.segment_ids:
            out.codings[seg_id] = project.codebook.codings(segment_id=seg_id)
        if self.say_found:
            path = project.codebook.get_code(self.code_id).path
            said = autocoded(len(self.segment_ids), self.added, path)
            out.message = f"Undone: {said}" if undone else said
        return out


class RemoveCodingCommand(RecordedCommand):
    """Remove one coding (undo puts it back: same id, memo and span)."""

    def __init__(self, ctx: EditContext, coding: Coding) -> None:
        super().__init__(ctx, "Remove coding")
        self.coding = coding

    def scope(self, project: Project) -> UndoScope:
        return UndoScope.of(segments=[self.coding.segment_id])

    def operate(self, project: Project) -> None:
        project.codebook.remove_coding(self.coding.id)

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        seg_id = self.coding.segment_id
        return Outcome(
            codings={seg_id: project.codebook.codings(segment_id=seg_id)}, codebook_changed=True
        )


class MergeCodesCommand(RecordedCommand):
    """Merge one code into another (undo: the code, its codings, sub-codes and memos return)."""

    def __init__(self, ctx: EditContext, source_id: str, target_id: str) -> None:
        super().__init__(ctx, "Merge codes")
        self.source_id, self.target_id = source_id, target_id
        self.report = ""

    def scope(self, project: Project) -> UndoScope:
        return project.history.code_scope(self.source_id, merge_into=self.target_id)

    def operate(self, project: Project) -> None:
        self.report = project.codebook.merge_codes(self.source_id, self.target_id).describe()

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        message = f"Undone: {self.report}" if undone else self.report
        return Outcome(codebook_changed=True, reload_codings=True, message=message)


class DeleteCodeCommand(RecordedCommand):
    """Delete a code with its sub-codes (and, with ``force``, their codings); undoable."""

    def __init__(self, ctx: EditContext, code_id: str, *, force: bool = False) -> None:
        super().__init__(ctx, "Delete code")
        self.code_id, self.force = code_id, force
        self.report = ""

    def scope(self, project: Project) -> UndoScope:
        return project.history.code_scope(self.code_id)

    def operate(self, project: Project) -> None:
        self.report = project.codebook.delete_code(self.code_id, force=self.force).describe()

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
        message = f"Undone: {self.report}" if undone else self.report
        return Outcome(codebook_changed=True, reload_codings=True, message=message)


class ReassignCodingCommand(ProjectCommand):
    """Move a coding to another code."""

    def __init__(self, ctx: EditContext, coding: Coding, new_code_id: str) -> None:
        super().__init__(ctx, "Re-assign coding")
        self.coding, self.new_code_id = coding, new_code_id

    def _set(self, project: Project, code_id: str) -> Outcome:
        project.codebook.update_coding(self.ctx.ids.get(self.coding.id), code_id=code_id)
        seg_id = self.ctx.ids.get(self.coding.segment_id)
        return Outcome(
            codings={seg_id: project.codebook.codings(segment_id=seg_id)}, codebook_changed=True
        )

    def forward(self, project: Project) -> Outcome:
        return self._set(project, self.new_code_id)

    def backward(self, project: Project) -> Outcome:
        return self._set(project, self.coding.code_id)


class AddCodeCommand(RecordedCommand):
    """Create a code (redo brings back the same code)."""

    def __init__(
        self, ctx: EditContext, name: str, parent_id: str | None, colour: str | None = None
    ) -> None:
        super().__init__(ctx, f"New code {name}")
        self.name, self.parent_id, self.colour = name, parent_id, colour
        self.code_id: str | None = None

    def scope(self, project: Project) -> UndoScope:
        return UndoScope()

    def operate(self, project: Project) -> str:
        code = project.codebook.add_code(self.name, parent_id=self.parent_id, colour=self.colour)
        self.code_id = code.id
        return code.id

    def grows(self, result: Any) -> UndoScope:
        return UndoScope.of(codes=[result])

    def outcome(self, project: Project, *, undone: bool) -> Outcome:
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
        project.codebook.update_code(self.ctx.ids.get(self.code_id), **fields)
        message = None
        if set(values) == {"description"}:  # nothing on screen shows it but the tooltip
            message = (
                "Saved the code's description: hover the code in the Codebook to read it."
                if values["description"]
                else "Removed the code's description."
            )
        return Outcome(codebook_changed=True, message=message)

    def forward(self, project: Project) -> Outcome:
        return self._set(project, self.new)

    def backward(self, project: Project) -> Outcome:
        return self._set(project, self.old)


class ParticipantCommand(ProjectCommand):
    """Rename a participant or replace their attributes (Session details' table)."""

    def __init__(
        self,
        ctx: EditContext,
        participant_id: str,
        old: dict[str, Any],
        new: dict[str, Any],
        text: str,
    ) -> None:
        super().__init__(ctx, text)
        self.participant_id, self.old, self.new = participant_id, dict(old), dict(new)

    def _set(self, project: Project, values: dict[str, Any]) -> Outcome:
        project.sessions.update_participant(self.participant_id, **values)
        # the form, the Speakers dock (names), the retrieval filters (attributes) and the
        # pseudonyms follow, as after the form's own edits
        return Outcome(speakers_changed=True, participants_changed=True)

    def forward(self, project: Project) -> Outcome:
        return self._set(project, self.new)

    def backward(self, project: Project) -> Outcome:
        return self._set(project, self.old)

"""Re-transcribing one segment (Transcription ▸ Re-transcribe segment), for
``gui.transcription.TranscriptionController``: the segment is decoded again in the background
and the change is one undoable step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtWidgets import QMessageBox

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.fmt import plural, them
from gui.hints import no_recording
from gui.languages import choose_language
from gui.qtcompat import emit
from gui.sessions import SessionsController
from gui.tasks import TaskRunner
from gui.undo import RetranscribeCommand
from gui.views import WorkbenchViews
from storage.core.languages import language_name
from storage.history.undo import EditRecord, UndoScope
from transcribe.notes import for_gui
from transcribe.run_notes import lost_spans_hint, passage_links, passage_links_hint, span_ids


class Owner(Protocol):
    """What ``SegmentRetranscription`` uses of its ``TranscriptionController``."""

    state: AppState
    chrome: WindowChrome
    runner: TaskRunner
    views: WorkbenchViews
    sessions: SessionsController
    running_changed: Any  # the controller's signal: a re-transcription started or ended
    # default: transcribe.runner.retranscribe_segment (tests put a fake here)
    segment_retranscriber: Callable[..., Any] | None
    retranscribing: dict[str, Any]  # segment id -> TaskHandle


def default_segment_retranscriber() -> Callable[..., Any]:
    """``transcribe.runner.retranscribe_segment`` (ImportError where this engine lacks it)."""
    from transcribe import runner

    fn: Callable[..., Any] | None = getattr(runner, "retranscribe_segment", None)
    if fn is None:
        raise ImportError("transcribe.runner.retranscribe_segment")
    return fn


@dataclass
class Retranscribed:
    """What re-decoding one segment did: the segment now, its codings, the undoable step
    (None: nothing stored, the segment is as it was), whether it was cancelled, and how many
    real names of the pseudonym mapping its new text holds."""

    segment: Any
    codings: list[Any] = field(default_factory=list)
    record: EditRecord | None = None
    cancelled: bool = False
    names: int = 0
    notes: list[str] = field(default_factory=list)  # span codings that lost their words
    same: bool = False  # Whisper wrote the text the segment had, in its language


class SegmentRetranscription:
    """The re-transcription of single segments, for a ``TranscriptionController`` (its
    ``owner``: its state, chrome, task runner, views, sessions, ``running_changed`` signal,
    ``segment_retranscriber`` and ``retranscribing``, segment id -> task, are used here)."""

    def __init__(self, owner: Owner) -> None:
        self.owner = owner

    def retranscribe_current(self, *, ask: bool = False) -> Any:
        """Re-transcribe the current segment in its language (``ask``: choose the language)."""
        project = self.owner.state.project
        row = self.owner.views.transcript.currentIndex().row()
        model = self.owner.views.segment_model
        if project is None or not 0 <= row < model.rowCount():
            self.owner.chrome.message("Select the segment to re-transcribe.", 4000)
            return None
        editor = self.owner.views.segment_editor
        if editor.is_dirty():
            # typing not saved yet (triggered while the editor keeps the focus): saved first,
            # so that the question below protects it (Whisper's text was stored under it unasked)
            editor.commit()
            self.owner.runner.after_writes(lambda: self.retranscribe_current(ask=ask))
            return None
        seg = project.transcript.get_segment(model.segment(row).id)
        language = seg.language
        if ask:
            language = choose_language(
                self.owner.chrome.window,
                project.languages,
                seg.language,
                title="Re-transcribe segment",
                prompt="Re-transcribe the segment's audio in",
            )
            if language is None:
                return None
        # a language corrected by hand (the text Whisper's) is what re-transcribing is for:
        # asked only where typed text or pseudonyms would go
        if seg.edited and seg.text.strip() and project.transcript.text_corrected(seg.id):
            answer = QMessageBox.question(
                self.owner.chrome.window,
                "Re-transcribe segment?",
                "This segment's text was corrected by hand (typed in, split or merged, or names "
                "replaced by pseudonyms). Re-transcribing replaces its text with what Whisper "
                "hears (Edit ▸ Undo brings it back).",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        return self.retranscribe_segment(seg.id, language=language)

    def retranscribe_segment(self, segment_id: str, *, language: str | None = None) -> Any:
        """Re-decode one segment's audio (in ``language``, or the project's) in the background."""
        project = self.owner.state.project
        if project is None:
            return None
        if segment_id in self.owner.retranscribing:
            self.owner.chrome.message("This segment is already being re-transcribed.", 4000)
            return self.owner.retranscribing[segment_id]
        session_id = project.transcript.get_segment(segment_id).session_id
        if not project.sessions.media_for_session(session_id):
            title = f"“{project.sessions.get_session(session_id).title}”"
            self.owner.chrome.show_error(no_recording(title))
            return None
        try:
            fn = self.owner.segment_retranscriber or default_segment_retranscriber()
        except ImportError:
            self.owner.chrome.show_error(
                "Re-transcribing one segment is not available in this installation "
                "(the transcription engine is too old)."
            )
            return None

        scope = UndoScope.of(segments=[segment_id])

        def job(ctx: Any) -> Retranscribed:
            # the rows before and after, for one undoable step (the decoding itself runs
            # outside any transaction: it takes seconds)
            _, before = project.history.record_edit(scope, lambda: None)
            spans, links = span_ids(project, segment_id), passage_links(project, segment_id)
            old = project.transcript.get_segment(segment_id)
            seg = fn(project, segment_id, language=language, cancel=ctx.cancel)
            if ctx.cancel.is_set():  # cancelled: the segment was left as it was
                return Retranscribed(seg, cancelled=True)
            _, after = project.history.record_edit(scope, lambda: None)
            record = EditRecord(before.before, after.after, before.epoch)
            if seg is not None and not seg.text.strip():
                # nothing heard: the segment stays as it was (text, language, codings)
                project.history.undo_edit(record)
                return Retranscribed(project.transcript.get_segment(segment_id))
            return Retranscribed(
                seg,
                project.codebook.codings(segment_id=segment_id),
                record,
                names=_mapped_names_in(project, seg),
                notes=lost_spans_hint(len(spans - span_ids(project, segment_id)))
                + passage_links_hint(links, passage_links(project, segment_id)),
                same=old is not None
                and (old.text, old.language) == (seg.text, seg.language)
                and not seg.untranscribed,
            )

        def ended() -> None:
            self.owner.retranscribing.pop(segment_id, None)
            emit(self.owner.running_changed)  # its Cancel button goes

        def done(result: Retranscribed) -> None:
            ended()
            if result.cancelled:
                self.owner.chrome.message(
                    "Re-transcription cancelled; the segment is as it was.", 6000
                )
                return
            if result.record is None:
                name = language_name(language) if language else "its language"
                self.owner.chrome.message(
                    f"Re-transcription in {name} found no text; the segment was left as it was.",
                    8000,
                )
                return
            if self.owner.state.ctx is not None and self.owner.state.project is project:
                self.owner.state.ctx.stack.push(
                    RetranscribeCommand(self.owner.state.ctx, result.record, language)
                )
            self._segment_retranscribed(
                result.segment, result.codings, result.notes, same=result.same
            )
            if result.names:  # Whisper wrote a real name again; names are replaced after a review
                self.owner.chrome.report(
                    f"The new text holds {plural(result.names, 'real name')} from the pseudonym "
                    f"mapping. Review and replace {them(result.names)} in Ethics ▸ Pseudonyms "
                    "(or Edit ▸ Undo)."
                )

        def failed(exc: BaseException) -> None:
            ended()
            self.owner.chrome.show_error(exc)

        self.owner.chrome.message("Re-transcribing the segment…")
        handle = self.owner.runner.submit(
            "Re-transcribing segment", job, on_done=done, on_error=failed
        )
        self.owner.retranscribing[segment_id] = handle
        emit(self.owner.running_changed)  # the status bar offers Cancel while Whisper reads
        return handle

    def cancel_retranscription(self) -> None:
        """Stop the running re-transcriptions of single segments (each is left as it was)."""
        for handle in self.owner.retranscribing.values():
            handle.cancel()
        if self.owner.retranscribing:
            self.owner.chrome.message("Cancelling the re-transcription…", 4000)

    def _segment_retranscribed(
        self, seg: Any, codings: list[Any], notes: list[str] | None = None, *, same: bool = False
    ) -> None:
        model = self.owner.views.segment_model
        if seg is None or model.session_id != seg.session_id:
            return
        model.replace_segment(seg, codings)
        self.owner.sessions.update_transcript_label()
        if self.owner.views.transcript.currentIndex().row() == model.row_of(seg.id):
            shown = [(c, code) for c in codings if (code := model.code(c.code_id)) is not None]
            self.owner.views.segment_editor.show_segment(seg, shown)
        self.owner.sessions.refresh_session_row(seg.session_id)
        # Whisper may write the very words it wrote before: "new text" then sent the coder
        # looking for a change that was not there (a Kazakh segment re-transcribed in Kazakh)
        what = (
            "no text (speech without transcript)"
            if seg.untranscribed
            else "the same text as before"
            if same
            else "new text"
        )
        lang = f" in {language_name(seg.language)}" if seg.language else ""
        by = f" with {seg.model}" if seg.model else ""  # the model it records (never a path)
        done = f"Segment re-transcribed{lang}{by}: {what}."
        if notes:  # codings that lost their words: in a box that does not block, too
            self.owner.chrome.report("\n\n".join([done, *(for_gui(n) for n in notes)]))
        else:
            self.owner.chrome.message(done, 6000)


def _mapped_names_in(project: Any, seg: Any) -> int:
    """How many real names of the project's pseudonym mapping a segment's text holds."""
    if seg is None:
        return 0
    return len(project.privacy.pseudonym_candidates(seg.session_id, segment_id=seg.id))

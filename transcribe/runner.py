"""Transcribing a session of a project: resumable, cancellable, with progress.

``transcribe_session`` is what the command line and the GUI call. Segments are written as they
are produced, each batch in one transaction together with how far the audio is done
(``transcription_state.done_ms``). A run stopped by cancel, a crash or a power cut therefore
resumes from ``done_ms`` and never duplicates segments.

Re-transcribing a session whose transcript holds someone's work -- segments whose text or
language was corrected by hand or whose names were replaced by pseudonyms, segments typed by
hand (origin manual/import), coded, redacted, with a speaker set by hand or with a memo -- is
refused unless ``replace=True`` (``Transcription.protected_segments``). With ``replace`` those
segments are KEPT with their codings, redactions and memos; only untouched Whisper segments are
replaced, and new segments that overlap a kept one are not added (no duplicate text). No coding
is ever removed by a transcription. New segments lying mostly in speech a coder deleted from the
session (``Transcript.delete_segment``) are left out too, and counted.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace as shifted_copy
from pathlib import Path
from typing import Any

from storage import Project
from storage.core.errors import (
    AudioError,
    ChangedMeanwhileError,
    DiskFullError,
    FieldScribeError,
    NotFoundError,
    is_disk_full,
)
from storage.core.spans import merged_spans
from storage.core.words import plural, verb

from .carry import SpeakerSpans
from .engine import BEAM_SIZE, Transcriber
from .model_identity import model_identity
from .model_load import check_language
from .model_use import using_model
from .models import default_model, resolve_model
from .run_loop import Cancelling, Progress, RunState, TranscriptionSummary, write_batches
from .run_model import (
    MODEL_GONE,
    check_identification,
    choose_model,
    fit_model,
    hear_first,
    model_gone,
    started_again,
)
from .run_notes import (
    deleted_hint,
    forced_hint,
    languages_hint,
    names_hint,
    small_model_hint,
    speakers_hint,
    unexpected_hint,
)

__all__ = [
    "CANCEL_WAIT_S",
    "PIPELINE_VERSION",
    "NeedsReplaceError",
    "Progress",
    "TranscriptionSummary",
    "choose_model",
    "names_in_new_text",
    "retranscribe_segment",
    "transcribe_session",
]

PIPELINE_VERSION = 2

# after a cancel, the batches being decoded are waited for this long and written (no new one
# starts): what they decoded is kept. The command line and the GUI's Cancel wait until they
# finish (a second Ctrl+C stops at once); a project that closes hurries the GUI's run this
# long (``hurry``: it waits 15 s for its jobs)
CANCEL_WAIT_S = 10.0


class NeedsReplaceError(FieldScribeError):
    """The session has segments holding someone's work; re-transcribing needs replace.
    ``gui`` says it for the workbench, which asks whether to replace."""

    def __init__(self, message: str, *, gui: str | None = None) -> None:
        super().__init__(message)
        self.gui = message if gui is None else gui


def _verify_media(project: Project, session_id: str) -> Path:
    """The session's media file, checked against the checksum taken at import."""
    path = project.sessions.media_path(session_id)
    media = project.sessions.media_for_session(session_id)[0]
    try:
        size = path.stat().st_size
        if size == 0:
            raise AudioError(
                f"{path}: the session's audio file is empty; import the recording again."
            )
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise AudioError(
            f"{path}: the session's audio file cannot be read ({exc.strerror or exc}); "
            "check its permissions or restore it. Nothing was changed."
        ) from exc
    if size != media.size_bytes or digest.hexdigest() != media.sha256:
        raise AudioError(
            f"{path}: the audio file was changed or damaged after import (its checksum "
            "differs); restore it or import the original recording again. Nothing was changed."
        )
    return path


def transcribe_session(
    project: Project,
    session_id: str,
    *,
    model: str | None = None,
    language: str | None = None,
    threads: int | None = None,
    replace: bool = False,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    beam_size: int | None = None,
    engine: Callable[..., Any] | None = None,
    cancel_wait_s: float | None = None,
    hurry: threading.Event | None = None,
    stop: threading.Event | None = None,
) -> TranscriptionSummary:
    """Transcribe (or resume transcribing) a session's audio into its segments.

    Args:
        project: an open, writable project.
        session_id: the session.
        model: model name or folder (default: the interrupted run's model, else ``tiny.en``).
        language: language code, or None to detect it (or keep an interrupted run's).
        threads: CPU threads for decoding.
        replace: allow re-transcribing a session with segments holding someone's work
            (those are kept, see the module doc).
        progress: called after every batch is written, and in between as the batches being
            decoded get on (``Progress.estimated``; from the calling thread).
        cancel: set it to stop: no new batch starts, the batches being decoded are written as
            they finish (for at most ``cancel_wait_s``), and a later call resumes from there.
        beam_size: beam search width (default ``transcribe.engine.BEAM_SIZE``; wider is a
            little more accurate and slower).
        engine: what decodes, called like ``Transcriber(info, threads=, beam_size=)``
            (default ``Transcriber``, on this machine); ``transcribe.cluster`` passes one
            that sends the pieces to Dask workers. This function stays the only writer.
        cancel_wait_s: after a cancel, how long the batches being decoded are waited for
            (default ``CANCEL_WAIT_S``; ``math.inf``: until they finish).
        hurry: set it (with or after ``cancel``) to wait at most ``CANCEL_WAIT_S`` more for
            the batches being decoded: the GUI waits for them until they finish after its
            Cancel, and hurries when the project closes (it waits 15 s for its jobs).
        stop: set it (with or after ``cancel``) to stop at once, as a second Ctrl+C does: what
            is written is kept, the batches being decoded are dropped (the GUI's second Cancel).

    Returns:
        What was done.

    Raises:
        NeedsReplaceError: the session holds someone's work (edited, hand-made, coded,
            redacted... segments) and not replace; raised before any decoding.
        ModelError: the model is missing or corrupt, or English-only and another language
            was asked for.
        AudioError: the media file is missing, changed or undecodable.
    """
    started = time.monotonic()
    session = project.sessions.get_session(session_id)
    state = project.transcription.transcription_state(session_id)
    incomplete = state is not None and state.status != "done" and state.done_ms > 0
    # An interrupted run resumes with its own model and language unless others are asked for.
    if incomplete and state is not None:
        same_model = model is None or model == state.model
        same_language = language is None or language == state.language
        if not (same_model and same_language):
            incomplete = False
    # ... or, when its model is no longer on this machine (removed since), starts again with
    # the project's: resuming could only fail, and the workbench asks for no model
    gone = None
    if incomplete and state is not None and model is None:
        gone = model_gone(state.model, state.options.get("model"))
        incomplete = gone is None
    expected = list(project.languages)
    expected_by_project = bool(expected)
    # the models used are held (``model_use``): `models remove` elsewhere waits for the end
    doing = f"transcribing {session.title!r} in {project.name}"
    with contextlib.ExitStack() as held:
        info, notes = choose_model(
            project, model or (state.model if incomplete and state is not None else None), language
        )
        held.enter_context(using_model(info, doing))
        wanted_language = check_language(info, language)  # English-only + other language: error
        stats = project.transcription.transcript_stats(session_id)
        if not incomplete and stats.protected and not replace:
            said = (
                f"Session {session.title!r} has {plural(stats.protected, 'segment')} holding "
                f"someone's work ({', '.join(stats.kinds())})"
            )
            raise NeedsReplaceError(
                f"{said}; re-transcribe with --replace to keep "
                f"{'it' if stats.protected == 1 else 'them'} and replace only the untouched "
                "Whisper segments.",
                gui=f"{said}. Replace keeps {'it' if stats.protected == 1 else 'them'} and "
                "replaces only the untouched Whisper segments.",
            )
        path = _verify_media(project, session_id)
        total_ms = session.duration_ms
        from_ms = state.done_ms if incomplete and state is not None else 0
        if incomplete and state is not None and wanted_language is None:
            wanted_language = state.language
        # an English-only model is trusted only once the first speech was heard to be English
        english_only = not info.multilingual and set(expected) <= {"en"}
        if english_only and wanted_language is None and not incomplete:
            heard = hear_first(path, info, notes, threads, expects_english=bool(expected))
            if heard is not info:  # transcribed with the multilingual model instead
                held.enter_context(using_model(heard, doing))
            info = heard
        if gone is not None and state is not None:
            # how to get it back, unless the project chose it (the project's note says it)
            advice = gone == MODEL_GONE and state.model != project.model
            notes.insert(0, started_again(state.model, gone, info.name, advice=advice))
        transcriber = (engine or Transcriber)(
            info, threads=threads, beam_size=beam_size or BEAM_SIZE, numbers=project.numbers
        )
        transcriber.check_language(wanted_language)  # unknown codes, with the loaded model
        # engines that can identify with another model (the local one; not a cluster's)
        can_swap = callable(getattr(transcriber, "identify_with", None))
        if can_swap and transcriber.multilingual and wanted_language is None:
            check_identification(info, transcriber, notes)
        # a model without one of the expected languages is refused
        expected = transcriber.check_languages(expected) if transcriber.multilingual else ["en"]
        kept = project.transcription.protected_segments(session_id)
        # speech a coder deleted (small talk before the interview) does not come back
        deleted = merged_spans(project.transcription.deleted_spans(session_id))
        # the labels of the old segments (detected, renamed or set by hand) go to the new ones
        # (speaker detection's timeline where they say nothing)
        turns = [
            (t.start_ms, t.end_ms, t.speaker) for t in project.speakers.turns.stored(session_id)
        ]
        speakers = SpeakerSpans(
            project.transcription.speaker_spans(session_id), fallback=SpeakerSpans(turns)
        )
        options: dict[str, Any] = {
            "pipeline": PIPELINE_VERSION,
            "threads": transcriber.threads,
            "beam_size": transcriber.beam_size,
            "numbers": project.numbers,
            "replace": replace,
            "model": model_identity(info),  # the name alone may name another model later
        }
        previous = project.transcription.begin_transcription(
            session_id,
            model=info.name,
            language=wanted_language,
            total_ms=total_ms,
            from_ms=from_ms,
            options=options,
        )
        summary = TranscriptionSummary(
            session_id=session_id,
            model=info.name,
            language=wanted_language,
            segments_added=0,
            duration_ms=total_ms,
            elapsed_s=0.0,
            resumed_from_ms=from_ms,
            cancelled=False,
            segments_kept=stats.protected if replace else 0,
            codings_kept=stats.codings if replace else 0,
            languages=expected,
            notes=notes,
        )
        run = RunState(done_ms=from_ms)
        try:
            wait_s = CANCEL_WAIT_S if cancel_wait_s is None else cancel_wait_s
            cancelling = Cancelling(cancel, wait_s, hurry, CANCEL_WAIT_S, stop)
            write_batches(
                project,
                transcriber,
                path,
                summary,
                run,
                kept,
                progress,
                cancelling,
                started,
                speakers,
                deleted,
            )
            if not summary.cancelled:
                _read_kept_again(
                    project, transcriber, path, session_id, summary, wanted_language, cancel
                )
            project.transcription.end_transcription(
                session_id, "cancelled" if summary.cancelled else "done"
            )
            if not summary.cancelled:
                summary.duration_ms = max(total_ms, run.done_ms)
            summary.done_ms = run.done_ms
            summary.session_segments = project.transcript.segment_count(session_id)
        except BaseException as exc:
            recorded = _record_end(project, previous, session_id, run, exc)
            if is_disk_full(exc) or is_disk_full(exc.__cause__ or exc):
                raise _disk_full(session.title, summary, run, recorded) from exc
            raise
        summary.elapsed_s = round(time.monotonic() - started, 3)
        if not expected_by_project and transcriber.multilingual and wanted_language is None:
            summary.notes.extend(
                languages_hint(summary.identified, summary.cyrillic_in, summary.letters_point_to)
            )
        elif wanted_language is None:
            summary.notes.extend(
                unexpected_hint(summary.identified, expected, unwritten=summary.unwritten_in)
            )
        elif expected_by_project and wanted_language not in expected:
            summary.notes.append(forced_hint(wanted_language, expected))
        summary.notes.extend(small_model_hint(summary.identified, info.name))
        summary.notes.extend(speakers_hint(summary, session_id))
        summary.notes.extend(deleted_hint(summary.segments_left_out))
        if summary.segments_added:
            summary.notes.extend(names_hint(project, session_id))
        return summary


def _read_kept_again(
    project: Project,
    transcriber: Any,
    path: Path,
    session_id: str,
    summary: TranscriptionSummary,
    language: str | None,
    cancel: threading.Event | None,
) -> None:
    """After a run over the whole recording: the kept segments of speech without transcript
    (``Transcription.kept_without_text``: coded ranges of a recording imported without its
    transcript, stretches a coder marked) are read again in place, as ``retranscribe`` does,
    their codings staying on them; the run's own segments leave them alone (they lie mostly
    over kept work). A segment a coder changes meanwhile is left as they made it. Engines that
    decode elsewhere (a cluster's) read only whole recordings: nothing is read again."""
    if not callable(getattr(transcriber, "transcribe", None)):
        return
    for segment_id in project.transcription.kept_without_text(session_id):
        if cancel is not None and cancel.is_set():
            return
        try:
            segment = project.transcript.get_segment(segment_id)
            done = _read_again(
                project, transcriber, summary.model, path, segment, language,
                by_hand=False, cancel=cancel,
            )  # fmt: skip
        except (NotFoundError, ChangedMeanwhileError):
            continue
        summary.kept_read += 1
        if done.text.strip():
            summary.kept_filled += 1
    if summary.kept_read:
        read, filled = summary.kept_read, summary.kept_filled
        empty = read - filled
        summary.notes.append(
            f"{plural(read, 'segment')} of speech without transcript that "
            f"{verb(read, 'holds', 'hold')} work (coded, hand-made) "
            f"{verb(read, 'was', 'were')} read again in place, "
            f"{verb(read, 'its', 'their')} codings kept: "
            + (f"{filled} now {verb(filled, 'has', 'have')} text" if filled else "none got text")
            + (
                f", {empty} still {verb(empty, 'has', 'have')} none (play and type)"
                if filled and empty
                else ""
            )
            + "."
        )


def names_in_new_text(project: Project, segment: Any) -> list[str]:
    """After ``retranscribe_segment``: a note when its new text holds real names of the
    pseudonym mapping (a segment whose names were replaced gets them back from Whisper)."""
    return names_hint(project, segment.session_id, segment.id)


def _record_end(
    project: Project,
    previous: Any,
    session_id: str,
    run: RunState,
    exc: BaseException,
) -> bool:
    """Leave the session's state honest after a failed run; False when that write failed too
    (a full disk can refuse it)."""
    try:
        if not run.wrote:
            project.transcription.restore_transcription(previous)  # the project is as it was
        else:
            interrupted = isinstance(exc, KeyboardInterrupt)
            project.transcription.end_transcription(
                session_id, "cancelled" if interrupted else "failed"
            )
    except (FieldScribeError, sqlite3.Error):
        if not (is_disk_full(exc) or is_disk_full(exc.__cause__ or exc)):
            raise
        return False
    return True


def _disk_full(
    title: str, summary: TranscriptionSummary, run: RunState, recorded: bool
) -> DiskFullError:
    """Say what a full disk left: how many segments were saved, and how to go on."""
    n = summary.segments_added
    if not run.wrote:
        done = "nothing was transcribed and the project is unchanged"
    else:
        done = (
            f"{plural(n, 'segment')} {verb(n, 'was')} saved before the disk filled "
            f"(the audio up to {run.done_ms / 1000:.1f} s)"
        )
        done += (
            "; the transcription is marked failed"
            if recorded
            else "; its status could not be updated and still reads running"
        )
    return DiskFullError(
        f"The disk is full: the transcription of {title!r} stopped; {done}. Free some space, "
        "then run the same command again to resume."
    )


def retranscribe_segment(
    project: Project,
    segment_id: str,
    *,
    language: str | None = None,
    model: str | None = None,
    threads: int | None = None,
    cancel: threading.Event | None = None,
) -> Any:
    """Transcribe one segment's audio again (in ``language``, else its own or identified) and
    put the result in its place: text, word timings, confidence and language.

    Codings on the segment stay on it (span codings are clamped to the new text). When Whisper
    finds no text the segment becomes (or stays) "speech without transcript". A ``language``
    other than the segment's own is a person's language correction: the segment is then
    marked as corrected by hand, and a re-transcription of the session keeps it; a segment
    already marked stays marked (``Transcript.replace_transcription``).

    Raises:
        NotFoundError: no such segment (also: deleted or merged while it decoded).
        ChangedMeanwhileError: a person changed its text, language or times while it decoded;
            their change is kept and nothing is written. ModelError, AudioError: as
            ``transcribe_session``.
    """
    segment = project.transcript.get_segment(segment_id)
    expected = list(project.languages)
    code = language or segment.language
    if model is None and project.model:  # the project's choice (a fine-tune), as a session's
        info, _notes = choose_model(project, None, code)
    else:
        info = resolve_model(model or default_model([code] if code else expected))
        info = fit_model(info, code, [code] if code else expected, [])
    check_language(info, code)
    path = _verify_media(project, segment.session_id)
    with using_model(info, f"transcribing a segment again in {project.name}"):
        transcriber = Transcriber(info, threads=threads, numbers=project.numbers)
        return _read_again(
            project, transcriber, info.name, path, segment, language,
            by_hand=language is not None, cancel=cancel,
        )  # fmt: skip


def _read_again(
    project: Project,
    transcriber: Any,
    model: str,
    path: Path,
    segment: Any,
    language: str | None,
    *,
    by_hand: bool,
    cancel: threading.Event | None = None,
) -> Any:
    """Decode ``segment``'s audio with ``transcriber`` and put the result in its place (see
    ``retranscribe_segment``); the segment as it was when cancelled before the end."""
    from .stream import SAMPLE_RATE, PcmReader

    expected = list(project.languages)
    code = language or segment.language
    with PcmReader(path, segment.start_ms) as reader:
        audio = reader.read(max(1, (segment.end_ms - segment.start_ms) * SAMPLE_RATE // 1000))
    if cancel is not None and cancel.is_set():
        return segment
    drafts = list(
        transcriber.transcribe(
            audio,
            language=code if transcriber.multilingual else "en",
            languages=expected if transcriber.multilingual else None,
            cancel=cancel,
        )
    )
    if cancel is not None and cancel.is_set():
        return segment  # stopped part-way: half a reading is not the segment's text
    spoken = [d for d in drafts if not d.untranscribed and d.text.strip()]
    text = " ".join(d.text.strip() for d in spoken)
    words = [
        shifted_copy(w, start_ms=w.start_ms + segment.start_ms, end_ms=w.end_ms + segment.start_ms)
        for d in spoken
        for w in d.words
    ]
    probs = [d.confidence for d in spoken if d.confidence is not None]
    found = code or next((d.language for d in drafts if d.language), None)
    return project.transcript.replace_transcription(
        segment.id,
        text=text,
        words=words,
        confidence=sum(probs) / len(probs) if probs else None,
        language=found,
        language_by_hand=by_hand,
        was=segment,  # a coder's edit made while it decoded is kept: nothing is written
        model=model,  # the segment records which model read it (a folder: its name)
    )

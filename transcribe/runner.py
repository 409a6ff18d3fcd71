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
is ever removed by a transcription.
"""

from __future__ import annotations

import hashlib
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import replace as shifted_copy
from pathlib import Path
from typing import Any

from storage import Project
from storage.core.errors import AudioError, DiskFullError, FieldScribeError, is_disk_full
from storage.transcript.transcript import SegmentDraft

from .batches import ChunkResult
from .engine import BEAM_SIZE, Transcriber
from .languages import foreign
from .model_load import check_language
from .models import ModelError, ModelInfo, default_model, multilingual_model, resolve_model
from .notes import PROJECT_SETTINGS, SETTINGS_MODELS, TRANSCRIBE_AGAIN, Note, n_segments

PIPELINE_VERSION = 2


@dataclass
class Progress:
    """Progress of a running transcription."""

    fraction: float  # 0..1 of the audio done
    done_ms: int
    total_ms: int
    elapsed_s: float
    eta_s: float | None
    segments: int  # segments written so far in this run
    # True for a report between batches: ``done_ms`` counts the batches being decoded, from
    # how far their work is (nothing of them is written yet)
    estimated: bool = False


@dataclass
class TranscriptionSummary:
    """What a transcription run did."""

    session_id: str
    model: str
    language: str | None
    segments_added: int
    duration_ms: int
    elapsed_s: float
    resumed_from_ms: int
    cancelled: bool
    segments_replaced: int = 0  # untouched Whisper segments of an earlier run removed
    segments_kept: int = 0  # segments holding someone's work, kept (replace=True)
    codings_kept: int = 0  # codings on the kept segments (never removed)
    languages: list[str] = field(default_factory=list)  # the languages chosen among
    untranscribed: int = 0  # "speech without transcript" placeholders written
    notes: list[str] = field(default_factory=list)  # what the user should know (model switched)
    identified: dict[str, int] = field(default_factory=dict)  # segments per language written

    def by_language(self) -> list[tuple[str, int]]:
        """(language, segments written in it), the most first: what the run heard."""
        return sorted(((c, n) for c, n in self.identified.items() if c), key=lambda x: -x[1])

    @property
    def heard_nothing(self) -> bool:
        """A whole run that found no speech: silence, noise or music only."""
        return (
            not self.cancelled
            and not self.resumed_from_ms
            and self.segments_added == 0
            and self.untranscribed == 0
        )


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


def _overlaps(draft: SegmentDraft, kept: list[tuple[int, int]]) -> bool:
    """Whether most of a new segment lies over a kept segment (one holding someone's work)."""
    length = max(1, draft.end_ms - draft.start_ms)
    covered = sum(
        max(0, min(e, draft.end_ms) - max(s, draft.start_ms))
        for s, e in kept
        if s < draft.end_ms and e > draft.start_ms
    )
    if draft.end_ms == draft.start_ms:
        return any(s <= draft.start_ms < e for s, e in kept)
    return covered / length >= 0.5


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
    expected = list(project.languages)
    expected_by_project = bool(expected)
    info, notes = choose_model(
        project, model or (state.model if incomplete and state is not None else None), language
    )
    wanted_language = check_language(info, language)  # English-only + other language: error
    stats = project.transcription.transcript_stats(session_id)
    if not incomplete and stats.protected and not replace:
        said = (
            f"Session {session.title!r} has {stats.protected} segment(s) holding someone's "
            f"work ({', '.join(stats.kinds())})"
        )
        raise NeedsReplaceError(
            f"{said}; re-transcribe with --replace to keep them and replace only the untouched "
            "Whisper segments.",
            gui=f"{said}. Replace keeps them and replaces only the untouched Whisper segments.",
        )
    path = _verify_media(project, session_id)
    total_ms = session.duration_ms
    from_ms = state.done_ms if incomplete and state is not None else 0
    if incomplete and state is not None and wanted_language is None:
        wanted_language = state.language
    # an English-only model is trusted only once the first speech was heard to be English
    english_only = not info.multilingual and set(expected) <= {"en"}
    if english_only and wanted_language is None and not incomplete:
        info = _hear_first(path, info, notes, threads, expects_english=bool(expected))
    transcriber = (engine or Transcriber)(
        info, threads=threads, beam_size=beam_size or BEAM_SIZE, numbers=project.numbers
    )
    transcriber.check_language(wanted_language)  # unknown codes, with the loaded model
    # engines that can identify with another model (the local one; not a cluster's)
    can_swap = callable(getattr(transcriber, "identify_with", None))
    if can_swap and transcriber.multilingual and wanted_language is None:
        _check_identification(info, transcriber, notes)
    # a model without one of the expected languages is refused
    expected = transcriber.check_languages(expected) if transcriber.multilingual else ["en"]
    kept = project.transcription.protected_segments(session_id)
    options: dict[str, Any] = {
        "pipeline": PIPELINE_VERSION,
        "threads": transcriber.threads,
        "beam_size": transcriber.beam_size,
        "numbers": project.numbers,
        "replace": replace,
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
    run = _RunState(done_ms=from_ms)
    try:
        wait_s = CANCEL_WAIT_S if cancel_wait_s is None else cancel_wait_s
        _run(project, transcriber, path, summary, run, kept, progress, (cancel, wait_s), started)
        project.transcription.end_transcription(
            session_id, "cancelled" if summary.cancelled else "done"
        )
        if not summary.cancelled:
            summary.duration_ms = max(total_ms, run.done_ms)
    except BaseException as exc:
        recorded = _record_end(project, previous, session_id, run, exc)
        if is_disk_full(exc) or is_disk_full(exc.__cause__ or exc):
            raise _disk_full(session.title, summary, run, recorded) from exc
        raise
    summary.elapsed_s = round(time.monotonic() - started, 3)
    if not expected_by_project and transcriber.multilingual and wanted_language is None:
        summary.notes.extend(_languages_hint(summary.identified))
    elif wanted_language is None:
        summary.notes.extend(_unexpected_hint(summary.identified, expected))
    elif expected_by_project and wanted_language not in expected:
        summary.notes.append(_forced_hint(wanted_language, expected))
    summary.notes.extend(_small_model_hint(summary.identified, info.name))
    if summary.segments_added:
        summary.notes.extend(_names_hint(project, session_id))
    return summary


def _names_hint(project: Project, session_id: str, segment_id: str | None = None) -> list[str]:
    """Real names of the pseudonym mapping in the session's text after a run (or in one
    segment's new text, ``segment_id``): say so.

    Segments whose names were replaced are kept by a new transcription, but the new text of
    the others can hold a mapped name again; names are only ever replaced after a review.
    """
    found = project.privacy.pseudonym_candidates(session_id, segment_id=segment_id)
    if not found:
        return []
    segments = len({c.segment_id for c in found})
    where = "the new text" if segment_id is not None else f"the transcript ({segments} segment(s))"
    said = f"{len(found)} occurrence(s) of real names from the pseudonym mapping are in {where}"
    return [
        Note(
            f"{said}: review them with fieldscribe pseudonym DIR --review --session "
            f"{session_id} and replace them with --apply.",
            gui=f"{said}: review and replace them in Ethics ▸ Pseudonyms.",
        )
    ]


def names_in_new_text(project: Project, segment: Any) -> list[str]:
    """After ``retranscribe_segment``: a note when its new text holds real names of the
    pseudonym mapping (a segment whose names were replaced gets them back from Whisper)."""
    return _names_hint(project, segment.session_id, segment.id)


def _languages_hint(identified: dict[str, int]) -> list[str]:
    """A project that says no languages, and Whisper heard several: say which, and how to make
    identification choose among the right ones (Kazakh is easily taken for a Turkic kin)."""
    if len(identified) < 2:
        return []
    from storage.core.languages import language_name

    ranked = sorted(identified.items(), key=lambda kv: -kv[1])
    heard = ", ".join(f"{language_name(code)} ({n_segments(n)})" for code, n in ranked)
    codes = ",".join(code for code, _n in ranked[:3])
    said = (
        f"The project expects no particular languages, and Whisper identified {heard}. If some "
        "of these were not spoken, set the project's languages"
    )
    return [
        Note(
            f"{said} (fieldscribe languages DIR --set {codes} with the right codes) so that "
            "every stretch is identified among them, and transcribe again with --replace.",
            gui=f"{said} in {PROJECT_SETTINGS} so that every stretch is identified among them, "
            f"and transcribe again ({TRANSCRIBE_AGAIN}).",
        )
    ]


#: Whisper's small multilingual models, and the languages they read far less well than Russian or
#: English (Whisper saw little of them in training: its own paper's word error rates for Kazakh
#: are several times its Russian ones, and on our recordings ``base`` wrote Kazakh mostly wrong)
SMALL_MODELS = frozenset({"tiny", "base"})
WEAK_IN_SMALL_MODELS = frozenset({"kk", "uz", "tg", "tk", "tt", "ba", "mn"})


def _small_model_hint(identified: dict[str, int], model: str) -> list[str]:
    """Segments written in a language the small models read badly (``WEAK_IN_SMALL_MODELS``):
    say that their text needs checking, and how to get better text."""
    if model not in SMALL_MODELS:
        return []
    from storage.core.languages import language_name

    weak = sorted(
        ((code, n) for code, n in identified.items() if code in WEAK_IN_SMALL_MODELS and n),
        key=lambda item: -item[1],
    )
    if not weak:
        return []
    said = ", ".join(f"{n_segments(n)} in {language_name(code)}" for code, n in weak)
    were = "was" if len(weak) == 1 and weak[0][1] == 1 else "were"
    said = (
        f"{said} {were} written with the small model {model!r}, which reads "
        f"{language_name(weak[0][0])} far less well than Russian or English: check their text "
        "against the recording. For better text install a larger or fine-tuned model"
    )
    return [
        Note(
            f"{said} (fieldscribe models install small, or a fine-tune's owner/repo), choose it "
            "for the project (fieldscribe models use DIR NAME) and transcribe again with "
            "--replace.",
            gui=f"{said} ({SETTINGS_MODELS}), choose it for the project ({PROJECT_SETTINGS}) "
            f"and transcribe again ({TRANSCRIBE_AGAIN}).",
        )
    ]


def _unexpected_hint(identified: dict[str, int], expected: list[str]) -> list[str]:
    """Whisper clearly heard languages the project does not expect (``languages.foreign``):
    they were transcribed in the language spoken, not translated; say so, and how to add them."""
    from storage.core.languages import language_name

    others = sorted(
        ((code, n) for code, n in identified.items() if code not in expected),
        key=lambda item: -item[1],
    )
    if not others:
        return []
    heard = ", ".join(f"{language_name(code)} ({n} segment(s))" for code, n in others)
    names = ", ".join(language_name(code) for code in expected)
    codes = ",".join([*expected, *(code for code, _ in others)])
    said = (
        f"Heard {heard}, which the project does not expect (it expects {names}): transcribed "
        "in the language spoken, not translated. To expect it"
    )
    return [
        Note(
            f"{said}: fieldscribe languages PROJECT --set {codes}.",
            gui=f"{said}, add it in {PROJECT_SETTINGS}.",
        )
    ]


def _forced_hint(language: str, expected: list[str]) -> str:
    """A language asked for that the project does not expect: every stretch was decoded in it."""
    from storage.core.languages import language_name

    names = ", ".join(language_name(code) for code in expected)
    said = (
        f"Transcribed as {language_name(language)}, which the project does not expect (it "
        f"expects {names}): Whisper told a language translates speech in another one into it."
    )
    return Note(
        f"{said} Leave out --language to have each stretch identified.",
        gui=f"{said} Transcription ▸ Transcribe session (without choosing a language) has each "
        "stretch identified.",
    )


def _record_end(
    project: Project,
    previous: Any,
    session_id: str,
    run: _RunState,
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
    title: str, summary: TranscriptionSummary, run: _RunState, recorded: bool
) -> DiskFullError:
    """Say what a full disk left: how many segments were saved, and how to go on."""
    n = summary.segments_added
    if not run.wrote:
        done = "nothing was transcribed and the project is unchanged"
    else:
        done = (
            f"{n} segment{'s' if n != 1 else ''} "
            f"{'were' if n != 1 else 'was'} saved before the disk filled "
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


@dataclass
class _RunState:
    done_ms: int
    wrote: bool = False
    final: bool = False  # the recording's last batch was written


_END = object()
_STOPPED = object()  # the engine ended after a cancel: the batches it had started are yielded

# after a cancel, the batches being decoded are waited for this long and written (no new one
# starts): what they decoded is kept. The GUI waits 15 s for its jobs when a project closes;
# the command line waits until they finish (a second Ctrl+C stops at once)
CANCEL_WAIT_S = 10.0


def _run(
    project: Project,
    transcriber: Transcriber,
    path: Path,
    summary: TranscriptionSummary,
    run: _RunState,
    kept: list[tuple[int, int]],
    progress: Callable[[Progress], None] | None,
    cancelling: tuple[threading.Event | None, float],
    started: float,
) -> None:
    """Decode in a worker thread, write in this one (``run`` tracks what was written).

    A cancel starts no new batch; the batches already decoded or being decoded are stored as
    they finish, for at most ``cancelling``'s seconds, then the run stops (resumable from there).
    """
    cancel, wait_s = cancelling
    from_ms = run.done_ms
    fixed = summary.language  # asked for (or the interrupted run's); None: every stretch's own
    results: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()  # nothing more is wanted from the worker
    ending = threading.Event()  # cancelled: the engine starts no new batch

    def hand_over(item: Any) -> bool:
        """Queue an item for the writing thread unless the run was stopped."""
        while not stop.is_set():
            try:
                results.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for chunk in transcriber.transcribe_chunks(
                path,
                language=fixed,
                languages=summary.languages,
                start_ms=from_ms,
                cancel=ending,
            ):
                if not hand_over(chunk):
                    return
            hand_over(_STOPPED if ending.is_set() else _END)
        except BaseException as exc:  # handed to the writing thread (dropped after a stop)
            hand_over(exc)

    # Not a daemon: after a cancel the batch being decoded finishes in the background and the
    # interpreter waits for it at exit (killing native decoding mid-way can crash the process).
    worker = threading.Thread(target=work, name="fieldscribe-transcribe", daemon=False)
    worker.start()
    total_ms = summary.duration_ms
    spoken: dict[str | None, int] = {}  # segments written per language (the summary's main one)
    run_start = time.monotonic()
    # how far the batches being decoded are (engines that can say: the local one)
    in_flight: Callable[[], int] | None = getattr(transcriber, "in_flight_ms", None)
    reported_ms = from_ms
    deadline: float | None = None  # after a cancel: when waiting for started batches ends
    try:
        while True:
            if deadline is None and cancel is not None and cancel.is_set():
                summary.cancelled = True
                ending.set()
                deadline = time.monotonic() + wait_s
            if deadline is not None and time.monotonic() >= deadline:
                break
            try:
                item = results.get(timeout=0.1)
            except queue.Empty:
                if progress is not None and in_flight is not None:
                    # between batches (a batch takes 10 to 60 s on a laptop): never back
                    estimate = run.done_ms + in_flight()
                    if reported_ms < estimate < total_ms:
                        reported_ms = estimate
                        progress(
                            _progress(estimate, total_ms, from_ms, run_start, started, summary)
                        )
                continue
            if item is _STOPPED and not run.final:
                break
            if item is _END or item is _STOPPED:  # stopped after the last batch: the end
                summary.cancelled = False  # the end was reached all the same
                # Also clears old segments after the end (the last window is not always
                # flagged final: a file can end exactly at a window boundary).
                _, removed = project.transcription.add_transcribed(
                    summary.session_id,
                    [],
                    from_ms=run.done_ms,
                    done_ms=max(run.done_ms, total_ms),
                    final=True,
                )
                run.wrote = True
                summary.segments_replaced += removed
                run.done_ms = max(run.done_ms, total_ms)
                break
            if isinstance(item, BaseException):
                raise item
            chunk: ChunkResult = item
            drafts = [d for d in chunk.segments if not _overlaps(d, kept)]
            written, removed = project.transcription.add_transcribed(
                summary.session_id,
                drafts,
                from_ms=run.done_ms,
                done_ms=chunk.done_ms,
                final=chunk.final,
                language=fixed,
            )
            run.wrote = True
            summary.segments_added += len(written)
            summary.untranscribed += sum(1 for d in drafts if d.untranscribed)
            summary.segments_replaced += removed
            for segment in written:
                if segment.language and not segment.untranscribed:
                    summary.identified[segment.language] = (
                        summary.identified.get(segment.language, 0) + 1
                    )
            spoken[chunk.language] = spoken.get(chunk.language, 0) + len(written)
            summary.language = fixed or max(spoken, key=lambda k: spoken[k] if k else -1)
            run.done_ms = chunk.done_ms
            run.final = run.final or chunk.final
            if progress is not None:
                # an estimate between batches may have gone further than what is written
                reported_ms = max(reported_ms, run.done_ms)
                progress(
                    _progress(reported_ms, total_ms, from_ms, run_start, started, summary, run)
                )
    finally:
        stop.set()
        ending.set()
        worker.join(timeout=0.8)


def _progress(
    done_ms: int,
    total_ms: int,
    from_ms: int,
    run_start: float,
    started: float,
    summary: TranscriptionSummary,
    written: _RunState | None = None,
) -> Progress:
    """A report that the run is ``done_ms`` far; ``written``: what is written (None: an
    estimate between batches, of the batches being decoded)."""
    now = time.monotonic()
    fraction = min(1.0, done_ms / total_ms) if total_ms > 0 else 1.0
    rate_done = done_ms - from_ms
    eta = None
    if rate_done > 0 and total_ms > done_ms:
        eta = (now - run_start) * (total_ms - done_ms) / rate_done
    elif total_ms <= done_ms:
        eta = 0.0
    if written is not None:
        done_ms = written.done_ms
    return Progress(
        fraction=fraction,
        done_ms=min(done_ms, total_ms) if total_ms else done_ms,
        total_ms=total_ms,
        elapsed_s=round(now - started, 3),
        eta_s=None if eta is None else round(eta, 1),
        segments=summary.segments_added,
        estimated=written is None,
    )


def choose_model(
    project: Project, model: str | None, language: str | None
) -> tuple[ModelInfo, list[str]]:
    """The model a session of ``project`` is transcribed with, and what the user should know.

    ``model`` when given, else the project's own (``Project.model``), else the default for its
    languages (``transcribe.models.default_model``); an
    English-only model is swapped for a multilingual one when the project expects other
    languages (and refused when there is none).

    Raises:
        ModelError: as ``resolve_model``, or English-only and no multilingual model.
    """
    expected = list(project.languages)
    notes: list[str] = []
    info = None
    if model is None and project.model:  # chosen for the project (models use, Project settings)
        try:
            info = resolve_model(project.model)
        except ModelError:  # a copy of the project on a machine without that model
            fallback = default_model(expected)
            said = (
                f"The project's model {project.model!r} is not on this machine: transcribed "
                f"with {fallback}, the default for its languages (install or import it, or "
                "choose another"
            )
            notes.append(
                Note(
                    f"{said}: fieldscribe models use DIR NAME).",
                    gui=f"{said}: {SETTINGS_MODELS}, {PROJECT_SETTINGS}).",
                )
            )
    if info is None:
        info = resolve_model(model or default_model(expected))
    return _fit_model(info, language, expected, notes), notes


def _fit_model(
    info: ModelInfo, language: str | None, expected: list[str], notes: list[str]
) -> ModelInfo:
    """The model to use: ``info``, or a multilingual one when ``info`` is English-only and the
    project expects other languages (said in ``notes``).

    Raises:
        ModelError: the model is English-only, the project expects other languages and no
            multilingual model is installed (one line naming the languages and the fix).
    """
    asked = language.strip().lower() if language and language.strip().lower() != "auto" else ""
    others = [code for code in ([asked] if asked else expected) if code and code != "en"]
    if info.multilingual or not others:
        return info
    from storage.core.languages import LANGUAGES, language_name

    if asked and asked not in LANGUAGES:
        return info  # refused with the unknown code's own message
    names = ", ".join(language_name(code) for code in others)
    wants = f"{names} was asked for" if asked else f"the project expects {names}"
    better = multilingual_model()
    if better is None:
        from .models import multilingual_advice

        raise ModelError(
            f"{wants[0].upper()}{wants[1:]}, and {info.name} is English-only (it would write "
            f"English words that nobody said); {multilingual_advice()}."
        )
    notes.append(
        f"{info.name} is English-only and {wants}: transcribed with {better.name} instead."
    )
    return better


SNIFF_S = 60  # seconds of a recording listened to before an English-only model is trusted
SNIFF_CLIP_S = 15  # seconds of its speech heard when the project says it expects English


def _check_identification(info: ModelInfo, transcriber: Any, notes: list[str]) -> None:
    """A model that names one language for any speech (a fine-tune, ``transcribe.lid_check``)
    identifies nothing: the shipped multilingual model identifies instead, and the summary
    says so."""
    from storage.core.languages import language_name

    from .lid_check import identifies

    ok, heard = identifies(info, transcriber.model)
    if ok:
        return
    said = f"{info.name} heard FieldScribe's English demo recording as {language_name(heard)}"
    better = multilingual_model()
    if better is None or better.path == info.path:
        notes.append(
            f"{said}: its language identification cannot be trusted and no other multilingual "
            "model is installed, so check each segment's language (or give --language)."
        )
        return
    transcriber.identify_with(better)
    notes.append(
        f"{said} (a fine-tune names its own language for any speech): each stretch's language "
        f"was identified with {better.name}, and {info.name} transcribed it in that language."
    )


def _hear_first(
    path: Path, info: ModelInfo, notes: list[str], threads: int | None, expects_english: bool
) -> ModelInfo:
    """An English-only model, no languages said or only English: listen to the first speech
    with a multilingual model (when one is installed) before anything is stored; when it is
    not English, transcribe with the multilingual model and say so. A project that
    ``expects_english`` is checked more quickly (``SNIFF_CLIP_S`` of speech) and only speech clearly
    in another language counts (``languages.foreign``); with the multilingual model each
    stretch is then identified, and speech in another language transcribed in it."""
    better = multilingual_model()
    if better is None:
        return info
    from storage.core.languages import language_name

    from .languages import speech_probabilities
    from .model_load import load_model
    from .stream import SAMPLE_RATE, PcmReader

    with PcmReader(path) as reader:
        audio = reader.read(SNIFF_S * SAMPLE_RATE)
    model, _device = load_model(better, threads=threads, device="auto")
    if expects_english:  # quicker: 15 seconds of speech, heard as identification hears them
        first = speech_probabilities(model, audio, SNIFF_CLIP_S)
        if first is None:
            return info
        probs = first
    else:
        try:
            _top, _p, ranked = model.detect_language(
                audio, vad_filter=True, language_detection_segments=2
            )
        except (ValueError, RuntimeError, IndexError):  # no speech at all: nothing to say
            return info
        probs = dict(ranked)
    if probs.get("en", 0.0) >= 0.5:  # sure enough that it is English
        return info
    if expects_english and foreign(probs, "en") is None:  # the project said: clearly not
        return info
    heard = max((code for code in probs if code != "en"), key=lambda c: probs[c])
    notes.append(
        f"Heard speech that is not clearly English (most likely {language_name(heard)}) and "
        f"{info.name} is English-only: transcribed with {better.name} instead (set the "
        "project's languages to choose among them)."
    )
    return better


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
    from .stream import SAMPLE_RATE, PcmReader

    segment = project.transcript.get_segment(segment_id)
    expected = list(project.languages)
    code = language or segment.language
    info = resolve_model(model or default_model([code] if code else expected))
    info = _fit_model(info, code, [code] if code else expected, [])
    check_language(info, code)
    path = _verify_media(project, segment.session_id)
    transcriber = Transcriber(info, threads=threads, numbers=project.numbers)
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
        segment_id,
        text=text,
        words=words,
        confidence=sum(probs) / len(probs) if probs else None,
        language=found,
        language_by_hand=language is not None,
        was=segment,  # a coder's edit made while it decoded is kept: nothing is written
    )

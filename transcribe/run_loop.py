"""The writing side of a transcription run: what it reports and what it did, and the loop that
decodes in a worker thread and writes each batch in the calling one
(``transcribe.runner.transcribe_session`` sets it up).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from storage import Project
from storage.core.languages import script_mismatch
from storage.transcript.transcript import SegmentDraft

from .batches import ChunkResult
from .carry import SpeakerSpans, carry_speakers
from .engine import Transcriber
from .progress import TimeLeft


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
    # new segments given the speaker label of the old segments they lie mostly inside (the
    # parts of a split one each count), new segments that got none (across a change of speaker
    # without word timings, or where nobody is known to speak), and new segments split at a
    # change of speaker: ``transcribe.carry``
    speakers_carried: int = 0
    speakers_missing: int = 0
    speakers_split: int = 0
    # new segments left out because they lie mostly in speech a coder deleted from the session
    # (``Transcription.deleted_spans``)
    segments_left_out: int = 0
    languages: list[str] = field(default_factory=list)  # the languages chosen among
    untranscribed: int = 0  # "speech without transcript" placeholders written
    # kept segments of speech without transcript (coded, hand-made) read again in place: how
    # many, and how many of them got text
    kept_read: int = 0
    kept_filled: int = 0
    notes: list[str] = field(default_factory=list)  # what the user should know (model switched)
    identified: dict[str, int] = field(default_factory=dict)  # segments per language written
    # placeholders per language heard (a turn in a language the project does not expect whose
    # reading failed is left as speech without transcript badged with it)
    unwritten_in: dict[str, int] = field(default_factory=dict)
    # segments per identified language that is not written in Cyrillic but whose text is
    # (Kazakh heard as Turkish, Lithuanian or Pashto), and the languages those letters point
    # to (kk with a Kazakh letter, else ru): a project without languages is told to set them
    cyrillic_in: dict[str, int] = field(default_factory=dict)
    letters_point_to: dict[str, int] = field(default_factory=dict)
    # how far the written text goes when the run ended (None: not told, the whole recording):
    # a resumed or stopped run transcribed resumed_from_ms to done_ms, not the whole duration
    done_ms: int | None = None
    # the session's segments when the run ended: a resumed run added only its part of them
    # (13 "added" of the 40 the session holds)
    session_segments: int = 0

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


@dataclass
class RunState:
    done_ms: int
    wrote: bool = False
    final: bool = False  # the recording's last batch was written


_END = object()
_STOPPED = object()  # the engine ended after a cancel: the batches it had started are yielded


def overlaps(draft: SegmentDraft, kept: list[tuple[int, int]]) -> bool:
    """Whether most (half or more) of a new segment lies over ``kept``: segments holding
    someone's work, or speech a coder deleted."""
    length = max(1, draft.end_ms - draft.start_ms)
    covered = sum(
        max(0, min(e, draft.end_ms) - max(s, draft.start_ms))
        for s, e in kept
        if s < draft.end_ms and e > draft.start_ms
    )
    if draft.end_ms == draft.start_ms:
        return any(s <= draft.start_ms < e for s, e in kept)
    return covered / length >= 0.5


class Cancelling(NamedTuple):
    """How a run stops: ``cancel`` set, the batches being decoded are waited for ``wait_s``
    (``math.inf``: until they finish); ``hurry`` set (with or after ``cancel``), for at most
    ``hurry_s`` more; ``stop`` set, not at all (what is written is kept)."""

    cancel: threading.Event | None
    wait_s: float
    hurry: threading.Event | None = None
    hurry_s: float = 0.0
    stop: threading.Event | None = None


def write_batches(
    project: Project,
    transcriber: Transcriber,
    path: Path,
    summary: TranscriptionSummary,
    run: RunState,
    kept: list[tuple[int, int]],
    progress: Callable[[Progress], None] | None,
    cancelling: Cancelling,
    started: float,
    speakers: SpeakerSpans | None = None,
    deleted: list[tuple[int, int]] | None = None,
) -> None:
    """Decode in a worker thread, write in this one (``run`` tracks what was written).

    ``speakers``: the labels of the session's old segments, carried onto the new ones
    (``transcribe.carry``). ``deleted``: the spans of speech a coder deleted from the session;
    a new segment lying mostly (half or more) inside them is left out and counted.

    A cancel starts no new batch; the batches already decoded or being decoded are stored as
    they finish, for at most ``cancelling.wait_s``, then the run stops (resumable from there);
    once ``cancelling.hurry`` is set, for at most ``cancelling.hurry_s`` more; once
    ``cancelling.stop`` is set, no longer.
    """
    cancel, wait_s, hurry, hurry_s, stop_now = cancelling
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
    time_left = TimeLeft(time.monotonic(), from_ms, total_ms)
    # how far the batches being decoded are (engines that can say: the local one)
    in_flight: Callable[[], int] | None = getattr(transcriber, "in_flight_ms", None)
    reported_ms = from_ms
    deadline: float | None = None  # after a cancel: when waiting for started batches ends
    hurried = False
    try:
        while True:
            now_please = stop_now is not None and stop_now.is_set()
            stopping = (
                (cancel is not None and cancel.is_set())
                or (hurry is not None and hurry.is_set())
                or now_please
            )
            if deadline is None and stopping:
                summary.cancelled = True
                ending.set()
                deadline = time.monotonic() + wait_s
            if deadline is not None and not hurried and hurry is not None and hurry.is_set():
                hurried = True  # the project is closing: it waits so long for its jobs
                deadline = min(deadline, time.monotonic() + hurry_s)
            if now_please:
                deadline = time.monotonic()  # a second Cancel: the batches being decoded go
            late = deadline is not None and time.monotonic() >= deadline
            try:
                # past the deadline (a second Cancel: at once) the batches still being decoded
                # are not waited for, but those decoded and handed over already are written: a
                # stop under load dropped a batch that lay decoded in the queue
                item = results.get_nowait() if late else results.get(timeout=0.1)
            except queue.Empty:
                if late:
                    break
                if progress is not None and in_flight is not None:
                    # between batches (a batch takes 10 to 60 s on a laptop): never back
                    estimate = run.done_ms + in_flight()
                    if reported_ms < estimate < total_ms:
                        reported_ms = estimate
                        progress(_progress(estimate, total_ms, time_left, started, summary))
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
            drafts = [d for d in chunk.segments if not overlaps(d, kept)]
            if deleted:
                wanted = [d for d in drafts if not overlaps(d, deleted)]
                summary.segments_left_out += len(drafts) - len(wanted)
                drafts = wanted
            if speakers is not None:
                carried = carry_speakers(
                    drafts,
                    speakers,
                    leave_out=lambda d: overlaps(d, kept) or overlaps(d, deleted or []),
                )
                drafts = carried.drafts
                summary.speakers_carried += carried.placed
                summary.speakers_missing += carried.missed
                summary.speakers_split += carried.split
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
                if segment.language and segment.untranscribed:
                    summary.unwritten_in[segment.language] = (
                        summary.unwritten_in.get(segment.language, 0) + 1
                    )
                elif segment.language:
                    summary.identified[segment.language] = (
                        summary.identified.get(segment.language, 0) + 1
                    )
                    _count_script(summary, segment.text, segment.language)
            spoken[chunk.language] = spoken.get(chunk.language, 0) + len(written)
            summary.language = fixed or max(spoken, key=lambda k: spoken[k] if k else -1)
            run.done_ms = chunk.done_ms
            run.final = run.final or chunk.final
            if progress is not None:
                # an estimate between batches may have gone further than what is written
                reported_ms = max(reported_ms, run.done_ms)
                progress(_progress(reported_ms, total_ms, time_left, started, summary, run))
    finally:
        stop.set()
        ending.set()
        worker.join(timeout=0.8)


def _count_script(summary: TranscriptionSummary, text: str, language: str) -> None:
    """Count a segment written in Cyrillic in a language that is not (``cyrillic_in``)."""
    found = script_mismatch(text, language, ["ru", "kk"])
    if found is None or found[0] != "Cyrillic":
        return
    summary.cyrillic_in[language] = summary.cyrillic_in.get(language, 0) + 1
    point = found[1] or "ru"  # Kazakh with a Kazakh letter (``guess_language``), else Russian
    summary.letters_point_to[point] = summary.letters_point_to.get(point, 0) + 1


def _progress(
    done_ms: int,
    total_ms: int,
    time_left: TimeLeft,
    started: float,
    summary: TranscriptionSummary,
    written: RunState | None = None,
) -> Progress:
    """A report that the run is ``done_ms`` far; ``written``: what is written (None: an
    estimate between batches, of the batches being decoded). The time left: ``TimeLeft``."""
    now = time.monotonic()
    fraction = min(1.0, done_ms / total_ms) if total_ms > 0 else 1.0
    eta = time_left.update(now, done_ms)
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

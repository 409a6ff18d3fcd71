"""Speaker detection for a session of a project, and voice enrolment.

``diarize_session`` finds who spoke when in a session's audio, recognises enrolled voices,
cuts transcript segments where the speaker changes inside them (using Whisper's word timings)
and writes the labels, with the detection's own timeline of turns (``Project.speaker_turns``),
in one transaction. It refuses to overwrite speakers corrected by hand
unless ``replace`` is given. ``enroll_speaker`` stores a voice profile (an embedding) from the
segments of one speaker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.core.errors import InUseError, InvalidInputError, NotFoundError
from storage.core.words import plural, verb

from .diarize.align import plan_relabel
from .diarize.backend import (
    MODEL_NAME,
    SAMPLE_RATE,
    DiarizationCancelled,
    FloatArray,
    SpeakersUnavailableError,
    backend_available,
    load_backend,
)
from .diarize.pipeline import (
    CancelFlag,
    Diarization,
    EmbeddingBackend,
    KnownVoice,
    Progress,
    diarize_audio,
    embed_spans,
)

if TYPE_CHECKING:
    from pathlib import Path

    from storage import Project
    from storage.speakers.speakers import SpeakerProfile

__all__ = [
    "MODEL_NAME",
    "DiarizationCancelled",
    "DiarizeReport",
    "SpeakersUnavailableError",
    "backend_available",
    "check_speaker_options",
    "diarize_session",
    "enroll_speaker",
    "load_audio",
]

#: Enrolment uses at most this much of a speaker's speech (longest segments first).
ENROL_MAX_MS = 60_000


@dataclass
class DiarizeReport:
    """What ``diarize_session`` did."""

    session_id: str
    speakers: list[str]
    recognised: dict[str, float]
    labelled: int
    split: int
    turns: int
    audio_ms: int
    speech_ms: int
    seconds: float
    model: str = MODEL_NAME
    talk_ms: dict[str, int] = field(default_factory=dict)


def check_speaker_options(
    num_speakers: int | None, min_speakers: int | None, max_speakers: int | None
) -> None:
    """Refuse impossible speaker-count options with a clear message."""
    if num_speakers is not None and (min_speakers is not None or max_speakers is not None):
        raise InvalidInputError("Give either --num-speakers or --min/--max, not both.")
    for name, value in (
        ("--num-speakers", num_speakers),
        ("--min", min_speakers),
        ("--max", max_speakers),
    ):
        if value is not None and not 1 <= value <= 50:
            raise InvalidInputError(f"{name} must be between 1 and 50 (got {value}).")
    if min_speakers is not None and max_speakers is not None and min_speakers > max_speakers:
        raise InvalidInputError(f"--min ({min_speakers}) is larger than --max ({max_speakers}).")


def load_audio(path: Path) -> FloatArray:
    """Decode any audio file to 16 kHz mono float32 (PyAV through faster-whisper)."""
    from faster_whisper.audio import decode_audio

    from storage.core.errors import AudioError

    try:
        audio: FloatArray = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises many kinds
        raise AudioError(f"{path}: cannot decode the audio ({exc}).") from exc
    return audio


def diarize_session(
    project: Project,
    session_id: str,
    *,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    replace: bool = False,
    use_profiles: bool = True,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
    backend: EmbeddingBackend | None = None,
) -> DiarizeReport:
    """Detect the speakers of a session, label (and cut) its transcript segments and store
    the detection's timeline of turns (replacing the session's previous one).

    Args:
        project: the open project (written at the end, in one transaction).
        session_id: the session; it needs audio and transcript segments.
        num_speakers: the exact number of speakers, when known.
        min_speakers: at least this many (when detecting the number).
        max_speakers: at most this many.
        replace: overwrite speakers corrected by hand (otherwise refuse before any work).
        use_profiles: label voices that match an enrolled profile with its name.
        progress: called with a fraction in [0, 1] and a stage name.
        cancel: a ``threading.Event``; once set the work stops and nothing is written.
        backend: the embedding backend (default: the installed one).

    Returns:
        What was found and written.

    Raises:
        SpeakersUnavailableError: the ``speakers`` extra is not installed.
        InUseError: hand-made speaker corrections exist and ``replace`` is False.
        InvalidInputError: bad options, or the session has no transcript yet.
        DiarizationCancelled: ``cancel`` was set (the project is unchanged).
    """
    check_speaker_options(num_speakers, min_speakers, max_speakers)
    session = project.sessions.get_session(session_id)
    segments = project.transcript.segments(session_id)
    if not segments:
        raise InvalidInputError(
            f"Session {session.title!r} has no transcript yet; transcribe it first "
            "(fieldscribe transcribe --speakers does both)."
        )
    edited = project.speakers.speaker_edited_count(session_id)
    if edited and not replace:
        raise InUseError(
            f"{plural(edited, 'segment')} of session {session.title!r} "
            f"{verb(edited, 'has its speaker', 'have speakers')} corrected by hand; "
            "nothing was changed. Re-run with --replace to overwrite "
            f"{'it' if edited == 1 else 'them'}."
        )
    started = time.monotonic()
    audio_path = project.sessions.media_path(session_id)
    be = backend or load_backend()

    def stage(fraction: float, name: str) -> None:
        if cancel is not None and cancel.is_set():
            raise DiarizationCancelled("Speaker detection was cancelled; nothing was changed.")
        if progress is not None:
            progress(fraction, name)

    stage(0.0, "reading audio")
    audio = load_audio(audio_path)
    known = (
        [KnownVoice(p.name, p.embedding) for p in project.speakers.speaker_profiles(MODEL_NAME)]
        if use_profiles
        else []
    )
    result: Diarization = diarize_audio(
        audio,
        num_speakers=num_speakers,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
        known=known,
        progress=lambda f, name: stage(0.02 + 0.95 * f, name),
        cancel=cancel,
        backend=be,
    )
    stage(0.97, "labelling the transcript")
    plan = plan_relabel(segments, result.turns)
    # the labels and the backend's own timeline (what the speaker strip draws) in one go
    counts = project.speakers.apply_speaker_labels(
        session_id,
        plan,
        replace=replace,
        turns=[(t.start_ms, t.end_ms, t.speaker) for t in result.turns],
    )
    stage(1.0, "done")
    talk: dict[str, int] = {}
    for turn in result.turns:
        talk[turn.speaker] = talk.get(turn.speaker, 0) + turn.end_ms - turn.start_ms
    return DiarizeReport(
        session_id=session_id,
        speakers=result.speakers,
        recognised=result.recognised,
        labelled=counts["labelled"],
        split=counts["split"],
        turns=len(result.turns),
        audio_ms=result.audio_ms,
        speech_ms=result.speech_ms,
        seconds=time.monotonic() - started,
        talk_ms=talk,
    )


def enroll_speaker(
    project: Project,
    session_id: str,
    label: str,
    name: str,
    *,
    participant_id: str | None = None,
    max_ms: int = ENROL_MAX_MS,
    backend: EmbeddingBackend | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> SpeakerProfile:
    """Enrol a voice from the segments of one speaker of a session (longest first).

    Only the embedding is stored, never audio. Later detections in any session of the project
    label a matching voice with ``name``.

    Raises:
        NotFoundError: no such session or speaker label.
        InvalidInputError: the speaker has too little speech (under 2 s in segments >= 1 s).
        SpeakersUnavailableError: the ``speakers`` extra is not installed.
    """
    project.sessions.get_session(session_id)
    spans = sorted(
        (
            (s.start_ms, s.end_ms)
            for s in project.transcript.segments(session_id)
            if s.speaker == label
        ),
        key=lambda span: span[0] - span[1],
    )
    if not spans:
        raise NotFoundError(
            f"No segments of speaker {label!r} in session {session_id}; "
            "list the speakers with `fieldscribe speakers DIR --session ID --list`."
        )
    chosen: list[tuple[int, int]] = []
    total = 0
    for start, end in spans:
        if end - start < 1000:
            continue
        take = min(end - start, max_ms - total)
        chosen.append((start, start + take))
        total += take
        if total >= max_ms:
            break
    if total < 2000:
        raise InvalidInputError(
            f"Speaker {label!r} has only {total / 1000:.1f} s of speech in segments of 1 s or "
            "more; enrol from a session where they speak longer (2 s at least)."
        )
    be = backend or load_backend()
    if progress is not None:
        progress(0.0, "reading audio")
    audio = load_audio(project.sessions.media_path(session_id))
    if progress is not None:
        progress(0.3, "listening to the voice")
    embedding = embed_spans(audio, sorted(chosen), backend=be)
    if progress is not None:
        progress(1.0, "done")
    return project.speakers.add_speaker_profile(
        name,
        embedding.astype(float).tolist(),
        MODEL_NAME,
        participant_id=participant_id,
        source_session_id=session_id,
        source_ms=total,
    )

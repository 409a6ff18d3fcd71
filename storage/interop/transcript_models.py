"""Which model wrote a transcript, as its exports say it (a researcher citing a transcript needs
it): one line for the heading of txt and docx (and docx's document properties), a NOTE block in
WebVTT, the source's description in REFI-QDA; per segment in JSON. SubRip has no place for it.

Each segment records the model that wrote its text (``segments.model``, schema 0010): the
session's run, a re-transcription of that segment with another model, or "typed by hand".
Never a path: a model given as a folder goes out by the folder's name
(``storage.core.model_names``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storage.core.model_names import TYPED_BY_HAND, shown_model_name
from storage.core.models import Segment
from storage.core.words import plural

if TYPE_CHECKING:
    from storage.project import Project

#: what a line says of segments imported from a file (the model, if any, is not known)
IMPORTED = "imported from a file"
#: how ``model_line`` begins: a model's name, typed text, or imported text first
TRANSCRIBED_WITH, TYPED = "Transcribed with ", TYPED_BY_HAND.capitalize()
MODEL_LINE_STARTS = (TRANSCRIBED_WITH, TYPED, IMPORTED)


def segment_model(segment: Segment, session_model: str | None) -> str | None:
    """Who wrote a segment's text: its recorded model, ``TYPED_BY_HAND``, or for a Whisper
    segment written before FieldScribe recorded each segment's model (schema 0010) the
    session's run's model; None for text imported from a file."""
    if segment.model:
        return segment.model
    if segment.origin == "manual":
        return TYPED_BY_HAND
    if segment.origin == "whisper":
        return session_model
    return None


def run_model(project: Project, session_id: str) -> tuple[str | None, dict[str, Any]]:
    """The model a session's transcription run recorded: its name (never a path) and identity
    (repository, commit...); (None, {}) for a session never transcribed here."""
    state = project.transcription.transcription_state(session_id)
    if state is None or not state.model:
        return None, {}
    details = state.options.get("model")
    return shown_model_name(state.model), details if isinstance(details, dict) else {}


def _described(name: str, details: dict[str, Any]) -> str:
    """``small (Systran/faster-whisper-small, commit 0123abcd)``: the repository and commit of
    an installed model; the name alone for others."""
    repo, revision = details.get("repo"), details.get("revision")
    if isinstance(repo, str) and repo and repo != name:
        at = f", commit {revision[:8]}" if isinstance(revision, str) and revision else ""
        return f"{name} ({repo}{at})"
    return name


def model_line(
    project: Project, session_id: str, segments: list[Segment] | None = None
) -> str | None:
    """One line naming who wrote a session's transcript, for an export's heading:
    "Transcribed with small (Systran/faster-whisper-small, commit 0123abcd)", or with several
    "Transcribed with base (40 segments), small (2 segments); typed by hand (1 segment)";
    None when no segment says (none, or all imported from a file).

    ``project`` is the export's view (its segments are the ones the file holds);
    ``segments``: the session's, when the caller read them already."""
    by_run, details = run_model(project, session_id)
    counts: dict[str | None, int] = {}
    if segments is None:
        segments = project.transcript.segments(session_id)
    for segment in segments:
        who = segment_model(segment, by_run)
        counts[who] = counts.get(who, 0) + 1
    models = sorted(
        (m for m in counts if m not in (None, TYPED_BY_HAND)),
        key=lambda m: (m != by_run, -counts[m], m),
    )
    if not models and TYPED_BY_HAND not in counts:
        return None
    several = len(counts) > 1

    def n(key: str | None) -> str:
        return f" ({plural(counts[key], 'segment')})" if several else ""

    parts = []
    if models:
        named = [_described(m, details if m == by_run else {}) + n(m) for m in models]
        parts.append(TRANSCRIBED_WITH + ", ".join(named))
    if TYPED_BY_HAND in counts:
        parts.append((TYPED_BY_HAND if parts else TYPED) + n(TYPED_BY_HAND))
    if None in counts:
        parts.append(IMPORTED + n(None))
    return "; ".join(parts)

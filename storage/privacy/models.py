"""Dataclasses of the research-ethics features: consent, pseudonyms, redactions, audit log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from storage.core.words import verb

#: What a participant may consent to, in the order forms usually list them.
CONSENT_KINDS = ("recording", "transcription", "quotation", "archiving")

#: Export purposes and the consent each needs (a transcript export quotes people).
PURPOSE_NEEDS: dict[str, tuple[str, ...]] = {
    "recording": ("recording",),
    "transcription": ("recording", "transcription"),
    "quotation": ("transcription", "quotation"),
    "export": ("transcription", "quotation"),
    "archiving": ("archiving",),
}


@dataclass
class Consent:
    """What one participant consented to for one session (``session_id`` None: every session).

    Each kind is True (yes), False (no) or None (not recorded).
    """

    id: str
    participant_id: str
    session_id: str | None
    recording: bool | None
    transcription: bool | None
    quotation: bool | None
    archiving: bool | None
    date: str | None
    form_ref: str | None
    notes: str | None
    created_by: str
    created_at: str
    updated_at: str

    def given(self, kind: str) -> bool | None:
        """Return the answer for one consent kind."""
        value: bool | None = getattr(self, kind)
        return value


@dataclass
class ConsentProblem:
    """A participant (or an unmapped speaker) whose consent does not cover a purpose."""

    session_id: str
    speaker: str | None
    participant_id: str | None
    pseudonym: str | None
    missing: list[str]
    refused: list[str]

    def describe(self) -> str:
        """Return a one-line human summary."""
        who = self.pseudonym or (f"speaker {self.speaker!r}" if self.speaker else "someone")
        if self.participant_id is None:
            return f"{who} is not mapped to a participant, so their consent is unknown"
        parts = []
        if self.refused:
            parts.append("refused " + ", ".join(self.refused))
        if self.missing:
            parts.append("no record of consent to " + ", ".join(self.missing))
        return f"{who}: " + "; ".join(parts)


@dataclass(frozen=True)
class LeftOut:
    """What an export of only consented participants leaves out, by reason
    (``project.consent.left_out``).

    ``by_speaker``: segments whose speaker has no consent (or is linked to no participant);
    ``unlabelled``: segments without a speaker in a session where not everyone known to be
    there consented.
    """

    by_speaker: frozenset[str] = frozenset()
    unlabelled: frozenset[str] = frozenset()

    @property
    def ids(self) -> frozenset[str]:
        """Every segment left out."""
        return self.by_speaker | self.unlabelled

    def count(self, segment_ids: Iterable[str]) -> tuple[int, int]:
        """How many of ``segment_ids`` (a repeat counts again: one per coding) are left out
        for their speaker, and how many for having none."""
        ids = list(segment_ids)
        return sum(i in self.by_speaker for i in ids), sum(i in self.unlabelled for i in ids)


def why_left_out(by_speaker: int, unlabelled: int, purpose: str = "export") -> str:
    """Why an export left things out, to follow "5 left out": ", their segments' speakers
    have no consent to export", ", their segments have no speaker and not everyone in their
    session is known to have consented to export", or both with their counts ("": none)."""
    speakers = f"segments' speakers have no consent to {purpose}"
    nobody = (
        f"{verb(unlabelled, 'its segment has', 'their segments have')} no speaker and not "
        f"everyone in {verb(unlabelled, 'its', 'their')} session is known to have consented "
        f"to {purpose}"
    )
    if by_speaker and unlabelled:
        return f": {by_speaker} as their {speakers}, {unlabelled} as {nobody}"
    if by_speaker:
        return f", their {speakers}"
    if unlabelled:
        return f", {nobody}"
    return ""


@dataclass
class PseudonymEntry:
    """One line of the project's real name -> pseudonym mapping (never exported)."""

    id: str
    real_name: str
    pseudonym: str
    participant_id: str | None
    exceptions: list[str]
    created_by: str
    created_at: str
    updated_at: str


@dataclass
class PseudonymCandidate:
    """One place in a transcript where a real name (or an inflected form) was found.

    ``kind`` is ``exact`` (same spelling), ``case`` (same letters, other case) or ``inflected``
    (the stem plus a short ending: to be reviewed).
    """

    id: str
    segment_id: str
    session_id: str
    start_cp: int
    end_cp: int
    matched: str
    real_name: str
    pseudonym: str
    replacement: str
    kind: str
    context: str


@dataclass
class Redaction:
    """A span of a segment's text hidden from every export (``destroyed``: gone for good)."""

    id: str
    segment_id: str
    start_cp: int
    end_cp: int
    category: str
    destroyed: bool
    created_by: str
    created_at: str
    updated_at: str

    @property
    def placeholder(self) -> str:
        """The text exports show instead of the span, e.g. ``[REDACTED]`` or ``[PLACE]``."""
        return f"[{self.category}]"


@dataclass
class AuditEntry:
    """Who did what to the project's sensitive material, and when."""

    id: str
    at: str
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class ApplyReport:
    """What applying pseudonyms changed."""

    replaced: int
    segments: int
    skipped: int
    #: kept copies of deleted sessions whose names were replaced too (a project-wide apply)
    deleted_sessions: int = 0
    #: files of typing kept unsaved (``DIR/drafts``) rewritten (or removed: unreadable)
    unsaved_texts: int = 0


@dataclass
class ExportPrivacy:
    """How an export protects people: the safe default applies pseudonyms and redactions.

    ``consented_only`` names a consent purpose (``export``, ``quotation``, ``archiving``...):
    segments of participants without that consent are left out (and silenced in media).
    """

    pseudonymise: bool = True
    redact: bool = True
    consented_only: str | None = None
    audio_mode: str = "silence"

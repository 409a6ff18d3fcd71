"""Otter's "Unknown Speaker": its label for a voice it could not tell apart, no one's name.
Such segments get no speaker (as any unlabelled one) and the report counts them, whichever
format carried the label: a heading of its .txt, a WebVTT voice ``<v Unknown Speaker>``, an
``Unknown Speaker:`` in a SubRip cue. ("Speaker 1" is its label for a voice it did tell
apart, kept.)"""

from __future__ import annotations

from storage.core.words import plural, verb
from storage.transcript.transcript import SegmentDraft

NO_SPEAKER = "unknown speaker"


def unknown_speakers_dropped(drafts: list[SegmentDraft], notes: list[str]) -> None:
    """Take Otter's "Unknown Speaker" off ``drafts`` (in place), with a note counting them."""
    unknown = [
        d for d in drafts if d.speaker and " ".join(d.speaker.split()).casefold() == NO_SPEAKER
    ]
    for draft in unknown:
        draft.speaker = None
    if unknown:
        n = len(unknown)
        notes.append(
            f"{plural(n, 'segment')} by Otter's 'Unknown Speaker' {verb(n, 'was', 'were')} "
            "imported with no speaker"
        )

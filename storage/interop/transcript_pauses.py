"""noScribe's pause marks: a cue or a turn that holds only ``(.)``, ``(..)``, ``(...)`` or
``(10 seconds pause)`` marks silence, not speech; such segments are left out of an import (the
gap between the segments around them is the pause) and counted in its notes."""

from __future__ import annotations

import re

from storage.core.words import plural, verb
from storage.transcript.transcript import SegmentDraft

#: ``(..)``, ``(...)``, ``(10 seconds pause)``, as noScribe writes them (also in German,
#: ``(10 Sekunden Pause)``, and Russian, ``(10 секунд пауза)``)
_PAUSE = re.compile(
    r"\(\s*(?:\.{1,3}|…|\d+(?:[.,]\d+)?\s*[^\W\d_]+\.?\s+(?:pause|paus[ea]|пауза))\s*\)",
    re.I,
)


def is_pause_mark(text: str) -> bool:
    """Whether ``text`` is nothing but pause marks."""
    rest = _PAUSE.sub(" ", text)
    return rest != text and not rest.strip()


def drop_pauses(drafts: list[SegmentDraft], notes: list[str]) -> list[SegmentDraft]:
    """``drafts`` without those that hold only a pause mark, with a note counting them."""
    kept = [d for d in drafts if not is_pause_mark(d.text)]
    n = len(drafts) - len(kept)
    if n:
        first = next(d.text for d in drafts if is_pause_mark(d.text))
        notes.append(
            f"{plural(n, 'segment')} holding only a pause mark (the first: {first!r}) "
            f"{verb(n, 'was', 'were')} not imported: the pause is the gap between the segments"
        )
    return kept

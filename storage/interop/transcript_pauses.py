"""noScribe's pause marks: a cue or a turn that holds only ``(.)``, ``(..)``, ``(...)``,
``(10 seconds pause)`` or ``(12 секунд паузы)`` marks silence, not speech; such segments are
left out of an import (the gap between the segments around them is the pause) and counted in
its notes."""

from __future__ import annotations

import re

from storage.core.words import plural, verb
from storage.transcript.transcript import SegmentDraft

#: the marks noScribe writes (``pause_seconds`` / ``pause_minutes`` of its translations, in the
#: language of its interface, which has no Kazakh): ``(.)`` to ``(.........)``, a dot a second
#: under ten seconds; ``(10 seconds pause)``, ``(2 minute[s] pause)`` (its ``[s]`` as written);
#: German ``(10 Sekunden Pause)``, ``(2 Minute[n] Pause)``; Russian ``(10 секунд паузы)``,
#: ``(2 минуты паузы)`` (and ``(10 секунд пауза)``); Spanish and Portuguese ``(10 segundos de
#: pausa)``, ``(2 minuto[s] pausa)``; French ``(10 secondes pause)``; Italian ``(10 secondi di
#: pausa)``, ``(2 minuti pausa)``; Japanese ``(10秒休止)``, ``(2分[秒]休止)``,
#: ``(10秒の休止)``, ``(2分の休止)``; Chinese ``(10 秒暂停)``, ``(2 分钟 暂停)``
_PAUSE = re.compile(
    r"\(\s*(?:[.…]{1,9}"
    r"|\d+(?:[.,]\d+)?\s*[^\W\d_]+(?:\[[^\W\d_]{1,2}\])?\.?\s+(?:(?:de|di)\s+)?"
    r"(?:pause|paus[ea]|пауз[аы])"
    r"|\d+\s*(?:秒|分钟|分\[秒\]|分)\s*(?:の\s*)?(?:暂停|休止))\s*\)",
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

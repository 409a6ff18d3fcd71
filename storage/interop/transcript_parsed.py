"""What the transcript readers share: a parsed transcript's segments and notes, clock times,
and a line's ``SPEAKER: text``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storage.transcript.transcript import SegmentDraft

from .text_lines import speaker_prefix
from .transcript_patterns import is_label

_SPEAKER_ALONE = re.compile(r"^([^\s:#\[\]()][^:\n]{0,39}):\s*$")
DASH = re.compile(r"^[-\u2013\u2014]\s+")
#: WhisperX's subtitles with speakers: ``[SPEAKER_00]: text``
_BRACKETED_SPEAKER = re.compile(r"^\[([^\[\]\n:]*[^\W_][^\[\]\n:]*)\]:[ \t]*")


@dataclass
class ParsedTranscript:
    """Segments read from a file, before alignment."""

    format: str
    drafts: list[SegmentDraft]
    notes: list[str] = field(default_factory=list)


def parse_clock(text: str) -> int:
    """Parse ``[h:]mm:ss[.,fff]`` into milliseconds."""
    text = text.strip().replace(",", ".")
    main, _, frac = text.partition(".")
    parts = [int(p) for p in main.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts[-3:]
    ms = int(frac.ljust(3, "0")[:3]) if frac else 0
    return ((h * 60 + m) * 60 + s) * 1000 + ms


def speaker_and_text(text: str) -> tuple[str | None, str]:
    """``NAME: text`` (also ``NAME:`` alone, and after a dialogue dash) -> (NAME, text)."""
    body = text.strip()
    dash = DASH.match(body)
    if dash:
        body = body[dash.end() :]
    alone = _SPEAKER_ALONE.match(body)
    if alone and is_label(alone.group(1)):  # a heading line: the text follows below
        return alone.group(1).strip(), ""
    bracketed = _BRACKETED_SPEAKER.match(body)
    if bracketed and len(bracketed.group(1).split()) <= 4:
        return bracketed.group(1).strip(), body[bracketed.end() :].strip()
    speaker, n = speaker_prefix(body)
    if speaker is not None:
        return speaker, body[n:].strip()
    return None, text.strip() if not dash else body

"""SubViewer captions (``.sbv``), as YouTube Studio and Google's captions write them: blocks
of a timing line ``0:00:01.000,0:00:04.000`` (start and end, a comma between) and the cue's
text, a blank line between blocks. Read as SubRip cues (``transcript_cues``), so that a
speaker's label (``Anna: …``) and the ``>>`` of a new speaker's turn are read as there."""

from __future__ import annotations

import re

_CLOCK = r"(\d{1,2}):(\d{2}):(\d{2})[.,](\d{1,3})"
#: a block's timing line: start and end, a comma between
SBV_TIME = re.compile(rf"^\s*{_CLOCK}\s*,\s*{_CLOCK}\s*$")


def looks_like_sbv(text: str) -> bool:
    """Whether ``text`` is SubViewer captions: its first non-blank line a timing line."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return SBV_TIME.match(first) is not None


def sbv_as_srt(text: str) -> str:
    """SubViewer captions as SubRip: each timing line numbered, its times ``HH:MM:SS,mmm -->
    HH:MM:SS,mmm``; the text lines as they are."""
    out: list[str] = []
    number = 0
    for line in text.split("\n"):
        match = SBV_TIME.match(line)
        if match is None:
            out.append(line)
            continue
        number += 1
        g = match.groups()
        if out and out[-1].strip():  # a block without its blank line before it
            out.append("")
        out += [str(number), f"{_clock(g[:4])} --> {_clock(g[4:])}"]
    return "\n".join(out)


def _clock(parts: tuple[str, ...]) -> str:
    h, m, s, frac = parts
    return f"{int(h):02d}:{m}:{s},{frac.ljust(3, '0')}"

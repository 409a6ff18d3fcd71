"""Video editors' frame times in transcripts: Adobe Premiere's and Transcriptive's
``[00:00:01:15]`` (hours, minutes, seconds, frames; ``;`` before the frames in drop-frame
timecode), read as clock times before the transcript import parses the lines. Only a time
where the import reads one is converted (a line's start, bare or in ``[]`` / ``()``; a span's end,
``A - B`` / ``A --> B``; after a speaker label, ``Name: [..]`` / ``Name (..):``; a heading's
``Name  ..``): a four-part number in what a speaker said is left as it was said.

A file never says its frame rate. Frames run 0..24 at 25 fps (PAL) and 0..29 at 30 fps (and
29.97); a file with a frame number of 25 or more is 30 fps. Otherwise the rate is unknown, 30 is
taken and a note says so: a frame read at 30 fps instead of 25 is placed at most 160 ms early
(frame 24: 800 ms instead of 960)."""

from __future__ import annotations

import re

from .transcript_patterns import is_label

#: ``HH:MM:SS:FF`` (or ``HH:MM:SS;FF``), not part of a longer run of digits and colons
FRAME_STAMP = re.compile(r"(?<![\d:.,;])(\d{1,2}):(\d{2}):(\d{2})[:;](\d{2})(?![\d:.,;])")
DEFAULT_FPS = 30
_FRAME = r"\d{1,2}:\d{2}:\d{2}[:;]\d{2}"
#: a speaker label before a time, as the import's ``Name: [..]`` and ``Name (..):`` read it
_NAME = r"[^\s:#\[\]()][^:\n\[(]{0,39}?"
#: what may stand before a time: nothing (the line's start) or a span's first time
_BEFORE = re.compile(rf"\s*[\[(]?|\s*[\[(]?{_FRAME}[\])]?\s*(?:-->|[-\u2013\u2014])\s*[\[(]?")
#: a Word table's time cell holding a frame time or a span of them
FRAME_CELL = re.compile(
    rf"\s*[\[(]?{_FRAME}[\])]?(?:\s*(?:-->|[-\u2013\u2014])\s*[\[(]?{_FRAME}[\])]?)?\s*"
)
#: noScribe's ``Name: [..] text`` and Rev's ``Name (..): text``
_NOSCRIBE = (re.compile(rf"\s*{_NAME}:\s*[\[(]"), re.compile(r"[\])]"))
_REV = (re.compile(rf"\s*{_NAME}\s*[\[(]"), re.compile(r"[\])]\s*:"))
_HEADING = re.compile(rf"\s*(?P<name>{_NAME})\s*[,:]?\s+[\[(]?")


def _is_lead(line: str, match: re.Match[str]) -> bool:
    """Whether a frame time stands where the transcript import reads a time."""
    before, after = line[: match.start()], line[match.end() :]
    if _BEFORE.fullmatch(before):
        return True
    if any(head.fullmatch(before) and tail.match(after) for head, tail in (_NOSCRIBE, _REV)):
        return True
    heading = _HEADING.fullmatch(before)
    return bool(heading and re.fullmatch(r"[\])]?\s*", after) and is_label(heading.group("name")))


def frames_to_clock(lines: list[str]) -> tuple[list[str], str | None]:
    """The lines with each frame time where a time is read written as a clock time
    (``00:00:01.500``), and a note on the rate taken (None when no line has a frame time).
    Frame numbers of 30 or more are not a rate this reads (60 fps), and the lines are left as
    they are."""
    leads = [[m for m in FRAME_STAMP.finditer(line) if _is_lead(line, m)] for line in lines]
    frames = [int(m.group(4)) for found in leads for m in found]
    if not frames or max(frames) >= DEFAULT_FPS:
        return lines, None
    fps = DEFAULT_FPS
    if max(frames) >= 25:
        note = (
            f"{len(frames)} frame time(s) (HH:MM:SS:FF) read at {fps} frames a second "
            f"(frame numbers up to {max(frames)})"
        )
    else:
        note = (
            f"{len(frames)} frame time(s) (HH:MM:SS:FF) read at {fps} frames a second: the file "
            "does not say its rate; at 25 (PAL) each time is up to 0.16 s later than placed"
        )

    def clock(match: re.Match[str]) -> str:
        h, m, s, f = (int(g) for g in match.groups())
        ms = round(f * 1000 / fps)
        return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"

    out = []
    for line, found in zip(lines, leads, strict=True):
        for match in reversed(found):
            line = line[: match.start()] + clock(match) + line[match.end() :]
        out.append(line)
    return out, note

"""Video editors' frame times in transcripts: Adobe Premiere's and Transcriptive's
``[00:00:01:15]`` (hours, minutes, seconds, frames; ``;`` before the frames in drop-frame
timecode), read as clock times before the transcript import parses the lines. Only a time
where the import reads one is converted (a line's start, bare or in ``[]`` / ``()``; a span's end,
``A - B`` / ``A --> B``; after a speaker label, ``Name: [..]`` / ``Name (..):``; a heading's
``Name  ..``): a four-part number in what a speaker said is left as it was said.

The rate: one given (``FRAME_RATES``; 29.97 is 30000/1001 frames a second, so an hour of
non-drop-frame timecode 01:00:00:00 is 3603.6 s of video), else drop-frame timecode (``;``)
is 29.97 (frames 0 and 1 of each minute but every tenth skipped, so the timecode keeps to the
clock), else the file does not say: frames run 0..24 at 25 fps (PAL) and 0..29 at 30 fps (and
29.97); a file with a frame number of 25 or more is 30 fps. Otherwise 30 is taken and a note
says so: a frame read at 30 fps instead of 25 is placed at most 160 ms early (frame 24: 800 ms
instead of 960)."""

from __future__ import annotations

import re
from fractions import Fraction

from storage.core.errors import InvalidInputError
from storage.core.words import plural

from .transcript_patterns import TOOL_GAP, is_label
from .transcript_timed import speakers_named

#: the rates a transcript's frame times may be given at, as written -> frames a second
FRAME_RATES = {
    "23.976": Fraction(24000, 1001), "24": Fraction(24), "25": Fraction(25),
    "29.97": Fraction(30000, 1001), "30": Fraction(30), "50": Fraction(50),
    "59.94": Fraction(60000, 1001), "60": Fraction(60),
}  # fmt: skip
_DROP_FRAME = Fraction(30000, 1001)

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
_HEADING = re.compile(rf"\s*(?P<name>{_NAME})(?P<gap>\s*[,:]?\s+[\[(]?)")


def _is_lead(line: str, match: re.Match[str], speakers: set[str]) -> bool:
    """Whether a frame time stands where the transcript import reads a time (a heading's as
    the import takes one: its name set apart as the tools write it, or a speaker's)."""
    before, after = line[: match.start()], line[match.end() :]
    if _BEFORE.fullmatch(before):
        return True
    if any(head.fullmatch(before) and tail.match(after) for head, tail in (_NOSCRIBE, _REV)):
        return True
    heading = _HEADING.fullmatch(before)
    if not heading or not re.fullmatch(r"[\])]?\s*", after):
        return False
    name = heading.group("name").strip()
    return is_label(name) and bool(TOOL_GAP.fullmatch(heading.group("gap")) or name in speakers)


def frame_ms(h: int, m: int, s: int, f: int, fps: Fraction, drop: bool) -> int:
    """Milliseconds of the timecode ``h:m:s:f`` (``h:m:s;f`` when ``drop``) at ``fps``.

    The timecode counts whole frames at the nominal rate (30 for 29.97); drop-frame timecode
    skips the labels of the first two frames (four at 59.94) of every minute but each tenth."""
    nominal = round(fps)
    frames = ((h * 60 + m) * 60 + s) * nominal + f
    if drop:
        minutes = h * 60 + m
        frames -= nominal // 15 * (minutes - minutes // 10)
    return round(frames * 1000 / fps)


def frame_rate(text: str) -> Fraction:
    """A rate as the user gives it (``29.97``, ``25``, ...).

    Raises:
        InvalidInputError: not one of ``FRAME_RATES``.
    """
    rate = FRAME_RATES.get(text.strip().rstrip("0").rstrip(".") if "." in text else text.strip())
    if rate is None:
        raise InvalidInputError(
            f"Unknown frame rate {text!r}; use one of {', '.join(FRAME_RATES)}."
        )
    return rate


def _leads(lines: list[str]) -> list[list[re.Match[str]]]:
    """Each line's frame times where a time is read (not those said in its text)."""
    found_in = [list(FRAME_STAMP.finditer(line)) for line in lines]
    if not any(found_in):
        return [[] for _ in lines]
    # the speakers the lines name (a heading of one of them is read with a single space)
    pairs = list(zip(lines, found_in, strict=True))
    times = [[m for m in ms if _is_lead(line, m, set())] for line, ms in pairs]
    speakers = speakers_named(_rewrite(lines, times, Fraction(DEFAULT_FPS)))
    return [[m for m in ms if _is_lead(line, m, speakers)] for line, ms in pairs]


def count_frame_times(lines: list[str]) -> int:
    """How many frame times (``HH:MM:SS:FF``) the lines give where a time is read: a file
    with any has a rate to ask for (``frames_to_clock``'s ``fps``)."""
    return sum(len(matches) for matches in _leads(lines))


def frames_to_clock(lines: list[str], fps: str | None = None) -> tuple[list[str], str | None]:
    """The lines with each frame time where a time is read written as a clock time
    (``00:00:01.500``), and a note on the rate taken (None when no line has a frame time).

    Args:
        lines: the transcript's lines.
        fps: the rate the file's frame times count at (``FRAME_RATES``), when the user knows
            it; else drop-frame times are 29.97 and others 30 (or are left as they are when a
            frame number is 30 or more: a rate this does not guess).

    Raises:
        InvalidInputError: an unknown rate; a frame number the rate does not have; drop-frame
            times at a rate other than 29.97 or 59.94.
    """
    rate = frame_rate(fps) if fps is not None else None
    leads = _leads(lines)
    found = [m for matches in leads for m in matches]
    frames = [int(m.group(4)) for m in found]
    drops = sum(1 for m in found if ";" in m.group(0))
    if not frames:
        return lines, None
    if rate is not None:
        nominal = round(rate)
        if max(frames) >= nominal:
            bad = next(m.group(0) for m in found if int(m.group(4)) >= nominal)
            raise InvalidInputError(
                f"the frame time {bad} has frame {int(bad[-2:])}, more than {fps} frames a "
                "second have; give the file's rate. Nothing was imported."
            )
        if drops and nominal not in (30, 60):
            raise InvalidInputError(
                f"drop-frame times (HH:MM:SS;FF) count at 29.97 or 59.94 frames a second, not "
                f"{fps}; give the file's rate. Nothing was imported."
            )
        note = (
            f"{plural(len(frames), 'frame time')} (HH:MM:SS:FF) read at {fps} frames a second, "
            "as given"
        )
    elif max(frames) >= DEFAULT_FPS:
        return lines, None
    elif drops:
        rate = _DROP_FRAME
        note = (
            f"{plural(len(frames), 'frame time')} read at 29.97 frames a second: the file writes "
            "drop-frame timecode (HH:MM:SS;FF)"
        )
    else:
        rate = Fraction(DEFAULT_FPS)
        note = _unknown_rate_note(frames)

    return _rewrite(lines, leads, rate), note


def _rewrite(lines: list[str], leads: list[list[re.Match[str]]], rate: Fraction) -> list[str]:
    """The lines with the frame times ``leads`` holds written as clock times at ``rate``."""

    def clock(match: re.Match[str]) -> str:
        h, m, s, f = (int(g) for g in match.groups())
        ms = frame_ms(h, m, s, f, rate, ";" in match.group(0))
        return (
            f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
        )

    out = []
    for line, matches in zip(lines, leads, strict=True):
        for match in reversed(matches):
            line = line[: match.start()] + clock(match) + line[match.end() :]
        out.append(line)
    return out


def _unknown_rate_note(frames: list[int]) -> str:
    """The note on frame times read at 30 fps because the file does not say its rate."""
    if max(frames) >= 25:
        return (
            f"{plural(len(frames), 'frame time')} (HH:MM:SS:FF) read at {DEFAULT_FPS} frames a "
            f"second (frame numbers up to {max(frames)}); give the rate if the video is 29.97"
        )
    return (
        f"{plural(len(frames), 'frame time')} (HH:MM:SS:FF) read at {DEFAULT_FPS} frames a "
        "second: the file does not say its rate; at 25 (PAL) each time is up to 0.16 s later "
        "than placed"
    )

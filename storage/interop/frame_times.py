"""Video editors' frame times in transcripts: Adobe Premiere's and Transcriptive's
``[00:00:01:15]`` (hours, minutes, seconds, frames; ``;`` before the frames in drop-frame
timecode), read as clock times before the transcript import parses the lines.

A file never says its frame rate. Frames run 0..24 at 25 fps (PAL) and 0..29 at 30 fps (and
29.97); a file with a frame number of 25 or more is 30 fps. Otherwise the rate is unknown, 30 is
taken and a note says so: a frame read at 30 fps instead of 25 is placed at most 160 ms early
(frame 24: 800 ms instead of 960)."""

from __future__ import annotations

import re

#: ``HH:MM:SS:FF`` (or ``HH:MM:SS;FF``), not part of a longer run of digits and colons
FRAME_STAMP = re.compile(r"(?<![\d:.,;])(\d{1,2}):(\d{2}):(\d{2})[:;](\d{2})(?![\d:.,;])")
DEFAULT_FPS = 30


def frames_to_clock(lines: list[str]) -> tuple[list[str], str | None]:
    """The lines with each frame time written as a clock time (``00:00:01.500``), and a note
    on the rate taken (None when no line has a frame time). Frame numbers of 30 or more are
    not a rate this reads (60 fps), and the lines are left as they are."""
    frames = [int(m.group(4)) for line in lines for m in FRAME_STAMP.finditer(line)]
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

    return [FRAME_STAMP.sub(clock, line) for line in lines], note

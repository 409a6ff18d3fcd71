"""Transcripts timed by the clock: Zoom's saved captions (``meeting_saved_closed_caption.txt``,
``08:02:33 >> ANNA: …``) and kin time each line by the time of day the meeting ran, not from
the recording's start. ``import-transcript --starts-at HH:MM:SS`` (the clock time the
recording began) places them: each time less that one, a file's lines past midnight
(``23:59:58`` then ``00:00:03``) counted on into the next day.

A recording named as Zoom's cloud recordings are (``GMT20231201-080233_Recording.m4a``) says
when it began in UTC; the captions' times are the local time of the computer that saved them.
That start is offered to the user in both, never applied unasked (``zoom_name_start``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.core.errors import InvalidInputError
from storage.transcript.transcript import SegmentDraft

from ._common import hms

DAY_MS = 86_400_000
HALF_DAY_MS = DAY_MS // 2

_CLOCK = re.compile(r"\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3}))?)?\s*")
_ZOOM_NAME = re.compile(r"GMT(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})")


def parse_starts_at(text: str) -> int:
    """The clock time ``HH:MM:SS`` (or ``HH:MM``, ``HH:MM:SS.mmm``) as milliseconds since
    midnight.

    Raises:
        InvalidInputError: not such a time (nothing is imported).
    """
    m = _CLOCK.fullmatch(text)
    hours, minutes, seconds = (int(m.group(i) or 0) for i in (1, 2, 3)) if m else (99, 0, 0)
    if m is None or hours > 23 or minutes > 59 or seconds > 59:
        raise InvalidInputError(
            f"--starts-at {text!r}: give the clock time the recording began as HH:MM:SS (such "
            "as 08:02:30); nothing was imported."
        )
    millis = int((m.group(4) or "0").ljust(3, "0"))
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def clock(ms: int) -> str:
    """A time of day (``ms`` since midnight of the file's first day) as ``HH:MM:SS``."""
    return hms(ms % DAY_MS)


def past_midnight(
    drafts: list[SegmentDraft], ends: list[int | None], skip: set[int]
) -> tuple[int, int] | None:
    """Count a clock-timed file's lines past midnight on into the next day, in place: a
    line whose time is more than 12 hours before the line above's (``23:59:58`` then
    ``00:00:03``) and every line after it get a day more (also their ``ends``). ``skip``: the
    segments (by ``id``) whose times are not the file's own (placed later). Returns the
    first such pair of times (before, after), None when the times do not pass midnight."""
    day, above, first = 0, None, None
    for i, draft in enumerate(drafts):
        draft.start_ms += day
        own = id(draft) not in skip
        if own and above is not None and draft.start_ms < above - HALF_DAY_MS:
            first = first or (above, draft.start_ms)
            day += DAY_MS
            draft.start_ms += DAY_MS
        end = ends[i]
        if end is not None:
            end += day
            ends[i] = end + DAY_MS if end < draft.start_ms - HALF_DAY_MS else end
        if own:
            above = draft.start_ms
    return first


def shift_to_start(source: str, drafts: list[SegmentDraft], starts_at_ms: int) -> int:
    """Place clock-timed ``drafts`` (in time order) on a recording begun at ``starts_at_ms``
    (a time of day), in place: each time less the start, the start taken on the day that puts
    the first line within 12 hours of it (a recording begun at 23:59:50 whose first caption
    is at 00:00:05). Returns the milliseconds taken off.

    Raises:
        InvalidInputError: the first line is before the start (nothing is changed).
    """
    first = drafts[0]
    offset = (first.start_ms - starts_at_ms + HALF_DAY_MS) % DAY_MS - HALF_DAY_MS
    shift = first.start_ms - offset
    if offset < 0:
        raise InvalidInputError(
            f"{source}: the first line, at {clock(first.start_ms)} ({first.text[:30]!r}), is "
            f"{-offset / 1000:,.1f} s before the recording began (--starts-at "
            f"{clock(starts_at_ms)}); give the clock time the recording began, no later than "
            "its first line. Nothing was imported."
        )
    for draft in drafts:
        draft.start_ms -= shift
        draft.end_ms = max(draft.end_ms - shift, 0)
    return shift


def looks_clock_timed(first_ms: int, duration_ms: int, tolerance_ms: int) -> bool:
    """Whether a transcript whose first line is at ``first_ms`` is timed by the clock for a
    recording of ``duration_ms`` (0: no audio): it starts past the recording's end (with
    audio), or an hour or more in (without)."""
    if duration_ms:
        return first_ms > duration_ms + tolerance_ms
    return first_ms >= 3_600_000


@dataclass
class NamedStart:
    """When a recording began, as its file name says it (Zoom's cloud recordings)."""

    name: str  # the part of the file's name that says it: "GMT20231201-080233"
    utc: datetime

    @property
    def local(self) -> datetime:
        """The same moment in this computer's time zone."""
        return self.utc.astimezone()

    def local_clock(self) -> str:
        """``HH:MM:SS`` in this computer's time zone."""
        return self.local.strftime("%H:%M:%S")

    def said(self) -> str:
        """The start in words, both zones named."""
        zone = self.local.strftime("%z")
        zone = f"UTC{zone[:3]}:{zone[3:]}" if zone else "local"
        return (
            f"the recording's file name ({self.name}) says it began at "
            f"{self.utc.strftime('%H:%M:%S')} UTC, {self.local_clock()} in this computer's time "
            f"zone ({zone}); Zoom's caption times are the local time of the computer that "
            "saved them"
        )


def zoom_name_start(names: list[str]) -> NamedStart | None:
    """The start a recording's file name gives as Zoom names its cloud recordings
    (``GMT20231201-080233_Recording.m4a``: 1 December 2023, 08:02:33 UTC), the first of
    ``names`` that gives one; None when none does (or the date is no date)."""
    for name in names:
        m = _ZOOM_NAME.search(name)
        if m is None:
            continue
        year, month, day, hour, minute, second = (int(g) for g in m.groups())
        try:
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            continue
        return NamedStart(m.group(0), moment)
    return None

"""A transcript a REFI-QDA file holds as subtitles (an ``.srt`` or WebVTT text: Transana and
others keep one for a video, and QualCoder reads them so) as transcript lines: each cue's text
line a segment with the cue's times, positions indexing the whole text as the file counts
them, so that selections stay on their words. Cue numbers, time lines, the ``WEBVTT`` header
and ``NOTE`` blocks are no text."""

from __future__ import annotations

import re

from .text_lines import Line, label_prefix

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE_TIME = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")


def _ms(h: str | None, m: str, s: str, frac: str) -> int:
    return ((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0")[:3])


def cue_lines(text: str, speakers: set[str] | None = None) -> list[Line] | None:
    """The lines of a subtitle text (SRT or WebVTT), or None when ``text`` is not one: its
    first line that is not blank is ``WEBVTT``, a cue number or a cue's time line, and every
    cue has a time line (``00:00:01,000 --> 00:00:04,500``)."""
    rows: list[tuple[int, str]] = []  # (start position, the line without its line end)
    pos = 0
    for raw in text.split("\n"):
        rows.append((pos, raw.removesuffix("\r")))
        pos += len(raw) + 1
    filled = [row for _p, row in rows if row.strip()]
    if not filled or not any(_CUE_TIME.match(row) for row in filled):
        return None
    first = filled[0].strip().lstrip("\ufeff")
    if not (first.startswith("WEBVTT") or first.isdigit() or _CUE_TIME.match(first)):
        return None
    lines: list[Line] = []
    cue: tuple[int, int] | None = None  # the open cue's times
    body: list[tuple[int, str]] = []
    in_note = False

    def close() -> None:
        if cue is None or not body:
            return
        start, end = cue
        total = sum(len(row) for _p, row in body) or 1
        done = 0
        for at, row in body:  # a cue of several lines: its time shared out by their length
            speaker, n = label_prefix(row, speakers)
            begin = start + (end - start) * done // total
            done += len(row)
            stop = start + (end - start) * done // total
            lines.append(Line(at, at + n, at + len(row), speaker, row[n:], begin, stop))

    for index, (at, row) in enumerate(rows):
        match = _CUE_TIME.match(row)
        following = rows[index + 1][1] if index + 1 < len(rows) else ""
        if not match and cue is None and _CUE_TIME.match(following):
            continue  # a cue's number or name (WebVTT's identifier)
        if match:
            close()
            cue, body, in_note = (_ms(*match.groups()[:4]), _ms(*match.groups()[4:])), [], False
        elif not row.strip():
            close()
            cue, body, in_note = None, [], False
        elif cue is not None and not in_note:
            body.append((at, row))
        elif row.startswith(("NOTE", "STYLE", "REGION")) or row.lstrip("\ufeff").startswith(
            "WEBVTT"
        ):
            in_note = True  # a block that is no text, up to the next blank line
        elif not in_note and not row.strip().isdigit():
            return None  # text outside any cue: not subtitles after all
    close()
    return lines or None

"""Transcripts a REFI-QDA file holds in a layout of their own, as transcript lines whose
positions index the whole text as the file counts it (so that selections stay on their words):

- subtitles (an ``.srt`` or WebVTT text, as Transana and others keep one for a video, and
  QualCoder reads them so), ``cue_lines``: each cue's text line a segment at the cue's times;
  cue numbers, time lines, the ``WEBVTT`` header and ``NOTE`` blocks are no text;
- NVivo's transcript table, a row a line, ``span_rows``: a timespan, then the text and the
  speaker.
"""

from __future__ import annotations

import re

from .text_lines import Line, label_prefix

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE_TIME = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_DASH = re.compile(r"^[-\u2013\u2014]\s+")


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
            dash = _DASH.match(row)
            if dash:  # a dialogue line ("- Ерлан: …"): the name after the dash is the speaker
                named, after = label_prefix(row[dash.end() :], speakers)
                speaker, n = (named, dash.end() + after) if named else (None, 0)
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


_CLOCK = r"(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
#: a row of NVivo's transcript table: "0:00:00.0 - 0:00:05.2", then a tab or " | "
_SPAN_ROW = re.compile(rf"^[ \t]*\[?{_CLOCK}[ \t]*-[ \t]*{_CLOCK}\]?(?:\t|[ \t]*\|[ \t]*)")


def _clock_ms(h: str | None, m: str, s: str, frac: str | None) -> int:
    return _ms(h, m, s, frac or "0")


def span_rows(text: str, speakers: set[str] | None = None) -> list[Line] | None:
    """The lines of a transcript written as NVivo's transcript table, a row a line: its
    timespan, then its cells after a tab (content and speaker, in either order) or after
    " | " (``Speaker: text``); None when not every line with words is such a row (a header
    row of column names above them is left out)."""
    rows: list[tuple[int, str, re.Match[str]]] = []
    pos = 0
    header = True
    for raw in text.split("\n"):
        row = raw.removesuffix("\r")
        at, pos = pos, pos + len(raw) + 1
        if not row.strip():
            continue
        match = _SPAN_ROW.match(row)
        if match is None:
            if header and not rows and "\t" in row:
                header = False  # the column names (Timespan, Content, Speaker)
                continue
            return None
        header = False
        rows.append((at, row, match))
    if not rows:
        return None
    cells = [_cells(at, row, match) for at, row, match in rows]
    width = max(len(c) for c in cells)
    speaker_col = None
    if width >= 2 and all(len(c) == width for c in cells):
        means = [sum(len(c[i][1]) for c in cells) / len(cells) for i in range(width)]
        short = min(range(width), key=lambda i: means[i])
        if all(len(c[short][1]) <= 40 and len(c[short][1].split()) <= 4 for c in cells):
            speaker_col = short
    lines: list[Line] = []
    for (at, _row, match), row_cells in zip(rows, cells, strict=True):
        start, end = _clock_ms(*match.groups()[:4]), _clock_ms(*match.groups()[4:])
        speaker = None
        if speaker_col is not None:
            speaker = row_cells[speaker_col][1].rstrip(":").strip() or None
            content = max(
                (c for i, c in enumerate(row_cells) if i != speaker_col), key=lambda c: len(c[1])
            )
        else:
            content = row_cells[0]
        begin, body = content
        n = 0
        if speaker is None:
            speaker, n = label_prefix(body, speakers)
        lines.append(Line(at, begin + n, begin + len(body), speaker, body[n:], start, end))
    return lines


def _cells(at: int, row: str, match: re.Match[str]) -> list[tuple[int, str]]:
    """A row's cells after its timespan: (position in the whole text, text), trimmed."""
    out = []
    offset = match.end()
    for cell in row[offset:].split("\t"):
        lead = len(cell) - len(cell.lstrip())
        out.append((at + offset + lead, cell.strip()))
        offset += len(cell) + 1
    return out

"""Transcripts laid out as a table: a Word table's rows, or the tab-separated lines NVivo
imports and exports (``0:00:00.0 - 0:00:05.2<TAB>Interviewer<TAB>text``), read as the lines
the transcript import reads (``[time] SPEAKER: text``)."""

from __future__ import annotations

from .frame_times import FRAME_CELL
from .transcript_patterns import LEAD_RANGE, STAMP_ALONE, is_label

#: a text whose lines are tab-separated: at least this share of its non-blank lines has a tab
TABBED_SHARE = 0.6


def is_time(cell: str) -> bool:
    """Whether a cell holds a time or a span (``0:00:00.0 - 0:00:10.6``, frame times too)."""
    return bool(STAMP_ALONE.match(cell) or LEAD_RANGE.fullmatch(cell) or FRAME_CELL.fullmatch(cell))


def tab_separated_lines(lines: list[str]) -> list[str] | None:
    """Tab-separated transcript lines (NVivo's: a timespan, a speaker and the text, in any
    order, perhaps under a header row ``Timespan<TAB>Content<TAB>Speaker``) as transcript lines;
    None when the text is not laid out so (most non-blank lines without a tab, or no line with
    a time in a cell of its own)."""
    filled = [line for line in lines if line.strip()]
    tabbed = [line for line in filled if "\t" in line]
    if not tabbed or len(tabbed) < TABBED_SHARE * len(filled):
        return None
    rows = [[cell.strip() for cell in line.split("\t")] for line in filled]
    if not any(is_time(cell) for row in rows for cell in row):
        return None
    return rows_as_lines(rows)


def rows_as_lines(rows: list[list[str]]) -> list[str]:
    """A table's rows as transcript lines: ``[time] SPEAKER: text``.

    The time column holds a time or a span (``0:00:00.0 - 0:00:10.6``); the speaker column is
    the column of names (each word capitalised; else the shortest values, at most four words)
    when there is text besides it: time | speaker | text, speaker | time | text, NVivo's
    # | span | text | speaker. A column of row numbers is left out; rows without a time are
    read as plain lines; a header row over the first timed row (``Timespan | Content |
    Speaker``, ``# | Timespan | Content | Speaker``) is left out.
    """
    width = max((len(r) for r in rows), default=0)
    timed = [r for r in rows if len(r) == width and any(is_time(c) for c in r)]
    if not timed:
        return [" ".join(c for c in r if c) for r in rows]
    header = header_row(rows, width)
    if header is not None:  # column names (Timespan | Content | Speaker): no line of speech
        rows = rows[:header] + rows[header + 1 :]
    firsts = [next(i for i, c in enumerate(r) if is_time(c)) for r in timed]
    time_col = max(set(firsts), key=firsts.count)
    others = [
        c
        for c in range(width)
        if c != time_col and not all(r[c].isdigit() or not r[c] for r in timed)
    ]
    speaker_col = None
    if len(others) >= 2:
        mean = {c: sum(len(r[c]) for r in timed) / len(timed) for c in others}
        names = [c for c in others if all(is_label(r[c].rstrip(":")) for r in timed if r[c])]
        shortest = min(names or others, key=lambda c: mean[c])
        if (0 < len(names) < len(others) or mean[shortest] < max(mean.values())) and all(
            len(r[shortest]) <= 40 and len(r[shortest].split()) <= 4 for r in timed
        ):
            speaker_col = shortest
    lines = []
    for r in rows:
        if len(r) != width or not is_time(r[time_col]):
            lines.append(" ".join(c for c in r if c))
            continue
        when = r[time_col] if r[time_col].startswith(("[", "(")) else f"[{r[time_col]}]"
        speaker = r[speaker_col].rstrip(":").strip() if speaker_col is not None else ""
        text = " ".join(r[c] for c in others if c != speaker_col and r[c])
        lines.append(f"{when} {speaker}: {text}" if speaker else f"{when} {text}")
    return lines


def header_row(rows: list[list[str]], width: int) -> int | None:
    """The index of a table's header row: the last full-width row above its first timed row,
    every cell a short name (at most four words, no sentence end) and none a time; None when
    there is none."""
    index = next(
        (i for i, r in enumerate(rows) if len(r) == width and any(is_time(c) for c in r)), None
    )
    if index is None:
        return None
    above = [i for i in range(index) if len(rows[i]) == width]
    if not above:
        return None
    cells = rows[above[-1]]
    names = all(
        c and len(c) <= 40 and len(c.split()) <= 4 and not c.endswith((".", "?", "!", "…"))
        for c in cells
    )
    return above[-1] if names and not any(is_time(c) for c in cells) else None

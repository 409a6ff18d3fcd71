"""Turn a plain-text transcript (as other QDA tools store it) into timed, speaker-labelled lines.

Each non-empty line becomes one segment. A line may start with a timestamp (``[00:01:02]``,
``(00:01:02.5)``, ``00:01:02``) and a speaker (``Anna: ...``, ``I: ...``, ``S01: ...``); an
f4/MAXQDA end mark (``#00:01:05-3#``) may close it. Sync points (position -> time) anchor
times; where none applies, times are interpolated by character position.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_LEAD_TS = re.compile(
    r"^\s*[\[(]?(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?[\])]?[ \t]*(?:-[ \t]*)?"
)
#: QualCoder's own stamps: ``{hh:mm:ss}``, ``[hh.mm.ss]``, ``[mm.ss]``, ``#hh:mm:ss.sss#``
_QC_TS = re.compile(
    r"^\s*(?:\{(?:(\d{1,2}):)?(\d{1,3}):(\d{2})\}|\[(?:(\d{2})\.)?(\d{1,3})\.(\d{2})\]"
    r"|#(\d{1,2}):(\d{2}):(\d{2})[.,](\d{1,3})#)[ \t]*"
)
_TAIL_F4 = re.compile(r"[ \t]*#(\d{1,2}):(\d{2}):(\d{2})(?:[-.,](\d{1,3}))?#[ \t]*$")
#: the same mark opening a line (MAXQDA puts one where the cursor is: "#00:00:01-0# I: ...")
_LEAD_F4 = re.compile(r"^[ \t]*#(\d{1,2}):(\d{2}):(\d{2})(?:[-.,](\d{1,3}))?#")
_SPEAKER = re.compile(r"^([^\s:#\[\]()][^:\n]{0,39}?):[ \t]+(?=\S)")


def ts_ms(h: str | None, m: str, s: str, frac: str | None) -> int:
    """Milliseconds of a parsed h:m:s[.frac] timestamp."""
    ms = int(frac.ljust(3, "0")[:3]) if frac else 0
    return ((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + ms


def lead_stamp(line: str, others: bool = True) -> tuple[int, int] | None:
    """(time in ms, length) of the timestamp opening a line: one in brackets or parentheses,
    a bare one with hours or a fraction (``00:01:02``), or (``others``) QualCoder's
    (``{00:01:02}``, ``[00.01.02]``, ``[01.02]``, ``#00:01:02.500#``); None if none."""
    match = _LEAD_TS.match(line)
    if match and (
        match.group(1) is not None
        or match.group(4) is not None
        or "[" in match.group(0)
        or "(" in match.group(0)
    ):
        return ts_ms(match.group(1), match.group(2), match.group(3), match.group(4)), match.end()
    qc = _QC_TS.match(line) if others else None
    if qc is None:
        return None
    g = qc.groups()
    if g[2] is not None:  # {h:m:s}
        return ts_ms(g[0], g[1], g[2], None), qc.end()
    if g[5] is not None:  # [h.m.s] or [m.s]
        return ts_ms(g[3], g[4], g[5], None), qc.end()
    return ts_ms(g[6], g[7], g[8], g[9]), qc.end()


def speaker_prefix(line: str) -> tuple[str | None, int]:
    """Return (speaker, length of the prefix) when a line starts like ``NAME: text``."""
    match = _SPEAKER.match(line)
    if not match:
        return None, 0
    name = match.group(1).strip()
    if len(name.split()) > 4 or name.startswith("http"):
        return None, 0
    return name, match.end()


def label_prefix(line: str, speakers: set[str] | None) -> tuple[str | None, int]:
    """The speaker label opening a line and its length with ": " (None, 0 without one): one
    of ``speakers`` when given, else any that looks like a label (``speaker_prefix``)."""
    if speakers is None:
        return speaker_prefix(line)
    for label in sorted(speakers, key=len, reverse=True):
        if line.startswith(f"{label}: "):
            return label, len(label) + 2
    return None, 0


@dataclass
class Line:
    """One transcript line that becomes a segment; positions index the whole text."""

    line_start: int
    text_start: int
    text_end: int
    speaker: str | None
    text: str
    start_ms: int | None = None
    end_ms: int | None = None
    #: a speaker label inside the line, after its leading MAXQDA time mark (``#00:00:01-0#
    #: NAME: text``): where it starts in the whole text and its length with ": "; it is no
    #: part of ``text`` (the mark and the words around it are)
    label_at: int | None = None
    label_len: int = 0
    #: a text source's timestamp that went back in time (``split_text_source``): the time it
    #: says; the line starts at the time of the line before it, so that the lines stay in order
    went_back_ms: int | None = None

    def cp(self, pos: int) -> int:
        """A position in the whole text -> in ``text`` (one inside the label: where it was)."""
        if self.label_at is None or pos <= self.label_at:
            return pos - self.text_start
        return max(self.label_at, pos - self.label_len) - self.text_start


def split_lines(
    text: str,
    syncpoints: list[tuple[int, int | None]] | None = None,
    *,
    duration_ms: int | None = None,
    keep_empty_synced: bool = True,
    speakers: set[str] | None = None,
) -> list[Line]:
    """Split a transcript into lines with speakers and times.

    Args:
        text: the whole plain text.
        syncpoints: (position, time in ms or None) pairs from the source's ``SyncPoint``s.
        duration_ms: the media duration, used to clamp and to interpolate without anchors.
        keep_empty_synced: keep empty lines that carry a sync point (empty segments).
        speakers: when given, only these labels are recognised as ``LABEL: `` prefixes
            (instead of guessing from the line's shape).
    """
    # by position; a point without a time (``timeStamp`` is optional) before one with a
    # time at the same position (comparing None with a number raised TypeError)
    points = sorted(
        ((p, t) for p, t in (syncpoints or []) if p is not None),
        key=lambda pt: (pt[0], pt[1] is not None, pt[1] or 0),
    )
    positions = [p for p, _ in points]
    anchors = sorted((p, t) for p, t in points if t is not None)
    lines: list[Line] = []
    ends_known: list[int | None] = []
    pos = 0
    for raw in text.split("\n"):
        ls = pos
        le = ls + len(raw)
        pos = le + 1
        if raw.endswith("\r"):
            le -= 1
        lo = bisect.bisect_left(positions, ls)
        hi = bisect.bisect_right(positions, le)
        inline = points[lo:hi]
        if inline and not raw and ls == len(text) and lines:
            # a sync point after the text's last line end marks where that line ends: no
            # empty segment of its own
            for _p, t in inline:
                if t is not None and lines[-1].end_ms is None:
                    lines[-1].end_ms = ends_known[-1] = t
            continue
        body = text[ls:le]
        start: int | None = None
        end: int | None = None
        speaker: str | None = None
        text_start = ls
        text_end = le
        if inline:
            stamped: int | None = None
            first = inline[0][0]
            prefix = text[ls:first]
            if first == ls:
                # a sync point at the line's start (QualCoder writes one at position 0, its
                # lines opened by its timestamps): a timestamp (not in FieldScribe's own files)
                # and a "NAME: " prefix are left out of the text, the prefix the speaker,
                # unless a sync point falls inside them
                stamp = lead_stamp(body) if speakers is None else None
                skip = stamp[1] if stamp else 0
                speaker, n = label_prefix(body[skip:], speakers)
                if not any(ls < p < ls + skip + n for p, _t in inline):
                    text_start = ls + skip + n
                else:
                    speaker = None
            elif prefix.endswith(": ") and len(prefix) > 2 and "\n" not in prefix:
                text_start = first
                stamp = lead_stamp(prefix, speakers is None)
                if stamp and prefix[: stamp[1]].strip()[0] in "[({#":
                    stamped = stamp[0]
                    prefix = prefix[stamp[1] :]
                speaker = prefix[:-2].strip() or None
            else:
                # sync points further on only (QualCoder writes them where its codings start
                # and end): the line's own timestamp and "NAME: " open it, as where it has none
                stamp = lead_stamp(body) if speakers is None else None
                skip = stamp[1] if stamp else 0
                speaker, n = label_prefix(body[skip:], speakers)
                if stamp and not any(ls < p < ls + skip + n for p, _t in inline):
                    stamped, n = stamp[0], skip + n
                elif stamp:
                    speaker, n = label_prefix(body, speakers)
                text_start = ls + n
            for p, t in inline:
                if t is not None and p <= text_start and start is None:
                    start = t
                if t is not None and p == le:
                    end = t
            if start is None:
                start = stamped
        else:
            if not body.strip():
                continue
            stamp = lead_stamp(body, speakers is None)
            if stamp:
                start, text_start = stamp[0], ls + stamp[1]
            tail = _TAIL_F4.search(body)
            if tail and ls + tail.start() >= text_start:
                end = ts_ms(tail.group(1), tail.group(2), tail.group(3), tail.group(4))
                text_end = ls + tail.start()
            speaker, n = label_prefix(text[text_start:text_end], speakers)
            text_start += n
        if not inline and not text[text_start:text_end].strip():
            continue
        if inline and not keep_empty_synced and not text[text_start:text_end].strip():
            continue
        lines.append(Line(ls, text_start, text_end, speaker, text[text_start:text_end], start, end))
        ends_known.append(end)
    _fill_times(lines, anchors, len(text), duration_ms)
    return lines


def _interp(pos: int, anchors: list[tuple[int, int]], total: int, duration: int | None) -> int:
    if not anchors:
        if duration and total:
            return round(duration * pos / total)
        return 0
    keys = [p for p, _ in anchors]
    i = bisect.bisect_left(keys, pos)
    if i < len(anchors) and anchors[i][0] == pos:
        return anchors[i][1]
    if i == 0:
        p1, t1 = anchors[0]
        return t1 if not duration or p1 == 0 else max(0, round(t1 * pos / p1))
    if i == len(anchors):
        p0, t0 = anchors[-1]
        if duration and total > p0:
            return round(t0 + (duration - t0) * (pos - p0) / (total - p0))
        return t0
    (p0, t0), (p1, t1) = anchors[i - 1], anchors[i]
    return round(t0 + (t1 - t0) * (pos - p0) / max(1, p1 - p0))


def _fill_times(
    lines: list[Line], anchors: list[tuple[int, int]], total: int, duration: int | None
) -> None:
    for i, line in enumerate(lines):
        if line.start_ms is None:
            # after a line whose end the text gives (an f4/MAXQDA end mark "#00:00:03-5#", a
            # sync point at its end): this line starts there, not at a guess from its position
            before = lines[i - 1].end_ms if i else None
            line.start_ms = (
                before if before is not None else _interp(line.line_start, anchors, total, duration)
            )
    for i, line in enumerate(lines):
        if line.end_ms is None:
            if i + 1 < len(lines) and lines[i + 1].start_ms is not None:
                line.end_ms = lines[i + 1].start_ms
            elif anchors or duration:
                line.end_ms = _interp(line.text_end, anchors, total, duration)
                if duration and i + 1 == len(lines):
                    line.end_ms = max(line.end_ms or 0, duration)
            else:
                line.end_ms = line.start_ms
    for i, line in enumerate(lines):
        start = max(0, line.start_ms or 0)
        if i and start < (lines[i - 1].start_ms or 0):
            # segments are shown in time order: a line timed before the one above it (its
            # own timestamp against a sync point) would move; it starts where that one does
            line.went_back_ms = start
            start = lines[i - 1].start_ms or 0
        end = max(start, line.end_ms or start)
        if duration:
            start = min(start, duration)
            end = min(max(end, start), max(duration, start))
        line.start_ms, line.end_ms = start, end


def map_span(lines: list[Line], start: int, end: int) -> list[tuple[int, int | None, int | None]]:
    """Map a span of the whole text onto lines: (line index, start_cp, end_cp) in its text.

    A span covering a line's whole text gives ``None, None`` (the whole segment); a line of
    which the span covers only line ends (its own, the blank lines after it) is left out, as
    one of which it covers only the speaker's label is, and so is a line with no visible text
    (the blank lines opening a text).
    """
    result: list[tuple[int, int | None, int | None]] = []
    if end < start:
        start, end = end, start
    # lines are in text order, their ends rising: start at the first line ending at or after
    # ``start`` and stop past ``end`` (a scan of every line made a large project's import
    # quadratic: minutes for 10,000 selections)
    first = bisect.bisect_left(lines, start, key=lambda line: line.text_end)
    for i in range(first, len(lines)):
        line = lines[i]
        if line.text_start > end:
            break
        lo, hi = max(start, line.text_start), min(end, line.text_end)
        if hi <= lo:
            if start == end == line.text_start == line.text_end:
                result.append((i, None, None))
            continue
        rest = line.text[line.cp(hi) :]
        if not line.text.strip():
            continue  # blank lines opening a text (a segment of its own): nothing to code
        if lo == line.text_start and (hi == line.text_end or not rest.strip()):
            # the whole text (a text source's blank lines or "\r" after it count for nothing)
            result.append((i, None, None))
        elif line.text[line.cp(lo) : line.cp(hi)].strip("\r\n"):
            # (a span inside a label is no text, nor one over only a line end or the blank
            # lines a line keeps: a code on nothing; one over spaces codes those spaces)
            result.append((i, line.cp(lo), line.cp(hi)))
    return result


_ONLY_TS = re.compile(
    r"^[ \t]*(?:[\[(#]?(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,-](\d{1,3}))?[\])#]?)[ \t]*\r?$"
)


def _exact_speaker(line: str, speakers: set[str] | None) -> tuple[str | None, int]:
    """``NAME: text`` at the very start of a line, separated by exactly ": " (so that writing
    ``f"{speaker}: {text}"`` gives the line back character for character)."""
    speaker, _n = label_prefix(line, speakers)
    if speaker is None or not line.startswith(f"{speaker}: "):
        return None, 0
    return speaker, len(speaker) + 2


def _marked_speaker(line: str, speakers: set[str] | None) -> tuple[str | None, int, int]:
    """(speaker, where its label starts, its length with ": ") of a line that starts with
    one (``NAME: text``: at 0) or with a MAXQDA time mark, one space and one
    (``#00:00:01-0# NAME: text``); (None, 0, 0) without one."""
    speaker, n = _exact_speaker(line, speakers)
    if speaker is not None:
        return speaker, 0, n
    mark = _LEAD_F4.match(line)
    if mark is None or line[mark.end() : mark.end() + 1] != " ":
        return None, 0, 0
    speaker, n = _exact_speaker(line[mark.end() + 1 :], speakers)
    return (speaker, mark.end() + 1, n) if speaker is not None else (None, 0, 0)


def text_source_line(speaker: str | None, text: str, marked: bool) -> tuple[str, int, int | None]:
    """The line a text source's segment is written as, as ``split_text_source`` reads it
    back: ``NAME: text``, or (``marked``: its label stood after its leading MAXQDA time mark)
    ``#00:00:01-0# NAME: text``; with where its text starts in the line and where the label
    stands inside its text (None for none there)."""
    if not speaker:
        return text, 0, None
    mark = _LEAD_F4.match(text) if marked else None
    if mark is not None and text[mark.end() : mark.end() + 1] == " ":
        at = mark.end() + 1
        return f"{text[:at]}{speaker}: {text[at:]}", 0, at
    return f"{speaker}: {text}", len(speaker) + 2, None


def split_text_source(text: str, speakers: set[str] | None = None) -> tuple[list[Line], bool]:
    """Split a text source into segments so that every character survives; say if it is a
    transcript.

    Used for ``TextSource`` imports (documents, field notes, interviews typed by hand), where,
    unlike an audio transcript, no sync point says which line is which segment:

    * the source is a transcript only when every line with words starts ``NAME: `` (or, for a
      file FieldScribe wrote, one of ``speakers``), or a MAXQDA time mark, one space and
      ``NAME: `` (``#00:00:01-0# NAME: text``); only then do the labels become speakers (a
      label after a mark is left out of the segment's text, the mark stays: ``Line.label_at``).
      A document with a few ``Abstract: ...`` lines keeps them as text;
    * each line with words becomes a segment holding the whole line (after the speaker prefix
      of a transcript), timestamps and ``\\r`` included;
    * a line holding only a timestamp (``[00:01:02]``, ``#00:01:02-3#``) is a segment of its
      own whose text is that timestamp; its time starts it and the lines after it;
    * blank lines stay with the segment before them (its text ends with ``\\n`` and the blank
      line), those before the first line with words form a segment of their own;
    * a leading timestamp in a line with words (``[00:01:02]``, or a MAXQDA mark
      ``#00:01:02-3#``) starts its segment, an f4/MAXQDA end mark (``#00:01:05-3#``) ends it;
      both stay in the text. A line whose timestamp goes back in time starts at the time of the
      line before it (``Line.went_back_ms``), so that the segments keep the text's order.

    Joining ``[speaker + ": "] + text`` of the segments with ``\\n`` gives ``text`` back (for a
    label after a time mark: the label put back after the mark, ``text_source_line``).

    Returns:
        The lines (positions index ``text``) and whether the source is a transcript.
    """
    if not text:
        return [], False
    raw_lines: list[tuple[int, int]] = []  # (start, end) of each line, "\n" excluded
    pos = 0
    for raw in text.split("\n"):
        raw_lines.append((pos, pos + len(raw)))
        pos += len(raw) + 1

    def kind(start: int, end: int) -> str:
        body = text[start:end]
        if not body.strip():
            return "blank"
        if _ONLY_TS.match(body):
            return "stamp"
        return "words"

    kinds = [kind(s, e) for s, e in raw_lines]
    worded = [text[s:e] for (s, e), k in zip(raw_lines, kinds, strict=True) if k == "words"]
    transcript = bool(worded) and all(_marked_speaker(b, speakers)[0] for b in worded)
    if speakers:  # FieldScribe wrote it: its labels are speakers wherever they stand
        transcript = True
    lines: list[Line] = []
    last_time: int | None = None
    for (start, end), k in zip(raw_lines, kinds, strict=True):
        if k == "blank" and lines:
            prev = lines[-1]
            prev.text += text[prev.text_end : end]
            prev.text_end = end
            continue
        speaker, at, n = (None, 0, 0)
        if k == "words" and transcript:
            speaker, at, n = _marked_speaker(text[start:end], speakers)
        if at:  # the label after a leading time mark: no part of the text, the mark is
            line = Line(
                start, start, end, speaker, text[start : start + at] + text[start + at + n : end]
            )
            line.label_at, line.label_len = start + at, n
        else:
            line = Line(start, start + n, end, speaker, text[start + n : end])
        body = text[start:end]
        own: int | None = None  # the line's own timestamp
        if k == "stamp":
            m = _ONLY_TS.match(body)
            assert m is not None
            last_time = ts_ms(m.group(1), m.group(2), m.group(3), m.group(4))
            line.start_ms = own = last_time
        elif k == "words":
            lead = _LEAD_TS.match(line.text)
            if lead and (
                lead.group(1) is not None
                or lead.group(4) is not None
                or "[" in lead.group(0)
                or "(" in lead.group(0)
            ):
                last_time = ts_ms(lead.group(1), lead.group(2), lead.group(3), lead.group(4))
                line.start_ms = own = last_time
            elif (mark := _LEAD_F4.match(line.text)) is not None:
                last_time = ts_ms(mark.group(1), mark.group(2), mark.group(3), mark.group(4))
                line.start_ms = own = last_time
            if line.start_ms is None:
                line.start_ms = last_time if last_time is not None else 0
            tail = _TAIL_F4.search(line.text.rstrip("\r"))
            if tail:
                line.end_ms = ts_ms(tail.group(1), tail.group(2), tail.group(3), tail.group(4))
                last_time = max(last_time or 0, line.end_ms)
        if line.start_ms is None:
            line.start_ms = last_time if last_time is not None else 0
        if lines and (line.start_ms or 0) < (lines[-1].start_ms or 0):
            # segments are in time order: a line that started before the one above it would
            # move (its own timestamp is noted; a line after it, without one, follows it)
            line.went_back_ms = own
            line.start_ms = lines[-1].start_ms
        lines.append(line)
    for i, line in enumerate(lines):
        nxt = lines[i + 1].start_ms if i + 1 < len(lines) else None
        if line.end_ms is None or (line.start_ms is not None and line.end_ms < line.start_ms):
            line.end_ms = max(line.start_ms or 0, nxt or 0)
        elif line.start_ms is not None and line.end_ms is not None:
            line.end_ms = max(line.end_ms, line.start_ms)
    return lines, transcript


_LONE_CR = re.compile(r"\r(?!\n)")


def lone_crs_as_lf(text: str) -> tuple[str, int]:
    """``text`` with each CR that does not begin a CRLF read as LF, and how many there were.

    One character for one: every position in the text still names the same character.
    """
    return _LONE_CR.subn("\n", text)


def crlf_only(text: str) -> bool:
    """Every line break is CRLF (Windows tools: MAXQDA, NVivo), and no CR stands alone."""
    crlf = text.count("\r\n")
    return crlf > 0 and crlf == text.count("\n") == text.count("\r")


class LineEnds:
    """Positions between a CRLF text and the same text with LF line breaks (code points)."""

    def __init__(self, lf_text: str, breaks: list[int] | None = None) -> None:
        # the line breaks (in the LF text) that were CRLF: all of them unless ``breaks`` says
        if breaks is None:
            breaks = [i for i, ch in enumerate(lf_text) if ch == "\n"]
        self._breaks = breaks
        self._crs = [b + i for i, b in enumerate(self._breaks)]  # each "\r" in the CRLF text

    def to_crlf(self, pos: int) -> int:
        """A position in the LF text -> the CRLF text (one more per line break before it)."""
        return pos + bisect.bisect_left(self._breaks, pos)

    def to_lf(self, pos: int) -> int:
        """A position in the CRLF text -> the LF text (a position inside a CRLF: before it)."""
        return pos - bisect.bisect_left(self._crs, pos)


def strip_crlf(text: str) -> tuple[str, LineEnds]:
    """``text`` with each CRLF read as LF (also where CRLF and LF are mixed), and the positions
    between the two."""
    # the n-th CRLF's "\n" lies n characters earlier once the CRs before it are gone
    breaks = [m.start() - n for n, m in enumerate(re.finditer("\r\n", text))]
    lf_text = text.replace("\r\n", "\n")
    return lf_text, LineEnds(lf_text, breaks)

"""Timestamped lines (text files, Word paragraphs) read as segments: a time at a line's start
or in a span, after a speaker label, in a heading, f4transkript's end marks, oTranscribe's bare
minutes, Trint's and MS Teams' names under a time."""

from __future__ import annotations

import itertools
import re
from collections import Counter

from storage.core.models import KIND_LABELS
from storage.core.words import plural, verb
from storage.transcript.transcript import SegmentDraft

from ._common import hms
from .transcript_clock import clock, past_midnight
from .transcript_models import MODEL_LINE_STARTS
from .transcript_parsed import (
    ParsedTranscript,
    give_back_labels,
    label_words,
    parse_clock,
    speaker_and_text,
)
from .transcript_patterns import (
    LEAD_RANGE,
    NUMBERED_LABEL,
    STAMP,
    STAMP_ALONE,
    TOOL_GAP,
    is_discourse,
    is_label,
)
from .transcript_unknown import unknown_speakers_dropped
from .transcript_untimed import starts_by_words

#: QualCoder's own timestamps too: ``[hh.mm.ss]``, ``[mm.ss]`` (minutes past 59 as well),
#: ``{hh:mm:ss}``, and ``#hh:mm:ss.sss#`` before the text, also as MAXQDA writes it there
#: (``#00:01:02-3#``: tenths after the dash); f4's end mark ``#..-d#`` ends a line
_TXT_TS = re.compile(
    rf"^\s*(?:\[(?P<b>{STAMP})\]|\((?P<p>{STAMP})\)"
    r"|\[(?P<d>\d{2}\.\d{2}\.\d{2}|\d{1,3}\.\d{2})\]"
    rf"|\{{(?P<c>{STAMP})\}}|#(?P<h>\d{{1,2}}:\d{{2}}:\d{{2}}[.,-]\d{{1,3}})#(?=[ \t]*\S)"
    r"|(?P<n>\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?)(?=\s))\s*(?:[-\u2013\u2014]\s+)?"
)

#: the line Otter ends its exports with (``Transcribed by https://otter.ai``): no one said it
#: and the one Google Meet ends its transcripts with (``Meeting ended after 00:43:12 👋``)
_TOOL_FOOTER = re.compile(
    r"\s*(?:transcribed by\s+(?:https?://)?(?:www\.)?otter\.ai/?"
    r"|meeting ended after\s+\d{1,2}:\d{2}:\d{2}\s*\W?)\s*",
    re.I,
)


def _lead_ms(lead: re.Match[str]) -> int:
    """The time of a line's leading timestamp (``_TXT_TS``)."""
    dotted = lead.group("d")
    if dotted:
        return parse_clock(dotted.replace(".", ":"))
    return parse_clock(next(g for g in lead.group("b", "p", "c", "h", "n") if g).replace("-", "."))


#: a heading of a speaker and a time, the text on the lines after it (``Speaker 1  0:05``)
#: (a name may be "Surname, Given", as MS Teams shows a company's accounts)
_HEADING = re.compile(
    r"^\s*(?P<speaker>[^\W\d_][\w.\-' ]{0,38}?(?:, [^\W\d_][\w.\-' ]{0,38}?)?)"
    rf"(?P<gap>\s*[,:]?\s+[\[(]?)(?P<t>{STAMP})[\])]?\s*$"
)
#: noScribe's paragraphs (also once opened in Word): ``S01: [00:00:00] text``
_SPEAKER_THEN_STAMP = re.compile(
    rf"^\s*(?P<speaker>[^\s:#\[\]()][^:\n]{{0,39}}?):\s*[\[(](?P<t>{STAMP})[\])]\s*"
)
#: Rev and others: ``Speaker 1 (00:05):`` with the text after it or on the lines below
_SPEAKER_STAMP_COLON = re.compile(
    rf"^\s*(?P<speaker>[^\s:#\[\]()][^:\n\[(]{{0,39}}?)\s*[\[(](?P<t>{STAMP})[\])]\s*:\s*"
)
_F4_END = re.compile(r"\s*#(\d{1,2}):(\d{2}):(\d{2})(?:[-.,](\d{1,3}))?#\s*$")


#: broadcast captions' change of speaker at the start of a line's text (``>> ANNA: …``, ``>>
#: …``; ``>>>`` a change of subject), as Zoom's saved captions write it after the time
_TURN_MARK = re.compile(r"^\s*>{2,3}\s*")


def no_clock(stamp: str) -> bool:
    """Whether a timestamp is no time a clock shows: seconds past 59 (Otter's ``0:70``), or
    minutes past 59 after hours (``1:75:00``); minutes alone may pass 59 (``75:30``)."""
    parts = stamp.strip().replace(",", ".").split(".")[0].split(":")
    return int(parts[-1]) > 59 or (len(parts) == 3 and int(parts[1]) > 59)


def timed_line(line: str) -> bool:
    """Whether a line starts a segment in one of the timestamped text styles."""
    heading = _HEADING.match(line)
    return bool(
        _TXT_TS.match(line)
        or LEAD_RANGE.match(line)
        or _SPEAKER_THEN_STAMP.match(line)
        or _SPEAKER_STAMP_COLON.match(line)
        or STAMP_ALONE.match(line)
        or _F4_END.search(line)
        or (heading and is_label(heading.group("speaker")))
    )


#: oTranscribe's plain-text export: a bare ``01:02`` (minutes and seconds) before the text
_BARE_MINUTES = re.compile(r"^\s*(\d{1,2}:\d{2}(?:[.,]\d{1,3})?)[ \t]+(?=\S)")


def bare_minutes(text: str) -> list[str] | None:
    """The lines of a text whose segments start with a bare ``mm:ss`` (oTranscribe's plain
    text: ``01:02 Anna: text``), those times bracketed (``[01:02] Anna: text``); None unless
    at least two lines start so, in time order, and no line has a timestamp of another style
    (then a line such as "10:30 мы встретились" is text)."""
    lines = text.split("\n")
    found: list[int] = []
    out = []
    for line in lines:
        hours = _TXT_TS.match(line)
        if hours and hours.group("n"):  # a bare 1:02:03, as it writes past the first hour
            found.append(parse_clock(hours.group("n")))
            out.append(line)
            continue
        if timed_line(line):
            return None
        match = _BARE_MINUTES.match(line)
        if match:
            found.append(parse_clock(match.group(1)))
            line = f"[{match.group(1)}] {line[match.end() :]}"
        out.append(line)
    if len(found) < 2 or any(b < a for a, b in itertools.pairwise(found)):
        return None
    return out


#: a name's last word may be an initial ("Ә.Н.", "Айгерим Б."); other lines ending so are text
_INITIAL_END = re.compile(r"(?:^|[\s.])[^\W\d_]\.$")


def _may_be_name(line: str) -> bool:
    """A line that may hold a speaker's name alone: a label, no sentence ("Да.", "Yes.")."""
    line = line.strip()
    if len(line) > 40 or not is_label(line) or line.endswith(("?", "!", "…", ",", ";")):
        return False
    return not line.endswith(".") or bool(_INITIAL_END.search(line))


def _names_under_times(
    drafts: list[SegmentDraft], headings: list[str | None], below: list[list[str]]
) -> list[str]:
    """Trint's paragraphs: a time, the speaker's name on the line under it, the text below.

    A segment started by a time alone whose first line may be a name and has text under it
    takes that line as its speaker when the same name stands so under another time, is a
    speaker elsewhere in the file or is a numbered label (``Speaker 2``, as DaVinci Resolve
    writes it under its time spans; a name ending with ':' is read so already); otherwise the
    line stays text, as does an answer of one line ("Да.", "Yes."). Returns the names so read.
    """
    places: dict[str, list[int]] = {}
    for i, draft in enumerate(drafts):
        lines = below[i]
        if headings[i] is None or draft.speaker is not None or draft.text != " ".join(lines):
            continue
        if len(lines) >= 2 and _may_be_name(lines[0]):
            places.setdefault(lines[0].strip(), []).append(i)
    speakers = {d.speaker for d in drafts if d.speaker}
    names = []
    for name, found in places.items():
        if len(found) >= 2 or name in speakers or NUMBERED_LABEL.match(name):
            names.append(name)
            for i in found:
                drafts[i].speaker = name
                drafts[i].text = " ".join(below[i][1:]).strip()
    return names


def _heading(text: str, speakers: set[str], after_ms: int | None) -> re.Match[str] | None:
    """A line's heading of a speaker and a time, when it really is one: a label (``is_label``)
    set apart from its time as the tools write it (``TOOL_GAP``) or a speaker of the file
    elsewhere, at a time not before the segment above it (a time no clock shows, ``no_clock``,
    says nothing of that); else None (the line is speech)."""
    heading = _HEADING.match(text)
    if not heading or not is_label(heading.group("speaker")):
        return None
    name = heading.group("speaker").strip()
    if not (TOOL_GAP.fullmatch(heading.group("gap")) or name in speakers):
        return None
    stamp = heading.group("t")
    if after_ms is not None and not no_clock(stamp) and parse_clock(stamp) < after_ms:
        return None
    return heading


def speakers_named(lines: list[str]) -> set[str]:
    """The speakers a file's timed lines name (``[00:01] NAME: text``, ``NAME: [00:01] text``,
    ``NAME (00:01):``, a heading set apart as the tools write it); a discourse word before a
    colon ("Итак: начнём") is speech, no name."""
    names: set[str | None] = set()
    for line in lines:
        text = line.strip()
        lead = LEAD_RANGE.match(text) or _TXT_TS.match(text)
        named = _SPEAKER_THEN_STAMP.match(text) or _SPEAKER_STAMP_COLON.match(text)
        heading = _HEADING.match(text)
        if heading and TOOL_GAP.fullmatch(heading.group("gap")):
            names.add(heading.group("speaker").strip())
        elif named:
            names.add(named.group("speaker").strip())
        elif lead:
            names.add(speaker_and_text(text[lead.end() :])[0])
    return {name for name in names if name and not is_discourse(name)}


def parse_lines(lines: list[str], fmt: str, originals: list[str] | None = None) -> ParsedTranscript:
    """Timestamped lines (text files, Word paragraphs) into segments.

    A segment starts at a line that starts with a timestamp (``[00:01:23]``, ``(00:01:23)``,
    ``00:01:23 -``, ``[01:23]``, a span ``[00:00.000 --> 00:05.000]``; a speaker may follow:
    ``SPEAKER: text``) or with a speaker and
    a bracketed one (noScribe: ``S01: [00:01:23] text``; Rev: ``Speaker 1 (00:05):``), at a
    heading of a
    speaker and a time (``Speaker 1  0:05``, Otter and Trint) or of a time alone, with its
    text on the lines after it, or, in f4transkript's style, at a ``SPEAKER: text`` line that
    ends with an end mark ``#00:01:23-4#`` (it starts where the one before ended). Other lines
    continue the segment before them; lines before the first timestamp are reported.
    ``originals``: the lines as the file has them, where ``lines`` has frame times rewritten
    (``frame_times``); a line read as text is taken from them, as it was written.
    """
    originals = lines if originals is None else originals
    filled = [i for i, line in enumerate(lines) if line.strip()]
    footer = None
    if filled and _TOOL_FOOTER.fullmatch(lines[filled[-1]]):  # read as the last speaker's words
        footer = originals[filled[-1]].strip()
        lines, originals = lines[: filled[-1]], originals[: filled[-1]]
    speakers = speakers_named(lines)
    turn_names = _untimed_turn_names(lines, speakers)
    untimed: set[int] = set()  # segments of a turn with no time of its own (by ``id``)
    drafts: list[SegmentDraft] = []
    ends: list[int | None] = []
    skipped: list[str] = []
    headings: list[str | None] = []  # the line of a segment started by a heading or a time
    below: list[list[str]] = []  # the lines under each segment's first line
    spans_alone: set[int] = set()  # segments started by a time span with nothing after it

    # the segments whose stamp is no clock time (by ``id``), with that stamp, in file order
    no_time: dict[int, tuple[SegmentDraft, str]] = {}

    def start(
        start_ms: int,
        speaker: str | None,
        body: str,
        end: int | None,
        heading: str | None = None,
        stamp: str = "",
    ) -> None:
        drafts.append(SegmentDraft(start_ms, start_ms, body, speaker=speaker, origin="import"))
        if stamp and no_clock(stamp):
            no_time[id(drafts[-1])] = (drafts[-1], stamp)
        ends.append(end)
        headings.append(heading)
        below.append([])

    # labels read from a line's shape that are no name ("он сказал: приходи"): the words the
    # label took, by segment, given back to the text unless the label speaks again
    guessed: dict[int, str] = {}

    # the segments whose line opens with captions' ">>", a new speaker's turn (Zoom's saved
    # captions: "08:02:33 >> ANNA: Hello"; the lines without it go on in the same voice)
    turns: set[int] = set()

    def labelled(body: str, index: int) -> tuple[str | None, str]:
        turn = _TURN_MARK.match(body)
        if turn:
            turns.add(index)
            body = body[turn.end() :]
        speaker, rest = speaker_and_text(body)
        words = label_words(body, speaker, rest)
        if words is not None:
            guessed[index] = words
        return speaker, rest

    for line, original in zip(lines, originals, strict=True):
        text = line.strip()
        if not text:
            continue
        end = None
        tail = _F4_END.search(text)
        if tail:
            end = parse_clock(f"{tail.group(1)}:{tail.group(2)}:{tail.group(3)}") + (
                int(tail.group(4)[:1]) * 100 if tail.group(4) else 0
            )
            text = text[: tail.start()].strip()
        span = LEAD_RANGE.match(text)
        if span:
            end = end if end is not None else parse_clock(span.group("e"))
            speaker, body = labelled(text[span.end() :], len(drafts))
            start(parse_clock(span.group("s")), speaker, body, end, stamp=span.group("s"))
            if not body and speaker is None:
                spans_alone.add(len(drafts) - 1)  # Teams: the name, then the text, below it
            continue
        alone = STAMP_ALONE.match(text)
        # the time above: that of the last segment whose time is one (not "0:70")
        above = next((d.start_ms for d in reversed(drafts) if id(d) not in no_time), None)
        heading = None if alone else _heading(text, speakers, above)
        lead = None if alone or heading else _TXT_TS.match(text)
        named = None
        if not (alone or heading or lead):
            named = _SPEAKER_THEN_STAMP.match(text) or _SPEAKER_STAMP_COLON.match(text)
        if named and len(named.group("speaker").split()) > 4:
            named = None
        if alone:
            start(parse_clock(alone.group(1)), None, "", end, text, alone.group(1))
        elif heading:
            speaker = heading.group("speaker").strip()
            start(parse_clock(heading.group("t")), speaker, "", end, text, heading.group("t"))
        elif named:
            speaker = named.group("speaker").strip()
            body = text[named.end() :].strip()
            start(parse_clock(named.group("t")), speaker, body, end, stamp=named.group("t"))
        elif lead and NUMBERED_LABEL.match(text[lead.end() :].strip()):
            # "00:00:01 Speaker 1", the text on the lines below: a heading of time and voice
            stamp = lead.group("b") or lead.group("n") or ""
            start(_lead_ms(lead), text[lead.end() :].strip(), "", end, text, stamp)
        elif lead:
            speaker, body = labelled(text[lead.end() :], len(drafts))
            start(
                _lead_ms(lead), speaker, body, end, stamp=lead.group("b") or lead.group("n") or ""
            )
        elif end is not None and (
            not drafts or ends[-1] is not None or speaker_and_text(text)[0] is not None
        ):  # f4transkript: the mark ends the paragraph, which starts where the last one ended
            speaker, body = labelled(text, len(drafts))
            begin = (ends[-1] if ends[-1] is not None else drafts[-1].start_ms) if drafts else 0
            start(begin, speaker, body, end)
        elif drafts and drafts[-1].text and _turn_name(original) in turn_names:
            # Google Meet: "NAME: text" lines between timestamps a few minutes apart
            speaker, body = speaker_and_text(original)
            start(drafts[-1].start_ms, speaker, body, None)
            untimed.add(id(drafts[-1]))
        elif drafts:
            last = drafts[-1]
            text = original.strip() if end is None else text  # frame times as written
            below[-1].append(text)
            if not last.text and last.speaker is None:
                last.speaker, text = labelled(text, len(drafts) - 1)
            last.text = f"{last.text} {text}".strip()
            if end is not None:
                ends[-1] = end
        else:
            skipped.append(original.strip() if end is None else text)
    give_back_labels(drafts, guessed)
    if turns:  # a line without ">>" is said by the voice of the turn it is in
        voice: str | None = None
        for i, draft in enumerate(drafts):
            if i in turns or draft.speaker is not None:
                voice = draft.speaker
            else:
                draft.speaker = voice
    trint_names = _names_under_times(
        drafts, [h if i not in spans_alone else "" for i, h in enumerate(headings)], below
    )
    unnamed = [i for i in sorted(spans_alone) if drafts[i].speaker is None]
    if (
        len(spans_alone) >= 2
        and unnamed
        and all(
            len(below[i]) >= 2
            and drafts[i].text == " ".join(below[i])
            and _may_be_name(below[i][0])
            for i in unnamed
        )
    ):  # Teams: every span has a name under it, also those of a name said once
        for i in unnamed:
            name = below[i][0].strip()
            drafts[i].speaker, drafts[i].text = name, " ".join(below[i][1:]).strip()
            if name not in trint_names:
                trint_names.append(name)
    # a heading with no text under it (a title such as "Interview 10:30", a time at the end)
    # is no segment; its time still ends the segment before it
    empty = [h for h, d in zip(headings, drafts, strict=True) if h is not None and not d.text]
    keep = [i for i, h in enumerate(headings) if h is None or drafts[i].text]
    kept = set(keep)
    for i in range(1, len(drafts)):
        if i not in kept and ends[i - 1] is None and drafts[i].start_ms >= drafts[i - 1].start_ms:
            ends[i - 1] = drafts[i].start_ms
    drafts, ends = [drafts[i] for i in keep], [ends[i] for i in keep]
    kept_ids = {id(d) for d in drafts}
    no_time = {k: bad for k, bad in no_time.items() if k in kept_ids}
    # clock times (Zoom's saved captions) that pass midnight: 23:59:58, then 00:00:03
    midnight = past_midnight(drafts, ends, set(no_time) | (untimed & kept_ids))
    _time_from_neighbours(drafts, ends, set(no_time))
    untimed &= kept_ids
    _untimed_turn_times(drafts, ends, untimed)
    # the file's order is the order of speech: a line whose timestamp goes back in time (a
    # stamp typed by hand after listening again) starts at the time of the line before it,
    # so that it stays below that line (segments are shown by their start times)
    went_back: list[tuple[SegmentDraft, int, int]] = []  # (line, its time, the time above)
    for before, draft in itertools.pairwise(drafts):
        if draft.start_ms < before.start_ms:
            went_back.append((draft, draft.start_ms, before.start_ms))
            draft.start_ms = before.start_ms
    for i, draft in enumerate(drafts):
        end = ends[i]
        if end is None and i + 1 < len(drafts):
            end = drafts[i + 1].start_ms
        draft.end_ms = max(draft.start_ms, end if end is not None else -1)
    notes: list[str] = []
    if midnight:
        notes.append(
            f"the times pass midnight ({clock(midnight[0])}, then {clock(midnight[1])}): the "
            "lines after it are read as the next day's"
        )
    if no_time:
        first, stamp = next(iter(no_time.values()))
        n = len(no_time)
        notes.append(
            f"{plural(n, 'line')} {verb(n, 'has a time', 'have times')} no clock shows (the "
            f"first: {stamp!r} before {first.text[:30]!r}); {verb(n, 'it starts', 'they start')} "
            f"between the lines around {verb(n, 'it', 'them')} instead, in the file's order"
        )
    if untimed:
        n = len(untimed)
        notes.append(
            f"{plural(n, 'turn')} with no timestamp of {verb(n, 'its', 'their')} own (a "
            f"speaker's name before {verb(n, 'its', 'their')} words, between the file's "
            f"timestamps) {verb(n, 'was', 'were')} imported as "
            f"{verb(n, 'a segment of its', 'segments of their')} own, "
            f"{verb(n, 'its time', 'their times')} estimated from the timestamps around and the "
            "words between them"
        )
    unknown_speakers_dropped(drafts, notes)
    own = _own_heading(skipped)
    if skipped and drafts and own is None:
        notes.append(
            f"{plural(len(skipped), 'line')} before the first timestamp "
            f"{verb(len(skipped), 'was')} not imported: "
            f"{skipped[0][:60]!r}"
        )
    if footer is not None:
        notes.append(f"the tool's closing line {footer!r} was not imported")
    if trint_names:
        notes.append(
            f"the line under a time was read as the speaker's name (Trint's layout): "
            f"{', '.join(trint_names[:5])}"
            + (f" and {len(trint_names) - 5} more" if len(trint_names) > 5 else "")
        )
    if empty:
        notes.append(
            f"{plural(len(empty), 'heading or time line')} with no text under "
            f"{verb(len(empty), 'it was', 'them were')} not imported: "
            f"{empty[0][:60]!r}"
        )
    if went_back:
        first, said, above = went_back[0]
        n = len(went_back)
        notes.append(
            f"{plural(n, 'line')} {verb(n, 'has a timestamp', 'have timestamps')} earlier than "
            f"the line before (the first: {first.text[:30]!r} at {hms(said)}, after "
            f"{hms(above)}); {verb(n, 'it starts', 'they start')} at the time of the line "
            "before, so that the lines keep the file's order"
        )
    result = ParsedTranscript(fmt, drafts, notes, *(own or (None, None)))
    result.notes += ["open-end"] if drafts and ends[-1] is None else []
    return result


def _time_from_neighbours(
    drafts: list[SegmentDraft], ends: list[int | None], bad: set[int]
) -> None:
    """A stamp that is no clock time ("0:70", read as 70 s): each run of such lines keeps its
    place and shares the time between the line before it and the next well-timed line (the
    last line's: the time of the line before)."""
    i = 0
    while i < len(drafts):
        if id(drafts[i]) not in bad:
            i += 1
            continue
        j = i
        while j < len(drafts) and id(drafts[j]) in bad:
            j += 1
        low = drafts[i - 1].start_ms if i else 0
        high = drafts[j].start_ms if j < len(drafts) else low
        high = max(high, low)
        for k in range(i, j):
            drafts[k].start_ms = low + (high - low) * (k - i + 1) // (j - i + 1)
            end = ends[k]
            ends[k] = None if end is not None and end < drafts[k].start_ms else end
        i = j


def _turn_name(line: str) -> str | None:
    """The speaker a line without a time names before its words (``Anna Smith: text``), when
    the label is a name (``is_label``, no discourse word) and words follow."""
    speaker, rest = speaker_and_text(line)
    if speaker is None or not rest or not is_label(speaker) or is_discourse(speaker):
        return None
    return speaker


def _untimed_turn_names(lines: list[str], speakers: set[str]) -> set[str]:
    """The names that open turns on lines without a time: those that do so twice or more, or
    are the file's speakers elsewhere (a name said once before a colon may be speech)."""
    counts = Counter(_turn_name(line) for line in lines if not timed_line(line))
    return {n for n, c in counts.items() if n is not None and (c >= 2 or n in speakers)}


def _untimed_turn_times(
    drafts: list[SegmentDraft], ends: list[int | None], untimed: set[int]
) -> None:
    """The start of each turn without a time of its own (``untimed``, by ``id``): the time
    between the timed segment above its run and the next timed one shared by their words
    (after the last timestamp: at ``WORDS_PER_SECOND``); after a segment whose end the file
    gives, from that end."""
    i = 0
    while i < len(drafts):
        if i == 0 or id(drafts[i]) not in untimed:
            i += 1
            continue
        j = i
        while j < len(drafts) and id(drafts[j]) in untimed:
            j += 1
        above = drafts[i - 1]
        ended = ends[i - 1]
        low = above.start_ms if ended is None else max(ended, above.start_ms)
        weights = [max(1, len(re.findall(r"\w+", d.text))) for d in drafts[i - 1 : j]]
        if ended is not None:
            weights[0] = 0  # its words are said before its end
        high = max(drafts[j].start_ms, low) if j < len(drafts) else None
        for k, at in enumerate(starts_by_words(low, high, weights), start=i):
            drafts[k].start_ms = at
        i = j


def _own_heading(lines: list[str]) -> tuple[str, str] | None:
    """The session's title and kind where the lines before the first timestamp are the heading
    FieldScribe's own txt export writes: the title, its date | place | kind ("Interview"), and
    the line naming the model. Read over without a note ("3 lines before the first timestamp
    were not imported: 'ref'"), the title and kind kept for a session made of the file."""
    if not 2 <= len(lines) <= 3 or not lines[0].strip():
        return None
    kinds = {label: kind for kind, label in KIND_LABELS.items()}
    kind = kinds.get(lines[1].split(" | ")[-1].strip())
    if kind is None or (len(lines) == 3 and not lines[2].startswith(MODEL_LINE_STARTS)):
        return None
    return lines[0].strip(), kind


def parse_timestamped_txt(text: str, original: str | None = None) -> ParsedTranscript:
    """``[hh:mm:ss] SPEAKER: text`` lines; untimed lines continue the previous segment.
    ``original``: the text as the file has it, where ``text`` has frame times rewritten."""
    if original is not None:
        return parse_lines(text.split("\n"), "timestamped-txt", original.split("\n"))
    return parse_lines(bare_minutes(text) or text.split("\n"), "timestamped-txt")

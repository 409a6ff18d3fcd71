"""Import transcripts made elsewhere into a session and align them to its audio.

Formats: noScribe HTML (``<p>`` paragraphs of ``<a name="ts_START_END_SPEAKER">`` anchors),
WebVTT (noScribe, YouTube and others; ``<v Speaker>`` voice tags), SubRip (srt), timestamped
text as aTrain, MAXQDA, f4transkript and Otter write it (``[hh:mm:ss] SPEAKER: text``; a
``Speaker 1  0:05`` heading over its text; lines without a timestamp continue the previous
one; an f4 end mark ``#hh:mm:ss-d#`` gives the end), Word documents (.docx) holding such
lines as paragraphs or table rows, and FieldScribe's own JSON export (``transcript_json``).
Text files may be UTF-8, UTF-16 or a legacy code page (Windows-1252, Windows-1251, KZ-1048,
KOI8-R), with any line ends.

Alignment: times must fall within the session's audio (a small tolerance is allowed and clamped);
a transcript that runs well past the end of the recording is refused as belonging to another
recording. Segments get origin "import". Everything is written in one transaction.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.errors import InUseError, InvalidInputError
from storage.core.languages import LANGUAGES, guess_language
from storage.transcript.transcript import SegmentDraft

from ._common import UNTRANSCRIBED_TEXT, decode_text, garbled
from .frame_times import frames_to_clock
from .text_lines import speaker_prefix
from .transcript_docx import docx_lines
from .transcript_json import looks_like_json, parse_json_segments
from .transcript_patterns import (
    LEAD_RANGE,
    MAX_TRANSCRIPT_BYTES,
    STAMP,
    STAMP_ALONE,
    is_label,
)

if TYPE_CHECKING:
    from storage.project import Project

TRANSCRIPT_IMPORT_FORMATS = (
    "auto", "noscribe-html", "vtt", "srt", "timestamped-txt", "docx", "json",
)  # fmt: skip
#: Times up to this far past the end of the audio are clamped; more is refused.
TOLERANCE_MS = 5000

#: a cue's times; without hours the minutes may pass 59 (``120:01.000``, as tools that leave
#: the hours out write a recording longer than an hour)
_CUE_CLOCK = r"(?:\d+:\d{1,2}|\d+):\d{2}[.,]\d{1,3}"
_VTT_TIME = re.compile(rf"^\s*({_CUE_CLOCK})\s*-->\s*({_CUE_CLOCK})")
_TXT_TS = re.compile(
    rf"^\s*(?:\[(?P<b>{STAMP})\]|\((?P<p>{STAMP})\)"
    r"|(?P<n>\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?)(?=\s))\s*(?:[-\u2013\u2014]\s+)?"
)
#: a heading of a speaker and a time, the text on the lines after it (``Speaker 1  0:05``)
#: (a name may be "Surname, Given", as MS Teams shows a company's accounts)
_HEADING = re.compile(
    r"^\s*(?P<speaker>[^\W\d_][\w.\-' ]{0,38}?(?:, [^\W\d_][\w.\-' ]{0,38}?)?)"
    rf"\s*[,:]?\s+[\[(]?(?P<t>{STAMP})[\])]?\s*$"
)
#: noScribe's paragraphs (also once opened in Word): ``S01: [00:00:00] text``
_SPEAKER_THEN_STAMP = re.compile(
    rf"^\s*(?P<speaker>[^\s:#\[\]()][^:\n]{{0,39}}?):\s*[\[(](?P<t>{STAMP})[\])]\s*"
)
#: Rev and others: ``Speaker 1 (00:05):`` with the text after it or on the lines below
_SPEAKER_STAMP_COLON = re.compile(
    rf"^\s*(?P<speaker>[^\s:#\[\]()][^:\n\[(]{{0,39}}?)\s*[\[(](?P<t>{STAMP})[\])]\s*:\s*"
)
_SPEAKER_ALONE = re.compile(r"^([^\s:#\[\]()][^:\n]{0,39}):\s*$")
_DASH = re.compile(r"^[-\u2013\u2014]\s+")
#: WhisperX's subtitles with speakers: ``[SPEAKER_00]: text``
_BRACKETED_SPEAKER = re.compile(r"^\[([^\[\]\n:]*[^\W_][^\[\]\n:]*)\]:[ \t]*")
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_ASS_TAGS = re.compile(r"\{\\[^}]*\}")
_SRT_HEAD = r"^\d+\s*\n\s*(?:\d+:)?\d{2}:\d{2}[,.]\d{3}\s*-->"
_KARAOKE = re.compile(r"<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>")
_F4_END = re.compile(r"\s*#(\d{1,2}):(\d{2}):(\d{2})(?:[-.,](\d{1,3}))?#\s*$")
_HTML_TS = re.compile(r"\s*\[\d{1,2}:\d{2}:\d{2}\]\s*")
#: markup in a cue: tags (``<i>``, ``</c>``, ``<v Anna>``, ``<c.red>``) and karaoke times; a
#: literal "<" in a SubRip cue ("x < y") is text
_TAGS = re.compile(r"</?(?:[A-Za-z][^<>]*|\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3})>")
_VTT_LANG = re.compile(r"<lang\s+([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\s*>")


@dataclass
class ParsedTranscript:
    """Segments read from a file, before alignment."""

    format: str
    drafts: list[SegmentDraft]
    notes: list[str] = field(default_factory=list)


@dataclass
class TranscriptImportResult:
    """What ``import_transcript`` wrote."""

    session_id: str
    format: str
    segments: int
    speakers: list[str]
    replaced: int
    clamped: int
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return dict(self.__dict__)


def parse_clock(text: str) -> int:
    """Parse ``[h:]mm:ss[.,fff]`` into milliseconds."""
    text = text.strip().replace(",", ".")
    main, _, frac = text.partition(".")
    parts = [int(p) for p in main.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts[-3:]
    ms = int(frac.ljust(3, "0")[:3]) if frac else 0
    return ((h * 60 + m) * 60 + s) * 1000 + ms


def detect_format(path: Path, text: str) -> str:
    """Guess the format of a transcript file from its name and content."""
    head = text.lstrip()[:4096]
    suffix = path.suffix.lower()
    if suffix == ".json" or looks_like_json(text):
        return "json"
    if (
        'name="ts_' in text
        or "name='ts_" in text
        or (suffix in (".html", ".htm") and "<a " in text)
    ):
        return "noscribe-html"
    if head.startswith("WEBVTT"):
        return "vtt"
    if suffix == ".srt" or re.search(_SRT_HEAD, head, re.M):
        return "srt"
    if suffix == ".vtt":
        return "vtt"
    if any(_timed_line(line) for line in head.splitlines()) or _bare_minutes(text):
        return "timestamped-txt"
    raise InvalidInputError(
        f"{path}: cannot tell the transcript format, and a transcript needs timestamps to be "
        "placed on the recording; give --format (noscribe-html, vtt, srt, timestamped-txt, json or "
        "docx)."
    )


def _timed_line(line: str) -> bool:
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


def _bare_minutes(text: str) -> list[str] | None:
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
        if _timed_line(line):
            return None
        match = _BARE_MINUTES.match(line)
        if match:
            found.append(parse_clock(match.group(1)))
            line = f"[{match.group(1)}] {line[match.end() :]}"
        out.append(line)
    if len(found) < 2 or any(b < a for a, b in itertools.pairwise(found)):
        return None
    return out


# ---------------------------------------------------------------------- noScribe html
class _NoScribeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_body = False
        self.paragraphs: list[list[dict[str, Any]]] = []
        self.current: list[dict[str, Any]] | None = None
        self.anchor: dict[str, Any] | None = None
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        elif tag in ("script", "style"):
            self.skip_depth += 1
        elif tag == "p" and self.in_body:
            self.current = []
        elif tag == "a" and self.current is not None:
            name = dict(attrs).get("name") or ""
            if name.startswith("ts_"):
                parts = name.split("_", 3)
                if len(parts) >= 3 and parts[1].isdigit() and parts[2].isdigit():
                    self.anchor = {
                        "start": int(parts[1]),
                        "end": int(parts[2]),
                        "speaker": parts[3] if len(parts) > 3 else "",
                        "text": "",
                    }
                    self.current.append(self.anchor)
        elif tag == "br" and self.anchor is not None:
            self.anchor["text"] += " "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip_depth:
            self.skip_depth -= 1
        elif tag == "a":
            self.anchor = None
        elif tag == "p" and self.current is not None:
            if self.current:
                self.paragraphs.append(self.current)
            self.current = None
            self.anchor = None

    def handle_data(self, data: str) -> None:
        if self.anchor is not None and not self.skip_depth:
            self.anchor["text"] += data


def parse_noscribe_html(text: str) -> ParsedTranscript:
    """One segment per ``<p>`` speaker turn, timed by its ``ts_`` anchors."""
    parser = _NoScribeParser()
    parser.feed(text)
    parser.close()
    drafts = []
    for para in parser.paragraphs:
        speaker = para[0]["speaker"].lstrip("/").strip() or None
        body = ""
        for anchor in para:  # noScribe starts each piece with a space; an edited file may not
            piece = anchor["text"]
            gap = body and piece and not body[-1].isspace() and not piece[0].isspace()
            body += (" " if gap else "") + piece
        body = re.sub(r"\s+", " ", body).strip()
        if speaker and body.startswith(f"{speaker}:"):
            body = body[len(speaker) + 1 :].lstrip()
        body = _HTML_TS.sub(" ", body, count=1).strip() if body.startswith("[") else body
        drafts.append(
            SegmentDraft(
                min(a["start"] for a in para),
                max(a["end"] for a in para),
                body,
                speaker=speaker,
                origin="import",
            )
        )
    return ParsedTranscript("noscribe-html", drafts)


# ---------------------------------------------------------------------- vtt / srt
def _cue_language(raw: str) -> str | None:
    """The language of a cue from its first ``<lang xx>`` (or ``<lang xx-YY>``) span, when
    FieldScribe knows the code."""
    match = _VTT_LANG.search(raw)
    if match is None:
        return None
    code = match.group(1).split("-")[0].lower()
    return code if code in LANGUAGES else None


def _clean_cue_line(line: str) -> str:
    """A cue line without markup: HTML-like tags (``<i>``, ``<c>``, ``<v>``, karaoke times
    ``<00:00:01.000>``), ASS override tags (``{\an8}``) and character references."""
    return html.unescape(_TAGS.sub("", _ASS_TAGS.sub("", line))).strip()


def _speaker_and_text(text: str) -> tuple[str | None, str]:
    """``NAME: text`` (also ``NAME:`` alone, and after a dialogue dash) -> (NAME, text)."""
    body = text.strip()
    dash = _DASH.match(body)
    if dash:
        body = body[dash.end() :]
    alone = _SPEAKER_ALONE.match(body)
    if alone and is_label(alone.group(1)):  # a heading line: the text follows below
        return alone.group(1).strip(), ""
    bracketed = _BRACKETED_SPEAKER.match(body)
    if bracketed and len(bracketed.group(1).split()) <= 4:
        return bracketed.group(1).strip(), body[bracketed.end() :].strip()
    speaker, n = speaker_prefix(body)
    if speaker is not None:
        return speaker, body[n:].strip()
    return None, text.strip() if not dash else body


def _cue_text(lines: list[str], vtt: bool) -> tuple[str | None, str, str | None]:
    raw = " ".join(line.strip() for line in lines if line.strip())
    speaker = None
    language = _cue_language(raw) if vtt else None
    if vtt:
        match = _VOICE.match(raw)
        if match:
            speaker = match.group(1).strip()
    if vtt:  # a second voice in the cue keeps its name in the text ("Hi Boris: Hello")
        lines = [_VOICE.sub(lambda m: _other_voice(m, speaker), line) for line in lines]
    cleaned = [c for c in (_clean_cue_line(line) for line in lines) if c]
    dashed = sum(1 for c in cleaned if _DASH.match(c))
    first_dash = _DASH.match(cleaned[0]) if cleaned else None
    if dashed == 1 and first_dash:  # one line with a dash: not a dialogue
        cleaned[0] = cleaned[0][first_dash.end() :]
    text = " ".join(cleaned)
    if speaker is None and cleaned:
        found, rest = _speaker_and_text(cleaned[0])
        if found is not None:
            speaker = found
            text = " ".join([rest, *cleaned[1:]]).strip()
    return speaker, text, language


def _other_voice(match: re.Match[str], speaker: str | None) -> str:
    name = match.group(1).strip()
    return "" if name == speaker else f"{name}: "


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of lines separated by blank ones."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def parse_cues(text: str, fmt: str) -> ParsedTranscript:
    """Parse WebVTT or SubRip cues.

    A cue is its timing line (settings after the times are ignored), the identifier on the line
    before it, and its text up to a blank line. WebVTT's header, NOTE, STYLE and REGION blocks
    are skipped; other lines outside a cue are joined to the cue before them and reported.
    Rolling captions (YouTube's automatic captions, karaoke times ``<00:00:01.000>``) repeat
    the previous cue's line: the repetition is dropped, a line said again is kept.
    """
    vtt = fmt == "vtt"
    lines = text.split("\n")
    timings = [i for i, line in enumerate(lines) if _VTT_TIME.match(line)]
    drafts: list[SegmentDraft] = []
    cue_lines: list[list[str]] = []
    notes: list[str] = []
    unplaced: list[str] = []
    joined = 0

    def header_start(t: int) -> int:
        """The cue identifier's line when the line before the timing holds one: a number in
        SubRip; in WebVTT any line that starts a block (else it is the text of the cue before,
        whose blank line is missing)."""
        before = lines[t - 1].strip() if t > 0 else ""
        starts_block = t < 2 or not lines[t - 2].strip()
        if before and t - 1 not in timings and (before.isdigit() or (vtt and starts_block)):
            return t - 1
        return t

    def outside(chunk: list[str]) -> None:
        nonlocal joined
        for block in _blocks(chunk):
            if vtt and block[0].lstrip().startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
                continue
            if not drafts:
                unplaced.extend(line.strip() for line in block)
                continue
            cue_lines[-1].extend(block)  # text after a blank line inside a cue
            drafts[-1].text = _cue_text(cue_lines[-1], vtt)[1]
            joined += len(block)

    outside(lines[: header_start(timings[0])] if timings else lines)
    for k, t in enumerate(timings):
        stop = header_start(timings[k + 1]) if k + 1 < len(timings) else len(lines)
        body_lines: list[str] = []
        i = t + 1
        while i < stop:
            line = lines[i]
            if line == "" or (not line.strip() and any(b.strip() for b in body_lines)):
                break
            body_lines.append(line)
            i += 1
        match = _VTT_TIME.match(lines[t])
        assert match is not None
        speaker, body, language = _cue_text(body_lines, vtt)
        drafts.append(
            SegmentDraft(
                parse_clock(match.group(1)),
                parse_clock(match.group(2)),
                body,
                speaker=speaker,
                origin="import",
                language=language,
            )
        )
        cue_lines.append(body_lines)
        outside(lines[i:stop])
    if (vtt and _KARAOKE.search(text)) or _rolling(drafts, cue_lines):
        drafts, repeated, carried = _drop_rolling_repeats(drafts, cue_lines)
        if repeated:
            notes.append(
                f"{repeated} cue(s) that only repeated the line before them (rolling captions) "
                "were left out"
            )
        elif carried:
            notes.append(
                f"{carried} line(s) that a cue repeated from the cue before it (rolling "
                "captions) were kept once, in the cue that said them first"
            )
    if joined:
        notes.append(f"{joined} line(s) after a blank line inside a cue were joined to that cue")
    if unplaced:
        notes.append(
            f"{len(unplaced)} line(s) before the first cue were not imported: {unplaced[0][:60]!r}"
        )
    return ParsedTranscript(fmt, drafts, notes)


#: a cue this short only shows again what the cue before it said (YouTube writes 10 ms)
_SNAPSHOT_MS = 50


def _rolling(drafts: list[SegmentDraft], cue_lines: list[list[str]]) -> bool:
    """Whether cues roll as YouTube's automatic captions do once their word timings are gone
    (converted to .srt, by yt-dlp for one): at least two cues of a few milliseconds show again
    only the last line of the cue before them, and the cue after them starts with that line,
    a new one under it; or, those short cues left out too, at least two cues and half of them
    start with the last line(s) of the cue before them and add one."""
    cues = [[clean for line in raw if (clean := _clean_cue_line(line))] for raw in cue_lines]
    snapshots = 0
    for i in range(1, len(cues) - 1):
        shown, before, after = cues[i], cues[i - 1], cues[i + 1]
        if (
            shown
            and drafts[i].end_ms - drafts[i].start_ms <= _SNAPSHOT_MS
            and before[-len(shown) :] == shown
            and len(after) > len(shown)
            and after[: len(shown)] == shown
        ):
            snapshots += 1
    # without the short cues (a converter dropped them): each cue starts with the line(s) the
    # cue before it ended with, a new line under them, and so do at least half of the cues
    carries = sum(
        1
        for before, shown in itertools.pairwise(cues)
        if any(shown[:n] == before[-n:] for n in range(1, min(len(shown) - 1, len(before)) + 1))
    )
    return snapshots >= 2 or (carries >= 2 and 2 * carries >= len(cues) - 1)


def _drop_rolling_repeats(
    drafts: list[SegmentDraft], cue_lines: list[list[str]]
) -> tuple[list[SegmentDraft], int, int]:
    """Rolling captions (YouTube) show the line before again above the new one, and show the
    new line alone once more in a cue of a few milliseconds: keep each line once, in the cue
    that speaks it. Returns the cues kept, the short cues left out and the lines carried over.

    The lines a cue carries over are those at its top that end the cue before it (timed word by
    word, a line is being spoken, not carried); a cue whose every line is carried over is a
    repeat only when it is that short, else the words were said again ("Да." twice).
    """
    kept: list[SegmentDraft] = []
    previous: list[str] = []
    repeated = lines_carried = 0
    for draft, raw in zip(drafts, cue_lines, strict=True):
        pairs = [(line, clean) for line in raw if (clean := _clean_cue_line(line))]
        cleaned = [clean for _line, clean in pairs]
        carried = 0
        for n in range(min(len(cleaned), len(previous)), 0, -1):
            if cleaned[:n] == previous[-n:] and not any(
                _KARAOKE.search(line) for line, _clean in pairs[:n]
            ):
                carried = n
                break
        if cleaned:
            previous = cleaned
        if carried == len(cleaned):
            if draft.end_ms - draft.start_ms <= _SNAPSHOT_MS:
                repeated += 1
                continue
            carried = 0  # said again, with a time of its own
        if carried:
            lines_carried += carried
            speaker, body = _speaker_and_text(" ".join(cleaned[carried:]))
            draft.text = body
            draft.speaker = draft.speaker or speaker
        kept.append(draft)
    return kept, repeated, lines_carried


# ---------------------------------------------------------------------- timestamped lines
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
    takes that line as its speaker when the same name stands so under another time or is a
    speaker elsewhere in the file (a name ending with ':' is read so already); otherwise the
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
        if len(found) >= 2 or name in speakers:
            names.append(name)
            for i in found:
                drafts[i].speaker = name
                drafts[i].text = " ".join(below[i][1:]).strip()
    return names


def parse_lines(lines: list[str], fmt: str) -> ParsedTranscript:
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
    """
    drafts: list[SegmentDraft] = []
    ends: list[int | None] = []
    skipped: list[str] = []
    headings: list[str | None] = []  # the line of a segment started by a heading or a time
    below: list[list[str]] = []  # the lines under each segment's first line
    spans_alone: set[int] = set()  # segments started by a time span with nothing after it

    def start(
        start_ms: int, speaker: str | None, body: str, end: int | None, heading: str | None = None
    ) -> None:
        drafts.append(SegmentDraft(start_ms, start_ms, body, speaker=speaker, origin="import"))
        ends.append(end)
        headings.append(heading)
        below.append([])

    for line in lines:
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
            speaker, body = _speaker_and_text(text[span.end() :])
            start(parse_clock(span.group("s")), speaker, body, end)
            if not body and speaker is None:
                spans_alone.add(len(drafts) - 1)  # Teams: the name, then the text, below it
            continue
        alone = STAMP_ALONE.match(text)
        heading = None if alone else _HEADING.match(text)
        if heading and not is_label(heading.group("speaker")):
            heading = None
        lead = None if alone or heading else _TXT_TS.match(text)
        named = None
        if not (alone or heading or lead):
            named = _SPEAKER_THEN_STAMP.match(text) or _SPEAKER_STAMP_COLON.match(text)
        if named and len(named.group("speaker").split()) > 4:
            named = None
        if alone:
            start(parse_clock(alone.group(1)), None, "", end, text)
        elif heading:
            speaker = heading.group("speaker").strip()
            start(parse_clock(heading.group("t")), speaker, "", end, text)
        elif named:
            speaker = named.group("speaker").strip()
            start(parse_clock(named.group("t")), speaker, text[named.end() :].strip(), end)
        elif lead:
            stamp = lead.group("b") or lead.group("p") or lead.group("n")
            speaker, body = _speaker_and_text(text[lead.end() :])
            start(parse_clock(stamp), speaker, body, end)
        elif end is not None and (
            not drafts or ends[-1] is not None or _speaker_and_text(text)[0] is not None
        ):  # f4transkript: the mark ends the paragraph, which starts where the last one ended
            speaker, body = _speaker_and_text(text)
            begin = (ends[-1] if ends[-1] is not None else drafts[-1].start_ms) if drafts else 0
            start(begin, speaker, body, end)
        elif drafts:
            last = drafts[-1]
            below[-1].append(text)
            if not last.text and last.speaker is None:
                last.speaker, text = _speaker_and_text(text)
            last.text = f"{last.text} {text}".strip()
            if end is not None:
                ends[-1] = end
        else:
            skipped.append(text)
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
    for i in range(1, len(drafts)):
        if i not in keep and ends[i - 1] is None and drafts[i].start_ms >= drafts[i - 1].start_ms:
            ends[i - 1] = drafts[i].start_ms
    drafts, ends = [drafts[i] for i in keep], [ends[i] for i in keep]
    for i, draft in enumerate(drafts):
        end = ends[i]
        if end is None and i + 1 < len(drafts):
            end = drafts[i + 1].start_ms
        draft.end_ms = max(draft.start_ms, end if end is not None else -1)
    notes = []
    if skipped and drafts:
        notes.append(
            f"{len(skipped)} line(s) before the first timestamp were not imported: "
            f"{skipped[0][:60]!r}"
        )
    if trint_names:
        notes.append(
            f"the line under a time was read as the speaker's name (Trint's layout): "
            f"{', '.join(trint_names[:5])}"
            + (f" and {len(trint_names) - 5} more" if len(trint_names) > 5 else "")
        )
    if empty:
        notes.append(
            f"{len(empty)} heading or time line(s) with no text under them were not imported: "
            f"{empty[0][:60]!r}"
        )
    result = ParsedTranscript(fmt, drafts, notes)
    result.notes += ["open-end"] if drafts and ends[-1] is None else []
    return result


def parse_timestamped_txt(text: str) -> ParsedTranscript:
    """``[hh:mm:ss] SPEAKER: text`` lines; untimed lines continue the previous segment."""
    return parse_lines(_bare_minutes(text) or text.split("\n"), "timestamped-txt")


# ---------------------------------------------------------------------- Word
def parse_docx(path: Path, data: bytes) -> ParsedTranscript:
    """A Word transcript: its paragraphs read as timestamped lines (frame times too)."""
    lines, frames = frames_to_clock(docx_lines(path, data))
    parsed = parse_lines(lines, "docx")
    parsed.format = "docx"
    parsed.notes += [frames] if frames else []
    return parsed


def parse_transcript(path: str | Path, fmt: str = "auto") -> ParsedTranscript:
    """Read a transcript file into segment drafts (nothing is written).

    Raises:
        InvalidInputError: unreadable, empty, binary, too large, unknown or malformed file.
    """
    path = Path(path).expanduser()
    if fmt not in TRANSCRIPT_IMPORT_FORMATS:
        raise InvalidInputError(
            f"Unknown transcript format {fmt!r}; use one of {', '.join(TRANSCRIPT_IMPORT_FORMATS)}."
        )
    try:
        size = path.stat().st_size
        if size > MAX_TRANSCRIPT_BYTES:
            raise InvalidInputError(f"{path}: larger than {MAX_TRANSCRIPT_BYTES} bytes; refused.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path}: a folder, not a transcript file.") from None
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc.strerror or exc}).") from None
    if not data.strip():
        raise InvalidInputError(f"{path}: the file is empty; nothing was imported.")
    is_zip = data.startswith(b"PK\x03\x04")
    if fmt == "docx" or (fmt == "auto" and (is_zip or path.suffix.lower() == ".docx")):
        if not is_zip:
            raise InvalidInputError(
                f"{path}: not a Word document (.docx){_kind_of(data)}; nothing was imported."
            )
        parsed = parse_docx(path, data)
        if not parsed.drafts:
            raise InvalidInputError(
                f"{path}: the Word document has no timestamps (such as [00:01:23] at the start "
                "of its paragraphs); a transcript needs them to be placed on the recording. "
                "Nothing was imported."
            )
        return parsed
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    kind = _kind_of(data) or _binary(text)
    if kind:
        raise InvalidInputError(f"{path}: not a text transcript{kind}; nothing was imported.")
    if not text.strip():
        raise InvalidInputError(f"{path}: the file is empty; nothing was imported.")
    # Premiere's and Transcriptive's frame times ([00:00:01:15]) as clock times
    converted, frames = frames_to_clock(text.split("\n"))
    if fmt == "auto":
        fmt = detect_format(path, "\n".join(converted) if frames else text)
    if fmt == "timestamped-txt" and frames:
        parsed = parse_timestamped_txt("\n".join(converted))
        parsed.notes.append(frames)
    elif fmt == "json":
        parsed = ParsedTranscript(format="json", drafts=parse_json_segments(str(path), text))
    elif fmt == "noscribe-html":
        parsed = parse_noscribe_html(text)
    elif fmt in ("vtt", "srt"):
        parsed = parse_cues(text, fmt)
    else:
        parsed = parse_timestamped_txt(text)
    if not parsed.drafts:
        raise InvalidInputError(
            f"{path}: no timed segments found as {fmt}; check the file or give --format."
        )
    return parsed


def _kind_of(data: bytes) -> str:
    """`` (a binary file: …)`` for a file that is no text, else ``""``."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return " (an old Word .doc or other Office file: save it as .docx in Word)"
    if data.startswith(b"%PDF"):
        return " (a PDF: export the transcript as .docx or text)"
    if data.startswith(b"PK\x03\x04"):
        return " (a zip archive)"
    return ""


def _binary(text: str) -> str:
    """`` (a binary file)`` when decoded text holds NUL or is ``garbled``."""
    return " (a binary file)" if "\x00" in text[:4096] or garbled(text) else ""


def import_transcript(
    project: Project,
    session_id: str,
    source: str | Path,
    *,
    fmt: str = "auto",
    replace: bool = False,
) -> TranscriptImportResult:
    """Import a transcript file into a session, aligned to the session's audio.

    Args:
        project: the open project.
        session_id: the session to fill.
        source: the transcript file.
        fmt: auto, noscribe-html, vtt, srt, timestamped-txt, docx or json (FieldScribe's own
            export).
        replace: delete the session's current segments first (refused if they are coded).

    Raises:
        InvalidInputError: bad file, timestamps beyond the audio, or the session already has a
            transcript and ``replace`` is False.
        InUseError: ``replace`` would delete coded segments.
        NotFoundError: unknown session.
    """
    path = Path(source).expanduser()
    session = project.sessions.get_session(session_id)
    parsed = parse_transcript(path, fmt)
    duration = session.duration_ms or None
    drafts = sorted(parsed.drafts, key=lambda d: (d.start_ms, d.end_ms))
    notes = [n for n in parsed.notes if n != "open-end"]
    clamped = 0
    if duration:
        latest = max(d.start_ms for d in drafts)
        if latest > duration + TOLERANCE_MS:
            raise InvalidInputError(
                f"{path}: a segment starts at {latest / 1000:.1f} s but the session's audio lasts "
                f"{duration / 1000:.1f} s; is this the transcript of another recording? "
                "Nothing was imported."
            )
        for d in drafts:
            if d.end_ms > duration or d.start_ms > duration:
                clamped += 1
                d.start_ms = min(d.start_ms, duration)
                d.end_ms = min(d.end_ms, duration)
        if "open-end" in parsed.notes and drafts[-1].end_ms <= drafts[-1].start_ms:
            drafts[-1].end_ms = duration
    expected = list(project.languages)
    timed = drafts[:-1] if "open-end" in parsed.notes else drafts  # the last: no end given
    backwards = sum(1 for d in timed if d.end_ms < d.start_ms)
    empty = 0
    for d in drafts:
        d.end_ms = max(d.end_ms, d.start_ms)
        d.origin = "import"
        if d.untranscribed and not d.text.strip():
            continue  # marked so in the file (FieldScribe's JSON), with the language heard
        if d.text.strip() == UNTRANSCRIBED_TEXT:  # FieldScribe's exports write it for one
            d.text, d.untranscribed, d.language = "", True, None
        elif not d.text.strip() and d.end_ms > d.start_ms:
            # a timed cue without text: speech the other tool left untranscribed, flagged to
            # play and type (an empty segment nobody would notice otherwise)
            d.text, d.untranscribed, d.language = "", True, None
            empty += 1
        elif d.language is None:  # the file did not say: what its letters leave among expected
            d.language = guess_language(d.text, expected)
    existing = project.transcript.segments(session_id)
    if existing and not replace:
        raise InvalidInputError(
            f"Session {session.title!r} already has {len(existing)} segments; use --replace to "
            "replace them. Nothing was imported."
        )
    if existing:
        coded = sum(1 for seg in existing if project.codebook.codings(segment_id=seg.id))
        if coded:
            raise InUseError(
                f"Session {session.title!r} has {coded} coded segment(s); replacing the "
                "transcript would delete their codings. Remove the codings first. Nothing was "
                "imported."
            )
    with project.transaction():
        for seg in existing:
            project.transcript.delete_segment(seg.id)
        project.transcript.add_segments(session_id, drafts)
    if clamped:
        notes.append(f"{clamped} segment time(s) past the end of the audio were clamped")
    if empty:
        notes.append(
            f"{empty} timed cue(s) without text: marked speech without transcript, to play and type"
        )
    if backwards:
        notes.append(
            f"{backwards} segment(s) ended before they started in the file: imported with no "
            "length at their start time (correct their end in the workbench)"
        )
    return TranscriptImportResult(
        session_id=session_id,
        format=parsed.format,
        segments=len(drafts),
        speakers=sorted({d.speaker for d in drafts if d.speaker}),
        replaced=len(existing),
        clamped=clamped,
        notes=notes,
    )

"""Import transcripts made elsewhere into a session and align them to its audio.

Formats: noScribe HTML (``<p>`` paragraphs of ``<a name="ts_START_END_SPEAKER">`` anchors),
WebVTT (noScribe and others; ``<v Speaker>`` voice tags), SubRip (srt), and timestamped text as
aTrain and MAXQDA write it (``[hh:mm:ss] SPEAKER: text``; lines without a timestamp continue
the previous one; an f4 end mark ``#hh:mm:ss-d#`` gives the end).

Alignment: times must fall within the session's audio (a small tolerance is allowed and clamped);
a transcript that runs well past the end of the recording is refused as belonging to another
recording. Segments get origin "import". Everything is written in one transaction.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.errors import InUseError, InvalidInputError
from storage.core.languages import LANGUAGES, guess_language
from storage.transcript.transcript import SegmentDraft

from ._common import decode_text
from .text_lines import speaker_prefix

if TYPE_CHECKING:
    from storage.project import Project

TRANSCRIPT_IMPORT_FORMATS = ("auto", "noscribe-html", "vtt", "srt", "timestamped-txt")
MAX_TRANSCRIPT_BYTES = 50 * 1024**2
#: Times up to this far past the end of the audio are clamped; more is refused.
TOLERANCE_MS = 5000

_VTT_TIME = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_TXT_TS = re.compile(
    r"^\s*(?:\[(?P<b>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\]"
    r"|\((?P<p>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\)"
    r"|(?P<n>\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?)(?=\s))\s*(?:-\s+)?"
)
_F4_END = re.compile(r"\s*#(\d{1,2}):(\d{2}):(\d{2})(?:[-.,](\d{1,3}))?#\s*$")
_HTML_TS = re.compile(r"\s*\[\d{1,2}:\d{2}:\d{2}\]\s*")
_TAGS = re.compile(r"<[^>]*>")
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
    if (
        'name="ts_' in text
        or "name='ts_" in text
        or (suffix in (".html", ".htm") and "<a " in text)
    ):
        return "noscribe-html"
    if head.startswith("WEBVTT"):
        return "vtt"
    if suffix == ".srt" or re.search(r"^\d+\s*\n\s*\d{2}:\d{2}:\d{2},\d{3}\s*-->", head, re.M):
        return "srt"
    if suffix == ".vtt":
        return "vtt"
    if any(_TXT_TS.match(line) for line in head.splitlines()):
        return "timestamped-txt"
    raise InvalidInputError(
        f"{path}: cannot tell the transcript format; give --format "
        "(noscribe-html, vtt, srt or timestamped-txt)."
    )


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
        body = "".join(a["text"] for a in para)
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


def _cue_text(lines: list[str], vtt: bool) -> tuple[str | None, str, str | None]:
    raw = " ".join(line.strip() for line in lines if line.strip())
    speaker = None
    language = None
    if vtt:
        match = re.match(r"^<v(?:\.[^ >]*)?\s+([^>]+)>", raw)
        if match:
            speaker = match.group(1).strip()
            raw = raw[match.end() :]
        language = _cue_language(raw)
    text = html.unescape(_TAGS.sub("", raw)).strip()
    if speaker is None:
        speaker, n = speaker_prefix(text)
        text = text[n:]
    return speaker, text, language


def parse_cues(text: str, fmt: str) -> ParsedTranscript:
    """Parse WebVTT or SubRip cues."""
    vtt = fmt == "vtt"
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    drafts, notes = [], []
    for block in blocks:
        lines = block.strip("\n").split("\n")
        if not lines or not lines[0].strip():
            continue
        if vtt and lines[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        idx = next((i for i, line in enumerate(lines[:3]) if _VTT_TIME.match(line)), None)
        if idx is None:
            notes.append(f"skipped a block without timing: {lines[0][:40]!r}")
            continue
        match = _VTT_TIME.match(lines[idx])
        assert match is not None
        speaker, body, language = _cue_text(lines[idx + 1 :], vtt)
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
    return ParsedTranscript(fmt, drafts, notes)


# ---------------------------------------------------------------------- timestamped txt
def parse_timestamped_txt(text: str) -> ParsedTranscript:
    """``[hh:mm:ss] SPEAKER: text`` lines; untimed lines continue the previous segment."""
    drafts: list[SegmentDraft] = []
    ends: list[int | None] = []
    skipped = 0
    for line in text.replace("\r\n", "\n").split("\n"):
        match = _TXT_TS.match(line)
        if not match:
            if line.strip() and drafts:
                drafts[-1].text = (drafts[-1].text + " " + line.strip()).strip()
            elif line.strip():
                skipped += 1
            continue
        stamp = match.group("b") or match.group("p") or match.group("n")
        rest = line[match.end() :]
        end = None
        tail = _F4_END.search(rest)
        if tail:
            end = parse_clock(f"{tail.group(1)}:{tail.group(2)}:{tail.group(3)}") + (
                int((tail.group(4) or "0")[:1]) * 100 if tail.group(4) else 0
            )
            rest = rest[: tail.start()]
        speaker, n = speaker_prefix(rest.strip())
        body = rest.strip()[n:].strip()
        start = parse_clock(stamp)
        drafts.append(SegmentDraft(start, start, body, speaker=speaker, origin="import"))
        ends.append(end)
    for i, draft in enumerate(drafts):
        end = ends[i]
        if end is None and i + 1 < len(drafts):
            end = drafts[i + 1].start_ms
        draft.end_ms = max(draft.start_ms, end if end is not None else -1)
    notes = [f"skipped {skipped} line(s) before the first timestamp"] if skipped else []
    result = ParsedTranscript("timestamped-txt", drafts, notes)
    result.notes += ["open-end"] if drafts and ends[-1] is None else []
    return result


def parse_transcript(path: str | Path, fmt: str = "auto") -> ParsedTranscript:
    """Read a transcript file into segment drafts (nothing is written).

    Raises:
        InvalidInputError: unreadable, empty, too large, unknown or malformed file.
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
        text = decode_text(path.read_bytes())
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file.") from None
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc.strerror or exc}).") from None
    if not text.strip():
        raise InvalidInputError(f"{path}: the file is empty; nothing was imported.")
    if fmt == "auto":
        fmt = detect_format(path, text)
    if fmt == "noscribe-html":
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
        fmt: auto, noscribe-html, vtt, srt or timestamped-txt.
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
    for d in drafts:
        d.end_ms = max(d.end_ms, d.start_ms)
        d.origin = "import"
        if d.language is None:  # the file did not say: what its letters leave among expected
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

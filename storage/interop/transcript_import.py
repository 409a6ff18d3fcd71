"""Import transcripts made elsewhere into a session and align them to its audio.

Formats: noScribe HTML (``<p>`` paragraphs of ``<a name="ts_START_END_SPEAKER">`` anchors),
WebVTT (noScribe, YouTube and others; ``<v Speaker>`` voice tags), SubRip (srt), timestamped
text as aTrain, MAXQDA, f4transkript and Otter write it (``[hh:mm:ss] SPEAKER: text``; a
``Speaker 1  0:05`` heading over its text; lines without a timestamp continue the previous
one; an f4 end mark ``#hh:mm:ss-d#`` gives the end), Word documents (.docx) holding such
lines as paragraphs or table rows, FieldScribe's own JSON export (``transcript_json``),
oTranscribe's .otr (``transcript_otr``), SubViewer .sbv (``transcript_sbv``) and a
spreadsheet's segments saved as CSV (``transcript_csv``).
Text files may be UTF-8, UTF-16 or a legacy code page (Windows-1252, Windows-1251, KZ-1048,
KOI8-R), with any line ends.

Alignment: times must fall within the session's audio (a small tolerance is allowed and clamped);
a transcript that runs well past the end of the recording is refused as belonging to another
recording. Segments get origin "import". Everything is written in one transaction.

The readers: ``transcript_cues`` (vtt, srt), ``transcript_noscribe`` (noScribe HTML),
``transcript_timed`` (timestamped lines, of text files and Word documents), ``transcript_docx``
(a Word document's lines), ``frame_times`` (video editors' frame times), ``transcript_json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.errors import FieldScribeError, InUseError, InvalidInputError
from storage.core.languages import guess_language
from storage.core.models import KIND_LABELS
from storage.core.names import name_key
from storage.core.words import plural, verb

from ._common import UNTRANSCRIBED_TEXT, decode_text, garbled
from .frame_times import count_frame_times, frames_to_clock
from .transcript_clock import (
    clock,
    looks_clock_timed,
    parse_starts_at,
    shift_to_start,
    zoom_name_start,
)
from .transcript_csv import csv_header, parse_csv
from .transcript_cues import CUE_ARROW, parse_cues
from .transcript_docx import docx_lines
from .transcript_json import looks_like_json, parse_json_segments
from .transcript_noscribe import parse_noscribe_html
from .transcript_otr import looks_like_otr, otr_lines
from .transcript_parsed import ParsedTranscript, visible_drafts, visible_text
from .transcript_patterns import MAX_TRANSCRIPT_BYTES, NUMBERED_LABEL, WORDS_PER_SECOND
from .transcript_pauses import drop_pauses
from .transcript_sbv import looks_like_sbv, sbv_as_srt
from .transcript_table import tab_separated_lines
from .transcript_timed import bare_minutes, parse_lines, parse_timestamped_txt, timed_line
from .transcript_unknown import unknown_speakers_dropped

if TYPE_CHECKING:
    from storage.project import Project

TRANSCRIPT_IMPORT_FORMATS = (
    "auto", "noscribe-html", "vtt", "srt", "sbv", "timestamped-txt", "docx", "json",
    "otranscribe", "csv",
)  # fmt: skip
#: Times up to this far past the end of the audio are clamped; more is refused.
TOLERANCE_MS = 5000
#: No recording lasts longer: a time past it is no time of a recording (a mistyped cell).
MAX_TIME_MS = 1000 * 3_600_000
#: The shortest such estimated length.
MIN_ESTIMATED_MS = 1000


def estimated_length_ms(text: str) -> int:
    """How long ``text`` takes to say, in milliseconds: its words (runs of letters or digits)
    at ``WORDS_PER_SECOND``, at least ``MIN_ESTIMATED_MS``."""
    words = len(re.findall(r"\w+", text))
    return max(MIN_ESTIMATED_MS, round(words / WORDS_PER_SECOND * 1000))


_SRT_HEAD = rf"^\d+\s*\n\s*(?:\d+:)?\d{{2}}:\d{{2}}[,.]\d{{3}}\s*{CUE_ARROW}"


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
    title: str | None = None  # the session's title as the file names it (our own txt)
    kind: str | None = None  # and its kind

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return dict(self.__dict__)

    def speakers_said(self) -> str:
        """The speakers as the report says them: "speakers: S00, Айгүл Б." (one full stop,
        however the last name ends)."""
        said = f"speakers: {', '.join(self.speakers) or 'none'}"
        return said if said.endswith(".") else said + "."


def detect_format(path: Path, text: str) -> str:
    """Guess the format of a transcript file from its name and content."""
    head = text.lstrip()[:4096]
    suffix = path.suffix.lower()
    if looks_like_otr(text, suffix):
        return "otranscribe"
    if suffix == ".otr":
        raise InvalidInputError(
            f"{path}: not an oTranscribe file that can be read (its JSON is cut or damaged: "
            "oTranscribe writes an object with the transcript's text); nothing was imported."
        )
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
    if suffix == ".sbv" or looks_like_sbv(head):
        return "sbv"
    if suffix == ".vtt":
        return "vtt"
    if any(timed_line(line) for line in head.splitlines()) or bare_minutes(text):
        return "timestamped-txt"
    raise InvalidInputError(
        f"{path}: cannot tell the transcript format, and a transcript needs timestamps to be "
        "placed on the recording; give --format (noscribe-html, vtt, srt, sbv, timestamped-txt, "
        "json, otranscribe, csv or docx)."
    )


# ---------------------------------------------------------------------- Word
def parse_docx(path: Path, data: bytes, fps: str | None = None) -> ParsedTranscript:
    """A Word transcript: its paragraphs read as timestamped lines (frame times too, at
    ``fps`` when given)."""
    written = docx_lines(path, data)
    lines, frames = _frames(path, written, fps)
    parsed = parse_lines(lines, "docx", written)
    parsed.format = "docx"
    parsed.notes += [frames] if frames else []
    return parsed


def parse_transcript(
    path: str | Path, fmt: str = "auto", fps: str | None = None
) -> ParsedTranscript:
    """Read a transcript file into segment drafts (nothing is written).

    ``fps``: the rate of the file's frame times (``HH:MM:SS:FF``), such as ``29.97`` or
    ``25``, when known (``frame_times``).

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
        parsed = parse_docx(path, data, fps)
        if not parsed.drafts:
            raise InvalidInputError(
                f"{path}: the Word document has no timestamps (such as [00:01:23] at the start "
                "of its paragraphs); a transcript needs them to be placed on the recording. "
                "Nothing was imported."
            )
        _within_any_recording(path, parsed)
        visible_drafts(parsed.drafts)
        return parsed
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    # no-break spaces and invisible marks (a &lrm; before a timestamp or a speaker's name) as
    # search and the readers expect them: spaces, and left out
    text = visible_text(text, collapse=False)
    kind = _kind_of(data) or _binary(text)
    if kind:
        raise InvalidInputError(f"{path}: not a text transcript{kind}; nothing was imported.")
    if not text.strip():
        raise InvalidInputError(f"{path}: the file is empty; nothing was imported.")
    # Premiere's and Transcriptive's frame times ([00:00:01:15]) as clock times
    converted, frames = _frames(path, text.split("\n"), fps)
    # NVivo's tab-separated lines (timespan, speaker, text in any order)
    if fmt == "auto" and (path.suffix.lower() == ".csv" or csv_header(text) is not None):
        fmt = "csv"  # a spreadsheet's rows under a header naming start and text
    tabbed = tab_separated_lines(converted) if fmt in ("auto", "timestamped-txt") else None
    if tabbed is not None:
        fmt = "timestamped-txt"
    if fmt == "auto":
        fmt = detect_format(path, "\n".join(converted) if frames else text)
    if fmt == "csv":
        parsed = parse_csv(text, str(path))
    elif tabbed is not None:
        parsed = parse_lines(tabbed, "timestamped-txt")
        parsed.notes += [frames] if frames else []
    elif fmt == "timestamped-txt" and frames:
        parsed = parse_timestamped_txt("\n".join(converted), text)
        parsed.notes.append(frames)
    elif fmt == "json":
        parsed = ParsedTranscript(format="json", drafts=parse_json_segments(str(path), text))
    elif fmt == "otranscribe":
        if not looks_like_otr(text, path.suffix):
            raise InvalidInputError(
                f"{path}: not an oTranscribe file (JSON whose text holds timestamps); nothing "
                "was imported."
            )
        lines, untimed = otr_lines(text)
        if not lines:
            raise InvalidInputError(
                f"{path}: the oTranscribe file holds no text (only empty lines); nothing was "
                "imported."
            )
        # timestamps typed as text ([01:23] or a bare 01:23), as older files hold them
        parsed = parse_lines(bare_minutes("\n".join(lines)) or lines, "otranscribe")
        parsed.notes[:0] = untimed
        if not parsed.drafts:
            raise InvalidInputError(
                f"{path}: the oTranscribe file has no timestamps (neither oTranscribe's own nor "
                "typed ones such as [01:23] at a line's start); a transcript needs them to be "
                "placed on the recording. Nothing was imported."
            )
    elif fmt == "noscribe-html":
        parsed = parse_noscribe_html(text)
        parsed.drafts = drop_pauses(parsed.drafts, parsed.notes)
    elif fmt in ("vtt", "srt", "sbv"):  # .sbv read as the SubRip cues it is written as
        parsed = parse_cues(sbv_as_srt(text) if fmt == "sbv" else text, fmt)
        parsed.drafts = drop_pauses(parsed.drafts, parsed.notes)
        unknown_speakers_dropped(parsed.drafts, parsed.notes)
    else:
        parsed = parse_timestamped_txt(text)
    if not parsed.drafts:
        raise InvalidInputError(
            f"{path}: no timed segments found as {fmt}; check the file or give --format."
        )
    _within_any_recording(path, parsed)
    visible_drafts(parsed.drafts)
    return parsed


def _within_any_recording(path: Path, parsed: ParsedTranscript) -> None:
    """Refuse a transcript with a time past any recording's length (``MAX_TIME_MS``): a
    spreadsheet's cell of 20 digits, a subtitle at 99999999999 hours (it was imported there,
    or failed with an overflow of the database's integers)."""
    late = next((d for d in parsed.drafts if max(d.start_ms, d.end_ms) > MAX_TIME_MS), None)
    if late is not None:
        raise InvalidInputError(
            f"{path}: a segment is timed at {max(late.start_ms, late.end_ms) / 3_600_000:,.0f} "
            f"hours ({late.text[:30]!r}), past any recording (at most "
            f"{MAX_TIME_MS // 3_600_000:,} hours); nothing was imported."
        )


def media_of(project: Project, session_id: str) -> list[Any]:
    """The session's recordings (``MediaFile``), none for a session without audio."""
    return list(project.sessions.media_for_session(session_id))


def first_time_ms(path: str | Path, fps: str | None = None) -> int | None:
    """The file's earliest time (milliseconds, as written: a time of day in Zoom's saved
    captions), so that a clock-timed file's start can be asked before the import; None for a
    file that cannot be read (the import then says why)."""
    try:
        return min(d.start_ms for d in parse_transcript(path, fps=fps).drafts)
    except (FieldScribeError, ValueError):
        return None


def frame_time_count(path: str | Path) -> int:
    """How many frame times (``HH:MM:SS:FF``) a transcript file (text or Word) gives where a
    time is read, so that their rate can be asked before the import (``parse_transcript``'s
    ``fps``); 0 for a file that cannot be read (the import then says why)."""
    path = Path(path).expanduser()
    try:
        if path.stat().st_size > MAX_TRANSCRIPT_BYTES:
            return 0
        data = path.read_bytes()
        if data.startswith(b"PK\x03\x04"):
            lines = docx_lines(path, data)
        else:
            lines = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    except (OSError, FieldScribeError):
        return 0
    return count_frame_times(lines)


def _frames(path: Path, lines: list[str], fps: str | None) -> tuple[list[str], str | None]:
    """``frames_to_clock``, its complaint about the file naming the file."""
    try:
        return frames_to_clock(lines, fps)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{path}: {exc}") from None


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


def import_transcript_as_session(
    project: Project,
    source: str | Path,
    *,
    title: str | None = None,
    kind: str | None = None,
    fmt: str = "auto",
    fps: str | None = None,
    starts_at: str | None = None,
) -> tuple[str, TranscriptImportResult]:
    """Make a new session, without audio, of a transcript file: text is enough to code (the
    recording may stay with whoever made it; File ▸ Locate missing audio… cannot add it later,
    Import audio… makes a session of its own).

    Args:
        project: the open project.
        source: the transcript file.
        title: the session's title (default: the file's name without its extension).
        kind: interview, focus_group or observation; None: chosen by the speakers
            (``kind_for_speakers``), and a note in the result says which and how to change it.
        fmt: as ``import_transcript``.
        fps: as ``import_transcript``.
        starts_at: as ``import_transcript``.

    Returns:
        The new session's id and what was imported.

    Raises:
        InvalidInputError: a bad file or kind: no session is made, nothing changes.
    """
    path = Path(source).expanduser()
    with project.transaction():  # a refused file leaves no empty session behind
        session = project.sessions.add_session(
            (title or "").strip() or path.stem, kind or "interview"
        )
        result = import_transcript(project, session.id, path, fmt=fmt, fps=fps, starts_at=starts_at)
        if not (title or "").strip() and result.title:  # our own export names its session
            project.sessions.update_session(session.id, title=result.title)
        if kind is None and result.kind is not None:  # as our own export names it
            project.sessions.update_session(session.id, kind=result.kind)
        elif kind is None:  # by its speakers: a focus group's transcript is no "Interview"
            chosen = kind_for_speakers(len(result.speakers))
            if chosen != session.kind:
                project.sessions.update_session(session.id, kind=chosen)
            label = KIND_LABELS[chosen].lower()
            named = len(result.speakers)
            result.notes.append(
                f"made {'an' if label[0] in 'aeiou' else 'a'} {label}: "
                + (f"{plural(named, 'speaker')} in the transcript" if named else "no speaker named")
                + " (another kind: Session details ▸ Kind, or --kind on the command line)"
            )
    return session.id, result


#: speakers from which a transcript alone is taken for a focus group (a moderator and two or
#: more participants); fewer make an interview
FOCUS_GROUP_SPEAKERS = 3


def _link_named_speakers(project: Project, session_id: str) -> list[str]:
    """Map a session's unmapped speakers named as a participant here (``name_key``: letter
    case and NFC aside) to that participant: a second transcript of "Ерлан Б." speaks of the
    same person. Returns the participants' names so linked."""
    people = {name_key(p.pseudonym): p for p in project.sessions.participants()}
    linked = []
    for speaker in project.sessions.session_speakers(session_id):
        person = people.get(name_key(speaker.label))
        if speaker.participant_id or person is None or NUMBERED_LABEL.match(speaker.label):
            continue
        project.sessions.map_speaker(session_id, speaker.label, person.id)
        linked.append(person.pseudonym)
    return linked


def kind_for_speakers(speakers: int) -> str:
    """The kind a researcher expects of a session with ``speakers`` speakers."""
    return "focus_group" if speakers >= FOCUS_GROUP_SPEAKERS else "interview"


def import_transcript(
    project: Project,
    session_id: str,
    source: str | Path,
    *,
    fmt: str = "auto",
    replace: bool = False,
    fps: str | None = None,
    starts_at: str | None = None,
) -> TranscriptImportResult:
    """Import a transcript file into a session, aligned to the session's audio.

    Args:
        project: the open project.
        session_id: the session to fill.
        source: the transcript file.
        fmt: auto, noscribe-html, vtt, srt, timestamped-txt, docx or json (FieldScribe's own
            export).
        replace: delete the session's current segments first (refused if they are coded).
        fps: the frame rate of the file's frame times (``HH:MM:SS:FF``), when known: 23.976,
            24, 25, 29.97, 30, 50, 59.94 or 60.
        starts_at: the clock time the recording began (``HH:MM:SS``), for a file timed by the
            time of day (Zoom's saved captions): each time less it (``transcript_clock``).

    Raises:
        InvalidInputError: bad file, timestamps beyond the audio, or the session already has a
            transcript and ``replace`` is False.
        InUseError: ``replace`` would delete coded segments.
        NotFoundError: unknown session.
    """
    path = Path(source).expanduser()
    session = project.sessions.get_session(session_id)
    parsed = parse_transcript(path, fmt, fps)
    duration = session.duration_ms or None
    drafts = sorted(parsed.drafts, key=lambda d: (d.start_ms, d.end_ms))
    notes = [n for n in parsed.notes if n != "open-end"]
    first = drafts[0].start_ms  # the file's own time of its first line
    if starts_at is not None:  # times of day: less the clock time the recording began
        begun = parse_starts_at(starts_at)
        shift = shift_to_start(str(path), drafts, begun)
        notes.append(
            f"the file's times are times of day: placed on a recording begun at {clock(begun)} "
            f"(the first line, at {clock(first)}, is {(first - shift) / 1000:,.1f} s in)"
        )
    clamped = 0
    if duration:
        latest = max(d.start_ms for d in drafts)
        if latest > duration + TOLERANCE_MS and starts_at is not None:
            raise InvalidInputError(
                f"{path}: with the recording begun at {clock(begun)}, a segment starts at "
                f"{latest / 1000:,.1f} s (at {clock(latest + shift)} in the file) but the "
                f"session's audio lasts {duration / 1000:,.1f} s; check the time the recording "
                "began (--starts-at). Nothing was imported."
            )
        if looks_clock_timed(first, duration, TOLERANCE_MS) and starts_at is None:
            named = zoom_name_start([m.original_name for m in media_of(project, session_id)])
            hint = f" ({named.said()}: --starts-at {named.local_clock()} if so)" if named else ""
            raise InvalidInputError(
                f"{path}: its times look like times of day (first {clock(first)}), past the end "
                f"of the session's audio ({duration / 1000:,.1f} s); give --starts-at with the "
                f"clock time the recording began{hint}. Nothing was imported."
            )
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
    elif starts_at is None and looks_clock_timed(first, 0, TOLERANCE_MS):
        notes.append(
            f"the first line is at {clock(first)}: if the file's times are times of day (Zoom's "
            "saved captions), import it again with the clock time the recording began "
            "(--starts-at HH:MM:SS)"
        )
    if not duration and "open-end" in parsed.notes and drafts[-1].end_ms <= drafts[-1].start_ms:
        last = drafts[-1]  # no audio to end it: as long as its words take to say
        if last.text.strip() and last.text.strip() != UNTRANSCRIBED_TEXT:
            last.end_ms = last.start_ms + estimated_length_ms(last.text)
            notes.append(
                f"the last line has no end in the file and the session no audio: it lasts "
                f"{(last.end_ms - last.start_ms) / 1000:.1f} s, estimated from its words "
                f"({WORDS_PER_SECOND:g} words a second)"
            )
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
            f"Session {session.title!r} already has {plural(len(existing), 'segment')}; use "
            f"--replace to replace {'it' if len(existing) == 1 else 'them'}. Nothing was imported."
        )
    if existing:
        coded = sum(1 for seg in existing if project.codebook.codings(segment_id=seg.id))
        if coded:
            raise InUseError(
                f"Session {session.title!r} has {plural(coded, 'coded segment')}; replacing the "
                f"transcript would delete {'its' if coded == 1 else 'their'} codings. Remove the "
                "codings first. Nothing was imported."
            )
    with project.transaction():
        for seg in existing:
            project.transcript.delete_segment(seg.id, removes_speech=False)  # replaced
        project.transcript.add_segments(session_id, drafts)
        linked = _link_named_speakers(project, session_id)
    if linked:
        n = len(linked)
        notes.append(
            f"{plural(n, 'speaker')} {verb(n, 'is', 'are')} named as a participant already in "
            f"the project ({', '.join(repr(name) for name in linked)}): linked to "
            f"{'that participant' if n == 1 else 'those participants'}, none added"
        )
    if clamped:
        notes.append(
            f"{plural(clamped, 'segment time')} past the end of the audio "
            f"{verb(clamped, 'was')} clamped"
        )
    if empty:
        notes.append(
            f"{plural(empty, 'timed cue')} without text: marked speech without transcript, to play "
            "and type"
        )
    if backwards:
        notes.append(
            f"{plural(backwards, 'segment')} ended before {'it' if backwards == 1 else 'they'} "
            "started in the file: imported with no length at "
            f"{'its' if backwards == 1 else 'their'} start time (correct "
            f"{'its' if backwards == 1 else 'their'} end in the workbench)"
        )
    return TranscriptImportResult(
        session_id=session_id,
        format=parsed.format,
        segments=len(drafts),
        speakers=sorted({d.speaker for d in drafts if d.speaker}),
        replaced=len(existing),
        clamped=clamped,
        notes=notes,
        title=parsed.title,
        kind=parsed.kind,
    )

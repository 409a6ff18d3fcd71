"""A transcript as a spreadsheet's rows saved as CSV: a header naming the columns (start, end,
speaker, text, language, in any order and in English, Russian or Kazakh) over one row per
segment, as a team keeps segments in Excel or LibreOffice and saves them.

Separated by commas, semicolons (Excel where the decimal mark is a comma: Russian, Kazakh,
German) or tabs; times in seconds (``4,5`` or ``4.5``; ``ms`` in the column's name:
milliseconds) or as clock times (``00:01:23,5``, ``1:23.5``); the text decoded as any
transcript (UTF-8 with or without its byte order mark, Windows-1251, …). The speaker column
is taken as it is (a colon in the text is what was said), and a language column's codes or
names (``ru``, ``Kazakh``, ``казахский``) are the segments' languages."""

from __future__ import annotations

import csv
import io
import re

from storage.core.errors import InvalidInputError
from storage.core.languages import UnknownLanguageError, check_language_code
from storage.core.words import plural, verb
from storage.transcript.transcript import SegmentDraft

from .transcript_parsed import ParsedTranscript, parse_clock

#: the column names each role is known by, lower case, without a unit in brackets
_ROLES = {
    "start": {
        "start", "begin", "from", "in", "start time", "starttime", "start_time", "time",
        "timestamp", "timecode", "начало", "время начала", "время", "старт", "с", "басы",
        "басталуы", "уақыт", "бастау",
    },
    "end": {
        "end", "stop", "to", "out", "end time", "endtime", "end_time", "конец", "окончание",
        "время окончания", "по", "соңы", "аяғы", "аяқталуы",
    },
    "speaker": {
        "speaker", "name", "who", "participant", "спикер", "говорящий", "участник", "имя",
        "кто", "сөйлеуші", "қатысушы", "аты",
    },
    "text": {
        "text", "content", "transcript", "transcription", "utterance", "текст", "содержание",
        "реплика", "расшифровка", "мәтін", "мазмұны",
    },
    "language": {"language", "lang", "язык", "тіл"},
}  # fmt: skip
_UNIT = re.compile(r"\s*[(\[](?P<unit>[^)\]]*)[)\]]\s*$|[\s_,]+(?P<bare>s|sec|seconds|ms)$")
_SECONDS = re.compile(r"^\d+(?:[.,]\d+)?$")
_CLOCK = re.compile(r"^(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?$")


def _role(cell: str) -> tuple[str | None, bool]:
    """A header cell's role and whether its unit is milliseconds (``start (ms)``,
    ``start_ms``)."""
    name = cell.strip().strip("\ufeff").casefold()
    unit = _UNIT.search(name)
    ms = False
    if unit:
        ms = (unit.group("unit") or unit.group("bare") or "").strip() in ("ms", "мс")
        name = name[: unit.start()].strip()
    return next((role for role, names in _ROLES.items() if name in names), None), ms


def csv_header(text: str) -> tuple[str, dict[str, int], set[str], int] | None:
    """The separator of a CSV of segments, its columns by role, those in milliseconds and how
    many columns the header names; None unless its first line names a start and a text
    column."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    for sep in (";", ",", "\t"):
        if sep not in first:
            continue
        cells = next(csv.reader([first], delimiter=sep))
        columns: dict[str, int] = {}
        in_ms: set[str] = set()
        for i, cell in enumerate(cells):
            role, ms = _role(cell)
            if role is not None and role not in columns:
                columns[role] = i
                in_ms |= {role} if ms else set()
        if "start" in columns and "text" in columns:
            return sep, columns, in_ms, len(cells)
    return None


def parse_csv(text: str, where: str) -> ParsedTranscript:
    """The segments of a CSV whose header ``csv_header`` reads; a time that is none is
    refused naming its row."""
    header = csv_header(text)
    if header is None:
        raise InvalidInputError(
            f"{where}: not a CSV of segments: its first line should name the columns, at least "
            "start and text (and end, speaker, language); nothing was imported."
        )
    sep, columns, in_ms, width = header
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff\n")), delimiter=sep))[1:]
    drafts: list[SegmentDraft] = []
    ends: list[int | None] = []
    blank = 0
    wide: list[int] = []  # rows with more cells than the header names
    unknown_languages: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            blank += 1
            continue

        def cell(role: str, row: list[str] = row) -> str:
            i = columns.get(role)
            return row[i].strip() if i is not None and i < len(row) else ""

        text = cell("text")
        if len(row) > width and any(c.strip() for c in row[width:]):
            if columns["text"] == width - 1:  # the text's separator not quoted: it goes on
                text = sep.join(row[width - 1 :]).strip()
            else:
                wide.append(number)
        start = _time(cell("start"), "start" in in_ms, where, number)
        if start is None:
            raise InvalidInputError(
                f"{where}: row {number} has no start time; a transcript needs one for each "
                "segment to place it on the recording. Nothing was imported."
            )
        end = _time(cell("end"), "end" in in_ms, where, number)
        language = None
        if cell("language"):
            try:
                language = check_language_code(cell("language"))
            except UnknownLanguageError:
                unknown_languages.add(cell("language"))
        drafts.append(
            SegmentDraft(
                start_ms=start,
                end_ms=start if end is None else end,
                text=" ".join(text.split()),
                speaker=" ".join(cell("speaker").split()) or None,
                language=language,
            )
        )
        ends.append(end)
    for i, draft in enumerate(drafts[:-1]):  # no end given: it ends where the next starts
        if ends[i] is None:
            draft.end_ms = max(draft.start_ms, drafts[i + 1].start_ms)
    notes = ["open-end"] if drafts and ends[-1] is None else []
    if unknown_languages:
        notes.append(
            f"the language column's {', '.join(sorted(unknown_languages))!s} "
            f"{verb(len(unknown_languages), 'is', 'are')} no language Whisper knows: "
            "told from the letters instead"
        )
    if wide:
        notes.append(
            f"{plural(len(wide), 'row')} (the first: row {wide[0]}) "
            f"{verb(len(wide), 'has', 'have')} more cells than the header names; those were "
            "not imported"
        )
    if blank:
        notes.append(f"{plural(blank, 'empty row')} left out")
    return ParsedTranscript(format="csv", drafts=drafts, notes=notes)


def _time(value: str, ms: bool, where: str, row: int) -> int | None:
    """A cell's time in milliseconds: seconds (``4,5``), milliseconds in a ``ms`` column, or a
    clock time (``00:01:23,5``); None when empty."""
    if not value:
        return None
    if _SECONDS.match(value):
        number = float(value.replace(",", "."))
        return round(number if ms else number * 1000)
    if _CLOCK.match(value):
        return parse_clock(value)
    raise InvalidInputError(
        f"{where}: row {row} has {value!r} for a time (seconds such as 4,5, or 00:01:23.5); "
        "nothing was imported."
    )

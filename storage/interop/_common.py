"""Small helpers shared by the import and export modules."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Any

from storage.core.ids import version_time
from storage.core.words import plural

QDA_NS = "urn:QDA-XML:project:1.0"
QDC_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "FieldScribe"

#: Namespace for FieldScribe's derived (uuid5) GUIDs.
_FIELDSCRIBE_NS = uuid.UUID("5b0f6a4e-3c1d-4f7e-9a55-0d7c2b8e6f11")

_GUID = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)


def derived_guid(*parts: str) -> str:
    """Return a stable UUID derived from ``parts`` (the same parts give the same GUID)."""
    return str(uuid.uuid5(_FIELDSCRIBE_NS, "\x1f".join(parts)))


def as_guid(value: str, *context: str) -> str:
    """Return ``value`` if it is a GUID, else a stable GUID derived from it and ``context``."""
    if _GUID.match(value):
        return value.strip("{}").lower()
    return derived_guid(*context, value)


def norm_guid(value: str | None) -> str | None:
    """Normalise a GUID read from a file: no braces, lower case."""
    if value is None:
        return None
    return value.strip().strip("{}").lower()


def xml_datetime(iso: str | None) -> str | None:
    """Turn our ISO timestamps into xsd:dateTime (``YYYY-MM-DDTHH:MM:SSZ``)."""
    if not iso:
        return None
    try:
        when = datetime.fromisoformat(version_time(iso).replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_from_xml(value: str | None) -> str | None:
    """Turn an xsd:dateTime into our ISO format with milliseconds, or None."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def quoted(text: str) -> str:
    """``text`` in quotes for a report line, as the file writes it: ``repr`` doubled each
    backslash of a Windows path ('C:\\\\Users\\\\anna\\\\a.wav' for C:\\Users\\anna\\a.wav)."""
    if not text.isprintable() or ("'" in text and '"' in text):
        return repr(text)
    return f"'{text}'" if "'" not in text else f'"{text}"'


def hms(ms: int, *, millis: bool = False, sep: str = ".") -> str:
    """Format milliseconds as ``HH:MM:SS`` (with ``sep`` and milliseconds on request)."""
    ms = max(0, int(ms))
    seconds, milli = divmod(ms, 1000)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    text = f"{hours:02d}:{minute:02d}:{sec:02d}"
    return f"{text}{sep}{milli:03d}" if millis else text


def segment_line(speaker: str | None, text: str) -> tuple[str, int]:
    """Return the transcript line of a segment and where its text starts in it."""
    clean = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    prefix = f"{speaker}: " if speaker else ""
    return prefix + clean, len(prefix)


#: the source variable that carries a session's segment languages in a .qdpx (REFI-QDA has no
#: place for a segment's language): Whisper codes, most spoken first, e.g. "ru, kk, en"
LANGUAGES_VARIABLE = "Languages"
#: in the Description of the ``LANGUAGES_VARIABLE`` definition: the languages the project
#: expects, in its order (a language no segment is in yet, German added for the next
#: recordings, has no other place in a .qdpx), read back by ``expected_languages``
EXPECTED_LANGUAGES_LABEL = "Languages the project expects (FieldScribe):"
_EXPECTED = re.compile(re.escape(EXPECTED_LANGUAGES_LABEL) + r"\s*([a-z, ]*)")


def languages_description(expected: list[str]) -> str:
    """The Description of the ``LANGUAGES_VARIABLE`` definition."""
    said = "The languages of the source's transcript (ISO 639-1), the most spoken first."
    return f"{said} {EXPECTED_LANGUAGES_LABEL} {', '.join(expected)}." if expected else said


def expected_languages(description: str | None) -> list[str]:
    """The codes ``languages_description`` wrote (none from another tool's text)."""
    found = _EXPECTED.search(description or "")
    if found is None:
        return []
    return [c.strip() for c in found.group(1).split(",") if c.strip()]


#: the source variable that carries each segment's language in a .qdpx of a recording whose
#: segments are not all in one language: a Text variable (REFI-QDA's own place for facts about
#: a source, which other tools show as an attribute and otherwise ignore), its value the
#: transcript's line numbers and their ISO 639-1 codes, e.g. "1-3 ru, 4 kk, 6 en; 6 lines"
#: (line 5: no language), read back by ``line_languages``
LINE_LANGUAGES_VARIABLE = "Segment languages"
LINE_LANGUAGES_DESCRIPTION = (
    "The language (ISO 639-1) of each line of the source's transcript, by line number "
    "(FieldScribe: one line per segment)."
)
_LINE_RUN = re.compile(r"(\d+)(?:-(\d+))? ([a-z]{2,3})")
_LINE_COUNT = re.compile(r"(\d+) lines?")


def line_languages_value(languages: list[str | None]) -> str:
    """The ``LINE_LANGUAGES_VARIABLE`` value of segments' languages, in order."""
    runs: list[list[Any]] = []  # [first line, last line, code]
    for number, code in enumerate(languages, 1):
        if code and runs and runs[-1][2] == code and runs[-1][1] == number - 1:
            runs[-1][1] = number
        elif code:
            runs.append([number, number, code])
    parts = [f"{a} {c}" if a == b else f"{a}-{b} {c}" for a, b, c in runs]
    return f"{', '.join(parts)}; {plural(len(languages), 'line')}"


def line_languages(value: str, count: int) -> list[str | None] | None:
    """Each of ``count`` lines' language from a ``LINE_LANGUAGES_VARIABLE`` value; None when the
    value is not one, or counts other lines (the transcript was edited elsewhere)."""
    runs, _, total = value.strip().rpartition(";")
    counted = _LINE_COUNT.fullmatch(total.strip())
    if not counted or int(counted.group(1)) != count:
        return None
    out: list[str | None] = [None] * count
    for part in runs.split(","):
        if not part.strip():
            continue
        run = _LINE_RUN.fullmatch(part.strip())
        if not run:
            return None
        first = int(run.group(1))
        last = int(run.group(2) or first)
        if not 1 <= first <= last <= count:
            return None
        out[first - 1 : last] = [run.group(3)] * (last - first + 1)
    return out


#: the text a "speech without transcript" segment is exported with (a blank line before), and
#: recognised by on import
UNTRANSCRIBED_TEXT = "[speech without transcript]"


#: characters XML 1.0 (and so .docx, .xlsx and QDA-XML) cannot hold: C0 controls but tab and
#: line ends, U+FFFE and U+FFFF, lone surrogates
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: of those, the ones that break a line: Word's line break (vertical tab), a page's end (form
#: feed: text from a PDF), the information separators
_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f")


def xml_safe(text: str) -> str:
    """``text`` as XML 1.0 can hold it, one character for one (positions stay): a vertical
    tab, form feed or separator a line break, another control character a space, a
    noncharacter or lone surrogate U+FFFD. Such text stopped a .docx export ("All strings
    must be XML compatible") and made a .qdpx no tool could read."""
    if not _NOT_XML.search(text):
        return text
    return _NOT_XML.sub(
        lambda m: "\n" if m.group() in _BREAKS else " " if m.group() < " " else "\ufffd", text
    )


def xml_safe_tree(root: Any) -> None:
    """Make every text, tail and attribute of an ElementTree ``xml_safe``."""
    for el in root.iter():
        if el.text:
            el.text = xml_safe(el.text)
        if el.tail:
            el.tail = xml_safe(el.tail)
        for key, value in el.attrib.items():
            el.set(key, xml_safe(value))


def decode_text(data: bytes) -> str:
    """A text file's bytes as text: UTF-32 with its byte order mark, UTF-16 (with its byte
    order mark, or without one, told by its NUL bytes), UTF-8 (with or without one, and with
    a few broken bytes, each one U+FFFD), else the legacy Windows/Unix code page whose reading
    looks most like words: Windows-1252 (Western), Windows-1251 (Russian), KZ-1048 (Kazakh),
    KOI8-R (older Russian Unix) or CP866 (Russian DOS, as older Windows tools save plain text
    "for MS-DOS")."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) and len(data) % 4 == 0:
        # UTF-32 (its mark read as UTF-16 gave a NUL between every two letters)
        try:
            return data.decode("utf-32")
        except UnicodeDecodeError:
            pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        if not garbled(text):  # else it began with "юя" or "ÿþ" in a code page
            return text
    head = data[: 4096 - 4096 % 2]
    if len(head) >= 8 and len(data) % 2 == 0:
        for high, low, codec in ((head[1::2], head[0::2], "utf-16-le"),
                                 (head[0::2], head[1::2], "utf-16-be")):  # fmt: skip
            # the high bytes: 0 (Latin) or a few blocks (4 for Cyrillic); the low ones no NUL
            counts = sorted((high.count(b) for b in set(high)), reverse=True)
            if 0 in high and 0 not in low and sum(counts[:2]) >= 0.95 * len(high):
                return data.decode(codec, errors="replace")
    if b"\x00" in data and len(data) % 2 == 0:
        # UTF-16 without a byte order mark (NVivo) whose letters come from more blocks
        # (Kazakh, emoji, dashes): text never holds NULs, UTF-16 does, in the high byte of
        # every Latin letter, digit, space and line break; strict, so binary data is not text
        nul_odd, nul_even = data[1::2].count(0), data[0::2].count(0)
        try:
            return data.decode("utf-16-le" if nul_odd >= nul_even else "utf-16-be")
        except UnicodeDecodeError:
            pass
    kept: str | None = None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # UTF-8 with a few broken bytes (a stray Windows-1252 dash, a cut sequence) stays
        # UTF-8, each broken byte one U+FFFD, so that every other character keeps its place
        # (a coding's offsets count on it); legacy text gives hardly any valid sequence
        text = data.decode("utf-8-sig", errors="replace")
        broken = text.count("\ufffd")
        if sum(1 for ch in text if ord(ch) > 127) - broken >= broken:
            kept = text  # a candidate: it wins when it reads as words at least as well
    best, best_score = "", None
    for codec in _LEGACY_CODECS:  # in order of preference: ties go to the first
        text = data.decode(codec, errors="replace")
        score = _word_score(text)
        if best_score is None or score > best_score:
            best, best_score = text, score
    if kept is not None and best_score is not None and _word_score(kept) >= best_score:
        return kept
    return best


def garbled(text: str) -> bool:
    """More than a tenth of the characters (of the first 4096) are unassigned, private,
    replaced or control ones: not text, or text read in the wrong encoding."""
    odd = sum(
        1
        for ch in text[:4096]
        if ch == "\ufffd"
        or unicodedata.category(ch) in ("Co", "Cn", "Cs")
        or not (ch.isprintable() or ch.isspace())
    )
    return odd * 10 > min(len(text), 4096)


_LEGACY_CODECS = ("cp1252", "cp1251", "kz1048", "koi8_r", "cp866")
#: the Cyrillic letters of Russian and Kazakh (others, such as Serbian Љ Њ Ћ or Ukrainian ґ,
#: are what a Kazakh file read as Windows-1251 shows)
_CYRILLIC_WORD_LETTERS = frozenset(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӘҒҚҢӨҰҮҺІ"
)
_WORD = re.compile(r"[^\W\d_]+")
_SIGN_IN_WORD = re.compile(
    r"[^\W\d_][\xa0\u00a4\u00a6\u00a7\u00a9\u00ac\u00ae\u00b0\u00b1\u00b6\u00b7\u00d7"
    r"\u00f7\u2116\u2219\u221a\u25a0]+(?=[^\W\d_])"
)


def _word_score(text: str) -> int:
    """How much a decoding looks like words: Cyrillic words in a usual case (lower, Title,
    UPPER) and Latin words with an accented letter count for it; words that mix Cyrillic and
    Latin, odd-case Cyrillic words (KOI8-R read as 1251) and words made only of accented
    letters (Russian read as 1252) count against it."""
    # box-drawing and block characters (KOI8-R's upper half) are not in a transcript: Kazakh
    # read as KOI8-R is upper-case words split by them ("ЮЮ╨ЮЮ" for "аағаа")
    score = -2 * sum(1 for ch in text if "\u2500" <= ch <= "\u259f")
    # a no-break space or a sign inside a word is a letter read in the wrong code page
    # (CP866's "а" is 0xA0, a no-break space in Windows code pages: "брабр" read as KZ-1048
    # is "Ұа\xa0Ұа"; Windows-1251's "ш" is CP866's "°": "аашаа" read so is "рр°рр", and
    # "аашшаа" "рр°°рр", a run of them); it outweighs the two words it splits one into
    score -= 3 * len(_SIGN_IN_WORD.findall(text))
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
        ascii_letters = sum(1 for ch in word if ch.isascii())
        if cyrillic == len(word):
            if not all(ch in _CYRILLIC_WORD_LETTERS for ch in word):
                score -= 1
            elif len(word) == 1:
                continue  # a one-letter word reads in any code page
            elif word.islower() or word[1:].islower():
                score += 2
            else:
                score += 1 if word.isupper() else -1
        elif cyrillic:
            score -= 2
        elif ascii_letters:
            score += 1
        elif len(word) > 1:
            score -= 1
    return score

"""Small helpers shared by the import and export modules."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

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
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
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
#: the text a "speech without transcript" segment is exported with (a blank line before), and
#: recognised by on import
UNTRANSCRIBED_TEXT = "[speech without transcript]"


def decode_text(data: bytes) -> str:
    """A text file's bytes as text: UTF-16 with its byte order mark (or without one, told by
    its NUL bytes), UTF-8 (with or without one, and with a few broken bytes), else Windows-1252
    (what older Windows tools write)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data and len(data) % 2 == 0:
        # UTF-16 without a byte order mark (NVivo): text never holds NULs, UTF-16 does, in
        # the high byte of every Latin letter, digit, space and line break
        odd = data[1::2].count(0)
        even = data[0::2].count(0)
        try:
            return data.decode("utf-16-le" if odd >= even else "utf-16-be")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few broken bytes (a stray Windows-1252 character, a cut sequence) stays
    # UTF-8, each broken byte one U+FFFD, so that every other character keeps its position;
    # a text with no valid multi-byte character at all is Windows-1252
    text = data.decode("utf-8-sig", errors="replace")
    broken = text.count("\ufffd")
    intact = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    if intact >= broken:
        return text
    return data.decode("cp1252", errors="replace")

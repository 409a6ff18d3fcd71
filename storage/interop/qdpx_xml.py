"""The XML pieces a REFI-QDA export (``qdpx_build``) writes with: QDA-XML element names,
GUIDs of row ids, and the media time of a position in a segment's text."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from storage.core.models import Segment

from ._common import QDA_NS, as_guid


def _g(row_id: str) -> str:
    """A row id as a GUID (our ids are UUIDs; anything else gets a stable derived GUID)."""
    return as_guid(row_id, "row")


VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v", ".wmv")
SESSION_VARIABLES = (
    ("kind", "Session kind"),
    ("date", "Session date"),
    ("place", "Session place"),
    ("moderator", "Session moderator"),
)


def _q(tag: str) -> str:
    return f"{{{QDA_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, **attrs: str | None) -> ET.Element:
    clean = {k: v for k, v in attrs.items() if v is not None}
    return ET.SubElement(parent, _q(tag), clean)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = _sub(parent, tag)
    el.text = text
    return el


def span_time(segment: Segment, cp: int) -> int:
    """Estimate the media time of code point ``cp`` in a segment's text."""
    if not segment.text:
        return segment.start_ms
    if segment.words:
        pos = 0
        for word in segment.words:
            if pos + len(word.text) > cp:
                return max(segment.start_ms, min(segment.end_ms, word.start_ms))
            pos += len(word.text)
        return segment.end_ms
    span = segment.end_ms - segment.start_ms
    return segment.start_ms + round(span * cp / len(segment.text))


def _clean(**attrs: str | None) -> dict[str, str]:
    return {k: v for k, v in attrs.items() if v is not None}

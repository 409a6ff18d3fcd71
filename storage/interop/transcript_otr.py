"""oTranscribe's own file (``.otr``): JSON whose ``text`` is the editor's HTML, each paragraph
opened by a timestamp ``<span class="timestamp" data-timestamp="6.5">00:06</span>``, or that
HTML saved as a page; read as the timestamped lines the transcript import reads
(``[00:00:06.500] Болат: ...``)."""

from __future__ import annotations

import html
import json
import re

#: a timestamp span: its exact time in seconds is the data attribute, the shown text is rounded
_STAMP = re.compile(
    r"<span\b[^>]*\bdata-timestamp\s*=\s*[\"']([0-9]+(?:\.[0-9]+)?)[\"'][^>]*>.*?</span>",
    re.S | re.I,
)
_BREAK = re.compile(r"<\s*(?:br|/p|/div|p|div)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def looks_like_otr(text: str) -> bool:
    """Whether ``text`` is an oTranscribe file: a JSON object whose HTML ``text`` holds
    timestamps, or such HTML itself."""
    if "data-timestamp" not in text:
        return False
    body = _body(text)
    return body is not None and _STAMP.search(body) is not None


def _body(text: str) -> str | None:
    """The editor's HTML of an oTranscribe file: the JSON's ``text``, or the text itself when
    it is no JSON; None for other JSON."""
    if not text.lstrip().startswith(("{", "[")):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return data["text"] if isinstance(data, dict) and isinstance(data.get("text"), str) else None


def otr_lines(text: str) -> list[str]:
    """The transcript lines of an oTranscribe file (``looks_like_otr``): each timestamp as
    ``[HH:MM:SS.mmm]``, paragraphs and line breaks as new lines, other markup dropped."""
    body = _body(text) or ""
    body = _STAMP.sub(lambda m: f"\n[{_clock(float(m.group(1)))}] ", body)
    body = _BREAK.sub("\n", body)
    lines = (html.unescape(_TAG.sub("", line)).replace("\xa0", " ") for line in body.split("\n"))
    return [" ".join(line.split()) for line in lines if line.strip()]


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

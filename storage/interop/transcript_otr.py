"""oTranscribe's own file (``.otr``): JSON whose ``text`` is the editor's HTML, each paragraph
opened by a timestamp ``<span class="timestamp" data-timestamp="6.5">00:06</span>``, or that
HTML saved as a page; read as the timestamped lines the transcript import reads
(``[00:00:06.500] Болат: ...``)."""

from __future__ import annotations

import html
import json
import re

from storage.core.words import plural, verb

from .transcript_untimed import starts_by_words

#: a timestamp span: its exact time in seconds is the data attribute, the shown text is rounded
_STAMP = re.compile(
    r"<span\b[^>]*\bdata-timestamp\s*=\s*[\"']([0-9]+(?:\.[0-9]+)?)[\"'][^>]*>.*?</span>",
    re.S | re.I,
)
_BREAK = re.compile(r"<\s*(?:br|/p|/div|p|div)\b[^>]*>", re.I)
#: a paragraph of the editor: Enter makes a ``<p>`` or a ``<div>`` (as the browser does it);
#: a ``<br>`` (Shift+Enter) breaks a line within one
_PARAGRAPH = re.compile(r"<\s*/?\s*(?:p|div)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def looks_like_otr(text: str, suffix: str = "") -> bool:
    """Whether ``text`` is an oTranscribe file: a JSON object whose HTML ``text`` holds
    timestamps, or such HTML itself; or, named ``.otr`` or carrying oTranscribe's ``media``
    beside its ``text``, a JSON object whose timestamps were typed as text (``[01:23]``, as
    older files hold them) or that holds none."""
    if "data-timestamp" in text:
        body = _body(text)
        if body is not None and _STAMP.search(body) is not None:
            return True
    data = _json(text)
    return (
        isinstance(data, dict)
        and isinstance(data.get("text"), str)
        and "segments" not in data
        and (suffix.lower() == ".otr" or "media" in data)
    )


def _json(text: str) -> object:
    if not text.lstrip().startswith("{"):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


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


def otr_lines(text: str) -> tuple[list[str], list[str]]:
    """The transcript lines of an oTranscribe file (``looks_like_otr``): each timestamp as
    ``[HH:MM:SS.mmm]``, paragraphs and line breaks as new lines, other markup dropped; and a
    note on the paragraphs with no timestamp.

    oTranscribe sets a timestamp where the typist asks for one, not on every paragraph; a
    paragraph with none after a timed one (the typist pressed Enter and went on) was said
    after the text before it: it becomes a segment of its own (it joined the one before),
    its time estimated between the timestamps around it by the words said before it since
    the last timestamp (after the last timestamp: at ``WORDS_PER_SECOND``;
    ``transcript_untimed``, as Google Meet's turns between timestamps). A paragraph
    under a timestamp that stands alone in its own is that timestamp's text."""
    paragraphs = [p for p in _PARAGRAPH.split(_body(text) or "") if _words(p) or _STAMP.search(p)]
    stamps = [[float(m.group(1)) for m in _STAMP.finditer(p)] for p in paragraphs]
    out: list[str] = []
    estimated = 0
    last, said, starts = None, [0], [0]  # the timed paragraph above, its run's words, starts
    for i, para in enumerate(paragraphs):
        if stamps[i]:
            last = i
            after = next((k for k in range(i + 1, len(paragraphs)) if stamps[k]), None)
            said = [_words(_STAMP.split(para)[-1])]
            said += [_words(paragraphs[k]) for k in range(i + 1, after or len(paragraphs))]
            high = None if after is None else _ms(stamps[after][0])
            starts = starts_by_words(_ms(stamps[i][-1]), high, said)
        if stamps[i] or last is None or not sum(said[: i - last]):
            # timed, before the first time, or the text under a timestamp alone in its
            # paragraph: as written
            out += _lines(para)
            continue
        estimated += 1
        lines = _lines(para)
        out += [f"[{_clock_ms(starts[i - last - 1])}] {lines[0]}", *lines[1:]]
    notes = []
    if estimated:
        notes.append(
            f"{plural(estimated, 'paragraph')} with no timestamp "
            f"{verb(estimated, 'was', 'were')} imported as "
            f"{verb(estimated, 'a segment of its', 'segments of their')} own after the text "
            f"before, {verb(estimated, 'its time', 'their times')} estimated from the "
            "timestamps around and the words between them"
        )
    return out, notes


def _lines(part: str) -> list[str]:
    """A piece of the editor's HTML as lines: timestamps bracketed, line breaks kept."""
    body = _STAMP.sub(lambda m: f"\n[{_clock(float(m.group(1)))}] ", part)
    body = _BREAK.sub("\n", body)
    lines = (html.unescape(_TAG.sub("", line)).replace("\xa0", " ") for line in body.split("\n"))
    return [" ".join(line.split()) for line in lines if line.strip()]


def _words(part: str) -> int:
    """The words in a piece of the editor's HTML, its timestamps not counted."""
    return len(re.findall(r"\w+", html.unescape(_TAG.sub(" ", _STAMP.sub(" ", part)))))


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _clock(seconds: float) -> str:
    return _clock_ms(_ms(seconds))


def _clock_ms(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

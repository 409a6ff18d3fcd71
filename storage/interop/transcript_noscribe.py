"""noScribe's HTML transcripts: ``<p>`` paragraphs of ``<a name="ts_START_END_SPEAKER">``
anchors."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from storage.transcript.transcript import SegmentDraft

from .transcript_parsed import ParsedTranscript

_STAMP = r"\[\d{1,2}:\d{2}:\d{2}\]"
_HTML_TS = re.compile(rf"\s*{_STAMP}\s*")
_ONLY_STAMP = re.compile(rf"\s*{_STAMP}\s*")


class _NoScribeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_body = False
        self.paragraphs: list[list[dict[str, Any]]] = []
        self.current: list[dict[str, Any]] | None = None
        self.anchor: dict[str, Any] | None = None
        self.skip_depth = 0
        self.span_depth = 0  # inside a <span>: noScribe writes its timestamps in one each

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
        elif tag == "span":
            self.span_depth += 1
        elif tag == "br" and self.anchor is not None:
            self.anchor["text"] += " "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip_depth:
            self.skip_depth -= 1
        elif tag == "span" and self.span_depth:
            self.span_depth -= 1
        elif tag == "a":
            self.anchor = None
        elif tag == "p" and self.current is not None:
            if self.current:
                self.paragraphs.append(self.current)
            self.current = None
            self.anchor = None

    def handle_data(self, data: str) -> None:
        # text after an anchor that holds none: Word and LibreOffice save noScribe's anchors
        # as empty bookmarks (<a name="ts_..."></a>text), the text after them (all of it was
        # lost); it belongs to the paragraph's last anchor
        anchor = self.anchor or (self.current[-1] if self.current else None)
        if anchor is not None and not self.skip_depth:
            if self.span_depth and _ONLY_STAMP.fullmatch(data):
                # a timestamp noScribe set in a turn (every minute or so, its option): markup,
                # not speech (the anchors time the text); it was left in the segment's text
                anchor["text"] += " "
                return
            anchor["text"] += data


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
        # "S01: text", or with noScribe's timestamps on "S01 [00:00:04]: text"
        label = speaker and re.match(rf"{re.escape(speaker)}(?:\s*{_STAMP})?\s*:", body)
        if label:
            body = body[label.end() :].lstrip()
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

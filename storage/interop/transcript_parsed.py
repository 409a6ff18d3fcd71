"""What the transcript readers share: a parsed transcript's segments and notes, clock times,
and a line's ``SPEAKER: text``."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from storage.transcript.transcript import SegmentDraft

from .text_lines import speaker_prefix
from .transcript_patterns import is_discourse, is_label

_SPEAKER_ALONE = re.compile(r"^([^\s:#\[\]()][^:\n]{0,39}):\s*$")
DASH = re.compile(r"^[-\u2013\u2014]\s+")
#: WhisperX's subtitles with speakers: ``[SPEAKER_00]: text``
_BRACKETED_SPEAKER = re.compile(r"^\[([^\[\]\n:]*[^\W_][^\[\]\n:]*)\]:[ \t]*")


@dataclass
class ParsedTranscript:
    """Segments read from a file, before alignment."""

    format: str
    drafts: list[SegmentDraft]
    notes: list[str] = field(default_factory=list)
    title: str | None = None  # the session's title, where the file names it (our own txt)
    kind: str | None = None  # and its kind (focus_group, interview, observation)


#: invisible format characters other tools leave in subtitles and transcripts (``&lrm;`` and
#: ``&rlm;`` of right-to-left subtitling, zero-width spaces and joiners, word joiners, a byte
#: order mark inside the text, soft hyphens, bidi embeddings and isolates): a word holding one
#: is not found by search for the word as typed
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
#: spaces that look like one: no-break (``&nbsp;``), narrow no-break, figure space
_SPACE_LIKE = re.compile("[\u00a0\u202f\u2007]")


def visible_text(text: str, *, collapse: bool = True) -> str:
    """``text`` as search finds it: a no-break space a space, invisible format characters
    gone (``_INVISIBLE``), but the zero-width joiner inside an emoji sequence (👩‍💻) kept;
    with ``collapse``, runs of spaces that made are one (a whole file's lines keep theirs:
    two spaces set a heading's time apart)."""
    if not _INVISIBLE.search(text) and not _SPACE_LIKE.search(text):
        return text
    out = _SPACE_LIKE.sub(" ", text)
    spaced = out
    out = _INVISIBLE.sub(
        lambda m: m.group() if m.group() == "\u200d" and _in_emoji(spaced, m.start()) else "",
        spaced,
    )
    return re.sub(" {2,}", " ", out) if collapse else out


def _in_emoji(text: str, i: int) -> bool:
    """Whether the joiner at ``i`` joins two pictographs (an emoji sequence: 👩‍💻)."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return (
        before in ("\ufe0f", "\u20e3")
        or unicodedata.category(before or " ") == "So"
        or (unicodedata.category(after or " ") == "So")
    )


def visible_drafts(drafts: list[SegmentDraft]) -> None:
    """Make every draft's text, speaker and words ``visible_text`` (marks that came as
    character references, ``&lrm;`` in HTML, or as JSON escapes), their letters composed (NFC:
    a file saved on macOS may hold "ё" as "е" and a combining mark, a real name then one the
    pseudonym review, comparing names as typed, never finds)."""
    for d in drafts:
        text = _nfc(visible_text(d.text))
        d.text = text.strip() if text != d.text else text
        if d.speaker:
            d.speaker = _nfc(visible_text(d.speaker)).strip() or None
        for w in d.words:
            w.text = _nfc(visible_text(w.text))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


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


def speaker_and_text(text: str) -> tuple[str | None, str]:
    """``NAME: text`` (also ``NAME:`` alone, and after a dialogue dash) -> (NAME, text)."""
    body = text.strip()
    dash = DASH.match(body)
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


def label_words(body: str, speaker: str | None, rest: str) -> str | None:
    """The words before the text that ``speaker_and_text`` took for a label (``"он сказал: "``,
    ``"Итак: "``) when the label is no name (a word in lower case: not ``is_label``; a
    discourse word: ``is_discourse``); else None."""
    full = body.strip()
    if speaker is None or not rest or not full.endswith(rest):
        return None
    if is_label(speaker) and not is_discourse(speaker):
        return None
    return full[: len(full) - len(rest)]


def give_back_labels(drafts: list[SegmentDraft], guessed: dict[int, str]) -> None:
    """Labels that are no name and speak once (``label_words``, by segment), and discourse
    words however often they stand so ("Итак: начнём"), were what was said: each goes back to
    the front of its segment's text, and the segment has no speaker."""
    said = Counter(d.speaker for d in drafts)
    for i, words in guessed.items():
        speaker = drafts[i].speaker
        if said[speaker] == 1 or (speaker is not None and is_discourse(speaker)):
            drafts[i].speaker, drafts[i].text = None, words + drafts[i].text

"""WebVTT and SubRip cues read as segments: voices, markup, languages, and rolling captions
(YouTube's) kept once."""

from __future__ import annotations

import html
import itertools
import re

from storage.core.languages import LANGUAGES
from storage.core.words import plural, verb
from storage.transcript.transcript import SegmentDraft

from .transcript_parsed import (
    DASH,
    ParsedTranscript,
    give_back_labels,
    label_words,
    parse_clock,
    speaker_and_text,
    visible_text,
)

#: a cue's times; without hours the minutes may pass 59 (``120:01.000``, as tools that leave
#: the hours out write a recording longer than an hour); without milliseconds too
#: (``00:01:05 --> 00:01:09``, as some converters write SubRip: such a file read "no timed
#: segments found")
_CUE_CLOCK = r"(?:\d+:\d{1,2}|\d+):\d{2}(?:[.,]\d{1,3})?"
#: the arrow between a cue's times, also as a file edited in Word has it (its AutoCorrect makes
#: "-->" an arrow "→" or "—>", an em dash) or as typed by hand ("->")
CUE_ARROW = r"(?:-->|->|[\u2013\u2014]-?>|[\u2192\u27f6])"
_VTT_TIME = re.compile(rf"^\s*({_CUE_CLOCK})\s*{CUE_ARROW}\s*({_CUE_CLOCK})")
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_ASS_TAGS = re.compile(r"\{\\[^}]*\}")
_KARAOKE = re.compile(r"<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>")
#: markup in a cue: tags (``<i>``, ``</c>``, ``<v Anna>``, ``<c.red>``) and karaoke times; a
#: literal "<" in a SubRip cue ("x < y") is text
_TAGS = re.compile(r"</?(?:[A-Za-z][^<>]*|\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3})>")
#: broadcast captions' change of speaker at a line's start (``>> Добрый вечер.``; ``>>>`` a
#: change of subject)
_TURN = re.compile(r"^>{2,3}\s*")
_VTT_LANG = re.compile(r"<lang\s+([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\s*>")


def _cue_language(raw: str) -> str | None:
    """The language of a cue from its first ``<lang xx>`` (or ``<lang xx-YY>``) span, when
    FieldScribe knows the code."""
    match = _VTT_LANG.search(raw)
    if match is None:
        return None
    code = match.group(1).split("-")[0].lower()
    return code if code in LANGUAGES else None


def _clean_cue_line(line: str) -> str:
    """A cue line without markup: HTML-like tags (``<i>``, ``<c>``, ``<v>``, karaoke times
    ``<00:00:01.000>``), ASS override tags (``{\an8}``) and character references (``&nbsp;``
    a space, ``&lrm;`` and other invisible marks left out: ``visible_text``)."""
    return visible_text(html.unescape(_TAGS.sub("", _ASS_TAGS.sub("", line)))).strip()


def _cue_text(lines: list[str], vtt: bool) -> tuple[str | None, str, str | None, str | None]:
    """A cue's speaker, text and language, and the words a label that is no name took from
    its text (``label_words``)."""
    raw = " ".join(line.strip() for line in lines if line.strip())
    speaker = None
    language = _cue_language(raw) if vtt else None
    if vtt:
        match = _VOICE.match(raw)
        if match:
            speaker = _voice_name(match)
    # a voice inside the cue is this voice again, or one with no words (``<v Bob>`` at the
    # end of a line): its tag is markup, its name never text (``_voices`` splits real turns)
    cleaned = [c for c in (_TURN.sub("", _clean_cue_line(line)) for line in lines) if c]
    dashed = sum(1 for c in cleaned if DASH.match(c))
    first_dash = DASH.match(cleaned[0]) if cleaned else None
    if dashed == 1 and first_dash:  # one line with a dash: not a dialogue
        cleaned[0] = cleaned[0][first_dash.end() :]
    text = " ".join(cleaned)
    words = None
    if speaker is None and cleaned:
        found, rest = speaker_and_text(cleaned[0])
        if found is not None:
            speaker = found
            text = " ".join([rest, *cleaned[1:]]).strip()
            words = label_words(cleaned[0], found, rest)
    return speaker, text, language, words


def _dialogue(lines: list[str], vtt: bool) -> list[tuple[str | None, list[str]]] | None:
    """A cue of two or more speakers' turns as ``(speaker, its raw lines)`` each: dialogue
    lines (``- Ерлан: …`` / ``- Айгүл: …``, or unnamed ``- Как дела?`` / ``- Хорошо.``: the
    subtitle convention for two speakers in one cue; a line without a dash continues the line
    above) or broadcast captions' ``>>`` lines (text before the first one continues the cue
    before: a turn of its own); a turn's speaker is its label's name, else None (unknown).
    None for any other cue: one turn, text before the first dash, a label alone on its line.
    In WebVTT, the voices of two or more speakers (``_voices``)."""
    if vtt and _VOICE.search(" ".join(lines)):
        return _voices(lines)
    parts: list[list[str]] = []
    for line in lines:
        cleaned = _clean_cue_line(line)
        if not cleaned:
            continue
        if _TURN.match(cleaned) or DASH.match(cleaned):
            parts.append([line])
        elif not parts and not any(_TURN.match(_clean_cue_line(x)) for x in lines):
            return None  # text before the first dash: no dialogue
        elif not parts:
            parts.append([line])  # said before the first ">>": the speaker before goes on
        else:
            parts[-1].append(line)
    if len(parts) < 2:
        return None
    turns: list[tuple[str | None, list[str]]] = []
    for part in parts:
        first = _TURN.sub("", _clean_cue_line(part[0]))
        speaker, rest = speaker_and_text(first)
        if speaker is not None and not rest and len(part) == 1:
            return None
        body = DASH.sub("", first, count=1)
        turns.append((None if label_words(body, speaker, rest) is not None else speaker, part))
    return turns


def _voices(lines: list[str]) -> list[tuple[str | None, list[str]]] | None:
    """A WebVTT cue whose voices change (``<v Esme>It's a blue apple tree!`` / ``<v Mary>No
    way!``, as the WebVTT standard shows a dialogue; or inside a line, ``Алдымен <v Ерлан
    Б.>сосын``) as ``(speaker, its lines)`` each: a line is split at each voice tag, text
    without a voice continuing the voice before it (text before the cue's first voice has
    none: None); None for a cue of one voice (one segment)."""
    parts: list[tuple[str | None, list[str]]] = []
    for line in lines:
        body = DASH.sub("", line.strip(), count=1)
        if not _clean_cue_line(body):
            continue
        cuts = sorted({0, *(m.start() for m in _VOICE.finditer(body))})
        pieces = [body[a:b] for a, b in itertools.pairwise([*cuts, len(body)])]
        for piece in [line] if len(pieces) == 1 else pieces:
            voice = _VOICE.match(DASH.sub("", piece.strip(), count=1))
            if not _clean_cue_line(piece):
                continue
            if voice is None:  # no voice of its own: the voice before it speaks on
                if not parts:
                    parts.append((None, []))
                parts[-1][1].append(piece)
            elif parts and parts[-1][0] == _voice_name(voice):
                parts[-1][1].append(piece)  # the same voice again: one turn
            else:
                parts.append((_voice_name(voice), [piece]))
    return parts if len(parts) >= 2 else None


def _shared_times(start: int, end: int, texts: list[str]) -> list[tuple[int, int]]:
    """``[start, end)`` shared among ``texts`` by their share of the letters (at least one
    each), in order, in whole milliseconds."""
    weights = [max(sum(ch.isalpha() for ch in t), 1) for t in texts]
    total, cum, out = sum(weights), 0, []
    at = start
    for w in weights:
        cum += w
        stop = start + round((end - start) * cum / total)
        out.append((at, stop))
        at = stop
    return out


def _voice_name(match: re.Match[str]) -> str:
    """The speaker of a voice tag. noScribe writes a speaker talking over another as
    ``<v //S02>//S02: Ja.``: the "//" marks the overlap in the text; the speaker is S02, as
    in the rest of the file. Character references are read (``<v Ерлан&nbsp;Б.>``)."""
    name = visible_text(html.unescape(match.group(1))).strip()
    return name.lstrip("/").strip() or name


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of lines separated by blank ones."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def parse_cues(text: str, fmt: str) -> ParsedTranscript:
    """Parse WebVTT or SubRip cues.

    A cue is its timing line (settings after the times are ignored), the identifier on the line
    before it, and its text up to a blank line. WebVTT's header, NOTE, STYLE and REGION blocks
    are skipped; other lines outside a cue are joined to the cue before them and reported.
    Rolling captions (YouTube's automatic captions, karaoke times ``<00:00:01.000>``) repeat
    the previous cue's line: the repetition is dropped, a line said again is kept.
    """
    vtt = fmt == "vtt"
    lines = text.split("\n")
    timings = [i for i, line in enumerate(lines) if _VTT_TIME.match(line)]
    timing_lines = set(timings)  # looked up once a cue (a list made 40,000 cues take 30 s)
    drafts: list[SegmentDraft] = []
    cue_lines: list[list[str]] = []
    notes: list[str] = []
    unplaced: list[str] = []
    joined = 0
    dialogues = 0  # cues of two or more named dialogue lines, split by speaker
    unreadable: list[str] = []  # lines with "-->" that are no cue's times ("00:01 --> xx")
    guessed: dict[int, str] = {}  # labels that are no name, by cue (``give_back_labels``)
    other_arrows = 0  # time lines with another arrow than "-->" ("→", "—>", "->")

    def header_start(t: int) -> int:
        """The cue identifier's line when the line before the timing holds one: a number in
        SubRip; in WebVTT any line that starts a block (else it is the text of the cue before,
        whose blank line is missing)."""
        before = lines[t - 1].strip() if t > 0 else ""
        starts_block = t < 2 or not lines[t - 2].strip()
        if before and t - 1 not in timing_lines and (before.isdigit() or (vtt and starts_block)):
            return t - 1
        return t

    def outside(chunk: list[str]) -> None:
        nonlocal joined
        for block in _blocks(chunk):
            if vtt and block[0].lstrip().startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
                continue
            if not drafts:
                unplaced.extend(line.strip() for line in block)
                continue
            unreadable.extend(line.strip() for line in block if "-->" in line)
            cue_lines[-1].extend(block)  # text after a blank line inside a cue
            drafts[-1].text = _cue_text(cue_lines[-1], vtt)[1]
            joined += len(block)

    outside(lines[: header_start(timings[0])] if timings else lines)
    for k, t in enumerate(timings):
        stop = header_start(timings[k + 1]) if k + 1 < len(timings) else len(lines)
        body_lines: list[str] = []
        i = t + 1
        while i < stop:
            line = lines[i]
            if line == "" or (not line.strip() and any(b.strip() for b in body_lines)):
                break
            body_lines.append(line)
            i += 1
        match = _VTT_TIME.match(lines[t])
        assert match is not None
        other_arrows += "-->" not in match.group(0)
        start, end = parse_clock(match.group(1)), parse_clock(match.group(2))
        dialogue = _dialogue(body_lines, vtt)
        if dialogue is not None:
            # one segment per speaker's line, the cue's time shared by their letters
            said = [_cue_text(part, vtt) for _speaker, part in dialogue]
            spans = _shared_times(start, end, [s[1] for s in said])
            for (part_start, part_end), (_, part), (spk, body, language, words) in zip(
                spans, dialogue, said, strict=True
            ):
                if words is not None:  # a label that is no name ("- Итак: начнём")
                    guessed[len(drafts)] = words
                drafts.append(
                    SegmentDraft(
                        part_start, part_end, body, speaker=spk, origin="import",
                        language=language,
                    )
                )  # fmt: skip
                cue_lines.append(part)
            dialogues += 1
            outside(lines[i:stop])
            continue
        speaker, body, language, words = _cue_text(body_lines, vtt)
        if words is not None:
            guessed[len(drafts)] = words
        drafts.append(
            SegmentDraft(
                start,
                end,
                body,
                speaker=speaker,
                origin="import",
                language=language,
            )
        )
        cue_lines.append(body_lines)
        outside(lines[i:stop])
    give_back_labels(drafts, guessed)
    if (vtt and _KARAOKE.search(text)) or _rolling(drafts, cue_lines):
        drafts, repeated, carried = _drop_rolling_repeats(drafts, cue_lines)
        if repeated:
            notes.append(
                f"{plural(repeated, 'cue')} that only repeated the line before "
                f"{'it' if repeated == 1 else 'them'} (rolling captions) "
                f"{verb(repeated, 'was')} left out"
            )
        elif carried:
            notes.append(
                f"{plural(carried, 'line')} that a cue repeated from the cue before it (rolling "
                f"captions) {verb(carried, 'was')} kept once, in the cue that said "
                f"{'it' if carried == 1 else 'them'} first"
            )
    if other_arrows:
        notes.append(
            f"{plural(other_arrows, 'time line')} with '→', '—>' or '->' for '-->' (as "
            f"Word's AutoCorrect or a hand writes it) {verb(other_arrows, 'was')} read as "
            f"{'a cue' if other_arrows == 1 else 'cues'}"
        )
    if dialogues:
        notes.append(
            f"{plural(dialogues, 'cue')} with a line for each of two or more speakers "
            "('- Name: …', '- …' or '>> …' turns, or WebVTT voices) became a segment per "
            "speaker (unknown where the line names none), the cue's time shared by the length "
            "of their lines"
        )
    if joined:
        notes.append(
            f"{plural(joined, 'line')} after a blank line inside a cue "
            f"{verb(joined, 'was')} joined to that cue"
            + (
                f", among them {plural(len(unreadable), 'time line')} that could not be read "
                f"(the first: {unreadable[0][:60]!r}), so a cue's number, time and text stand "
                "in the cue before: correct the time in the file and import it again"
                if unreadable
                else ""
            )
        )
    if unplaced:
        notes.append(
            f"{plural(len(unplaced), 'line')} before the first cue "
            f"{verb(len(unplaced), 'was')} not imported: {unplaced[0][:60]!r}"
        )
    return ParsedTranscript(fmt, drafts, notes)


#: a cue this short only shows again what the cue before it said (YouTube writes 10 ms)
_SNAPSHOT_MS = 50


def _rolling(drafts: list[SegmentDraft], cue_lines: list[list[str]]) -> bool:
    """Whether cues roll as YouTube's automatic captions do once their word timings are gone
    (converted to .srt, by yt-dlp for one): at least two cues of a few milliseconds show again
    only the last line of the cue before them, and the cue after them starts with that line,
    a new one under it; or, those short cues left out too, at least two cues and half of them
    start with the last line(s) of the cue before them and add one."""
    cues = [[clean for line in raw if (clean := _clean_cue_line(line))] for raw in cue_lines]
    snapshots = 0
    for i in range(1, len(cues) - 1):
        shown, before, after = cues[i], cues[i - 1], cues[i + 1]
        if (
            shown
            and drafts[i].end_ms - drafts[i].start_ms <= _SNAPSHOT_MS
            and before[-len(shown) :] == shown
            and len(after) > len(shown)
            and after[: len(shown)] == shown
        ):
            snapshots += 1
    # without the short cues (a converter dropped them): each cue starts with the line(s) the
    # cue before it ended with, a new line under them, and so do at least half of the cues
    carries = sum(
        1
        for before, shown in itertools.pairwise(cues)
        if any(shown[:n] == before[-n:] for n in range(1, min(len(shown) - 1, len(before)) + 1))
    )
    return snapshots >= 2 or (carries >= 2 and 2 * carries >= len(cues) - 1)


def _drop_rolling_repeats(
    drafts: list[SegmentDraft], cue_lines: list[list[str]]
) -> tuple[list[SegmentDraft], int, int]:
    """Rolling captions (YouTube) show the line before again above the new one, and show the
    new line alone once more in a cue of a few milliseconds: keep each line once, in the cue
    that speaks it. Returns the cues kept, the short cues left out and the lines carried over.

    The lines a cue carries over are those at its top that end the cue before it (timed word by
    word, a line is being spoken, not carried); a cue whose every line is carried over is a
    repeat only when it is that short, else the words were said again ("Да." twice).
    """
    kept: list[SegmentDraft] = []
    previous: list[str] = []
    repeated = lines_carried = 0
    for draft, raw in zip(drafts, cue_lines, strict=True):
        pairs = [(line, clean) for line in raw if (clean := _clean_cue_line(line))]
        cleaned = [clean for _line, clean in pairs]
        carried = 0
        for n in range(min(len(cleaned), len(previous)), 0, -1):
            if cleaned[:n] == previous[-n:] and not any(
                _KARAOKE.search(line) for line, _clean in pairs[:n]
            ):
                carried = n
                break
        if cleaned:
            previous = cleaned
        if carried == len(cleaned):
            if draft.end_ms - draft.start_ms <= _SNAPSHOT_MS:
                repeated += 1
                continue
            carried = 0  # said again, with a time of its own
        if carried:
            lines_carried += carried
            speaker, body = speaker_and_text(" ".join(cleaned[carried:]))
            draft.text = body
            draft.speaker = draft.speaker or speaker
        kept.append(draft)
    return kept, repeated, lines_carried

"""How a file's text positions count: code points (QDA-XML), or UTF-16 code units (two for a
character outside the Basic Multilingual Plane: an emoji, some CJK, as .NET and Windows tools
hold text), and a Windows line end as two characters or one (ATLAS.ti).

A selection's ``name`` often quotes its text's beginning (ATLAS.ti, MAXQDA, QualCoder): the
reading under which more names match their text, and fewer selections run past the text's end,
wins; without that evidence, the default (code points; line ends as the origin counts them).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ..qdpx_parse import QSelection
from ..text_lines import LineEnds

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def has_astral(text: str) -> bool:
    """Whether ``text`` holds a character outside the Basic Multilingual Plane."""
    return _ASTRAL.search(text) is not None


class Utf16:
    """Positions in UTF-16 code units of a text -> its code points (a position inside a
    surrogate pair: before the character)."""

    def __init__(self, text: str) -> None:
        # the UTF-16 offset of each character outside the BMP
        self._starts = [m.start() + n for n, m in enumerate(_ASTRAL.finditer(text))]

    def to_cp(self, pos: int) -> int:
        """A UTF-16 offset -> a code point offset."""
        return pos - bisect.bisect_left(self._starts, pos)


@dataclass(frozen=True)
class Reading:
    """One way of counting a file's positions, and how its positions become positions in the
    text with LF line breaks (``to_lf``)."""

    crlf_two: bool  # a Windows line end counts as two characters
    utf16: bool  # a character outside the BMP counts as two
    to_lf: Callable[[int], int]
    #: the text came in the XML, which reads each CRLF as LF: the positions count two
    xml_crlf: bool = False
    #: the file's byte order mark counts as the text's first character (a tool that read a
    #: file saved with one, such as Notepad's UTF-8, kept it in its text and counts it)
    bom: bool = False


def _words(text: str) -> str:
    return " ".join(text.split())


def _after_bom(to_lf: Callable[[int], int]) -> Callable[[int], int]:
    return lambda pos: to_lf(max(pos - 1, 0))


def readings(
    raw: str, lf_text: str, ends: LineEnds | None, *, in_xml: bool = False, bom: bool = False
) -> list[Reading]:
    """Every way the positions of ``raw`` (as read from the file; ``lf_text`` with its CRLF
    line ends as LF, ``ends`` between the two, None without CRLF) may be counted. A text
    ``in_xml`` (``PlainTextContent``) lost its CRs to the XML parser, which reads every line
    end as LF: a Windows tool's positions may still count two for each. A file that began
    with a byte order mark (``bom``, not in ``raw``) may count it as a character."""
    two = ends.to_lf if ends is not None else (lambda pos: pos)
    found = [Reading(True, False, two)]
    if ends is not None:
        found.append(Reading(False, False, lambda pos: pos))
    if has_astral(raw):
        units = Utf16(raw)
        found.append(Reading(True, True, lambda pos: two(units.to_cp(pos))))
        if ends is not None:
            found.append(Reading(False, True, Utf16(lf_text).to_cp))
    if in_xml and ends is None and "\n" in lf_text:
        lost = LineEnds(lf_text)  # a CR before every line break, as the tool had them
        crlf_text = lf_text.replace("\n", "\r\n")
        found.append(Reading(True, False, lost.to_lf, xml_crlf=True))
        if has_astral(raw):
            crlf_units = Utf16(crlf_text)
            found.append(Reading(True, True, lambda pos: lost.to_lf(crlf_units.to_cp(pos)), True))
    if bom:
        found += [
            Reading(r.crlf_two, r.utf16, _after_bom(r.to_lf), r.xml_crlf, True) for r in found
        ]
    return found


def best_reading(
    selections: list[QSelection], lf_text: str, candidates: list[Reading], default: Reading
) -> Reading:
    """The reading under which the most selection names quote their text (all of it, to the
    character, counts more than its beginning, words apart) and the fewest selections run past
    the text's end; ``default`` where none does better."""

    def score(reading: Reading) -> int:
        points = 0
        for sel in selections:
            if sel.start is None or sel.end is None:
                continue
            start, end = reading.to_lf(sel.start), reading.to_lf(sel.end)
            if max(start, end) > len(lf_text):
                points -= 1
                continue
            quote = _words((sel.name or "").rstrip(". …"))
            if len(quote) < 3:
                continue
            if lf_text[start:end] == sel.name:  # the whole text, to the character
                points += 2
            elif _words(lf_text[start:end]).startswith(quote):  # its beginning (ATLAS.ti)
                points += 1
        return points

    if len(candidates) == 1:
        return default
    scores = {id(r): score(r) for r in candidates}
    # ties: the reading nearest the default (the same characters, then the same line ends)
    best = max(
        candidates,
        key=lambda r: (
            scores[id(r)],
            r is default,
            r.bom == default.bom,  # the mark counted only where the names say so
            r.utf16 == default.utf16,  # UTF-16 units only where nothing else fits as well
            r.xml_crlf == default.xml_crlf,
            r.crlf_two == default.crlf_two,
        ),
    )
    return best if scores[id(best)] > scores[id(default)] else default


def composed(text: str, reading: Reading) -> tuple[str, Reading]:
    """``text`` in composed form (NFC) and ``reading`` counting on into it (``nfc_positions``).

    A file written on macOS may hold its letters decomposed (NFD: "ё" as "е" and a combining
    diaeresis, "й" as "и" and a breve), its positions counting both. FieldScribe keeps text
    composed, as it is typed and as Whisper writes it: a real name "Серёжа" decomposed was left
    in every export, since the pseudonym review, which compares names as typed, found none.
    """
    whole, at = nfc_positions(text)
    if whole is text:
        return text, reading
    to_lf = reading.to_lf
    return whole, dataclasses.replace(reading, to_lf=lambda pos: at(to_lf(pos)))


def nfc_positions(text: str) -> tuple[str, Callable[[int], int]]:
    """``text`` composed (NFC; ``text`` itself when it is so already) and a function from a
    position in ``text`` to the same place in the composed text (past the end: as far past)."""
    if unicodedata.is_normalized("NFC", text):
        return text, lambda pos: pos
    # a composed character forms within a run from one character that combines with nothing
    # before it to the next such: runs are composed one by one and counted
    starts = [0] + [i for i in range(1, len(text)) if _starter(text[i])]
    pieces = [
        unicodedata.normalize("NFC", text[a:b])
        for a, b in zip(starts, [*starts[1:], len(text)], strict=True)
    ]
    whole = unicodedata.normalize("NFC", text)

    def counted(inside: Callable[[int], int]) -> Callable[[int], int]:
        def at(pos: int) -> int:
            if pos >= len(text):  # at or past the end (a selection too long): as far past
                return len(whole) + pos - len(text)
            return inside(max(pos, 0))

        return at

    if "".join(pieces) != whole:  # composition across runs (Hangul, some Indic vowels)
        return whole, counted(lambda pos: len(unicodedata.normalize("NFC", text[:pos])))
    before = [0]
    for piece in pieces:
        before.append(before[-1] + len(piece))

    def in_runs(pos: int) -> int:
        run = bisect.bisect_right(starts, pos) - 1
        return before[run] + len(unicodedata.normalize("NFC", text[starts[run] : pos]))

    return whole, counted(in_runs)


def _starter(char: str) -> bool:
    return unicodedata.combining(char) == 0

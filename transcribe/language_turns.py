"""Which language each part of a stretch of talk is, from the languages Whisper heard in it:
turns of one language joined (``by_turns``), a short part heard otherwise than the sure parts
around it taking theirs (``settle_islands``), a language heard as its neighbour's taking the
group's (``by_votes``), and Russian between Kazakh read in Kazakh too (``islands_to_read``).
Pure functions over (part, language, strange) lists; ``identify`` calls them."""

from __future__ import annotations

from .guards import CYRILLIC_LANGUAGES
from .languages import OWN_LETTERS, confused_with
from .stream import SAMPLE_RATE

#: the most stretches heard in Russian in a row that Kazakh beside them has read in Kazakh too
#: (``islands_to_read``): a Kazakh utterance cut at its pauses, not a Russian answer
ISLAND_MAX = 3
#: a part shorter than this heard in another language than the parts told either side of it
#: in the same chunk is a name or a term said in their language ("Арчибальд Скайлс" inside a
#: Russian sentence was heard as English), not a turn: it takes their language
LID_ISLAND_S = 2.5


def islands_to_read(codes: list[str], allowed: list[str]) -> dict[tuple[str, str], list[int]]:
    """The stretches to read both in the language heard and in an expected language with
    letters of its own (Kazakh, ``OWN_LETTERS``), which decide (``letters_kept``), by (heard,
    own) languages (a stretch read in each language already is decided from those readings):

    - with several languages expected, a run of at most ``ISLAND_MAX`` stretches heard in a
      Cyrillic one (Russian) with the language with letters of its own on one side at least,
      and on the other that language, the batch's first or last stretch, or a language not
      written in Cyrillic (English, or none told): nothing beside the run is Russian. The real
      Kazakh "Алға қарай бес метр жүр тоқта" said after an English turn was heard as Russian
      (0.86, from the piece's frames) and written "Алгогорабейс метр Жиртохта." with the
      Kazakh rest of the utterance after it. Whisper ``base`` hears some
      Kazakh utterances as Russian at 0.96, as sure as it is of real Russian: the utterance of
      the real Kazakh speech (tests/data/kazakh) that it heard as Lithuanian the first time
      was "Russian" the second, between two Kazakh ones, and decoded in Russian it came out
      "Алгограй весь метр жив торта"; opening a recording before a Kazakh one, it came out
      "Ольга Грайбисмитр Жирторта", and at the end, after one, as two Russian stretches;
    - with only that language expected, every stretch heard in another: in a Kazakh project
      the same speaker's "Алға қарай бес метр жүр" was heard as Lithuanian (0.90) and written
      "Algagra į bismytržių tautą.".

    A Russian sentence said beside Kazakh ones, or in a Kazakh project, is read in Kazakh
    with few of Kazakh's letters (none in most real Russian sentences:
    ``bench/own_letters_bench.py``) or far less surely (real Russian -0.13, read in Kazakh
    -0.56), and an English one in a loop or a translation that Whisper is far less sure of than
    of the English: they keep their language."""
    out: dict[tuple[str, str], list[int]] = {}
    if len(allowed) == 1 and allowed[0] in OWN_LETTERS:
        for i, code in enumerate(codes):
            if code and code != allowed[0]:
                out.setdefault((code, allowed[0]), []).append(i)
        return out
    first = 0
    while first < len(codes):
        code, last = codes[first], first
        while last + 1 < len(codes) and codes[last + 1] == code:
            last += 1
        # the run's neighbours: None at the batch's edge
        sides = {codes[first - 1] if first > 0 else None}
        sides.add(codes[last + 1] if last + 1 < len(codes) else None)
        own = next((c for c in sides if c in OWN_LETTERS and c in allowed), None)
        if (
            own
            and not any(c in CYRILLIC_LANGUAGES for c in sides - {own, None})
            and code in CYRILLIC_LANGUAGES
            and code not in OWN_LETTERS
            and last - first < ISLAND_MAX
        ):
            out.setdefault((code, own), []).extend(range(first, last + 1))
        first = last + 1
    return out


def by_votes(found: list[str | None], votes: dict[str, float], expected: str) -> list[str | None]:
    """The languages told in a project that expects one (``expected``; "" in a project that
    expects none), each other than ``expected`` replaced by the language of its group
    (``CONFUSED``) that got the most of Whisper's belief over the batch's stretches
    (``votes``): Russian heard here as Ukrainian, there as Polish, is Russian throughout when
    Whisper mostly said Russian."""
    out: list[str | None] = []
    for code in found:
        group = [c for c in confused_with(code) if c in votes] if code and code != expected else []
        out.append(max(group, key=lambda c: votes[c]) if group else code)
    return out


def settle_islands(
    parts: list[tuple[dict[str, int], str | None, bool]],
) -> list[tuple[dict[str, int], str | None, bool]]:
    """The parts of a stretch of talk, where a short one (under ``LID_ISLAND_S``) is heard in
    another language than the one the nearest told parts before and after it share, and are
    sure of (neither strange): it takes theirs (and is no longer strange, its language now
    comes from them). Neighbours Whisper was unsure of impose nothing: espeak-ng's "Спасибо,
    что пришли", heard as Russian (0.97), lay between two stretches taken for English at a
    guess, and decoded in English it came out "Thank you very much.", a translation. Decided on
    the languages as heard, so the result does not depend on the order the parts are looked
    at."""
    told = [i for i, (_, code, _) in enumerate(parts) if code]
    out = list(parts)
    for before, i, after in zip(told, told[1:], told[2:], strict=False):
        part, code, _odd = parts[i]
        around = parts[before][1]
        short = part["end"] - part["start"] < LID_ISLAND_S * SAMPLE_RATE
        sure_around = not parts[before][2] and not parts[after][2]
        if short and sure_around and around == parts[after][1] and around != code:
            out[i] = (part, around, False)
    return out


def by_turns(
    chunk: dict[str, int], parts: list[tuple[dict[str, int], str | None, bool]]
) -> list[tuple[dict[str, int], str | None, bool]]:
    """A chunk of speech, or its turns where its parts are heard in different languages.

    ``parts``: the chunk's contiguous parts, each with its language (None: too short or unsure
    to tell; it goes with the turn it is in) and whether Whisper heard none of the expected
    languages in it. Consecutive parts in one language make a turn; a turn is "strange" when
    every part it was told from was. A chunk in one language stays whole.
    """
    turns: list[tuple[dict[str, int], str | None, list[bool]]] = []
    for part, code, odd in parts:
        if turns and (code is None or turns[-1][1] in (None, code)):
            span, was, odds = turns[-1]
            turns[-1] = (
                {"start": span["start"], "end": part["end"]},
                was or code,
                odds + ([odd] if code else []),
            )
        else:
            turns.append((dict(part), code, [odd] if code else []))
    if len(turns) == 1:
        return [(chunk, turns[0][1], bool(turns[0][2]) and all(turns[0][2]))]
    return [(span, code, bool(odds) and all(odds)) for span, code, odds in turns]

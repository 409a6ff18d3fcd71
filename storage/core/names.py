"""Names: when two code names are the same name (Unicode-normalised, NFC, letter case and
surrounding spaces aside), and file names shown readable (``readable_file_name``).

"й" typed as one character (NFC) and as "и" plus a combining breve (NFD: macOS file names, some
keyboards and tools) look the same and are the same name; so are "Trust" and "Trust " (stored
with the space by an older FieldScribe or another tool), and "Госуслуги" and "госуслуги",
"ҚЫЗМЕТ" and "қызмет" (Unicode case folding, ``str.casefold``, as NVivo and MAXQDA match code
names). Spaces inside a name and every other visible difference keep names apart. The codebook
stores new names in NFC without surrounding spaces and finds codes by ``name_key`` (the first
spelling stays); a merge and agreement compare code paths by ``path_key``.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

from storage.core.errors import InvalidInputError


def checked_name(kind: str, value: str) -> str:
    """``value`` without surrounding spaces; an empty one is refused (``kind`` names it:
    "The coder name")."""
    value = value.strip()
    if not value:
        raise InvalidInputError(f"{kind} must not be empty.")
    return value


def clean_name(name: str) -> str:
    """A name as the codebook stores it: NFC, without surrounding spaces."""
    return unicodedata.normalize("NFC", name).strip()


def name_key(name: str) -> str:
    """What two names must share to be the same name: the name as the codebook stores it,
    case-folded (``str.casefold``, in NFC)."""
    return unicodedata.normalize("NFC", clean_name(name).casefold())


# The highest code point with a letter case (Adlam, U+1E900-1E95F), and below it.
_CASED_BELOW = 0x1F000


@cache
def _spellings_of_folds() -> dict[str, tuple[str, ...]]:
    """Each case-folded text of one character (NFC) -> the characters that fold to it, itself
    included where it is one character ("к" -> ("К", "к"), "ss" -> ("ß", "ẞ"))."""
    spellings: dict[str, list[str]] = {}
    for point in range(_CASED_BELOW):
        char = chr(point)
        fold = unicodedata.normalize("NFC", char.casefold())
        if fold != char:
            spellings.setdefault(fold, [fold] if len(fold) == 1 else []).append(char)
    return {fold: tuple(chars) for fold, chars in spellings.items()}


@lru_cache(maxsize=4096)
def spelling_prefixes(name: str, most: int = 32) -> frozenset[str]:
    """The beginnings a stored name can have to share ``name_key`` with ``name``: every
    spelling, in NFC and NFD, of the key's first characters (at most 8), as many as keep the
    count at most ``most`` ("Код 1" -> "код 1", "Код 1", "КОД 1", "кОд 1", ...). The codebook
    reads the names in these index ranges (``Codebook._child``), not a whole level, and compares
    their keys."""
    key = name_key(name)
    found: set[str] = set()
    for form in {key, unicodedata.normalize("NFD", key)}:
        found |= _prefixes(form, most)
    return frozenset(found)


def _prefixes(key: str, most: int) -> set[str]:
    """The spellings of at least the first k characters of ``key``, k as large as keeps them
    at most ``most`` (up to 8); a character that folds to several ("ß" to "ss", "ﬅ" to "st")
    may reach past the k-th."""
    folds = _spellings_of_folds()
    end = min(len(key), 8)
    # at each place: (how many key characters, their spellings), one to three characters
    steps = [
        [
            (width, folds.get(key[at : at + width], (key[at],) if width == 1 else ()))
            for width in (1, 2, 3)
            if at + width <= len(key)
        ]
        for at in range(end)
    ]
    spelt: list[tuple[str, int]] = [("", 0)]  # (a spelling, how many key characters it spells)
    for chars in range(1, end + 1):
        longer = [item for item in spelt if item[1] >= chars]
        for text, at in spelt:
            if at < chars:
                longer += [(text + o, at + w) for w, options in steps[at] for o in options]
        if len(longer) > most:
            break
        spelt = longer
    return {text for text, _ in spelt}


def path_key(path: str) -> str:
    """``name_key`` of every name of a "Parent/Child" path, joined by '/'."""
    return "/".join(name_key(part) for part in path.split("/"))


def readable_file_name(name: str) -> str:
    """A file name as FieldScribe shows and stores it: valid Unicode text, in NFC.

    A name that is not UTF-8 on disk (copied from a Windows drive or a zip archive written in a
    Cyrillic code page) reaches Python with its bytes as surrogates, which SQLite and a UTF-8
    terminal refuse: three or more bytes, all Cyrillic letters in Windows-1251, are read as
    such; otherwise each such byte becomes U+FFFD. A name from macOS (NFD: "й" as "и" and a
    breve) becomes NFC, as it is typed.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
        high = [b for b in raw if b >= 0x80]
        # a word or more of А-я, Ё, ё in Windows-1251 (one such byte is as likely Latin-1 "é")
        if len(high) >= 3 and all(b >= 0xC0 or b in (0xA8, 0xB8) for b in high):
            name = raw.decode("cp1251")
        else:
            name = raw.decode("utf-8", "replace")
    return unicodedata.normalize("NFC", name)


#: Russian and Kazakh letters in the order their alphabets read (Russian's is a part of
#: Kazakh's): by code point, Kazakh's ә ғ қ ң ө ұ ү һ came after я and і before а
CYRILLIC_ORDER = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_CYRILLIC_RANK = {ch: chr(0xE000 + i) for i, ch in enumerate(CYRILLIC_ORDER)}


def name_order(name: str) -> str:
    """A key that sorts names as a reader of Russian or Kazakh expects: case aside (NFC,
    casefolded), "Әкімдік" after "Ақпарат" and before "Банк", "Іс-шара" after "Ырыс". Other
    letters keep their code points' order (Latin before Cyrillic)."""
    folded = unicodedata.normalize("NFC", name.casefold())
    return "".join(_CYRILLIC_RANK.get(ch, ch) for ch in folded)

"""Names: when two code names are the same name (Unicode-normalised, NFC, spaces aside), and
file names shown readable (``readable_file_name``).

"й" typed as one character (NFC) and as "и" plus a combining breve (NFD: macOS file names, some
keyboards and tools) look the same and are the same name; so are "Trust" and "Trust " (stored
with the space by an older FieldScribe or another tool). Case, spaces inside a name and every
other visible difference keep names apart. The codebook stores new names in NFC without
surrounding spaces and finds codes by ``name_key``; a merge and agreement compare code paths by
``path_key``.
"""

from __future__ import annotations

import unicodedata

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
    """What two names must share to be the same name: the name as the codebook stores it."""
    return clean_name(name)


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

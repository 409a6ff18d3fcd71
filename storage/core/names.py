"""When two code names are the same name: Unicode-normalised (NFC), spaces aside.

"й" typed as one character (NFC) and as "и" plus a combining breve (NFD: macOS file names, some
keyboards and tools) look the same and are the same name; so are "Trust" and "Trust " (stored
with the space by an older FieldScribe or another tool). Case, spaces inside a name and every
other visible difference keep names apart. The codebook stores new names in NFC without
surrounding spaces and finds codes by ``name_key``; a merge and agreement compare code paths by
``path_key``.
"""

from __future__ import annotations

import unicodedata


def clean_name(name: str) -> str:
    """A name as the codebook stores it: NFC, without surrounding spaces."""
    return unicodedata.normalize("NFC", name).strip()


def name_key(name: str) -> str:
    """What two names must share to be the same name: the name as the codebook stores it."""
    return clean_name(name)


def path_key(path: str) -> str:
    """``name_key`` of every name of a "Parent/Child" path, joined by '/'."""
    return "/".join(name_key(part) for part in path.split("/"))

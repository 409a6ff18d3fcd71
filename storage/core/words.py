"""Counts said in words, for every layer's messages: "1 segment", "3 segments", and the verb
that agrees with a count: "1 coding refers", "3 codings refer"; and a place in a recording as
a researcher reads it ("1:02", ``clock``)."""

from __future__ import annotations

# the verbs whose form for many is not the form for one less its "s" or "es"
_IRREGULAR = {"was": "were", "is": "are", "has": "have", "does": "do", "goes": "go"}
# "reaches" -> "reach", "passes" -> "pass", but "uses" -> "use", "differs" -> "differ"
_ES_ENDINGS = ("sses", "shes", "ches", "xes", "zzes", "oes")


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "segment")`` -> "1 segment", ``plural(3, "segment")`` -> "3 segments"."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def verb(n: int, one: str, many: str | None = None) -> str:
    """The verb (or phrase) that agrees with a count of ``n``, as ``plural`` counts the noun.

    ``verb(1, "was")`` -> "was", ``verb(3, "was")`` -> "were"; ``verb(2, "refers")`` ->
    "refer", ``verb(2, "reaches")`` -> "reach". A phrase whose other words change too gives
    its form for many: ``verb(n, "has its speaker", "have speakers")``.

    Args:
        n: how many things the verb speaks of (0 and 2 and more take the form for many).
        one: the verb for one thing, a single word unless ``many`` is given.
        many: the verb or phrase for any other count; by default made from ``one``.

    Returns:
        ``one`` for a count of 1, else the form for many.

    Raises:
        ValueError: ``many`` is left out and ``one`` is not a single verb ending in "s".
    """
    for_many = many if many is not None else _for_many(one)  # checked for every count
    return one if n == 1 else for_many


def _for_many(one: str) -> str:
    """The form for many of a verb written for one: "was" -> "were", "refers" -> "refer"."""
    low = one.lower()
    if low in _IRREGULAR:
        many = _IRREGULAR[low]
    elif not one.isalpha() or not low.endswith("s") or low.endswith("ss") or len(low) < 3:
        raise ValueError(f"{one!r} is not one verb for one thing: give its form for many too")
    elif low.endswith("ies") and len(low) > 4:
        many = low[:-3] + "y"
    elif low.endswith(_ES_ENDINGS):
        many = low[:-2]
    else:
        many = low[:-1]
    return many.capitalize() if one[0].isupper() else many


def clock(ms: int) -> str:
    """``ms`` into a recording as ``m:ss`` (``h:mm:ss`` from an hour; never negative)."""
    hours, rest = divmod(max(0, int(ms)) // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

"""Small formatting helpers shared by the views."""

from __future__ import annotations

import re
from pathlib import Path

from storage.core.ids import local_minute
from storage.core.words import clock
from storage.core.words import plural as plural  # the counts of every layer's messages
from storage.core.words import verb as verb  # and the verbs that agree with them
from storage.privacy.models import why_left_out

#: a time the project stores (UTC) in the computer's own time zone, to the minute
fmt_when = local_minute


def fmt_when_short(iso: str, today: str | None = None) -> str:
    """``fmt_when`` shortened for a narrow column: today's time alone ("11:58"), this year's
    without the year ("7 Dec 11:58"), an older one whole. ``today``: the local date as
    ``YYYY-MM-DD`` (default: now)."""
    from datetime import date

    whole = fmt_when(iso)
    day, _, clock = whole.partition(" ")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        return whole
    now = date.fromisoformat(today) if today else date.today()
    if when == now:
        return clock
    return f"{when.day} {when:%b} {clock}" if when.year == now.year else whole


def fmt_ms(ms: int | None, *, tenths: bool = False) -> str:
    """Format milliseconds as ``m:ss`` or ``h:mm:ss`` (optionally with tenths)."""
    if ms is None:
        return ""
    ms = max(0, int(ms))
    text = clock(ms)
    if tenths:
        text += f".{ms % 1000 // 100}"
    return text


def fmt_eta(seconds: float | None) -> str:
    """Format an estimated remaining time for a status line."""
    if seconds is None:
        return ""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s left"
    return f"{seconds // 60} min {seconds % 60:02d} s left"


def them(n: int) -> str:
    """The pronoun for ``n`` things: "it" for one, "them" for several."""
    return "it" if n == 1 else "them"


def timestamp_tag(ms: int) -> str:
    """The text inserted by "insert timestamp": ``[h:mm:ss.t]`` / ``[m:ss.t]``."""
    return f"[{fmt_ms(ms, tenths=True)}]"


_NOT_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


#: the most bytes (UTF-8) of a name offered for a file: systems take 255 (a Cyrillic or Kazakh
#: letter is two), and an export is written first as ".NAME.part" beside it
MOST_NAME_BYTES = 200


def file_name(name: str) -> str:
    """A title as a file name every system takes: the characters Windows refuses (``:`` of
    "Demo: focus group", ``/``, ``?``...) become "-", no trailing dot or space, and a long
    title cut to ``MOST_NAME_BYTES`` (its ending kept): a session titled in 130 Kazakh letters
    was offered a name the export could not write ("File name too long")."""
    cleaned = _NOT_IN_FILE_NAMES.sub("-", name).strip()
    stem, dot, suffix = cleaned.rpartition(".")
    if not (dot and suffix and stem.rstrip(" .")) or len(suffix.encode()) > 16:
        stem, suffix = cleaned, ""  # no ending, or a dot of the title's own
    ending = f".{suffix}" if suffix else ""
    room = MOST_NAME_BYTES - len(ending.encode())
    if len(stem.encode()) > room:  # whole characters only
        stem = stem.encode()[:room].decode(errors="ignore")
    stem = stem.rstrip(" .")
    return f"{stem}{ending}" if stem else "export"


def wrote_codings(
    path: Path, kept: int, total: int, what: str = "coding", *, unlabelled: int = 0
) -> str:
    """ "Wrote 5 of 8 codings to F.xlsx: 3 left out, their …" (or "Wrote 8 codings …");
    ``unlabelled``: how many of those left out are (of) segments without a speaker."""
    if kept == total:
        return f"Wrote {plural(kept, what)} to {path.name}."
    left = total - kept
    why = why_left_out(left - unlabelled, unlabelled)
    fix = fix_consent(unlabelled)
    return f"Wrote {kept} of {plural(total, what)} to {path.name}: {left} left out{why} ({fix})."


def fix_consent(unlabelled: int) -> str:
    """What to do so that an export of only consented participants keeps more: link speakers
    and record consent; where segments without a speaker were left out, give them one first."""
    if unlabelled:
        return "Detect speakers… or Edit ▸ Change speaker…, Ethics ▸ Consent"
    return "link them in Session details, record consent in Ethics ▸ Consent"

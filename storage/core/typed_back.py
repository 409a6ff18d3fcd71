"""Where an edit typed a flagged coding's words back into its segment.

A span coding whose words were deleted stays on its segment, flagged, its memo quoting the
words and where they stood (``storage.core.anchors.flag_lost``). When a later edit of the text
(a person typing, or a conflict resolved to a coder's text) brings those very words back, the
coding gets its span back on them. Only words the edit put there count, never words the text
held already (they are other words, coded or not), and only whole words; of several such
places, the one nearest the place the flag records.

Nothing here touches the database.
"""

from __future__ import annotations

import re

from storage.core.anchors import TextDiff, inside_word

_WORD = re.compile(r"\w", re.UNICODE)


def _typed(diff: TextDiff, start: int, end: int) -> bool:
    """Whether any letter of ``[start, end)`` of the new text is one the edit typed (not a
    letter the old text had there: those words were in the text before the edit)."""
    for tag, _i1, _i2, j1, j2 in diff.opcodes:
        if tag == "equal" or j2 <= start or j1 >= end:
            continue
        lo, hi = max(j1, start), min(j2, end)
        if _WORD.search(diff.new, lo, hi):
            return True
    return False


def typed_back(diff: TextDiff, words: str, near: int) -> tuple[int, int] | None:
    """The place ``[start, end)`` in ``diff.new`` where the edit typed ``words`` (whole words,
    at least one of their letters typed by this edit), nearest to ``near``; None when the edit
    did not type them."""
    if not words or not _WORD.search(words):
        return None
    found: list[tuple[int, int]] = []
    at = diff.new.find(words)
    while at >= 0:
        end = at + len(words)
        if (
            not inside_word(diff.new, at)
            and not inside_word(diff.new, end)
            and _typed(diff, at, end)
        ):
            found.append((at, end))
        at = diff.new.find(words, at + 1)
    if not found:
        return None
    return min(found, key=lambda span: (abs(span[0] - near), span[0]))

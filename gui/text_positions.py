"""Text positions: Qt counts UTF-16 units, storage counts code points; selections snap to words."""

from __future__ import annotations


def utf16_to_cp(text: str, pos: int) -> int:
    """Qt text positions count UTF-16 units; storage counts code points."""
    return len(text.encode("utf-16-le")[: 2 * pos].decode("utf-16-le", errors="ignore"))


def cp_to_utf16(text: str, cp: int) -> int:
    """Code point position -> Qt (UTF-16) position."""
    return len(text[:cp].encode("utf-16-le")) // 2


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch in "_-'’"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words and trim the spaces around it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return start, start
    while start > 0 and _wordish(text[start - 1]) and _wordish(text[start]):
        start -= 1
    while end < len(text) and _wordish(text[end]) and _wordish(text[end - 1]):
        end += 1
    return start, end

"""Counts said in words, for every layer's messages: "1 segment", "3 segments"."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "segment")`` -> "1 segment", ``plural(3, "segment")`` -> "3 segments"."""
    return f"{n} {word if n == 1 else (many or word + 's')}"

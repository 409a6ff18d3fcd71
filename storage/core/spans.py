"""Spans of time or text as ``(start, end)`` pairs: their union and how much it covers."""

from __future__ import annotations

from collections.abc import Iterable


def merged_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans' union as separate spans, in order (spans that overlap or touch become one)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def covered_length(spans: Iterable[tuple[int, int]]) -> int:
    """How much the spans cover together (overlaps counted once)."""
    return sum(end - start for start, end in merged_spans(spans))

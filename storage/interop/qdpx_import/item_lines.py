"""Report lines said of one item each (a selection, a coding, a code), grouped.

A large file with many items of one kind of problem (310 selections on a speaker's label
alone, thousands of coded time ranges) said one line per item: a report nobody reads. The
first item of a kind in a source is said in full; from the second on, one line for the kind
and source says how many, with the first few as examples; once a kind is in more than
``SOURCES`` sources, one line says it of them all. Every item's own line is kept in full in
``ImportReport.item_lines`` (``--json``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from storage.core.words import plural

#: how many items a grouped line names
EXAMPLES = 3
#: how many sources a kind is said of, each in a line of its own, before one line for all
SOURCES = 3

#: ``say(count, shown)``: what a grouped line says of ``count`` items (2 or more), without
#: its source; ``shown`` names the first few: "12-18 (Need), 40-44 (Trust) and 307 more"
Say = Callable[[int, str], str]


@dataclass
class _Group:
    line: str  # its text in the report's list now
    where: str  # the source it is said of ("'Interview 1'"; "" for none)
    say: Say
    examples: list[str] = field(default_factory=list)
    count: int = 0
    #: the sources of a kind said of them all in one line (empty: one source's line)
    sources: set[str] = field(default_factory=set)


class ItemLines:
    """The grouped lines of one report."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], _Group] = {}
        self._kinds: dict[str, _Group] = {}  # a kind said of all its sources in one line
        self._sources: dict[str, list[str]] = {}  # kind -> the sources it is said of
        #: every item's own line, in order (grouped or not)
        self.every: list[str] = []

    def add(
        self, lines: list[str], kind: str, where: str, line: str, example: str, say: Say
    ) -> None:
        """Say ``line`` of one item of ``kind`` in source ``where`` (a prefix such as
        "'Interview 1'", or "" where there is none) in ``lines``, grouped (``say``; ``example``
        names the item in a grouped line)."""
        self.every.append(line)
        merged = self._kinds.get(kind)
        if merged is not None and where:
            merged.sources.add(where)
            self._grow(lines, merged, f"{where} {example}")
            return
        group = self._groups.get((kind, where))
        if group is not None:
            self._grow(lines, group, example)
            return
        sources = self._sources.setdefault(kind, [])
        sources += [where] if where else []  # (items of no source are grouped on their own)
        if not where or len(sources) <= SOURCES:
            lines.append(line)
            self._groups[(kind, where)] = _Group(line, where, say, [example], 1)
            return
        # one line for the kind, in the place of its sources' lines (the first one's)
        groups = [self._groups.pop((kind, w)) for w in sources[:-1]]
        examples = [f"{g.where} {e}" for g in groups for e in g.examples]
        merged = _Group("", "", say, examples[:EXAMPLES], sum(g.count for g in groups))
        merged.sources = set(sources)
        self._kinds[kind] = merged
        for group in groups[1:]:
            _replace(lines, group.line, None)
        merged.line = groups[0].line
        self._grow(lines, merged, f"{where} {example}")

    def _grow(self, lines: list[str], group: _Group, example: str) -> None:
        group.count += 1
        if len(group.examples) < EXAMPLES:
            group.examples.append(example)
        more = group.count - len(group.examples)
        shown = ", ".join(group.examples) + (f" and {more} more" if more else "")
        said = group.say(group.count, shown)
        if group.sources:
            said = f"{plural(len(group.sources), 'source')}: {said}"
        elif group.where:
            said = f"{group.where}: {said}"
        if _replace(lines, group.line, said) is None:  # (taken out by its caller)
            lines.append(said)
        group.line = said


def _replace(lines: list[str], old: str, new: str | None) -> int | None:
    """Put ``new`` in the place of ``old`` in ``lines`` (take it out for None); its index."""
    try:
        at = lines.index(old)
    except ValueError:
        return None
    if new is None:
        del lines[at]
    else:
        lines[at] = new
    return at

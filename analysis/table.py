"""``Table``: the result of a matrix, co-occurrence or frequency query (codes × something)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from storage.core.names import name_order

#: how a cell may be shown: the count, or a percentage of its row's or column's total
PERCENT_MODES = ("none", "row", "column")
#: what a cell counts, by measure (matrix, frequencies) or mode (co-occurrence): a table's file
#: says it in its first header cell, since the numbers alone look alike
MEASURE_WORDS = {
    "segments": "segments coded",
    "codings": "codings",
    "talk_ms": "talk time coded (ms)",
    "segment": "segments coded with both",
    "overlap": "segments where both codes share text",
    "within": "segments with the other code nearby",
}


@dataclass
class Header:
    """One row or column of a table.

    Attributes:
        key: what it stands for (a code id, session id, speaker label, participant id,
            attribute value; "" for "none": a segment without speaker/participant/value).
        label: what a person reads.
        depth: 0 for top-level codes (rows of code tables), else the code's depth.
        parent: the parent code id of a code row (None at the top or for other headers).
        colour: a code's colour ("" otherwise).
    """

    key: str
    label: str
    depth: int = 0
    parent: str | None = None
    colour: str = ""


@dataclass
class Table:
    """Counts of codes (rows) against columns, with what was counted and how.

    ``cells[i][j]`` is the count for ``rows[i]`` and ``columns[j]``; ``note`` is a one-line
    explanation when the table is empty (an empty project, a filter that matches nothing...).
    ``spec`` records the query (kind, columns, measure, filters...) so a cell can be opened.
    """

    kind: str
    measure: str
    rows: list[Header]
    columns: list[Header]
    cells: list[list[int]]
    note: str = ""
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when there is nothing to show (``note`` says why)."""
        return not self.rows or not self.columns

    def cell(self, row_key: str, column_key: str) -> int:
        """The count of one cell by keys (0 when absent)."""
        ri = {h.key: i for i, h in enumerate(self.rows)}.get(row_key)
        ci = {h.key: i for i, h in enumerate(self.columns)}.get(column_key)
        return 0 if ri is None or ci is None else self.cells[ri][ci]

    def as_map(self) -> dict[tuple[str, str], int]:
        """{(row key, column key): count} of the non-zero cells."""
        return {
            (r.key, c.key): self.cells[i][j]
            for i, r in enumerate(self.rows)
            for j, c in enumerate(self.columns)
            if self.cells[i][j]
        }

    @property
    def total_label(self) -> str:
        """What the row total counts (a co-occurrence row leaves out the code with itself)."""
        return "with other codes" if self.kind == "cooccurrence" else "total"

    def row_totals(self) -> list[int]:
        """The sum of each row; a co-occurrence row leaves out its diagonal cell (the code's
        own segments), which added to its pairs with other codes would count nothing, and,
        rolled up, the cells of its parents and sub-codes."""
        if self.kind != "cooccurrence":
            return [sum(r) for r in self.cells]
        parent = {h.key: h.parent for h in self.rows}

        def line(key: str) -> set[str]:  # the code and its parents
            found = set()
            k: str | None = key
            while k is not None and k not in found:
                found.add(k)
                k = parent.get(k)
            return found

        rolled = bool(self.spec.get("rollup"))

        def itself(row: str, col: str) -> bool:
            # rolled up, a parent holds its sub-codes' segments: that pair is no co-occurrence
            return row == col or (rolled and (row in line(col) or col in line(row)))

        return [
            sum(v for c, v in zip(self.columns, r, strict=True) if not itself(h.key, c.key))
            for h, r in zip(self.rows, self.cells, strict=True)
        ]

    def column_totals(self) -> list[int]:
        """The sum of each column."""
        return [sum(col) for col in zip(*self.cells, strict=True)] if self.cells else []

    def percentages(self, mode: str) -> list[list[float]]:
        """Each cell as a percentage of its row's (``row``) or column's (``column``) total."""
        if mode == "row":
            totals = self.row_totals()
            return [
                [100.0 * v / t if t else 0.0 for v in r]
                for r, t in zip(self.cells, totals, strict=True)
            ]
        if mode == "column":
            totals = self.column_totals()
            return [
                [100.0 * v / t if t else 0.0 for v, t in zip(r, totals, strict=True)]
                for r in self.cells
            ]
        return [[float(v) for v in r] for r in self.cells]

    def relabelled(self, label: Callable[[str], str]) -> Table:
        """A copy with every header label passed through ``label`` (pseudonyms for exports)."""

        def fix(h: Header, how: Callable[[str], str] = label) -> Header:
            return Header(h.key, how(h.label), h.depth, h.parent, h.colour)

        # speaker columns: a speaker linked to a participant as their pseudonym (exports)
        column = (
            getattr(label, "speaker", label) if self.spec.get("columns") == "speaker" else label
        )
        columns = [fix(h, column) for h in self.columns]
        cells = self.cells
        if self.kind in ("matrix", "frequencies"):
            # in the order of the labels written, as the matrix orders its own ("(none)" last):
            # speakers sorted by their real names came out P01, P04, P05, P03, P02, which
            # also told the real names' alphabetical order (code frequencies per speaker are
            # the same table, and did so until they were sorted too)
            order = sorted(
                range(len(columns)),
                key=lambda j: (columns[j].key == "", name_order(columns[j].label), columns[j].key),
            )
            columns = [columns[j] for j in order]
            cells = [[row[j] for j in order] for row in self.cells]
        return Table(
            self.kind,
            self.measure,
            [fix(h) for h in self.rows],
            columns,
            cells,
            self.note,
            dict(self.spec),
        )

    def as_dict(self, percent: str = "none") -> dict[str, Any]:
        """A JSON-friendly dict (with percentages when ``percent`` is row or column)."""
        data = asdict(self)
        data["row_totals"] = self.row_totals()
        data["column_totals"] = self.column_totals()
        if percent in ("row", "column"):
            data["percent"] = percent
            data["percentages"] = [[round(v, 2) for v in r] for r in self.percentages(percent)]
        return data

    def grid(self, percent: str = "none") -> tuple[list[str], list[list[Any]]]:
        """Header and rows for a spreadsheet: code path, the cells, the row total."""
        values: list[list[Any]] = (
            [[round(v, 2) for v in r] for r in self.percentages(percent)]
            if percent in ("row", "column")
            else [list(r) for r in self.cells]
        )
        what = MEASURE_WORDS.get(self.measure, self.measure)
        if percent in ("row", "column"):
            what += f", % of the {percent} total"
        header = [f"code: {what}", *[c.label for c in self.columns], self.total_label]
        body = [
            [h.label, *vals, total]
            for h, vals, total in zip(self.rows, values, self.row_totals(), strict=True)
        ]
        return header, body


def empty_table(kind: str, measure: str, note: str, spec: dict[str, Any]) -> Table:
    """A table with nothing in it and the reason."""
    return Table(kind, measure, [], [], [], note, spec)

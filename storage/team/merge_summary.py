"""What merging one bundle did, table by table (``storage.team.merge``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.core.anchors import LOST_FLAG
from storage.core.words import plural, verb


@dataclass
class TableSummary:
    """What a merge did to one table."""

    added: int = 0
    updated: int = 0
    conflicts: int = 0
    skipped: int = 0
    deleted: int = 0


@dataclass
class MergeSummary:
    """What merging one bundle did."""

    bundle: str
    coder: str
    tables: dict[str, TableSummary] = field(default_factory=dict)
    same_name_codes: list[tuple[str, list[str]]] = field(default_factory=list)
    same_name_merged: bool = False  # whether ``same_name_codes`` were merged or only found
    merged_codes: int = 0
    media_copied: int = 0
    media_missing: int = 0
    settings: dict[str, str] = field(default_factory=dict)  # project settings taken, new values
    #: span codings whose words the text shown here lacks: kept on their segment, flagged
    spans_flagged: int = 0
    #: such span codings gone into their coder's whole-segment coding of their code
    spans_into_wholes: int = 0
    #: whole-segment codings waiting for their coder's flagged span of the code to get its words
    #: back (``storage.core.held_codings``)
    held_wholes: int = 0

    def lost_spans(self, flagged: int, into_wholes: int) -> None:
        """Count span codings whose words the merge found gone (``reanchor_spans``)."""
        self.spans_flagged += flagged
        self.spans_into_wholes += into_wholes

    def span_lines(self) -> list[str]:
        """What happened to span codings that a bare count of rows does not say: one line each
        for spans kept flagged, gone into a whole-segment coding, and whole-segment codings
        waiting for a span's words."""
        lines = []
        if self.spans_flagged:
            n = self.spans_flagged
            its, segment = ("its", "segment") if n == 1 else ("their", "segments")
            lines.append(
                f"{plural(n, 'span coding')} kept on {its} {segment}, {its} words gone from the "
                f"text here (flagged \u201c{LOST_FLAG}\u201d)"
            )
        if self.spans_into_wholes:
            n = self.spans_into_wholes
            lines.append(
                f"{plural(n, 'span coding')} held by {'its' if n == 1 else 'their'} coder's "
                f"whole-segment coding of the same code, {'its' if n == 1 else 'their'} words "
                "gone from the text here"
            )
        if self.held_wholes:
            n = self.held_wholes
            lines.append(
                f"{plural(n, 'whole-segment coding')} {verb(n, 'waits', 'wait')} for "
                f"{'its' if n == 1 else 'their'} coder's flagged span of the same code to get "
                "its words back, and then comes in"
            )
        return lines

    def settings_text(self) -> str:
        """The project settings taken, as "languages ru,kk,en; numbers digits"."""
        return "; ".join(f"{key} {value or 'automatic'}" for key, value in self.settings.items())

    def table(self, name: str) -> TableSummary:
        """Return (creating) the summary of one table."""
        return self.tables.setdefault(name, TableSummary())

    @property
    def conflicts(self) -> int:
        """Conflicts recorded by this merge, all tables together."""
        return sum(t.conflicts for t in self.tables.values())

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "bundle": self.bundle,
            "coder": self.coder,
            "tables": {k: vars(v) for k, v in self.tables.items()},
            "same_name_codes": [{"path": p, "ids": ids} for p, ids in self.same_name_codes],
            "same_name_merged": self.same_name_merged,
            "merged_codes": self.merged_codes,
            "media_copied": self.media_copied,
            "media_missing": self.media_missing,
            "settings": dict(self.settings),
            "spans_flagged": self.spans_flagged,
            "spans_into_wholes": self.spans_into_wholes,
            "held_wholes": self.held_wholes,
        }

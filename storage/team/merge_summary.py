"""What merging one bundle did, table by table (``storage.team.merge``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
        }

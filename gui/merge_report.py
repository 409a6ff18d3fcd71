"""The merge report: what merging bundles did, in the workbench's words, and why a bundle was
refused. Plain text built from ``storage.team`` summaries; the Team menu shows it
(``gui.team_actions``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gui.fmt import plural
from storage import FieldScribeError


def refusal(exc: BaseException) -> BaseException | str:
    """The message of a refused bundle, in the workbench's words (no command-line options)."""
    from storage.team.bundle import OtherProjectBundleError

    if isinstance(exc, OtherProjectBundleError):
        return (
            f"{Path(exc.bundle).name} belongs to another project ({exc.theirs!r}), not this "
            "one: it was not merged and nothing changed. Ask its sender for a bundle of this "
            "project, or start a project from it (File ▸ New project from a team bundle…)."
        )
    if isinstance(exc, FieldScribeError):  # wrong passphrase, tampered, truncated, newer...
        text = str(exc)
        if "nothing" not in text.lower():
            text = f"{text.rstrip('.')}. It was not merged; nothing changed."
        return text
    return exc


#: what a merged table's rows are, in the merge report's words
_ROW_WORDS = {"sessions": "session", "segments": "segment", "codes": "code", "codings": "coding",
              "memos": "memo", "markers": "marker", "participants": "participant",
              "coders": "coder", "speaker_profiles": "speaker profile",
              "speaker_turns": "speaker turn"}  # fmt: skip


def _rows_counted(tables: dict[str, Any], attr: str) -> str:
    """ "8 codings, 1 memo": the rows a merge added (updated, deleted), table by table. The
    report summed every table into "1 row(s) added, 1 updated", and never said what a bundle
    deleted: a coder's deleted code took 6 codings of other coders with it, unmentioned."""
    return ", ".join(
        plural(n, _ROW_WORDS.get(table, f"{table.replace('_', ' ')} row"))
        for table, counts in tables.items()
        if (n := getattr(counts, attr))
    )


def describe_merge(summaries: list[Any], asked: int, open_conflicts: int) -> str:
    """A few lines on what the merges did: with several bundles, first a line on them all (the
    status bar shows the first line: after merging two bundles it named only the first)."""
    lines = []
    if len(summaries) > 1:
        coders = ", ".join(dict.fromkeys(s.coder for s in summaries))
        lines.append(
            f"Merged {len(summaries)} bundles ({coders}): "
            f"{plural(sum(s.conflicts for s in summaries), 'conflict')}."
        )
    for s in summaries:
        did = [
            f"{verb} {counted}"
            for verb in ("added", "updated", "deleted")  # also the counts' attribute names
            if (counted := _rows_counted(s.tables, verb))
        ]
        if not did and not s.conflicts:  # it read "0 conflicts." alone: had it worked?
            did.append("nothing new (merged before, or no changes since)")
        did.append(plural(s.conflicts, "conflict"))
        lines.append(f"{Path(s.bundle).name} (coder {s.coder}): {'; '.join(did)}.")
        lines += [f"  {line}" for line in s.span_lines()]
        if getattr(s, "settings", None):
            lines.append(f"  project settings changed there later, now here: {s.settings_text()}")
        for path, _ids in s.same_name_codes:
            if s.same_name_merged:
                lines.append(f"  codes named {path!r} created by several coders: now one code")
            else:
                lines.append(f"  codes named {path!r} kept apart; agreement pairs them by path")
    if len(summaries) < asked:
        lines.append(f"Cancelled: {plural(asked - len(summaries), 'bundle')} not merged.")
    if open_conflicts:
        lines.append(f"{plural(open_conflicts, 'open conflict')}: Team ▸ Resolve merge conflicts…")
    return "\n".join(lines) or "Nothing merged."


#: the bundle a merge of several stopped at, and why
Stopped = tuple[Path, BaseException]

_NOTHING = re.compile(r"\s*(?:It was not merged; nothing changed|Nothing was changed)\.\s*$")
#: a bundle refusal's "; nothing was changed." (``storage.team.bundle.refusal``), advice after it
_NOTHING_WITHIN = re.compile(r"; nothing was changed\.(\s*$)?")


def describe_stopped(
    summaries: list[Any], asked: int, open_conflicts: int, path: Path, exc: BaseException
) -> str:
    """Bundles merged, then one refused: what merged first (the refusal alone said "Nothing was
    changed" when the bundles before it had merged), then why that one did not, and how many
    after it were not tried."""
    after = asked - len(summaries) - 1
    said = _NOTHING_WITHIN.sub(lambda m: "" if m.group(1) is not None else ".", str(refusal(exc)))
    why = _NOTHING.sub("", said).rstrip(".")
    lines = [describe_merge(summaries, len(summaries), open_conflicts)]
    rest = f", nor the {plural(after, 'bundle')} after it" if after else ""
    lines.append(f"{path.name} was not merged{rest}: {why}.")
    return "\n".join(lines)

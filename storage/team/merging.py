"""Merging team bundles into a project: many bundles, unpacked ahead, in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage.team.bundle import OpenedBundle
from storage.team.bundle_open import opened_in_turn
from storage.team.merge import MergeSession, find_differing


def merge_bundles(
    project: Any,
    bundles: list[str | Path],
    *,
    allow_other_project: bool = False,
    merge_same_name: bool | None = None,
    shown: list[str | Path] | None = None,
    done: list[Any] | None = None,
    not_kept: list[Any] | None = None,
) -> list[Any]:
    """Merge bundles into ``project``; return their summaries.

    Each bundle merges in a savepoint of one transaction (``storage.team.merge.MergeSession``), so a
    refused bundle changes nothing and the bundles before it stay merged, as if each had its own
    transaction, while their pages are written once. See ``storage.team.merge`` for the rules.
    ``merge_same_name``: None (the default) merges codes of one path created independently when
    the bundle belongs to this project (it descends from the same lead); False keeps them apart.
    ``shown``: the files to name in messages and in the audit log, one per bundle (the user's
    encrypted files when ``bundles`` are their decrypted temporary copies).
    ``done``: a list each bundle's summary is added to as soon as it is merged, so that a
    caller refused a later bundle can still say which ones merged; a commit that fails (a full
    disk) takes back out of it the summaries of the bundles it rolled back, and puts them in
    ``not_kept``.
    """
    summaries: list[Any] = [] if done is None else done
    first = len(summaries)
    db_path = Path(project.folder) / "project.db"

    memo: dict[str, Any] = {}  # what the comparing thread compared last (merge_ahead.Compared)

    def ahead(opened: OpenedBundle) -> None:
        find_differing(db_path, opened, memo)

    session: MergeSession | None = None
    try:
        with (
            opened_in_turn(bundles, ahead, shown) as opened_bundles,
            MergeSession(project) as session,
        ):
            for opened in opened_bundles:
                summary = session.merge(
                    opened,
                    allow_other_project=allow_other_project,
                    merge_same_name=merge_same_name,
                    remove_folder=True,
                )
                summaries.append(summary)
                project.audit.log_event(
                    "merge",
                    None,
                    None,
                    {"bundle": opened.path.name, "from_coder": opened.coder},
                )
    except BaseException:
        lost = session.uncommitted if session is not None else []
        summaries[:] = [s for s in summaries if all(s is not x for x in lost)]
        if not_kept is not None:
            not_kept.extend(lost)
        raise
    return summaries[first:]

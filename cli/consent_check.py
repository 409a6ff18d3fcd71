"""The consent question before an export, as the command line asks it.

The workbench asks before an export when consent does not cover it for everyone in the sessions
exported (``gui.consent.confirm_consent``), unless only consented participants go out; unknowns
acknowledged there ("Don't ask again ...", ``project.consent_notes``) are not asked again until
they change, a refusal always is. The command line cannot ask, so it stops before writing
anything and says in one line who is concerned and how to go on: ``--export-anyway`` (the
workbench's "Export anyway"), ``--consented-only``, or linking speakers and recording consent.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterable
from typing import TYPE_CHECKING

from storage.core.errors import InvalidInputError
from storage.privacy.models import ConsentProblem

if TYPE_CHECKING:
    from storage import Project

PURPOSE = "export"


def add_export_anyway(parser: argparse.ArgumentParser) -> None:
    """Add ``--export-anyway``: export although consent does not cover it for everyone."""
    parser.add_argument(
        "--export-anyway",
        action="store_true",
        help="export although consent to export is unknown or refused for someone in the "
        "sessions exported (otherwise the export stops and names them; unknowns acknowledged "
        "in the workbench are not asked again)",
    )


def _who(problems: list[ConsentProblem]) -> str:
    """A session's problems in a few words: unlinked speakers together, then participants."""
    unlinked = [p.speaker for p in problems if p.participant_id is None and p.speaker]
    parts = []
    if unlinked:
        more = f" and {len(unlinked) - 4} more" if len(unlinked) > 4 else ""
        names = ", ".join(unlinked[:4]) + more
        parts.append(f"{names} (not linked to a participant)")
    for p in problems:
        if p.participant_id is None:
            continue
        who = p.pseudonym or p.speaker or "a participant"
        said = [f"refused {' and '.join(p.refused)}"] if p.refused else []
        said += [f"no consent to {' and '.join(p.missing)} recorded"] if p.missing else []
        parts.append(f"{who} ({'; '.join(said)})")
    return ", ".join(parts)


def check_consent(project: Project, args: argparse.Namespace, session_ids: Iterable[str]) -> None:
    """Stop an export, before anything is written, when consent to export does not cover
    everyone in ``session_ids`` and neither ``--consented-only`` nor ``--export-anyway`` was
    given; unknowns acknowledged in the workbench (``project.consent_notes``) are not asked.

    Raises:
        InvalidInputError: one line naming who is concerned and how to go on.
    """
    if args.consented_only or args.export_anyway:
        return
    found = []
    for sid in dict.fromkeys(session_ids):
        problems = project.consent_notes.to_ask(sid, PURPOSE)
        if problems:
            found.append((project.sessions.get_session(sid).title, problems))
    if not found:
        return
    listed = "; ".join(f"“{title}”: {_who(problems)}" for title, problems in found[:3])
    if len(found) > 3:
        listed += f"; and {len(found) - 3} more session(s)"
    refused = any(p.refused for _t, problems in found for p in problems)
    folder = shlex.quote(str(args.dir))
    raise InvalidInputError(
        f"consent to {PURPOSE} is {'refused or ' if refused else ''}unknown for {listed}; "
        f"nothing was written. Add --export-anyway to export all the same, --consented-only to "
        f"leave them out, or link speakers (fieldscribe speaker {folder} map ...) and record "
        f"consent (fieldscribe consent {folder} ...; --session ID --acknowledge {PURPOSE}: do "
        "not ask again while it stays unknown)."
    )

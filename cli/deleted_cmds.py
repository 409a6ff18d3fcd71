"""Deleted sessions: ``deleted-sessions`` lists them, ``restore-session`` brings one back whole."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from storage.core.ids import local_minute
from storage.core.words import plural

from .common import add_coder, add_dir, add_json, open_project
from .output import print_json


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser(
        "deleted-sessions",
        help="list the deleted sessions that restore-session can bring back",
    )
    add_dir(p)
    p.add_argument(
        "--forget",
        metavar="ID",
        help="drop the kept copy of this deleted session for good (title, id or id's start): "
        "it can no longer be restored and its text is wiped from project.db (its audio stays "
        "in media/.deleted/)",
    )
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_deleted_sessions)

    p = sub.add_parser(
        "restore-session",
        help="bring a deleted session back: transcript, codings, memos, speakers and audio",
        description=(
            "Restore a session deleted with delete-session (or in the app): every row comes "
            "back with its own id, the audio goes back into media/. Codings of codes deleted "
            "since are left out (and counted); a session that took its title since makes it "
            "'TITLE (restored)'."
        ),
    )
    add_dir(p)
    p.add_argument(
        "--session",
        # not ``session``: the command line resolves that among the sessions in the project
        dest="deleted_session",
        required=True,
        metavar="ID",
        help="the deleted session's title, id or id's start (see deleted-sessions)",
    )
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_restore_session)


def cmd_deleted_sessions(args: argparse.Namespace) -> int:
    """fieldscribe deleted-sessions DIR [--forget ID] [--json]."""
    if args.forget is not None:
        with open_project(args, write=True) as project:
            gone = project.sessions.forget_deleted_session(args.forget)
        if args.json:
            print_json({"forgotten": asdict(gone)})
        else:
            print(
                f"Forgot deleted session {gone.title!r} ({gone.session_id}): it can no longer be "
                "restored; its audio stays in media/.deleted/."
            )
        return 0
    with open_project(args, write=False) as project:
        deleted = project.sessions.deleted_sessions()
    if args.json:
        print_json([asdict(d) for d in deleted])
        return 0
    if not deleted:
        print("No deleted sessions to restore.")
        return 0
    for d in deleted:
        counts = (
            f"{plural(d.counts.get('segments', 0), 'segment')}, "
            f"{plural(d.counts.get('codings', 0), 'coding')}, "
            f"{plural(d.counts.get('memos', 0), 'memo')}"
        )
        when = local_minute(d.deleted_at)
        print(f"{d.session_id}  {d.title}  deleted {when} by {d.deleted_by}  ({counts})")
    print("Bring one back with `fieldscribe restore-session DIR --session TITLE|ID`.")
    return 0


def cmd_restore_session(args: argparse.Namespace) -> int:
    """fieldscribe restore-session DIR --session TITLE|ID [--json]."""
    with open_project(args, write=True) as project:
        report = project.sessions.restore_session(args.deleted_session)
    if args.json:
        print_json({**asdict(report), "lines": report.describe()})
        return 0
    for line in report.describe():
        print(line)
    return 0

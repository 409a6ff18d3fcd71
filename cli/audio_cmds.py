"""Audio the project lacks: ``locate-audio`` finds recordings a bundle came without."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from storage.core.words import plural
from storage.sessions.missing_audio import NONE_MISSING

from .common import add_dir, add_json, open_project
from .output import print_json


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser(
        "locate-audio",
        help="find the recordings a project lacks (a bundle made without its audio)",
        description=(
            "Copy into the project each recording it lacks from the files and folders given "
            "(a USB stick, a shared folder): a file is taken when its content is the "
            "recording's (size and sha256 kept at import), whatever its name; files are "
            "copied, never moved or changed. With no PATH, list what is missing."
        ),
    )
    add_dir(p)
    p.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="audio files or folders to look in"
    )
    add_json(p)
    p.set_defaults(func=cmd_locate_audio)


def cmd_locate_audio(args: argparse.Namespace) -> int:
    """fieldscribe locate-audio DIR [PATH...]"""
    if not args.paths:
        with open_project(args, write=False) as project:
            missing = project.missing_audio.missing()
        if args.json:
            print_json([_missing_row(m) for m in missing])
        elif not missing:
            print(NONE_MISSING)
        else:
            print(f"{plural(len(missing), 'recording')} missing:")
            for m in missing:
                print(f"  {m.session_id}  {m.title}  (was {m.original_name})")
            print("Find them with `fieldscribe locate-audio DIR PATH...` (files or folders).")
        return 0
    with open_project(args, write=True) as project:
        located = project.missing_audio.locate(args.paths)
    if args.json:
        print_json(
            {
                "found": [
                    {**_missing_row(m), "from": str(src), "path": str(m.path)}
                    for m, src in located.found
                ],
                "still_missing": [_missing_row(m) for m in located.still_missing],
                "files_seen": located.files_seen,
            }
        )
        return 0
    for line in located.lines(ids=True):  # the workbench's wording
        print(line)
    return 0


def _missing_row(m: Any) -> dict[str, Any]:
    return {
        "session_id": m.session_id,
        "title": m.title,
        "original_name": m.original_name,
        "size_bytes": m.size_bytes,
    }

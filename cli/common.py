"""Helpers shared by command modules: opening projects, common options."""

from __future__ import annotations

import argparse
from pathlib import Path

from storage import Project
from storage.privacy_models import ExportPrivacy


def add_dir(parser: argparse.ArgumentParser) -> None:
    """Add the positional project folder argument."""
    parser.add_argument("dir", metavar="DIR", type=Path, help="the project folder")


def add_json(parser: argparse.ArgumentParser) -> None:
    """Add ``--json``."""
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def open_project(args: argparse.Namespace, *, write: bool) -> Project:
    """Open the project named by ``args.dir`` (for writing: with the lock, as ``--coder``)."""
    coder = getattr(args, "coder", None)
    return Project.open(args.dir, coder=coder, readonly=not write)


def add_privacy(parser: argparse.ArgumentParser, *, media: bool = False) -> None:
    """Add the export protections' options (pseudonyms and redactions are on by default)."""
    parser.add_argument(
        "--no-pseudonyms",
        action="store_true",
        help="keep real names (the project lead's own use; the export is logged)",
    )
    parser.add_argument(
        "--no-redactions",
        action="store_true",
        help="show redacted text (the project lead's own use; the export is logged)",
    )
    parser.add_argument(
        "--consented-only",
        nargs="?",
        const="export",
        metavar="PURPOSE",
        help="leave out participants without consent for PURPOSE (default: export = "
        "transcription + quotation; or quotation, archiving...)",
    )
    if media:
        parser.add_argument(
            "--beep", action="store_true", help="beep redacted audio instead of silencing it"
        )


def privacy_options(args: argparse.Namespace) -> ExportPrivacy:
    """The export protections chosen on the command line."""
    return ExportPrivacy(
        pseudonymise=not args.no_pseudonyms,
        redact=not args.no_redactions,
        consented_only=args.consented_only,
        audio_mode="beep" if getattr(args, "beep", False) else "silence",
    )

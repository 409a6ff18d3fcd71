"""Helpers shared by command modules: opening projects, common options."""

from __future__ import annotations

import argparse
from pathlib import Path

from storage import Project


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

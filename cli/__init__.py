"""FieldScribe's command line. Each module registers one group of subcommands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from storage.core.errors import FieldScribeError

from . import project_cmds


def _command_modules() -> list[ModuleType]:
    """Every ``cli/*_cmds.py`` module (each capability adds its own), project commands first."""
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if info.name.endswith("_cmds") and info.name != "project_cmds"
    )
    return [project_cmds, *(importlib.import_module(f"cli.{name}") for name in names)]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="fieldscribe",
        description="FieldScribe: record, transcribe locally, code and share qualitative data. "
        "Run without arguments to open the desktop app.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _command_modules():
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except FieldScribeError as exc:
        print(f"fieldscribe: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("fieldscribe: interrupted; the project is consistent.", file=sys.stderr)
        return 130

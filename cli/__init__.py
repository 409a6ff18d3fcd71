"""FieldScribe's command line. Each module registers one group of subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from storage.errors import FieldScribeError

from . import project_cmds

#: Modules with a ``register(subparsers)`` function, in help order.
COMMAND_MODULES = [project_cmds]


def _optional_modules() -> None:
    """Add command modules of capabilities that may be absent in a partial checkout."""
    import importlib

    for name in ("transcribe_cmds", "export_cmds", "bundle_cmds", "qdpx_cmds", "record_cmds"):
        try:
            module = importlib.import_module(f"cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"cli.{name}":
                raise
            continue
        if module not in COMMAND_MODULES:
            COMMAND_MODULES.append(module)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="fieldscribe",
        description="FieldScribe: record, transcribe locally, code and share qualitative data. "
        "Run without arguments to open the desktop app.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _optional_modules()
    for module in COMMAND_MODULES:
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

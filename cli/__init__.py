"""FieldScribe's command line. Each module registers one group of subcommands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from storage.core.errors import FieldScribeError
from storage.core.tempdirs import sweep_stale

# Which module registers each command, so that running one command imports only its module
# (``fieldscribe sessions DIR`` loads no exchange formats, cryptography or numpy). A test checks
# this table against what every ``cli/*_cmds.py`` module registers.
COMMANDS: dict[str, str] = {
    **dict.fromkeys(
        (
            *("new", "import", "sessions", "segments", "search", "codes", "code", "autocode"),
            *("languages", "segment-language"),
        ),
        "project_cmds",
    ),
    **dict.fromkeys(("bundle", "conflicts", "agreement"), "bundle_cmds"),
    **dict.fromkeys(("export", "export-codings", "import-transcript"), "export_cmds"),
    **dict.fromkeys(("consent", "pseudonym", "redact", "keys", "audit"), "privacy_cmds"),
    **dict.fromkeys(("qdpx", "codebook"), "qdpx_cmds"),
    **dict.fromkeys(("record", "recover"), "record_cmds"),
    **dict.fromkeys(("speakers", "speaker", "profiles"), "speaker_cmds"),
    **dict.fromkeys(("transcribe", "models"), "transcribe_cmds"),
}


def _command_modules(argv: Sequence[str] | None = None) -> list[ModuleType]:
    """The ``cli/*_cmds.py`` modules to register: only the named command's one when ``argv``
    starts with a known command, else every module (each capability adds its own), project
    commands first."""
    first = next(iter(argv or ()), None)
    if first in COMMANDS:
        return [importlib.import_module(f"cli.{COMMANDS[first]}")]
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if info.name.endswith("_cmds") and info.name != "project_cmds"
    )
    return [importlib.import_module(f"cli.{name}") for name in ["project_cmds", *names]]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand (or only ``argv``'s command's)."""
    parser = argparse.ArgumentParser(
        prog="fieldscribe",
        description="FieldScribe: record, transcribe locally, code and share qualitative data. "
        "Run without arguments to open the desktop app.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _command_modules(argv):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    sweep_stale()  # clear copies a killed FieldScribe left in the temporary folder
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

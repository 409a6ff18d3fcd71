"""FieldScribe entry point: no arguments opens the desktop app, subcommands run the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run FieldScribe (GUI without arguments, CLI otherwise)."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("--demo", "--project"):
        from gui.app import run_app

        return run_app(args)
    from cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())

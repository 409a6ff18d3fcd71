"""FieldScribe's command line. Each module registers one group of subcommands."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import pkgutil
import re
import sqlite3
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from storage.core import left_behind
from storage.core.atomic import check_output
from storage.core.errors import (
    FieldScribeError,
    InvalidInputError,
    NotAProjectError,
    is_disk_full,
)
from storage.core.tempdirs import sweep_stale

# Which module registers each command, so that running one command imports only its module
# (``fieldscribe sessions DIR`` loads no exchange formats, cryptography or numpy). A test checks
# this table against what every ``cli/*_cmds.py`` module registers.
COMMANDS: dict[str, str] = {
    **dict.fromkeys(
        (
            *("new", "import", "sessions", "segments", "search", "codes", "code", "uncode"),
            "autocode",
            *("languages", "numbers", "segment-language", "segment-text", "delete-session"),
        ),
        "project_cmds",
    ),
    **dict.fromkeys(("bundle", "conflicts", "team", "agreement"), "bundle_cmds"),
    "analyze": "analysis_cmds",
    **dict.fromkeys(("export", "export-codings", "import-transcript"), "export_cmds"),
    **dict.fromkeys(("consent", "pseudonym", "redact", "keys", "audit"), "privacy_cmds"),
    **dict.fromkeys(("qdpx", "codebook"), "qdpx_cmds"),
    **dict.fromkeys(("record", "recover"), "record_cmds"),
    **dict.fromkeys(("speakers", "speaker", "profiles", "participants"), "speaker_cmds"),
    **dict.fromkeys(("transcribe", "retranscribe"), "transcribe_cmds"),
    "models": "models_cmds",
    "worker": "cluster_cmds",
    "locate-audio": "audio_cmds",
    **dict.fromkeys(("deleted-sessions", "restore-session"), "deleted_cmds"),
    "links": "links_cmds",
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


def _lost_positional(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """A one-value positional argument given as a second ``--`` (Python 3.11's argparse then
    stores an empty list instead of refusing it): its name, or None."""
    single: dict[str, str] = {}
    several: set[str] = set()
    todo = [parser]
    while todo:
        for action in todo.pop()._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
            elif not action.option_strings:
                if action.nargs is None:
                    single[action.dest] = str(action.metavar or action.dest)
                else:
                    several.add(action.dest)
    for dest, name in single.items():
        if dest not in several and getattr(args, dest, None) == []:
            return name
    return None


def _undecodable(argv: Sequence[str]) -> str | None:
    """The first argument that is not valid UTF-8 (Python keeps such bytes as surrogates).

    The recordings `import` copies may have such names (a Windows drive or a zip archive in a
    Cyrillic code page): an existing file there is taken (its name is stored readable,
    ``storage.core.names.readable_file_name``).
    """
    importing = bool(argv) and argv[0] == "import"
    for arg in argv:
        if importing and os.path.isfile(arg):
            continue
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg.encode("utf-8", "backslashreplace").decode("ascii", "replace")
    return None


def _command_words(
    parser: argparse.ArgumentParser, argv: Sequence[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The command's words (``["bundle", "export"]``) and its positional arguments before any
    ``--`` as (metavar, word) pairs in order; option values are skipped, words starting with
    ``-`` that are no option come with the metavar ``"-"``."""
    words: list[str] = []
    found: list[tuple[str, str]] = []
    current = parser
    slots: list[argparse.Action] = []
    skip = False
    for arg in argv:
        if arg == "--":
            break
        if skip:
            skip = False
            continue
        options = {o: a for a in current._actions for o in a.option_strings}
        name = arg.split("=", 1)[0]
        if name in options:
            skip = "=" not in arg and options[name].nargs != 0
            continue
        if len(arg) > 1 and arg.startswith("-"):
            found.append(("-", arg))
            continue
        sub = next((a for a in current._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is not None and arg in sub.choices and not found:
            words.append(arg)
            current = sub.choices[arg]
            slots = [a for a in current._actions if not a.option_strings]
            continue
        if slots:
            action = slots[0]
            if action.nargs is None:
                slots.pop(0)
            found.append((str(action.metavar or action.dest), arg))
        else:
            found.append(("", arg))
    return words, found


def _command_line_slip(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """What argparse would say badly about two slips, said in one line (None: no slip).

    An empty project folder (``new ""`` would make the current folder the project). A file
    name starting with ``-`` given to ``import`` before any ``--``: argparse takes it for an
    option and says "FILE required" or "unrecognized arguments"; only a word that names an
    existing path or looks like a file (a dot or a slash in it) counts, a mistyped option
    gets argparse's own message.
    """
    words, found = _command_words(parser, argv)
    for metavar, arg in found:
        if metavar == "DIR" and not arg.strip():
            return (
                f"the project folder is empty ({arg!r}); give the folder's name, e.g. "
                f"fieldscribe {' '.join(words) or 'new'} Study.fieldscribe."
            )
    if words == ["import"]:
        for metavar, arg in found:
            if metavar == "-" and (os.path.lexists(arg) or "." in arg or "/" in arg):
                return (
                    f"{arg} starts with '-' and would be read as an option; put -- before the"
                    f" files (fieldscribe import DIR -- {arg}) or write it as ./{arg}."
                )
    return None


def _new_session_file(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``import-transcript DIR --new-session FILE``: FILE is the transcript.

    ``--new-session`` takes an optional TITLE, so the file written after it was read as the
    title and argparse stopped with "the following arguments are required: FILE". When the
    command line as written does not parse and it does with ``--new-session`` given no title,
    it is read so (the title is then the file's name, as for ``--new-session`` alone).
    """
    if not argv or argv[0] != "import-transcript" or "--new-session" not in argv:
        return argv
    at = argv.index("--new-session")
    if at + 1 >= len(argv) or argv[at + 1].startswith("-") or _parses(parser, argv):
        return argv
    untitled = [*argv[:at], "--new-session=", *argv[at + 1 :]]
    return untitled if _parses(parser, untitled) else argv


def _parses(parser: argparse.ArgumentParser, argv: list[str]) -> bool:
    """Whether ``argv`` parses (argparse's message, if any, is not shown)."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            parser.parse_args(argv)
    except SystemExit:
        return False
    return True


def _help_before_dir(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``speaker rename --help`` (and ``analyze matrix -h``, ``profiles enroll --help``): the
    commands whose DIR comes before their action took the action for DIR and showed the
    command's help; asked for help, the action gets its own (DIR written in for it)."""
    if len(argv) < 3 or not {"-h", "--help"} & set(argv[2:]):
        return argv
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command = sub.choices.get(argv[0])
    if command is None:
        return argv
    slots = [a for a in command._actions if not a.option_strings]
    if len(slots) < 2 or slots[0].dest != "dir":
        return argv
    actions = slots[1]
    if isinstance(actions, argparse._SubParsersAction) and argv[1] in actions.choices:
        return [argv[0], "DIR", *argv[1:]]
    return argv


# control characters (newlines, terminal escapes) from file names or file contents never reach
# the terminal raw: the message stays one line and cannot drive the terminal
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# Path arguments read as files: a FIFO, device or socket there would block the command
# forever or feed it endless data. Passphrase files may be pipes (``--passphrase-file <(...)``),
# never devices (``/dev/zero`` would be read forever).
_PIPES_ALLOWED = {"passphrase_file", "key_passphrase_file"}


def _name_sessions(args: argparse.Namespace) -> None:
    """Let ``--session`` take a session's title or the start of its id, not only its id, and
    a segment id (``SEGMENT_ID``, ``--segment``) be given by its first characters."""
    refs = getattr(args, "session", None), getattr(args, "sessions", None)
    segments = getattr(args, "segment", None)
    if not isinstance(getattr(args, "dir", None), Path) or not (any(refs) or segments):
        return
    from storage import Project

    from .common import resolve_segment

    try:
        project = Project.open(args.dir, readonly=True, register_coder=False)
    except FieldScribeError:
        return  # the command says what is wrong with the folder
    with project:
        if isinstance(refs[0], str) and refs[0] != "all":
            args.session = project.sessions.resolve(refs[0])
        if isinstance(refs[1], list):
            args.sessions = [project.sessions.resolve(r) for r in refs[1]]
        if isinstance(segments, str):
            args.segment = resolve_segment(project, segments)
        elif isinstance(segments, list):
            args.segment = [resolve_segment(project, r) for r in segments]


def _refuse_special_inputs(args: argparse.Namespace) -> None:
    for name, value in vars(args).items():
        for path in value if isinstance(value, list) else [value]:
            if not isinstance(path, Path):
                continue
            _refuse_unknown_home(path)
            if name in ("dir", "output"):
                continue  # a folder, and -o (storage.core.atomic.check_output)
            try:
                mode = path.stat().st_mode
            except OSError:
                continue  # missing or unreadable: the command says so in its own words
            if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
                continue
            if stat.S_ISFIFO(mode) and name in _PIPES_ALLOWED:
                continue
            raise InvalidInputError(
                f"{path} is a named pipe, a device or a socket, not a file; give a regular "
                "file. Nothing was changed."
            )


def _refuse_unknown_home(path: Path) -> None:
    """A path starting with ``~NAME`` where there is no user NAME (a shell leaves it as typed):
    one line, not "unexpected failure (RuntimeError: Could not determine home directory.)"."""
    if not str(path).startswith("~"):
        return
    try:
        path.expanduser()
    except RuntimeError:
        user = path.parts[0][1:]
        raise InvalidInputError(
            f"{path}: there is no user {user!r} for '~{user}' to stand for; if that is the "
            f"name as it is, give the full path ({Path.cwd() / path}). Nothing was changed."
        ) from None


def _error(message: str) -> None:
    text = _CONTROL.sub(lambda m: ascii(m.group())[1:-1], message)
    print(f"fieldscribe: error: {text}", file=sys.stderr)


#: how the storage layer shows the order of a project folder and the files after it
_IMPORT_ORDER = "`fieldscribe import DIR FILE...`"
#: the commands that take files after the project folder
_FILES_AFTER_DIR = frozenset({"bundle merge", "codebook import", "import-transcript"})


def _in_this_command(message: str, args: argparse.Namespace) -> str:
    """A project-folder refusal that shows the order as ``import`` takes it, shown with the
    command given: `bundle merge BUNDLE DIR` was told to run `fieldscribe import DIR FILE...`."""
    words = [args.command] + [
        str(getattr(args, dest))
        for dest in ("bundle_command", "codebook_command", "qdpx_command")
        if getattr(args, dest, None)
    ]
    if " ".join(words) not in _FILES_AFTER_DIR:  # no file of its own: perhaps meant import
        return message
    return message.replace(_IMPORT_ORDER, f"`fieldscribe {' '.join(words)} DIR FILE...`")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code.

    Every failure is one line on stderr: 1 for a refused input or a failed write, 2 for a bad
    command line (argparse), 130 after Ctrl+C. A failure nobody foresaw is still one line (exit
    70); ``FIELDSCRIBE_DEBUG=1`` shows its traceback.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    bad = _undecodable(argv)
    if bad is not None:
        _error(f"the argument {bad!r} is not valid UTF-8; give names and paths in UTF-8.")
        return 2
    parser = build_parser(argv)
    argv = _help_before_dir(parser, argv)
    argv = _new_session_file(parser, argv)
    slip = _command_line_slip(parser, argv)
    if slip is not None:
        _error(slip)
        return 2
    args = parser.parse_args(argv)
    lost = _lost_positional(parser, args)
    if lost is not None:
        parser.error(f"argument {lost}: '--' is not a value here; give the path itself.")
    left_behind.take()  # only what this command's start and opening find is told
    sweep_stale()  # clear copies a killed FieldScribe left in the temporary folder
    try:
        _refuse_special_inputs(args)
        _name_sessions(args)
        # -o FILE: a new path or a regular file, never a link (unless asked), pipe or device
        if getattr(args, "output", None) is not None:
            args.output = check_output(
                args.output, follow_symlinks=getattr(args, "follow_symlinks", False)
            )
        code: int = args.func(args)
        return code
    except NotAProjectError as exc:
        _error(_in_this_command(str(exc), args))
        return 1
    except FieldScribeError as exc:
        _error(str(exc))
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("fieldscribe: interrupted; the project is consistent.", file=sys.stderr)
        return 130
    except sqlite3.OperationalError as exc:
        if not is_disk_full(exc):
            return _unexpected(exc)
        _error("the disk is full; the command stopped and nothing was written. Free some space.")
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        if is_disk_full(exc):
            _error(f"{where}the disk is full; the command stopped. Free some space.")
        else:
            _error(f"{where}{exc.strerror or exc}.")
        return 1
    except Exception as exc:  # one line, never a traceback (the bug is still reported)
        return _unexpected(exc)
    finally:
        # what a killed FieldScribe left half done and this command cleared or finished
        for line in left_behind.take():
            print(
                f"fieldscribe: {_CONTROL.sub(lambda m: ascii(m.group())[1:-1], line)}",
                file=sys.stderr,
            )


def _unexpected(exc: BaseException) -> int:
    if os.environ.get("FIELDSCRIBE_DEBUG"):
        raise exc
    _error(
        f"unexpected failure ({type(exc).__name__}: {exc}); please report it "
        "(FIELDSCRIBE_DEBUG=1 shows the details)."
    )
    return 70

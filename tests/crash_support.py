"""The command line killed at a chosen point (SIGKILL: a laptop's battery running out, a
crash), and what must hold of the project after it.

``run_killed_at`` runs ``fieldscribe ARGS`` in a real subprocess whose one function (named as
``module:attribute``) SIGKILLs the process when it is called (``after=False``) or once it has
returned (``after=True``): nothing of the product is changed, and the point is the same on every
run, unlike a kill after a delay (``nth``: at its nth call).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_KILLER = """
import importlib, os, signal, sys
target, after, nth = sys.argv[1], sys.argv[2] == "after", int(sys.argv[3])
module_name, _, attribute = target.partition(":")
owner = importlib.import_module(module_name)
*path, name = attribute.split(".")
for part in path:
    owner = getattr(owner, part)
original = getattr(owner, name)
calls = [0]

def killer(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth and not after:
        os.kill(os.getpid(), signal.SIGKILL)
    result = original(*args, **kwargs)
    if calls[0] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return result

setattr(owner, name, killer)
exec(sys.argv[4], {"__name__": "__setup__"})
if sys.argv[5] == "--code":  # a piece of Python using the storage API (what the window does)
    exec(sys.argv[6], {"__name__": "__killed__"})
    sys.exit(0)
from cli import main
sys.exit(main(sys.argv[5:]))
"""

_SETUP_THEN_CLI = """
import sys
exec(sys.argv[1], {"__name__": "__setup__"})
from cli import main
sys.exit(main(sys.argv[2:]))
"""


def run_cli(
    *args: object, timeout: float = 300, setup: str = ""
) -> subprocess.CompletedProcess[str]:
    """``fieldscribe ARGS`` in a subprocess (a fresh process, as the person runs it); ``setup``:
    Python run in it first (e.g. shorter transcription windows, so that a short recording is
    written in several)."""
    if not setup:
        command = [sys.executable, str(ROOT / "main.py")]
    else:
        command = [sys.executable, "-c", _SETUP_THEN_CLI, setup]
    return subprocess.run(
        [*command, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def run_killed_at(
    target: str,
    *args: object,
    after: bool = False,
    nth: int = 1,
    timeout: float = 300,
    setup: str = "",
) -> subprocess.CompletedProcess[str]:
    """``fieldscribe ARGS`` SIGKILLed when ``target`` (``module:attr.attr``) is called the
    ``nth`` time, or once that call returns (``after``); ``setup`` as for ``run_cli``. Asserts
    that the process was killed there (it reached it)."""
    when = "after" if after else "before"
    proc = subprocess.run(
        [sys.executable, "-c", _KILLER, target, when, str(nth), setup, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == -signal.SIGKILL, (
        f"not killed at {target}: rc={proc.returncode} {proc.stderr[-500:]}"
    )
    return proc


def run_code_killed_at(
    target: str, code: str, *, after: bool = False, nth: int = 1, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``code`` (Python, e.g. the storage API calls a window makes) run in a subprocess
    SIGKILLed at ``target`` as ``run_killed_at`` does."""
    return run_killed_at(target, "--code", code, after=after, nth=nth, timeout=timeout)


def integrity(folder: Path) -> str:
    """``PRAGMA integrity_check`` of the project's database (read-only)."""
    conn = sqlite3.connect(f"{(folder / 'project.db').as_uri()}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def rows(folder: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """The rows of a query on the project's database, opened read-only."""
    conn = sqlite3.connect(f"{(folder / 'project.db').as_uri()}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def count(folder: Path, table: str) -> int:
    """How many rows ``table`` holds."""
    return int(rows(folder, f"SELECT count(*) FROM {table}")[0][0])


def hold_project(folder: Path, seconds: int = 120) -> subprocess.Popen[str]:
    """Another process holding ``folder`` open for writing (``seconds`` at most): its first
    line of output, ``held``, has been read when this returns. Kill it to let go, as a
    crash does."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            "from storage import Project\n"
            f"p = Project.open({str(folder)!r})\n"
            'print("held", flush=True)\n'
            f"time.sleep({seconds})\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    if holder.stdout.readline().strip() != "held":
        holder.kill()
        raise AssertionError(f"{folder} was not held")
    return holder

"""Two FieldScribes writing one project: while one holds it (the workbench open, a long
transcription), every writing command of a second one says who holds it, in one line, and
changes nothing; once the holder is killed (kill -9, a crash), its lock does not block the
researcher: the same command then works.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.crash_support import hold_project, integrity, run_cli
from tests.hardening_support import fingerprint, make_project, tone_wav


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str], dict[str, Path | str]]]:
    folder = tmp_path / "Study.fieldscribe"
    session = make_project(folder, tone_wav(tmp_path / "first.wav"))
    other = tmp_path / "Other.fieldscribe"
    make_project(other, tone_wav(tmp_path / "other.wav", freq=300.0))
    bundle = tmp_path / "other.fsbundle"
    assert run_cli("bundle", "export", other, "-o", bundle).returncode == 0
    things: dict[str, Path | str] = {
        "session": session,
        "audio": tone_wav(tmp_path / "new.wav", freq=500.0),
        "bundle": bundle,
        "segment": str(run_cli("segments", folder, "--session", session, "--json").stdout),
    }
    holder = hold_project(folder)
    try:
        yield folder, holder, things
    finally:
        holder.kill()
        holder.wait()


def _first_segment(listing: str) -> str:
    found = re.search(r'"id": "([0-9a-f-]{36})"', listing)
    assert found is not None, listing
    return found.group(1)


COMMANDS: dict[str, Callable[[Path, dict[str, Path | str]], list[object]]] = {
    "import": lambda d, t: ["import", d, t["audio"]],
    "code": lambda d, t: ["code", d, "--segment", _first_segment(str(t["segment"])), "--code", "X"],
    "languages": lambda d, t: ["languages", d, "--set", "kk"],
    "merge": lambda d, t: ["bundle", "merge", d, t["bundle"], "--allow-other-project"],
    "pseudonym": lambda d, t: ["pseudonym", d, "--set", "clinic=hospital"],
    "delete-session": lambda d, t: ["delete-session", d, "--session", t["session"], "--force"],
    "segment-text": lambda d, t: ["segment-text", d, _first_segment(str(t["segment"])), "new"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_second_writer_is_told_who_holds_the_project_then_takes_over_after_a_kill(
    held: tuple[Path, subprocess.Popen[str], dict[str, Path | str]], name: str
) -> None:
    folder, holder, things = held
    args = COMMANDS[name](folder, things)
    before = fingerprint(folder)

    refused = run_cli(*args)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "is in use by FieldScribe on " in lines[0], refused.stderr
    assert f"(pid {holder.pid}, since " in lines[0]
    assert fingerprint(folder) == before  # nothing changed, not even a coder registered

    holder.send_signal(signal.SIGKILL)  # the holder crashes: its lock must not block anyone
    holder.wait()
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    assert integrity(folder) == "ok"

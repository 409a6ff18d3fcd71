"""Hidden builds of new projects (``.NAME.creating-PID-...``) that a creator killed half-way
left beside the projects (SIGKILL: a flat battery): they can hold the audio of a bundle or a
.qdpx. Creating or opening any project in the same folder removes those of every name, says so
in one line, and never touches a build whose creator still runs (on this host or, by its lock
file, on another one).

Before, a build was only removed when the same name was created again: a killed
``new --from-bundle A`` kept A's interviews in a hidden folder for as long as nobody made A.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main as cli_main
from tests.crash_support import run_cli, run_killed_at
from tests.hardening_support import make_project, tone_wav


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    """A bundle with its audio and a .qdpx of the same project, outside the folder tested."""
    lead = tmp_path / "lead" / "lead.fieldscribe"
    make_project(lead, tone_wav(tmp_path / "tone.wav"))
    bundle, qdpx = tmp_path / "lead.fsbundle", tmp_path / "lead.qdpx"
    assert cli_main(["bundle", "export", str(lead), "-o", str(bundle), "--with-media"]) == 0
    assert cli_main(["qdpx", "export", str(lead), "-o", str(qdpx)]) == 0
    return bundle, qdpx


def _builds(parent: Path) -> list[Path]:
    return sorted(p for p in parent.iterdir() if ".creating-" in p.name)


def _killed_builds(parent: Path, sources: tuple[Path, Path]) -> list[Path]:
    """Two creators of two names killed with their builds filled (audio included); each in
    a folder of its own first (a creator sweeps the other's), then both moved into ``parent``."""
    bundle, qdpx = sources
    commands = {
        "A": ["new", "A.fieldscribe", "--from-bundle", bundle, "--coder", "bob"],
        "B": ["qdpx", "import", qdpx, "B.fieldscribe"],
    }
    for name, command in commands.items():
        aside = parent.parent / f"aside-{name}"
        aside.mkdir()
        args = [aside / a if a == f"{name}.fieldscribe" else a for a in command]
        run_killed_at("storage.project:move_into_place", *args)
        for build in _builds(aside):
            build.rename(parent / build.name)
    builds = _builds(parent)
    assert [b.name.split(".creating-")[0] for b in builds] == [".A.fieldscribe", ".B.fieldscribe"]
    assert list((builds[0] / "media").glob("*.wav"))  # the bundle's interview, hidden there
    return builds


@pytest.mark.parametrize("how", ["new", "open"])
def test_any_project_made_or_opened_beside_them_removes_both(
    tmp_path: Path, sources: tuple[Path, Path], how: str
) -> None:
    parent = tmp_path / "projects"
    parent.mkdir()
    if how == "open":
        make_project(parent / "C.fieldscribe", tone_wav(tmp_path / "c.wav"))
    _killed_builds(parent, sources)
    if how == "new":
        done = run_cli("new", parent / "C.fieldscribe", "--coder", "ann")
    else:  # any command that opens it for writing
        done = run_cli("languages", parent / "C.fieldscribe", "--set", "ru")
    assert done.returncode == 0, done.stderr
    assert _builds(parent) == []
    told = [line for line in done.stderr.splitlines() if "half-made" in line]
    assert len(told) == 1, done.stderr
    assert "2 half-made projects (A.fieldscribe, B.fieldscribe)" in told[0]
    # and nothing is left to tell the next time
    again = run_cli("languages", parent / "C.fieldscribe", "--set", "kk")
    assert again.returncode == 0 and "half-made" not in again.stderr


def test_a_build_whose_creator_runs_is_kept(tmp_path: Path, sources: tuple[Path, Path]) -> None:
    parent = tmp_path / "projects"
    parent.mkdir()
    dead = _killed_builds(parent, sources)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # a creator still running here (its pid in the name), and one on another computer
        # sharing the folder (its pid means nothing here; its lock file names its host)
        running = parent / f".D.fieldscribe.creating-{alive.pid}-abcd1234"
        elsewhere = dead[1].with_name(dead[1].name.replace(".B.", ".E."))
        for build in (running, elsewhere):
            build.mkdir()
            (build / "media").mkdir()
            (build / "media" / "x.wav").write_bytes(b"RIFF")
        (elsewhere / "project.lock").write_text(
            json.dumps({"pid": 1, "host": "field-laptop-2", "since": "-"}), encoding="utf-8"
        )
        done = run_cli("new", parent / "C.fieldscribe", "--coder", "ann")
        assert done.returncode == 0, done.stderr
        assert _builds(parent) == sorted([running, elsewhere])
        assert (running / "media" / "x.wav").read_bytes() == b"RIFF"
    finally:
        alive.kill()
        alive.wait()


def test_a_build_whose_number_a_restart_gave_to_another_program_is_removed(
    tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    """The laptop died and restarted: the killed creator's process number now belongs to
    another program (here: this test's). Its lock file says it took the lock, and nobody holds
    it: a live creator would, so the build is abandoned all the same."""
    import os
    import socket

    parent = tmp_path / "projects"
    parent.mkdir()
    dead = _killed_builds(parent, sources)[0]
    reused = dead.with_name(dead.name.split(".creating-")[0] + f".creating-{os.getpid()}-zz9")
    dead.rename(reused)
    (reused / "project.lock").write_text(
        json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": "-"}),
        encoding="utf-8",
    )
    done = run_cli("new", parent / "C.fieldscribe", "--coder", "ann")
    assert done.returncode == 0, done.stderr
    assert not reused.exists()
    assert "2 half-made projects" in done.stderr

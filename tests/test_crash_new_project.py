"""A project made from a bundle (``new --from-bundle``) or a .qdpx (``qdpx import``) with the
process killed half-way (SIGKILL: a flat battery): no empty project is left under the name, and
the same command run again makes the whole project.

Before, the folder was created first and filled after, so a kill in between left an empty
project that opened and listed no sessions (it looked like an empty bundle), and
``new --from-bundle`` run again was refused: "already exists and is not empty".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main as cli_main
from tests.crash_support import count, integrity, run_cli, run_killed_at
from tests.hardening_support import make_project, tone_wav


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    lead = tmp_path / "lead.fieldscribe"
    make_project(lead, tone_wav(tmp_path / "tone.wav"))
    out = tmp_path / "lead.fsbundle"
    assert cli_main(["bundle", "export", str(lead), "-o", str(out), "--with-media"]) == 0
    return out


@pytest.fixture
def qdpx(tmp_path: Path) -> Path:
    lead = tmp_path / "lead.fieldscribe"
    make_project(lead, tone_wav(tmp_path / "tone.wav"))
    out = tmp_path / "lead.qdpx"
    assert cli_main(["qdpx", "export", str(lead), "-o", str(out)]) == 0
    return out


def _whole(folder: Path) -> None:
    assert integrity(folder) == "ok"
    assert (count(folder, "sessions"), count(folder, "segments"), count(folder, "codings")) == (
        1,
        2,
        1,
    )
    assert count(folder, "media") == len(list((folder / "media").glob("*.wav"))) == 1


def _nothing_left(folder: Path) -> None:
    """No project under the name, and (once the next creator swept it) no hidden build."""
    assert not (folder / "project.db").exists()


@pytest.mark.parametrize(
    ("target", "after"),
    [
        ("storage.team.merge:MergeSession.merge", False),  # the bundle's rows being written
        ("storage.project:move_into_place", False),  # filled, not yet in place
    ],
)
def test_new_from_bundle_killed_leaves_no_empty_project(
    tmp_path: Path, bundle: Path, target: str, after: bool
) -> None:
    folder = tmp_path / "copy.fieldscribe"
    args = ("new", folder, "--from-bundle", bundle, "--coder", "bob")
    run_killed_at(target, *args, after=after)
    _nothing_left(folder)
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    _whole(folder)
    # the killed run's hidden build was swept by the next creator of the name
    assert [p.name for p in tmp_path.iterdir() if ".creating-" in p.name] == []


def test_qdpx_import_killed_leaves_no_empty_project(tmp_path: Path, qdpx: Path) -> None:
    folder = tmp_path / "imported.fieldscribe"
    run_killed_at("storage.interop.qdpx_import:_import_read", "qdpx", "import", qdpx, folder)
    _nothing_left(folder)
    done = run_cli("qdpx", "import", qdpx, folder, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["project"] == str(folder)  # not the hidden build folder
    _whole(folder)

"""``bundle export --with-media`` killed (SIGKILL) while it wrote the bundle: the bundle is written
under a hidden name beside the file asked for (``.NAME.part``, on a USB stick, a shared drive)
and renamed when whole. Killed before the rename, that half-written bundle (already holding the
database, and the recordings written so far) stayed there for good, where nothing of
FieldScribe looks. Now the export notes it in its private temporary folder, and the next
FieldScribe to start removes it (zeroed first) with that folder, saying so in one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crash_support import run_cli, run_killed_at
from tests.hardening_support import make_project, tone_wav


@pytest.fixture(autouse=True)
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))  # the subprocesses' temporary folder
    return tmp_path / "tmp"


@pytest.mark.parametrize(
    ("target", "nth"),
    [("zipfile:ZipFile.write", 2), ("os:replace", 1)],  # writing the audio; whole, not renamed
)
def test_a_bundle_export_killed_half_way_leaves_no_hidden_bundle(
    tmp_path: Path, own_tmp: Path, target: str, nth: int
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "first.wav", seconds=3.0))
    stick = tmp_path / "stick"
    stick.mkdir()
    out = stick / "study.fsbundle"
    command = ("bundle", "export", folder, "-o", out, "--with-media")
    run_killed_at(target, *command, nth=nth)
    assert [p.name for p in stick.iterdir()] == [".study.fsbundle.part"]
    assert list(own_tmp.iterdir())  # the export's private folder (its snapshot)

    done = run_cli("sessions", folder)  # the next FieldScribe to start
    assert done.returncode == 0, done.stderr
    told = [line for line in done.stderr.splitlines() if "half-written export" in line]
    assert len(told) == 1 and str(stick / ".study.fsbundle.part") in told[0], done.stderr
    assert list(stick.iterdir()) == [] and list(own_tmp.iterdir()) == []

    again = run_cli(*command)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in stick.iterdir()] == ["study.fsbundle"]

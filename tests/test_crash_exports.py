"""``bundle export --with-media`` and ``qdpx export`` killed (SIGKILL) while they wrote: the file is
written under a hidden name beside the one asked for (``.NAME.part``, on a USB stick, a shared
drive) and renamed when whole. Killed before the rename, that half-written export (already
holding the transcripts, and the recordings written so far) stayed there for good, where
nothing of FieldScribe looks. Now the export notes it in its private temporary folder, and the
next FieldScribe to start removes it (zeroed first) with that folder, saying so in one line.
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
    ("kind", "target", "nth"),
    [
        ("bundle", "zipfile:ZipFile.write", 2),  # writing the audio
        ("bundle", "os:replace", 1),  # whole, not renamed
        ("qdpx", "zipfile:ZipFile.open", 2),  # the .qde written, writing the audio
        ("qdpx", "os:replace", 1),
    ],
)
def test_an_export_killed_half_way_leaves_no_hidden_file(
    tmp_path: Path, own_tmp: Path, kind: str, target: str, nth: int
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "first.wav", seconds=3.0))
    stick = tmp_path / "stick"
    stick.mkdir()
    out = stick / ("study.fsbundle" if kind == "bundle" else "study.qdpx")
    command: tuple[object, ...] = (
        ("bundle", "export", folder, "-o", out, "--with-media")
        if kind == "bundle"
        else ("qdpx", "export", folder, "-o", out)
    )
    run_killed_at(target, *command, nth=nth)
    assert [p.name for p in stick.iterdir()] == [f".{out.name}.part"]
    assert list(own_tmp.iterdir())  # the export's private folder

    done = run_cli("sessions", folder)  # the next FieldScribe to start
    assert done.returncode == 0, done.stderr
    told = [line for line in done.stderr.splitlines() if "half-written export" in line]
    assert len(told) == 1 and str(stick / f".{out.name}.part") in told[0], done.stderr
    assert list(stick.iterdir()) == [] and list(own_tmp.iterdir()) == []

    again = run_cli(*command)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in stick.iterdir()] == [out.name]

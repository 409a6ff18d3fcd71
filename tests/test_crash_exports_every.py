"""Every export the person writes to a drive of their choice, killed (SIGKILL) just before its
rename: the transcript exports (txt, docx, srt, vtt, json), the codings (csv, xlsx) and an
encrypted bundle. Each is written under a hidden ``.NAME.part`` beside the file asked for (the
transcript text, or an encrypted bundle), which a kill left there for good: now every one is
noted through the one path all of them write by (``atomic.staged(..., chosen=True)``) and the
next FieldScribe to start removes it, saying so in one line.
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


@pytest.mark.parametrize("name", ["txt", "docx", "srt", "vtt", "json", "csv", "xlsx", "sealed"])
def test_an_export_killed_before_its_rename_leaves_no_hidden_file(
    tmp_path: Path, own_tmp: Path, name: str
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    session = make_project(folder, tone_wav(tmp_path / "first.wav", seconds=1.0))
    stick = tmp_path / "stick"
    stick.mkdir()
    command: tuple[object, ...]
    nth = 1
    if name in ("csv", "xlsx"):
        out = stick / f"codings.{name}"
        command = ("export-codings", folder, "-o", out)
    elif name == "sealed":
        out = stick / "study.fsbundle"
        secret = tmp_path / "passphrase.txt"
        secret.write_text("correct horse battery staple\n", encoding="utf-8")
        command = ("bundle", "export", folder, "-o", out, "--encrypt", "--passphrase-file", secret)
        nth = 2  # the clear bundle in a private folder, then the encrypted one beside ``out``
    else:
        out = stick / f"interview.{name}"
        command = ("export", folder, "--session", session, "--format", name, "-o", out)
    run_killed_at("os:replace", *command, nth=nth)
    part = stick / f".{out.name}.part"
    assert list(stick.iterdir()) == [part]

    done = run_cli("sessions", folder)  # the next FieldScribe to start
    assert done.returncode == 0, done.stderr
    told = [line for line in done.stderr.splitlines() if "half-written export" in line]
    assert len(told) == 1 and str(part) in told[0], done.stderr
    assert list(stick.iterdir()) == [] and list(own_tmp.iterdir()) == []

    again = run_cli(*command)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in stick.iterdir()] == [out.name]
    assert list(own_tmp.iterdir()) == []  # nothing of the export's noting stays behind

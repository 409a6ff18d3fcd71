"""``record``: the project is checked before the microphone, and Qt's chatter stays off the
terminal (only FieldScribe's own lines on stderr)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from storage import Project
from tests.audio_fixtures import PulseMic

ROOT = Path(__file__).resolve().parent.parent


def _record(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "record", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_the_project_is_checked_before_the_microphone(tmp_path: Path) -> None:
    out = _record(str(tmp_path / "nope"), "--seconds", "2", "--device", "no-such-mic")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        f"fieldscribe: error: {tmp_path / 'nope'}: no such project folder."
    ]


@pytest.mark.audio
def test_record_prints_only_its_own_lines(pulse_mic: PulseMic, tmp_path: Path) -> None:
    folder = tmp_path / "Field.fieldscribe"
    Project.create(folder, coder="coder-a").close()
    out = _record(str(folder), "--seconds", "1", "--device", "fs_mic")
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert lines and all(line.startswith(("recording ", "warning: ")) for line in lines), lines

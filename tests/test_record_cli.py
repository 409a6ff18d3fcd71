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


@pytest.mark.audio
def test_record_counts_its_markers_in_words(pulse_mic: PulseMic, tmp_path: Path) -> None:
    """The summary line said "… 0:03.000  1 markers"; "q" stops it before its 60 s."""
    import threading
    import time

    folder = tmp_path / "Field.fieldscribe"
    Project.create(folder, coder="coder-a").close()
    proc = subprocess.Popen(
        [sys.executable, "main.py", "record", str(folder), "--device", "fs_mic", "--seconds", "60"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stderr is not None
    said: list[str] = []

    def read() -> None:
        for line in proc.stderr or []:
            said.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while not any(line.startswith("marker ") for line in said) and time.monotonic() < deadline:
        proc.stdin.write("m\n")  # refused until the microphone delivers audio
        proc.stdin.flush()
        time.sleep(0.5)
    proc.stdin.write("q\n")
    proc.stdin.flush()
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, said
    assert out.rstrip().endswith("  1 marker"), out

"""``record`` killed (SIGKILL: the laptop's battery ran out) while it records from the virtual
microphone: the project opens and passes ``PRAGMA integrity_check``, ``sessions`` offers the
interrupted recording back, and ``recover`` makes it a session holding the audio up to at most
two seconds before the kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import Project
from tests.audio_fixtures import PulseMic
from tests.crash_support import ROOT, count, integrity, rows, run_cli


@pytest.mark.audio
def test_record_killed_keeps_the_audio_up_to_two_seconds_before(
    pulse_mic: PulseMic, tmp_path: Path
) -> None:
    folder = tmp_path / "Field.fieldscribe"
    Project.create(folder, coder="coder-a").close()
    proc = subprocess.Popen(
        [sys.executable, "main.py", "record", str(folder), "--device", "fs_mic", "--seconds", "60"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        wavs: list[Path] = []
        while not wavs and time.monotonic() < deadline:  # the first audio arrived
            wavs = [p for p in (folder / "recordings").rglob("*.wav") if p.stat().st_size > 44]
            time.sleep(0.05)
        assert wavs, "the recording never started"
        started = time.monotonic()
        time.sleep(5.0)
        os.kill(proc.pid, signal.SIGKILL)
        recorded_ms = (time.monotonic() - started) * 1000
    finally:
        proc.kill()
        proc.wait()

    assert integrity(folder) == "ok"
    listed = run_cli("sessions", folder)
    assert listed.returncode == 0 and "1 recording interrupted" in listed.stdout, listed.stdout
    recovered = run_cli("recover", folder)
    assert recovered.returncode == 0, recovered.stderr
    assert count(folder, "sessions") == 1
    duration = int(str(rows(folder, "SELECT duration_ms FROM media")[0][0]))
    assert recorded_ms - 2000 <= duration <= recorded_ms + 1000, (duration, recorded_ms)
    again = run_cli("recover", folder)  # nothing twice
    assert again.returncode == 0 and count(folder, "sessions") == 1

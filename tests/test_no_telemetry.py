"""Transcribing writes nothing outside FieldScribe's own folders: no telemetry of a dependency.

onnxruntime 1.32, which runs faster-whisper's voice detection, created
``~/.cache/Microsoft/DeveloperTools/.onnxruntime/deviceid`` and an ``onnxruntime.db`` holding a
queued usage event the first time FieldScribe transcribed anything (found by listing a fresh
HOME after the demo was transcribed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_timing_a_model_leaves_only_fieldscribe_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "models", "speed", "tiny.en"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "real time" in done.stdout  # the voice detection ran: onnxruntime was loaded
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    assert written, "the speed measurement keeps its result in the models folder"
    others = [p for p in written if not p.startswith(".cache/fieldscribe/")]
    assert others == [], others

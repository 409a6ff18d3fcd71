"""`fieldscribe import` with recordings as users bring them: several audio tracks, odd names."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from storage import Project
from storage.core.audio import ffmpeg_path, probe
from tests.hardening_support import run_cli, tone_wav


def _two_tracks(tmp_path: Path) -> Path:
    """A Matroska file with two mono audio tracks (220 Hz, then 880 Hz), as a camera or a
    two-microphone recorder writes them."""
    first = tone_wav(tmp_path / "first.wav", seconds=2.0, freq=220)
    second = tone_wav(tmp_path / "second.wav", seconds=2.0, freq=880)
    dest = tmp_path / "два микрофона.mkv"
    inputs = ["-i", str(first), "-i", str(second), "-map", "0:a", "-map", "1:a"]
    subprocess.run(
        [ffmpeg_path(), "-y", "-loglevel", "error", *inputs, "-c:a", "flac", str(dest)],
        check=True,
        capture_output=True,
    )
    return dest


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "Study.fieldscribe"
    Project.create(folder, coder="coder-a").close()
    return folder


def test_probe_counts_the_audio_tracks(tmp_path: Path) -> None:
    assert probe(_two_tracks(tmp_path)).audio_tracks == 2
    assert probe(tone_wav(tmp_path / "one.wav")).audio_tracks == 1


def test_a_second_audio_track_is_named_not_silently_left_out(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _two_tracks(tmp_path)
    code, out, err = run_cli(capsys, "import", folder, src, "--json")
    assert code == 0, err
    (session,) = json.loads(out)  # stdout stays JSON
    assert session["title"] == "два микрофона"
    assert "has 2 audio tracks" in err and "only the first" in err and "-map 0:a:1" in err
    # one track: no note
    code, out, err = run_cli(capsys, "import", folder, tone_wav(tmp_path / "one.wav", freq=330))
    assert code == 0 and err == ""

"""Real audio for tests: espeak-ng speech converted by the real ffmpeg into many formats."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from storage.core.audio import ffmpeg_path


def espeak(path: Path, text: str, voice: str = "en-us", speed: int = 150) -> Path:
    """Speak ``text`` into a WAV file with espeak-ng."""
    if shutil.which("espeak-ng") is None:
        import pytest

        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


def convert(src: Path, dest: Path, *extra: str) -> Path:
    """Convert audio with ffmpeg (format chosen by the extension)."""
    subprocess.run(
        [ffmpeg_path(), "-y", "-loglevel", "error", "-i", str(src), *extra, str(dest)],
        check=True,
        capture_output=True,
    )
    return dest


def video_with_audio(src: Path, dest: Path) -> Path:
    """Make a small video (a black frame track) carrying ``src`` as its audio track."""
    subprocess.run(
        [
            ffmpeg_path(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=black:s=64x64:r=5",
            "-i",
            str(src),
            "-shortest",
            *(["-c:v", "libvpx", "-c:a", "libopus"] if dest.suffix == ".webm" else []),
            str(dest),
        ],
        check=True,
        capture_output=True,
    )
    return dest

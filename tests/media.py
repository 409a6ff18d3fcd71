"""Real audio for tests: espeak-ng speech converted by the real ffmpeg into many formats, and
real Russian speech (a person reading) from Debian's festvox-ru."""

from __future__ import annotations

import os
import re
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


# Real Russian speech: the 620 sentences a man read for Festival's Russian voice (Debian's
# festvox-ru, BSD-like licence, Nickolay V. Shmyrev 2005), 16 kHz, each with its text.
# scripts/setup.sh --with-test-speech installs it; FESTVOX_RU names another voice folder.
REAL_RU = Path(
    os.environ.get("FESTVOX_RU", "/usr/share/festival/voices/russian/msu_ru_nsh_clunits")
)


def real_russian(index: int) -> tuple[Path, str]:
    """Sentence ``index`` (0-based) of festvox-ru: its recording and what was said."""
    done = REAL_RU / "etc" / "txt.done.data"
    if not done.exists():
        raise FileNotFoundError(
            f"real Russian speech not found in {REAL_RU}: scripts/setup.sh --with-test-speech "
            "(or apt-get install festvox-ru, or set FESTVOX_RU to the voice folder)"
        )
    line = done.read_text(encoding="utf-8").splitlines()[index]
    match = re.match(r'\(\s*(\S+)\s+"(.*)"\s*\)', line)
    if match is None:
        raise ValueError(f"unexpected line in {done}: {line!r}")
    name, text = match.groups()
    text = text.replace("+", "")  # the reader's stress marks
    text = re.sub(r"\s+([,.!?])", r"\1", text).replace(" - ", " – ")
    return REAL_RU / "wav" / f"{name}.wav", text


# Real Kazakh speech: two utterances of one speaker from IS2AI's Kazakh-Speech-Commands-Dataset
# (Apache-2.0), each with its text (tests/data/kazakh/README.md).
REAL_KK = Path(__file__).parent / "data" / "kazakh"
REAL_KK_COUNT = 2


def real_kazakh(index: int) -> tuple[Path, str]:
    """Utterance ``index`` (0-based) of the real Kazakh speech: its recording and what was said."""
    stem = REAL_KK / f"ksc_example_{index + 1}"
    return stem.with_suffix(".flac"), stem.with_suffix(".txt").read_text(encoding="utf-8").strip()


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

"""Real audio for transcription tests: espeak-ng sentences with pauses, quiet noise."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.media import espeak

SENTENCES = [
    "The committee met on Tuesday to discuss the new library budget.",
    "Several residents asked why the evening bus was cancelled last winter.",
    "The mayor promised a public meeting in the spring.",
    "People in the village said the internet is too slow for online forms.",
    "Nobody knew where to find the paper application.",
    "The clinic now books appointments by telephone and by email.",
]


def sox(*args: str | Path) -> None:
    """Run sox (raises on failure)."""
    subprocess.run(["sox", *map(str, args)], check=True, capture_output=True)


def speech_with_pauses(folder: Path, sentences: list[str], pause_s: float = 1.0) -> Path:
    """16 kHz mono WAV of the sentences, spoken in turn by two voices, with pauses between.

    Each sentence's part is ``p{i}.wav``. A sentence said again in the same voice is espeak-ng's
    same bytes, so its part is copied (sox's dither, random in every run, is then the same in
    both): ``SENTENCES * 20``, ten minutes, ran espeak-ng and sox 120 times each, 3.1 s of CPU
    and 6.3 s of wall on a loaded 2-core machine; with 12 of each, 0.3 s and 0.4 s."""
    parts: list[Path] = []
    made: dict[tuple[str, str], Path] = {}
    for i, text in enumerate(sentences):
        voice = "en-us" if i % 2 == 0 else "en-gb"
        part = folder / f"p{i}.wav"
        if (text, voice) in made:
            shutil.copyfile(made[text, voice], part)
        else:
            raw = espeak(folder / f"s{i}.wav", text, voice=voice)
            sox(raw, "-r", "16000", "-c", "1", part, "pad", "0", str(pause_s))
            made[text, voice] = part
        parts.append(part)
    out = folder / "speech.wav"
    sox(*parts, out, "pad", "0.5", "0")
    return out


def quiet_noise(path: Path, seconds: float) -> Path:
    """Near-silence: very low white noise."""
    sox("-n", "-r", "16000", "-c", "1", path, "synth", str(seconds), "whitenoise", "vol", "0.002")
    return path


def normalise(text: str) -> str:
    """Lower case words without punctuation (for WER)."""
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of normalised texts."""
    import jiwer

    return float(jiwer.wer(normalise(reference), normalise(hypothesis) or "<empty>"))

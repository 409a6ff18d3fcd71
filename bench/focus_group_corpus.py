"""A focus group is not a reading: recordings of a table of speakers (for benches).

``build(folder, name)`` writes ``NAME.wav`` (16 kHz mono; one round, whatever the bench's
``--rounds``) and returns the reference turns (what
each speaker said, with times and languages) and the stretches where something other than a
turn is heard (``Sound``: laughter, applause, music, a television, crosstalk), so that a bench
can count the words written where nobody at the table said any. Built the same, bit for bit,
every time (``sox -R``, seeded noise).

Recordings (``NAMES``):

- ``focus-overlap``: the next speaker starts before the last one has finished (0.8 to 1.5 s of
  both at once), and back-channels ("да-да", "конечно", "иә") said over a speaker. Their
  turns are ``aside``: the bench leaves them out of lost, language and script counts.
- ``focus-laughter``: the room laughs (2.5 s), claps (3 s) or everyone talks at once (5 s)
  between turns, and laughs over the start of one.
- ``focus-tv``: a television plays speech 20 dB below the speaker throughout, heard alone in
  the pauses between turns, and music plays in one pause and under one turn.
- ``focus-far``: speakers near the microphone and far from it (15 dB quieter, reverberant).
- ``focus-farther``: the same turns, the far speakers 22 dB quieter (a participant about twelve
  times farther from the recorder than the others: as quiet as the television of ``focus-tv``).
- ``focus-two``: two people talk at once (4 s, neither giving way) three times between turns.

Real speech: the main speakers are the festvox-ru reader (sentences 100 and on, none used by
``bench/language_corpus.py``), turned into other speakers with sox ``pitch``/``tempo``, and the
two real Kazakh utterances (``tests/data/kazakh``). English turns and back-channels are
espeak-ng. Synthetic, and only an approximation of the real thing: the laughter (voiced "ha"
pulses of a few people), the applause (dense random claps), the music (plucked chords over a
beat). The television is real speech (festvox-ru, pitched down, telephone band).
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from language_corpus import EN_MORE, Turn, sox

from tests.media import real_kazakh, real_russian

RATE = 16000
NAMES = ("focus-overlap", "focus-laughter", "focus-tv", "focus-far", "focus-farther",
         "focus-two")  # fmt: skip

# Speakers: sox effects that make the festvox reader another person at the table.
VOICE = {
    "a": [],
    "b": ["pitch", "350", "tempo", "1.06"],
    "c": ["pitch", "-250", "tempo", "0.95"],
    "d": ["pitch", "600", "tempo", "1.1"],
}
FAR = ["gain", "-15", "reverb", "60", "50", "100"]  # across the room from the microphone
FARTHER = ["gain", "-22", "reverb", "60", "50", "100"]  # as quiet as a television
TV = ["pitch", "-200", "highpass", "300", "lowpass", "3400"]  # a television's speaker


@dataclass
class Sound:
    """Something heard that is not a turn at the table (seconds): what it is, and for a
    television the words it says."""

    kind: str  # "laughter", "applause", "music", "tv", "crosstalk"
    start: float
    end: float
    text: str = ""


@dataclass
class _Part:
    samples: np.ndarray
    start: float


def _load(path: Path, effects: list[str], folder: Path) -> np.ndarray:
    """A recording as 16 kHz mono float samples, silence trimmed at both ends, with sox
    ``effects`` applied."""
    out = folder / "_part.f32"
    sox(path, "-r", str(RATE), "-c", "1", "-b", "32", "-e", "floating-point", "-t", "f32", out,
        "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse",
        *effects)  # fmt: skip
    samples = np.fromfile(out, dtype=np.float32)
    out.unlink()
    return samples


def _speech(text: str, language: str, folder: Path, effects: list[str]) -> tuple[np.ndarray, str]:
    """A turn's samples and what it says: "@N" festvox-ru sentence N, "@kk:N" real Kazakh
    utterance N, else ``text`` spoken by espeak-ng in ``language``."""
    if text.startswith("@kk:"):
        path, said = real_kazakh(int(text[4:]))
    elif text.startswith("@"):
        path, said = real_russian(int(text[1:]))
    else:
        path, said = folder / "_espeak.wav", text
        voice = {"en": "en-us", "ru": "ru", "kk": "kk"}[language]
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True,
                       capture_output=True)  # fmt: skip
    samples = _load(path, effects, folder)
    if path.name == "_espeak.wav":
        path.unlink()
    return samples, said


def _laughter(seconds: float, rng: np.random.Generator, people: int = 4) -> np.ndarray:
    """A few people laughing: trains of voiced "ha" pulses (a sawtooth at each one's pitch with
    breath noise, 4-6 a second). Synthetic."""
    n = int(seconds * RATE)
    out = np.zeros(n, dtype=np.float32)
    t = np.arange(n) / RATE
    for _ in range(people):
        f0 = rng.uniform(140, 320)
        rate = rng.uniform(4.0, 6.0)
        pitch = f0 * (1 + 0.15 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)))
        voiced = 2 * ((np.cumsum(pitch) / RATE) % 1.0) - 1
        breath = rng.normal(0, 0.5, n)
        pulses = np.clip(np.sin(2 * np.pi * rate * t + rng.uniform(0, 6)), 0, None) ** 3
        fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.4)
        out += (0.6 * voiced + 0.4 * breath) * pulses * fade * rng.uniform(0.5, 1.0)
    return (0.12 * out / max(1e-9, float(np.abs(out).max()))).astype(np.float32)


def _applause(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Hands clapping: many short decaying noise bursts at random times. Synthetic."""
    n = int(seconds * RATE)
    out = np.zeros(n + RATE // 20, dtype=np.float32)
    click = np.exp(-np.arange(RATE // 50) / (RATE * 0.003))
    for at in rng.integers(0, n, int(seconds * 60)):
        burst = rng.normal(0, 1, click.size) * click * rng.uniform(0.3, 1.0)
        out[at : at + click.size] += burst
    out = out[:n] * np.minimum(1.0, np.minimum(np.arange(n), n - np.arange(n)) / (0.3 * RATE))
    return (0.15 * out / max(1e-9, float(np.abs(out).max()))).astype(np.float32)


def _music(seconds: float, rng: np.random.Generator, level: float = 0.12) -> np.ndarray:
    """Plucked chords over a beat (a radio's song, roughly). Synthetic."""
    n = int(seconds * RATE)
    out = np.zeros(n, dtype=np.float32)
    chords = [(261.6, 329.6, 392.0), (220.0, 261.6, 329.6), (174.6, 220.0, 261.6),
              (196.0, 246.9, 293.7)]  # fmt: skip
    beat = int(0.5 * RATE)
    for k, at in enumerate(range(0, n, beat)):
        length = min(beat * 2, n - at)
        t = np.arange(length) / RATE
        env = np.exp(-t * 3.0)
        for f in chords[(k // 4) % len(chords)]:
            out[at : at + length] += (
                np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t)
            ) * env
        kick = min(int(0.08 * RATE), n - at)
        tk = np.arange(kick) / RATE
        out[at : at + kick] += 1.5 * np.sin(2 * np.pi * 60 * tk) * np.exp(-tk * 40)
    out += rng.normal(0, 0.02, n)
    return (level * out / max(1e-9, float(np.abs(out).max()))).astype(np.float32)


def _gain(samples: np.ndarray, db: float) -> np.ndarray:
    return (samples * 10 ** (db / 20)).astype(np.float32)


class _Table:
    """The parts of a recording on one timeline, the reference turns and the other sounds."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.parts: list[_Part] = []
        self.turns: list[Turn] = []
        self.sounds: list[Sound] = []
        self.t = 0.3  # where the next turn starts when it follows a pause

    def say(self, text: str, language: str, voice: str = "a", at: float | None = None,
            far: list[str] | None = None, aside: bool = False,
            db: float = 0.0) -> Turn:  # fmt: skip
        effects = [*VOICE[voice], *(far or [])]
        samples, said = _speech(text, language, self.folder, effects)
        start = self.t if at is None else at
        samples = _gain(samples, db)
        self.parts.append(_Part(samples, start))
        turn = Turn(said, language, start, start + samples.size / RATE, aside=aside)
        self.turns.append(turn)
        if not aside:
            self.t = max(self.t, turn.end)
        return turn

    def pause(self, seconds: float) -> None:
        self.t += seconds

    def sound(self, kind: str, samples: np.ndarray, at: float | None = None,
              text: str = "") -> Sound:  # fmt: skip
        start = self.t if at is None else at
        self.parts.append(_Part(samples, start))
        sound = Sound(kind, start, start + samples.size / RATE, text)
        self.sounds.append(sound)
        if at is None:
            self.t = sound.end
        return sound

    def write(self, path: Path, noise_level: float, rng: np.random.Generator) -> None:
        total = max(p.start + p.samples.size / RATE for p in self.parts) + 0.5
        mix = rng.normal(0, noise_level, int(total * RATE)).astype(np.float32)
        mix = np.convolve(mix, np.ones(8, dtype=np.float32) / 8, mode="same")  # room hum, not hiss
        for p in self.parts:
            at = int(p.start * RATE)
            mix[at : at + p.samples.size] += p.samples
        peak = float(np.abs(mix).max())
        if peak > 0.98:
            mix *= 0.98 / peak
        raw = self.folder / "_mix.f32"
        mix.astype(np.float32).tofile(raw)
        sox("-r", str(RATE), "-c", "1", "-b", "32", "-e", "floating-point", "-t", "f32", raw,
            "-b", "16", path)  # fmt: skip
        raw.unlink()


def _crosstalk(
    folder: Path, seconds: float, voices: list[tuple[str, str, list[str]]] | None = None
) -> np.ndarray:
    """Several people talking at once (``_speech`` texts, languages and sox effects; by
    default four: festvox-ru sentences in other voices and English espeak-ng), cut to
    ``seconds``."""
    if voices is None:
        voices = [("@120", "ru", VOICE["b"]), ("@121", "ru", VOICE["c"]),
                  ("@122", "ru", VOICE["d"]), (EN_MORE[3], "en", [])]  # fmt: skip
    n = int(seconds * RATE)
    out = np.zeros(n, dtype=np.float32)
    for k, (text, lang, effects) in enumerate(voices):
        samples, _ = _speech(text, lang, folder, effects)
        lag = int(0.3 * k * RATE)
        take = samples[: n - lag]
        out[lag : lag + take.size] += _gain(take, -3.0)
    fade = np.minimum(1.0, np.minimum(np.arange(n), n - np.arange(n)) / (0.2 * RATE))
    return (out * fade).astype(np.float32)


def _overlap(table: _Table) -> None:
    say = table.say
    say("@100", "ru", "a")
    last = say("@101", "ru", "b", at=table.t - 1.2)  # starts over the end of the last turn
    table.pause(0.6)
    long = say("@102", "ru", "a")
    say("да-да", "ru", "c", at=(long.start + long.end) / 2, aside=True, db=-4)
    say("@kk:0", "kk", "a", at=table.t - 0.8)
    table.pause(0.5)
    last = say("@103", "ru", "c")
    say("иә", "kk", "a", at=last.start + 1.5, aside=True, db=-4)
    say(EN_MORE[0], "en", at=table.t - 1.0)
    table.pause(0.5)
    last = say("@104", "ru", "a")
    say("конечно", "ru", "b", at=last.end - 2.0, aside=True, db=-4)
    say("@105", "ru", "b", at=table.t - 1.5)
    table.pause(0.4)
    say("@kk:1", "kk", "a")
    say("@106", "ru", "d", at=table.t - 0.8)


def _laughing_room(table: _Table, rng: np.random.Generator) -> None:
    say = table.say
    say("@107", "ru", "a")
    table.pause(0.3)
    table.sound("laughter", _laughter(2.5, rng))
    table.pause(0.3)
    say("@108", "ru", "b")
    table.pause(0.3)
    table.sound("applause", _applause(3.0, rng))
    table.pause(0.4)
    say("@kk:0", "kk", "a")
    table.pause(0.3)
    table.sound("crosstalk", _crosstalk(table.folder, 5.0))
    table.pause(0.3)
    turn = say("@109", "ru", "c")
    table.sound("laughter", _laughter(1.5, rng, people=3), at=turn.start - 0.5)  # laughs on
    table.pause(0.5)
    say(EN_MORE[5], "en")
    table.pause(0.3)
    table.sound("laughter", _laughter(2.0, rng))
    table.pause(0.3)
    say("@110", "ru", "a")
    table.pause(0.3)
    table.sound("applause", _applause(2.5, rng))
    table.pause(0.3)
    say("@111", "ru", "d")


def _television(table: _Table, rng: np.random.Generator) -> None:
    plan: list[tuple[str, str, str]] = [("@112", "ru", "a"), ("@113", "ru", "b"),
                                        ("@kk:0", "kk", "a"), ("@114", "ru", "c"),
                                        (EN_MORE[8], "en", "a"), ("@115", "ru", "a"),
                                        ("@kk:1", "kk", "a"), ("@116", "ru", "b")]  # fmt: skip
    gaps = [2.0, 2.5, 1.8, 4.0, 2.2, 2.0, 2.5]
    music_gap = 3  # the pause after the fourth turn: a song on the radio
    music_under = 5  # and under the sixth turn, quietly
    for k, (text, lang, voice) in enumerate(plan):
        turn = table.say(text, lang, voice)
        if k == music_under:
            table.sound("music", _music(turn.end - turn.start, rng, level=0.03), at=turn.start)
        if k < len(gaps):
            if k == music_gap:
                table.pause(0.3)
                table.sound("music", _music(gaps[k] - 0.6, rng))
                table.pause(0.3)
            else:
                table.pause(gaps[k])
    # The television: news read by another voice, 20 dB below the speakers, from start to end.
    end, at, k = table.t + 0.5, 0.0, 200
    while at < end:
        samples, _ = _speech(f"@{k}", "ru", table.folder, TV)
        samples = _gain(samples[: int((end - at) * RATE)], -20.0)
        table.parts.append(_Part(samples, at))
        at += samples.size / RATE + 0.3
        k += 1
    # the stretches where only the television is heard: between the turns, but for the song
    busy = sorted([(t.start, t.end) for t in table.turns] +
                  [(s.start, s.end) for s in table.sounds if s.kind == "music"])  # fmt: skip
    last = 0.0
    for start, stop in busy:
        if start - last > 0.8:
            table.sounds.append(Sound("tv", last + 0.2, start - 0.2))
        last = max(last, stop)


def _far(table: _Table, effects: list[str]) -> None:
    plan = [("@117", "ru", "a", False), ("@118", "ru", "b", True), ("@kk:0", "kk", "a", True),
            ("@119", "ru", "c", False), (EN_MORE[10], "en", "a", True), ("@123", "ru", "d", True),
            ("@kk:1", "kk", "a", False), ("@124", "ru", "a", True)]  # fmt: skip
    rng = random.Random(5)
    for text, lang, voice, far in plan:
        table.say(text, lang, voice, far=effects if far else None)
        table.pause(rng.uniform(0.4, 0.9))


def _two_at_once(table: _Table) -> None:
    """Turns, and between them two people talking at once: two Russian voices, Russian and
    English, Russian and Kazakh (the real speakers)."""
    pairs = [
        [("@128", "ru", VOICE["b"]), ("@129", "ru", VOICE["c"])],
        [("@130", "ru", VOICE["d"]), (EN_MORE[12], "en", [])],
        [("@131", "ru", VOICE["c"]), ("@kk:1", "kk", [])],
    ]
    plan = [("@125", "ru", "a"), ("@126", "ru", "b"), (EN_MORE[7], "en", "a"), ("@127", "ru", "d")]
    for k, (text, lang, voice) in enumerate(plan):
        table.say(text, lang, voice)
        table.pause(0.4)
        if k < len(pairs):
            table.sound("crosstalk", _crosstalk(table.folder, 4.0, pairs[k]))
            table.pause(0.4)


def build(folder: Path, name: str) -> tuple[Path, list[Turn], list[Sound]]:
    """Write ``folder/NAME.wav`` (one of ``NAMES``); return it with its reference turns
    (sorted by start) and the other sounds heard in it."""
    if name not in NAMES:
        raise ValueError(f"unknown focus-group recording {name!r}: {', '.join(NAMES)}")
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(17)
    table = _Table(folder)
    if name == "focus-overlap":
        _overlap(table)
    elif name == "focus-laughter":
        _laughing_room(table, rng)
    elif name == "focus-tv":
        _television(table, rng)
    elif name == "focus-two":
        _two_at_once(table)
    else:
        _far(table, FAR if name == "focus-far" else FARTHER)
    path = folder / f"{name}.wav"
    table.write(path, 0.002, rng)
    return path, sorted(table.turns, key=lambda t: t.start), table.sounds

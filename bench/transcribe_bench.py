"""Benchmark: FieldScribe's transcription pipeline against plain faster-whisper, same run.

Builds a synthetic focus group with espeak-ng (five voices, pauses between turns, low background
noise mixed in with sox; about five minutes of speech split around ten minutes of near-silence,
like a break), then transcribes it, each in its own subprocess with the same model and threads:

  (a) FieldScribe: ``transcribe.engine.Transcriber`` (windows, VAD, batched, guards)
  (b) plain faster-whisper: ``WhisperModel(...).transcribe(path, beam_size=5)``

and prints real-time factor, WER (jiwer; case, punctuation and hyphens removed, numbers written
in words, a few British/American spellings unified: the same for (a), (b) and the reference),
words written over the silence, and peak memory (ru_maxrss of each subprocess). ``--hours 3``
also measures the pipeline's peak memory on a long file made by repeating the focus group with
sox.

    nice -n 10 .venv/bin/python bench/transcribe_bench.py [--threads 2] [--hours 3] [--keep DIR]

``bench/transcribe_variants.py`` compares pipeline settings on the same audio, more quickly.

Timings on a shared machine are noisy; compare (a) and (b) of the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TURNS = [
    "Thank you all for coming this evening to talk about public services in our district.",
    "I would like to start with the new online portal for council payments.",
    "Honestly I tried it twice and the page froze when I entered my card details.",
    "My daughter helped me register, but I would never manage it on my own.",
    "The old office on the main street was closed last year without any warning.",
    "Now the nearest office is forty minutes away by bus, and the bus comes once an hour.",
    "For young people the website is fine, it is faster than waiting in a queue.",
    "But older residents often do not have a computer at home.",
    "The library used to offer free help with forms every Wednesday morning.",
    "That service stopped when the volunteers moved away from the village.",
    "What would make the online services easier for you to use?",
    "Clear instructions in plain language would help a great deal.",
    "And a telephone number where a real person answers the call.",
    "I spent an hour on hold last month just to change my address.",
    "The health clinic now books appointments through a mobile application.",
    "The application keeps asking me to update it, and then it forgets my password.",
    "I prefer to walk in and speak to the receptionist directly.",
    "Do you trust the council to keep your personal information safe?",
    "Not really, there was a data leak in the news two years ago.",
    "I think they have improved security since then, but nobody explained the changes.",
    "Let us talk about the internet connection in your homes.",
    "In our street the connection drops every evening when everyone is online.",
    "The farmers outside the town have almost no mobile signal at all.",
    "A mobile office visiting the villages once a week would solve many problems.",
    "The school could also open its computer room to adults in the evenings.",
    "Many of us would attend a short course on using the government website.",
    "Before we finish, is there anything important we have not discussed?",
    "Please remember that people with disabilities need accessible forms as well.",
    "The print on the paper forms is too small for me to read.",
    "Thank you, this has been a very useful discussion for our report.",
]
VOICES = [
    ("en-us", 50, 160),
    ("en-gb", 40, 150),
    ("en-gb-scotland", 55, 155),
    ("en-us+f3", 65, 165),
    ("en-gb-x-rp", 35, 145),
]


def sox(*args: object) -> None:
    subprocess.run(["sox", "-R", *map(str, args)], check=True, capture_output=True)


_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
# British and American spellings count as the same word (a few, for both (a) and (b)).
_SPELLING = {
    "colour": "color",
    "centre": "center",
    "programme": "program",
    "organisation": "organization",
    "realise": "realize",
    "licence": "license",
    "travelling": "traveling",
    "neighbour": "neighbor",
    "cheque": "check",
    "enrol": "enroll",
    "ok": "okay",
}


def _number_words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = "" if n % 100 == 0 else " " + _number_words(n % 100)
        return _ONES[n // 100] + " hundred" + rest
    return str(n)


def normalise(text: str) -> str:
    """Lower case, no punctuation or hyphens, numbers in words, one spelling per word.

    Applied in the same way to the reference and to every system's output.
    """
    text = re.sub(r"[^\w\s']", " ", text.lower().replace("-", " "))
    text = re.sub(r"\d+", lambda m: _number_words(int(m.group())), text)
    return " ".join(_SPELLING.get(word, word) for word in text.split())


def build_focus_group(folder: Path, rounds: int = 2, silence_s: float = 600.0) -> dict[str, object]:
    """Make focus_group.wav; return its reference text and where the silence is."""
    rng = random.Random(7)
    turns: list[str] = []
    files: list[Path] = []
    for r in range(rounds):
        for i, text in enumerate(TURNS):
            voice, pitch, speed = VOICES[(i + r * 2) % len(VOICES)]
            raw = folder / f"t{r}_{i}.wav"
            subprocess.run(
                [
                    "espeak-ng",
                    "-v",
                    voice,
                    "-p",
                    str(pitch),
                    "-s",
                    str(speed),
                    "-w",
                    str(raw),
                    text,
                ],
                check=True,
                capture_output=True,
            )
            part = folder / f"p{r}_{i}.wav"
            sox(raw, "-r", "16000", "-c", "1", part, "pad", "0", f"{rng.uniform(0.6, 1.5):.2f}")
            files.append(part)
            turns.append(text)
    half = len(files) // 2
    sox(*files[:half], folder / "first.wav")
    sox(*files[half:], folder / "second.wav")
    sox("-n", "-r", "16000", "-c", "1", folder / "gap.wav", "trim", "0", str(silence_s))
    speech_first = float(_soxi(folder / "first.wav"))
    sox(folder / "first.wav", folder / "gap.wav", folder / "second.wav", folder / "clean.wav")
    total = float(_soxi(folder / "clean.wav"))
    sox(
        "-R",
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        folder / "noise.wav",
        "synth",
        str(total),
        "pinknoise",
        "vol",
        "0.004",
    )  # fmt: skip  (-R: the same noise every run)
    sox("-m", folder / "clean.wav", folder / "noise.wav", folder / "focus_group.wav")
    return {
        "path": str(folder / "focus_group.wav"),
        "reference": " ".join(turns),
        "silence": [speech_first + 0.3, speech_first + silence_s - 0.3],
        "duration": total,
        "speech_s": total - silence_s,
    }


def _soxi(path: Path) -> str:
    return subprocess.run(
        ["soxi", "-D", str(path)], check=True, capture_output=True, text=True
    ).stdout


# ----------------------------------------------------------------------------- workers
def worker(kind: str, path: str, threads: int) -> None:
    """Run in a subprocess: transcribe, print JSON with words, timings, peak memory."""
    t0 = time.monotonic()
    cpu0 = 0.0
    words: list[tuple[float, str]] = []  # (time in s, word)
    if kind == "fieldscribe":
        from transcribe.engine import Transcriber

        tr = Transcriber("tiny.en", threads=threads, device="cpu")
        loaded = time.monotonic()
        cpu0 = _cpu()
        for seg in tr.transcribe(path):
            for w in seg.words:
                words.append(((w.start_ms + w.end_ms) / 2000, w.text))
    else:
        from faster_whisper import WhisperModel

        from transcribe.models import resolve_model

        info = resolve_model("tiny.en")
        model = WhisperModel(str(info.path), device="cpu", compute_type="int8", cpu_threads=threads)
        loaded = time.monotonic()
        cpu0 = _cpu()
        segments, _ = model.transcribe(path, beam_size=5)
        for seg in segments:
            toks = seg.text.split()
            for j, tok in enumerate(toks):  # spread the words over the segment
                words.append((seg.start + (seg.end - seg.start) * (j + 0.5) / len(toks), tok))
    done = time.monotonic()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "load_s": loaded - t0,
        "transcribe_s": done - loaded,
        "cpu_s": _cpu() - cpu0,
        "peak_mb": peak_kb / 1024,
        "words": words,
    }
    print(json.dumps(result))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(kind: str, path: str, threads: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--audio", path, "--threads", str(threads)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def report(name: str, result: dict[str, object], fg: dict[str, object]) -> dict[str, float]:
    import jiwer

    words = result["words"]
    assert isinstance(words, list)
    lo, hi = fg["silence"]  # type: ignore[misc]
    hyp = " ".join(w for _, w in words)
    over_silence = sum(1 for t, w in words if lo <= t <= hi and normalise(w))
    wer = jiwer.wer(normalise(str(fg["reference"])), normalise(hyp) or "<empty>")
    rtf = float(result["transcribe_s"]) / float(fg["duration"])  # type: ignore[arg-type]
    row = {
        "rtf": rtf,
        "seconds": float(result["transcribe_s"]),  # type: ignore[arg-type]
        "wer": wer,
        "over_silence": over_silence,
        "peak_mb": float(result["peak_mb"]),  # type: ignore[arg-type]
        "cpu_s": float(result["cpu_s"]),  # type: ignore[arg-type]
    }
    print(
        f"{name:<26} {row['seconds']:6.1f} s (CPU {row['cpu_s']:5.1f} s)  RTF {rtf:6.4f}  "
        f"WER {wer * 100:5.1f}%  "
        f"words over silence {over_silence:4d}  peak {row['peak_mb']:6.0f} MB"
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--hours", type=float, default=0, help="also: peak memory on N hours")
    parser.add_argument("--long-only", action="store_true", help="skip the comparison")
    parser.add_argument("--keep", type=Path, help="keep the generated audio in this folder")
    parser.add_argument("--worker", choices=["fieldscribe", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--audio", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.audio, args.threads)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        fg = build_focus_group(folder)
        print(
            f"focus group: {fg['duration']:.0f} s ({fg['speech_s']:.0f} s of speech in "
            f"{2 * len(TURNS)} turns, five voices; {fg['silence'][1] - fg['silence'][0]:.0f} s "  # type: ignore[index]
            f"near-silence), model tiny.en int8, {args.threads} threads, CPU"
        )
        if not args.long_only:
            fs = measure("fieldscribe", str(fg["path"]), args.threads)
            a = report("(a) FieldScribe pipeline", fs, fg)
            b = report(
                "(b) plain faster-whisper", measure("plain", str(fg["path"]), args.threads), fg
            )
            print(
                f"speed-up (b)/(a): {b['seconds'] / a['seconds']:.2f}x wall, "
                f"{b['cpu_s'] / a['cpu_s']:.2f}x CPU time"
            )
        if args.hours:
            repeats = max(1, round(args.hours * 3600 / float(fg["duration"])))  # type: ignore[arg-type]
            long = folder / "long.flac"
            sox(fg["path"], long, "repeat", str(repeats - 1))
            hours = float(_soxi(long)) / 3600
            result = measure("fieldscribe", str(long), args.threads)
            print(
                f"(a) on {hours:.2f} h: {float(result['transcribe_s']):.0f} s "
                f"(RTF {float(result['transcribe_s']) / (hours * 3600):.4f}), "
                f"peak memory {float(result['peak_mb']):.0f} MB, {len(result['words'])} words"  # type: ignore[arg-type]
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: languages. FieldScribe's pipeline beside plain faster-whisper, same run.

Recordings (``bench/language_corpus.py``, espeak-ng voices, dense speech: short pauses between
turns, no long silence) in English, Russian, Kazakh and a mixed one that switches language every
one to three turns, with references; ``ru-real`` (a man reading Russian: Debian's festvox-ru,
skipped with a line when it is not installed), ``ru-real-noisy`` (the same under loud pink
noise), ``ru-real-noisier`` (the noise 6 dB louder again) and ``mixed-real`` (the mixed one
with his voice for its Russian turns), ``kk-real`` (real Kazakh: two utterances, 7 s, the only
licensed real Kazakh speech we have, ``tests/data/kazakh``) and ``mixed-real-kk`` (real Russian
and real Kazakh turns, espeak-ng English between them). The focus-group recordings
(``bench/focus_group_corpus.py``: ``focus-overlap``, ``focus-laughter``, ``focus-tv``,
``focus-far``, ``focus-farther``, ``focus-two``) put that real speech round a table: two
voices at once and back-channels, laughter, applause and crosstalk (of four, and of two), a
television and music in the background, speakers far from the microphone; for them a second
line counts the words written where only laughter, applause, music or the television was
heard, those over crosstalk (and whether it was marked speech without transcript), and
Whisper's stock phrases ("Продолжение следует...") written anywhere.
For each recording and model, each in its own subprocess with the same threads:

  (a) FieldScribe: ``transcribe.engine.Transcriber`` with the project's languages set
      (``--languages``, default ru,kk,en; for English-only models: en)
  (b) plain faster-whisper: ``model.transcribe(path, beam_size=5)`` (language detected once)
  (c) faster-whisper's ``BatchedInferencePipeline`` (batch 8, beam 5, its own VAD)

Printed per row: WER and CER (jiwer; case, punctuation and hyphens removed, ё as е, numbers
left as they are), the share of turns given the right language (FieldScribe: the language of
the segments over the turn; plain and batched: the one language they detect), turns left
without text or placeholder ("lost"), turns whose text is in the wrong script (Latin over
Russian or Kazakh speech, Cyrillic over English: translated or transliterated), real-time factor
and peak memory (ru_maxrss of the subprocess).

    nice -n 5 .venv/bin/python bench/languages_bench.py [--models tiny.en,base] [--threads 2]
        [--recordings en,en-unique,ru,kk,mixed,ru-real,ru-real-noisy,ru-real-noisier,mixed-real,
         kk-real,mixed-real-kk,focus-overlap,focus-laughter,focus-tv,focus-far,
         focus-farther,focus-two]
        [--keep DIR] [--systems a,b,c] [--show]

``--show`` prints each system's segments (times, language, text) under its row.

Your own recordings: give a recording's path in ``--recordings`` (``interview.wav``) with a
checked transcript of it beside it under the same name (``interview.srt``, ``.vtt``, noScribe
``.html`` or timestamped ``.txt``: what File > Import a transcript reads). Each cue is a turn;
its language is the WebVTT ``<lang>`` tag when there is one, else the one its letters leave
among ``--languages`` (Kazakh letters: kk), else the first of them.

Timings on a shared machine are noisy; compare the rows of one run.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import focus_group_corpus as focus  # noqa: E402
import language_corpus as corpus  # noqa: E402

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")


def normalise(text: str) -> str:
    """Lower case, ё as е, no punctuation or hyphens, single spaces (same for every system)."""
    text = text.lower().replace("ё", "е").replace("-", " ")
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())


# ----------------------------------------------------------------------------- recordings
REFERENCE_SUFFIXES = (".srt", ".vtt", ".html", ".txt")


def own_recording(audio: Path, languages: list[str]) -> tuple[Path, list[corpus.Turn]]:
    """A recording of the user's with its reference turns, read from the transcript beside it
    (same name, a suffix of ``REFERENCE_SUFFIXES``)."""
    from storage.core.languages import guess_language
    from storage.interop.transcript_import import parse_transcript

    for suffix in REFERENCE_SUFFIXES:
        reference = audio.with_suffix(suffix)
        if reference.is_file():
            break
    else:
        names = ", ".join(audio.with_suffix(s).name for s in REFERENCE_SUFFIXES)
        raise FileNotFoundError(f"no reference transcript beside it ({names})")
    turns = []
    for d in parse_transcript(reference).drafts:
        if not d.text.strip():
            continue
        language = d.language or guess_language(d.text, languages) or languages[0]
        turns.append(corpus.Turn(d.text, language, d.start_ms / 1000, d.end_ms / 1000))
    if not turns:
        raise FileNotFoundError(f"{reference.name} holds no text")
    return audio, turns


# ----------------------------------------------------------------------------- workers
def worker(kind: str, model: str, path: str, threads: int, languages: list[str]) -> None:
    """Run in a subprocess: transcribe; print JSON with timed words and segment languages."""
    from transcribe.models import resolve_model

    t0 = time.monotonic()
    info = resolve_model(model)
    words: list[tuple[float, str]] = []  # (time in s, word)
    # (start, end, language, placeholder, text)
    spans: list[tuple[float, float, str | None, bool, str]] = []
    if kind == "fieldscribe":
        from transcribe.engine import Transcriber

        tr = Transcriber(info, threads=threads, device="cpu")
        loaded = time.monotonic()
        cpu0 = _cpu()
        for seg in tr.transcribe(path, languages=languages):
            start, end = seg.start_ms / 1000, seg.end_ms / 1000
            spans.append((start, end, seg.language, seg.untranscribed, seg.text))
            if seg.words:
                words.extend(((w.start_ms + w.end_ms) / 2000, w.text) for w in seg.words)
            else:
                _spread(words, seg.start_ms / 1000, seg.end_ms / 1000, seg.text)
    else:
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        m = WhisperModel(str(info.path), device="cpu", compute_type="int8", cpu_threads=threads)
        loaded = time.monotonic()
        cpu0 = _cpu()
        if kind == "plain":
            segments, inf = m.transcribe(path, beam_size=5)
        else:
            segments, inf = BatchedInferencePipeline(m).transcribe(path, batch_size=8, beam_size=5)
        for seg in segments:
            spans.append((seg.start, seg.end, inf.language, False, seg.text))
            _spread(words, seg.start, seg.end, seg.text)
    done = time.monotonic()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss
    print(
        json.dumps(
            {
                "load_s": loaded - t0,
                "transcribe_s": done - loaded,
                "cpu_s": usage.ru_utime + usage.ru_stime - cpu0,
                "peak_mb": peak_kb / 1024,
                "words": words,
                "spans": spans,
            }
        )
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _spread(words: list[tuple[float, str]], start: float, end: float, text: str) -> None:
    toks = text.split()
    for j, tok in enumerate(toks):
        words.append((start + (end - start) * (j + 0.5) / len(toks), tok))


def measure(kind: str, model: str, path: Path, threads: int, languages: list[str]) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, "--model", model, "--audio", str(path)]
    cmd += ["--threads", str(threads), "--languages", ",".join(languages)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


# ----------------------------------------------------------------------------- scoring
def score(
    result: dict, turns: list[corpus.Turn], duration: float, sounds: Sequence[focus.Sound] = ()
) -> dict[str, float]:
    """WER, CER, turns in the right language, lost, in the wrong script (asides, said over
    another turn, count only in WER and CER), speed; with ``sounds`` (laughter, music, a
    television, crosstalk: ``bench/focus_group_corpus.py``), the words written where only they
    were heard, and the stock phrases written anywhere."""
    import jiwer

    from transcribe.guards import is_stock

    ref = normalise(" ".join(t.text for t in turns))
    hyp = normalise(" ".join(w for _, w in result["words"])) or "<empty>"
    right = lost = wrong_script = 0
    main = [t for t in turns if not t.aside]
    for t in main:
        said = [w for at, w in result["words"] if t.start - 0.3 <= at <= t.end + 0.3]
        over = [s for s in result["spans"] if s[0] < t.end and s[1] > t.start]
        if not said and not any(s[3] for s in over):
            lost += 1
        text = " ".join(said)
        if said:
            cyr, lat = len(CYRILLIC.findall(text)), len(LATIN.findall(text))
            if (t.language == "en" and cyr > lat) or (t.language != "en" and lat > cyr):
                wrong_script += 1
        if given_language(result, t) == t.language:
            right += 1

    def alone(kinds: tuple[str, ...]) -> list[str]:
        """The words written inside a sound of ``kinds`` and outside every turn."""
        return [
            w
            for at, w in result["words"]
            if any(s.start <= at <= s.end for s in sounds if s.kind in kinds)
            and not any(t.start - 0.3 <= at <= t.end + 0.3 for t in turns)
        ]

    crosstalk = [s for s in sounds if s.kind == "crosstalk"]
    return {
        "wer": jiwer.wer(ref, hyp),
        "cer": jiwer.cer(ref, hyp),
        "right_language": right / len(main),
        "lost": lost,
        "wrong_script": wrong_script,
        "rtf": float(result["transcribe_s"]) / duration,
        "seconds": float(result["transcribe_s"]),
        "cpu_rtf": float(result["cpu_s"]) / duration,
        "peak_mb": float(result["peak_mb"]),
        "invented": len(alone(("laughter", "applause", "music", "tv"))),
        "crosstalk_words": len(alone(("crosstalk",))),
        "crosstalk_marked": sum(
            any(s[3] and s[0] < c.end and s[1] > c.start for s in result["spans"])
            for c in crosstalk
        ),
        "stock": sum(is_stock(s[4]) for s in result["spans"] if s[4].strip()),
    }


def given_language(result: dict, turn: corpus.Turn) -> str | None:
    """The language given to a turn: the one of the segments covering most of it ("" for
    none; None: no segment over it; a placeholder counts with its language)."""
    cover: dict[str, float] = {}
    for s in result["spans"]:
        if s[0] < turn.end and s[1] > turn.start:
            key = s[2] or ""
            cover[key] = cover.get(key, 0.0) + min(s[1], turn.end) - max(s[0], turn.start)
    return max(cover, key=lambda k: cover[k]) if cover else None


def show(result: dict, turns: Sequence[corpus.Turn] = ()) -> None:
    """Print each segment: its times, language and text (or that it is a placeholder); then
    each turn given another language than its own, with what was written over it."""
    for start, end, language, placeholder, text in result["spans"]:
        said = "[speech without transcript]" if placeholder else text.strip()
        print(f"    {start:6.1f} {end:6.1f} {language or '?':<3} {said}")
    for t in turns:
        given = given_language(result, t)
        if t.aside or given == t.language:
            continue
        print(f"    wrong language: {t.start:.1f}-{t.end:.1f} {t.language} given {given or '?'}")
        print(f"      said:    {t.text}")
        for s in result["spans"]:
            if s[0] < t.end and s[1] > t.start:
                said = "[speech without transcript]" if s[3] else s[4].strip()
                print(f"      written: {s[0]:.1f}-{s[1]:.1f} {s[2] or '?'} {said}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tiny.en,base")
    parser.add_argument("--recordings", default="en,ru,kk,mixed")
    parser.add_argument("--languages", default="ru,kk,en", help="the project's languages")
    parser.add_argument("--systems", default="a,b,c")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="each recording's turns, N times")
    parser.add_argument("--keep", type=Path, help="keep the generated audio in this folder")
    parser.add_argument("--show", action="store_true", help="print each system's segments")
    parser.add_argument("--worker", choices=["fieldscribe", "plain", "batched"], help="(internal)")
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--audio", help=argparse.SUPPRESS)
    args = parser.parse_args()
    languages = [c for c in args.languages.split(",") if c]
    if args.worker:
        worker(args.worker, args.model, args.audio, args.threads, languages)
        return 0
    kinds = {"a": "fieldscribe", "b": "plain", "c": "batched"}
    systems = [kinds[s] for s in args.systems.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        print(f"{args.threads} threads, CPU; RTF: wall seconds per audio second; CPU RTF: CPU ones")
        print(
            f"{'recording':<9} {'model':<8} {'system':<12} {'WER':>6} {'CER':>6} {'lang ok':>7} "
            f"{'lost':>4} {'script':>6} {'RTF':>6} {'CPU RTF':>7} {'peak MB':>7}"
        )
        for name in args.recordings.split(","):
            try:
                if Path(name).suffix:  # a recording of the user's, with its transcript
                    path, turns = own_recording(Path(name), languages)
                    name = path.stem
                    sounds: list[focus.Sound] = []
                elif name in focus.NAMES:  # a focus group: overlaps, laughter, a television
                    path, turns, sounds = focus.build(folder, name)
                else:
                    path, turns = corpus.build(folder, name, rounds=args.rounds)
                    sounds = []
            except FileNotFoundError as exc:  # real speech not installed, no reference
                print(f"{name}: skipped: {exc}", flush=True)
                continue
            duration = max(t.end for t in turns) + 0.5
            for model in args.models.split(","):
                langs = ["en"] if model.endswith(".en") else languages
                english_only_elsewhere = model.endswith(".en") and not name.startswith("en")
                if english_only_elsewhere and "fieldscribe" not in systems:
                    continue
                for kind in systems:
                    if english_only_elsewhere and kind != "fieldscribe":
                        continue  # an English-only model has nothing to say here
                    result = measure(kind, model, path, args.threads, langs)
                    row = score(result, turns, duration, sounds)
                    print(
                        f"{name:<9} {model:<8} {kind:<12} {row['wer'] * 100:5.1f}% "
                        f"{row['cer'] * 100:5.1f}% {row['right_language'] * 100:6.0f}% "
                        f"{row['lost']:4d} {row['wrong_script']:6d} {row['rtf']:6.3f} "
                        f"{row['cpu_rtf']:7.3f} {row['peak_mb']:7.0f}",
                        flush=True,
                    )
                    if name in focus.NAMES:
                        crosstalk = sum(s.kind == "crosstalk" for s in sounds)
                        marked = f"{row['crosstalk_marked']} of {crosstalk}"
                        print(
                            f"{'':<9} words over laughter, applause, music or TV alone: "
                            f"{row['invented']}; over crosstalk: {row['crosstalk_words']} "
                            f"(marked speech without transcript: {marked}); "
                            f"stock phrases: {row['stock']}",
                            flush=True,
                        )
                    if args.show:
                        show(result, turns)
    return 0


if __name__ == "__main__":
    sys.exit(main())

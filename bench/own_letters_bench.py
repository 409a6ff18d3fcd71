"""Benchmark: Kazakh's own letters against Russian. How the rule that keeps a Kazakh reading
over a Russian one (``transcribe.languages.letters_kept``) treats real speech.

Each utterance of real Kazakh (``tests/data/kazakh``) and each sentence of real Russian
(Debian's festvox-ru, ``scripts/setup.sh --with-test-speech``) is decoded whole in Russian and
in Kazakh (faster-whisper, beam 5, temperature 0, no previous text), as FieldScribe reads a
stretch Whisper is unsure of. Printed per utterance: how much less sure the Kazakh reading is
than the Russian one (``decoded_score``, the gap), the share of its letters that are Kazakh's
own (ә ғ қ ң ө ұ ү һ і) and whether ``letters_kept`` keeps it; then, per language spoken, the
range of gaps among readings with at least ``OWN_LETTERS_SHARE`` of those letters and how many
were kept. Real Kazakh should be kept, real Russian never (``OWN_LETTERS_BESIDE_MARGIN`` lies
between the two).

    .venv/bin/python bench/own_letters_bench.py [--russian 80] [--model base]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.media import REAL_KK_COUNT, REAL_RU, real_kazakh, real_russian  # noqa: E402
from transcribe import languages  # noqa: E402
from transcribe.models import resolve_model  # noqa: E402


def readings(model: object, path: Path) -> dict[str, tuple[float, str]]:
    """The utterance read in Russian and in Kazakh: language -> (decoded_score, text)."""
    from faster_whisper import decode_audio

    audio = decode_audio(str(path))
    out = {}
    for code in ("ru", "kk"):
        segments, _ = model.transcribe(  # type: ignore[attr-defined]
            audio, language=code, beam_size=5, condition_on_previous_text=False, temperature=0.0
        )  # one temperature: the same figures every run (no sampling on a failed reading)
        segments = list(segments)
        text = " ".join(s.text.strip() for s in segments)
        out[code] = (languages.decoded_score(segments, code), text)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--russian", type=int, default=80, help="sentences of festvox-ru")
    parser.add_argument("--model", default="base")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    from faster_whisper import WhisperModel

    if not (REAL_RU / "etc" / "txt.done.data").exists():
        print("real Russian speech is missing: scripts/setup.sh --with-test-speech")
        return 1
    model = WhisperModel(
        str(resolve_model(args.model).path), device="cpu", compute_type="int8",
        cpu_threads=args.threads,
    )  # fmt: skip
    spoken = [("kk", real_kazakh(i)[0]) for i in range(REAL_KK_COUNT)]
    spoken += [("ru", real_russian(i)[0]) for i in range(args.russian)]
    rows: list[tuple[str, float, float, bool]] = []
    head = f"{'said':<4} {'utterance':<20} {'gap':>6} {'kk letters':>10} {'kept':>4}"
    print(head + "  read in Kazakh")
    for said, path in spoken:
        read = readings(model, path)
        gap = read["ru"][0] - read["kk"][0]
        share = languages.own_letters_share(read["kk"][1], "kk")
        kept = languages.letters_kept(read, "kk")
        rows.append((said, gap, share, kept))
        print(f"{said:<4} {path.name:<20} {gap:6.3f} {share:10.1%} {'yes' if kept else 'no':>4}  "
              f"{read['kk'][1][:70]}", flush=True)  # fmt: skip
    print(
        f"\nmargin {languages.OWN_LETTERS_BESIDE_MARGIN}, letters at least "
        f"{languages.OWN_LETTERS_SHARE:.0%} (readings that score at all)"
    )
    for said in ("kk", "ru"):
        mine = [r for r in rows if r[0] == said and r[1] != float("inf")]
        lettered = [r[1] for r in mine if r[2] >= languages.OWN_LETTERS_SHARE]
        span = f"{min(lettered):.3f} to {max(lettered):.3f}" if lettered else "none"
        kept = sum(r[3] for r in mine)
        print(f"said in {said}: {len(mine)} read, gap with enough letters {span}, kept {kept}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Measure the shortest part a speaker cut may leave (``MIN_PART_MS`` in transcribe/diarize/align).

Real speaker detection (the ``speakers`` extra) runs once on the two AMI meeting clips in
tests/data/speakers; their transcripts are built on the reference turns (a word every 400 ms,
5-second segments, as in tests/speakers_data.py). Then, for each candidate threshold, the
transcript is labelled and cut as ``plan_relabel`` would, and the script prints: word accuracy
(best one-to-one label mapping, against the reference), cuts made, parts shorter than 1 s
(the "half sentences"), and the accuracy with the reference turns themselves (a perfect
detector: what any threshold costs at best).

Usage: python bench/speaker_parts.py
"""

from __future__ import annotations

import sys
from itertools import pairwise, permutations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.core.models import Segment
from tests.speakers_data import DEV00, DEV01, reference, transcript_on_turns
from transcribe.diarize import align
from transcribe.diarize.align import Turn, TurnIndex, plan_segment

THRESHOLDS = [0, 600, 1000, 1500, 2000, 2500, 3000, 4000]


def segments_of(uri: str) -> tuple[list[Segment], dict[tuple[int, int], str]]:
    drafts, truth = transcript_on_turns(reference(uri))
    segs = [
        Segment(
            id=f"s{i}",
            session_id="x",
            start_ms=d.start_ms,
            end_ms=d.end_ms,
            text=d.text,
            speaker=None,
            origin="whisper",
            confidence=None,
            words=d.words,
            edited=False,
            created_by="",
            created_at="",
            updated_at="",
        )
        for i, d in enumerate(drafts)
    ]
    return segs, truth


def score(
    segs: list[Segment], turns: list[Turn], truth: dict[tuple[int, int], str]
) -> tuple[float, int, int]:
    index = TurnIndex(turns)
    pairs, cuts, short = [], 0, 0
    for seg in segs:
        entry = plan_segment(seg, index)
        if entry is None:
            continue
        cuts += len(entry.cuts)
        bounds = [seg.start_ms, *[ms for _cp, ms in entry.cuts], seg.end_ms]
        short += sum(1 for a, b in pairwise(bounds) if entry.cuts and b - a < 1000)
        for w in seg.words:
            part = sum(1 for _cp, at in entry.cuts if w.start_ms >= at)
            if (w.start_ms, w.end_ms) in truth:
                pairs.append((entry.speakers[part], truth[(w.start_ms, w.end_ms)]))
    labels = sorted({h for h, _ in pairs})
    refs = sorted({r for _, r in pairs})
    best = 0
    for perm in permutations(labels, min(len(labels), len(refs))):
        mapping = dict(zip(perm, refs, strict=False))
        best = max(best, sum(mapping.get(h) == r for h, r in pairs))
    return best / max(1, len(pairs)), cuts, short


def main() -> int:
    from transcribe.diarize.backend import backend_available, load_backend
    from transcribe.diarize.pipeline import diarize_audio
    from transcribe.speakers import load_audio

    if not backend_available():
        print("the speakers extra is not installed: nothing to measure")
        return 1
    backend = load_backend()
    clips = []
    for path, uri in ((DEV00, "dev00"), (DEV01, "dev01")):
        segs, truth = segments_of(uri)
        detected = list(diarize_audio(load_audio(path), backend=backend).turns)
        clips.append((uri, segs, truth, detected, reference(uri)))
    saved = align.MIN_PART_MS
    print("min part (ms) | clip  | accuracy | cuts | parts < 1 s | accuracy, reference turns")
    for threshold in THRESHOLDS:
        align.MIN_PART_MS = threshold
        for uri, segs, truth, detected, ref in clips:
            acc, cuts, short = score(segs, detected, truth)
            ref_acc, _c, _s = score(segs, ref, truth)
            print(f"{threshold:13} | {uri} | {acc:8.3f} | {cuts:4} | {short:11} | {ref_acc:.3f}")
    align.MIN_PART_MS = saved
    return 0


if __name__ == "__main__":
    sys.exit(main())

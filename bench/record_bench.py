"""CPU cost of recording: FieldScribe's recorder vs PulseAudio's own ``parec``, same run.

Starts a private PulseAudio server with the virtual microphone (tests/audio_fixtures.py),
plays speech into it in a loop, and records SECONDS (default 30) of it twice:

1. in this process with ``gui.recording_engine.Recorder`` (Qt Multimedia QAudioSource, level
   meter, crash-safe WAV writer thread with fsync twice a second), timing the process CPU time
   over the wall time, and the longest stall of the Qt event loop (a 10 ms timer);
2. with ``parec --file-format=wav`` (the peer: a minimal C recorder), timing its CPU time.

Usage: python bench/record_bench.py [SECONDS]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.audio_fixtures import espeak_wav, start_pulse, stop_pulse

TICK_MS = 50  # the event-loop probe (its own cost is part of the CPU figure)
TEXT = (
    "The village clinic opened a new online booking service for patients last spring. "
    "Many older people still prefer to telephone the receptionist in the morning."
)


def loop_player(mic, wav: Path, stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    while not stop.is_set():
        proc = mic.play(wav)
        while proc.poll() is None and not stop.is_set():
            time.sleep(0.1)
    mic.stop_players()


def bench_fieldscribe(folder: Path, seconds: float) -> dict[str, float]:
    from PySide6.QtCore import QCoreApplication, QTimer

    from gui.recording_engine import Recorder, find_device
    from storage import Project
    from storage.recordings.recording import finish_recording

    app = QCoreApplication.instance() or QCoreApplication([])
    project = Project.create(folder, coder="bench")
    recorder = Recorder(project.folder, find_device("fs_mic"))
    recorder.limit_ms = round(seconds * 1000)
    gaps = {"max": 0.0, "last": 0.0}
    tick = QTimer()
    tick.setInterval(TICK_MS)

    def on_tick() -> None:
        now = time.monotonic()
        gaps["max"] = max(gaps["max"], now - gaps["last"])
        gaps["last"] = now

    tick.timeout.connect(on_tick)
    recorder.stopped.connect(lambda _r: app.quit())
    started: dict[str, float] = {}

    def on_started() -> None:
        started["cpu"] = time.process_time()
        started["wall"] = time.monotonic()
        gaps["last"] = time.monotonic()
        tick.start()

    recorder.started.connect(on_started)
    rec = recorder.start()
    app.exec()
    cpu = time.process_time() - started["cpu"]
    wall = time.monotonic() - started["wall"]
    tick.stop()
    session = finish_recording(project, rec)
    project.close()
    recorder.deleteLater()
    assert session is not None
    return {
        "cpu": cpu,
        "wall": wall,
        "audio": session.duration_ms / 1000,
        "max_gap": gaps["max"] - TICK_MS / 1000,
    }


def bench_parec(out: Path, seconds: float, env: dict[str, str]) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen(
        ["parec", "-d", "fs_mic", "--rate=48000", "--channels=1", "--format=s16le",
         "--file-format=wav", str(out)],
        env=env,
    )  # fmt: skip
    time.sleep(seconds)
    proc.terminate()
    proc.wait()
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu": cpu, "wall": wall, "audio": (out.stat().st_size - 44) / 96000}


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    mic = start_pulse()
    os.environ["PULSE_SERVER"] = mic.env["PULSE_SERVER"]
    stop = threading.Event()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            wav = espeak_wav(Path(tmp) / "speech.wav", TEXT)
            player = threading.Thread(target=loop_player, args=(mic, wav, stop), daemon=True)
            player.start()
            fs = bench_fieldscribe(Path(tmp) / "Bench.fieldscribe", seconds)
            pa = bench_parec(Path(tmp) / "parec.wav", seconds, mic.env)
    finally:
        stop.set()
        stop_pulse(mic)
    print(f"recording {seconds:.0f} s from the virtual microphone (48 kHz mono s16le)")
    print(f"{'recorder':<34}{'audio s':>9}{'wall s':>9}{'CPU s':>9}{'CPU/wall':>10}")
    for name, r in (("FieldScribe (Qt + writer thread)", fs), ("parec (peer)", pa)):
        print(
            f"{name:<34}{r['audio']:>9.2f}{r['wall']:>9.2f}{r['cpu']:>9.3f}"
            f"{100 * r['cpu'] / r['wall']:>9.2f}%"
        )
    print(f"longest Qt event-loop stall while recording: {fs['max_gap'] * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

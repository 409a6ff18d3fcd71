"""A full garbage collection on the GUI thread, with and without gui/heap.py's freeze.

Run: ``QT_QPA_PLATFORM=offscreen python bench/gc_pause_bench.py [RUNS]`` (default 5). In a fresh
process each, builds the main window as ``fieldscribe`` does, opens a project of 3,000
segments, imports what a transcription imports (faster-whisper, PyAV), and times a full
collection (``gc.collect()``: what Python runs by itself, on whichever thread allocates, when
enough objects have piled up): best and median of RUNS, and the objects it walks. The peer is
the same process with the freeze left out (as before gui/heap.py), in the same run.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import gc, json, sys, time
import gui
import gui.heap
if sys.argv[2] == "peer":
    gui.heap._frozen = True  # as before: nothing frozen
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui.main_window import MainWindow
from storage import Project
window = MainWindow()
window.show()
window.projects.open_project(sys.argv[1])
end = time.monotonic() + 3
while time.monotonic() < end and (window.runner.busy() or window.segment_model.rowCount() == 0):
    app.processEvents()
import faster_whisper, av  # what the first transcription imports (on its worker)
times = []
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    gc.collect()
    times.append(time.perf_counter() - start)
print(json.dumps({"walked": len(gc.get_objects()), "frozen": gc.get_freeze_count(),
                  "times": times, "rows": window.segment_model.rowCount()}))
window.close()
"""


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    sys.path.insert(0, str(ROOT))
    from storage import Project, SegmentDraft

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bench.fieldscribe"
        with Project.create(folder, coder="bench") as project:
            sid = project.sessions.add_session("Focus group 1", "focus_group").id
            words = "Мы доверяем порталу свои данные, бірақ ауылда интернет баяу."
            drafts = [SegmentDraft(i * 3000, i * 3000 + 2500, f"{words} {i}") for i in range(3000)]
            project.transcript.add_segments(sid, drafts)
        print(f"{'':8} {'objects walked':>15} {'frozen':>8} {'best ms':>8} {'median ms':>10}")
        for name in ("freeze", "peer"):
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(folder), name, str(runs)],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            seen = json.loads(out.stdout.strip().splitlines()[-1])
            best, median = min(seen["times"]) * 1000, statistics.median(seen["times"]) * 1000
            print(
                f"{name:8} {seen['walked']:>15,} {seen['frozen']:>8,} {best:>8.1f} {median:>10.1f}"
                f"   ({seen['rows']} rows shown)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

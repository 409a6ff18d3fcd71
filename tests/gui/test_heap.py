"""The garbage collector never walks what lives as long as the app, and frees reference cycles
in the GUI thread only (gui/heap.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# a fresh process: the freeze happens once per process, whatever tests ran before
SCRIPT = """
import gc, json
import gui
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui.main_window import MainWindow
long_lived = [[i] for i in range(100_000)]  # stands for the modules (450,000 objects in tests)
window = MainWindow()
walked = {id(o) for o in gc.get_objects()}
frozen = gc.get_freeze_count()
later = [[i] for i in range(1_000)]
walked_later = {id(o) for o in gc.get_objects()}
second = MainWindow()  # freezes nothing more: its objects may become garbage
cycle = [];  cycle.append(cycle); del cycle  # garbage made since is still collected
print(json.dumps({
    "long_lived_walked": sum(id(x) in walked for x in long_lived),
    "frozen": frozen,
    "later_walked": sum(id(x) in walked_later for x in later),
    "frozen_again": gc.get_freeze_count() - frozen,
    "collected": gc.collect(),
}))
second.close(); window.close()
"""


def test_what_lives_when_the_main_window_is_built_is_never_walked_again(
    private_dirs: Path,
) -> None:
    """A full collection walks every object the collector tracks, holding the GIL, on the
    thread that happened to allocate: on the GUI thread of the ``alone`` test process (450,000
    objects, the suite collected) it took 1.0-1.5 s, and the workbench stood still 0.4-1.5 s
    while a transcription ran (tests/gui/test_start.py, 4 runs of 7 under load). What is alive
    once the main window is built (modules, classes, the window) is frozen: later collections
    walk only what was made since, and collect its garbage as before."""
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["long_lived_walked"] == 0 and seen["frozen"] >= 100_000
    assert seen["later_walked"] == 1_000  # made after: walked (and collected) as ever
    assert seen["frozen_again"] == 0 and seen["collected"] >= 1


THREADS_SCRIPT = """
import gc, json, threading, time
import gui
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui.heap import collect_in_gui_thread
collect_in_gui_thread()  # as gui.app does
class Owned(QObject):  # a Qt object Python owns (no parent), of a Python class
    pass
gone_in = []
owned = Owned()
owned.me = owned  # held by a reference cycle only
owned.destroyed.connect(
    lambda *_: gone_in.append(threading.current_thread().name), Qt.ConnectionType.DirectConnection
)
del owned
def work():  # a worker's garbage: enough cycles for a collection to fall due
    for _ in range(5_000):
        cycle = []
        cycle.append(cycle)
worker = threading.Thread(target=work, name="worker")
worker.start()
worker.join()
after_worker = list(gone_in)
end = time.monotonic() + 10
while not gone_in and time.monotonic() < end:
    app.processEvents()
    time.sleep(0.01)
print(json.dumps({"after_worker": after_worker, "gone_in": gone_in, "auto": gc.isenabled()}))
"""


def test_only_the_gui_thread_frees_reference_cycles(private_dirs: Path) -> None:
    """A collection falls due on whichever thread allocates, and frees the Qt objects Python
    owns that it finds in cycles in that thread: a parentless window of a Python class
    collected by a worker crashed a reproduction, or hung it. In the app (``gui.app``) a
    worker's allocations collect nothing; the GUI thread's timer collects what is due."""
    out = subprocess.run(
        [sys.executable, "-c", THREADS_SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["after_worker"] == [], "the worker's allocations freed the cycle"
    assert seen["gone_in"] == ["MainThread"]
    assert seen["auto"] is False

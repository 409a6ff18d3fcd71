"""The garbage collector and the GUI thread.

Python's collector runs on whichever thread allocates when a generation fills up, holding the
GIL: a full (generation 2) collection walks every tracked object in the process, and while it
runs the event loop stands still. Most of those objects are the modules, classes and functions
imported at start-up (PySide6, numpy, the GUI's own), which live as long as the app: walking
them again and again only freezes the window (a full collection took 1.0-1.5 s on the GUI
thread of a test process holding 450,000 objects: the workbench stood still 0.4-1.5 s while a
transcription ran; 44-48 ms in the app itself with a project open, on a loaded machine:
bench/gc_pause_bench.py).

``freeze_long_lived`` moves what is alive once the main window is built into the collector's
permanent generation (``gc.freeze``), so that later collections walk only what was made since.

``collect_in_gui_thread`` makes the GUI thread the only one that collects. A collection frees
whatever it finds in reference cycles, and a Qt object Python owns is deleted by the thread that
frees it: a parentless window, dialog or menu of a Python class (Shiboken moves the deletion to
the GUI thread only for Qt's own classes, not for subclasses), or a model, timer or signal
object with no parent. Collected by a worker thread, such a window crashed the process in a
reproduction (the GUI thread painted its views meanwhile) or hung it (closing its native window
waits for the GUI thread, which was waiting for the worker); a running timer crashed it.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

_frozen = False
#: how often the GUI thread looks whether a collection is due (a collection is due as often as
#: the collector's own thresholds make it: every 700 objects made, on the thread that made them)
COLLECT_EVERY_MS = 1000


def freeze_long_lived() -> bool:
    """Once per process: collect what is garbage now, then freeze every object still alive
    (``gc.freeze``): no later collection walks them. True when this call froze them.

    Call it when the main window is built: what is alive then (modules, the window) lives as
    long as the app. Objects frozen are never collected, even if they become garbage later,
    so it runs once, not for each window (a test process builds hundreds).
    """
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.collect()
    gc.freeze()
    return True


class _Collector(QObject):
    """The timer of ``collect_in_gui_thread``: a child of the application object."""

    def __init__(self, app: QObject, every_ms: int) -> None:
        super().__init__(app)
        self.timer = QTimer(self)
        self.timer.timeout.connect(collect_due)
        self.timer.start(every_ms)


_collector: _Collector | None = None


def collect_due() -> int:
    """Collect the generations whose counts passed the collector's thresholds, as the
    automatic collection does (here: in the calling thread). The number of objects freed."""
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    if counts[0] <= thresholds[0]:
        return 0
    generation = 2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0
    return gc.collect(generation)


def collect_in_gui_thread(every_ms: int = COLLECT_EVERY_MS) -> bool:
    """Once per process, from the GUI thread with the application made (``gui.app``): the
    automatic collection is turned off for good, and a timer of the GUI thread collects what
    is due every ``every_ms`` (only while the event loop runs). True when this call set it up.
    (The GUI tests do the same their own way: no collection during a test, and in the GUI
    thread as it ends the youngest generation and any older one due,
    ``tests/gui/modal_guard.py``.)

    Worker threads then never free a reference cycle: what they drop outside cycles is freed
    by its reference count, as always, and a Qt object a worker drops is its own business
    (``gui/tasks.py``: workers never touch widgets)."""
    global _collector
    app = QCoreApplication.instance()
    if _collector is not None or app is None:
        return False
    _collector = _Collector(app, every_ms)
    gc.disable()
    return True

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
"""

from __future__ import annotations

import gc

_frozen = False


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

"""The event-loop meter of the ``alone`` tests tells where the GUI thread stalled."""

from __future__ import annotations

import gc
import time
from typing import Any

from PySide6.QtCore import QTimer

from tests.gui.gui_helpers import StallMeter


def a_slot_that_blocks() -> None:
    gc.collect()
    time.sleep(0.3)


def test_the_meter_names_the_stalling_call_and_the_collection_in_it(qtbot: Any) -> None:
    """A stall of the GUI thread failed a test with its length only ("the event loop stalled
    for 770 ms"), and nobody found why; the meter now samples the GUI thread's stack while it
    stalls and records the garbage collections in it (it was one: gui/heap.py)."""
    meter = StallMeter()
    meter.start()
    QTimer.singleShot(50, a_slot_that_blocks)
    qtbot.wait(600)
    worst = meter.stop()
    where = meter.where()
    assert worst >= 250, where  # sleeping is not waiting for a CPU: it all counts
    assert "in a_slot_that_blocks" in where and "time.sleep(0.3)" in where
    assert "generation 2 collected" in where

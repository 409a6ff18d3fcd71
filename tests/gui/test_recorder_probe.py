"""The recorder's pactl probe thread holds nothing of the recorder's."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest


def test_a_recorder_dropped_while_pactl_is_asked_is_destroyed_in_its_own_thread(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The probe thread held the recorder: a recorder dropped while pactl was being asked was
    destroyed, Qt objects and all, in that thread when it ended ("QSocketNotifier: Socket
    notifiers cannot be enabled or disabled from another thread", then a segmentation fault in
    the next GUI test). It is now destroyed where its last reference goes."""
    from PySide6.QtMultimedia import QAudioDevice

    from gui import recording_engine as engine

    asked, release = threading.Event(), threading.Event()

    def slow_sources() -> set[str]:
        if threading.current_thread() is not threading.main_thread():
            asked.set()
            release.wait(10)
        return {engine.device_id(QAudioDevice())}

    monkeypatch.setattr(engine, "pactl_sources", slow_sources)
    rec = engine.Recorder(tmp_path, QAudioDevice())
    rec.recording = SimpleNamespace(error=None)  # type: ignore[assignment]
    rec._last_data = time.monotonic()
    rec._check()  # asks pactl in its thread
    try:
        assert asked.wait(5)
        gone = weakref.ref(rec)
        del rec
        gc.collect()
        assert gone() is None
    finally:
        release.set()

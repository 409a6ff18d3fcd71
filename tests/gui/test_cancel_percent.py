"""After Cancel, the status bar and the Sessions list name the same percentage: what is kept."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from gui.models.sessions import STATUS_COL
from tests.gui.test_transcription_cancel import _second_batch_decoding


def test_the_status_bar_says_the_percent_kept_as_the_list_does(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    """Cancel pressed twice (stop now) at 78 % on the screen: the status bar said "Transcription
    cancelled at 78 %; 18 segments kept" while the list and the header said "cancelled at 56 %",
    the part written (the batch being decoded was dropped). Both now say what is kept."""
    sid = _second_batch_decoding(window, qtbot, idle, speech_wav)
    # the real decoder reports its progress through the batch it decodes, before writing it
    window.transcription._transcription_progress(sid, SimpleNamespace(fraction=0.9, eta_s=3.0))
    window.transcription.cancel_transcription(sid)
    window.transcription.cancel_transcription(None)  # pressed again: it stops now
    qtbot.waitUntil(lambda: sid not in window.transcription.running, timeout=10000)
    model = window.sessions_model

    def listed() -> str:
        row = model.row_of(sid)
        return str(model.index(row, STATUS_COL).data()) if row >= 0 else ""

    qtbot.waitUntil(lambda: listed().startswith("cancelled at"), timeout=10000)
    idle(window)
    said = window.statusBar().currentMessage()
    kept = re.search(r"cancelled at (\d+) %", listed())
    assert kept is not None
    state = window.project.transcription.transcription_state(sid)
    assert int(kept.group(1)) == int(100 * state.done_ms / state.total_ms)
    assert f"cancelled at {kept.group(1)} %" in said, (said, listed())

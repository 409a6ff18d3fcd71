"""A session of text alone (a transcript imported with no audio) in the workbench: what needs
its recording says that there is none, before anything is asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def _text_session(window: Any, qtbot: Any, idle: Any, tmp_path: Path) -> str:
    txt = tmp_path / "сұхбат.txt"
    txt.write_text("[00:00:01] Айгүл: Емхана жоқ.\n[00:00:04] Модератор: Рақмет.\n", "utf-8")
    window.exchange.transcripts.import_transcript_session(txt)
    qtbot.waitUntil(lambda: len(window.project.sessions.all()) == 1)
    idle(window)
    sid: str = window.project.sessions.all()[0].id
    window.sessions.open_segment_session(sid)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 2)
    idle(window)
    return sid


def test_transcribe_and_retranscribe_say_there_is_no_recording(
    window: Any, qtbot: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Transcription ▸ Transcribe session on it asked for consent to transcribe, then said
    "Session 01a24fb8-b0fa-73ff-96c3-89d8527d61f0 has no audio." in a box: an id nobody
    knows, nothing on what to do. Both Transcribe and Re-transcribe segment now say at once
    that the session has no recording, by its title, and ask nothing."""
    import gui.consent

    sid = _text_session(window, qtbot, idle, tmp_path)
    asked: list[Any] = []
    monkeypatch.setattr(gui.consent, "ask", lambda *a, **_k: asked.append(a) or gui.consent.GO)
    errors: list[str] = []
    monkeypatch.setattr(window.chrome, "show_error", lambda e: errors.append(str(e)))
    window.transcription.act_transcribe.trigger()
    idle(window)
    said = (
        "“сұхбат” has no recording (a transcript imported as text): nothing in it can be "
        "transcribed; its text is corrected by typing."
    )
    assert errors == [said]
    assert not asked and not window.transcription.running
    window.transcript.go_to_row(0)
    window.transcription.act_retranscribe.trigger()
    idle(window)
    assert errors == [said, said]
    texts = [s.text for s in window.project.transcript.segments(sid)]
    assert texts == ["Емхана жоқ.", "Рақмет."]

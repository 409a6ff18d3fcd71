"""Transcription ▸ Transcribe on a cluster…: asks where, runs in the background on a real
LocalCluster (one worker), and the transcript lands as with a local run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog

from gui import cluster_dialog
from gui.ask_dialog import AskDialog
from storage.core.errors import FieldScribeError

pytest.importorskip("distributed")


def _answers(monkeypatch: pytest.MonkeyPatch, choice: str, value: Any) -> None:
    def ask(*_a: Any, items: Any = None, **_k: Any) -> tuple[Any, bool]:
        return (value if items is None else choice), True  # an address, or the choice

    monkeypatch.setattr(AskDialog, "ask", staticmethod(ask))
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *a, **k: (value, True)))


def test_the_dialog_asks_for_workers_or_an_address(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _answers(monkeypatch, cluster_dialog.LOCAL, 3)
    assert cluster_dialog.ask_cluster(None) == {"workers": 3}  # type: ignore[arg-type]
    _answers(monkeypatch, cluster_dialog.REMOTE, " tcp://10.0.0.5:8786 ")
    assert cluster_dialog.ask_cluster(None) == {"address": "tcp://10.0.0.5:8786"}  # type: ignore[arg-type]


def test_a_public_address_is_refused_before_anything_starts() -> None:
    run = cluster_dialog.cluster_transcriber({"address": "tcp://8.8.8.8:8786"})
    with pytest.raises(FieldScribeError, match="private network"):
        run(None, "sid")


@pytest.mark.slow
def test_transcribe_on_a_local_cluster_from_the_menu(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.project.set_languages("en")
    window.transcription.import_files([speech_wav], kind="interview")
    idle(window)
    sid = window.project.sessions.all()[0].id
    window.sessions.reopen_session(sid)
    idle(window)
    _answers(monkeypatch, cluster_dialog.LOCAL, 1)
    assert window.transcription.act_transcribe_cluster.text() == "Transcribe on a cluster…"
    messages: list[str] = []
    show = window.transcription.chrome.message
    monkeypatch.setattr(
        window.transcription.chrome,
        "message",
        lambda text, *a: (messages.append(text), show(text, *a))[1],
    )
    window.transcription.act_transcribe_cluster.trigger()
    assert sid in window.transcription.running
    idle(window, timeout=120000)
    state = window.project.transcription.transcription_state(sid)
    assert state is not None and state.status == "done"
    text = " ".join(s.text for s in window.project.transcript.segments(sid)).lower()
    assert "village" in text and "spring" in text
    assert any("1/1 workers" in m and "h/h" in m for m in messages), messages

"""File ▸ Import audio… offers first every kind of recording FieldScribe knows, phones' and
messengers' among them (.amr, .3gp, .caf, .oga), before All files."""

from __future__ import annotations

from typing import Any

import pytest

from storage.core.audio import AUDIO_EXTENSIONS


def test_the_import_dialog_offers_every_known_kind_first(
    window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    asked: list[str] = []

    def answer(_parent: Any, _caption: str, _dir: str, filt: str) -> tuple[list[str], str]:
        asked.append(filt)
        return [], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", answer)
    window.transcription.import_dialog()
    [first, *_rest] = asked[0].split(";;")
    assert all(f"*{ext}" in first.split("(")[1] for ext in AUDIO_EXTENSIONS)
    assert {"*.amr", "*.3gp", "*.caf", "*.oga", "*.m4a"} <= set(first[:-1].split("(")[1].split())


def test_several_files_are_asked_one_kind_for_all_in_so_many_words(
    window: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The walk: four recordings chosen at once were asked "Kind of session:", as if for one
    (and all four became what was chosen)."""
    from PySide6.QtWidgets import QFileDialog

    from gui.ask_dialog import AskDialog

    asked: list[str] = []
    files = [str(tmp_path / f"{n}.wav") for n in range(4)]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: (files, ""))

    def ask(_parent: Any, _title: str, label: str, *_a: Any, **_k: Any) -> tuple[str, bool]:
        asked.append(label)
        return "", False

    monkeypatch.setattr(AskDialog, "ask", staticmethod(ask))
    window.transcription.import_dialog()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: (files[:1], ""))
    window.transcription.import_dialog()
    assert asked == ["Kind of the 4 sessions:", "Kind of session:"]

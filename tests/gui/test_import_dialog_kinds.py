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

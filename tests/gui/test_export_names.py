"""A file name with a dot of its own, typed into an export's save dialog with the kind chosen in
the dialog's list, is written as that kind (File menu's transcript, codings, codebook and .qdpx
exports)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.gui.test_exchange_menu import _consent, _options, _seed
from tests.gui.test_team_menu import _action

TRANSCRIPT = "Export this transcript (txt, docx, srt, vtt, json)…"
CODINGS = "Export codings (.xlsx, .csv)…"
CODEBOOK = "Export the codebook (.qdc, .csv, .xlsx, .docx)…"
QDPX = "Export as REFI-QDA project (.qdpx)…"


def _type_name(monkeypatch: pytest.MonkeyPatch, path: Path, suffix: str) -> list[str]:
    """The save dialog answered as a person does: ``path`` typed without an ending, the kind
    ``*.suffix`` picked in its list of kinds. Returns the kinds offered."""
    offered: list[str] = []

    def save(*args: Any, **_k: Any) -> tuple[str, str]:
        kinds = args[3].split(";;")
        offered.extend(kinds)
        return str(path), next(k for k in kinds if f"*.{suffix}" in k)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    return offered


def _ready(window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A session with codings shown, the export options and consent answered: the empty
    folder the test saves into."""
    sid = _seed(window.project)
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(sid)
    idle(window)
    _options(monkeypatch)
    _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    out = tmp_path / "out"
    out.mkdir()
    return out


@pytest.mark.parametrize(
    ("entry", "suffix"),
    [
        (TRANSCRIPT, "docx"),
        (TRANSCRIPT, "srt"),
        (CODINGS, "csv"),
        (CODEBOOK, "csv"),
        (QDPX, "qdpx"),
    ],
)
def test_a_dated_name_is_written_as_the_kind_chosen(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, suffix: str
) -> None:
    """ "Интервью 12.05.2024" with Word chosen: the dialog gave the name without ".docx", its
    ".2024" was taken for the file's kind and the export refused it ("choose .txt, .docx…;
    nothing was written"): the kind picked in the list did nothing."""
    out = _ready(window, idle, tmp_path, monkeypatch)
    _type_name(monkeypatch, out / "Интервью 12.05.2024", suffix)
    _action(window, "&File", entry).trigger()
    idle(window)
    written = out / f"Интервью 12.05.2024.{suffix}"
    assert written.is_file() and written.stat().st_size > 0, window.chrome.last_error
    assert [p.name for p in out.iterdir()] == [written.name]


def test_a_name_typed_with_a_kind_offered_keeps_it(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "notes.txt" typed while Word is the kind in the list: the .txt typed is written."""
    out = _ready(window, idle, tmp_path, monkeypatch)
    _type_name(monkeypatch, out / "notes.txt", "docx")
    _action(window, "&File", TRANSCRIPT).trigger()
    idle(window)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert "P01 said the clinic" in (out / "notes.txt").read_text(encoding="utf-8")

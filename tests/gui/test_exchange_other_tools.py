"""The other tools' exports of ``tests/data/exchange`` imported through the File menu of a
1024x700 window: each .qdpx into the open project, each codebook, a transcript into the open
session; a damaged .qdpx is one message and the project is unchanged. ``FS_GRAB_DIR`` set:
the window and each report are saved there as PNG (to look at)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from storage import Project
from tests.gui.test_team_menu import _action, _answer_files
from tests.teamwork_helpers import dump

DATA = Path(__file__).parents[1] / "data" / "exchange"
IMPORT_QDPX = "Import a REFI-QDA project (.qdpx)…"
IMPORT_CODEBOOK = "Import a codebook (.qdc, .qdpx, .csv, .xlsx, .docx)…"


def _grab(window: Any, name: str) -> None:
    folder = os.environ.get("FS_GRAB_DIR")
    if not folder:
        return
    window.grab().save(str(Path(folder) / f"{name}-window.png"))
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox) and box.isVisible():
            box.grab().save(str(Path(folder) / f"{name}-report.png"))


def _close_boxes() -> None:
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox) and box.isVisible():
            box.close()


def test_other_tools_files_come_in_through_the_file_menu(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = window
    w.resize(1024, 700)
    project: Project = w.project
    idle(w)
    before = dump(project.folder)
    for bad, says in [
        ("bad_truncated", "incomplete or damaged"),
        ("bad_xml", "malformed XML"),
    ]:
        w.chrome.last_error = ""
        _answer_files(monkeypatch, getOpenFileName=DATA / f"{bad}.qdpx")
        _action(w, "&File", IMPORT_QDPX).trigger()
        idle(w)
        assert says in w.last_error and "\n" not in w.last_error, (bad, w.last_error)
        _grab(w, bad)
        _close_boxes()
        assert dump(project.folder) == before and w.project is project
    assert w.exchange.last_report == ""  # no report of an import that did not happen
    # one text missing from the archive: the rest comes in, the report names the source
    w.chrome.last_error = ""
    _answer_files(monkeypatch, getOpenFileName=DATA / "bad_missing_source.qdpx")
    _action(w, "&File", IMPORT_QDPX).trigger()
    idle(w)
    assert w.last_error == "", w.last_error
    said = w.exchange.last_report
    assert "Text source 'Интервью Айгүл': its text 'internal://" in said
    assert "is missing from the archive" in said
    _grab(w, "bad_missing_source")
    _close_boxes()
    for name in ("qualcoder", "atlas_audio", "minimal"):
        w.chrome.last_error = ""
        _answer_files(monkeypatch, getOpenFileName=DATA / f"{name}.qdpx")
        _action(w, "&File", IMPORT_QDPX).trigger()
        idle(w)
        assert w.last_error == "", (name, w.last_error)
        assert w.exchange.last_report.startswith(f"Imported {DATA / name}.qdpx"), name
        _grab(w, name)
        _close_boxes()
    assert len(project.sessions.all()) == 3 and len(project.codebook.codings()) == 7
    assert w.sessions_model.rowCount() == 3  # the sessions list shows them in place
    _answer_files(monkeypatch, getOpenFileName=DATA / "nvivo.qdc")
    _action(w, "&File", IMPORT_CODEBOOK).trigger()
    idle(w)
    assert w.last_error == "" and "4 already in the codebook" in w.exchange.last_report
    _close_boxes()


IMPORT_AS_SESSION = "Import a transcript as a new session (no audio needed)…"


@pytest.mark.parametrize(
    ("name", "speakers"),
    [
        ("noscribe.html", "S00, S01"),
        ("otranscribe.otr", "Айгүл, Интервьюер"),
        ("otter.txt", "Speaker 1, Speaker 2"),
        ("timestamps.docx", "Айгүл, Интервьюер"),
        ("bom_crlf.srt", "none"),
        ("voices.vtt", "Айгүл Б., Интервьюер"),
    ],
)
def test_each_tools_transcript_comes_in_as_a_session_through_the_file_menu(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch, name: str, speakers: str
) -> None:
    w = window
    w.resize(1024, 700)
    project: Project = w.project
    idle(w)
    _answer_files(monkeypatch, getOpenFileName=DATA / name)
    _action(w, "&File", IMPORT_AS_SESSION).trigger()
    idle(w)
    assert w.last_error == "", w.last_error
    assert f"speakers: {speakers}" in w.exchange.last_report and ".." not in w.exchange.last_report
    (session,) = project.sessions.all()
    texts = [s.text for s in project.transcript.segments(session.id)]
    assert texts[1] == "В нашем селе больница закрылась, до аптеки ехать сорок минут."
    assert len(texts) == 4 and w.sessions_model.rowCount() == 1
    _grab(w, f"transcript-{name}")
    _close_boxes()

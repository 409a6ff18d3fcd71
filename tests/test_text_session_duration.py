"""A session of text alone (a transcript imported without its recording) has no length.

`fieldscribe sessions` and the Sessions list showed "0:00.000" / "0:00" for it, which reads as a
recording of no length (a broken file); they show "-" and "—", and the list's tooltip says
there is no recording. A session with a recording still shows its length.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.hardening_support import run_cli, tone_wav

VTT = (
    "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Айгүл>Сәлем, бастайық.\n\n"
    "00:00:05.000 --> 00:00:09.500\n<v Ерлан>Хорошо, начнём.\n"
)


@pytest.fixture
def folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "P.fieldscribe"
    (tmp_path / "a.vtt").write_text(VTT, encoding="utf-8")
    assert run_cli(capsys, "new", folder, "--languages", "ru,kk")[0] == 0
    code, _out, err = run_cli(
        capsys, "import-transcript", folder, tmp_path / "a.vtt", "--new-session", "Сұхбат"
    )
    assert code == 0, err
    wav = tone_wav(tmp_path / "fg.wav", seconds=2.0)
    code, _out, err = run_cli(capsys, "import", folder, wav, "--title", "Запись")
    assert code == 0, err
    return folder


def test_the_command_shows_no_length_for_text_alone(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "sessions", folder)
    assert code == 0, err
    rows = {line.split()[-1]: line.split()[2] for line in out.splitlines()[2:] if line.strip()}
    assert rows["Сұхбат"] == "-"
    assert rows["Запись"] == "0:02.000"


def test_the_sessions_list_shows_no_length_for_text_alone(folder: Path, qapp: Any) -> None:
    from PySide6.QtCore import Qt

    from gui.models.sessions import HEADERS, NO_RECORDING, SessionTableModel
    from storage import Project

    with Project.open(folder, readonly=True) as project:
        sessions = project.sessions.all()
    model = SessionTableModel()
    model.load(sessions, {})
    col = HEADERS.index("Duration")
    shown = {
        model.session(r).title: (
            model.index(r, col).data(),
            model.index(r, col).data(Qt.ItemDataRole.ToolTipRole),
        )
        for r in range(model.rowCount())
    }
    assert shown["Сұхбат"][0] == NO_RECORDING
    assert "No recording" in shown["Сұхбат"][1]
    assert shown["Запись"][0] == "0:02" and "No recording" not in shown["Запись"][1]

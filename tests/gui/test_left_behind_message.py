"""A project opened in the window after a FieldScribe was killed half-way through a write (an
import whose copy took its name before the commit): the status bar says what opening cleared,
in the line the command line prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.crash_support import run_killed_at
from tests.hardening_support import make_project, tone_wav


def test_opening_says_what_a_killed_import_left(qtbot: Any, qsettings: Any, tmp_path: Path) -> None:
    from gui.main_window import MainWindow

    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "first.wav"))
    new = tone_wav(tmp_path / "new.wav", seconds=2.0, freq=300.0)
    run_killed_at("os:replace", "import", folder, new, after=True)  # renamed, not committed
    w = MainWindow(settings=qsettings)
    qtbot.addWidget(w)
    assert w.projects.open_project(folder)
    qtbot.wait(500)  # (nothing the opening starts says something else over it)
    shown = w.statusBar().currentMessage()
    assert "removed 1 audio copy" in shown and "killed before its commit" in shown, shown
    w.close()

"""Install… on the Models page of the settings, killed (SIGKILL: a flat battery) in the middle
of the download, or stopped with Cancel: the model is not listed, and Install… again resumes
the download where it stopped and ends with one verified model and nothing left in hiding."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crash_support import ROOT
from tests.gui.models_page_support import models_dialog, needs_tiny, small_on_hub
from tests.gui.models_page_support import names as _names
from tests.gui.models_page_support import wait as _wait
from tests.hub_server import FakeHub
from transcribe.models import model_cache_dir

pytestmark = needs_tiny

# the settings window of the app, its Install… started, killed once half of model.bin came
_KILLED_PAGE = """
import os, signal, sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from transcribe import model_download
original = model_download._Counter.add
got = [0]
def add(self, n, filename, *, force=False):
    original(self, n, filename, force=force)
    if filename == "model.bin":
        got[0] += n
        if got[0] * 2 >= int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
model_download._Counter.add = add
app = QApplication([])
from gui.settings import Settings, SettingsDialog
dialog = SettingsDialog(Settings(QSettings(sys.argv[1], QSettings.Format.IniFormat)))
dialog.show()
dialog.models.start_install("small")
QTimer.singleShot(120_000, app.quit)
app.exec()
sys.exit(3)  # never killed
"""


@pytest.fixture
def hub(private_dirs: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    with small_on_hub(private_dirs, monkeypatch) as running:
        yield running


@pytest.fixture
def page(qtbot: Any, qsettings: Any, hub: FakeHub) -> Iterator[Any]:
    with models_dialog(qtbot, qsettings) as d:
        yield d.models


def _hidden() -> list[str]:
    cache = model_cache_dir()
    return [
        str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_dir() and p.name.startswith(".")
    ]


def _installs_again_resuming(qtbot: Any, page: Any, hub: FakeHub) -> None:
    page.refresh()
    _wait(qtbot, page)
    assert "small" not in _names(page)
    hub.requests.clear()
    page.start_install("small")
    _wait(qtbot, page)
    assert page.status.text().startswith("Installed small"), page.status.text()
    (wanted,) = hub.file_gets("model.bin")
    assert wanted is not None and wanted.startswith("bytes=") and wanted != "bytes=0-"
    assert _names(page).count("small") == 1
    assert _hidden() == []
    page.select("small")
    page.start_verify()
    _wait(qtbot, page)
    assert "every file matches" in page.status.text(), page.status.text()


def test_the_page_killed_during_install_resumes_on_install_again(
    qtbot: Any, page: Any, hub: FakeHub, qsettings: Any
) -> None:
    size = len(hub.repos["Systran/faster-whisper-small"]["model.bin"].data)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_PAGE, qsettings.fileName(), str(size)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-800:]
    _installs_again_resuming(qtbot, page, hub)


def test_cancel_during_install_on_the_page_keeps_the_part_and_resumes(
    qtbot: Any, page: Any, hub: FakeHub
) -> None:
    hub.trickle["model.bin"] = (5_000_000, 0.2)  # then a byte now and then: Cancel is needed
    try:
        page.start_install("small")
        qtbot.waitUntil(lambda: bool(hub.file_gets("model.bin")), timeout=30000)
        assert page.cancel_button.isVisible()
        page.cancel_button.click()
        _wait(qtbot, page, timeout=10000)
    finally:
        hub.trickle.clear()
    assert page.status.text() == "Download stopped; Install the same model again to resume it."
    assert list(model_cache_dir().rglob("*.incomplete"))
    _installs_again_resuming(qtbot, page, hub)

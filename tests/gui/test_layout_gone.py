"""A main window destroyed without being closed: its docks' ``gone`` handlers do not raise."""

from __future__ import annotations

import sys
import traceback
from typing import Any

from storage import Project


def test_window_deleted_without_close_raises_nothing(
    qtbot: Any, project: Project, qsettings: Any, fake_transcriber: Any, monkeypatch: Any
) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent
    from shiboken6 import Shiboken

    from gui.main_window import MainWindow

    raised: list[str] = []
    monkeypatch.setattr(
        sys,
        "excepthook",
        lambda t, e, tb: raised.append(f"{t.__name__}: {e} {traceback.format_tb(tb)}"),
    )
    monkeypatch.setattr(sys, "unraisablehook", lambda u: raised.append(str(u.exc_value)))
    w = MainWindow(project, transcriber=fake_transcriber, settings=qsettings)
    w.show()
    qtbot.waitExposed(w)
    w.runner.cancel_all()
    Shiboken.delete(w)  # destroyed, never closed
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.wait(50)
    assert raised == []

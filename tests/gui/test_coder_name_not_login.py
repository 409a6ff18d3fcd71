"""Before anyone gives a coder name, the GUI codes under a neutral one, never the login name:
a first start's dialog offered the login name (a cancelled dialog kept it) and new projects,
the demo and imports then carried it into bundles and exports without its owner choosing it."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

import pytest

from gui.onboarding import first_start
from gui.settings import Settings, default_coder
from storage.core.models import UNNAMED_CODER

LOGIN = "aigul-login-7f3"


@pytest.fixture(autouse=True)
def _login(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: LOGIN)
    monkeypatch.setattr(os, "getlogin", lambda: LOGIN, raising=False)
    for name in ("USER", "LOGNAME", "USERNAME", "LNAME"):
        monkeypatch.setenv(name, LOGIN)


def test_no_name_given_is_a_neutral_name(qsettings: Any) -> None:
    settings = Settings(qsettings)
    assert not settings.has_coder
    assert settings.coder == default_coder() == UNNAMED_CODER


def test_a_cancelled_first_start_keeps_no_login_name(qtbot: Any, qsettings: Any) -> None:
    settings = Settings(qsettings)
    dialog = first_start(settings)
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert LOGIN not in dialog.name.text()
    dialog.reject()
    assert settings.coder == UNNAMED_CODER
    assert LOGIN not in str(qsettings.value("coder", ""))

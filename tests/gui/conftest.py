"""Fixtures for GUI tests: offscreen Qt, a real project and real audio, a fake transcriber."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")

from storage import Project
from tests.gui.gui_helpers import TranscriptionSummary, main_window, make_fake_transcriber

# the guard against unanswered blocking dialogs and callbacks left to a later test: its
# autouse fixture and its hooks, here so that they apply to the GUI tests
from tests.gui.modal_guard import (  # noqa: F401
    modal_dialogs_fail,
    pytest_runtest_setup,
    pytest_runtest_teardown,
)


@pytest.fixture(autouse=True)
def consent_asked_as_a_question(
    monkeypatch: pytest.MonkeyPatch,
    modal_dialogs_fail: None,  # noqa: F811 - after the guard, which it relies on
) -> None:
    """The consent question (``gui.consent.ask``, a box with its own buttons) is answered in
    tests through ``QMessageBox.question`` as it was before it had them: a test that patches
    ``question`` answers it (Yes: go on, YesToAll: go on and don't ask again, Open: Link
    speakers…, anything else: stop), one that does not fails as for any unanswered modal. A
    test of the box itself patches ``gui.consent.ask`` back or answers its ``exec``."""
    from PySide6.QtWidgets import QMessageBox

    import gui.consent

    def through_question(parent: Any, title: str, text: str, **_k: Any) -> Any:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(parent, title, text, buttons.Yes | buttons.Cancel)
        known = (gui.consent.GO, gui.consent.GO_REMEMBER, gui.consent.LINK)
        return answer if answer in known else gui.consent.STOP

    monkeypatch.setattr(gui.consent, "ask", through_question)


@pytest.fixture(scope="session", autouse=True)
def readable_selection(qapp: Any) -> None:
    """The selection colour the app runs with (``gui.app.configure``), in every GUI test."""
    from gui.contrast import readable_palette

    qapp.setPalette(readable_palette(qapp.palette()))


@pytest.fixture(autouse=True)
def no_keys_left_held(qapp: Any) -> Iterator[None]:
    """After each test Qt believes no modifier key is held. ``QTest.keyClick(w, key, Shift)``
    releases the key with Shift still in the event, and Qt then goes on reporting Shift held
    to every later test in the process: ``QTableView.selectRow`` selected nothing, and a click
    on a segment's time would not play it (both read ``QApplication.keyboardModifiers()``)."""
    yield
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    if QApplication.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        releaser = QWidget()
        releaser.show()
        QTest.keyRelease(releaser, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
        releaser.close()
        releaser.deleteLater()


PATIENT_WAIT_MS = 30_000


@pytest.fixture(autouse=True)
def patient_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """``qtbot.waitUntil`` waits up to 30 s at least, not pytest-qt's 5 s or a test's shorter
    figure.

    A wait lasts only until its condition holds, so a passing test is no slower; but two test
    processes on a loaded 2-core CI machine have taken longer than 5 s for a background job
    that takes a tenth of that alone, and the test then failed a correct program. (No test
    waits for a condition that must not come.)
    """
    from pytestqt.qtbot import QtBot

    wait_until = QtBot.waitUntil

    def patient(self: Any, callback: Callable[[], Any], *, timeout: int = PATIENT_WAIT_MS) -> None:
        wait_until(self, callback, timeout=max(timeout, PATIENT_WAIT_MS))

    monkeypatch.setattr(QtBot, "waitUntil", patient)


@pytest.fixture
def private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Cache (waveform peaks), data (the demo project) and config in temporary folders."""
    base = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    return base


@pytest.fixture
def qsettings(tmp_path: Path, private_dirs: Path) -> Any:
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def fake_transcriber() -> Callable[..., TranscriptionSummary]:
    return make_fake_transcriber()


@pytest.fixture
def window(qtbot: Any, project: Project, qsettings: Any, fake_transcriber: Any) -> Iterator[Any]:
    with main_window(qtbot, qsettings, fake_transcriber, project) as w:
        yield w


@pytest.fixture
def idle(qtbot: Any) -> Callable[..., None]:
    """``idle(window)``: wait until every background job ended and its callbacks ran.

    Between the two looks the event loop runs 5 ms: what a job's callbacks posted (a
    zero-delay timer that submits the next job, a queued signal) runs, and a job it submits
    is waited for too. (It ran 30 ms: the window's own timers wait 100 ms and more, so the
    25 ms more covered none of them; over the GUI tests' thousands of calls they were ~25 ms
    of sleep each.)"""

    def wait(window: Any, timeout: int = 30000) -> None:  # generous: CI machines are slow
        qtbot.waitUntil(lambda: not window.runner.busy(), timeout=timeout)
        qtbot.wait(5)
        qtbot.waitUntil(lambda: not window.runner.busy(), timeout=timeout)

    return wait

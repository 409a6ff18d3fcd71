"""SIGTERM (a logout, a shutdown) closes the desktop app as File ▸ Quit does.

Before, the window died as in a crash: the project stayed locked (project.lock naming the dead
process), and a recording running was saved as a session only by the next start's recovery.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from storage import Project

ROOT = Path(__file__).resolve().parent.parent.parent


def test_sigterm_closes_the_window_and_the_project(tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "FieldScribe").mkdir(parents=True)
    (config / "FieldScribe" / "FieldScribe.conf").write_text(
        "[General]\ncoder=alice\ndemo_offered=true\n", "utf-8"
    )
    folder = tmp_path / "Study.fieldscribe"
    Project.create(folder, coder="alice").close()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(config),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    app = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--project", str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    lock = folder / "project.lock"
    try:
        deadline = time.monotonic() + 90
        while f'"pid": {app.pid}' not in (lock.read_text() if lock.exists() else ""):
            assert app.poll() is None, app.stderr.read() if app.stderr else ""
            assert time.monotonic() < deadline, "the window never opened the project"
            time.sleep(0.1)
        time.sleep(0.5)  # the event loop running
        app.send_signal(signal.SIGTERM)
        code = app.wait(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert code == 0, app.stderr.read() if app.stderr else ""
    assert lock.read_text() == ""  # closed: nobody holds the project

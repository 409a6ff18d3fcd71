"""Fixtures for GUI tests: offscreen Qt, a real project and real audio, a fake transcriber."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")

import contextlib

from storage import FieldScribeError, Project, SegmentDraft


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    base = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))


@pytest.fixture
def qsettings(tmp_path: Path) -> Any:
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real few-second spoken WAV made with espeak-ng."""
    out = tmp_path_factory.mktemp("audio") / "interview.wav"
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    subprocess.run(
        ["espeak-ng", "-w", str(out), "Trust matters. The internet is slow in the villages."],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = Project.create(tmp_path / "Test.fieldscribe", coder="ana")
    yield p
    with contextlib.suppress(Exception):
        p.close()


# ---------------------------------------------------------------- fake transcriber
@dataclass
class Progress:
    fraction: float
    done_ms: int
    total_ms: int
    elapsed_s: float
    eta_s: float | None
    segments: int


@dataclass
class TranscriptionSummary:
    session_id: str
    model: str
    language: str | None
    segments_added: int
    duration_ms: int
    elapsed_s: float
    resumed_from_ms: int
    cancelled: bool


class NeedsReplaceError(FieldScribeError):
    """Same name as transcribe.runner's error."""


FAKE_TEXTS = [
    ("Moderator", "Good morning and thank you for coming."),
    ("P1", "I trust the portal with my personal data."),
    ("P2", "In the villages the internet is slow."),
    ("P1", "The health portal reminder was very helpful."),
]


def make_fake_transcriber(delay_s: float = 0.0) -> Callable[..., TranscriptionSummary]:
    """A transcriber with the real signature that writes FAKE_TEXTS, sleeping between them."""

    def transcribe_session(
        project: Project,
        session_id: str,
        *,
        model: str | None = None,
        language: str | None = None,
        threads: int | None = None,
        replace: bool = False,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> TranscriptionSummary:
        t0 = time.monotonic()
        if project.segment_count(session_id):
            if not replace:
                raise NeedsReplaceError("This session already has a transcript.")
            for seg in project.segments(session_id):
                project.delete_segment(seg.id, force=True)
        added = 0
        step = 750  # four segments within the ~3 s of the espeak-ng test recording
        total = step * len(FAKE_TEXTS)
        for i, (speaker, text) in enumerate(FAKE_TEXTS):
            if cancel is not None and cancel.is_set():
                break
            time.sleep(delay_s)
            project.add_segments(
                session_id, [SegmentDraft(i * step, i * step + 700, text, speaker=speaker)]
            )
            added += 1
            if progress is not None:
                done = (i + 1) * step
                progress(Progress(done / total, done, total, time.monotonic() - t0, 1.0, added))
        cancelled = bool(cancel is not None and cancel.is_set())
        return TranscriptionSummary(
            session_id, "fake", "en", added, total, time.monotonic() - t0, 0, cancelled
        )

    return transcribe_session


@pytest.fixture
def fake_transcriber() -> Callable[..., TranscriptionSummary]:
    return make_fake_transcriber()


@pytest.fixture
def window(qtbot: Any, project: Project, qsettings: Any, fake_transcriber: Any) -> Iterator[Any]:
    from gui.main_window import MainWindow

    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(project, transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.runner.cancel_all()
    w.close()


@pytest.fixture
def idle(qtbot: Any) -> Callable[..., None]:
    """``idle(window)``: wait until every background job ended and its callbacks ran."""

    def wait(window: Any, timeout: int = 10000) -> None:
        qtbot.waitUntil(lambda: not window.runner.busy(), timeout=timeout)
        qtbot.wait(30)
        qtbot.waitUntil(lambda: not window.runner.busy(), timeout=timeout)

    return wait

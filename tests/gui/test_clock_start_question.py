"""File ▸ Import a transcript asks the clock time a recording began (the CLI's --starts-at)
when the file's times look like times of day (Zoom's saved captions, ``08:02:33 >> ANNA: …``):
they were refused on a recording ("is this the transcript of another recording?") and a new
session of them started at 8 h. The real dialog is answered here, and grabbed as a picture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QLabel, QTimeEdit, QWidget

from tests.gui.test_exchange_other_tools import IMPORT_AS_SESSION
from tests.gui.test_import_questions import (  # noqa: F401  (real_dialogs: the real modal loops)
    IMPORT_TRANSCRIPT,
    _answer_modal,
    _click,
    real_dialogs,
)
from tests.gui.test_team_menu import _action, _answer_files
from tests.interop_support import make_wav

# the question, not the busy window that may come before it while the file is read: answered
# in its place, that window raised in the timer and the question waited for good (a hang)
_DIALOG = "ClockStartDialog"
_CAPTIONS = "08:02:35 >> ANNA: Hello everyone, welcome.\n08:02:37 >> BORIS: Thanks for joining.\n"


@pytest.fixture
def zoom_session(window: Any, idle: Any, tmp_path: Path) -> tuple[Any, str]:
    """A session of a 5 s recording named as Zoom names its cloud recordings, shown."""
    wav = make_wav(tmp_path / "rec", "Hello everyone, welcome. Thanks for joining us today.")
    wav = wav.rename(wav.with_name("GMT20231201-080233_Recording.wav"))
    sid = window.project.sessions.import_audio(wav, title="Zoom call").id
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(sid)
    idle(window)
    return window, sid


def _choose_captions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Zoom's saved captions written, and chosen in the file dialog that opens next."""
    path = tmp_path / "meeting_saved_closed_caption.txt"
    path.write_text(_CAPTIONS, encoding="utf-8")
    _answer_files(monkeypatch, getOpenFileName=path)


def _answer_time(at: str | None, button: str = "Import") -> Callable[[QWidget], None]:
    def answer(dialog: QWidget) -> None:
        edit = dialog.findChild(QTimeEdit)
        assert edit is not None
        if at is not None:
            edit.setTime(QTime.fromString(at, "HH:mm:ss"))
        _click(button)(dialog)

    return answer


def test_a_clock_timed_file_asks_when_the_recording_began(
    zoom_session: tuple[Any, str],
    idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    almaty: None,
) -> None:
    w, sid = zoom_session
    _choose_captions(tmp_path, monkeypatch)
    seen: list[QWidget] = []
    offered: list[str] = []

    def answer(dialog: QWidget) -> None:
        edit = dialog.findChild(QTimeEdit)
        assert edit is not None
        offered.append(edit.time().toString("HH:mm:ss"))  # the first line's time
        _click("Use 14:02:33")(dialog)  # the start the file name gives, in local time
        offered.append(edit.time().toString("HH:mm:ss"))
        _answer_time("08:02:34")(dialog)

    _answer_modal(tmp_path / "shots", answer, seen, _DIALOG)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert [type(d).__name__ for d in seen] == ["ClockStartDialog"]
    assert offered == ["08:02:35", "14:02:33"]
    said = " ".join(label.text() for label in seen[0].findChildren(QLabel))
    assert "times its lines by the clock (the first at 08:02:35)" in said, said
    assert "08:02:33 UTC, 14:02:33 in this computer's time zone (UTC+06:00)" in said, said
    segs = w.project.transcript.segments(sid)
    assert [(s.start_ms, s.speaker) for s in segs] == [(1000, "ANNA"), (3000, "BORIS")]
    assert "placed on a recording begun at 08:02:34" in w.exchange.last_report


def test_cancel_or_a_start_after_the_first_line_imports_nothing(
    zoom_session: tuple[Any, str], idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, sid = zoom_session
    _choose_captions(tmp_path, monkeypatch)
    seen: list[QWidget] = []
    _answer_modal(tmp_path / "shots", _answer_time(None, "Cancel"), seen, _DIALOG)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert len(seen) == 1 and w.project.transcript.segments(sid) == []
    _answer_modal(tmp_path / "shots", _answer_time("08:02:36"), seen, _DIALOG)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert len(seen) == 2 and w.project.transcript.segments(sid) == []
    assert "is 1.0 s before the recording began (08:02:36)" in w.last_error, w.last_error
    assert "--starts-at" not in w.last_error


@pytest.mark.parametrize(("button", "starts"), [("Import", [3000, 5000]), ("Keep", None)])
def test_a_new_session_of_a_clock_timed_file_asks_or_keeps_the_times(
    window: Any,
    idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    button: str,
    starts: list[int] | None,
) -> None:
    w = window
    _choose_captions(tmp_path, monkeypatch)
    seen: list[QWidget] = []
    click = "Import" if button == "Import" else "Keep the file's times"
    _answer_modal(tmp_path / "shots", _answer_time("08:02:32", click), seen, _DIALOG)
    _action(w, "&File", IMPORT_AS_SESSION).trigger()
    idle(w)
    assert [type(d).__name__ for d in seen] == ["ClockStartDialog"]
    (session,) = w.project.sessions.all()
    got = [s.start_ms for s in w.project.transcript.segments(session.id)]
    assert got == (starts or [8 * 3_600_000 + 155_000, 8 * 3_600_000 + 157_000])

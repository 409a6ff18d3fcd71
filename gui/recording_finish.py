"""What becomes of a recording once it stops: saved as a session in a worker thread
(``Finisher``, for the Record panel), or restored as one after a crash (``recover_unfinished``,
when a project is opened); and the clock and remaining-time formats their reports use."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from storage import Project, Session
from storage.core.errors import FieldScribeError
from storage.recordings.recording import ActiveRecording, finish_recording, recover_all


def fmt_clock(ms: int) -> str:
    """12:34 or 1:02:03."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, sec = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes:02d}:{sec:02d}"


def fmt_hours(seconds: float) -> str:
    """Remaining recording time for people: "3 h 20 min" / "12 min"."""
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def recover_unfinished(project: Project, parent: QWidget | None = None) -> list[Session]:
    """Restore unfinished recordings (after a crash) as sessions and tell the user.

    Call it when a project is opened. It asks nothing and deletes nothing.
    """
    report = recover_all(project)
    if parent is not None and (report.sessions or report.failed):
        lines = [f"Restored “{s.title}” ({fmt_clock(s.duration_ms)})." for s in report.sessions]
        lines += [f"Not restored yet: {text}" for text in report.failed]
        QMessageBox.information(parent, "Unfinished recordings", "\n".join(lines))
    return report.sessions


class Finisher(QObject):
    """Imports a stopped recording in a worker thread (copying and hashing take a while)."""

    done = Signal(object, str)  # Session | None, error message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None

    def wait(self, timeout_s: float) -> None:
        """Block until the import started by ``run`` ended (or ``timeout_s`` passed)."""
        if self._thread is not None:
            self._thread.join(timeout_s)

    def run(self, project: Project, recording: ActiveRecording) -> None:
        def work() -> None:
            try:
                session = finish_recording(project, recording)
            except FieldScribeError as exc:
                self.done.emit(None, f"{exc} The recording stays in {recording.wav_path}.")
                return
            except OSError as exc:
                self.done.emit(None, f"{recording.wav_path}: {exc}; it stays there.")
                return
            self.done.emit(session, "")

        self._thread = threading.Thread(target=work, name="recording-import", daemon=True)
        self._thread.start()

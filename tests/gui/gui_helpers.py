"""Helpers for the GUI tests: a fake transcriber with the real signature, an event-loop meter."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QTimer

from storage import Project, SegmentDraft
from transcribe.runner import NeedsReplaceError, Progress, TranscriptionSummary

FAKE_TEXTS = [
    ("Moderator", "Good morning and thank you for coming."),
    ("P1", "I trust the portal with my personal data."),
    ("P2", "In the villages the internet is slow."),
    ("P1", "The health portal reminder was very helpful."),
]


@contextmanager
def main_window(
    qtbot: Any, qsettings: Any, transcriber: Any, project: Project | None = None
) -> Iterator[Any]:
    """The app's window on ``project`` (none: the start page), shown, not transcribing after an
    import; its background jobs cancelled and the window closed after."""
    from gui.main_window import MainWindow

    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(project, transcriber=transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    try:
        yield w
    finally:
        w.runner.cancel_all()
        w.close()


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
        cancel_wait_s: float | None = None,
        hurry: threading.Event | None = None,
        stop: threading.Event | None = None,
    ) -> TranscriptionSummary:
        t0 = time.monotonic()
        if project.transcript.segment_count(session_id):
            if not replace:
                raise NeedsReplaceError("This session already has a transcript.")
            for seg in project.transcript.segments(session_id):
                project.transcript.delete_segment(seg.id, force=True, removes_speech=False)
        added = 0
        step = 750  # four segments within the ~3 s of the espeak-ng test recording
        total = step * len(FAKE_TEXTS)
        for i, (speaker, text) in enumerate(FAKE_TEXTS):
            if cancel is not None and cancel.is_set():
                break
            time.sleep(delay_s)
            project.transcript.add_segments(
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


class Asked:
    """Stands in for QMessageBox.question: records the texts and gives a set answer."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.texts: list[str] = []

    def __call__(self, _parent: Any, _title: str, text: str, *_a: Any, **_k: Any) -> Any:
        self.texts.append(text)
        return self.answer


def _stack(frame: Any, limit: int = 14) -> str:
    """A thread's innermost ``limit`` frames, pytest's and pluggy's left out."""
    frames = [
        f
        for f in traceback.extract_stack(frame)
        if not any(p in f.filename for p in ("_pytest", "pluggy", "runpy", "pytest/__main__"))
    ]
    return "".join(traceback.format_list(frames[-limit:]))


def _waited_for_cpu(native_id: int) -> float:
    """Seconds the thread has spent ready to run but waiting for a CPU (Linux's schedstat;
    0 where there is none): another process's load, not the program's doing."""
    try:
        with open(f"/proc/self/task/{native_id}/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


class StallMeter:
    """A 10 ms timer; records the longest gap between its ticks (an event-loop stall), and where.

    A stall counts what the program did: the time the GUI thread waited for a CPU while other
    processes had them (Linux's schedstat) is taken out, so a loaded machine does not fail a
    test (another process's load once made 187 ms); whatever the thread did or waited for
    itself (work, a lock, the GIL, the disk) stays in.

    A watchdog thread looks every 5 ms: while the GUI thread has not come back to the event
    loop for over ``watch_ms``, it samples that thread's Python stack (and every other
    thread's), so ``where()`` tells what the worst stall was doing: a slot's own work (a
    query, an import), a wait for a lock or for the GIL (the watchdog is then late too: it needs
    the GIL to look), or a garbage collection (``gc.callbacks``).
    """

    def __init__(self, watch_ms: int = 80) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.watch_s = watch_ms / 1000
        self.gui = threading.get_ident()  # made on the GUI thread, like the timer
        self._native = threading.get_native_id()
        # the GUI thread's CPU time: a stall it spent working, or waiting (for a CPU, the GIL)
        clock = getattr(time, "pthread_getcpuclockid", None)  # not on every system
        self._cpu = clock(self.gui) if clock is not None else None
        self.worst = 0  # ms: the longest gap, less the time the GUI thread waited for a CPU
        self.worst_gap = 0  # ms: that gap as the clock measured it
        self._guard = threading.RLock()  # RLock: a collection may start in _tick, holding it
        self._last = self._cpu_last = self._waited_last = 0.0
        self._samples: list[str] = []
        self._gcs: list[str] = []
        self._gc_at = 0.0
        self._worst_samples: list[str] = []
        self._worst_gcs: list[str] = []
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None

    def start(self) -> None:
        self.worst = self.worst_gap = 0
        self._mark(time.monotonic())
        self._stop.clear()
        gc.callbacks.append(self._gc)
        self._watchdog = threading.Thread(target=self._watch, name="stall-watchdog", daemon=True)
        self._watchdog.start()
        self.timer.start()

    def _mark(self, now: float) -> None:
        self._last = now
        self._cpu_last = self._ran()
        self._waited_last = _waited_for_cpu(self._native)

    def _ran(self) -> float:
        """The GUI thread's CPU time in seconds (0 where it cannot be read)."""
        return time.clock_gettime(self._cpu) if self._cpu is not None else 0.0

    def _tick(self) -> None:
        now = time.monotonic()
        with self._guard:
            gap = round((now - self._last) * 1000)
            own = gap - round((_waited_for_cpu(self._native) - self._waited_last) * 1000)
            if own > self.worst:
                self.worst, self.worst_gap = own, gap
                self._worst_samples, self._worst_gcs = self._samples, self._gcs
            self._samples, self._gcs = [], []
            self._mark(now)

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if threading.get_ident() != self.gui:
            return
        if phase == "start":
            self._gc_at = time.monotonic()
        else:
            took = round((time.monotonic() - self._gc_at) * 1000)
            with self._guard:
                self._gcs.append(f"generation {info['generation']} collected, {took} ms")

    def _watch(self) -> None:
        while True:
            asleep = time.monotonic()
            if self._stop.wait(0.005):
                return
            now = time.monotonic()
            with self._guard:
                since, ran = now - self._last, self._ran() - self._cpu_last
                starved = _waited_for_cpu(self._native) - self._waited_last
            if since < self.watch_s:
                continue
            late = round((now - asleep - 0.005) * 1000)
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            frames = sys._current_frames()
            names = {t.ident: t.name for t in threading.enumerate()}
            gui = frames.get(self.gui)
            lines = [
                f"{round(since * 1000)} ms since the last tick: the GUI thread ran"
                f" {round(ran * 1000)} ms, waited {round(starved * 1000)} ms for a CPU (the"
                " rest it waited for the GIL, a lock or the disk); the watchdog woke"
                f" {late} ms late (it needs the GIL); load average {load}; the GUI thread:",
                _stack(gui) if gui is not None else "  (no frame)\n",
            ]
            for ident, frame in frames.items():
                if ident in (self.gui, threading.get_ident()):
                    continue
                lines.append(f"  thread {names.get(ident, ident)}:\n" + _stack(frame, 4))
            with self._guard:
                self._samples.append("\n".join(lines))

    def stop(self) -> int:
        """Stop; the worst stall in ms (the time the GUI thread waited for a CPU left out)."""
        self.timer.stop()
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join()
        if self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)
        return self.worst

    def where(self) -> str:
        """What the worst stall was: the collections in it, its last sample with every
        thread's stack, the GUI thread's other stacks seen (most often first); a failure
        message."""
        head = (
            f"the worst stall: {self.worst} ms of the program's"
            f" ({self.worst_gap} ms by the clock, the rest waiting for a CPU)"
        )
        if not self._worst_samples:
            return (
                f"{head}; no sample of it (the watchdog samples after {self.watch_s * 1000:.0f} ms)"
            )
        out = [f"{head}, sampled {len(self._worst_samples)} times;"]
        out += self._worst_gcs or ["no garbage collection on the GUI thread in it"]
        out += ["the last sample:", self._worst_samples[-1]]
        last = self._worst_samples[-1].split("\n  thread ")[0].split("\n", 1)[1]
        others = Counter(s.split("\n  thread ")[0].split("\n", 1)[1] for s in self._worst_samples)
        for stack, n in others.most_common(4):
            if stack != last:
                out += [f"another GUI stack, seen in {n} sample(s):", stack]
        return "\n".join(out)


def import_and_transcribe(
    window: Any, qtbot: Any, idle: Any, wav: Any, *, open_session: bool = False
) -> str:
    """Import the four-sentence recording into the open project and transcribe it (fake);
    ``open_session``: open it in the workbench first. Returns the session's id."""
    window.transcription.import_files([wav])
    idle(window)
    sid: str = window.project.sessions.all()[0].id
    if open_session:
        window.sessions.open_segment_session(sid)
        idle(window)
    window.transcription.start_transcription(sid)
    idle(window)
    # the fake transcriber is quick, but a loaded CI machine once took over 5 s (the default)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 4, timeout=30_000)
    return sid


def code_and_retrieve(window: Any, idle: Callable[..., None], name: str, row: int) -> Any:
    """Make a code ``name``, code the transcript's row ``row`` with it and retrieve it in the
    Retrieval dock, as a coder does; return the code."""
    window.editing.add_code(name)
    idle(window)
    code = window.project.codebook.find_code(name)
    window.transcript.go_to_row(row)
    window.editing.apply_code(code.id)
    idle(window)
    window.docks.retrieve_code(code.id)
    idle(window)
    return code

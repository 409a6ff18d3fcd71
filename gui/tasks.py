"""The one way the GUI runs slow work: a worker thread runs the job, signals bring results back.

A job is a plain callable ``job(ctx) -> result``. It runs on a worker thread and must never touch
a widget; it reports progress with ``ctx.progress(value)`` and checks ``ctx.cancel`` (a
``threading.Event``) to stop early. Results, errors and progress come back to the GUI thread as
queued Qt signals, delivered to the callbacks given to ``TaskRunner.submit``.

Three lanes exist: ``serial=True`` jobs (database writes, undo commands) run one after another
in submission order, so an undo never overtakes the edit it reverses; ``long=True`` jobs
(transcriptions, speaker detection: minutes to hours each) run in a pool of their own, so that
however many are queued, the other jobs (searches, imports, waveform peaks, exports), which run
in a small parallel pool, never wait behind them.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from gui.qtcompat import emit


@dataclass
class TaskContext:
    """What a job gets: a progress reporter and a cancel flag."""

    cancel: threading.Event = field(default_factory=threading.Event)
    # set with ``cancel`` when the project closes or the app quits (``TaskRunner.cancel_all``):
    # a job that finishes work in hand after a cancel (a transcription) stops soon instead
    hurry: threading.Event = field(default_factory=threading.Event)
    # set when a worker takes the job up: until then it waits for a free one in its lane
    started: threading.Event = field(default_factory=threading.Event)
    _emit_progress: Callable[[Any], None] = lambda value: None

    def progress(self, value: Any) -> None:
        """Report progress (any value; the GUI callback decides what it means)."""
        self._emit_progress(value)

    @property
    def cancelled(self) -> bool:
        """True once cancel was asked for."""
        return self.cancel.is_set()


class _Signals(QObject):
    """The signals a worker emits for its handle: a child of the handle, so Qt deletes it with
    the handle, in the GUI thread. Parentless (owned by Python) it was deleted wherever the
    handle's Python wrapper was freed: by the cyclic garbage collector (the handle and its
    callbacks refer to each other), which runs in whichever thread allocates - a worker's."""

    progress = Signal(object)
    began = Signal()  # a worker took the job (it may have waited behind others)
    done = Signal(object)
    failed = Signal(object, str)
    finished = Signal()


class TaskHandle(QObject):
    """A submitted job: cancel it, or read its outcome. Lives on the GUI thread."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.context = TaskContext()
        self.signals = _Signals(self)
        self.running = True
        self.result: Any = None
        self.error: BaseException | None = None
        self.traceback = ""
        self.on_done: Callable[[Any], None] | None = None
        self.on_error: Callable[[BaseException], None] | None = None
        self.on_progress: Callable[[Any], None] | None = None
        self.on_finished: Callable[[TaskHandle], None] | None = None
        self.on_began: Callable[[TaskHandle], None] | None = None
        queued = Qt.ConnectionType.QueuedConnection
        self.signals.progress.connect(self._progress, queued)
        self.signals.began.connect(self._began, queued)
        self.signals.done.connect(self._done, queued)
        self.signals.failed.connect(self._failed, queued)
        self.signals.finished.connect(self._finished, queued)

    def cancel(self, *, hurry: bool = False) -> None:
        """Ask the job to stop (it checks ``ctx.cancel``); ``hurry``: soon (``ctx.hurry``)."""
        if hurry:
            self.context.hurry.set()
        self.context.cancel.set()

    def drop_callbacks(self) -> None:
        """Deliver nothing of this job any more (its outcome is no longer wanted)."""
        self.on_done = self.on_progress = None
        self.on_error = lambda _exc: None

    @Slot(object)
    def _progress(self, value: object) -> None:
        if self.on_progress is not None and self.running:
            self.on_progress(value)

    @Slot()
    def _began(self) -> None:
        if self.on_began is not None:
            self.on_began(self)

    @Slot(object)
    def _done(self, result: object) -> None:
        if self.on_done is not None:
            self.on_done(result)

    @Slot(object, str)
    def _failed(self, exc: object, tb: str) -> None:
        self.traceback = tb
        if self.on_error is not None:
            self.on_error(exc)  # type: ignore[arg-type]

    @Slot()
    def _finished(self) -> None:
        self.running = False
        if self.on_finished is not None:
            self.on_finished(self)


class _Runnable(QRunnable):
    def __init__(self, job: Callable[[TaskContext], Any], handle: TaskHandle) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job = job
        self._handle = handle

    def run(self) -> None:  # worker thread: no widgets here
        handle = self._handle
        signals = handle.signals
        handle.context.started.set()
        emit(signals.began)
        try:
            result = self._job(handle.context)
        except BaseException as exc:
            handle.error = exc
            emit(signals.failed, exc, traceback.format_exc())
        else:
            handle.result = result
            emit(signals.done, result)
        finally:
            emit(signals.finished)


class TaskRunner(QObject):
    """Runs jobs off the GUI thread and delivers their outcome through signals."""

    task_started = Signal(object)  # TaskHandle (submitted)
    task_began = Signal(object)  # TaskHandle: a worker took it
    task_finished = Signal(object)  # TaskHandle
    task_failed = Signal(object, object)  # TaskHandle, exception (when no on_error was given)

    def __init__(
        self, parent: QObject | None = None, *, max_parallel: int = 2, max_long: int = 2
    ) -> None:
        super().__init__(parent)
        self._serial = QThreadPool(self)
        self._serial.setMaxThreadCount(1)
        self._parallel = QThreadPool(self)
        self._parallel.setMaxThreadCount(max_parallel)
        # transcriptions: with five recordings imported at once, two ran and three waited in
        # the parallel pool, and a search typed meanwhile waited for them (32 s in the walk,
        # an hour for long recordings)
        self._long = QThreadPool(self)
        self._long.setMaxThreadCount(max_long)
        self.active: list[TaskHandle] = []
        self._latest: dict[str, TaskHandle] = {}
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def submit(
        self,
        name: str,
        job: Callable[[TaskContext], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        serial: bool = False,
        latest: str | None = None,
        long: bool = False,
    ) -> TaskHandle:
        """Run ``job(ctx)`` on a worker; callbacks run later on the GUI thread.

        With ``latest``, only the newest job of that name is delivered: the one submitted
        before it under the same name is cancelled and its outcome dropped, so a slow older
        search cannot replace the results of the query the user typed since. ``long``: a
        job of minutes or hours (a transcription), run in the lane of such jobs."""
        if latest is not None:
            self.drop_latest(latest)
        handle = TaskHandle(name, self)
        if latest is not None:
            self._latest[latest] = handle
        handle.context._emit_progress = lambda value: emit(handle.signals.progress, value)
        handle.on_done = on_done
        handle.on_progress = on_progress
        handle.on_error = on_error or (lambda exc: emit(self.task_failed, handle, exc))
        handle.on_finished = self._finished
        handle.on_began = lambda began: emit(self.task_began, began)
        self.active.append(handle)
        emit(self.task_started, handle)
        pool = self._serial if serial else self._long if long else self._parallel
        pool.start(_Runnable(job, handle))
        return handle

    def after_writes(self, then: Callable[[], None]) -> TaskHandle:
        """Run ``then`` on the GUI thread once the writes submitted before it are done (the
        edits' lane runs one job at a time, in order): an action that reads what the coder
        just typed (Transcribe session's question) waits for it to be saved."""
        return self.submit("Saving", lambda _ctx: None, on_done=lambda _r: then(), serial=True)

    def drop_latest(self, name: str) -> None:
        """Cancel the job last submitted with ``latest=name`` and drop its outcome (the view
        it would fill shows something else now)."""
        older = self._latest.pop(name, None)
        if older is not None and older.running:
            older.cancel()
            older.drop_callbacks()

    def _finished(self, handle: TaskHandle) -> None:
        if handle in self.active:
            self.active.remove(handle)
        for key, newest in list(self._latest.items()):
            if newest is handle:
                del self._latest[key]
        emit(self.task_finished, handle)
        handle.deleteLater()

    def busy(self) -> bool:
        """True while any job is queued or running."""
        return bool(self.active)

    def cancel_all(self) -> None:
        """Ask every running job to stop, soon (the project closes, the app quits)."""
        for handle in list(self.active):
            handle.cancel(hurry=True)

    def forget_pending(self) -> None:
        """Drop the callbacks of every job not yet delivered (e.g. the project was closed)."""
        for handle in self.active:
            handle.drop_callbacks()

    def shutdown(self, msecs: int = 30000) -> bool:
        """Cancel every job and wait for the workers to end; call before the runner goes away.

        Qt's ``~QThreadPool`` waits for its threads without a time limit. Run while this thread
        holds Python's GIL (a widget deleted from Python), it would wait forever for a worker
        that needs the GIL to return from its job. ``waitForDone`` releases the GIL and joins
        the pool's threads, so afterwards the destructor has nothing left to wait for.
        """
        self.cancel_all()
        return self.wait(msecs)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until all jobs ended (for shutdown and tests); True if they did."""
        ok_serial = self._serial.waitForDone(msecs)
        ok_parallel = self._parallel.waitForDone(msecs)
        ok_long = self._long.waitForDone(msecs)
        return bool(ok_serial and ok_parallel and ok_long)

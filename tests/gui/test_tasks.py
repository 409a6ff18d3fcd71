"""The task runner: results, errors, progress, cancel, ordering, and no event-loop stalls."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import QThread

from gui.tasks import TaskRunner
from tests.gui.gui_helpers import StallMeter


def test_result_progress_and_thread(qtbot: Any) -> None:
    runner = TaskRunner()
    gui_thread = QThread.currentThread()
    seen: dict[str, Any] = {"progress": []}

    def job(ctx: Any) -> str:
        seen["worker_is_gui"] = QThread.currentThread() == gui_thread
        for i in range(3):
            ctx.progress(i)
        return "ok"

    def progress(value: int) -> None:
        assert QThread.currentThread() == gui_thread
        seen["progress"].append(value)

    def done(value: str) -> None:
        assert QThread.currentThread() == gui_thread
        seen["done"] = value

    runner.submit("job", job, on_done=done, on_progress=progress)
    qtbot.waitUntil(lambda: "done" in seen and not runner.busy())
    assert seen["done"] == "ok" and seen["progress"] == [0, 1, 2]
    assert seen["worker_is_gui"] is False


def test_errors_come_back(qtbot: Any) -> None:
    runner = TaskRunner()
    errors: list[BaseException] = []
    runner.submit("bad", lambda ctx: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ZeroDivisionError)
    with qtbot.waitSignal(runner.task_failed) as blocker:
        runner.submit("bad2", lambda ctx: int("x"))
    assert isinstance(blocker.args[1], ValueError)


def test_cancel_stops_a_job(qtbot: Any) -> None:
    runner = TaskRunner()
    results: list[int] = []

    def job(ctx: Any) -> int:
        n = 0
        while not ctx.cancelled and n < 1000:
            time.sleep(0.01)
            n += 1
        return n

    handle = runner.submit("long", job, on_done=results.append)
    qtbot.wait(50)
    handle.cancel()
    qtbot.waitUntil(lambda: bool(results), timeout=3000)
    assert results[0] < 1000


def test_serial_jobs_keep_their_order(qtbot: Any) -> None:
    runner = TaskRunner()
    order: list[int] = []
    lock = threading.Lock()

    def make(i: int) -> Any:
        def job(ctx: Any) -> None:
            time.sleep(0.02 if i % 2 == 0 else 0.0)
            with lock:
                order.append(i)

        return job

    for i in range(8):
        runner.submit(f"w{i}", make(i), serial=True)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)
    assert order == list(range(8))


@pytest.mark.slow
def test_gui_never_stalls_during_a_slow_job(qtbot: Any) -> None:
    """A 2 s job reporting progress 200 times: the event loop keeps ticking every < 100 ms."""
    runner = TaskRunner()
    meter = StallMeter()
    ticks: list[int] = []

    def slow(ctx: Any) -> str:
        for i in range(200):
            time.sleep(0.01)
            ctx.progress(i)
        return "done"

    meter.start()
    done: list[str] = []
    runner.submit("slow", slow, on_done=done.append, on_progress=ticks.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    worst = meter.stop()
    assert len(ticks) == 200
    assert worst < 100, f"the event loop stalled for {worst} ms"

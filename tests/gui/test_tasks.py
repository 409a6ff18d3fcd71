"""The task runner: results, errors, progress, cancel, ordering, and no event-loop stalls."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThread

from gui.tasks import TaskRunner
from tests.gui.gui_helpers import StallMeter


@pytest.fixture
def runner() -> Any:
    """A runner that is shut down before it is destroyed (as the main window does on close)."""
    made = TaskRunner()
    yield made
    assert made.shutdown(15000)


def test_result_progress_and_thread(qtbot: Any, runner: TaskRunner) -> None:
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


def test_errors_come_back(qtbot: Any, runner: TaskRunner) -> None:
    errors: list[BaseException] = []
    runner.submit("bad", lambda ctx: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ZeroDivisionError)
    with qtbot.waitSignal(runner.task_failed) as blocker:
        runner.submit("bad2", lambda ctx: int("x"))
    assert isinstance(blocker.args[1], ValueError)


def test_cancel_stops_a_job(qtbot: Any, runner: TaskRunner) -> None:
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


def test_only_the_latest_job_of_a_name_is_delivered(qtbot: Any, runner: TaskRunner) -> None:
    """A slow older search that ends after a newer one does not replace its results."""
    delivered: list[str] = []
    release = threading.Event()

    def slow(ctx: Any) -> str:
        release.wait(5)
        return "old"

    older = runner.submit("search", slow, on_done=delivered.append, latest="search")
    other = runner.submit("other", lambda ctx: "other", on_done=delivered.append, latest="x")
    qtbot.waitUntil(lambda: delivered == ["other"], timeout=3000)
    runner.submit("search", lambda ctx: "new", on_done=delivered.append, latest="search")
    qtbot.waitUntil(lambda: delivered == ["other", "new"], timeout=3000)
    assert older.context.cancelled and not other.context.cancelled
    release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)
    assert delivered == ["other", "new"]  # the old search's result is dropped
    runner.submit("search", lambda ctx: "again", on_done=delivered.append, latest="search")
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)
    assert delivered[-1] == "again"


def test_serial_jobs_keep_their_order(qtbot: Any, runner: TaskRunner) -> None:
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
@pytest.mark.alone  # a stall of 100 ms is measured: another process's load made 187 ms
def test_gui_never_stalls_during_a_slow_job(qtbot: Any, runner: TaskRunner) -> None:
    """A 2 s job reporting progress 200 times: the event loop keeps ticking every < 100 ms."""
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
    assert worst < 100, f"the event loop stalled for {worst} ms\n{meter.where()}"


def test_shutdown_cancels_and_joins_so_the_runner_is_destroyed_at_once(qtbot: Any) -> None:
    """Qt's pool destructor waits for its threads with no limit, holding the GIL when Python
    deletes it: ``shutdown`` (the main window's close) cancels, waits and joins first."""
    import gc

    runner = TaskRunner()
    started = threading.Event()

    def job(ctx: Any) -> str:
        started.set()
        while not ctx.cancelled:  # Python code: it needs the GIL to notice the cancel
            time.sleep(0.01)
        return "stopped"

    runner.submit("loop", job)
    assert started.wait(5)
    begun = time.monotonic()
    assert runner.shutdown(5000)
    del runner
    gc.collect()  # the C++ runner and its pools go now; nothing is left to wait for
    assert time.monotonic() - begun < 5


def test_long_jobs_never_hold_up_the_others(qtbot: Any, runner: TaskRunner) -> None:
    """The walk: five recordings imported at once, their transcriptions filled the parallel
    pool, and a search typed meanwhile waited for two of them to end (32 s; an hour on long
    recordings). Long jobs have a lane of their own: however many run or wait, a search does
    not wait for them."""
    release = threading.Event()
    done: list[str] = []
    for n in range(4):  # two run, two wait: all in the long lane
        runner.submit(f"transcribe {n}", lambda ctx: release.wait(20), long=True)
    runner.submit("search", lambda ctx: "hits", on_done=done.append)
    try:
        qtbot.waitUntil(lambda: done == ["hits"], timeout=3000)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)


def test_transcriptions_run_in_the_long_lane(
    qtbot: Any, qsettings: Any, project: Any, idle: Any, speech_wav: Any, tmp_path: Any
) -> None:
    """In the workbench: while two sessions are transcribed (slowly) and a third waits, a
    search answers at once."""
    import subprocess

    from gui.main_window import MainWindow
    from storage import SegmentDraft
    from tests.gui.gui_helpers import make_fake_transcriber

    sessions = []
    for n in range(3):
        wav = tmp_path / f"take{n}.wav"
        subprocess.run(["sox", str(speech_wav), str(wav), "pad", "0", str(n + 1)], check=True)
        sessions.append(project.sessions.import_audio(wav, kind="interview"))
    coded = project.sessions.import_audio(speech_wav, kind="interview")
    project.transcript.add_segments(coded.id, [SegmentDraft(0, 900, "Портал жұмыс істемейді")])
    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(project, transcriber=make_fake_transcriber(delay_s=2.0), settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    for session in sessions:
        w.transcription.start_transcription(session.id)
    qtbot.wait(200)
    w.search_panel.query.setText("портал")
    w.sessions.run_search("портал")
    qtbot.waitUntil(lambda: w.search_panel.results.count() == 1, timeout=3000)
    assert len(w.transcription.running) == 3  # answered while they still ran
    for session in sessions:
        w.transcription.cancel_transcription(session.id)
    idle(w, timeout=30000)
    w.close()


def test_a_transcription_waiting_for_a_free_worker_says_so(
    qtbot: Any, qsettings: Any, project: Any, idle: Any, speech_wav: Any, tmp_path: Any
) -> None:
    """The walk: five sessions imported at once all read "0 %" in the list ("0 %, 2 s so far"
    over the transcript), though two ran and three waited. A waiting one reads "waiting"."""
    import subprocess

    from gui.main_window import MainWindow
    from gui.models.sessions import STATUS_COL
    from tests.gui.gui_helpers import make_fake_transcriber

    ids = []
    for n in range(3):
        wav = tmp_path / f"take{n}.wav"
        subprocess.run(["sox", str(speech_wav), str(wav), "pad", "0", str(n + 1)], check=True)
        ids.append(project.sessions.import_audio(wav, kind="interview").id)
    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(project, transcriber=make_fake_transcriber(delay_s=1.0), settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    for sid in ids:
        w.transcription.start_transcription(sid)
    w.sessions.open_segment_session(ids[2])
    qtbot.wait(1500)  # a tick of the live status

    def status(sid: str) -> str:
        row = next(
            r for r in range(w.sessions_model.rowCount()) if w.sessions_model.session(r).id == sid
        )
        return str(w.sessions_model.index(row, STATUS_COL).data())

    assert status(ids[2]) == "waiting"
    assert status(ids[0]) != "waiting" and "%" in status(ids[0])
    assert "waiting" in w.transcript_label.full_text()
    qtbot.waitUntil(lambda: "%" in status(ids[2]) or "transcribed" in status(ids[2]), timeout=15000)
    idle(w, timeout=30000)
    w.close()


def test_a_finished_jobs_signals_are_deleted_in_the_gui_thread(
    qtbot: Any, runner: TaskRunner
) -> None:
    """Each job's signal object was parentless: the handle and its callbacks refer to each
    other, so it was deleted only when the cyclic garbage collector freed that cycle, in
    whichever thread allocated then - mostly the pool's own workers (394 of 400 jobs in a
    run). Deleting a Qt object outside its thread is what Qt forbids. It is deleted with its
    handle now, in the GUI thread, before any collection."""
    import gc

    gone_in: list[str] = []
    was_on = gc.isenabled()
    gc.disable()  # only the collection below, run in a worker thread, could free a cycle
    try:
        done: list[str] = []
        handle = runner.submit("one", lambda ctx: "ok", on_done=done.append)
        handle.signals.destroyed.connect(
            lambda *_: gone_in.append(threading.current_thread().name),
            Qt.ConnectionType.DirectConnection,
        )
        del handle
        qtbot.waitUntil(lambda: bool(done) and not runner.busy())
        qtbot.wait(50)  # the handle's deleteLater
        collector = threading.Thread(target=gc.collect, name="worker-collecting")
        collector.start()
        collector.join()
        QCoreApplication.processEvents()
    finally:
        if was_on:
            gc.enable()
    assert gone_in == [threading.main_thread().name]

"""GUI benchmark: a 300,000-segment project in the workbench.

Builds (once, with direct executemany) a project of 100 sessions x 2,000 segments plus one
100,000-segment session, then measures in the real main window (offscreen):
- time to open the project (window shows the sessions list and codebook),
- time to show a 2,000-segment session and the 100,000-segment one,
- scroll-frame times (synchronous repaint after each page step),
- resident memory,
- the worst GUI-thread stall (10 ms timer) while opening and loading, with the GUI thread's own
  CPU time inside that stall and its time waiting for a CPU core (Linux schedstat; on a busy
  machine that part is not the program's doing; the rest is mostly waiting for the GIL).
Peers measured in the same run: the 100,000 segments read as one ``Segment``/``Coding`` object
per row on a thread (the loader before columns; its garbage collections stall the GUI thread),
the same 2,000 rows put in a QStandardItemModel (one item per cell, the naive approach) and
``Project.segments`` (word timings parsed) versus ``transcript_segments``.

Usage: QT_QPA_PLATFORM=offscreen python bench/gui_bench.py [--folder DIR] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from storage import Project

_TEXT = (
    "trust portal data village internet slow service centre payment official online health "
    "doctor appointment mother reminder message passport renew faster problem people wait line "
    "government public personal upload speed community school road water"
)
WORDS = _TEXT.split()


def rss_mib() -> float:
    """Resident memory of this process."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def queue_wait_ms() -> float:
    """Time the calling thread spent runnable but waiting for a CPU core (Linux schedstat)."""
    try:
        with open("/proc/thread-self/schedstat") as fh:
            return int(fh.read().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def build(folder: Path) -> None:
    """Write the project with executemany (fast), then rebuild the search index."""
    rng = random.Random(7)
    t0 = time.perf_counter()
    project = Project.create(folder, name="Bench", coder="bench")
    codes = [project.codebook.add_code(f"Code {i}").id for i in range(20)]
    stamp = ("bench", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z")
    sizes = [2000] * 100 + [100_000]
    with project.transaction() as db:
        conn = db.conn
        for n_session, size in enumerate(sizes):
            sid = str(uuid.uuid4())
            conn.execute(
                "INSERT INTO sessions (id, title, kind, status, created_by, created_at,"
                " updated_at) VALUES (?, ?, 'focus_group', 'transcribed', ?, ?, ?)",
                (sid, f"Session {n_session:03d} ({size} segments)", *stamp),
            )
            rows = []
            codings = []
            for i in range(size):
                seg_id = str(uuid.uuid4())
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))
                rows.append((seg_id, sid, i * 3000, i * 3000 + 2800, f"P{i % 6}", text, *stamp))
                if i % 5 == 0:
                    codings.append((str(uuid.uuid4()), seg_id, rng.choice(codes), "bench", *stamp))
            conn.executemany(
                "INSERT INTO segments (id, session_id, start_ms, end_ms, speaker, text,"
                " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO codings (id, segment_id, code_id, coder, created_by, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                codings,
            )
    project.transcript.rebuild_search_index()
    project.close()
    print(f"built 300,000 segments in {time.perf_counter() - t0:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "gui-bench")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    folder: Path = args.folder / "Bench.fieldscribe"
    if args.rebuild and folder.exists():
        import shutil

        shutil.rmtree(folder)
    if not (folder / "project.db").exists():
        build(folder)

    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = QSettings(str(args.folder / "settings.ini"), QSettings.Format.IniFormat)
    base_rss = rss_mib()

    def pump_until(cond: object, timeout: float = 120.0) -> None:
        end = time.perf_counter() + timeout
        while not cond() and time.perf_counter() < end:  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.001)

    from PySide6.QtCore import QElapsedTimer, QTimer

    clock = QElapsedTimer()
    clock.start()
    stall: dict[str, float] = {
        "last": 0, "worst": 0, "cpu_last": 0.0, "worst_cpu": 0.0, "queue_last": 0.0,
        "worst_queue": 0.0,
    }  # fmt: skip

    def mark() -> None:
        stall["last"], stall["cpu_last"] = clock.elapsed(), time.thread_time() * 1000
        stall["queue_last"] = queue_wait_ms()

    def tick() -> None:
        # wall time between two 10 ms ticks, the GUI thread's own CPU time in it and its time
        # waiting for a CPU core (a busy machine); the rest it waited for the GIL (or slept)
        now, cpu, queue = clock.elapsed(), time.thread_time() * 1000, queue_wait_ms()
        if now - stall["last"] > stall["worst"]:
            stall["worst"] = now - stall["last"]
            stall["worst_cpu"] = cpu - stall["cpu_last"]
            stall["worst_queue"] = queue - stall["queue_last"]
        stall["last"], stall["cpu_last"], stall["queue_last"] = now, cpu, queue

    def worst() -> tuple[float, float, float]:
        return stall["worst"], stall["worst_cpu"], stall["worst_queue"]

    meter = QTimer()
    meter.setInterval(10)
    meter.timeout.connect(tick)

    t0 = time.perf_counter()
    window = MainWindow(Project.open(folder), settings=settings)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    t_open = time.perf_counter() - t0
    mark()
    meter.start()
    pump_until(lambda: window.sessions_model.rowCount() > 0)
    t_listed = time.perf_counter() - t0
    n_sessions = window.sessions_model.rowCount()
    pump_until(lambda: not window.runner.busy())
    stalls = {"open": worst()}
    stall["worst"] = 0

    def show_session(row: int) -> tuple[float, int]:
        session = window.sessions_model.session(row)
        t = time.perf_counter()
        window.sessions.open_session(session.id)
        pump_until(
            lambda: (
                window.segment_model.session_id == session.id
                and window.segment_model.rowCount() == session.segment_count
            )
        )
        app.processEvents()
        return time.perf_counter() - t, session.segment_count

    def scroll_frames(view: QTableView, steps: int = 200) -> list[float]:
        bar = view.verticalScrollBar()
        times = []
        page = max(1, bar.pageStep())
        for i in range(steps):
            t = time.perf_counter()
            bar.setValue((i * page * 7) % max(1, bar.maximum()))
            view.viewport().repaint()
            times.append((time.perf_counter() - t) * 1000)
        return times

    t_2000, n_2000 = show_session(5)
    meter.stop()
    frames_2000 = scroll_frames(window.transcript)
    mark()
    meter.start()
    big_row = max(
        range(window.sessions_model.rowCount()),
        key=lambda r: window.sessions_model.session(r).segment_count,
    )
    stalls["2,000-segment session"] = worst()
    stall["worst"] = 0
    t_big, n_big = show_session(big_row)
    pump_until(lambda: not window.runner.busy())
    meter.stop()
    stalls["100,000-segment session"] = worst()
    frames_big = scroll_frames(window.transcript)
    rss = rss_mib()

    # peer for that stall: the previous loader (a Segment and a Coding object per row), run on
    # a worker thread while the event loop spins, as the window's loader does
    import threading

    big_id = window.sessions_model.session(big_row).id
    held: list[object] = []

    def object_loader() -> None:
        assert window.project is not None
        segs = window.project.retrieval.transcript_segments(big_id)
        grouped: dict[str, list[object]] = {}
        for c in window.project.codebook.codings(session_id=big_id):
            grouped.setdefault(c.segment_id, []).append(c)
        held.append((segs, grouped, {s.id: i for i, s in enumerate(segs)}))

    loader = threading.Thread(target=object_loader)
    stall["worst"] = 0
    mark()
    meter.start()
    t = time.perf_counter()
    loader.start()
    pump_until(lambda: not loader.is_alive())
    t_objects = time.perf_counter() - t
    meter.stop()
    loader.join()
    held.clear()
    stalls["peer: object loader, 100,000 segments"] = worst()

    # peers
    project = window.project
    assert project is not None
    sid = window.sessions_model.session(5).id

    def best_of_3(fn: object) -> float:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - t)
        return min(times)

    segs = project.retrieval.transcript_segments(sid)
    t_light = best_of_3(lambda: project.retrieval.transcript_segments(sid))
    t_full = best_of_3(lambda: project.transcript.segments(sid))
    t = time.perf_counter()
    naive = QStandardItemModel()
    for s in segs:
        naive.appendRow(
            [QStandardItem(""), QStandardItem(str(s.start_ms)), QStandardItem(s.speaker or ""),
             QStandardItem(s.text)]
        )  # fmt: skip
    peer_view = QTableView()
    peer_view.setModel(naive)
    peer_view.resize(1000, 700)
    peer_view.show()
    app.processEvents()
    t_naive = time.perf_counter() - t
    naive_frames = scroll_frames(peer_view)

    def q(frames: list[float]) -> str:
        frames = sorted(frames)
        return (
            f"median {statistics.median(frames):.2f} ms, p95 {frames[int(len(frames) * 0.95)]:.2f}"
            f" ms, max {frames[-1]:.2f} ms"
        )

    total = project.transcript.segment_count()
    print(f"project: {total:,} segments in {n_sessions} sessions ({folder})")
    print(f"open project: window usable after {t_open * 1000:.0f} ms; sessions list (counts,"
          f" read in the background) after {t_listed * 1000:.0f} ms")  # fmt: skip
    print(f"show a {n_2000:,}-segment session: {t_2000 * 1000:.0f} ms")
    print(f"  peer: same rows into a QStandardItemModel + view: {t_naive * 1000:.0f} ms")
    print(f"  storage (best of 3): transcript_segments {t_light * 1000:.0f} ms vs segments() "
          f"{t_full * 1000:.0f} ms (this bench stores no word timings)")  # fmt: skip
    print(f"show a {n_big:,}-segment session: {t_big * 1000:.0f} ms (loaded off the GUI thread)")
    print(f"  peer: the same rows as Segment/Coding objects on a thread: {t_objects * 1000:.0f} ms")
    print(f"scroll frames, {n_2000:,}-segment session: {q(frames_2000)}")
    print(f"scroll frames, {n_big:,}-segment session: {q(frames_big)}")
    print(f"  peer scroll frames, QStandardItemModel {n_2000:,} rows: {q(naive_frames)}")
    print("worst GUI-thread stall (in it: GUI-thread CPU / waiting for a CPU core):")
    for name, (wall, cpu, queue) in stalls.items():
        print(f"  {name}: {wall:.0f} ms ({cpu:.0f} / {queue:.0f} ms)")
    print(f"memory: {rss:.0f} MiB resident ({rss - base_rss:+.0f} MiB after start-up)")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

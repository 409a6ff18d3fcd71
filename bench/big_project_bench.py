"""A focus-group series in the workbench, step by step, next to the same steps 10x smaller.

Builds (once per folder) a project of 12 sessions x 1,500 segments (18,000; Russian and
Kazakh text, each segment's language set), 40 codes (8 groups of 4 and the groups), memos, and
three coders' bundles (segment and span codings) merged into the lead's project, as a team
does; and a peer project built the same way with 150 segments a session and a tenth of the
codings. Then, in the real main window at 1024x700 (offscreen), as a user would: open the
project, switch sessions, scroll to the end, search (Cyrillic, case-insensitive; then only
Kazakh), retrieve a code and filter it by language, code a segment, code a span, edit a
segment's text, undo the three, open Analysis (frequencies, matrix, co-occurrence), compute
agreement, export (docx, csv, xlsx, qdpx), export a bundle and merge one.

Each step prints its wall time (until the window is idle again: every background job done)
and the longest event-loop stall in it (the window frozen: a 5 ms timer's longest gap), for
the big project and the peer, measured in the same run. Figures, not pass/fail.

    QT_QPA_PLATFORM=offscreen python bench/big_project_bench.py [--folder DIR] [--rebuild]
        [--profile STEP]   # cProfile the GUI thread during STEP on the big project
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_data import TS, insert_segments
from language_corpus import KK, RU

from storage import Project
from storage.core.ids import new_id
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles

SESSIONS = 12
CODERS = ("aigerim", "boris", "dana")
SEARCHED = "ДАННЫХ"  # "данных" (data) in upper case: found case-insensitively


def _text(i: int) -> str:
    """Two or three sentences; every third segment Kazakh, the others Russian."""
    pool = KK if i % 3 == 1 else RU
    return " ".join(pool[(i * 7 + k * 5) % len(pool)] for k in range(2 + i % 2))


def build(folder: Path, per_session: int, codings_per_coder: int) -> None:
    """The lead's project with three coders' bundles merged into it (``folder`` is the work
    folder; the project is ``folder / 'Series.fieldscribe'``)."""
    rng = random.Random(26)
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    lead_dir = folder / "Series.fieldscribe"
    lead = Project.create(lead_dir, name="Focus group series", coder="lead")
    conn = lead.db.conn
    sessions = [new_id() for _ in range(SESSIONS)]
    codes: list[str] = []
    with lead.transaction():
        conn.executemany(
            "INSERT INTO sessions (id, title, kind, status, created_by, created_at, updated_at)"
            " VALUES (?, ?, 'focus_group', 'transcribed', 'lead', ?, ?)",
            [(s, f"Фокус-группа {i + 1}", TS, TS) for i, s in enumerate(sessions)],
        )
        n = per_session * SESSIONS
        segments = insert_segments(
            conn, sessions, n, text=_text, speaker=lambda i: f"Спикер {i % 8 + 1}", ts=TS
        )
        conn.execute(
            "UPDATE segments SET language = CASE WHEN (seq - 1) % 3 = 1 THEN 'kk' ELSE 'ru' END"
        )
        rows = []
        for g in range(8):
            parent = new_id()
            rows.append((parent, None, f"Тема {g + 1}"))
            for c in range(4):
                rows.append((new_id(), parent, f"Подтема {g + 1}.{c + 1}"))
        codes = [r[0] for r in rows]
        conn.executemany(
            "INSERT INTO codes (id, parent_id, name, colour, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, '#3366cc', 'lead', ?, ?)",
            [(*r, TS, TS) for r in rows],
        )
        memos = [
            (new_id(), "segment", segments[rng.randrange(n)], None, f"Заметка {k}: важно")
            for k in range(n // 60)
        ] + [(new_id(), "code", c, None, "Определение кода") for c in codes]
        conn.executemany(
            "INSERT INTO memos (id, target_type, target_id, title, text, created_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'lead', ?, ?)",
            [(*m, TS, TS) for m in memos],
        )
    lead.transcript.rebuild_search_index()
    lead.close()
    texts = {s: _text(i) for i, s in enumerate(segments)}
    # the coders mostly agree: each takes most of a shared plan and adds some of their own
    plan = [(rng.randrange(n), rng.randrange(len(codes))) for _ in range(codings_per_coder)]
    bundles = []
    for k, name in enumerate(CODERS):
        copy = folder / f"{name}.fieldscribe"
        shutil.copytree(lead_dir, copy, ignore=shutil.ignore_patterns("*.lock"))
        chosen: set[tuple[int, int, int | None, int | None]] = set()
        for s, c in plan:
            if rng.random() > 0.8:
                s = rng.randrange(n)
            if rng.random() < 0.3:  # a span: a word or a few
                length = len(texts[segments[s]])
                a = rng.randrange(0, max(1, length - 20))
                chosen.add((s, c, a, a + rng.randint(5, 20)))
            else:
                chosen.add((s, c, None, None))
        ts = f"2026-03-0{2 + k}T12:00:00.000Z"
        with Project.open(copy, coder=name) as p:
            p.set_meta("owner", name)
            with p.transaction():
                p.db.conn.executemany(
                    "INSERT INTO codings (id, segment_id, code_id, coder, start_cp, end_cp,"
                    " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        (new_id(), segments[s], codes[c], name, a, b, name, ts, ts)
                        for s, c, a, b in sorted(chosen, key=lambda x: (x[0], x[1], x[2] or -1))
                    ),
                )
            export_bundle(p, folder / f"{name}.fsbundle")
        bundles.append(folder / f"{name}.fsbundle")
        shutil.rmtree(copy)
    with Project.open(lead_dir) as p:
        merge_bundles(p, bundles)
        total = p.db.conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    print(
        f"built {folder.name}: {n:,} segments, {len(codes)} codes, {total:,} codings"
        f" in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


class Meter:
    """The longest gap between two ticks of a 5 ms timer: how long the window froze."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return self.worst


def run_steps(
    folder: Path, out: Path, profile: str | None = None
) -> dict[str, tuple[float, float]]:
    """Each step's (wall seconds, longest freeze seconds) in a window on ``folder``."""
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow
    from gui.team_actions import BundleExportOptions
    from storage.privacy.models import ExportPrivacy

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(out / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("transcribe_after_import", "false")
    project_dir = folder / "Series.fieldscribe"
    # every step on a fresh copy: the edits and the merge of one run never reach the next
    work = out / "Series.fieldscribe"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(project_dir, work, ignore=shutil.ignore_patterns("*.lock"))
    meter = Meter()
    figures: dict[str, tuple[float, float]] = {}
    w: Any = None

    def idle() -> bool:
        return w is not None and not w.runner.busy()

    def step(
        name: str,
        action: Callable[[], Any],
        until: Callable[[], bool] = idle,
        linger: float = 0.0,
    ) -> None:
        """Time ``action`` until ``until()`` holds and no job runs (but ``linger`` s at
        least: what follows an edit on a timer)."""
        prof = cProfile.Profile() if profile == name else None
        meter.start()
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        action()
        end = time.perf_counter() + 300
        settled = 0
        while time.perf_counter() < end:
            app.processEvents()
            if until() and idle() and time.perf_counter() - t0 >= linger:
                settled += 1
                if settled > 3:  # idle on a few passes: the callbacks' own follow-ups ran
                    break
            else:
                settled = 0
            time.sleep(0.002)
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        figures[name] = (time.perf_counter() - t0, meter.stop())

    def opened() -> None:
        nonlocal w
        w = MainWindow(settings=settings)
        w.resize(1024, 700)
        w.show()
        w.projects.open_project(work)

    step("open project", opened, lambda: w.sessions_model.rowCount() == SESSIONS)
    sid = w.sessions_model.session(5).id
    count = w.sessions_model.session(5).segment_count

    step(
        "switch session",
        lambda: w.sessions.open_session(sid),
        lambda: w.segment_model.session_id == sid and w.segment_model.rowCount() == count,
    )

    def to_end() -> None:
        w.transcript.scrollToBottom()
        w.transcript.viewport().repaint()
        w.transcript.go_to_row(count - 1)

    step("scroll to the end", to_end)
    panel = w.search_panel

    def search(text: str, language: str | None = None) -> Callable[[], None]:
        def run() -> None:
            box = panel.language_box
            box.setCurrentIndex(max(0, box.findData(language)) if language else 0)
            panel.query.setText(text)
            panel.search_again()

        return run

    step(f"search {SEARCHED}", search(SEARCHED), lambda: panel.results.count() > 0)
    found = panel.results.count()
    step(f"search {SEARCHED}, Kazakh only", search("деректердің", "kk"))
    group = w.project.codebook.find_code("Тема 1")
    code = w.project.codebook.find_code("Тема 1/Подтема 1.1")
    # a group and its 4 sub-codes: an eighth of the codings (the Retrieval dock follows edits)
    step("retrieve a group of codes", lambda: w.docks.retrieve_code(group.id))
    retrieval = w.docks.retrieval

    def retrieval_language() -> None:
        box = retrieval.language_box
        box.setCurrentIndex(box.findData("kk"))
        box.activated.emit(box.currentIndex())

    step("  filter it: Kazakh", retrieval_language)
    row = count // 2

    def code_segment() -> None:
        w.transcript.go_to_row(row)
        w.editing.apply_code(code.id)

    step("code a segment", code_segment)

    def code_span() -> None:
        w.transcript.go_to_row(row + 1)
        app.processEvents()
        editor = w.segment_editor
        cursor = editor.textCursor()
        cursor.setPosition(0)
        cursor.movePosition(QTextCursor.MoveOperation.NextWord, QTextCursor.MoveMode.KeepAnchor)
        editor.setTextCursor(cursor)
        w.editing.apply_code(code.id)

    step("code a span", code_span)
    seg = w.segment_model.segment(row + 2)
    step("edit a segment's text", lambda: w.editing.edit_text(seg.id, seg.text + " (уточнено)"))

    def undo_three() -> None:
        for _ in range(3):
            w.undo_stack.undo()

    step("undo the three", undo_three)
    analysis: Any = None

    def open_analysis() -> None:
        nonlocal analysis
        analysis = w.analysis.show()

    step("open Analysis", open_analysis)
    step("  Frequencies", lambda: analysis.tabs.setCurrentWidget(analysis.frequencies))
    step("  Matrix", lambda: analysis.tabs.setCurrentWidget(analysis.matrix))
    matrix = analysis.matrix
    step("    a cell's segments", lambda: matrix._cell_clicked(matrix.model.index(0, 0)))
    step("  Co-occurrence", lambda: analysis.tabs.setCurrentWidget(analysis.cooccurrence))
    co = analysis.cooccurrence
    step("    a cell's segments ", lambda: co._cell_clicked(co.model.index(0, 0)))
    print(
        f"{folder.name}: {found} hits listed for {SEARCHED} (500 at most), matrix cell"
        f" {matrix.hits.rowCount()} segments, co-occurrence cell {co.hits.rowCount()}",
        flush=True,
    )
    analysis.close()
    step("agreement", lambda: w.extra_panels.show_agreement())
    step("disagreements", lambda: w.extra_panels.show_disagreements())

    def code_with_panels() -> None:
        w.transcript.go_to_row(row + 3)
        w.editing.apply_code(code.id)

    # the open Agreement and Disagreements panels follow the edit (0.4 s after it)
    step("code a segment, both panels open", code_with_panels, linger=1.0)
    w.extra_panels.docks["agreement"].close()
    w.extra_panels.docks["disagreements"].close()
    hits = panel.hit_segments()
    step("code the search hits (500 at most)", lambda: w.editing.code_search_hits(hits, code.id))
    privacy = ExportPrivacy()
    w.state.session = w.sessions_model.session(5)
    step("export docx (a session)", lambda: w.exchange.export_transcript(out / "t.docx", privacy))
    step("export codings csv", lambda: w.exchange.export_codings(out / "c.csv", privacy))
    step("export codings xlsx", lambda: w.exchange.export_codings(out / "c.xlsx", privacy))
    step(
        "export qdpx",
        lambda: w.exchange.export_qdpx(out / "p.qdpx", privacy, with_media=False),
    )
    step(
        "export a bundle",
        lambda: w.team_actions.export_bundle(out / "b.fsbundle", BundleExportOptions()),
    )
    step("merge a coder's bundle", lambda: w.team_actions.merge_bundles([folder / "dana.fsbundle"]))
    w.runner.cancel_all()
    w.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "big-bench")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--profile", help="cProfile this step (its name) on the big project")
    parser.add_argument("--big-only", action="store_true", help="skip the peer")
    args = parser.parse_args()
    big, small = args.folder / "big", args.folder / "small"
    if args.rebuild and args.folder.exists():
        shutil.rmtree(args.folder)
    if not (big / "Series.fieldscribe" / "project.db").exists():
        build(big, 1500, 12_000)
    if not (small / "Series.fieldscribe" / "project.db").exists():
        build(small, 150, 1_200)
    fig_big = run_steps(big, args.folder / "run-big", args.profile)
    fig_small = {} if args.big_only else run_steps(small, args.folder / "run-small")
    print(f"{'step':36s} {'18,000 segments':>24s} {'peer: 1,800 segments':>24s}")
    print(f"{'':36s} {'wall / freeze (ms)':>24s} {'wall / freeze (ms)':>24s}")
    for name, (wall, freeze) in fig_big.items():
        peer = fig_small.get(name)
        other = f"{peer[0] * 1000:8.0f} / {peer[1] * 1000:6.0f}" if peer else ""
        print(f"{name:36s} {wall * 1000:15.0f} / {freeze * 1000:6.0f} {other:>24s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

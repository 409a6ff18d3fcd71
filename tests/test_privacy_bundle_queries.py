"""Making a bundle snapshot safe reads each table once, whatever the number of its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage import Project
from storage.privacy.bundle import sanitize_snapshot
from storage.transcript.transcript import SegmentDraft


def _reads_while_sanitising(tmp_path: Path, n_segments: int) -> tuple[int, list[str]]:
    folder = tmp_path / f"p{n_segments}"
    project = Project.create(folder / "P.fieldscribe", coder="lead")
    try:
        session = project.sessions.add_session("Interview with Aigul")
        drafts = [
            SegmentDraft(i * 1000, i * 1000 + 900, f"Aigul said {i}", speaker="Aigul")
            for i in range(n_segments)
        ]
        segments = project.transcript.add_segments(session.id, drafts)
        code = project.codebook.ensure_code_path("Topic")
        for g in segments:
            project.codebook.apply_code(g.id, code.id, start_cp=6, end_cp=10, memo="Aigul")
        project.privacy.set_pseudonym("Aigul", "P01")
        conn = sqlite3.connect(str(folder / "snap.db"))
        with project.store.mutex:
            project.db.conn.backup(conn)
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        (folder / "work").mkdir()
        safe = sanitize_snapshot(conn, project, None, folder / "work")
        texts = [r[0] for r in conn.execute("SELECT text FROM segments ORDER BY start_ms")]
        conn.close()
    finally:
        project.close()
    assert len(safe.versions) == 2 * n_segments + 1  # every segment, coding and the session
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    return len(reads), texts


def test_sanitising_reads_do_not_grow_with_the_rows(tmp_path: Path) -> None:
    few, few_texts = _reads_while_sanitising(tmp_path, 3)
    many, many_texts = _reads_while_sanitising(tmp_path, 40)
    assert few_texts == [f"P01 said {i}" for i in range(3)]
    assert many_texts == [f"P01 said {i}" for i in range(40)]
    # a read per segment and per coding made a bundle of a large project slow
    assert many == few

"""Making a bundle snapshot safe reads each table once, whatever the number of its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

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


def test_a_text_is_folded_once_for_all_the_mapped_names(monkeypatch: Any) -> None:
    """Pseudonymising a bundle searches every text for every mapped name: folding the text
    (lower case, Kazakh letters) once per name was most of a large bundle's CPU time."""
    from storage.privacy import names, text

    calls: list[str] = []
    real_fold = names.fold

    def counting(value: str) -> str:
        calls.append(value)
        return real_fold(value)

    monkeypatch.setattr(names, "fold", counting)
    monkeypatch.setattr(text, "fold", counting, raising=False)
    mapping = [(n, f"P{i:02d}", []) for i, n in enumerate(["Aigul", "Marat", "Айгерім", "Olga"])]
    found = text.find_names("Marat met Olga at the clinic", mapping)
    assert [(m.matched, m.replacement) for m in found] == [("Marat", "P01"), ("Olga", "P03")]
    assert calls.count("Marat met Olga at the clinic") == 1


def test_a_bundle_made_with_one_vacuum_keeps_no_old_text(tmp_path: Path) -> None:
    """The export rebuilds its snapshot once, after the stripping (secure delete is on
    throughout): no page of the file in the bundle still holds a real name the sanitising
    replaced."""
    import zipfile

    from storage.team.bundle_export import export_bundle

    project = Project.create(tmp_path / "P.fieldscribe", coder="lead")
    try:
        session = project.sessions.add_session("Interview")
        drafts = [SegmentDraft(i * 1000, i * 1000 + 900, f"Zhanargul said {i}") for i in range(50)]
        project.transcript.add_segments(session.id, drafts)
        project.privacy.set_pseudonym("Zhanargul", "P01")
        export_bundle(project, tmp_path / "b.fsbundle")
    finally:
        project.close()
    with zipfile.ZipFile(tmp_path / "b.fsbundle") as zf:
        data = zf.read("project.db")
    assert b"P01 said 49" in data and b"Zhanargul" not in data

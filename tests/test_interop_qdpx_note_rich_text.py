"""A note written only as a Word document (``richTextPath``, no plain text: a memo with
formatting, as NVivo and ATLAS.ti can write it) keeps its text: its paragraphs, as a source's
rich text is read. Before, it became a memo with no text, silently; one whose document is
missing is said in the report and makes no empty memo."""

from __future__ import annotations

import io
from pathlib import Path

import docx

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx

NOTE = "ae000000-0000-4000-8000-000000000001"


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("Бақылау 🙂", 1)
    paragraph = document.add_paragraph("Бірінші күн: ")
    paragraph.add_run("емхана жабық").bold = True
    document.add_paragraph("Екінші күн — больница открыта", style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _qde(path: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="x" origin="NVivo 14"><Notes><Note guid="{NOTE}" name="Күнделік" '
        f'richTextPath="{path}"/></Notes><NoteRef targetGUID="{NOTE}"/></Project>'
    )


def test_a_note_given_only_as_a_word_document_keeps_its_text(tmp_path: Path) -> None:
    archive = write_qdpx(tmp_path / "a.qdpx", _qde("internal://n.docx"), {"n.docx": _docx()})
    report = import_qdpx(archive, tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        assert [(m.target_type, m.title, m.text) for m in p.codebook.memos()] == [
            (
                "project",
                "Күнделік",
                "Бақылау 🙂\nБірінші күн: емхана жабық\nЕкінші күн — больница открыта",
            )
        ]
    assert any("Note 'Күнделік'" in line and "rich text" in line for line in report.notes)


def test_a_note_whose_word_document_is_missing_is_said_and_makes_no_memo(tmp_path: Path) -> None:
    archive = write_qdpx(tmp_path / "a.qdpx", _qde("internal://gone.docx"), {})
    report = import_qdpx(archive, tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        assert p.codebook.memos() == []
    (line,) = [line for line in report.not_imported if "Күнделік" in line]
    assert "gone.docx" in line and "not inside the archive" in line

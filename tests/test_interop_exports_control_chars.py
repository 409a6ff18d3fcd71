"""Control characters that XML 1.0 cannot hold, in a project: a form feed ends each page of
text taken from a PDF (pdfminer, pdftotext; QualCoder's PDF sources), a vertical tab is Word's
line break; a .qdpx text source brings them into segments, which keep them. The transcript's
.docx export stopped with "unexpected failure (ValueError: All strings must be XML
compatible...)", the .qdpx export wrote a project.qde no tool (FieldScribe neither) could read
("not well-formed (invalid token)"), and so did the codebook's .qdc, .docx and .xlsx."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from openpyxl import load_workbook

from storage import Project
from storage.interop import export_codebook, export_qdpx, export_transcript, import_qdpx
from tests.interop_support import SCHEMA, write_qdpx

TEXT = "Бірінші бет 😀 соңы.\x0cЕкінші бет\x0bжаңа жол 𝔸.\nҮшінші\x1b жол.\n"
SRC = "d4000000-0000-4000-8000-000000000001"
CODE = "d4000000-0000-4000-8000-000000000002"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    start, end = TEXT.index("Екінші"), TEXT.index("𝔸") + 1
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="pdf" origin="QualCoder 3.6">'
        f'<CodeBook><Codes><Code guid="{CODE}" name="Бет" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{SRC}" name="есеп.pdf" plainTextPath="internal://{SRC}.txt">'
        f'<PlainTextSelection guid="{SRC[:-1]}3" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{SRC[:-1]}4"><CodeRef targetGUID="{CODE}"/></Coding>'
        "</PlainTextSelection></TextSource></Sources></Project>"
    )
    folder = tmp_path / "p.fieldscribe"
    import_qdpx(write_qdpx(tmp_path / "in.qdpx", qde, {f"sources/{SRC}.txt": TEXT.encode()}),
                folder, coder="Дана")  # fmt: skip
    with Project.open(folder) as p:
        code = p.codebook.codes()[0]
        p.codebook.update_code(code.id, description="Word-тан\x0bкөшірілген")
        (coding,) = p.codebook.codings()
        p.codebook.update_coding(coding.id, memo="мемо\x0cбет")
        p.codebook.add_memo("journal", None, "Күнделік\x1b жазба", title="Тақырып\x0b")
    return folder


def test_exports_of_text_with_control_characters_can_be_read(project: Path, tmp_path: Path):
    with Project.open(project) as p:
        (session,) = p.sessions.all()
        assert any("\x0c" in s.text for s in p.transcript.segments(session.id))  # kept as read
        export_transcript(p, session.id, "docx", tmp_path / "t.docx")
        export_qdpx(p, tmp_path / "back.qdpx", with_media=False)
        for suffix in ("qdc", "docx", "xlsx"):
            export_codebook(p, tmp_path / f"codebook.{suffix}")
    said = "\n".join(par.text for par in docx.Document(str(tmp_path / "t.docx")).paragraphs)
    assert "Бірінші бет 😀 соңы.\nЕкінші бет\nжаңа жол 𝔸." in said  # page and line breaks
    qde = zipfile.ZipFile(tmp_path / "back.qdpx").read("project.qde")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(etree.fromstring(qde)), schema.error_log
    etree.fromstring((tmp_path / "codebook.qdc").read_bytes())
    assert "Word-тан" in "\n".join(
        cell.text for row in docx.Document(str(tmp_path / "codebook.docx")).tables[0].rows
        for cell in row.cells
    )  # fmt: skip
    sheet = load_workbook(tmp_path / "codebook.xlsx").active
    assert sheet is not None and any("Word-тан" in str(c.value) for c in sheet[2])
    # and the export comes back whole: the same text, the coding on the same words
    import_qdpx(tmp_path / "back.qdpx", tmp_path / "again", coder="Дана")
    with Project.open(project, readonly=True) as p:
        first = [s.text for s in p.transcript.segments(p.sessions.all()[0].id)]
    with Project.open(tmp_path / "again", readonly=True) as p:
        (session,) = p.sessions.all()
        segments = {s.id: s.text for s in p.transcript.segments(session.id)}
        assert list(segments.values()) == first and "\x0c" in first[0]
        (coding,) = p.codebook.codings()
        coded = segments[coding.segment_id][coding.start_cp : coding.end_cp]
        assert coded == "Екінші бет\x0bжаңа жол 𝔸"
        assert coding.memo == "мемо\nбет"

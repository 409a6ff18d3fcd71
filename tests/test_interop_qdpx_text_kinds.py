"""A text source's plain text file that is no plain text: a Word document, UTF-32, or binary
data. Each came in as text of its bytes: a session of 294 lines of zip bytes (the Word
document) or of NUL-separated letters (UTF-32), the codings placed on them."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx

TEXT = "Айгерім: Сәлеметсіз бе! 😀 Мен қалада тұрамын.\nЕрлан: Иә, 𝔸 ұлым мектепке барады.\n"
SRC = "b2000000-0000-4000-8000-000000000001"
CODE = "b2000000-0000-4000-8000-000000000002"


def _qde(member: str) -> str:
    start = TEXT.index("қалада")
    end = TEXT.index("ұлым") + len("ұлым")
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="kinds" origin="Other tool">'
        f'<CodeBook><Codes><Code guid="{CODE}" name="Қала" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{SRC}" name="Сұхбат" plainTextPath="internal://{member}">'
        f'<PlainTextSelection guid="{SRC[:-1]}3" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{SRC[:-1]}4"><CodeRef targetGUID="{CODE}"/></Coding>'
        "</PlainTextSelection></TextSource></Sources></Project>"
    )


def _coded(folder: Path) -> tuple[list[tuple[str | None, str]], list[str]]:
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        by_id = {s.id: s for s in segments}
        pieces = [
            by_id[c.segment_id].text[c.start_cp : c.end_cp]
            if c.start_cp is not None
            else by_id[c.segment_id].text
            for c in p.codebook.codings()
        ]
        return [(s.speaker, s.text) for s in segments], sorted(pieces)


EXPECTED = [
    ("Айгерім", "Сәлеметсіз бе! 😀 Мен қалада тұрамын."),
    ("Ерлан", "Иә, 𝔸 ұлым мектепке барады."),
]


def test_a_word_document_named_as_plain_text_is_read_as_its_paragraphs(tmp_path: Path) -> None:
    document = docx.Document()
    for line in TEXT.rstrip("\n").split("\n"):
        document.add_paragraph(line)
    data = io.BytesIO()
    document.save(data)
    archive = write_qdpx(
        tmp_path / "w.qdpx", _qde(f"{SRC}.docx"), {f"sources/{SRC}.docx": data.getvalue()}
    )
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    segments, coded = _coded(tmp_path / "p.fieldscribe")
    assert segments == EXPECTED
    assert coded == ["Иә, 𝔸 ұлым", "қалада тұрамын."]
    assert any("is a Word document" in n for n in report.notes), report.notes


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be"])
def test_utf32_text_is_read(tmp_path: Path, encoding: str) -> None:
    data = TEXT.encode(encoding)
    if encoding == "utf-32-be":
        data = b"\x00\x00\xfe\xff" + data
    archive = write_qdpx(tmp_path / "u.qdpx", _qde(f"{SRC}.txt"), {f"sources/{SRC}.txt": data})
    import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    utf8 = {f"sources/{SRC}.txt": TEXT.encode()}
    import_qdpx(
        write_qdpx(tmp_path / "8.qdpx", _qde(f"{SRC}.txt"), utf8), tmp_path / "8", coder="me"
    )
    assert _coded(tmp_path / "p.fieldscribe") == _coded(tmp_path / "8")
    segments, coded = _coded(tmp_path / "p.fieldscribe")
    assert [(speaker, text.rstrip("\n")) for speaker, text in segments] == EXPECTED
    assert coded == ["Иә, 𝔸 ұлым", "қалада тұрамын."]


def test_binary_data_named_as_plain_text_is_said_and_not_read_as_text(tmp_path: Path) -> None:
    """Its bytes as letters would be the source's text, its codings placed on them: the source
    is left out, the report says which file holds no text, and the rest of the file goes in
    (the whole import was refused)."""
    other = Path(__file__).parent / "data" / "exchange" / "atlas_audio.qdpx"
    noise = b"RIFF\x24\x08\x00\x00WAVEfmt " + bytes(range(256)) * 8
    archive = write_qdpx(tmp_path / "b.qdpx", _qde(f"{SRC}.txt"), {f"sources/{SRC}.txt": noise})
    folder = tmp_path / "p.fieldscribe"
    import_qdpx(other, folder, coder="me")  # a project with something in it
    with Project.open(folder, readonly=True) as p:
        sessions = [s.id for s in p.sessions.all()]
    report = import_qdpx(archive, folder, coder="me")
    (line,) = [x for x in report.not_imported if "holds no text" in x]
    assert line.endswith(
        f"its text 'internal://{SRC}.txt' holds no text (audio or video), so it could not be "
        "read; export it again from the program that made it; 1 coded selection was not "
        "imported."
    )
    assert report.sessions == report.segments == report.codings == 0
    with Project.open(folder, readonly=True) as p:
        assert [s.id for s in p.sessions.all()] == sessions

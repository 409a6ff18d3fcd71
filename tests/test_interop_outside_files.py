"""What an import asks before it runs (the GUI asks it; ``gui.import_questions``): the files a
.qdpx names outside its archive, by what they are and their name, and how many frame times a
transcript gives."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from storage import InvalidInputError
from storage.interop.qdpx_import import files_outside
from storage.interop.transcript_import import frame_time_count
from tests.interop_support import write_qdpx

_G = "c3000000-0000-4000-8000-00000000000"


def test_files_outside_names_recordings_texts_and_notes_not_those_inside(tmp_path: Path) -> None:
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="ext"><Sources>'
        f'<AudioSource guid="{_G}1" name="Talk" path="C:\\Data\\talk%201.wav">'
        f'<Transcript guid="{_G}2" name="t" plainTextPath="file:///C:/Data/Талк.txt"/>'
        "</AudioSource>"
        # moved into the archive: its currentPath is inside
        f'<AudioSource guid="{_G}3" name="Moved" path="C:\\old\\m.wav" '
        'currentPath="internal://m.wav"/>'
        f'<TextSource guid="{_G}4" name="Interview 1" '
        'plainTextPath="relative://texts/interview1.txt"/>'
        f'<TextSource guid="{_G}5" name="Inside" plainTextPath="internal://in.txt"/>'
        f'<TextSource guid="{_G}6" name="Own text" plainTextPath="C:\\gone.txt">'
        "<PlainTextContent>text of its own</PlainTextContent></TextSource>"
        "</Sources><Notes>"
        f'<Note guid="{_G}7" name="Memo" plainTextPath="relative://memo.txt"/>'
        "</Notes></Project>"
    )
    files = {"sources/in.txt": b"hello", "sources/m.wav": b"RIFF"}
    archive = write_qdpx(tmp_path / "ext.qdpx", qde, files)
    assert files_outside(archive) == [
        ("the recording of 'Talk'", "talk 1.wav"),
        ("the transcript of 'Talk'", "Талк.txt"),
        ("the text of 'Interview 1'", "interview1.txt"),
        ("the note 'Memo'", "memo.txt"),
    ]
    with pytest.raises(InvalidInputError, match="malformed XML"):
        files_outside(write_qdpx(tmp_path / "bad.qdpx", "", {}).rename(tmp_path / "x.zip"))


def test_a_text_given_only_as_a_word_document_outside_is_asked_for(tmp_path: Path) -> None:
    """QualCoder and NVivo may name a text source by its richTextPath alone
    (``relative://doc1.docx``): the command line's --media-dir found it, but files_outside did
    not list it, so the workbench never asked for the folder and the import dropped the source
    with its codings ("it has no plain text, and its rich text ... is not inside the
    archive"). A rich text inside, or a plain text inside, asks for nothing."""
    from storage import Project
    from storage.interop import import_qdpx

    doc = docx.Document()
    doc.add_paragraph("Айгүл: Мен кезекте тұрдым.")
    data = io.BytesIO()
    doc.save(data)
    code = f"{_G}9"
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="ext">'
        f'<CodeBook><Codes><Code guid="{code}" name="Кезек" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{_G}1" name="doc1" richTextPath="relative://doc1.docx">'
        f'<PlainTextSelection guid="{_G}2" startPosition="11" endPosition="18">'
        f'<Coding guid="{_G}3"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
        "</TextSource>"
        f'<TextSource guid="{_G}4" name="in" richTextPath="internal://in.docx"/>'
        f'<TextSource guid="{_G}5" name="both" richTextPath="relative://b.docx"'
        ' plainTextPath="internal://b.txt"/>'
        f'<AudioSource guid="{_G}6" name="Talk" path="internal://t.wav">'
        f'<Transcript guid="{_G}7" richTextPath="relative://t.docx"/></AudioSource>'
        "</Sources></Project>"
    )
    files = {"sources/in.docx": data.getvalue(), "sources/b.txt": b"x", "sources/t.wav": b"RIFF"}
    archive = write_qdpx(tmp_path / "rich.qdpx", qde, files)
    assert files_outside(archive) == [
        ("the text of 'doc1'", "doc1.docx"),
        ("the transcript of 'Talk'", "t.docx"),
    ]
    without = import_qdpx(archive, tmp_path / "no.fieldscribe", coder="me")
    # it said "is not inside the archive" with nothing on how to bring it in
    assert "'relative://doc1.docx' is not inside the archive (import it again naming the " \
        "folder that holds it)" in without.describe()  # fmt: skip
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "doc1.docx").write_bytes(data.getvalue())
    import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me", media_dir=folder)
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as p:
        (coding,) = p.codebook.codings()
        segment = p.transcript.get_segment(coding.segment_id)
        assert segment.text[coding.start_cp : coding.end_cp] == "кезекте"


def test_frame_time_count_counts_the_times_read_not_those_said(tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text(
        "[00:00:01:15] Анна: Позвоните Мне 10:15:20:05\n00:00:04:00 - Борис: Да.\n",
        encoding="utf-8",
    )
    assert frame_time_count(text) == 2
    clock = tmp_path / "c.txt"
    clock.write_text("[00:00:01] Анна: Позвоните Мне 10:15:20:05\n", encoding="utf-8")
    assert frame_time_count(clock) == 0
    document = docx.Document()
    document.add_paragraph("[00:00:01;15] Анна: Да.")
    buffer = io.BytesIO()
    document.save(buffer)
    word = tmp_path / "t.docx"
    word.write_bytes(buffer.getvalue())
    assert frame_time_count(word) == 1
    assert frame_time_count(tmp_path / "missing.txt") == 0
    assert frame_time_count(tmp_path) == 0  # a folder: the import says why

"""What a REFI-QDA file is made of, as tools write it: the XML's declared encoding, and files
given to the project import that are something else."""

# ruff: noqa: E501  (test data: XML as the tools write it)
from __future__ import annotations

from pathlib import Path

import pytest

from storage import InvalidInputError, Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx

QDE = """<?xml version="1.0" encoding="{encoding}"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Жоба" origin="NVivo 14"><Users><User guid="AB000000-0000-4000-8000-000000000001" name="Әсел"/></Users>
<CodeBook><Codes><Code guid="C0000000-0000-4000-8000-000000000001" name="Қала" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="D0000000-0000-4000-8000-000000000001" name="Сұхбат"><PlainTextContent>Мен Алматыда тұрамын.</PlainTextContent>
<PlainTextSelection guid="E0000000-0000-4000-8000-000000000001" startPosition="4" endPosition="12"><Coding guid="F0000000-0000-4000-8000-000000000001" creatingUser="AB000000-0000-4000-8000-000000000001"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""


@pytest.mark.parametrize(
    ("declared", "written"),
    [
        ("utf-16", "utf-8"),  # .NET serialises to a string ("utf-16") and saves it as UTF-8
        ("utf-16", "utf-8-sig"),
        ("utf-8", "utf-16"),  # and the other way round, with a byte order mark
        ("utf-16", "utf-16"),
    ],
)
def test_xml_in_another_encoding_than_it_declares_is_read(
    tmp_path: Path, declared: str, written: str
) -> None:
    """It was refused: "malformed XML (encoding specified in XML declaration is incorrect)"."""
    archive = write_qdpx(tmp_path / "p.qdpx", QDE.format(encoding=declared).encode(written))
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    assert (report.codings, report.segments) == (1, 1)
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as p:
        (coding,) = p.codebook.codings()
        (session,) = p.sessions.all()
        assert session.title == "Сұхбат"
        assert (
            p.transcript.segments(session.id)[0].text[coding.start_cp : coding.end_cp] == "Алматыда"
        )


@pytest.mark.parametrize("declared", ["koi8-r", "windows-1251", "KZ-1048", "iso-8859-1"])
def test_utf8_declared_as_a_single_byte_code_page_is_read_as_utf8_with_a_note(
    tmp_path: Path, declared: str
) -> None:
    """It was read in the declared code page without a word: the session "Сұхбат" came in as
    "п║ш▓я┘п╠п╟я┌" (KOI8-R) or "Ð¡Ò±Ñ..." and the coding sat on garbled letters."""
    archive = write_qdpx(tmp_path / "p.qdpx", QDE.format(encoding=declared).encode("utf-8"))
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    assert (report.codings, report.segments) == (1, 1)
    (note,) = [n for n in report.notes if "UTF-8" in n]
    assert f"declares the encoding {declared!r} but is written in UTF-8" in note
    assert "'Жоба' would be" in note and "\n" not in note
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as p:
        (coding,) = p.codebook.codings()
        (session,) = p.sessions.all()
        assert session.title == "Сұхбат"
        assert coding.coder == "Әсел" and [c.name for c in p.codebook.codes()] == ["Қала"]
        text = p.transcript.segments(session.id)[0].text
        assert text[coding.start_cp : coding.end_cp] == "Алматыда"


@pytest.mark.parametrize("declared", ["koi8-r", "KZ-1048"])
def test_a_code_page_the_xml_is_written_in_is_read_without_a_note(
    tmp_path: Path, declared: str
) -> None:
    """The declaration holds: nothing is read as UTF-8."""
    qde = QDE.format(encoding=declared)
    if declared == "koi8-r":  # Russian letters only
        qde = qde.translate(str.maketrans("ӘұқҚ", "АукК"))
    archive = write_qdpx(tmp_path / "p.qdpx", qde.encode(declared))
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    assert report.codings == 1 and not [n for n in report.notes if "UTF-8" in n]
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        assert session.title == ("Сухбат" if declared == "koi8-r" else "Сұхбат")


def test_a_multi_byte_code_page_is_refused_on_one_line(tmp_path: Path) -> None:
    """Expat reads none: it was a ValueError ("multi-byte encodings are not supported")."""
    archive = write_qdpx(tmp_path / "p.qdpx", QDE.format(encoding="shift_jis").encode("utf-8"))
    with pytest.raises(InvalidInputError, match="save it as UTF-8") as error:
        import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    assert "\n" not in str(error.value) and not (tmp_path / "p.fieldscribe").exists()


def test_a_codebook_or_a_bare_project_file_is_named_for_what_it_is(tmp_path: Path) -> None:
    """A .qdc (or a project.qde unzipped) given to the project import was "not a readable zip
    archive (File is not a zip file)", which says nothing of what to do."""
    book = tmp_path / "codebook.qdc"
    book.write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
        encoding="utf-8-sig",
    )
    bare = tmp_path / "project.qde"
    bare.write_text(QDE.format(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="codebook import") as error:
        import_qdpx(book, tmp_path / "a.fieldscribe", coder="me")
    assert "\n" not in str(error.value) and not (tmp_path / "a.fieldscribe").exists()
    with pytest.raises(InvalidInputError, match=r"bare REFI-QDA project file \(project.qde\)"):
        import_qdpx(bare, tmp_path / "b.fieldscribe", coder="me")
    assert not (tmp_path / "b.fieldscribe").exists()


@pytest.mark.parametrize("stored", ["NFD", "NFD upper"])
def test_a_source_file_zipped_on_a_mac_is_found_by_its_name(tmp_path: Path, stored: str) -> None:
    """A Mac zips "й" and "ё" decomposed (NFD): the text of 'internal://Сергей Ёлкин.txt'
    was "not inside the archive" though it was, and the source was left out."""
    import unicodedata

    name = "Сергей Ёлкин.txt"
    member = unicodedata.normalize("NFD", name.upper() if "upper" in stored else name)
    assert member != name
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="p" origin="ATLAS.ti Mac 9"><CodeBook><Codes/></CodeBook><Sources>'
        '<TextSource guid="D0000000-0000-4000-8000-000000000001" name="Сергей" '
        f'plainTextPath="internal://{name}"/></Sources></Project>'
    )
    archive = write_qdpx(
        tmp_path / "m.qdpx", qde, {f"sources/{member}": "Мен Алматыда тұрамын.".encode()}
    )
    report = import_qdpx(archive, tmp_path / "m.fieldscribe", coder="me")
    assert report.segments == 1 and report.not_imported == []

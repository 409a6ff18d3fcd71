"""Codebooks (.qdc) as NVivo, ATLAS.ti and QualCoder write them: GUIDs in either case, a
parent that is not codable, empty descriptions, Cyrillic and Kazakh names, and Sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main as cli_main
from storage import InvalidInputError, Project
from storage.interop.qdc import import_codebook

_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14">
  <Codes>
    <Code guid="D1E2F3A4-1111-4222-8333-444455556666" name="Доверие" isCodable="true"
          color="#A0C8FF"><Description>Доверие к госорганам</Description>
      <Code guid="d1e2f3a4-1111-4222-8333-444455556667" name="Сенім" isCodable="true"/>
    </Code>
    <Code guid="D1E2F3A4-1111-4222-8333-444455556668" name="Parent only" isCodable="false">
      <Code guid="D1E2F3A4-1111-4222-8333-444455556669" name="Child &amp; more"
            isCodable="true" color="#00FF00"><Description/></Code>
    </Code>
  </Codes>
  <Sets>
    <Set guid="E1E2F3A4-1111-4222-8333-444455556666" name="Группа">
      <MemberCode targetGUID="D1E2F3A4-1111-4222-8333-444455556666"/>
    </Set>
  </Sets>
</CodeBook>
"""


def test_codebook_with_sets_imports_its_codes_and_says_the_sets_were_left(
    tmp_path: Path, capsys
) -> None:
    """A .qdc with a Set (NVivo's and ATLAS.ti's code groups) was imported without a word
    about its sets, which were dropped; now the report (CLI and window) says so."""
    qdc = tmp_path / "book.qdc"
    qdc.write_text(_QDC, encoding="utf-8")
    project = Project.create(tmp_path / "p.fieldscribe", coder="me")
    report = import_codebook(project, qdc)
    codes = {c.id: c for c in project.codebook.codes()}
    project.close()
    assert report.codes == 4
    trust = codes["d1e2f3a4-1111-4222-8333-444455556666"]
    assert (trust.name, trust.colour, trust.description) == (
        "Доверие",
        "#a0c8ff",
        "Доверие к госорганам",
    )
    assert codes["d1e2f3a4-1111-4222-8333-444455556667"].parent_id == trust.id
    assert codes["d1e2f3a4-1111-4222-8333-444455556669"].name == "Child & more"
    assert any("1 set of codes" in n and "not imported" in n for n in report.notes)
    assert cli_main(["codebook", "import", str(tmp_path / "p.fieldscribe"), str(qdc)]) == 0
    out = capsys.readouterr().out
    assert "0 new codes, 4 already in the codebook" in out
    assert "1 set of codes (code groups) not imported" in out


def _book(namespace: str | None, origin: str, codes: str) -> str:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook origin="{origin}"{xmlns}>'
        f"<Codes>{codes}</Codes></CodeBook>"
    )


_CODES = (
    '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Қала" isCodable="true" '
    'color="#46AA00"><Description>Город</Description><Code guid="1FF58B12-6F6F-4B0C-8BE5-'
    'BBDC91F55295" name="Ауыл" isCodable="true"/></Code>'
)


@pytest.mark.parametrize(
    ("namespace", "origin", "bom"),
    [
        ("urn:QDA-XML:codebook:1.0", "QualCoder", True),  # QualCoder writes utf-8-sig
        ("urn:QDA-XML:codebook:0:4", "ATLAS.ti Win 26.1.1", False),
        ("urn:QDA-XML:codebook:1:0", "NVivo 12 For Mac", False),
        (None, "a hand-made codebook", False),
    ],
)
def test_codebooks_as_each_tool_writes_them(
    tmp_path: Path, namespace: str | None, origin: str, bom: bool
) -> None:
    """A codebook without the QDA-XML namespace (as a project file may be) was refused,
    oddly: "is not a REFI-QDA codebook (root element 'CodeBook')"."""
    qdc = tmp_path / "book.qdc"
    qdc.write_bytes((b"\xef\xbb\xbf" if bom else b"") + _book(namespace, origin, _CODES).encode())
    with Project.create(tmp_path / "p.fieldscribe", coder="me") as project:
        report = import_codebook(project, qdc)
        codes = {c.path: (c.colour, c.description) for c in project.codebook.codes()}
    assert report.codes == 2
    assert codes["Қала"] == ("#46aa00", "Город") and "Қала/Ауыл" in codes


def test_a_newer_codebook_or_a_project_is_refused_in_one_line(tmp_path: Path) -> None:
    """A codebook of QDA-XML 2.0 was read as if it were 1.0 (a project of 2.0 is refused);
    a project.qde saved as .qdc was refused without saying what it is."""
    newer = tmp_path / "new.qdc"
    newer.write_text(_book("urn:QDA-XML:codebook:2.0", "X", _CODES), encoding="utf-8")
    qde = tmp_path / "project.qdc"
    qde.write_text('<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', encoding="utf-8")
    with Project.create(tmp_path / "p.fieldscribe", coder="me") as project:
        with pytest.raises(InvalidInputError, match="newer REFI-QDA format") as newer_error:
            import_codebook(project, newer)
        with pytest.raises(InvalidInputError, match="fieldscribe qdpx import") as project_error:
            import_codebook(project, qde)
        assert project.codebook.codes() == []
    for error in (newer_error, project_error):
        assert "\n" not in str(error.value) and "nothing was imported" in str(error.value).lower()


def test_a_codebook_declared_koi8_r_but_written_in_utf8_is_read_as_utf8(tmp_path: Path) -> None:
    """Its codes were named in mojibake ("п■п╬п╡п╣я─п╦п╣" for "Доверие") without a word."""
    qdc = tmp_path / "book.qdc"
    qdc.write_bytes(
        (
            '<?xml version="1.0" encoding="koi8-r"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
            '<Codes><Code guid="d1e2f3a4-1111-4222-8333-444455556666" name="Доверие" '
            'isCodable="true"/><Code guid="d1e2f3a4-1111-4222-8333-444455556667" name="Қала" '
            'isCodable="true"/></Codes></CodeBook>'
        ).encode()
    )
    project = Project.create(tmp_path / "p.fieldscribe", coder="me")
    report = import_codebook(project, qdc)
    names = sorted(c.name for c in project.codebook.codes())
    project.close()
    assert names == ["Доверие", "Қала"]
    assert any("declares the encoding 'koi8-r' but is written in UTF-8" in n for n in report.notes)


def test_codebook_import_takes_the_codebook_of_a_qdpx(tmp_path: Path, capsys) -> None:
    """`codebook import DIR FILE.qdpx` refused a .qdpx ('codebooks are imported from .qdc,
    .csv or .xlsx') though its project.qde holds a CodeBook; it now merges those codes, as
    from a .qdc, and nothing else of the project; a broken or foreign file: one line, nothing
    changed."""
    import zipfile

    from storage.interop import export_qdpx

    src = tmp_path / "src.fieldscribe"
    with Project.create(src, coder="ann") as p:
        p.codebook.ensure_code_path("Доверие/Сенім")
        p.codebook.ensure_code_path("Trust")
        p.sessions.add_session("Interview", kind="interview")
        export_qdpx(p, tmp_path / "src.qdpx", with_media=False)
    dest = tmp_path / "dest.fieldscribe"
    with Project.create(dest, coder="bob") as q:
        q.codebook.ensure_code_path("Trust")
    assert cli_main(["codebook", "import", str(dest), str(tmp_path / "src.qdpx")]) == 0
    out = capsys.readouterr().out
    assert "2 new codes, 1 already in the codebook" in out, out
    with Project.open(dest, readonly=True) as q:
        assert sorted(c.path for c in q.codebook.codes()) == ["Trust", "Доверие", "Доверие/Сенім"]
        assert q.sessions.all() == []  # the codebook only, not the sessions
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
    for bad, says in ((broken, "broken.qdpx"), (empty, "holds no codebook")):
        assert cli_main(["codebook", "import", str(dest), str(bad)]) != 0
        err = capsys.readouterr().err.strip()
        assert says in err and len(err.splitlines()) == 1, err
    with Project.open(dest, readonly=True) as q:
        assert len(q.codebook.codes()) == 3
    # a codebook zipped as a .qdpx (project.qde a CodeBook): qdpx import sends it here, and
    # here it is read as the codebook it is (it said "import it with 'codebook import'")
    zipped = tmp_path / "book.qdpx"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("project.qde", _QDC)
    assert cli_main(["codebook", "import", str(dest), str(zipped)]) == 0
    assert "2 new codes, 2 already in the codebook" in capsys.readouterr().out


def test_the_codebook_listing_is_in_the_kazakh_and_russian_alphabets_order(project) -> None:
    """Exports of the codebook (.qdc, csv, xlsx, docx) list siblings as the tree does: by code
    point Әкімдік, Қала and Үкімет came after Яна."""
    from storage.interop.qdc import codebook_rows

    order = ["Ақпарат", "Әкімдік", "Банк", "Қала", "Үкімет", "Яна"]
    for name in reversed(order):
        project.codebook.ensure_code_path(name)
    assert [row.code.name for row in codebook_rows(project)] == order

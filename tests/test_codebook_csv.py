"""Issue 17: a codebook CSV that Taguette and spreadsheets read, and CSV codebook import."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import InvalidInputError
from storage.interop.qdc import export_codebook, import_codebook


def _taguette_list_tags(data: bytes) -> list[dict[str, str]]:
    """What Taguette's codebook import does with a CSV (its header rules, its UTF-8 reader)."""
    reader = csv.reader(codecs.getreader("utf-8")(io.BytesIO(data)))
    header = next(reader)
    expected = ("tag" in header) + ("name" in header) + ("path" in header)
    if expected != 1:
        raise ValueError("Not sure which column to use for tag name" if expected else "no tag")
    col = header.index("tag" if "tag" in header else "name" if "name" in header else "path")
    desc = header.index("description") if "description" in header else None
    return [
        {"path": row[col], "description": row[desc] if desc is not None else ""}
        for row in reader
        if any(row)
    ]


def _lead(tmp: Path) -> Project:
    p = Project.create(tmp / "lead.fieldscribe", coder="lead")
    p.codebook.ensure_code_path("Услуги/Здоровье")
    p.codebook.update_code(
        p.codebook.find_code("Услуги/Здоровье").id,  # type: ignore[union-attr]
        description="Health services, clinics; «очередь»",
    )
    p.codebook.ensure_code_path("Trust", colour="#112233")
    return p


def test_codebook_csv_is_read_by_taguette_and_back(tmp_path: Path) -> None:
    lead = _lead(tmp_path)
    out = tmp_path / "codebook.csv"
    export_codebook(lead, out)
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)  # spreadsheets need it for Cyrillic
    tags = _taguette_list_tags(data)
    assert {t["path"] for t in tags} == {"Trust", "Услуги", "Услуги/Здоровье"}
    health = next(t for t in tags if t["path"] == "Услуги/Здоровье")
    assert health["description"] == "Health services, clinics; «очередь»"
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header == ["id", "tag", "description", "colour", "level", "codings",
                      "codings_with_subcodes", "memos"]  # fmt: skip

    other = Project.create(tmp_path / "other.fieldscribe", coder="x")
    report = import_codebook(other, out)
    assert report.codes == 3
    got = {c.path: c for c in other.codebook.codes()}
    assert got["Услуги/Здоровье"].description == "Health services, clinics; «очередь»"
    assert got["Trust"].colour == "#112233"
    again = import_codebook(other, out)
    assert again.codes == 0 and again.codes_reused == 3
    # into the project it came from: the same codes, by id
    assert import_codebook(lead, out).codes == 0


def test_taguette_and_spreadsheet_codebooks_come_in(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p.fieldscribe", coder="me")
    taguette = tmp_path / "taguette.csv"
    taguette.write_text(
        "tag,description,number of highlights\n"
        "interesting,Anything that stands out,4\n"
        "people.names,Named persons,2\n",
        encoding="utf-8",
    )
    report = import_codebook(p, taguette)
    assert report.codes == 2
    assert p.codebook.find_code("interesting").description == "Anything that stands out"  # type: ignore[union-attr]
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("name;memo;color\nEmotions/Fear;;#ff0000\n\nEmotions/Hope;Looking ahead;\n")
    import_codebook(p, sheet)
    assert p.codebook.find_code("Emotions/Fear").colour == "#ff0000"  # type: ignore[union-attr]
    assert p.codebook.find_code("Emotions/Hope").description == "Looking ahead"  # type: ignore[union-attr]


def test_bad_codebook_csv_changes_nothing(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p.fieldscribe", coder="me")
    bad = tmp_path / "bad.csv"
    bad.write_text("col1,col2\na,b\n")
    with pytest.raises(InvalidInputError, match="no 'tag', 'path' or 'name' column"):
        import_codebook(p, bad)
    bad.write_text("tag,colour\nGood,#00ff00\nBad,not-a-colour\n")
    with pytest.raises(InvalidInputError, match="row 3"):
        import_codebook(p, bad)
    assert p.codebook.codes() == []


def test_codebook_exported_to_excel_comes_back_after_editing(tmp_path: Path) -> None:
    """File ▸ Export the codebook offered Excel; the lead writes the descriptions there, but
    Import refused the .xlsx ('codebooks are imported from .qdc (REFI-QDA) or .csv files')."""
    import openpyxl

    lead = _lead(tmp_path)
    export_codebook(lead, tmp_path / "cb.xlsx")
    book = openpyxl.load_workbook(tmp_path / "cb.xlsx")
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.append(
        {header.index("tag") + 1: "Отбасы/Ақша", header.index("description") + 1: "ақша жіберу"}
    )
    book.save(tmp_path / "cb.xlsx")
    with Project.create(tmp_path / "b.fieldscribe", coder="b") as other:
        report = import_codebook(other, tmp_path / "cb.xlsx")
        got = {c.path: (c.colour, c.description) for c in other.codebook.codes()}
    want = {c.path: (c.colour, c.description) for c in lead.codebook.codes()}
    lead.close()
    assert report.codes == len(want) + 2  # and Отбасы, made along the path
    assert {p: got[p] for p in want} == want
    assert got["Отбасы/Ақша"][1] == "ақша жіберу"


def test_a_file_named_xlsx_that_is_no_spreadsheet_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cb.xlsx").write_text("tag\nTrust\n", encoding="utf-8")
    with Project.create(tmp_path / "b.fieldscribe", coder="b") as other:
        with pytest.raises(InvalidInputError, match="not a usable spreadsheet"):
            import_codebook(other, tmp_path / "cb.xlsx")
        assert other.codebook.codes() == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx"])
def test_code_memos_travel_with_the_codebook(tmp_path: Path, suffix: str) -> None:
    """The codebook's csv/xlsx/docx held each code's name, nesting, colour and description but
    not its memos (Code ▸ Memo…): a codebook exported and imported into a fresh project lost
    every one. The ``memos`` column carries them, and importing the file again adds none twice;
    the .docx, which ``codebook import`` refused, comes back in with them too."""
    from docx import Document

    memos = [
        ("Заметка", "Часто вместе с коррупцией;\nпроверить в fg2.\n\nВторой абзац."),
        (None, "Тек ауылдық респонденттер айтады: «интернет жоқ»."),
    ]
    with Project.create(tmp_path / "a.fieldscribe", coder="ann") as p:
        code = p.codebook.ensure_code_path("Доверие/Недоверие к акимату")
        for title, text in memos:
            p.codebook.add_memo("code", code.id, text, title=title)
        p.codebook.add_memo("code", p.codebook.ensure_code_path("Доверие").id, "Trust; сенім")
        p.codebook.update_code(code.id, colour="#bcbd22", description="Әкімдікке сенімсіздік")
        out = export_codebook(p, tmp_path / f"book{suffix}")
        export_codebook(p, tmp_path / "book.docx")
        before = [(c.path, c.colour, c.description) for c in p.codebook.codes()]
    table = Document(str(tmp_path / "book.docx")).tables[0]
    assert table.rows[0].cells[4].text == "Memos"
    assert "# Заметка\nЧасто вместе" in table.rows[2].cells[4].text
    with Project.create(tmp_path / "b.fieldscribe", coder="bob") as other:
        import_codebook(other, out)
        import_codebook(other, out)  # again: nothing added twice

        def held(path: str) -> list[tuple[str | None, str]]:
            found = other.codebook.find_code(path)
            assert found is not None
            return [(m.title, m.text) for m in other.codebook.memos("code", found.id)]

        assert held("Доверие/Недоверие к акимату") == memos
        assert held("Доверие") == [(None, "Trust; сенім")]
        assert [(c.path, c.colour, c.description) for c in other.codebook.codes()] == before


def test_a_word_document_without_a_codebook_table_is_refused(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("Интервью 1: заметки")
    doc.save(str(tmp_path / "notes.docx"))
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really")
    with Project.create(tmp_path / "p.fieldscribe", coder="ann") as p:
        p.codebook.ensure_code_path("Доверие")
        for name, says in (("notes.docx", "no codebook table"), ("broken.docx", "not a usable")):
            with pytest.raises(InvalidInputError, match=says):
                import_codebook(p, tmp_path / name)
        assert [c.path for c in p.codebook.codes()] == ["Доверие"]


@pytest.mark.parametrize("suffix", [".qdc", ".qdpx", ".csv", ".xlsx", ".docx"])
def test_import_keeps_a_description_here_and_fills_an_empty_one(
    tmp_path: Path, suffix: str
) -> None:
    """A .csv/.xlsx codebook import wrote the file's description over a code's own, while a
    .qdc import left it: every format now keeps the project's description and gives a code
    without one the file's, and the report says how many of each. Codes are found by path
    (another project) and by id (the project the file came from)."""
    from storage.interop.qdpx_export import export_qdpx

    with Project.create(tmp_path / "a.fieldscribe", coder="ann") as p:
        trust = p.codebook.ensure_code_path("Доверие/Сенім")
        state = p.codebook.ensure_code_path("Государство")
        p.codebook.update_code(trust.id, description="Trust in the akimat (file)")
        p.codebook.update_code(state.id, description="The state, akimat (file)")
        out = tmp_path / f"book{suffix}"
        export_qdpx(p, out) if suffix == ".qdpx" else export_codebook(p, out)
        # the same project, edited since: by id
        p.codebook.update_code(trust.id, description="Сенім: our own wording")
        p.codebook.update_code(state.id, description="")
        report = import_codebook(p, out)
        got = {c.path: c.description or "" for c in p.codebook.codes()}
    assert got["Доверие/Сенім"] == "Сенім: our own wording"
    assert got["Государство"] == "The state, akimat (file)"
    assert (report.descriptions_kept, report.descriptions_filled) == (1, 1)
    notes = " ".join(report.notes)
    assert "1 code already here has another description in the file; the codebook's" in notes
    assert "1 code already here without a description took the file's." in notes
    # another project: by path, in any letter case
    with Project.create(tmp_path / "b.fieldscribe", coder="bob") as other:
        mine = other.codebook.ensure_code_path("доверие/сенім")
        other.codebook.update_code(mine.id, description="Bob's description")
        other.codebook.ensure_code_path("Государство")
        report = import_codebook(other, out)
        got = {c.path: c.description or "" for c in other.codebook.codes()}
    assert got["доверие/сенім"] == "Bob's description"
    assert got["Государство"] == "The state, akimat (file)"
    assert report.descriptions_kept == 1 and report.descriptions_filled == 1

"""Everyday exports opened back: transcripts, coded segments, codebooks."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from cli import main as cli_main
from storage import InvalidInputError, Project
from storage.interop import export_codebook, export_codings, export_transcript, import_codebook
from storage.interop.transcript_import import parse_cues
from tests.interop_support import build_project, make_wav


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("exports")
    folder = base / "study.fieldscribe"
    return folder, build_project(folder, make_wav(base))


def test_txt_with_speakers_timestamps_markers_and_line_numbers(built, tmp_path: Path) -> None:
    folder, ids = built
    out = tmp_path / "t.txt"
    assert cli_main(["export", str(folder), "--session", ids["session"], "--format", "txt",
                     "-o", str(out), "--line-numbers", "--export-anyway"]) == 0  # fmt: skip
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(None, 1) == ["1", "Focus group 1"]
    body = [re.sub(r"^\s*\d+\s\s", "", line) for line in lines]
    # SPEAKER_00 is linked to the participant Anna: exported under her pseudonym
    assert "[00:00:00] Anna: Hello, this is a short interview" in body
    assert "[00:00:01] --- Marker: laughter (everyone laughed) ---" in body
    assert "[00:00:02] Note: no speaker here" in body
    assert [int(line.split()[0]) for line in lines] == list(range(1, len(lines) + 1))


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_subtitles_parse_back(built, tmp_path: Path, fmt: str) -> None:
    folder, ids = built
    out = tmp_path / f"t.{fmt}"
    with Project.open(folder, readonly=True) as p:
        export_transcript(p, ids["session"], fmt, out)
        segments = p.transcript.segments(ids["session"])
    parsed = parse_cues(out.read_text(encoding="utf-8"), fmt)
    assert [(d.start_ms, d.end_ms) for d in parsed.drafts] == [
        (s.start_ms, s.end_ms) for s in segments
    ]
    assert parsed.drafts[1].speaker == "SPEAKER_01"
    assert parsed.drafts[1].text == "about public services: health."
    if fmt == "vtt":
        assert out.read_text().startswith("WEBVTT")
        assert "NOTE 00:00:01.200 Marker: laughter" in out.read_text()


def test_docx_transcript(built, tmp_path: Path) -> None:
    folder, ids = built
    out = tmp_path / "t.docx"
    with Project.open(folder, readonly=True) as p:
        export_transcript(p, ids["session"], "docx", out, line_numbers=True)
    doc = Document(str(out))
    texts = [para.text for para in doc.paragraphs]
    assert texts[0] == "Focus group 1"
    assert "[00:00:01] SPEAKER_01: about public services: health." in texts
    assert any("Marker: laughter" in t for t in texts)
    speaker_run = next(r for para in doc.paragraphs for r in para.runs if r.text == "SPEAKER_01: ")
    assert speaker_run.bold
    assert doc.sections[0]._sectPr.xpath("./w:lnNumType")


def test_json_transcript(built, tmp_path: Path) -> None:
    folder, ids = built
    out = tmp_path / "t.json"
    with Project.open(folder, readonly=True) as p:
        export_transcript(p, ids["session"], "json", out)
    data = json.loads(out.read_text())
    assert data["session"]["title"] == "Focus group 1"
    assert [s["text"] for s in data["segments"]][1] == "about public services: health."
    assert data["markers"][0]["label"] == "laughter"


def test_unknown_format_and_session(built, tmp_path: Path) -> None:
    folder, ids = built
    with Project.open(folder, readonly=True) as p:
        with pytest.raises(InvalidInputError, match="Unknown transcript format"):
            export_transcript(p, ids["session"], "pdf", tmp_path / "x.pdf")
        from storage import NotFoundError

        with pytest.raises(NotFoundError):
            export_transcript(p, "nope", "txt", tmp_path / "x.txt")
    assert not (tmp_path / "x.txt").exists()


def test_codings_csv_has_participant_attributes(built, tmp_path: Path) -> None:
    folder, _ids = built
    out = tmp_path / "c.csv"
    assert cli_main(["export-codings", str(folder), "-o", str(out), "--export-anyway"]) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4
    first = rows[0]
    assert (
        first["session"] == "Focus group 1" and first["speaker"] == "Anna"
    )  # SPEAKER_00, linked to Anna
    assert (first["participant"], first["participant.age"], first["participant.role"]) == (
        "Anna", "30-39", "nurse")  # fmt: skip
    assert first["code"] == "Public services/Health" and first["coder"] == "alice"
    span = next(r for r in rows if r["memo"] == "key phrase")
    assert span["coded_text"] == "public services" and span["coder"] == "bob"
    assert span["start"] == "00:00:01.400"


def test_codings_xlsx_sheet_per_code(built, tmp_path: Path) -> None:
    folder, _ids = built
    out = tmp_path / "c.xlsx"
    with Project.open(folder, readonly=True) as p:
        export_codings(p, out, sheet_per_code=True)
        with pytest.raises(InvalidInputError, match="xlsx"):
            export_codings(p, tmp_path / "c.csv", sheet_per_code=True)
    wb = load_workbook(out)
    assert wb.sheetnames == ["All codings", "Public services-Health", "Trust"]
    header = [c.value for c in wb["All codings"][1]]
    assert "participant.age" in header and "coded_text" in header
    assert wb["All codings"].max_row == 5
    assert wb["Trust"].max_row == 3  # two Trust codings
    code_col = header.index("code")
    assert {row[code_col].value for row in wb["Trust"].iter_rows(min_row=2)} == {"Trust"}


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    folder = tmp_path / "f.fieldscribe"
    with Project.create(folder, coder="me") as p:
        s = p.sessions.add_session("S")
        (seg,) = p.transcript.add_segments(s.id, [__import__("storage").SegmentDraft(0, 1, "=1+1")])
        p.codebook.apply_code(seg.id, p.codebook.ensure_code_path("X").id)
        export_codings(p, tmp_path / "f.xlsx")
    ws = load_workbook(tmp_path / "f.xlsx")["All codings"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(2, header.index("coded_text") + 1)
    assert cell.value == "=1+1" and cell.data_type == "s"


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "docx", "qdc"])
def test_codebook_exports(built, tmp_path: Path, suffix: str) -> None:
    folder, _ids = built
    out = tmp_path / f"book.{suffix}"
    assert cli_main(["codebook", "export", str(folder), "-o", str(out)]) == 0
    if suffix == "csv":
        with open(out, encoding="utf-8-sig", newline="") as fh:
            rows = {r["tag"]: r for r in csv.DictReader(fh)}  # Taguette's column (issue 17)
        assert rows["Trust"]["description"] == "Trust in institutions"
        assert (rows["Trust"]["codings"], rows["Public services"]["codings_with_subcodes"]) == (
            "2", "2")  # fmt: skip
    elif suffix == "xlsx":
        ws = load_workbook(out)["Codebook"]
        values = {r[1].value: r for r in ws.iter_rows(min_row=2)}
        assert values["Trust"][3].value == "#123abc" and values["Trust"][5].value == 2
    elif suffix == "docx":
        table = Document(str(out)).tables[0]
        cells = [[c.text for c in row.cells] for row in table.rows]
        assert ["Trust", "#123abc", "Trust in institutions", "2", ""] in cells
        assert ["    Health", "#3cb44b", "", "2"] in [[r[0], r[1], r[2], r[3]] for r in cells]
    else:
        new = tmp_path / "new.fieldscribe"
        Project.create(new, coder="x").close()
        assert cli_main(["codebook", "import", str(new), str(out)]) == 0
        with Project.open(new, readonly=True) as q, Project.open(folder, readonly=True) as p:
            assert [(c.id, c.path, c.colour, c.description) for c in q.codebook.codes()] == [
                (c.id, c.path, c.colour, c.description) for c in p.codebook.codes()
            ]
        with Project.open(new) as q:
            report = import_codebook(q, out)
        assert (report.codes, report.codes_reused) == (0, 3)


def test_codebook_unknown_suffix(built, tmp_path: Path) -> None:
    folder, _ids = built
    with Project.open(folder, readonly=True) as p, pytest.raises(InvalidInputError, match=r"\.qdc"):
        export_codebook(p, tmp_path / "book.pdf")


def test_docx_line_numbering_follows_the_section_schema_order(built, tmp_path: Path) -> None:
    folder, ids = built
    out = tmp_path / "t.docx"
    with Project.open(folder, readonly=True) as p:
        export_transcript(p, ids["session"], "docx", out, line_numbers=True)
    sect = Document(str(out)).sections[0]._sectPr
    names = [child.tag.rsplit("}", 1)[-1] for child in sect]
    assert names.index("lnNumType") == names.index("pgMar") + 1

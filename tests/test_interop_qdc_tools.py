"""Codebooks (.qdc) as NVivo, ATLAS.ti and QualCoder write them: GUIDs in either case, a
parent that is not codable, empty descriptions, Cyrillic and Kazakh names, and Sets."""

from __future__ import annotations

from pathlib import Path

from cli import main as cli_main
from storage import Project
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

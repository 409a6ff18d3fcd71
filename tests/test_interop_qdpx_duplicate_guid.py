"""Two sources with one GUID in a file (a damaged or hand-made project): the second was dropped
with the note that it "was imported before", in a project it had never been imported into."""

from __future__ import annotations

import zipfile
from pathlib import Path

from storage import Project
from storage.interop import import_qdpx

S = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
QDE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="x" origin="NVivo 14" xmlns="urn:QDA-XML:project:1.0"><Sources>
<TextSource guid="{S}" name="Интервью 1" plainTextPath="internal://a.txt"/>
<TextSource guid="{S.upper()}" name="Интервью 2" plainTextPath="internal://b.txt"/>
</Sources></Project>"""


def test_a_second_source_with_the_same_guid_is_imported(tmp_path: Path) -> None:
    archive = tmp_path / "dup.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", QDE)
        zf.writestr("sources/a.txt", "Сәлем, бәрі жақсы.")
        zf.writestr("sources/b.txt", "Привет, всё хорошо.")
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    assert not any("imported before" in n for n in report.notes), report.notes
    assert any("'Интервью 2' has the GUID of a source before it" in n for n in report.notes)
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as p:
        texts = {s.title: [g.text for g in p.transcript.segments(s.id)] for s in p.sessions.all()}
    assert texts == {"Интервью 1": ["Сәлем, бәрі жақсы."], "Интервью 2": ["Привет, всё хорошо."]}
    again = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")  # nothing doubled
    assert again.sessions == 0


def test_a_second_code_with_the_same_guid_is_a_code_of_its_own(tmp_path: Path) -> None:
    """Two codes with one GUID: the second ('Ауыл') was taken for the first, reused without a
    word, and its name was lost."""
    code = "c0000000-0000-4000-8000-000000000001"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="x" origin="NVivo 14" xmlns="urn:QDA-XML:project:1.0"><CodeBook><Codes>
<Code guid="{code.upper()}" name="Қала" isCodable="true"/>
<Code guid="{code}" name="Ауыл" isCodable="true"/>
</Codes></CodeBook><Sources><TextSource guid="{S}" name="Интервью" plainTextPath="internal://a.txt">
<PlainTextSelection guid="e0000000-0000-4000-8000-000000000001" startPosition="4" endPosition="12">
<Coding guid="f0000000-0000-4000-8000-000000000001"><CodeRef targetGUID="{code}"/></Coding>
</PlainTextSelection></TextSource></Sources></Project>"""
    archive = tmp_path / "codes.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr("sources/a.txt", "Мен Алматыда тұрамын.")
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    assert report.codes == 2
    assert any("'Ауыл' has the GUID of the code 'Қала'" in n for n in report.notes)
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as p:
        assert sorted(c.path for c in p.codebook.codes()) == ["Ауыл", "Қала"]
        (coding,) = p.codebook.codings()
        assert p.codebook.get_code(coding.code_id).name == "Қала"

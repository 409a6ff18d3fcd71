"""A project's description goes out as the project's ``Description`` (QDA-XML's place for it,
Project-mrt2019.xsd), not as a note named "Project description"; the round trip keeps one
project memo; and a description imported once is not imported again, also after the
researcher edited or deleted its memo (a file whose sources did not all arrive, imported again,
added it anew next to the edited memo)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from storage import Project
from storage.interop import import_qdpx
from storage.interop.qdpx_export import export_qdpx
from tests.interop_support import SCHEMA, write_qdpx

NS = "{urn:QDA-XML:project:1.0}"
CODE, SRC = "ea000000-0000-4000-8000-000000000001", "ea000000-0000-4000-8000-000000000002"
TEXT = "Айгүл: Ауылда емхана жоқ 😀."
DESCRIPTION = "Жоба: ауыл денсаулығы 😷\nПроект: сельское здоровье"
DESCRIPTIONS_EDITED = "Жоба: ауыл денсаулығы 😷 (3 аудан)"


def _root(archive: Path) -> etree._Element:
    with zipfile.ZipFile(archive) as zf:
        return etree.fromstring(zf.read("project.qde"))


def _project_memos(folder: Path) -> list[tuple[str | None, str]]:
    with Project.open(folder, readonly=True) as p:
        return [(m.title, m.text) for m in p.codebook.memos() if m.target_type == "project"]


def test_the_description_is_the_projects_description_element(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p", coder="me") as p:
        p.codebook.add_memo("project", None, DESCRIPTION, title="Project description")
        p.codebook.add_memo("project", None, "Сессия кестесі", title="Plan")
        export_qdpx(p, tmp_path / "a.qdpx")
    root = _root(tmp_path / "a.qdpx")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    assert [d.text for d in root.findall(f"{NS}Description")] == [DESCRIPTION]
    notes = [n.get("name") for n in root.iterfind(f"{NS}Notes/{NS}Note")]
    assert notes == ["Plan"]  # the other project memo stays a note
    assert len(root.findall(f"{NS}NoteRef")) == 1
    # the round trip: one memo, the same Description out again
    import_qdpx(tmp_path / "a.qdpx", tmp_path / "b", coder="me")
    assert sorted(_project_memos(tmp_path / "b"), key=str) == [
        ("Plan", "Сессия кестесі"),
        ("Project description", DESCRIPTION),
    ]
    import_qdpx(tmp_path / "a.qdpx", tmp_path / "b", coder="me")  # again: nothing added
    assert len(_project_memos(tmp_path / "b")) == 2
    with Project.open(tmp_path / "b") as p:
        export_qdpx(p, tmp_path / "c.qdpx")
    assert [d.text for d in _root(tmp_path / "c.qdpx").findall(f"{NS}Description")] == [DESCRIPTION]


def _partial(tmp_path: Path) -> Path:
    """A file whose text source is named outside the archive (it does not arrive)."""
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="Ауыл" origin="MAXQDA 2022"><CodeBook><Codes>'
        f'<Code guid="{CODE}" name="Емхана" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{SRC}" name="Сұхбат" plainTextPath="relative://a.txt"/>'
        f"</Sources><Description>{DESCRIPTION}</Description></Project>"
    )
    return write_qdpx(tmp_path / "a.qdpx", qde, {"a.txt": TEXT.encode()})


@pytest.mark.parametrize("change", ["edited", "deleted", "retitled"])
def test_a_description_changed_here_is_not_imported_again(tmp_path: Path, change: str) -> None:
    archive = _partial(tmp_path)
    import_qdpx(archive, tmp_path / "p", coder="me")
    assert _project_memos(tmp_path / "p") == [("Project description", DESCRIPTION)]
    with Project.open(tmp_path / "p") as p:
        (memo,) = p.codebook.memos()
        if change == "edited":
            p.codebook.update_memo(memo.id, DESCRIPTION + "\nТүзетілді: 2 ауыл қосылды")
        elif change == "retitled":
            p.codebook.update_memo(memo.id, "Біздің жоба", title="Жоба")
        else:
            p.codebook.delete_memo(memo.id)
    before = _project_memos(tmp_path / "p")
    for _ in range(2):
        report = import_qdpx(archive, tmp_path / "p", coder="me")
        assert report.memos == 0
    assert _project_memos(tmp_path / "p") == before


@pytest.mark.parametrize("change", ["kept", "edited"])
def test_a_project_imported_before_descriptions_were_recorded(tmp_path: Path, change: str) -> None:
    """A project imported by a FieldScribe that kept no ``exchange.descriptions``: the file
    imported again (after the upgrade) added its description beside the memo edited since."""
    archive = _partial(tmp_path)
    import_qdpx(archive, tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p") as p:
        with p.transaction():  # as the older import left it: the memo, no record
            p.store.conn.execute("DELETE FROM project_meta WHERE key = 'exchange.descriptions'")
        if change == "edited":
            (memo,) = p.codebook.memos()
            p.codebook.update_memo(memo.id, DESCRIPTIONS_EDITED)
    before = _project_memos(tmp_path / "p")
    for n in range(2):
        report = import_qdpx(archive, tmp_path / "p", coder="me")
        assert report.memos == 0
        # said once, where only the memo's title told it (its text edited since)
        said = any("project description was not added" in line for line in report.notes)
        assert said == (change == "edited" and n == 0)
    assert _project_memos(tmp_path / "p") == before
    with Project.open(tmp_path / "p", readonly=True) as p:
        assert p.get_meta("exchange.descriptions")  # recorded from now on


def test_a_project_memo_of_another_title_does_not_hide_the_description(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p", coder="me") as p:
        p.codebook.add_memo("project", None, "Сессия кестесі", title="Plan")
    assert import_qdpx(_partial(tmp_path), tmp_path / "p", coder="me").memos == 1
    assert ("Project description", DESCRIPTION) in _project_memos(tmp_path / "p")

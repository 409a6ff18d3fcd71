"""Code names are one name whatever their letter case, under one parent (as NVivo and MAXQDA
match them): "госуслуги" is the project's "Госуслуги", "ҚЫЗМЕТ" its "қызмет".

A codebook import (.qdc, .csv, .xlsx, .docx, a .qdpx's codebook) made a second code for a name in
another case; now it reuses the project's code, keeps the project's spelling and colour (every
format alike: a .csv or .xlsx used to recolour it, a .qdc did not) and says how many it matched
so. Creating or renaming a code by hand refuses such a name beside its twin, as it refuses the
same name.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from main import main
from storage import Project
from storage.core.errors import InvalidInputError
from storage.core.names import name_key
from storage.interop.qdc import export_codebook, import_codebook
from storage.interop.qdpx_export import export_qdpx

FORMATS = ("qdc", "csv", "xlsx", "docx", "qdpx")


def _ours(tmp: Path) -> Project:
    p = Project.create(tmp / "ours.fieldscribe", coder="lead")
    p.codebook.ensure_code_path("Госуслуги", colour="#112233")
    p.codebook.ensure_code_path("қызмет/Өтініш", colour="#445566")
    return p


def _their_file(tmp: Path, fmt: str) -> Path:
    """Another team's codebook: the same codes in capitals or lower case, other colours, and a
    new one."""
    with Project.create(tmp / "theirs.fieldscribe", coder="other") as theirs:
        theirs.codebook.ensure_code_path("госуслуги", colour="#ff0000")
        theirs.codebook.ensure_code_path("ҚЫЗМЕТ/өтініш", colour="#445566")
        theirs.codebook.ensure_code_path("Жаңа", colour="#00ff00")
        out = tmp / f"theirs.{fmt}"
        if fmt == "qdpx":
            export_qdpx(theirs, out)
        else:
            export_codebook(theirs, out)
    return out


def test_names_in_another_case_are_one_name() -> None:
    assert name_key("ҚЫЗМЕТ") == name_key("қызмет")
    assert name_key("Госуслуги ") == name_key("ГОСУСЛУГИ")
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Госуслуги") != name_key("Госуслуга")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_codebook_in_another_case_reuses_our_codes(tmp_path: Path, fmt: str) -> None:
    source = _their_file(tmp_path, fmt)
    with _ours(tmp_path) as p:
        report = import_codebook(p, source)
        got = {c.path: c.colour for c in p.codebook.codes()}
    assert got == {
        "Госуслуги": "#112233",  # our spelling, our colour
        "қызмет": got["қызмет"],
        "қызмет/Өтініш": "#445566",
        "Жаңа": "#00ff00",
    }
    assert report.codes == 1
    assert report.codes_reused == 3
    assert report.codes_matched_by_case == 3  # госуслуги, ҚЫЗМЕТ, өтініш
    assert report.colours_kept == 1  # госуслуги's #ff0000; ҚЫЗМЕТ's own came from the palette
    (case,) = [n for n in report.notes if "letter case" in n]
    assert case.startswith("3 codes of the file match a code here")
    (colour,) = [n for n in report.notes if "colour was kept" in n]
    assert colour.startswith("1 code already here has another colour")


def test_the_cli_reports_the_codes_matched_in_another_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _their_file(tmp_path, "csv")
    _ours(tmp_path).close()
    folder = str(tmp_path / "ours.fieldscribe")
    assert main(["codebook", "import", folder, str(source), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["codes_added"] == 1 and result["codes_matched_by_case"] == 3
    assert result["colours_kept"] == 1


def test_a_code_by_hand_in_another_case_is_refused_beside_its_twin(tmp_path: Path) -> None:
    with _ours(tmp_path) as p:
        top = p.codebook.find_code("ҚЫЗМЕТ")
        assert top is not None and top.path == "қызмет"  # found, spelt as the codebook spells it
        found = p.codebook.find_code("ҚЫЗМЕТ/ӨТІНІШ")
        assert found is not None and found.path == "қызмет/Өтініш"
        assert p.codebook.ensure_code_path("ГОСУСЛУГИ").path == "Госуслуги"
        before = p.codebook.codes()
        with pytest.raises(InvalidInputError, match="'Госуслуги' already exists there"):
            p.codebook.add_code("госуслуги")
        with pytest.raises(InvalidInputError, match="'Өтініш' already exists there"):
            p.codebook.add_code("ӨТІНІШ", parent_id=top.id)
        other = p.codebook.add_code("Другое")
        with pytest.raises(InvalidInputError, match="'Госуслуги' already exists there"):
            p.codebook.update_code(other.id, name="ГОСУСЛУГИ")
        with pytest.raises(InvalidInputError, match="'Өтініш' already exists there"):
            p.codebook.update_code(
                p.codebook.add_code("өтініш").id, parent_id=top.id
            )  # moved beside its twin
        assert {c.path for c in p.codebook.codes()} == {c.path for c in before} | {
            "Другое",
            "өтініш",
        }
        # its own name in another case, and the name under another parent, are allowed
        assert p.codebook.update_code(other.id, name="ДРУГОЕ").name == "ДРУГОЕ"
        assert p.codebook.add_code("госуслуги", parent_id=top.id).path == "қызмет/госуслуги"

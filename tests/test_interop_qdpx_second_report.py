"""The report of a .qdpx imported a second time says what that import did: the note that a
case's description became the participant's attribute 'description' was said again of a case
imported before, where nothing was written."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx

CASE = "ea000000-0000-4000-8000-000000000001"
QDE = (
    '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
    f'name="Ауыл" origin="MAXQDA 24"><Cases><Case guid="{CASE}" name="Айгүл">'
    "<Description>Мұғалім, 47 жаста 😀</Description></Case></Cases></Project>"
)
SAID = "Case 'Айгүл': its description is the participant's attribute 'description'."


def test_a_case_imported_before_is_not_described_again(tmp_path: Path) -> None:
    qdpx = write_qdpx(tmp_path / "a.qdpx", QDE)
    first = import_qdpx(qdpx, tmp_path / "p", coder="me")
    again = import_qdpx(qdpx, tmp_path / "p", coder="me")
    assert SAID in first.notes
    assert SAID not in again.notes
    with Project.open(tmp_path / "p", readonly=True) as p:
        assert [x.attributes for x in p.sessions.participants()] == [
            {"description": "Мұғалім, 47 жаста 😀"}
        ]

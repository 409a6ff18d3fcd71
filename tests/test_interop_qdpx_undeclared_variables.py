"""A value of a variable the file does not declare (a VariableRef to no Variable: a damaged or
hand-edited file) was kept under the variable's GUID as the attribute's name without a word:
the report now says which, and where the value is."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx


def _g(n: int) -> str:
    return f"e8000000-0000-4000-8000-{n:012d}"


def _value(var: int, value: str) -> str:
    return (
        f'<VariableValue><VariableRef targetGUID="{_g(var)}"/><TextValue>{value}</TextValue>'
        "</VariableValue>"
    )


QDE = (
    '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
    'name="Ауыл" origin="MAXQDA 24"><Variables>'
    f'<Variable guid="{_g(1)}" name="Жасы" typeOfVariable="Text"/></Variables>'
    f'<Cases><Case guid="{_g(10)}" name="Айгүл">{_value(1, "47")}{_value(2, "Қараой")}</Case>'
    f'<Case guid="{_g(11)}" name="Ерлан">{_value(2, "Талдықорған")}</Case></Cases>'
    f'<Sources><TextSource guid="{_g(20)}" name="Сұхбат"><PlainTextContent>Сәлем.'
    f"</PlainTextContent>{_value(3, 'кеш')}</TextSource></Sources></Project>"
)


def test_values_of_undeclared_variables_are_said(tmp_path: Path) -> None:
    report = import_qdpx(write_qdpx(tmp_path / "a.qdpx", QDE), tmp_path / "p", coder="me")
    assert (
        f"3 values name 2 variables the file does not declare ({_g(2)}, {_g(3)}): each is kept "
        "under its variable's GUID (a participant's attribute, or a line in a session's "
        "notes); rename them there."
    ) in report.notes
    with Project.open(tmp_path / "p", readonly=True) as p:
        people = {x.pseudonym: x.attributes for x in p.sessions.participants()}
        (session,) = p.sessions.all()
    assert people == {"Айгүл": {"Жасы": "47", _g(2): "Қараой"}, "Ерлан": {_g(2): "Талдықорған"}}
    assert f"{_g(3)}: кеш" in (session.notes or "")

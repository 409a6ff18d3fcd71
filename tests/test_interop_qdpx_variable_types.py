"""Typed case variables through FieldScribe: a Boolean written as 1 and 0 (xsd:boolean allows
them, as NVivo and MAXQDA write them) and a DateTime came back out of FieldScribe as Text
variables, so the next tool could no longer filter by them. Booleans are kept as true/false,
and DateTime values are exported as DateTime."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from storage import Project
from storage.interop import export_qdpx, import_qdpx
from storage.interop.qdpx_build import variable_type
from tests.interop_support import SCHEMA, write_qdpx

NS = {"q": "urn:QDA-XML:project:1.0"}
_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMA)))


def _g(n: int) -> str:
    return f"e7000000-0000-4000-8000-{n:012d}"


def _value(var: int, kind: str, value: str) -> str:
    return (
        f'<VariableValue><VariableRef targetGUID="{_g(var)}"/><{kind}Value>{value}'
        f"</{kind}Value></VariableValue>"
    )


def _qde() -> str:
    cases = "".join(
        f'<Case guid="{_g(10 + n)}" name="{name}">'
        + _value(1, "Boolean", agreed)
        + _value(2, "DateTime", at)
        + "</Case>"
        for n, (name, agreed, at) in enumerate(
            [
                ("Айгүл", "1", "2024-05-03T10:15:00Z"),
                ("Ерлан", "0", "2024-05-04T09:00:00+05:00"),
                ("Анна", "true", "2024-05-05T16:45:30"),
            ]
        )
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="Ауыл" origin="NVivo 14"><Variables>'
        f'<Variable guid="{_g(1)}" name="Келісім" typeOfVariable="Boolean"/>'
        f'<Variable guid="{_g(2)}" name="Басталды" typeOfVariable="DateTime"/></Variables>'
        f"<Cases>{cases}</Cases></Project>"
    )


def test_boolean_and_datetime_variables_keep_their_types(tmp_path: Path) -> None:
    import_qdpx(write_qdpx(tmp_path / "a.qdpx", _qde()), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p") as p:
        attributes = {x.pseudonym: x.attributes for x in p.sessions.participants()}
        export_qdpx(p, tmp_path / "out.qdpx")
    assert {name: a["Келісім"] for name, a in attributes.items()} == {
        "Айгүл": "true",
        "Ерлан": "false",
        "Анна": "true",
    }
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        root = etree.fromstring(zf.read("project.qde"))
    assert _SCHEMA.validate(root), _SCHEMA.error_log
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert types["Келісім"] == "Boolean" and types["Басталды"] == "DateTime"
    import_qdpx(tmp_path / "out.qdpx", tmp_path / "again", coder="me")
    with Project.open(tmp_path / "again", readonly=True) as p:
        again = {x.pseudonym: x.attributes for x in p.sessions.participants()}
    for name, have in attributes.items():
        assert {k: again[name][k] for k in ("Келісім", "Басталды")} == {
            k: have[k] for k in ("Келісім", "Басталды")
        }


_OFFSETS = st.none() | st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(st.datetimes(timezones=_OFFSETS), st.booleans())
def test_any_datetime_as_iso_is_a_datetime_variable(moment: datetime, whole: bool) -> None:
    """And the schema takes it as one."""
    value = (moment.replace(microsecond=0) if whole else moment).isoformat()
    assert variable_type([value]) == ("DateTime", "DateTimeValue"), value
    qde = (
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Variables><Variable guid="{_g(1)}" '
        f'name="v" typeOfVariable="DateTime"/></Variables><Cases><Case guid="{_g(2)}">'
        f"{_value(1, 'DateTime', value)}</Case></Cases></Project>"
    )
    assert _SCHEMA.validate(etree.fromstring(qde)), (value, _SCHEMA.error_log)


def test_what_only_looks_like_a_datetime_stays_text() -> None:
    for texts in (
        ["2024-05-03 10:15"],
        ["2024-02-30T10:00:00"],
        ["2024-05-03T25:00:00Z"],
        ["2024-05-03T10:00:00+20:00"],
        ["2024-05-03T10:00:00", "2024-05-03"],
    ):
        assert variable_type(texts) == ("Text", "TextValue"), texts

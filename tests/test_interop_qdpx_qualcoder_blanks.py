"""What QualCoder writes where it has nothing: a project without a memo gets the description
"None" (Python's ``str(None)``), which became a project memo reading "None"; a case without a
value for a numeric variable gets an empty ``FloatValue`` (not an xsd:decimal), which became an
empty attribute and made FieldScribe's export write the variable as Text (its other values are
numbers)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from storage import Project
from storage.interop import export_qdpx, import_qdpx
from storage.interop.qdpx_build import variable_type
from tests.interop_support import SCHEMA, write_qdpx

NS = {"q": "urn:QDA-XML:project:1.0"}


def _g(n: int) -> str:
    return f"e9000000-0000-4000-8000-{n:012d}"


def _qde(origin: str, description: str) -> str:
    def value(var: int, kind: str, v: str) -> str:
        return (
            f'<VariableValue><VariableRef targetGUID="{_g(var)}" /><{kind}Value>{v}</{kind}Value>'
            "</VariableValue>"
        )

    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project name="qc.qda" '
        f'origin="{origin}" xmlns="urn:QDA-XML:project:1.0">\n<Variables>'
        f'<Variable guid="{_g(1)}" name="Жасы" typeOfVariable="Float"><Description /></Variable>'
        f'<Variable guid="{_g(2)}" name="Аты" typeOfVariable="Text"><Description /></Variable>'
        f'</Variables><Cases><Case guid="{_g(10)}" name="Айгүл">{value(1, "Float", "47")}'
        f"{value(2, 'Text', '')}</Case>"
        f'<Case guid="{_g(11)}" name="Ерлан">{value(1, "Float", "")}</Case></Cases>'
        f"<Description>{description}</Description>\n</Project>"
    )


def test_qualcoders_none_is_no_project_description(tmp_path: Path) -> None:
    import_qdpx(write_qdpx(tmp_path / "a.qdpx", _qde("QualCoder 3.6", "None")), tmp_path / "p")
    with Project.open(tmp_path / "p", readonly=True) as p:
        assert p.codebook.memos() == []
    # another tool's, or a real one, is the project's description
    import_qdpx(write_qdpx(tmp_path / "b.qdpx", _qde("MAXQDA 24", "None")), tmp_path / "q")
    import_qdpx(write_qdpx(tmp_path / "c.qdpx", _qde("QualCoder 3.6", "Ауыл")), tmp_path / "r")
    for folder, text in (("q", "None"), ("r", "Ауыл")):
        with Project.open(tmp_path / folder, readonly=True) as p:
            assert [m.text for m in p.codebook.memos()] == [text]


def test_an_empty_typed_value_is_no_value_and_the_type_stays(tmp_path: Path) -> None:
    import_qdpx(write_qdpx(tmp_path / "a.qdpx", _qde("QualCoder 3.6", "")), tmp_path / "p")
    with Project.open(tmp_path / "p") as p:
        people = {x.pseudonym: x.attributes for x in p.sessions.participants()}
        export_qdpx(p, tmp_path / "out.qdpx")
    # an empty Text value is a value (as the file has it); an empty Float is none
    assert people == {"Айгүл": {"Жасы": "47", "Аты": ""}, "Ерлан": {}}
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        root = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert types["Жасы"] == "Integer"


def test_a_participant_without_a_value_leaves_the_type_to_the_others(tmp_path: Path) -> None:
    """An attribute set to nothing by hand: no value, in a variable of the others' type."""
    assert variable_type(["47", ""]) == ("Integer", "IntegerValue")
    assert variable_type(["", ""]) == ("Text", "TextValue")
    with Project.create(tmp_path / "p", coder="me") as p:
        p.sessions.add_participant("Айгүл", {"Жасы": "47"})
        p.sessions.add_participant("Ерлан", {"Жасы": ""})
        export_qdpx(p, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        root = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert types["Жасы"] == "Integer"
    import_qdpx(tmp_path / "out.qdpx", tmp_path / "again", coder="me")
    with Project.open(tmp_path / "again", readonly=True) as p:
        again = {x.pseudonym: x.attributes.get("Жасы") for x in p.sessions.participants()}
    assert again == {"Айгүл": "47", "Ерлан": None}

"""Codes of one name under one parent, or of names differing in letter case only ("Trust",
"trust", "TRUST": NVivo, MAXQDA and ATLAS.ti allow them), stay codes of their own here, the
later ones named apart ("trust (2)"); a ``.qdpx`` export writes the file's names again while
the codes keep the names they were given, so that the other tool gets its codebook back, and
importing the file again says nothing of names. Before, the export wrote "trust (2)" and
"TRUST (3)", and each re-import said the codes were named otherwise here."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from storage import Project
from storage.interop import export_qdpx, import_qdpx
from storage.team.bundle_export import export_bundle
from tests.interop_support import SCHEMA, write_qdpx

NS = "{urn:QDA-XML:project:1.0}"
TEXT = "Айгүл: trust және Trust және TRUST"
NAMES = ["Trust", "trust", "TRUST", "Сенім", "Сенім"]


def _g(n: int) -> str:
    return f"af000000-0000-4000-8000-{n:012d}"


def _archive(tmp_path: Path) -> Path:
    codes = "".join(
        f'<Code guid="{_g(n)}" name="{name}" isCodable="true"/>' for n, name in enumerate(NAMES)
    )
    sels = ""
    for n, words in enumerate(["Trust", "trust", "TRUST"]):
        start = TEXT.index(words)
        sels += (
            f'<PlainTextSelection guid="{_g(100 + n)}" startPosition="{start}" '
            f'endPosition="{start + len(words)}"><Coding guid="{_g(200 + n)}"><CodeRef '
            f'targetGUID="{_g(n)}"/></Coding></PlainTextSelection>'
        )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="x" origin="ATLAS.ti 24"><CodeBook><Codes>{codes}</Codes></CodeBook><Sources>'
        f'<TextSource guid="{_g(50)}" name="S"><PlainTextContent>{TEXT}</PlainTextContent>'
        f"{sels}</TextSource></Sources></Project>"
    )
    return write_qdpx(tmp_path / "a.qdpx", qde, {})


def _names(archive: Path) -> list[str]:
    with zipfile.ZipFile(archive) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    assert etree.XMLSchema(etree.parse(str(SCHEMA))).validate(root)
    return [str(code.get("name")) for code in root.iter(f"{NS}Code")]


def test_codes_named_apart_go_out_under_the_file_s_names(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    import_qdpx(archive, tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p") as p:
        here = sorted(c.name for c in p.codebook.codes())
        assert here == sorted(["Trust", "trust (2)", "TRUST (3)", "Сенім", "Сенім (2)"])
        coded = sorted(
            (p.codebook.get_code(c.code_id).name, c.start_cp) for c in p.codebook.codings()
        )
        assert [name for name, _ in coded] == ["TRUST (3)", "Trust", "trust (2)"]
        export_qdpx(p, tmp_path / "out.qdpx")
    assert _names(tmp_path / "out.qdpx") == NAMES
    again = import_qdpx(archive, tmp_path / "p", coder="me")
    assert not any("named otherwise" in line for line in again.describe().splitlines())
    # renamed here since: the new name goes out
    with Project.open(tmp_path / "p") as p:
        (code,) = [c for c in p.codebook.codes() if c.name == "trust (2)"]
        p.codebook.update_code(code.id, name="сенім (кіші)")
        export_qdpx(p, tmp_path / "renamed.qdpx")
    assert _names(tmp_path / "renamed.qdpx") == ["Trust", "сенім (кіші)", "TRUST", "Сенім", "Сенім"]


def test_a_coder_s_copy_exports_the_file_s_names(tmp_path: Path) -> None:
    import_qdpx(_archive(tmp_path), tmp_path / "lead", coder="lead")
    with Project.open(tmp_path / "lead") as lead:
        export_bundle(lead, tmp_path / "lead.fsbundle")
    with Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "ann", coder="ann") as ann:
        export_qdpx(ann, tmp_path / "ann.qdpx")
    assert _names(tmp_path / "ann.qdpx") == NAMES

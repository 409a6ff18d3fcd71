"""REFI-QDA (.qdpx) import of what earlier imports left behind: media outside the archive
(looked for only in a folder the user names), colours in other forms, notes on cases, a lone
CR in LF text, and a transcript's description; each also exported again."""

from __future__ import annotations

import zipfile
from pathlib import Path

from storage import Project
from storage.interop import import_qdpx

NS = "urn:QDA-XML:project:1.0"
SRC = "a1000000-0000-4000-8000-000000000002"


def _g(n: int) -> str:
    return f"b2000000-0000-4000-8000-{n:012d}"


def write(path: Path, qde: str, files: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def project(body: str, codes: str = "", origin: str = "Other tool") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="{NS}" name="left" origin="{origin}">'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>{body}</Project>"
    )


def import_one(tmp_path: Path, qde: str, files: dict[str, bytes] | None = None, **kw):
    archive = write(tmp_path / "in.qdpx", qde, files)
    folder = tmp_path / "out.fieldscribe"
    report = import_qdpx(archive, folder, coder="me", **kw)
    return report, folder


# ------------------------------------------------------------------------------ colours
COLOURS = [
    ("#ABC", "#aabbcc"),
    ("#aBcDeF", "#abcdef"),
    ("12ab34", "#12ab34"),
    ("#11223380", "#112233"),
    ("rgb(0, 128, 255)", "#0080ff"),
    ("rgba(255,0,0,0.5)", "#ff0000"),
    ("rgb(100%, 50%, 0%)", "#ff8000"),
    ("Teal", "#008080"),
    ("light blue", "#add8e6"),
]


def test_colours_in_other_forms_are_read_and_unreadable_ones_are_reported(
    tmp_path: Path,
) -> None:
    """Before, ``rgb(...)``, colour names and ``#RRGGBBAA`` became a palette colour, and a
    colour that could not be read was replaced without a word."""
    codes = "".join(
        f'<Code guid="{_g(i)}" name="C{i}" isCodable="true" color="{colour}"/>'
        for i, (colour, _want) in enumerate(COLOURS)
    )
    codes += f'<Code guid="{_g(99)}" name="Odd" isCodable="true" color="sort of blue"/>'
    report, folder = import_one(tmp_path, project("", codes))
    with Project.open(folder, readonly=True) as p:
        got = {c.name: c.colour for c in p.codebook.codes()}
    assert {f"C{i}": got[f"C{i}"] for i in range(len(COLOURS))} == {
        f"C{i}": want for i, (_colour, want) in enumerate(COLOURS)
    }
    (line,) = [n for n in report.notes if "'Odd'" in n]
    assert "'sort of blue' could not be read" in line and got["Odd"] in line

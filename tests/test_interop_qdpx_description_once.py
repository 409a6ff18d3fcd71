"""A project's ``Description`` becomes one project memo, however often the file is imported: a
file imported again whose sources did not all arrive the first time (a text on another computer,
a copy cut short), or one with no sources at all (a codebook sent as a project), added the
description once more each time."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx

CODE, SRC = "e6000000-0000-4000-8000-000000000001", "e6000000-0000-4000-8000-000000000002"
TEXT = "Айгүл: Ауылда емхана жоқ 😀."


def _qde(path: str | None) -> str:
    source = (
        f'<Sources><TextSource guid="{SRC}" name="Сұхбат" plainTextPath="{path}"/></Sources>'
        if path
        else ""
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="Ауыл" origin="QualCoder 3.6"><CodeBook><Codes>'
        f'<Code guid="{CODE}" name="Емхана" isCodable="true"/></Codes></CodeBook>{source}'
        "<Description>Жоба: ауыл денсаулығы 😷</Description></Project>"
    )


@pytest.mark.parametrize(
    "path", [None, "relative://texts/a.txt", f"internal://{SRC}.txt"], ids=["none", "away", "in"]
)
def test_the_description_is_one_memo_after_two_imports(tmp_path: Path, path: str | None) -> None:
    files = {f"sources/{SRC}.txt": TEXT.encode()}
    qdpx = write_qdpx(tmp_path / "a.qdpx", _qde(path), files)
    for _ in range(2):
        import_qdpx(qdpx, tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        assert [(m.target_type, m.text) for m in p.codebook.memos()] == [
            ("project", "Жоба: ауыл денсаулығы 😷")
        ]

"""An import reads the archive's ``project.qde`` once: ``import_qdpx`` parsed it to refuse a bad
file before creating anything and then ``import_qdpx_into`` parsed it again (an eighth of a
large project's import time, ``bench/qdpx_import_bench.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

import storage.interop.qdpx_import as qdpx_import
from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx

SRC = "e7000000-0000-4000-8000-000000000002"
QDE = (
    '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
    f'name="Ауыл" origin="Hand"><Sources><TextSource guid="{SRC}" name="Сұхбат">'
    "<PlainTextContent>Айгүл: Ауылда емхана жоқ.</PlainTextContent></TextSource></Sources>"
    "</Project>"
)


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_the_project_file_is_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    qdpx = write_qdpx(tmp_path / "a.qdpx", QDE, {})
    if existing:
        Project.create(tmp_path / "p", coder="me").close()
    parsed: list[object] = []
    real = qdpx_import.parse_project

    def counting(root):  # type: ignore[no-untyped-def]
        parsed.append(root)
        return real(root)

    monkeypatch.setattr(qdpx_import, "parse_project", counting)
    report = import_qdpx(qdpx, tmp_path / "p", coder="me")
    assert (len(parsed), report.sessions, report.segments) == (1, 1, 1)

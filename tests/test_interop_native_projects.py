"""Another tool's own project where a .qdpx is expected (a QualCoder project folder or its
SQLite database, NVivo's .nvpx, MAXQDA's .mx24, an unpacked .qdpx): one line naming what it is
and what to do, and the project left as it was. A QualCoder folder was "no such file", its
database "not a readable zip archive (File is not a zip file)"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import InvalidInputError, Project
from storage.interop import import_qdpx
from tests.interop_support import db_fingerprint


def _sqlite(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE project (databaseversion TEXT, about TEXT)")
        conn.execute("INSERT INTO project VALUES ('v9', 'QualCoder 3.5')")
    return path


def _qualcoder_folder(tmp: Path) -> Path:
    _sqlite(tmp / "study.qda" / "data.qda")
    (tmp / "study.qda" / "documents").mkdir()
    return tmp / "study.qda"


def _unpacked(tmp: Path) -> Path:
    (tmp / "study").mkdir()
    (tmp / "study" / "project.qde").write_text("<Project/>", encoding="utf-8")
    return tmp / "study"


def _maxqda(tmp: Path) -> Path:
    path = tmp / "study.mx24"
    path.write_bytes(b"MXQDA\x00\x01" + bytes(200))
    return path


CASES = {
    "QualCoder folder": (_qualcoder_folder, "is a QualCoder project folder"),
    "QualCoder database": (
        lambda tmp: _sqlite(tmp / "study.qda" / "data.qda"),
        "is a QualCoder project database",
    ),
    "NVivo for Mac": (lambda tmp: _sqlite(tmp / "study.nvpx"), "is NVivo's own project file"),
    "MAXQDA": (_maxqda, "is MAXQDA's own project file"),
    "unpacked .qdpx": (_unpacked, "is an unpacked REFI-QDA project"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("into_existing", [False, True])
def test_another_tools_project_is_named_and_nothing_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, into_existing: bool
) -> None:
    make, said = CASES[case]
    given = make(tmp_path)
    folder = tmp_path / "p.fieldscribe"
    if into_existing:
        Project.create(folder, coder="me").close()
        before = db_fingerprint(folder)
    assert cli_main(["qdpx", "import", str(given), str(folder)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert said in err and "nothing was imported" in err, err
    if into_existing:
        assert db_fingerprint(folder) == before
    else:
        assert not folder.exists()


def test_a_qdpx_cut_short_says_so(tmp_path: Path) -> None:
    """A .qdpx whose download stopped half-way starts like a zip but has no end: it read
    "not a readable zip archive (File is not a zip file)", as if it were another kind of file."""
    from storage.interop.qdpx_export import export_qdpx

    with Project.create(tmp_path / "src.fieldscribe", coder="me") as src:
        src.sessions.add_session("Интервью")
        export_qdpx(src, tmp_path / "whole.qdpx")
    whole = (tmp_path / "whole.qdpx").read_bytes()
    cut = tmp_path / "cut.qdpx"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InvalidInputError) as refused:
        import_qdpx(cut, tmp_path / "p.fieldscribe", coder="me")
    said = str(refused.value)
    assert said.startswith(f"{cut} is incomplete or damaged: it starts like a REFI-QDA project")
    assert "copy it again" in said and "\n" not in said
    assert not (tmp_path / "p.fieldscribe").exists()

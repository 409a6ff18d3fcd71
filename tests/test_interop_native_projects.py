"""Another tool's own project where a .qdpx is expected (a QualCoder project folder or its
SQLite database, NVivo's .nvpx, MAXQDA's .mx24, an unpacked .qdpx): one line naming what it is
and what to do, and the project left as it was. A QualCoder folder was "no such file", its
database "not a readable zip archive (File is not a zip file)"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import Project
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

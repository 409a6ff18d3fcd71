"""`qdpx import` takes FILE DIR, every other command DIR first: a swapped pair says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from tests.hardening_support import fingerprint, one_line_error, run_cli


@pytest.mark.parametrize("exists", [True, False])
def test_the_folder_given_first_names_the_right_order_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], exists: bool
) -> None:
    source = tmp_path / "source"
    Project.create(source, name="source", coder="ann").close()
    qdpx = tmp_path / "team.QDPX"
    code, _, err = run_cli(capsys, "qdpx", "export", source, "-o", qdpx)
    assert code == 0, err
    folder = tmp_path / "study"
    if exists:
        Project.create(folder, name="study", coder="ann").close()
        before = fingerprint(folder)
    code, out, err = run_cli(capsys, "qdpx", "import", folder, qdpx)
    line = one_line_error(err)
    assert code != 0 and out == ""
    # before: "study is a FieldScribe project folder, not a .qdpx file: open it, or merge its
    # exported bundle" (as if the folder were the file to import), or "study: no such file."
    assert f"fieldscribe qdpx import {qdpx} {folder}" in line
    assert "nothing was imported" in line
    if exists:
        assert fingerprint(folder) == before
    else:
        assert not folder.exists()
    # the right order still imports
    code, _, err = run_cli(capsys, "qdpx", "import", qdpx, tmp_path / "new")
    assert code == 0, err


@pytest.mark.parametrize(
    ("command", "file_name"),
    [(["bundle", "merge"], "team.fsbundle"), (["codebook", "import"], "codes.csv")],
)
def test_a_file_given_before_the_folder_is_told_the_order_of_its_own_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], file_name: str
) -> None:
    """Before: "team.fsbundle is a file, not a project folder; give the project folder first,
    then the files (`fieldscribe import DIR FILE...`)" to someone merging a bundle."""
    folder = tmp_path / "study"
    Project.create(folder, name="study", coder="ann").close()
    before = fingerprint(folder)
    given = tmp_path / file_name
    given.write_bytes(b"x")
    code, out, err = run_cli(capsys, *command, given, folder)
    line = one_line_error(err)
    assert code == 1 and out == ""
    assert f"`fieldscribe {' '.join(command)} DIR FILE...`" in line
    assert "fieldscribe import" not in line
    assert fingerprint(folder) == before

"""An export notes its hidden ``.NAME.part`` in a private temporary folder (so that one a killed
FieldScribe leaves beside the chosen file is removed at the next start): with no temporary
folder to write, the export stops before writing, in one line that names the folder and says
what to do, and the file it would replace is as it was, with no ``.part`` beside it.

Before, the line named the folder without saying it is the temporary one or what to do
("…: cannot make a temporary folder (Not a directory); nothing was changed."), and where no
temporary folder at all could be written (``TMPDIR``, ``/tmp``, ``/var/tmp`` and the current
folder all refused) Python's own ``FileNotFoundError`` came out as a traceback, from the sweep
of stale folders every command starts with."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from storage import Project
from tests.hardening_support import fs_here


@pytest.mark.parametrize("where", ["TMPDIR is a file", "no temporary folder at all"])
@pytest.mark.parametrize("what", ["qdpx", "bundle"])
def test_an_export_without_a_temporary_folder_says_so_and_leaves_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, what: str
) -> None:
    with Project.create(tmp_path / "p", coder="me") as p:
        session = p.sessions.add_session("Сұхбат")
        p.transcript.add_segment(session.id, 0, 1000, "Сәлем.")
    out = tmp_path / "out" / f"old.{'qdpx' if what == 'qdpx' else 'fsbundle'}"
    out.parent.mkdir()
    out.write_bytes(b"the export made yesterday")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    if where == "TMPDIR is a file":
        monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    else:
        monkeypatch.setattr(tempfile, "tempdir", None)
        monkeypatch.setenv("TMPDIR", str(blocked))
        monkeypatch.setattr(tempfile, "_candidate_tempdir_list", lambda: [str(blocked)])
    before = (tmp_path / "p" / "project.db").read_bytes()
    result = fs_here(what, "export", tmp_path / "p", "-o", out, ok=False)
    err = result.stderr.strip()
    assert result.returncode == 1, (result.stdout, err)
    assert len(err.splitlines()) == 1 and err.startswith("fieldscribe: error: "), err
    assert str(blocked) in err and "nothing was changed" in err, err
    assert err.endswith("Set TMPDIR to a folder you can write to and try again."), err
    assert out.read_bytes() == b"the export made yesterday"
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no .part beside it
    assert (tmp_path / "p" / "project.db").read_bytes() == before

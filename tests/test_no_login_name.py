"""The operating system's login name never becomes a coder, an author or a user in a project,
a bundle or an export unless its owner gives it: researchers of sensitive topics share these
files. A CLI ``new`` or ``qdpx import`` without ``--coder`` used to record the login name (the
project-description memo's author, then a user of the exported .qdpx), and the lock file kept
it in the project folder."""

from __future__ import annotations

import getpass
import json
import os
import zipfile
from pathlib import Path

import pytest

from storage import Project
from storage.core.models import UNNAMED_CODER
from storage.team.bundle_export import export_bundle
from tests.hardening_support import run_cli
from tests.interop_support import write_qdpx
from tests.test_interop_qdpx_coded_media import C1, SRC, U1, _g, _head

LOGIN = "aigul-login-7f3"


@pytest.fixture(autouse=True)
def _login(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every way Python finds the login name says ``LOGIN`` (after ``tmp_path`` is made:
    pytest names its folder after the login)."""
    monkeypatch.setattr(getpass, "getuser", lambda: LOGIN)
    monkeypatch.setattr(os, "getlogin", lambda: LOGIN, raising=False)
    for name in ("USER", "LOGNAME", "USERNAME", "LNAME"):
        monkeypatch.setenv(name, LOGIN)


def _nowhere(*files: Path) -> None:
    """``LOGIN`` is in none of ``files`` (nor in any member of a zip among them)."""
    for f in files:
        data = [f.read_bytes()]
        if zipfile.is_zipfile(f):
            with zipfile.ZipFile(f) as zf:
                data += [zf.read(n) for n in zf.namelist()]
        assert not any(LOGIN.encode() in d for d in data), f


def _qdpx(tmp_path: Path) -> Path:
    qde = (
        _head().replace("<Users>", "<Description>Ауылдағы сенім туралы.</Description><Users>")
        + f'<Sources><TextSource guid="{SRC}" name="Сұхбат"><PlainTextContent>Сенім бар.'
        f'</PlainTextContent><PlainTextSelection guid="{_g(1)}" startPosition="0" '
        f'endPosition="5" creatingUser="{U1}"><Coding guid="{_g(2)}" creatingUser="{U1}">'
        f'<CodeRef targetGUID="{C1}"/></Coding></PlainTextSelection></TextSource></Sources>'
        "</Project>"
    )
    return write_qdpx(tmp_path / "in.qdpx", qde)


def test_cli_new_without_a_coder_is_not_the_login(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run_cli(capsys, "new", tmp_path / "p", "--name", "Жоба")
    assert code == 0 and LOGIN not in out
    with Project.open(tmp_path / "p", readonly=True) as p:
        assert p.coder == UNNAMED_CODER
        assert [c.name for c in p.coders.all()] == [UNNAMED_CODER]
    code, _out, _err = run_cli(capsys, "bundle", "export", tmp_path / "p", "-o", tmp_path / "b")
    assert code == 0
    _nowhere(tmp_path / "p" / "project.db", *(tmp_path.glob("b*")))


def test_cli_qdpx_import_into_a_new_project_without_a_coder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_cli(capsys, "qdpx", "import", _qdpx(tmp_path), tmp_path / "p")
    assert code == 0, err
    with Project.open(tmp_path / "p", readonly=True) as p:
        (memo,) = [m for m in p.codebook.memos() if m.title == "Project description"]
        assert memo.created_by == UNNAMED_CODER
        export_bundle(p, tmp_path / "p.fsbundle")
    code, _out, err = run_cli(capsys, "qdpx", "export", tmp_path / "p", "-o", tmp_path / "o.qdpx")
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / "o.qdpx") as zf:
        qde = zf.read("project.qde").decode()
    assert f'name="{UNNAMED_CODER}"' in qde  # the memo's author, a user of the export
    _nowhere(tmp_path / "p" / "project.db", tmp_path / "o.qdpx", tmp_path / "p.fsbundle")


def test_cli_qdpx_import_into_a_project_is_its_coders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Project.create(tmp_path / "p", name="Жоба", coder="Дана").close()
    code, _out, err = run_cli(capsys, "qdpx", "import", _qdpx(tmp_path), tmp_path / "p")
    assert code == 0, err
    with Project.open(tmp_path / "p", readonly=True) as p:
        (memo,) = [m for m in p.codebook.memos() if m.title == "Project description"]
        assert memo.created_by == "Дана"
        assert LOGIN not in [c.name for c in p.coders.all()]
    _nowhere(tmp_path / "p" / "project.db")


def test_the_lock_file_names_no_login_and_is_emptied_on_release(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p", coder="Дана"):
        held = json.loads((tmp_path / "p" / "project.lock").read_text())
        assert "pid" in held and LOGIN not in json.dumps(held)
    assert (tmp_path / "p" / "project.lock").read_text() == ""
    _nowhere(*(f for f in (tmp_path / "p").rglob("*") if f.is_file()))

"""Untrusted archives and XML: refused with a clear message, and nothing written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import InvalidInputError, Project
from storage.interop import import_codebook, import_qdpx
from storage.interop.safe_zip import ZipLimits
from tests.interop_support import db_fingerprint, write_qdpx

GOOD_QDE = """<?xml version="1.0"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="ok">
<CodeBook><Codes><Code guid="a1000000-0000-4000-8000-000000000001" name="A" isCodable="true"/>
</Codes></CodeBook></Project>"""

XXE_QDE = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;">
<CodeBook><Codes><Code guid="a1000000-0000-4000-8000-000000000001" name="&secret;"
 isCodable="true"/></Codes></CodeBook></Project>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>"""


def _traversal(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", GOOD_QDE)
        zf.writestr("../../evil.txt", "pwned")
    return path


def _back_traversal(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", GOOD_QDE)
        zf.writestr("sources\\..\\..\\evil.txt", "pwned")
    return path


def _drive(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", GOOD_QDE)
        zf.writestr("C:\\Users\\evil.txt", "pwned")
    return path


def _absolute(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", GOOD_QDE)
        zf.writestr("/tmp/evil.txt", "pwned")
    return path


def _many(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", GOOD_QDE)
        for i in range(5001):
            zf.writestr(f"sources/f{i}.txt", "")
    return path


def _bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", GOOD_QDE)
        with zf.open("sources/big.txt", "w") as fh:
            block = b"\0" * (1 << 20)
            for _ in range(40):
                fh.write(block)
    return path


def _xxe(path: Path) -> Path:
    return write_qdpx(path, XXE_QDE)


def _laughs(path: Path) -> Path:
    return write_qdpx(path, BILLION_LAUGHS)


def _malformed(path: Path) -> Path:
    return write_qdpx(path, "<Project xmlns='urn:QDA-XML:project:1.0' name='x'><CodeBook>")


def _not_zip(path: Path) -> Path:
    path.write_bytes(b"this is not a zip")
    return path


def _no_qde(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return path


def _wrong_root(path: Path) -> Path:
    return write_qdpx(path, "<html><body/></html>")


CASES = {
    "traversal": (_traversal, "unsafe path"),
    "absolute": (_absolute, "unsafe path"),
    "traversal with backslashes": (_back_traversal, "unsafe path"),
    "drive letter": (_drive, "unsafe path"),
    "too many members": (_many, "5002 members"),
    "zip bomb": (_bomb, "zip bomb"),
    "xxe entity": (_xxe, "DTD or entities"),
    "billion laughs": (_laughs, "DTD or entities"),
    "malformed xml": (_malformed, "malformed XML"),
    "not a zip": (_not_zip, "not a readable zip"),
    "no project.qde": (_no_qde, "no project.qde"),
    "not qda-xml": (_wrong_root, "not a QDA-XML project"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_archive_into_new_folder_writes_nothing(tmp_path: Path, case: str) -> None:
    make, message = CASES[case]
    archive = make(tmp_path / "bad.qdpx")
    dest = tmp_path / "new.fieldscribe"
    with pytest.raises(InvalidInputError) as err:
        import_qdpx(archive, dest, coder="me")
    assert message in str(err.value) and str(archive) in str(err.value)
    assert not dest.exists()
    assert not (tmp_path.parent / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()


@pytest.mark.parametrize("case", ["traversal", "xxe entity", "zip bomb", "malformed xml"])
def test_bad_archive_into_existing_project_changes_nothing(tmp_path: Path, case: str) -> None:
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="me") as p:
        p.codebook.ensure_code_path("Existing")
    before = db_fingerprint(folder)
    make, message = CASES[case]
    archive = make(tmp_path / "bad.qdpx")
    with pytest.raises(InvalidInputError, match=message):
        import_qdpx(archive, folder, coder="me")
    assert db_fingerprint(folder) == before


def test_cli_reports_refusal_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = _xxe(tmp_path / "bad.qdpx")
    assert cli_main(["qdpx", "import", str(archive), str(tmp_path / "n"), "--coder", "me"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fieldscribe: error:") and "DTD or entities" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "n").exists()


def test_failure_midway_removes_the_new_folder(tmp_path: Path, monkeypatch) -> None:
    archive = write_qdpx(tmp_path / "ok.qdpx", GOOD_QDE)
    from storage.interop import qdpx_import

    def boom(ctx, codes):  # a failure after the project folder was created
        raise InvalidInputError("simulated failure")

    monkeypatch.setattr(qdpx_import.codes, "import_codes", boom)
    with pytest.raises(InvalidInputError, match="simulated"):
        import_qdpx(archive, tmp_path / "half.fieldscribe", coder="me")
    assert not (tmp_path / "half.fieldscribe").exists()


def test_failure_midway_rolls_back_an_existing_project(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "p.fieldscribe"
    Project.create(folder, coder="me").close()
    before = db_fingerprint(folder)
    archive = write_qdpx(tmp_path / "ok.qdpx", GOOD_QDE)
    from storage.interop import qdpx_import

    def boom(ctx):
        raise InvalidInputError("simulated failure after codes")

    monkeypatch.setattr(qdpx_import, "import_sources", boom)
    with pytest.raises(InvalidInputError, match="simulated"):
        import_qdpx(archive, folder, coder="me")
    assert db_fingerprint(folder) == before


def test_limits_are_configurable(tmp_path: Path) -> None:
    archive = write_qdpx(tmp_path / "ok.qdpx", GOOD_QDE, {"sources/a.txt": b"x" * 10})
    with pytest.raises(InvalidInputError, match="add up to more than 5 bytes"):
        import_qdpx(archive, tmp_path / "n", coder="me", limits=ZipLimits(max_total_bytes=5))
    assert not (tmp_path / "n").exists()
    report = import_qdpx(archive, tmp_path / "n", coder="me")
    assert report.codes == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (XXE_QDE.replace("Project", "CodeBook"), "DTD or entities"),
        ("<CodeBook", "malformed XML"),
        ("<Project xmlns='urn:QDA-XML:project:1.0' name='x'/>", "not a REFI-QDA codebook"),
    ],
)
def test_bad_codebook_is_refused(tmp_path: Path, content: str, message: str) -> None:
    folder = tmp_path / "p.fieldscribe"
    Project.create(folder, coder="me").close()
    before = db_fingerprint(folder)
    book = tmp_path / "bad.qdc"
    book.write_text(content)
    with Project.open(folder) as p, pytest.raises(InvalidInputError, match=message):
        import_codebook(p, book)
    assert db_fingerprint(folder) == before


def test_an_archive_with_backslash_folders_is_read(tmp_path: Path) -> None:
    """A .qdpx zipped on Windows by older .NET names its members "sources\\GUID.txt": it was
    refused as having an unsafe path; now the backslashes separate folders, as there, and its
    text sources come in (a "..\\" in a name is still refused above)."""
    guid = "AAAAAAAA-0000-4000-8000-000000000001"
    text = "Интервьюер: Как вы пользуетесь ЦОНом?\r\nӘлия: Жиі барамын.\r\n"
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="win" origin="NVivo 12"><CodeBook><Codes/></CodeBook><Sources>'
        f'<TextSource guid="{guid}" name="Интервью" plainTextPath="internal://{guid}.txt"/>'
        "</Sources></Project>"
    )
    archive = tmp_path / "win.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"sources\\{guid}.txt", text.encode("utf-8"))
    dest = tmp_path / "win.fieldscribe"
    import_qdpx(archive, dest, coder="me")
    with Project.open(dest, readonly=True) as p:
        (session,) = p.sessions.all()
        texts = [(s.speaker, s.text.rstrip()) for s in p.transcript.segments(session.id)]
    assert texts == [("Интервьюер", "Как вы пользуетесь ЦОНом?"), ("Әлия", "Жиі барамын.")]

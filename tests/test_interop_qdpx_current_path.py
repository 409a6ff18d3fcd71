"""A source's media where QDA-XML's ``currentPath`` says it is now: NVivo and MAXQDA keep the
recording's first place in ``path`` (a researcher's C:\\ drive) and its place in the archive,
or on disk, in ``currentPath``; only ``path`` was looked at, so the session lost its audio."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import make_wav

A = "5A3C1E6B-0D7F-4A8C-9B2E-1F6D3C5A7B9E"
T = "7E1B2C3D-4F5A-4B6C-8D7E-9F0A1B2C3D4E"
QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project name="study" origin="NVivo 14" xmlns="urn:QDA-XML:project:1.0"><Sources>
<AudioSource guid="{a}" name="Интервью" path="absolute://C:/Users/anna/old/interview.wav"
 currentPath="{current}"><Transcript guid="{t}" name="tr" plainTextPath="internal://{t}.txt">
<SyncPoint guid="11111111-1111-4111-8111-111111111111" position="0" timeStamp="0"/>
</Transcript></AudioSource></Sources></Project>"""


@pytest.mark.parametrize("inside", [True, False])
def test_media_at_its_current_path_is_found(tmp_path: Path, inside: bool) -> None:
    wav = make_wav(tmp_path / "rec")
    current = f"internal://{A}.wav" if inside else "absolute://D:/Moved/renamed.wav"
    archive = tmp_path / "study.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", QDE.format(a=A, t=T, current=current))
        zf.writestr(f"sources/{T}.txt", "Анна: Сәлем.\n".encode())
        if inside:
            zf.write(wav, f"sources/{A}.wav")
    media_dir = None
    if not inside:
        media_dir = tmp_path / "recordings"
        media_dir.mkdir()
        (media_dir / "renamed.wav").write_bytes(wav.read_bytes())
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me", media_dir=media_dir)
    assert report.media_missing == [], report.not_imported
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        (media,) = p.sessions.media_for_session(session.id)
        assert (p.folder / media.path).read_bytes() == wav.read_bytes()


TEXT_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project name="study" origin="ATLAS.ti 9" xmlns="urn:QDA-XML:project:1.0"><CodeBook><Codes>
<Code guid="22222222-2222-4222-8222-222222222222" name="Родина" isCodable="true"/></Codes>
</CodeBook><Sources><TextSource guid="33333333-3333-4333-8333-333333333333" name="Интервью"
 plainTextPath="absolute://C:/Users/anna/Documents/%D0%98%D0%BD%D1%82.txt">
<PlainTextSelection guid="44444444-4444-4444-8444-444444444444" startPosition="6"
 endPosition="22"><Coding guid="55555555-5555-4555-8555-555555555555">
<CodeRef targetGUID="22222222-2222-4222-8222-222222222222"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""


def test_a_text_source_outside_the_archive_is_read_from_the_media_folder(tmp_path: Path) -> None:
    """A text linked from outside the archive (ATLAS.ti, NVivo: "linked" documents) was
    refused even with the folder holding it named: "only files inside it are read"."""
    archive = tmp_path / "study.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", TEXT_QDE)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "Инт.txt").write_bytes("\ufeffАнна: Мен Алматыданмын.\r\n".encode())
    without = import_qdpx(archive, tmp_path / "a.fieldscribe", coder="me")
    assert any("naming the folder that holds the file" in n for n in without.not_imported)
    report = import_qdpx(archive, tmp_path / "b.fieldscribe", coder="me", media_dir=folder)
    assert any("read from the media folder as 'Инт.txt'" in n for n in report.notes), report
    with Project.open(tmp_path / "b.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        (segment,) = p.transcript.segments(session.id)
        (coding,) = p.codebook.codings()
        assert segment.text[coding.start_cp : coding.end_cp] == "Мен Алматыданмын"

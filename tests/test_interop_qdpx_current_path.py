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

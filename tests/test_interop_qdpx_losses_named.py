"""What the REFI-QDA import report says of what it could not keep: a selection marked without
a code is not a "coded selection" (an uncoded PDF area was reported as one), and a file missing
from the archive loses only its source (the whole import was refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.interop import import_qdpx
from tests.interop_support import write_qdpx
from tests.test_interop_qdpx_coded_media import C1, SRC, U1, _g, _head

_AREA = 'firstX="1" firstY="1" secondX="9" secondY="9"'


def _pdf(selections: str, representation: str = "") -> str:
    return (
        _head("NVivo 14") + f'<Sources><PDFSource guid="{SRC}" name="Есеп.pdf" '
        f'path="internal://{SRC}.pdf">{selections}{representation}</PDFSource></Sources>'
        "</Project>"
    )


def _area(n: int, coded: bool) -> str:
    coding = f'<Coding guid="{_g(n + 100)}"><CodeRef targetGUID="{C1}"/></Coding>' if coded else ""
    return f'<PDFSelection guid="{_g(n)}" {_AREA}>{coding}</PDFSelection>'


def test_an_uncoded_pdf_area_is_not_called_coded(tmp_path: Path) -> None:
    files = {f"sources/{SRC}.pdf": b"%PDF-1.4"}
    qdpx = write_qdpx(tmp_path / "a.qdpx", _pdf(_area(1, coded=False)), files)
    report = import_qdpx(qdpx, tmp_path / "p", coder="me")
    (line,) = [x for x in report.not_imported if "Есеп.pdf" in x]
    assert "coded" not in line
    assert line.endswith(
        "pdf sources are not supported (1 area marked without a code not imported)."
    )


def test_coded_and_uncoded_areas_are_counted_apart(tmp_path: Path) -> None:
    files = {f"sources/{SRC}.pdf": b"%PDF-1.4"}
    pdf = _pdf(_area(1, coded=True) + _area(2, coded=False) + _area(3, coded=False))
    report = import_qdpx(write_qdpx(tmp_path / "a.qdpx", pdf, files), tmp_path / "p", coder="me")
    (line,) = [x for x in report.not_imported if "Есеп.pdf" in x]
    assert "(1 coded area and 2 areas marked without a code not imported)." in line


def test_a_pdf_with_text_names_its_uncoded_areas(tmp_path: Path) -> None:
    """A PDF with its text (a Representation): its areas of pages were all "coded areas"."""
    rep = f'<Representation guid="{_g(50)}" name="Есеп" plainTextPath="internal://{_g(50)}.txt"/>'
    files = {f"sources/{SRC}.pdf": b"%PDF-1.4", f"sources/{_g(50)}.txt": "Мәтін.".encode()}
    pdf = _pdf(_area(1, coded=False), rep)
    report = import_qdpx(write_qdpx(tmp_path / "a.qdpx", pdf, files), tmp_path / "p", coder="me")
    (line,) = [x for x in report.not_imported if "Есеп.pdf" in x]
    assert line == (
        "PDF source 'Есеп.pdf': 1 area of its pages marked without a code "
        "(FieldScribe codes text, not areas)."
    )


TR_TEXT = "Айгүл: Ауылда емхана жоқ.\nДмитрий: А автобус?"


def _av_qde() -> str:
    end = len("Айгүл: Ауылда емхана жоқ.")
    return (
        _head("NVivo 14") + f'<Sources><AudioSource guid="{SRC}" name="Сұхбат.wav" '
        f'path="internal://{SRC}.wav"><Transcript guid="{_g(60)}" name="Сұхбат" '
        f'plainTextPath="internal://{_g(60)}.txt"><SyncPoint guid="{_g(61)}" position="0" '
        f'timeStamp="0"/><SyncPoint guid="{_g(62)}" position="{end}" timeStamp="1500"/>'
        f'<TranscriptSelection guid="{_g(63)}" fromSyncPoint="{_g(61)}" toSyncPoint="{_g(62)}">'
        f'<Coding guid="{_g(64)}" creatingUser="{U1}"><CodeRef targetGUID="{C1}"/></Coding>'
        f'<NoteRef targetGUID="{_g(70)}"/></TranscriptSelection></Transcript></AudioSource>'
        f'<TextSource guid="{_g(80)}" name="Күнделік" plainTextPath="internal://{_g(80)}.txt"/>'
        f'</Sources><Notes><Note guid="{_g(70)}" name="Емхана" creatingUser="{U1}" '
        f'plainTextPath="internal://{_g(70)}.txt"/><Note guid="{_g(71)}" name="Жалпы" '
        f'creatingUser="{U1}"><PlainTextContent>Бәрі жақсы.</PlainTextContent></Note></Notes>'
        "</Project>"
    )


def _av_files(tmp_path: Path) -> dict[str, bytes]:
    from tests.interop_support import make_wav

    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview about public services.")
    return {
        f"sources/{SRC}.wav": wav.read_bytes(),
        f"sources/{_g(60)}.txt": TR_TEXT.encode(),
        f"sources/{_g(70)}.txt": "Емхана жабылды.".encode(),
        f"sources/{_g(80)}.txt": "Бүгін ауылға бардық.".encode(),
    }


def test_a_transcript_and_a_note_missing_from_the_archive(tmp_path: Path) -> None:
    """NVivo's export with its transcript's and a note's text files missing: the recording,
    the text source and the other note arrive; no empty memo stands for the note; the report
    names what could not be read and why; the whole file later fills the session, its coding
    and the note in, nothing doubled."""
    from storage import Project

    whole = _av_files(tmp_path)
    cut = {k: v for k, v in whole.items() if _g(60) not in k and _g(70) not in k}
    folder = tmp_path / "p"
    report = import_qdpx(write_qdpx(tmp_path / "cut.qdpx", _av_qde(), cut), folder, coder="me")
    said = "\n".join(report.not_imported)
    assert (
        f"Transcript of 'Сұхбат.wav': its text 'internal://{_g(60)}.txt' is missing from the "
        "archive, which names it as its own (a copy cut short" in said
    )
    assert f"Note 'Емхана': its text 'internal://{_g(70)}.txt' is missing from the archive" in said
    with Project.open(folder, readonly=True) as p:
        sessions = {s.title: s.id for s in p.sessions.all()}
        assert sorted(sessions) == ["Күнделік", "Сұхбат.wav"]
        assert p.sessions.media_for_session(SRC)
        assert p.transcript.segments(SRC) == []
        assert [m.text for m in p.codebook.memos()] == ["Бәрі жақсы."]  # no empty memo
    import_qdpx(write_qdpx(tmp_path / "whole.qdpx", _av_qde(), whole), folder, coder="me")
    with Project.open(folder, readonly=True) as p:
        texts = [s.text for s in p.transcript.segments(SRC)]
        assert texts == ["Ауылда емхана жоқ.", "А автобус?"]
        (coding,) = p.codebook.codings()
        assert coding.segment_id == p.transcript.segments(SRC)[0].id
        assert [m.text for m in p.codebook.memos()] == ["Бәрі жақсы."]
        assert coding.memo == "Емхана жабылды."  # the note on the coded line
        assert len(p.sessions.all()) == 2 and len(p.sessions.media_for_session(SRC)) == 1


def test_a_text_that_is_no_text_loses_only_its_source(tmp_path: Path) -> None:
    noise = b"%PDF-1.4\n" + bytes(range(256)) * 8
    files = _av_files(tmp_path) | {f"sources/{_g(80)}.txt": noise}
    report = import_qdpx(write_qdpx(tmp_path / "a.qdpx", _av_qde(), files), tmp_path / "p")
    assert (
        f"Text source 'Күнделік': its text 'internal://{_g(80)}.txt' holds no text (a PDF), so "
        "it could not be read; export it again from the program that made it."
    ) in report.not_imported
    assert report.sessions == 1 and report.segments == 2


def test_a_failure_for_another_reason_leaves_nothing_half_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import that fails after its recording is copied in (here a full disk while the
    notes are written) leaves an existing project as it was, its media folder too, and no new
    folder behind."""
    import sqlite3

    from storage import Project
    from storage.interop.qdpx_import import people

    def full(*_a: object) -> None:
        raise OSError(28, "No space left on device")

    files = _av_files(tmp_path)
    qdpx = write_qdpx(tmp_path / "a.qdpx", _av_qde(), files)
    Project.create(tmp_path / "p", coder="me").close()

    def dump() -> tuple[list[str], list[str]]:
        conn = sqlite3.connect(tmp_path / "p" / "project.db")
        try:
            rows = list(conn.iterdump())
        finally:
            conn.close()
        return rows, sorted(f.name for f in (tmp_path / "p").rglob("*") if f.is_file())

    before = dump()
    monkeypatch.setattr(people, "import_notes", full)
    for into in (tmp_path / "p", tmp_path / "new"):
        with pytest.raises(OSError, match="No space left"):
            import_qdpx(qdpx, into, coder="me")
    assert dump() == before and not (tmp_path / "new").exists()

"""REFI-QDA ``Sets``: groups of sources (MAXQDA's and ATLAS.ti's document groups, as in a real
MAXQDA 24 export: "ICLS 2024", "ICLS 2025") and groups of codes. FieldScribe has no groups:
the report said "2 sets (not supported by FieldScribe)" and which documents were in which
group was lost. A group of sources is kept as the session's details keep a source's variables:
a line "Set: NAME" in each member session's notes (exported with the source's description);
a group of codes is named in the report."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import export_qdpx, import_qdpx
from tests.interop_support import write_qdpx

S1, S2, S3 = (f"e5000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
CODE = "e5000000-0000-4000-8000-000000000010"


def _qde() -> str:
    sources = "".join(
        f'<TextSource guid="{g}" name="{name}" plainTextPath="internal://{g}.txt">'
        + ("<Description>Қала 😀</Description>" if g == S1 else "")
        + "</TextSource>"
        for g, name in ((S1, "Сұхбат 1"), (S2, "Сұхбат 2"), (S3, "Сұхбат 3"))
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="sets" origin="MAXQDA 24">'
        f'<CodeBook><Codes><Code guid="{CODE}" name="Сенім" isCodable="true"/></Codes></CodeBook>'
        f"<Sources>{sources}</Sources><Sets>"
        f'<Set guid="e5000000-0000-4000-8000-000000000021" name="ICLS 2024">'
        f'<MemberSource targetGUID="{S1}"/><MemberSource targetGUID="{S2}"/></Set>'
        f'<Set guid="e5000000-0000-4000-8000-000000000022" name="Ауыл 𝔸">'
        f'<Description>Ауылдық жерлер</Description><MemberSource targetGUID="{S2}"/></Set>'
        f'<Set guid="e5000000-0000-4000-8000-000000000023" name="Негізгі кодтар">'
        f'<MemberCode targetGUID="{CODE}"/></Set></Sets></Project>'
    )


def test_groups_of_sources_are_kept_in_their_sessions_notes(tmp_path: Path) -> None:
    files = {f"sources/{g}.txt": "Сәлем әлем.\n".encode() for g in (S1, S2, S3)}
    report = import_qdpx(write_qdpx(tmp_path / "s.qdpx", _qde(), files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p") as p:
        notes = {s.title: s.notes for s in p.sessions.all()}
        export_qdpx(p, tmp_path / "back.qdpx", with_media=False)
    assert notes == {
        "Сұхбат 1": "Қала 😀\nSet: ICLS 2024",
        "Сұхбат 2": "Set: ICLS 2024\nSet: Ауыл 𝔸",
        "Сұхбат 3": None,
    }
    (kept,) = [n for n in report.notes if "Set: NAME" in n]
    assert "2 sets of sources ('ICLS 2024', 'Ауыл 𝔸')" in kept
    assert report.not_imported == [
        "1 set of codes ('Негізгі кодтар': 1 code): FieldScribe has no groups of codes."
    ]
    # exported with the sources' descriptions, read back the same
    import_qdpx(tmp_path / "back.qdpx", tmp_path / "again", coder="me")
    with Project.open(tmp_path / "again", readonly=True) as p:
        assert {s.title: s.notes for s in p.sessions.all()} == notes

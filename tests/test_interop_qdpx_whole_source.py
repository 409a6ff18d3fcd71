"""A code of a whole source goes back out as one.

ATLAS.ti, MAXQDA and QualCoder code a whole document or recording with a ``Coding`` on the
source itself. An import codes every segment of its session with it (FieldScribe codes
segments); the export wrote one selection per segment (three lines: three codings in the other
tool, where there had been one). It writes one ``Coding`` on the source again while every
segment still holds that coding, and per segment once the codings or the segments changed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from storage import Project, SegmentDraft
from storage.interop import export_qdpx, import_qdpx
from storage.team.bundle_export import export_bundle
from tests.interop_support import SCHEMA, make_wav, write_qdpx
from tests.test_interop_qdpx_coded_media import C1, C3, SRC, TR, U1, U2, _g, _head

Q = "{urn:QDA-XML:project:1.0}"


def _file(wav: bytes) -> Path | tuple[str, dict[str, bytes]]:
    text = "Сұхбат басталды.\nВ городе нет работы.\nБітті."
    qde = (
        _head("ATLAS.ti 23")
        + f'<Sources><TextSource guid="{SRC}" name="Жазба" creatingUser="{U1}">'
        f"<PlainTextContent>{text}</PlainTextContent>"
        f'<Coding guid="{_g(1)}" creatingUser="{U2}" creationDateTime="2024-04-04T04:04:04Z">'
        f'<CodeRef targetGUID="{C3}"/></Coding></TextSource>'
        f'<AudioSource guid="{TR}" name="Үнтаспа" path="internal://a.wav" creatingUser="{U1}">'
        f'<Coding guid="{_g(2)}" creatingUser="{U1}" creationDateTime="2024-04-05T05:05:05Z">'
        f'<CodeRef targetGUID="{C1}"/></Coding></AudioSource>'
        "</Sources></Project>"
    )
    return qde, {"sources/a.wav": wav}


def _codings(qdpx: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Each source's codings (valid against the REFI-QDA schema): source name -> [(where the
    coding is: the source itself or a selection's tag, coding GUID, coder)]."""
    doc = etree.fromstring(zipfile.ZipFile(qdpx).read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(doc), schema.error_log
    users = {u.get("guid"): u.get("name") for u in doc.iter(f"{Q}User")}
    found: dict[str, list[tuple[str, str, str]]] = {}
    for tag in ("TextSource", "AudioSource", "VideoSource"):
        for src in doc.iter(f"{Q}{tag}"):
            rows = found.setdefault(src.get("name"), [])
            for coding in src.iter(f"{Q}Coding"):
                parent = coding.getparent()
                where = "source" if parent is src else etree.QName(parent).localname
                rows.append((where, coding.get("guid"), users[coding.get("creatingUser")]))
    return found


def test_a_whole_source_coding_goes_back_out_as_one(tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview.").read_bytes()
    qde, files = _file(wav)
    import_qdpx(write_qdpx(tmp_path / "w.qdpx", qde, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p") as p:
        assert len(p.codebook.codings()) == 4  # three lines and the whole recording
        export_qdpx(p, tmp_path / "back.qdpx")
        # (a coder's copy exports it so too)
        export_bundle(p, tmp_path / "p.fsbundle")
    want = {
        "Жазба": [("source", _g(1), "Дмитрий")],
        "Үнтаспа": [("source", _g(2), "Айгүл")],
    }
    assert _codings(tmp_path / "back.qdpx") == want
    with Project.from_bundle(tmp_path / "p.fsbundle", tmp_path / "c", coder="c") as copy:
        export_qdpx(copy, tmp_path / "copy.qdpx", with_media=False)
    assert _codings(tmp_path / "copy.qdpx") == want
    # read back: the same codings of every segment, and out as one again
    import_qdpx(tmp_path / "back.qdpx", tmp_path / "again", coder="me")
    with Project.open(tmp_path / "again") as p:
        text, audio = sorted(p.sessions.all(), key=lambda s: s.title)
        assert len(p.transcript.segments(text.id)) == 3
        assert len(p.transcript.segments(audio.id)) == 1
        assert len(p.codebook.codings()) == 4
        export_qdpx(p, tmp_path / "twice.qdpx")
    assert _codings(tmp_path / "twice.qdpx") == want


def test_a_changed_whole_source_coding_goes_out_per_segment(tmp_path: Path) -> None:
    """Once a segment is added or one of the codings removed, the coding no longer covers the
    whole source: each segment's coding goes out as its own selection (nothing dropped)."""
    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview.").read_bytes()
    qde, files = _file(wav)
    import_qdpx(write_qdpx(tmp_path / "w.qdpx", qde, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p") as p:
        text = next(s for s in p.sessions.all() if s.title == "Жазба")
        first = p.transcript.segments(text.id)[0]
        (gone,) = [c for c in p.codebook.codings() if c.segment_id == first.id]
        p.codebook.remove_coding(gone.id)
        audio = next(s for s in p.sessions.all() if s.title == "Үнтаспа")
        end = p.transcript.segments(audio.id)[-1].end_ms
        p.transcript.add_segments(audio.id, [SegmentDraft(end, end + 500, "Тағы бір сөз.")])
        export_qdpx(p, tmp_path / "back.qdpx", with_media=False)
    found = _codings(tmp_path / "back.qdpx")
    assert [w for w, _g, _u in found["Жазба"]] == ["PlainTextSelection"] * 2
    assert [w for w, _g, _u in found["Үнтаспа"]] == ["AudioSelection"]

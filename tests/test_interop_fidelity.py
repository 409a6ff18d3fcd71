"""Issue 17: text sources keep every character through a .qdpx round trip; a second import is
recognised by its GUIDs; relative media get a basePath.

The samples are shaped like what MAXQDA, ATLAS.ti and NVivo write: labelled lines in documents,
blank lines, lines holding only a timestamp, CRLF line ends, f4 end marks, braces around GUIDs.
"""

# ruff: noqa: E501  (test data as the tools write it)
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from storage import Project
from storage.interop import import_qdpx
from storage.interop.qdpx_export import export_qdpx
from storage.interop.qdpx_import import import_qdpx_into
from tests.interop_support import make_wav, write_qdpx

NS = "{urn:QDA-XML:project:1.0}"
U1 = "{7A1B2C3D-0000-4000-8000-00000000AAAA}"  # NVivo: braces, upper case
U2 = "7a1b2c3d-0000-4000-8000-00000000bbbb"
CODE = "a2000000-0000-4000-8000-000000000001"

SOURCES = {
    # MAXQDA: a document whose "Word: ..." lines are headings, not speakers
    "b2000000-0000-4000-8000-000000000001": (
        "Study report.txt",
        "Abstract: Access to clinics in rural districts.\r\n"
        "Keywords: health, transport\r\n\r\n"
        "Most respondents travel more than an hour.\r\n"
        "Note: the bus runs twice a day.\r\n",
    ),
    # MAXQDA transcript: every line labelled, f4 end marks, a timestamp-only line, blank lines
    "b2000000-0000-4000-8000-000000000002": (
        "Interview 07",
        "[00:00:00]\n"
        "Interviewer: Wie kommen Sie zur Klinik? #00:00:04-2#\n"
        "\n"
        "Befragte: Mit dem Bus, meistens. #00:00:09-8#\n"
        "\n"
        "Interviewer: Danke. #00:00:11-0#\n",
    ),
    # ATLAS.ti field notes: paragraphs, a timestamp line, Cyrillic, trailing spaces, no final newline
    "b2000000-0000-4000-8000-000000000003": (
        "Field notes day 2",
        "\n"
        "Очередь у поликлиники с 7 утра.  \n"
        "(00:12:30)\n"
        "Time: 7am. A nurse said: we are short of staff.\n"
        "\n\n"
        "Кезек ұзын.",
    ),
}


def _selection(text: str, fragment: str, n: int) -> str:
    start = text.index(fragment)
    return (
        f'<PlainTextSelection guid="c2000000-0000-4000-8000-00000000000{n}" '
        f'startPosition="{start}" endPosition="{start + len(fragment)}" creatingUser="{U2}">'
        f'<Coding guid="d2000000-0000-4000-8000-00000000000{n}" creatingUser="{U2}">'
        f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
    )


FRAGMENTS = {
    "b2000000-0000-4000-8000-000000000001": "the bus runs twice a day",
    "b2000000-0000-4000-8000-000000000002": "Mit dem Bus",
    "b2000000-0000-4000-8000-000000000003": "we are short of staff",
}


def _qdpx(tmp: Path) -> Path:
    sources = []
    for n, (guid, (name, text)) in enumerate(SOURCES.items(), start=1):
        sources.append(
            f'<TextSource guid="{guid}" name="{name}" plainTextPath="internal://{guid}.txt" '
            f'creatingUser="{U1}" creationDateTime="2024-02-0{n}T09:00:00Z">'
            f"{_selection(text, FRAGMENTS[guid], n)}</TextSource>"
        )
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Rural health" origin="MAXQDA 24"
 creatingUserGUID="{U1}" creationDateTime="2024-01-15T08:30:00Z">
<Users><User guid="{U1}" name="Anna"/><User guid="{U2}" name="Jo"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="Transport" isCodable="true" color="#00AA00"/></Codes></CodeBook>
<Sources>{"".join(sources)}</Sources>
<Sets><Set guid="e2000000-0000-4000-8000-000000000001" name="Rural"><MemberSource targetGUID="b2000000-0000-4000-8000-000000000001"/></Set></Sets>
</Project>"""
    files = {f"sources/{g}.txt": t.encode("utf-8") for g, (_n, t) in SOURCES.items()}
    return write_qdpx(tmp / "rural.qdpx", qde, files)


def _exported_sources(archive: Path) -> dict[str, tuple[str, list[tuple[int, int]]]]:
    """guid -> (the source's text, its selections' positions) from an exported .qdpx."""
    with zipfile.ZipFile(archive) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        result = {}
        for src in root.iter(f"{NS}TextSource"):
            member = src.get("plainTextPath", "").replace("internal://", "sources/")
            text = zf.read(member).decode("utf-8")
            spans = [
                (int(s.get("startPosition", "0")), int(s.get("endPosition", "0")))
                for s in src.iter(f"{NS}PlainTextSelection")
            ]
            result[src.get("guid", "").lower()] = (text, spans)
    return result


def test_text_sources_keep_every_character_through_a_round_trip(tmp_path: Path) -> None:
    report = import_qdpx(_qdpx(tmp_path), tmp_path / "p.fieldscribe", coder="me")
    assert any("not a transcript" in n and "Study report.txt" in n for n in report.notes)
    with Project.open(tmp_path / "p.fieldscribe") as p:
        sessions = {s.id: s for s in p.sessions.all()}
        assert set(sessions) == set(SOURCES)  # the sources keep their GUIDs
        report_segs = p.transcript.segments("b2000000-0000-4000-8000-000000000001")
        assert all(s.speaker is None for s in report_segs)  # "Abstract:" is no speaker
        assert not any("\r" in s.text for s in report_segs)  # CRLF source: LF in segments
        interview = p.transcript.segments("b2000000-0000-4000-8000-000000000002")
        assert {s.speaker for s in interview} == {None, "Interviewer", "Befragte"}
        # timestamps became segment times
        assert [(s.speaker, s.start_ms, s.end_ms) for s in interview if s.speaker] == [
            ("Interviewer", 0, 4200), ("Befragte", 4200, 9800), ("Interviewer", 9800, 11000)]  # fmt: skip
        notes = p.transcript.segments("b2000000-0000-4000-8000-000000000003")
        assert [s.start_ms for s in notes if s.text.startswith("Time:")] == [750000]
        export_qdpx(p, tmp_path / "out.qdpx", with_media=False)
    out = _exported_sources(tmp_path / "out.qdpx")
    for guid, (_name, text) in SOURCES.items():
        got, spans = out[guid]
        assert got == text, guid  # every character, in place
        assert [got[a:b] for a, b in spans] == [FRAGMENTS[guid]]


def test_second_import_of_the_same_project_is_recognised(tmp_path: Path) -> None:
    archive = _qdpx(tmp_path)
    import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    with Project.open(tmp_path / "p.fieldscribe") as p:
        before = (len(p.sessions.all()), len(p.codebook.codings()), len(p.codebook.codes()))
        report = import_qdpx_into(p, archive)
        after = (len(p.sessions.all()), len(p.codebook.codings()), len(p.codebook.codes()))
    assert after == before
    assert report.sessions == 0 and report.codes_reused == 1
    assert "This project was imported before" in report.describe()
    assert "'Interview 07'" in report.describe()


def test_no_media_export_names_a_base_path(tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "audio")
    with Project.create(tmp_path / "a.fieldscribe", coder="me") as p:
        session = p.sessions.import_audio(wav, title="Recorded")
        stored = p.sessions.media_for_session(session.id)[0].path
        export_qdpx(p, tmp_path / "a.qdpx", with_media=False)
    with zipfile.ZipFile(tmp_path / "a.qdpx") as zf:
        root = ET.fromstring(zf.read("project.qde"))
    base = Path(root.get("basePath", ""))
    (audio,) = root.iter(f"{NS}AudioSource")
    relative = audio.get("path", "")
    assert relative.startswith("relative://")
    assert (base / relative.removeprefix("relative://")).is_file()
    assert base == (tmp_path / "a.fieldscribe" / stored).parent.resolve()


def test_users_dates_sibling_order_and_missing_colours_survive(tmp_path: Path) -> None:
    c = [f"a3000000-0000-4000-8000-00000000000{n}" for n in range(1, 6)]
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Order" origin="ATLAS.ti 23"
 creatingUserGUID="{U1}" creationDateTime="2023-11-02T14:05:00Z">
<Users><User guid="{U1}" name="Anna"/><User guid="{U2}" name="Jo"/></Users>
<CodeBook><Codes>
<Code guid="{c[0]}" name="Zebra" isCodable="true">
 <Code guid="{c[1]}" name="Young" isCodable="true" color="#112233"/>
 <Code guid="{c[2]}" name="Apple" isCodable="true"/>
</Code>
<Code guid="{c[3]}" name="Mango" isCodable="true" color="#445566"/>
<Code guid="{c[4]}" name="Banana" isCodable="true"/>
</Codes></CodeBook>
</Project>"""
    archive = write_qdpx(tmp_path / "order.qdpx", qde)
    import_qdpx(archive, tmp_path / "o.fieldscribe", coder="me")
    with Project.open(tmp_path / "o.fieldscribe") as p:
        export_qdpx(p, tmp_path / "back.qdpx", with_media=False)
        from storage.interop.qdc import export_codebook

        export_codebook(p, tmp_path / "back.qdc")
    with zipfile.ZipFile(tmp_path / "back.qdpx") as zf:
        root = ET.fromstring(zf.read("project.qde"))
    assert root.get("creationDateTime") == "2023-11-02T14:05:00Z"
    users = {u.get("name"): u.get("guid") for u in root.iter(f"{NS}User")}
    assert users["Anna"].lower() == U1.strip("{}").lower() and users["Jo"] == U2
    assert root.get("creatingUserGUID", "").lower() == U1.strip("{}").lower()
    for book in (root, ET.parse(tmp_path / "back.qdc").getroot()):
        codes = list(book.iter())
        named = [e for e in codes if e.tag.endswith("}Code")]
        assert [e.get("name") for e in named] == ["Zebra", "Young", "Apple", "Mango", "Banana"]
        colours = {e.get("name"): e.get("color") for e in named}
        assert colours == {"Zebra": None, "Young": "#112233", "Apple": None, "Mango": "#445566",
                           "Banana": None}  # fmt: skip

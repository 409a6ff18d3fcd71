"""A whole study from another tool, through ``fieldscribe qdpx import``: every kind of source
(text, PDF with its text, pictures, a recording with its transcript, videos with and without
their file), nested codes, memos, users, sets, typed variables, Kazakh and Russian text, written
the way NVivo (upper-case GUIDs, UTF-16 text with CRLF), ATLAS.ti, MAXQDA (text inside the
project file) and QualCoder write it. What FieldScribe keeps is there; what it cannot hold is
named in the report. Two things went without a word: codings of a note's text (NVivo codes
memos) and a case tied to a source where no speaker bears its name (MAXQDA and NVivo make a
whole interview a case's)."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

from cli import main as cli_main
from storage import Project
from tests.interop_support import SCHEMA, make_wav
from tests.media import video_with_audio

TEXT = (
    "Интервьюер: Расскажите о вашем ауыле.\n"
    "Айгүл: Біздің ауылда емхана жоқ, больница закрылась.\n"
    "Интервьюер: А транспорт?\n"
    "Айгүл: Автобус ходит два раза в день."
)
TRANSCRIPT = "Ерлан: Сәлеметсіз бе.\nАнна: Здравствуйте, как дела?"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    raw = b"".join(b"\0" + b"\xff\0\0" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))


def _study(tool: str, media: dict[str, bytes], *, upper: bool, inline: bool, utf16: bool) -> tuple[
    str, dict[str, bytes]
]:  # fmt: skip
    """The project file and the archive's other members."""

    def g(n: int) -> str:
        guid = f"a{n:07d}-1111-4111-8111-{n:012d}"
        return guid.upper() if upper else guid

    text = TEXT.replace("\n", "\r\n") if utf16 else TEXT
    u1, u2 = g(1), g(2)
    files: dict[str, bytes] = {}

    def at(words: str) -> str:
        start = text.index(words)
        return f'startPosition="{start}" endPosition="{start + len(words)}"'

    def coding(n: int, user: str, code: int, extra: str = "") -> str:
        return (
            f'<Coding guid="{g(n)}" creatingUser="{user}"><CodeRef targetGUID="{g(code)}"/>'
            f"{extra}</Coding>"
        )

    def value(var: int, kind: str, v: str) -> str:
        return (
            f'<VariableValue><VariableRef targetGUID="{g(var)}"/><{kind}Value>{v}</{kind}Value>'
            "</VariableValue>"
        )

    codebook = (
        f'<CodeBook><Codes><Code guid="{g(10)}" name="Денсаулық" isCodable="true" '
        f'color="#E53935"><Description>Медицина, емхана</Description>'
        f'<Code guid="{g(11)}" name="Емхана" isCodable="true" color="#43A047"/>'
        f'<Code guid="{g(12)}" name="Больница" isCodable="true"><NoteRef targetGUID="{g(92)}"/>'
        f'</Code></Code><Code guid="{g(13)}" name="Транспорт" isCodable="true"/>'
        f'<Code guid="{g(14)}" name="Категория" isCodable="false">'
        f'<Code guid="{g(15)}" name="Сенім" isCodable="true"/></Code></Codes></CodeBook>'
    )
    kinds = [
        ("Жасы", "Integer"), ("Пол", "Text"), ("Рост", "Float"), ("Согласие", "Boolean"),
        ("Дата рождения", "Date"), ("Интервью басталды", "DateTime"), ("Өңір", "Text"),
    ]  # fmt: skip
    variables = "".join(
        f'<Variable guid="{g(20 + i)}" name="{name}" typeOfVariable="{kind}"/>'
        for i, (name, kind) in enumerate(kinds)
    )
    cases = (
        f'<Cases><Case guid="{g(30)}" name="Айгүл">'
        + value(20, "Integer", "47") + value(21, "Text", "әйел") + value(22, "Float", "1.62")
        + value(23, "Boolean", "true") + value(24, "Date", "1977-03-08")
        + value(25, "DateTime", "2024-05-01T10:00:00Z")
        + f'<SourceRef targetGUID="{g(40)}"/></Case>'
        f'<Case guid="{g(31)}" name="Дмитрий"><SourceRef targetGUID="{g(41)}"/></Case></Cases>'
    )  # fmt: skip
    if inline:  # MAXQDA holds the text in the project file
        body = f"<PlainTextContent>{text}</PlainTextContent>"
    else:
        body = ""
        data = ("\ufeff" + text).encode("utf-16-le") if utf16 else text.encode()
        files[f"sources/{g(40)}.txt"] = data
    path = "" if inline else f' plainTextPath="internal://{g(40)}.txt"'
    interview = (
        f'<TextSource guid="{g(40)}" name="Сұхбат"{path} creatingUser="{u1}">{body}'
        f'<PlainTextSelection guid="{g(50)}" {at("емхана жоқ")} creatingUser="{u1}">'
        f"<Description>Маңызды</Description>"
        + coding(51, u1, 11, f'<NoteRef targetGUID="{g(93)}"/>')
        + "</PlainTextSelection>"
        f'<PlainTextSelection guid="{g(52)}" {at("Автобус ходит")} creatingUser="{u2}">'
        + coding(53, u2, 13) + coding(54, u2, 30)  # the second codes a case (NVivo)
        + "</PlainTextSelection>" + coding(55, u2, 15)  # the whole document
        + f'<NoteRef targetGUID="{g(91)}"/>' + value(26, "Text", "Жетісу") + "</TextSource>"
    )  # fmt: skip
    files[f"sources/{g(41)}.pdf"] = b"%PDF-1.4\n%%EOF\n"
    files[f"sources/{g(44)}.txt"] = "Есеп.\nДоклад о транспорте в районе.".encode()
    pdf = (
        f'<PDFSource guid="{g(41)}" name="Есеп.pdf" path="internal://{g(41)}.pdf">'
        f'<PDFSelection guid="{g(56)}" page="1" firstX="10" firstY="10" secondX="100" '
        f'secondY="50" creatingUser="{u1}">' + coding(57, u1, 13) + "</PDFSelection>"
        f'<Representation guid="{g(44)}" plainTextPath="internal://{g(44)}.txt">'
        f'<PlainTextSelection guid="{g(58)}" startPosition="6" endPosition="29" '
        f'creatingUser="{u1}">' + coding(59, u1, 13) + "</PlainTextSelection></Representation>"
        "</PDFSource>"
    )
    files[f"sources/{g(42)}.png"] = _png()
    pictures = (
        f'<PictureSource guid="{g(42)}" name="Емхана.png" path="internal://{g(42)}.png">'
        f'<PictureSelection guid="{g(60)}" firstX="0" firstY="0" secondX="2" secondY="2" '
        f'creatingUser="{u1}">' + coding(61, u1, 11) + "</PictureSelection></PictureSource>"
        f'<PictureSource guid="{g(43)}" name="Жоқ сурет.jpg" path="internal://{g(43)}.jpg"/>'
    )
    files[f"sources/{g(46)}.wav"] = media["wav"]
    files[f"sources/{g(47)}.txt"] = TRANSCRIPT.encode()
    sync = "".join(
        f'<SyncPoint guid="{g(70 + i)}" position="{pos}" timeStamp="{ms}"/>'
        for i, (pos, ms) in enumerate([(0, 0), (21, 1500), (22, 1500), (50, 3300)])
    )
    audio = (
        f'<AudioSource guid="{g(46)}" name="Фокус-топ.wav" path="internal://{g(46)}.wav">'
        f'<Transcript guid="{g(47)}" name="Фокус-топ" plainTextPath="internal://{g(47)}.txt">'
        f'{sync}<TranscriptSelection guid="{g(74)}" fromSyncPoint="{g(72)}" '
        f'toSyncPoint="{g(73)}" creatingUser="{u2}">' + coding(75, u2, 15)
        + "</TranscriptSelection></Transcript>"
        f'<AudioSelection guid="{g(76)}" begin="200" end="1200" creatingUser="{u1}">'
        + coding(77, u1, 10) + "</AudioSelection>"
        f'<AudioSelection guid="{g(78)}" begin="2500" end="2500" name="Күлкі"/></AudioSource>'
    )  # fmt: skip
    files[f"sources/{g(48)}.mp4"] = media["mp4"]
    videos = (
        f'<VideoSource guid="{g(48)}" name="Жиын.mp4" path="internal://{g(48)}.mp4">'
        f'<VideoSelection guid="{g(80)}" begin="500" end="1800" creatingUser="{u2}">'
        "<Description>Ол күлді</Description>" + coding(81, u2, 13) + "</VideoSelection>"
        f'</VideoSource><VideoSource guid="{g(49)}" name="Жоқ бейне.mp4" '
        f'path="internal://{g(49)}.mp4"><VideoSelection guid="{g(82)}" begin="1000" '
        f'end="4000" creatingUser="{u2}">' + coding(83, u2, 15) + "</VideoSelection></VideoSource>"
    )
    notes = (
        f'<Notes><Note guid="{g(90)}" name="Жоба" creatingUser="{u1}"><PlainTextContent>'
        "Жоба 2024 жылы басталды.</PlainTextContent></Note>"
        f'<Note guid="{g(91)}" name="Документ" creatingUser="{u1}"><PlainTextContent>'
        "Записано в ауыле.</PlainTextContent></Note>"
        f'<Note guid="{g(92)}" name="Код" creatingUser="{u1}"><PlainTextContent>'
        "Больница — не емхана.</PlainTextContent></Note>"
        f'<Note guid="{g(93)}" name="Кодтау" creatingUser="{u2}"><PlainTextContent>'
        "Неге?</PlainTextContent></Note>"
        f'<Note guid="{g(94)}" name="Күмән" creatingUser="{u2}"><PlainTextContent>'
        "Сенімсіздік бар.</PlainTextContent>"  # a memo coded (NVivo codes memos)
        f'<PlainTextSelection guid="{g(95)}" startPosition="0" endPosition="11">'
        + coding(97, u2, 15) + "</PlainTextSelection>" + coding(98, u2, 10) + "</Note></Notes>"
    )  # fmt: skip
    rest = (
        f'<Links><Link guid="{g(110)}" name="байланыс" direction="Associative" '
        f'originGUID="{g(11)}" targetGUID="{g(12)}"/></Links>'
        f'<Sets><Set guid="{g(100)}" name="Сұхбаттар"><MemberSource targetGUID="{g(40)}"/>'
        f'<MemberSource targetGUID="{g(46)}"/></Set><Set guid="{g(16)}" name="Негізгі">'
        f'<MemberCode targetGUID="{g(10)}"/><MemberCode targetGUID="{g(13)}"/></Set></Sets>'
        f'<Graphs><Graph guid="{g(120)}" name="Желі"><Vertex guid="{g(121)}" '
        f'representedGUID="{g(10)}" firstX="0" firstY="0"/></Graph></Graphs>'
        f'<NoteRef targetGUID="{g(90)}"/>'
    )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="Ауыл зерттеуі" origin="{tool}" creatingUserGUID="{u1}">'
        f'<Users><User guid="{u1}" name="Айгүл"/><User guid="{u2}" name="Дмитрий"/></Users>'
        f"{codebook}<Variables>{variables}</Variables>{cases}"
        f"<Sources>{interview}{pdf}{pictures}{audio}{videos}</Sources>{notes}{rest}</Project>"
    )
    return qde, files


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("media")
    wav = make_wav(folder, "Hello, this is a short interview about public services.")
    return {"wav": wav.read_bytes(), "mp4": video_with_audio(wav, folder / "v.mp4").read_bytes()}


TOOLS = {
    "NVivo 14": {"upper": True, "inline": False, "utf16": True},
    "ATLAS.ti 24": {"upper": False, "inline": False, "utf16": False},
    "MAXQDA 2024": {"upper": False, "inline": True, "utf16": False},
    "QualCoder 3.6": {"upper": False, "inline": False, "utf16": False},
}


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_a_whole_study_arrives_or_is_named(
    tool: str, media: dict[str, bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qde, files = _study(tool, media, **TOOLS[tool])
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(etree.fromstring(qde.encode())), schema.error_log
    archive = tmp_path / "study.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, data in files.items():
            zf.writestr(name, data)
    folder = tmp_path / "p.fieldscribe"
    assert cli_main(["qdpx", "import", str(archive), str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    missing = " ".join(report["not_imported"])
    said = " ".join(report["notes"])
    with Project.open(folder, readonly=True) as p:
        sessions = {s.title: s for s in p.sessions.all()}
        codes = {c.id: c.path for c in p.codebook.codes()}
        coded = sorted(codes[c.code_id] for c in p.codebook.codings())
        memos = sorted(m.text for m in p.codebook.memos())
        people = {part.pseudonym: part.attributes for part in p.sessions.participants()}
    # kept: every source FieldScribe can hold, each code, coding, memo, user and value
    assert set(sessions) == {"Сұхбат", "Есеп.pdf", "Фокус-топ.wav", "Жиын.mp4", "Жоқ бейне.mp4"}
    assert sorted(codes.values()) == [
        "Денсаулық", "Денсаулық/Больница", "Денсаулық/Емхана", "Категория", "Категория/Сенім",
        "Транспорт",
    ]  # fmt: skip
    assert coded == sorted(
        ["Денсаулық/Емхана", "Транспорт", "Транспорт", "Денсаулық", "Транспорт"]
        + ["Категория/Сенім"] * 6  # the whole interview (4 lines), a transcript line, a video
    )
    assert memos == sorted(
        ["Жоба 2024 жылы басталды.", "Записано в ауыле.", "Больница — не емхана.",
         "Сенімсіздік бар."]
    )  # fmt: skip
    assert people["Айгүл"] == {
        "Жасы": "47", "Пол": "әйел", "Рост": "1.62", "Согласие": "true",
        "Дата рождения": "1977-03-08", "Интервью басталды": "2024-05-01T10:00:00Z",
    }  # fmt: skip
    assert "Өңір: Жетісу" in (sessions["Сұхбат"].notes or "")
    assert "Set: Сұхбаттар" in (sessions["Фокус-топ.wav"].notes or "")
    # the case of a whole document with no speaker of its name: said, and kept in its notes
    assert "Case: Дмитрий" in (sessions["Есеп.pdf"].notes or "").splitlines()
    assert "1 case tied to a source where no speaker bears its name" in said
    # the link between two codes is kept for exports (it was named as not imported)
    assert "1 link between codes, sources, selections, notes or cases was kept" in said
    assert "link to an item" not in missing and "link (not supported" not in missing
    # named: what FieldScribe cannot hold
    for named in (
        "1 coded area of its pages",
        "PictureSource 'Емхана.png': picture sources are not supported (1 coded area",
        "PictureSource 'Жоқ сурет.jpg'",
        "VideoSource 'Жоқ бейне.mp4': its media",
        "coding at a case",
        "1 graph (a network view: FieldScribe draws none",
        "'Негізгі': 2 codes",
        "2 codings of the text of 1 note ('Күмән')",
    ):
        assert named in missing, named


def test_a_note_on_an_uncoded_time_range_is_its_markers_note(
    media: dict[str, bytes], tmp_path: Path
) -> None:
    """MAXQDA 2022 comments a range of a recording with a note (a ``NoteRef`` in an uncoded
    ``AudioSelection``): the range is a marker, and the note went to the journal, its place in
    the recording lost without a word. It is the marker's note now (exported as the
    selection's ``Description``), said in the report, and not in the journal."""
    from storage.interop import export_qdpx, import_qdpx
    from tests.interop_support import write_qdpx

    src, note = "b0000040-1111-4111-8111-000000000040", "b0000094-1111-4111-8111-000000000094"
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="Екінші" origin="MAXQDA 2022"><Sources>'
        f'<AudioSource guid="{src}" name="Аудио" path="internal://{src}.wav">'
        '<AudioSelection guid="b0000045-1111-4111-8111-000000000045" name="Шу" begin="100" '
        f'end="900"><Description>Көше шуы</Description><NoteRef targetGUID="{note}"/>'
        f'</AudioSelection></AudioSource></Sources><Notes><Note guid="{note}" name="Ескерту">'
        "<PlainTextContent>Бұл жерде сөз естілмейді.</PlainTextContent></Note></Notes></Project>"
    )
    files = {f"sources/{src}.wav": media["wav"]}
    report = import_qdpx(write_qdpx(tmp_path / "m.qdpx", qde, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        (marker,) = p.sessions.markers(session.id)
        assert p.codebook.memos() == []
        export_qdpx(p, tmp_path / "back.qdpx", with_media=False)
    assert (marker.time_ms, marker.label) == (100, "Шу")
    assert marker.note == "Көше шуы\n\nЕскерту: Бұл жерде сөз естілмейді."
    assert any("1 note on a moment or range of a recording" in n for n in report.notes)
    import_qdpx(tmp_path / "back.qdpx", tmp_path / "again", coder="me")
    with Project.open(tmp_path / "again", readonly=True) as p:
        (session,) = p.sessions.all()
        assert [m.note for m in p.sessions.markers(session.id)] == [marker.note]

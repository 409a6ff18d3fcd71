# ruff: noqa: E501  (test data: XML as the tools write it)
"""Builds the other-tools exchange fixtures in this folder (written for FieldScribe's tests from
the published formats: REFI-QDA 1.0 project and codebook, noScribe HTML, oTranscribe .otr,
Otter-style text, Word with timestamps, SubRip and WebVTT). Run it to rebuild them:
``python tests/data/exchange/build.py``. Each file is a few kB."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).parent
NS = "urn:QDA-XML:project:1.0"
SCHEMA = f'xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"'
WHEN = "2024-03-05T10:15:00Z"

# The interview both the text source and the transcript hold (Russian and a little Kazakh).
LINES = [
    "Интервьюер: Расскажите, куда вы ходите, когда болеете?",
    "Айгүл: В нашем селе больница закрылась, до аптеки ехать сорок минут.",
    "Интервьюер: А автобус ходит?",
    "Айгүл: Автобус ходит два раза в день, емхана жоқ, врача нет.",
]


def pos(text: str, words: str, nth: int = 0) -> tuple[int, int]:
    """Code-point span of the ``nth`` occurrence of ``words`` in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(words, at + 1)
    return at, at + len(words)


def silence_wav(seconds: float, rate: int = 16000) -> bytes:
    """A silent mono 16-bit WAV (deflates to almost nothing in a zip)."""
    frames = int(seconds * rate)
    data = b"\0\0" * frames
    head = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
    head += struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return head + b"data" + struct.pack("<I", len(data)) + data


def member(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date (the fixtures are the same bytes every build)."""
    info = zipfile.ZipInfo(name, date_time=(2024, 3, 5, 10, 15, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def qdpx(name: str, qde: str, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(HERE / name, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member("project.qde"), qde.encode("utf-8"))
        for path, content in files.items():
            zf.writestr(member(path), content)


def g(n: int, upper: bool = False) -> str:
    """A stable GUID for fixture element ``n``."""
    value = f"7d3f{n:04x}-5c1a-4e2b-9a6d-{n:012x}"
    return value.upper() if upper else value


def codebook(upper: bool, colours: bool = True) -> str:
    """Health > Pharmacy, Health > Hospital, Transport (nested, coloured, one described)."""
    c = (lambda col: f' color="{col}"') if colours else (lambda col: "")
    return f"""<CodeBook><Codes>
  <Code guid="{g(1, upper)}" name="Здоровье" isCodable="true"{c("#E53935")}>
    <Description>Всё о медицинской помощи</Description>
    <Code guid="{g(2, upper)}" name="Аптека" isCodable="true"{c("#43A047")}/>
    <Code guid="{g(3, upper)}" name="Больница" isCodable="true"{c("#1E88E5")}><NoteRef targetGUID="{g(42, upper)}"/></Code>
  </Code>
  <Code guid="{g(4, upper)}" name="Транспорт" isCodable="true"{c("#FDD835")}/>
</Codes></CodeBook>"""


def users(upper: bool) -> str:
    return f"""<Users><User guid="{g(10, upper)}" name="Айгерим"/><User guid="{g(11, upper)}" name="colin"/></Users>"""


def selection(
    n: int,
    text: str,
    words: str,
    code: int,
    user: int,
    upper: bool,
    nth: int = 0,
    note: int | None = None,
) -> str:
    s, e = pos(text, words, nth)
    ref = f'<NoteRef targetGUID="{g(note, upper)}"/>' if note else ""
    return (
        f'<PlainTextSelection guid="{g(n, upper)}" name="{words}" startPosition="{s}" endPosition="{e}" '
        f'creatingUser="{g(user, upper)}" creationDateTime="{WHEN}">'
        f'<Coding guid="{g(n + 500, upper)}" creatingUser="{g(user, upper)}" creationDateTime="{WHEN}">'
        f'<CodeRef targetGUID="{g(code, upper)}"/></Coding>{ref}</PlainTextSelection>'
    )


def notes(upper: bool) -> str:
    return f"""<Notes>
  <Note guid="{g(40, upper)}" name="Журнал" creatingUser="{g(10, upper)}" creationDateTime="{WHEN}"><PlainTextContent>Первое интервью в селе.</PlainTextContent></Note>
  <Note guid="{g(41, upper)}" name="О документе" creatingUser="{g(11, upper)}" creationDateTime="{WHEN}"><PlainTextContent>She avoids the word клиника.</PlainTextContent></Note>
  <Note guid="{g(42, upper)}" name="Код больница" creatingUser="{g(10, upper)}" creationDateTime="{WHEN}"><PlainTextContent>Только стационар.</PlainTextContent></Note>
  <Note guid="{g(43, upper)}" name="Сорок минут" creatingUser="{g(10, upper)}" creationDateTime="{WHEN}"><PlainTextContent>Проверить расстояние.</PlainTextContent></Note>
</Notes>"""


def cases_sets(upper: bool, source: int) -> str:
    return f"""<Variables><Variable guid="{g(60, upper)}" name="Возраст" typeOfVariable="Integer"/><Variable guid="{g(61, upper)}" name="Село" typeOfVariable="Text"/></Variables>
<Cases><Case guid="{g(62, upper)}" name="Айгүл"><VariableValue><VariableRef targetGUID="{g(60, upper)}"/><IntegerValue>47</IntegerValue></VariableValue><VariableValue><VariableRef targetGUID="{g(61, upper)}"/><TextValue>Караой</TextValue></VariableValue><SourceRef targetGUID="{g(source, upper)}"/></Case></Cases>
<Sets><Set guid="{g(63, upper)}" name="Сельские интервью"><MemberSource targetGUID="{g(source, upper)}"/></Set></Sets>"""


def text_project(tool: str, upper: bool, newline: str, inline: bool, name: str) -> None:
    """A text interview coded by two users: the tools' variants of one project."""
    text = newline.join(LINES)
    src = 20
    path = f"internal://{g(src, upper)}.txt"
    sels = "".join(
        [
            selection(100, text, "больница", 3, 10, upper),
            selection(101, text, "до аптеки ехать сорок минут", 2, 10, upper, note=43),
            selection(102, text, "Автобус ходит два раза в день", 4, 11, upper),
            selection(103, text, "емхана жоқ, врача нет", 1, 11, upper),
            selection(104, text, "больница закрылась", 1, 11, upper),  # overlaps 100, other coder
        ]
    )
    body = f"<PlainTextContent>{text}</PlainTextContent>" if inline else ""
    attr = "" if inline else f' plainTextPath="{path}"'
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {SCHEMA} name="Село {tool}" origin="{tool}" creatingUserGUID="{g(10, upper)}" creationDateTime="{WHEN}">
{users(upper)}
{codebook(upper)}
{cases_sets(upper, src)}
<Sources><TextSource guid="{g(src, upper)}" name="Интервью Айгүл"{attr} creatingUser="{g(10, upper)}" creationDateTime="{WHEN}">{body}{sels}<NoteRef targetGUID="{g(41, upper)}"/></TextSource></Sources>
{notes(upper)}
<NoteRef targetGUID="{g(40, upper)}"/>
</Project>"""
    files = {} if inline else {f"sources/{g(src, upper)}.txt": text.encode("utf-8")}
    qdpx(name, qde, files)
    qdc = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="{tool}">{codebook(upper)[len("<CodeBook>") :]}"""
    (HERE / name.replace(".qdpx", ".qdc")).write_text(qdc, encoding="utf-8")


def audio_project() -> None:
    """An ATLAS.ti-style recording with its transcript: sync points at each line, a coded
    transcript selection and a plain-text selection on Cyrillic words."""
    text = "\n".join(LINES)
    starts = [0] + [len("\n".join(LINES[: i + 1])) + 1 for i in range(len(LINES) - 1)]
    times = [0, 3500, 8200, 10400]
    sync = "".join(
        f'<SyncPoint guid="{g(200 + i)}" position="{p}" timeStamp="{t}"/>'
        for i, (p, t) in enumerate(zip(starts, times, strict=True))
    )
    s, e = pos(text, "больница закрылась")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {SCHEMA} name="Село ATLAS.ti" origin="ATLAS.ti 23.1.0">
{users(False)}
{codebook(False)}
<Sources><AudioSource guid="{g(30)}" name="Фокус-группа" path="internal://{g(30)}.wav" creatingUser="{g(10)}" creationDateTime="{WHEN}">
<Transcript guid="{g(31)}" name="Фокус-группа (расшифровка)" plainTextPath="internal://{g(31)}.txt" creatingUser="{g(10)}" creationDateTime="{WHEN}">
{sync}
<TranscriptSelection guid="{g(210)}" name="автобус" fromSyncPoint="{g(202)}" toSyncPoint="{g(203)}" creatingUser="{g(11)}"><Coding guid="{g(211)}" creatingUser="{g(11)}"><CodeRef targetGUID="{g(4)}"/></Coding></TranscriptSelection>
</Transcript>
<AudioSelection guid="{g(220)}" name="про аптеку" begin="3500" end="8200" creatingUser="{g(10)}"><Coding guid="{g(221)}" creatingUser="{g(10)}"><CodeRef targetGUID="{g(2)}"/></Coding></AudioSelection>
<NoteRef targetGUID="{g(41)}"/>
</AudioSource></Sources>
{notes(False)}
</Project>"""
    del s, e
    qdpx(
        "atlas_audio.qdpx",
        qde,
        {f"sources/{g(30)}.wav": silence_wav(12.0), f"sources/{g(31)}.txt": text.encode("utf-8")},
    )


def bom_project() -> None:
    """QualCoder, of a text imported from a file saved with a byte order mark (Notepad's
    UTF-8): the mark stayed the text's first character, so the file holds it and every
    position counts it; each selection's name is its text."""
    text = "\ufeff" + "\n".join(LINES)
    sels = ""
    for n, (words, code) in enumerate([("больница", 3), ("емхана жоқ, врача нет", 1)]):
        s, e = pos(text, words)
        sels += (
            f'<PlainTextSelection guid="{g(300 + n)}" name="{words}" startPosition="{s}" '
            f'endPosition="{e}" creatingUser="{g(10)}"><Coding guid="{g(310 + n)}" '
            f'creatingUser="{g(10)}"><CodeRef targetGUID="{g(code)}"/></Coding></PlainTextSelection>'
        )
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {SCHEMA} name="Село BOM" origin="QualCoder 3.5" creatingUserGUID="{g(10)}">
{users(False)}
{codebook(False)}
<Sources><TextSource guid="{g(20)}" name="Интервью из Блокнота" plainTextPath="internal://{g(20)}.txt">{sels}</TextSource></Sources>
</Project>"""
    qdpx("qualcoder_bom.qdpx", qde, {f"sources/{g(20)}.txt": text.encode("utf-8")})


def cp866_names_project() -> None:
    """An older Windows tool's zip: its member names in the DOS code page (cp866) without the
    zip's UTF-8 mark, the text named by its Cyrillic file name (written byte by byte here:
    Python's zipfile marks every non-ASCII name UTF-8)."""
    text = "\n".join(LINES)
    s, e = pos(text, "больница")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {SCHEMA} name="Село cp866" origin="MAXQDA 2018">
{codebook(True)}
<Sources><TextSource guid="{g(20, True)}" name="Интервью" plainTextPath="internal://Интервью Айгуль.txt">
<PlainTextSelection guid="{g(100, True)}" name="больница" startPosition="{s}" endPosition="{e}"><Coding guid="{g(101, True)}"><CodeRef targetGUID="{g(3, True)}"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""
    entries = [
        (b"project.qde", qde.encode("utf-8")),
        ("sources/Интервью Айгуль.txt".encode("cp866"), text.encode("utf-8")),
    ]
    out, central = bytearray(), bytearray()
    for name, data in entries:
        crc, offset = zlib.crc32(data), len(out)
        sizes = (crc, len(data), len(data), len(name))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x5865, *sizes, 0)
        out += name + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x5865, *sizes, 0, 0, 0, 0, 0, offset
        )
        central += name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(central), len(out), 0)
    (HERE / "maxqda_cp866.qdpx").write_bytes(bytes(out + central + end))


def minimal_project() -> None:
    """No Users, no CodeBook, no Notes: one text held in the file itself."""
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Минимум"><Sources><TextSource guid="{g(70)}" name="Заметка"><PlainTextContent>Просто текст без кодов.</PlainTextContent></TextSource></Sources></Project>"""
    qdpx("minimal.qdpx", qde, {})


def bad_files() -> None:
    good = (HERE / "qualcoder.qdpx").read_bytes()
    (HERE / "bad_truncated.qdpx").write_bytes(good[: len(good) // 2])
    qdpx(
        "bad_xml.qdpx",
        f'<?xml version="1.0"?><Project xmlns="{NS}" name="x"><Sources><TextSource',
        {},
    )
    with (
        zipfile.ZipFile(HERE / "qualcoder.qdpx") as src,
        zipfile.ZipFile(HERE / "bad_missing_source.qdpx", "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        dst.writestr(member("project.qde"), src.read("project.qde"))


def transcripts() -> None:
    """The interview as noScribe, oTranscribe, Otter, Word, SubRip and WebVTT write it."""
    turns = [
        (0, 3400, "S00", LINES[0]),
        (3500, 8100, "S01", LINES[1]),
        (8200, 10300, "S00", LINES[2]),
        (10400, 11900, "S01", LINES[3]),
    ]
    turns = [(a, b, s, t.split(": ", 1)[1]) for a, b, s, t in turns]

    def hms(ms: int, sep: str = ",") -> str:
        return (
            f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"
        )

    paras = "".join(
        f'<p><span style=" font-family:Arial;"><a name="ts_{a}_{b}_{s}">{s}: {t}</a></span></p>\n'
        for a, b, s, t in turns
    )
    (HERE / "noscribe.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="UTF-8"><meta name="audio_source" content="село.mp3"></head>'
        '<body style="font-family:Arial"><p style="font-weight:600">село</p>'
        '<p style="color:#909090;">Transcribed with noScribe vers. 0.4.5</p>\n'
        + paras
        + "</body></html>",
        encoding="utf-8",
    )
    html = "".join(
        f'<p><span class="timestamp" data-timestamp="{a / 1000}">{a // 60000:02d}:{a // 1000 % 60:02d}</span> {"Интервьюер" if s == "S00" else "Айгүл"}: {t}</p>'
        for a, _b, s, t in turns
    )
    (HERE / "otranscribe.otr").write_text(
        json.dumps({"text": html, "media": "село.mp3", "media-time": 11.9}, ensure_ascii=False),
        encoding="utf-8",
    )
    otter = "".join(
        f"{'Speaker 1' if s == 'S00' else 'Speaker 2'}  {a // 60000}:{a // 1000 % 60:02d}\n{t}\n\n"
        for a, _b, s, t in turns
    )
    (HERE / "otter.txt").write_text(otter, encoding="utf-8")
    srt = "".join(
        f"{i}\r\n{hms(a)} --> {hms(b)}\r\n{t}\r\n\r\n" for i, (a, b, _s, t) in enumerate(turns, 1)
    )
    (HERE / "bom_crlf.srt").write_bytes(b"\xef\xbb\xbf" + srt.encode("utf-8"))
    vtt = "WEBVTT\r\n\r\n" + "".join(
        f"{hms(a, '.')} --> {hms(b, '.')}\r\n<v {'Интервьюер' if s == 'S00' else 'Айгүл Б.'}>{t}</v>\r\n\r\n"
        for a, b, s, t in turns
    )
    (HERE / "voices.vtt").write_bytes(b"\xef\xbb\xbf" + vtt.encode("utf-8"))
    docx_transcript([(a, "Интервьюер" if s == "S00" else "Айгүл", t) for a, _b, s, t in turns])


def docx_transcript(rows: list[tuple[int, str, str]]) -> None:
    """A Word document of "[00:00:03] Айгүл: ..." paragraphs (written by hand, no library)."""

    def para(text: str) -> str:
        return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'

    body = para("Интервью, село Караой") + "".join(
        para(f"[{a // 3600000:02d}:{a // 60000 % 60:02d}:{a // 1000 % 60:02d}] {who}: {t}")
        for a, who, t in rows
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member("[Content_Types].xml"), types)
        zf.writestr(member("_rels/.rels"), rels)
        zf.writestr(member("word/document.xml"), document)
    (HERE / "timestamps.docx").write_bytes(buf.getvalue())


if __name__ == "__main__":
    text_project("QualCoder 3.5", upper=False, newline="\n", inline=False, name="qualcoder.qdpx")
    text_project("NVivo 14", upper=True, newline="\r\n", inline=False, name="nvivo.qdpx")
    text_project("MAXQDA 2022", upper=True, newline="\r\n", inline=True, name="maxqda.qdpx")
    audio_project()
    bom_project()
    cp866_names_project()
    minimal_project()
    bad_files()
    transcripts()

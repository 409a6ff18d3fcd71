"""One coded study as each tool's export shapes it, all at once: NVivo (upper-case GUIDs, in
braces too, a UTF-8 BOM before the XML, CRLF texts with BOMs, sources in a Cyrillic subfolder,
Windows backslashes), MAXQDA (texts inside the XML), ATLAS.ti (a capitalised ``Sources``
folder), QualCoder (Cyrillic file names). Each has nested codes with descriptions in three
languages and colours written three ways, typed case variables, a set of sources and one of
codes, a graph, a link (exported again) and notes; the selections count code points through
Kazakh letters, emoji with joiners and a letter outside the Basic Multilingual Plane. Each
import lands every coding on its words, its export is valid against the REFI-QDA schema, and
importing that gives the same project."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from lxml import etree

from storage import Project
from storage.interop import export_qdpx, import_qdpx
from tests.interop_support import SCHEMA

TEXTS = (
    "Интервьюер: Сәлеметсіз бе! 😀 Қалайсыз?\n"
    "Айгүл: Біздің ауылда емхана жоқ 👩‍⚕️, больница закрылась.\n"
    "Интервьюер: А транспорт? 🚌",
    "Ерлан: Мен 𝔸 мектепте жұмыс істеймін.\nЕрлан: Жалақы аз, но мы справляемся. 🙂",
)
CODED = [  # (source, words, code)
    (0, "емхана жоқ 👩‍⚕️", "Емхана"),
    (0, "больница закрылась", "Жабылу 😞"),
    (0, "А транспорт? 🚌", "Транспорт"),
    (0, "😀 Қалайсыз", "Денсаулық"),
    (1, "𝔸 мектепте жұмыс", "Жұмыс"),
    (1, "но мы справляемся. 🙂", "Жұмыс"),
]


def _g(n: int) -> str:
    return f"{n:08x}-2222-4222-8222-{n:012x}"


def _qde(origin: str, texts: tuple[str, ...], paths: tuple[str, str] | None) -> str:
    codes = (
        f'<Code guid="{_g(10)}" name="Денсаулық" isCodable="true" color="#E53935">'
        "<Description>Денсаулық сақтау. Здравоохранение. Health care.</Description>"
        f'<Code guid="{_g(11)}" name="Емхана" isCodable="true" color="#43a047">'
        "<Description>Қазақша: ауылдағы емхана\nРусский: сельская больница\nEnglish: clinic"
        f'</Description><Code guid="{_g(12)}" name="Жабылу 😞" isCodable="true" color="#18E"/>'
        f'</Code></Code><Code guid="{_g(13)}" name="Транспорт" isCodable="true"/>'
        f'<Code guid="{_g(14)}" name="Жұмыс" isCodable="true" color="#8E24AA"/>'
    )
    code_of = {"Денсаулық": 10, "Емхана": 11, "Жабылу 😞": 12, "Транспорт": 13, "Жұмыс": 14}

    def selections(n: int) -> str:
        out = ""
        for k, (source, words, code) in enumerate(CODED):
            if source == n:
                start = texts[n].index(words)
                out += (
                    f'<PlainTextSelection guid="{_g(100 + 2 * k)}" startPosition="{start}" '
                    f'endPosition="{start + len(words)}" creatingUser="{_g(1)}"><Coding '
                    f'guid="{_g(101 + 2 * k)}" creatingUser="{_g(1)}"><CodeRef '
                    f'targetGUID="{_g(code_of[code])}"/></Coding></PlainTextSelection>'
                )
        return out

    def source(n: int) -> str:
        where = f" plainTextPath={quoteattr(paths[n])}" if paths else ""
        inline = "" if paths else f"<PlainTextContent>{escape(texts[n])}</PlainTextContent>"
        return (
            f'<TextSource guid="{_g(20 + n)}" name="Сұхбат {n + 1}"{where}>{inline}'
            f"{selections(n)}"
            + (f'<NoteRef targetGUID="{_g(90)}"/>' if n == 0 else "")
            + "</TextSource>"
        )

    def value(var: int, kind: str, v: str) -> str:
        return (
            f'<VariableValue><VariableRef targetGUID="{_g(var)}"/><{kind}Value>{v}</{kind}Value>'
            "</VariableValue>"
        )

    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="Ауыл денсаулығы" origin="{origin}"><Users><User guid="{_g(1)}" name="Айгерим"/>'
        f"</Users><CodeBook><Codes>{codes}</Codes></CodeBook><Variables>"
        f'<Variable guid="{_g(30)}" name="Жасы" typeOfVariable="Integer"/>'
        f'<Variable guid="{_g(31)}" name="Келісім" typeOfVariable="Boolean"/>'
        f'<Variable guid="{_g(32)}" name="Күні" typeOfVariable="Date"/></Variables><Cases>'
        f'<Case guid="{_g(40)}" name="Айгүл">{value(30, "Integer", "47")}'
        f"{value(31, 'Boolean', '1')}{value(32, 'Date', '2024-05-03')}"
        f'<SourceRef targetGUID="{_g(20)}"/></Case></Cases>'
        f"<Sources>{source(0)}{source(1)}</Sources><Notes>"
        f'<Note guid="{_g(90)}" name="Бірінші"><PlainTextContent>Шулы бөлме 🙂.'
        "</PlainTextContent></Note></Notes><Links>"
        f'<Link guid="{_g(60)}" direction="OneWay" originGUID="{_g(12)}" targetGUID="{_g(13)}"/>'
        f'</Links><Sets><Set guid="{_g(70)}" name="Ауыл"><MemberSource targetGUID="{_g(20)}"/>'
        f'<MemberSource targetGUID="{_g(21)}"/></Set><Set guid="{_g(71)}" name="Кодтар">'
        f'<MemberCode targetGUID="{_g(11)}"/></Set></Sets><Graphs><Graph guid="{_g(80)}">'
        f'<Vertex guid="{_g(81)}" representedGUID="{_g(11)}" firstX="1" firstY="2"/></Graph>'
        "</Graphs></Project>"
    )


SHAPES = {
    # tool: (origin, GUIDs, BOM before the XML, CRLF texts, paths in the XML, archive members)
    "nvivo": ("NVivo 14", "upper", True, True, ("internal://Сұхбаттар\\1.txt", "internal://2.txt"),
              ("sources/Сұхбаттар/1.txt", "sources/2.txt")),
    "nvivo-braces": ("NVivo 12", "braces", False, False, ("internal://1.txt", "internal://2.txt"),
                     ("sources/1.txt", "sources/2.txt")),
    "maxqda": ("MAXQDA 24", "lower", False, False, None, ()),
    "atlas": ("ATLAS.ti 24", "lower", False, False, ("internal://a/1.txt", "internal://a/b/2.txt"),
              ("Sources/a/1.txt", "Sources/a/b/2.txt")),
    "qualcoder": ("QualCoder 3.6", "lower", False, False,
                  ("internal://Сұхбат Айгүл.txt", "internal://Сұхбат Ерлан.txt"),
                  ("sources/Сұхбат Айгүл.txt", "sources/Сұхбат Ерлан.txt")),
}  # fmt: skip


def _coded(folder: Path) -> dict[str, object]:
    with Project.open(folder, readonly=True) as p:
        codes = {c.id: c.name for c in p.codebook.codes()}
        segments = {s.id: s for x in p.sessions.all() for s in p.transcript.segments(x.id)}
        return {
            "codings": sorted(
                (segments[c.segment_id].text[c.start_cp : c.end_cp], codes[c.code_id])
                for c in p.codebook.codings()
            ),
            "codes": sorted((c.path, c.colour, c.description) for c in p.codebook.codes()),
            "people": sorted((x.pseudonym, x.attributes) for x in p.sessions.participants()),
            "memos": sorted((m.target_type, m.text) for m in p.codebook.memos()),
        }


@pytest.mark.parametrize("tool", sorted(SHAPES))
def test_each_tools_shape_arrives_and_goes_out_valid(tmp_path: Path, tool: str) -> None:
    origin, guids, bom, crlf, paths, members = SHAPES[tool]
    texts = tuple(t.replace("\n", "\r\n") for t in TEXTS) if crlf else TEXTS
    qde = _qde(origin, texts, paths)
    if guids != "lower":
        qde = re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", lambda m: m[0].upper(), qde)
    if guids == "braces":
        qde = re.sub(r'"([0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12})"', r'"{\1}"', qde)
    archive = tmp_path / f"{tool}.qdpx"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", (b"\xef\xbb\xbf" if bom else b"") + qde.encode())
        for member, text in zip(members, texts[: len(members)], strict=True):
            zf.writestr(member, text.encode("utf-8-sig" if bom else "utf-8"))
    report = import_qdpx(archive, tmp_path / "p", coder="me")
    assert (report.sessions, report.codings, report.participants) == (2, 6, 1)
    got = _coded(tmp_path / "p")
    assert got["codings"] == sorted((words, code) for _s, words, code in CODED)
    assert ("Айгүл", {"Жасы": "47", "Келісім": "true", "Күні": "2024-05-03"}) in got["people"]  # type: ignore[operator]
    assert ("Денсаулық/Емхана", "#43a047", "Қазақша: ауылдағы емхана\nРусский: сельская "
            "больница\nEnglish: clinic") in got["codes"]  # type: ignore[operator]  # fmt: skip
    with Project.open(tmp_path / "p") as p:
        export_qdpx(p, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        root = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    types = {
        v.get("name"): v.get("typeOfVariable")
        for v in root.iterfind(".//{urn:QDA-XML:project:1.0}Variable")
    }
    assert (types["Жасы"], types["Келісім"], types["Күні"]) == ("Integer", "Boolean", "Date")
    # the link between two codes goes back out (it was reported and lost)
    (link,) = root.iterfind(".//{urn:QDA-XML:project:1.0}Link")
    ends = (link.get("guid"), link.get("originGUID"), link.get("targetGUID"), link.get("direction"))
    assert ends == (_g(60), _g(12), _g(13), "OneWay")
    import_qdpx(tmp_path / "out.qdpx", tmp_path / "again", coder="me")
    assert _coded(tmp_path / "again") == got

"""Text positions as other tools count them: code points (QDA-XML), or UTF-16 code units,
two for a character outside the Basic Multilingual Plane (an emoji), as Windows and .NET tools
hold text; a Windows line end as two characters or one (ATLAS.ti)."""

# ruff: noqa: E501  (test data: XML as the tools write it)
from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.interop import import_qdpx
from storage.interop.qdpx_import.positions import Utf16
from tests.interop_support import write_qdpx

USER = "AB000000-0000-4000-8000-000000000001"
CODE = "C0000000-0000-4000-8000-000000000001"
SRC = "D0000000-0000-4000-8000-000000000001"
WORDS = ["Сәлем", "қалада", "жұмыс", "Ғылым", "үйде", "Өмір", "ұлттық", "һәм", "іздеу", "ответ",
         "привет", "school", "работа", "шаңырақ", "көрдім", "Almaty"]  # fmt: skip
EMOJI = ["😀", "👨‍👩‍👧", "🌹", "𝔸𝔹", "🇰🇿"]


def units(text: str, index: int, utf16: bool, crlf_one: bool) -> int:
    """Where code point ``index`` of ``text`` lies as a tool counts it."""
    before = text[:index]
    count = len(before.encode("utf-16-le")) // 2 if utf16 else len(before)
    return count - before.count("\r\n") if crlf_one else count


def text_project(
    origin: str, text: str, spans: list[tuple[int, int, str | None]], *, inline: bool = False
) -> str:
    """A project of one text source whose text is ``internal://SRC.txt`` or, ``inline``, in
    the XML itself (``PlainTextContent``, its line ends as the tool wrote them)."""
    sels = "".join(
        f'<PlainTextSelection guid="E0000000-0000-4000-8000-{n:012d}"'
        + (f' name="{html.escape(name)}"' if name is not None else "")
        + f' startPosition="{a}" endPosition="{b}" creatingUser="{USER}">'
        f'<Coding guid="F0000000-0000-4000-8000-{n:012d}" creatingUser="{USER}">'
        f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        for n, (a, b, name) in enumerate(spans)
    )
    where = f' plainTextPath="internal://{SRC}.txt"'
    if inline:
        where, sels = "", f"<PlainTextContent>{html.escape(text)}</PlainTextContent>{sels}"
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Жоба" origin="{origin}">
<Users><User guid="{USER}" name="Әсел"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="Тақырып" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{SRC}" name="Сұхбат"{where}>{sels}</TextSource></Sources>
</Project>"""


def coded(folder: Path) -> list[str]:
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        segments = {g.id: g for g in p.transcript.segments(session.id)}
        order = list(segments)
        out = []
        for c in sorted(
            p.codebook.codings(), key=lambda c: (order.index(c.segment_id), c.start_cp or 0)
        ):
            # the last line keeps the text's final line end (a round trip keeps every character)
            out.append(segments[c.segment_id].text[c.start_cp : c.end_cp].rstrip("\r\n"))
        return out


def test_utf16_offsets_become_code_points() -> None:
    text = "a😀b👨‍👩‍👧c"
    units16 = Utf16(text)
    for index in range(len(text) + 1):
        assert units16.to_cp(len(text[:index].encode("utf-16-le")) // 2) == index
    assert units16.to_cp(2) == 1  # inside the surrogate pair of 😀: before it


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """Lines of unique words with emoji among them, and spans of words within one line."""
    words = iter(draw(st.permutations(WORDS)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines: list[list[str]] = []
    for _ in range(draw(st.integers(2, 4))):
        line = []
        for _ in range(draw(st.integers(1, 3))):
            line += [*draw(st.lists(st.sampled_from(EMOJI), max_size=2)), next(words)]
        lines.append(line)
    text = newline.join(" ".join(line) for line in lines) + newline
    spans = []
    for number in draw(st.lists(st.integers(0, len(lines) - 1), min_size=1, max_size=3)):
        line = lines[number]
        firsts = [i for i, word in enumerate(line) if word in WORDS]
        first = draw(st.sampled_from(firsts))
        last = draw(st.integers(first, len(line) - 1))
        offset = sum(len(" ".join(x)) + len(newline) for x in lines[:number])
        start = offset + len(" ".join(line[:first])) + (1 if first else 0)
        spans.append((start, start + len(" ".join(line[first : last + 1]))))
    return text, spans


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    document=documents(),
    utf16=st.booleans(),
    crlf_one=st.booleans(),
    origin=st.sampled_from(
        ["ATLAS.ti 9.1.3 (Windows)", "MAXQDA 2022", "NVivo 14", "QualCoder 3.6"]
    ),
    inline=st.booleans(),
)
def test_selections_that_quote_their_text_land_on_it_however_positions_are_counted(
    tmp_path_factory: pytest.TempPathFactory,
    document: tuple[str, list[tuple[int, int]]],
    utf16: bool,
    crlf_one: bool,
    origin: str,
    inline: bool,
) -> None:
    """A tool that counts UTF-16 code units (an emoji two) put every coding after an emoji
    that many characters too far: "ш балам бар " for "үш балам бар", silently, at best with
    a note that a selection reaches past the end. ATLAS.ti, MAXQDA and QualCoder name a
    selection by its text: the reading under which the names match is the file's. A text in
    the XML itself (``PlainTextContent``) lost its CRs to the parser, and a Windows tool's
    positions counting them put each coding a character further per line before it."""
    text, spans = document
    tmp = tmp_path_factory.mktemp("units")
    qde = text_project(
        origin,
        text,
        [
            (units(text, a, utf16, crlf_one), units(text, b, utf16, crlf_one), text[a:b])
            for a, b in spans
        ],
        inline=inline,
    )
    archive = write_qdpx(
        tmp / "p.qdpx", qde, {f"sources/{SRC}.txt": b"\xef\xbb\xbf" + text.encode()}
    )
    report = import_qdpx(archive, tmp / "p.fieldscribe", coder="me")
    expected = sorted(text[a:b] for a, b in dict.fromkeys(spans))
    assert sorted(coded(tmp / "p.fieldscribe")) == expected
    said = any("UTF-16" in note for note in report.notes)
    counted = units(text, len(text), True, False) != len(text)
    assert not said or (utf16 and counted)


NVIVO_TEXT = "I: Отбасыңыз туралы айтыңыз 🙂\r\nR: Менің үш балам бар 👨‍👩‍👧, жұмыс істеймін.\r\nI: Рахмет 🌹 спасибо\r\n"


def test_unnamed_selections_past_the_end_in_code_points_are_read_as_utf16_units(
    tmp_path: Path,
) -> None:
    """NVivo names no selection; its last one ran past the end of the text read in code
    points, and every coding after an emoji was moved: "бо\\n" for "спасибо"."""
    frags = ["үш балам бар", "жұмыс істеймін", "спасибо"]
    spans = []
    for frag in frags:
        a = NVIVO_TEXT.index(frag)
        spans.append(
            (units(NVIVO_TEXT, a, True, False), units(NVIVO_TEXT, a + len(frag), True, False), None)
        )
    archive = write_qdpx(
        tmp_path / "n.qdpx",
        text_project("NVivo 14", NVIVO_TEXT, spans),
        {f"sources/{SRC}.txt": b"\xff\xfe" + NVIVO_TEXT.encode("utf-16-le")},
    )
    report = import_qdpx(archive, tmp_path / "n.fieldscribe", coder="me")
    assert coded(tmp_path / "n.fieldscribe") == frags
    assert any("UTF-16 code units" in note for note in report.notes)
    assert not any("past the end" in note for note in report.notes)


def test_code_points_with_emoji_stay_code_points(tmp_path: Path) -> None:
    """A file counting code points, as QDA-XML says, is read so (no note), named or not."""
    frags = ["үш балам бар", "жұмыс істеймін", "спасибо"]
    spans = [(NVIVO_TEXT.index(f), NVIVO_TEXT.index(f) + len(f), None) for f in frags]
    archive = write_qdpx(
        tmp_path / "q.qdpx",
        text_project("QualCoder 3.6", NVIVO_TEXT, spans),
        {f"sources/{SRC}.txt": NVIVO_TEXT.encode()},
    )
    report = import_qdpx(archive, tmp_path / "q.fieldscribe", coder="me")
    assert coded(tmp_path / "q.fieldscribe") == frags
    assert not any("UTF-16" in note for note in report.notes)


TRANSCRIPT = "Айгүл: Сәлеметсіз бе 👋!\r\nИван: Здравствуйте 😀😀, начнём.\r\nАйгүл: Жақсы 🌹.\r\n"


@pytest.mark.parametrize("utf16", [False, True])
def test_transcript_sync_points_counted_in_utf16_units(tmp_path: Path, utf16: bool) -> None:
    """A transcript's sync points and selections after an emoji, counted in UTF-16 units,
    put a turn's time and a coding on the wrong characters ("ачнём," for "начнём")."""

    def at(fragment: str, plus: int = 0) -> int:
        return units(TRANSCRIPT, TRANSCRIPT.index(fragment) + plus, utf16, False)

    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="NVivo 14">
<Users><User guid="{USER}" name="Әсел"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="Сәлем" isCodable="true"/></Codes></CodeBook>
<Sources><AudioSource guid="{SRC}" name="Жазба" path="internal://a.mp3">
<Transcript guid="D0000000-0000-4000-8000-000000000002" plainTextPath="internal://tr.txt">
<SyncPoint guid="E0000000-0000-4000-8000-000000000001" position="0" timeStamp="0"/>
<SyncPoint guid="E0000000-0000-4000-8000-000000000002" position="{at("Иван")}" timeStamp="4000"/>
<SyncPoint guid="E0000000-0000-4000-8000-000000000003" position="{at("Айгүл: Жақсы")}" timeStamp="9000"/>
<SyncPoint guid="E0000000-0000-4000-8000-000000000004" position="{at("начнём")}" timeStamp="6000"/>
<SyncPoint guid="E0000000-0000-4000-8000-000000000005" position="{at("начнём", 6)}" timeStamp="7000"/>
<TranscriptSelection guid="F0000000-0000-4000-8000-000000000001" name="начнём" fromSyncPoint="E0000000-0000-4000-8000-000000000004" toSyncPoint="E0000000-0000-4000-8000-000000000005" creatingUser="{USER}">
<Coding guid="F0000000-0000-4000-8000-000000000002" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding></TranscriptSelection>
</Transcript></AudioSource></Sources></Project>"""
    archive = write_qdpx(
        tmp_path / "t.qdpx", qde, {"sources/tr.txt": b"\xff\xfe" + TRANSCRIPT.encode("utf-16-le")}
    )
    report = import_qdpx(archive, tmp_path / "t.fieldscribe", coder="me")
    with Project.open(tmp_path / "t.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        assert [(g.start_ms, g.speaker, g.text) for g in segments] == [
            (0, "Айгүл", "Сәлеметсіз бе 👋!"),
            (4000, "Иван", "Здравствуйте 😀😀, начнём."),
            (9000, "Айгүл", "Жақсы 🌹."),
        ]
    assert coded(tmp_path / "t.fieldscribe") == ["начнём"]
    assert any("UTF-16" in note for note in report.notes) == utf16


def test_a_text_in_the_xml_keeps_its_windows_line_ends_counted(tmp_path: Path) -> None:
    """A text written in the project file itself (``PlainTextContent``) with CRLF line ends:
    the XML parser reads each as LF, and the positions, counting two, put each coding one
    character further per line before it ("ақсы, рахмет." for "Жақсы, рахмет")."""
    text = "Интервьюер: Как дела?\r\nӘлия: Жақсы, рахмет.\r\nИнтервьюер: Спасибо большое.\r\n"
    frags = ["Жақсы, рахмет", "Спасибо большое"]
    spans = [(text.index(f), text.index(f) + len(f), f) for f in frags]
    archive = write_qdpx(tmp_path / "x.qdpx", text_project("MAXQDA 2022", text, spans, inline=True))
    report = import_qdpx(archive, tmp_path / "x.fieldscribe", coder="me")
    assert coded(tmp_path / "x.fieldscribe") == frags
    assert any("which XML reads as LF" in note for note in report.notes)


def test_a_transcript_in_the_xml_keeps_its_windows_line_ends_counted(tmp_path: Path) -> None:
    """The same for a recording's transcript in ``PlainTextContent``: its sync points, past
    each lost CR, started turns and codings a character late ("ван: Здравствуйте" as a
    segment, with no speaker)."""
    text = "Айгүл: Сәлеметсіз бе!\r\nИван: Здравствуйте, начнём.\r\nАйгүл: Жақсы, рахмет.\r\n"

    def at(fragment: str, plus: int = 0) -> int:
        return text.index(fragment) + plus

    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="NVivo 14">
<Users><User guid="{USER}" name="Әсел"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="Сәлем" isCodable="true"/></Codes></CodeBook>
<Sources><AudioSource guid="{SRC}" name="Жазба" path="internal://a.mp3">
<Transcript guid="D0000000-0000-4000-8000-000000000002"><PlainTextContent>{text}</PlainTextContent>
<SyncPoint guid="E0000000-0000-4000-8000-000000000001" position="0" timeStamp="0"/>
<SyncPoint guid="E0000000-0000-4000-8000-000000000002" position="{at("Иван")}" timeStamp="4000"/>
<SyncPoint guid="E0000000-0000-4000-8000-000000000003" position="{at("Айгүл: Жақсы")}" timeStamp="9000"/>
<SyncPoint guid="E0000000-0000-4000-8000-000000000004" position="{at("начнём")}" timeStamp="6000"/>
<SyncPoint guid="E0000000-0000-4000-8000-000000000005" position="{at("начнём", 6)}" timeStamp="7000"/>
<TranscriptSelection guid="F0000000-0000-4000-8000-000000000001" name="начнём" fromSyncPoint="E0000000-0000-4000-8000-000000000004" toSyncPoint="E0000000-0000-4000-8000-000000000005" creatingUser="{USER}">
<Coding guid="F0000000-0000-4000-8000-000000000002" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding></TranscriptSelection>
</Transcript></AudioSource></Sources></Project>"""
    archive = write_qdpx(tmp_path / "t.qdpx", qde)
    report = import_qdpx(archive, tmp_path / "t.fieldscribe", coder="me")
    with Project.open(tmp_path / "t.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        assert [(g.start_ms, g.speaker, g.text) for g in p.transcript.segments(session.id)] == [
            (0, "Айгүл", "Сәлеметсіз бе!"),
            (4000, "Иван", "Здравствуйте, начнём."),
            (9000, "Айгүл", "Жақсы, рахмет."),
        ]
    assert coded(tmp_path / "t.fieldscribe") == ["начнём"]
    assert any("which XML reads as LF" in note for note in report.notes)

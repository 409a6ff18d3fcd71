"""REFI-QDA (.qdpx) import of the variations other tools write (QualCoder, NVivo, ATLAS.ti,
MAXQDA, Quirkos, Transana): each fixture is built here, imported, and the coded text compared
with what the file's selections say (code points, as QDA-XML counts them)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.errors import InvalidInputError
from storage.interop import import_qdpx

NS = "urn:QDA-XML:project:1.0"
CODE = "a1000000-0000-4000-8000-000000000001"
SRC = "a1000000-0000-4000-8000-000000000002"
SEL = "a1000000-0000-4000-8000-000000000003"
CODING = "a1000000-0000-4000-8000-000000000004"
NOTE = "a1000000-0000-4000-8000-000000000005"
TEXT = "Привет, мир 😀 қазақ тілі\nsecond line here\n"


def write(path: Path, qde: str | bytes, files: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def selection(start: int, end: int, code: str = CODE, guid: str = SEL) -> str:
    return (
        f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{guid[:-3]}9{guid[-2:]}"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection>"
    )


def project(sources: str, extra: str = "", *, xmlns: str = f' xmlns="{NS}"') -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project{xmlns} name="variant" origin="Other tool">'
        f'<CodeBook><Codes><Code guid="{CODE}" name="Feeling" isCodable="true"/></Codes>'
        f"</CodeBook><Sources>{sources}</Sources>{extra}</Project>"
    )


def text_source(path: str, *selections: str) -> str:
    body = "".join(selections)
    return f'<TextSource guid="{SRC}" name="doc" plainTextPath="{path}">{body}</TextSource>'


def coded(folder: Path) -> list[tuple[str, str]]:
    """(code path, coded text) of every coding in a project."""
    out = []
    with Project.open(folder, readonly=True) as p:
        segments = {g.id: g for s in p.sessions.all() for g in p.transcript.segments(s.id)}
        for c in p.codebook.codings():
            text = segments[c.segment_id].text
            if c.start_cp is not None:
                text = text[c.start_cp : c.end_cp]
            out.append((p.codebook.get_code(c.code_id).path, text))
    return sorted(out)


def span(text: str, fragment: str) -> tuple[int, int]:
    start = text.index(fragment)
    return start, start + len(fragment)


def import_one(tmp_path: Path, qde: str | bytes, files: dict[str, bytes] | None = None):
    archive = write(tmp_path / "in.qdpx", qde, files)
    folder = tmp_path / "out.fieldscribe"
    report = import_qdpx(archive, folder, coder="me")
    return report, folder


def test_project_without_namespace_is_read(tmp_path: Path) -> None:
    """A project.qde without the QDA-XML namespace (hand-made or older exporters) reads the
    same as one with it."""
    s, e = span(TEXT, "мир 😀 қ")
    qde = project(text_source("internal://a.txt", selection(s, e)), xmlns="")
    _report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    assert coded(folder) == [("Feeling", "мир 😀 қ")]


def test_other_root_element_is_still_refused(tmp_path: Path) -> None:
    archive = write(tmp_path / "in.qdpx", '<?xml version="1.0"?><Codebook xmlns="x"/>')
    with pytest.raises(InvalidInputError, match="not a QDA-XML project"):
        import_qdpx(archive, tmp_path / "out", coder="me")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("path", "member"),
    [
        ("internal://my%20file.txt", "sources/my file.txt"),  # URI-escaped name
        ("internal://%D0%98%D0%BD%D1%82%D0%B5%D1%80%D0%B2%D1%8C%D1%8E.txt", "sources/Интервью.txt"),
        ("internal://sub\\a b.txt", "sources/sub/a b.txt"),  # Windows separator
        ("internal://Интервью 1.txt", "sources/Интервью 1.txt"),
        ("internal://sub/a.txt", "Sources/sub/a.txt"),
    ],
)
def test_internal_paths_as_tools_write_them(tmp_path: Path, path: str, member: str) -> None:
    s, e = span(TEXT, "second line")
    qde = project(text_source(path, selection(s, e)))
    report, folder = import_one(tmp_path, qde, {member: TEXT.encode()})
    assert coded(folder) == [("Feeling", "second line")], report.describe()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-8-sig"])
def test_text_sources_in_utf16_without_bom(tmp_path: Path, encoding: str) -> None:
    """NVivo writes UTF-16 text; without a byte order mark it was read as UTF-8 (NULs)."""
    s, e = span(TEXT, "қазақ")
    qde = project(text_source("internal://a.txt", selection(s, e)))
    _report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode(encoding)})
    assert coded(folder) == [("Feeling", "қазақ")]
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        assert all("\x00" not in g.text for g in p.transcript.segments(session.id))


def test_doctype_without_entities_is_read(tmp_path: Path) -> None:
    s, e = span(TEXT, "second")
    qde = project(text_source("internal://a.txt", selection(s, e)))
    qde = qde.replace("?>", "?><!DOCTYPE Project>", 1)
    _report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    assert coded(folder) == [("Feeling", "second")]


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE Project [<!ENTITY x "boom">]>',
        '<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE Project SYSTEM "http://127.0.0.1:1/evil.dtd">',
        '<!DOCTYPE Project [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    ],
)
def test_doctype_with_entities_is_refused_and_nothing_written(tmp_path: Path, doctype: str) -> None:
    qde = project(text_source("internal://a.txt"), '<Notes><Note guid="' + NOTE + '"/></Notes>')
    qde = qde.replace("?>", "?>" + doctype, 1).replace('name="variant"', 'name="&x;"')
    if "ENTITY x" not in doctype:
        qde = qde.replace('name="&x;"', 'name="v"')
    archive = write(tmp_path / "in.qdpx", qde, {"sources/a.txt": b"x"})
    with Project.create(tmp_path / "p", name="P", coder="me"):
        pass
    before = (tmp_path / "p" / "project.db").read_bytes()
    if "SYSTEM" in doctype and "ENTITY" not in doctype:
        # an external DTD is never fetched; the file reads without it
        import_qdpx(archive, tmp_path / "q", coder="me")
        with Project.open(tmp_path / "q", readonly=True) as p:
            assert [s.title for s in p.sessions.all()] == ["doc"]
        return
    with pytest.raises(InvalidInputError) as info:
        import_qdpx(archive, tmp_path / "p", coder="me")
    assert "\n" not in str(info.value) and "entit" in str(info.value).lower()
    assert (tmp_path / "p" / "project.db").read_bytes() == before


# --- property: any text, any selections, as the spec counts them, come back as the same text

_LETTERS = "әғқңөұүһіабвгдеёжзийклмнопрстуфхцчшщъыьэюяАӘҒҚabcXYZ😀🇰🇿é"
_line = st.text(alphabet=_LETTERS + " ,.!?", min_size=1, max_size=30).filter(
    lambda line: line.strip() != "" and not line.startswith(" ")
)


@st.composite
def _documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]], str, str]:
    lines = draw(st.lists(_line, min_size=1, max_size=6))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + newline
    # selections start and end on characters of a line (never inside a line break)
    inside = [i for i, ch in enumerate(text) if ch not in "\r\n"]
    spans = []
    for _ in range(draw(st.integers(1, 4))):
        a, b = sorted(draw(st.lists(st.sampled_from(inside), min_size=2, max_size=2)))
        spans.append((a, b + 1))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le"]))
    return text, spans, newline, encoding


def _pieces(selected: str, newline: str) -> list[str]:
    # a selection of only spaces is still a coding (of those spaces)
    return [part.rstrip() for part in selected.split(newline) if part]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(document=("ab \n", [(2, 3)], "\n", "utf-8"))
@given(_documents())
def test_selections_come_back_as_the_same_text(
    tmp_path_factory: pytest.TempPathFactory, document: tuple[str, list[tuple[int, int]], str, str]
) -> None:
    text, spans, newline, encoding = document
    codes = [f"c1000000-0000-4000-8000-{n:012d}" for n in range(len(spans))]
    book = "".join(
        f'<Code guid="{g}" name="Code {n}" isCodable="true"/>' for n, g in enumerate(codes)
    )
    sels = "".join(
        selection(a, b, code=g, guid=f"e1000000-0000-4000-8000-{n:012d}")
        for n, ((a, b), g) in enumerate(zip(spans, codes, strict=True))
    )
    qde = project(text_source("internal://doc.txt", sels)).replace(
        f'<Code guid="{CODE}" name="Feeling" isCodable="true"/>', book
    )
    tmp = tmp_path_factory.mktemp("prop")
    _report, folder = import_one(tmp, qde, {"sources/doc.txt": text.encode(encoding)})
    got: dict[str, list[str]] = {}
    for code, piece in coded_in_order(folder):
        got.setdefault(code, []).append(piece.rstrip())
    for n, (a, b) in enumerate(spans):
        assert got.get(f"Code {n}", []) == _pieces(text[a:b], newline), (text, a, b)


def coded_in_order(folder: Path) -> list[tuple[str, str]]:
    """(code path, coded text) in the order of the segments."""
    out = []
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        order = {g.id: i for i, g in enumerate(segments)}
        by_id = {g.id: g for g in segments}
        for c in sorted(p.codebook.codings(), key=lambda c: order[c.segment_id]):
            text = by_id[c.segment_id].text
            if c.start_cp is not None:
                text = text[c.start_cp : c.end_cp]
            out.append((p.codebook.get_code(c.code_id).path, text))
    return out


# --- what particular tools write


def test_draft_namespace_version_is_not_taken_for_a_newer_schema(tmp_path: Path) -> None:
    """QualCoder has met "urn:QDA-XML:project:0:4": its last part is not a major version 4."""
    s, e = span(TEXT, "second")
    qde = project(text_source("internal://a.txt", selection(s, e)))
    qde = qde.replace(NS, "urn:QDA-XML:project:0:4")
    _report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    assert coded(folder) == [("Feeling", "second")]
    newer = write(tmp_path / "new.qdpx", qde.replace("project:0:4", "project:2.0"))
    with pytest.raises(InvalidInputError, match="newer REFI-QDA format"):
        import_qdpx(newer, tmp_path / "other", coder="me")


CRLF_TEXT = "Interviewer asks a question\r\nThe answer is long\r\nқазақ тілі 😀 end\r\n"


@pytest.mark.parametrize(
    ("origin", "named"),
    [("ATLAS.ti 23.2.1", False), ("ATLAS.ti", True), ("Some tool", True)],
)
def test_crlf_positions_counted_as_one_character(tmp_path: Path, origin: str, named: bool) -> None:
    """ATLAS.ti counts a CRLF text's line end as one character (QualCoder's importer corrects
    for it); a selection's name quoting its text tells the counting whatever the origin."""
    lf = CRLF_TEXT.replace("\r\n", "\n")
    s, e = span(lf, "тілі 😀")
    sel = selection(s, e)
    if named:
        sel = sel.replace("<PlainTextSelection ", '<PlainTextSelection name="тілі 😀..." ')
    qde = project(text_source("internal://a.txt", sel)).replace("Other tool", origin)
    report, folder = import_one(tmp_path, qde, {"sources/a.txt": CRLF_TEXT.encode()})
    assert coded(folder) == [("Feeling", "тілі 😀")]
    assert any("one character" in n for n in report.notes)


def test_crlf_positions_counted_as_two_by_other_tools(tmp_path: Path) -> None:
    s, e = span(CRLF_TEXT, "тілі 😀")
    sel = selection(s, e).replace("<PlainTextSelection ", '<PlainTextSelection name="тілі" ')
    qde = project(text_source("internal://a.txt", sel)).replace("Other tool", "MAXQDA 2022")
    report, folder = import_one(tmp_path, qde, {"sources/a.txt": CRLF_TEXT.encode()})
    assert coded(folder) == [("Feeling", "тілі 😀")]
    assert not any("one character" in n for n in report.notes)


def test_nameless_case_with_one_source_holds_the_source_variables(tmp_path: Path) -> None:
    """MAXQDA and Quirkos keep document variables in a Case without a name: they describe the
    source, they are no participant."""
    var1, var2 = "c1000000-0000-4000-8000-000000000001", "c1000000-0000-4000-8000-000000000002"
    extra = (
        f'<Variables><Variable guid="{var1}" name="Region" typeOfVariable="Text"/>'
        f'<Variable guid="{var2}" name="Session date" typeOfVariable="Date"/></Variables>'
        f'<Cases><Case guid="e1000000-0000-4000-8000-000000000001">'
        f'<VariableValue><VariableRef targetGUID="{var1}"/><TextValue>Алматы</TextValue>'
        f'</VariableValue><VariableValue><VariableRef targetGUID="{var2}"/>'
        "<DateValue>2024-05-01</DateValue></VariableValue>"
        f'<SourceRef targetGUID="{SRC}"/></Case>'
        f'<Case guid="e1000000-0000-4000-8000-000000000002" name="Anna">'
        f'<VariableValue><VariableRef targetGUID="{var1}"/><TextValue>Астана</TextValue>'
        f'</VariableValue><SourceRef targetGUID="{SRC}"/></Case></Cases>'
    )
    qde = project(text_source("internal://a.txt"), "")
    qde = qde.replace("<Sources>", extra + "<Sources>")  # the schema's order
    _report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    with Project.open(folder, readonly=True) as p:
        assert [(x.pseudonym, x.attributes) for x in p.sessions.participants()] == [
            ("Anna", {"Region": "Астана"})
        ]
        (session,) = p.sessions.all()
        assert session.date == "2024-05-01"
        assert "Region: Алматы" in (session.notes or "")


def test_nvivo_link_from_note_to_selection_is_an_annotation(tmp_path: Path) -> None:
    """NVivo links an annotation (a Note) to its selection with a Link, not a NoteRef."""
    s, e = span(TEXT, "second line")
    other = "a1000000-0000-4000-8000-000000000077"
    extra = (
        f'<Notes><Note guid="{NOTE}" name="Annotation" plainTextPath="internal://n.txt"/></Notes>'
        f'<Links><Link guid="f9000000-0000-4000-8000-000000000001" originGUID="{NOTE}"'
        f' targetGUID="{SEL.upper()}"/><Link guid="f9000000-0000-4000-8000-000000000002"'
        f' originGUID="{CODE}" targetGUID="{other}"/></Links>'
    )
    qde = project(text_source("internal://a.txt", selection(s, e)), extra)
    files = {"sources/a.txt": TEXT.encode(), "sources/n.txt": "Пояснение".encode("utf-16")}
    report, folder = import_one(tmp_path, qde, files)
    with Project.open(folder, readonly=True) as p:
        (coding,) = p.codebook.codings()
        assert p.codebook.memos() == []
        assert coding.memo == "Annotation: Пояснение"  # the coding's memo, shown on hover
    assert "1 link to an item not imported here" in report.describe()


def test_a_note_linked_to_a_code_or_a_document_is_its_memo(tmp_path: Path) -> None:
    """ATLAS.ti links a memo to a code or a document with a ``Link`` (either way round): such
    notes went to the project journal, and the report called the links not imported."""
    n_code, n_doc = (f"a1000000-0000-4000-8000-00000000008{i}" for i in (1, 2))
    extra = (
        f'<Notes><Note guid="{n_code}" name="Код туралы"><PlainTextContent>Кодқа 😀 байланысты'
        f'</PlainTextContent></Note><Note guid="{n_doc}" name="Құжат туралы"><PlainTextContent>'
        "Құжатқа байланысты</PlainTextContent></Note></Notes>"
        f'<Links><Link guid="f9000000-0000-4000-8000-000000000011" originGUID="{n_code}"'
        f' targetGUID="{CODE}" direction="OneWay"/><Link guid="f9000000-0000-4000-8000-'
        f'000000000012" originGUID="{SRC}" targetGUID="{n_doc}" direction="Associative"/></Links>'
    )
    qde = project(text_source("internal://a.txt", selection(*span(TEXT, "қазақ"))), extra)
    report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    with Project.open(folder, readonly=True) as p:
        (code,) = p.codebook.codes()
        (session,) = p.sessions.all()
        memos = sorted((m.target_type, m.target_id, m.title, m.text) for m in p.codebook.memos())
    assert memos == [
        ("code", code.id, "Код туралы", "Кодқа 😀 байланысты"),
        ("session", session.id, "Құжат туралы", "Құжатқа байланысты"),
    ]
    assert not any("link" in line for line in report.not_imported), report.not_imported


def test_uncoded_selection_with_a_comment_becomes_a_memo(tmp_path: Path) -> None:
    """MAXQDA writes a commented passage as a selection with a Description and no Coding."""
    s, e = span(TEXT, "second line")
    sel = (
        f'<PlainTextSelection guid="{SEL}" name="second line" startPosition="{s}"'
        f' endPosition="{e}"><Description>Ask again in May</Description></PlainTextSelection>'
    )
    report, folder = import_one(
        tmp_path, project(text_source("internal://a.txt", sel)), {"sources/a.txt": TEXT.encode()}
    )
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        (memo,) = p.codebook.memos()
        assert (memo.target_type, memo.text) == ("segment", "Ask again in May")
        assert memo.target_id == segments[1].id and segments[1].text.startswith("second line")
    assert report.memos == 1


def test_pdf_source_representation_is_imported_as_text(tmp_path: Path) -> None:
    """A PDFSource's Representation (a TextSource) holds the PDF's text and its codings."""
    s, e = span(TEXT, "мир 😀")
    pdf = (
        f'<PDFSource guid="{SRC}" name="report.pdf" path="internal://r.pdf">'
        '<PDFSelection guid="f1000000-0000-4000-8000-000000000001" page="0" firstX="1"'
        ' firstY="1" secondX="9" secondY="9"><Coding guid="f1000000-0000-4000-8000-000000000002">'
        f'<CodeRef targetGUID="{CODE}"/></Coding></PDFSelection>'
        f'<Representation guid="{NOTE}" name="Representation_for_report.pdf"'
        f' plainTextPath="internal://{NOTE.upper()}.txt">{selection(s, e)}</Representation>'
        "</PDFSource>"
    )
    files = {"sources/r.pdf": b"%PDF-1.4", f"sources/{NOTE.upper()}.txt": TEXT.encode()}
    report, folder = import_one(tmp_path, project(pdf), files)
    assert coded(folder) == [("Feeling", "мир 😀")]
    with Project.open(folder, readonly=True) as p:
        assert [s.title for s in p.sessions.all()] == ["report.pdf"]
    assert "1 coded area" in report.describe()


def test_unnamed_audio_source_takes_its_transcript_name(tmp_path: Path) -> None:
    """ATLAS.ti may leave an audio source's name empty; its transcript has one."""
    av = (
        f'<AudioSource guid="{SRC}" name="" path="absolute:///C:/data/int%201.m4a">'
        '<Transcript guid="b2000000-0000-4000-8000-000000000001" name="Interview 1">'
        "<PlainTextContent>A: hello</PlainTextContent></Transcript></AudioSource>"
        '<VideoSource guid="b2000000-0000-4000-8000-000000000002" name=""'
        ' path="absolute:///C:/data/clip%202.mp4"/>'
    )
    _report, folder = import_one(tmp_path, project(av))
    with Project.open(folder, readonly=True) as p:
        assert sorted(s.title for s in p.sessions.all()) == ["Interview 1", "clip 2.mp4"]


def test_coding_without_code_reference_is_reported(tmp_path: Path) -> None:
    s, e = span(TEXT, "second")
    sel = selection(s, e).replace(f'<CodeRef targetGUID="{CODE}"/>', "")
    report, folder = import_one(
        tmp_path, project(text_source("internal://a.txt", sel)), {"sources/a.txt": TEXT.encode()}
    )
    assert coded(folder) == []
    assert any("names no code" in n for n in report.not_imported)


def test_qualcoder_annotation_note_lands_on_its_passage(tmp_path: Path) -> None:
    """QualCoder writes an annotation as a Note (referred to by the source) holding the
    annotated span as a PlainTextSelection: the memo goes on that passage's segment."""
    s, e = span(CRLF_TEXT, "The answer")
    src = text_source("internal://a.txt").replace(
        "</TextSource>", f'<NoteRef targetGUID="{NOTE}"/></TextSource>'
    )
    extra = (
        f'<Notes><Note guid="{NOTE}"><PlainTextContent>Пояснение</PlainTextContent>'
        f'<PlainTextSelection guid="{SEL}" startPosition="{s}" endPosition="{e}"/></Note></Notes>'
    )
    qde = project(src, extra).replace("Other tool", "QualCoder 3.6")
    _report, folder = import_one(tmp_path, qde, {"sources/a.txt": CRLF_TEXT.encode()})
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        (memo,) = p.codebook.memos()
        assert (memo.target_type, memo.text) == ("segment", "Пояснение")
        assert memo.target_id == segments[1].id
        assert segments[1].text.startswith("The answer")


def test_project_zipped_inside_a_folder(tmp_path: Path) -> None:
    """An unpacked .qdpx zipped again (Finder, Explorer) has everything under one folder."""
    s, e = span(TEXT, "second")
    qde = project(text_source("internal://a.txt", selection(s, e)))
    archive = tmp_path / "in.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("My study/project.qde", qde)
        zf.writestr("My study/Sources/a.txt", TEXT.encode())
        zf.writestr("__MACOSX/My study/._project.qde", b"\x00")
    import_qdpx(archive, tmp_path / "out", coder="me")
    assert coded(tmp_path / "out") == [("Feeling", "second")]


@pytest.mark.parametrize(
    "value", ["1e400", "-1e400", "99999999999999999999999999", "nan", "-5", "-0.6"]
)
def test_unusable_numbers_are_reported_not_a_crash(tmp_path: Path, value: str) -> None:
    """A position or time that is no usable number: the selection is reported, the rest read."""
    s, e = span(TEXT, "second")
    qde = project(
        text_source("internal://a.txt", selection(s, e), selection(0, 6, guid=NOTE)).replace(
            f'startPosition="{s}"', f'startPosition="{value}"'
        )
        + ""
    ).replace(
        "</Sources>",
        f'<AudioSource guid="{CODING}" name="a.m4a"><Transcript guid="{SEL[:-1]}9">'
        "<PlainTextContent>A: hello</PlainTextContent>"
        f'<SyncPoint guid="{SRC[:-1]}9" position="3" timeStamp="{value}"/>'
        f'</Transcript><AudioSelection guid="{CODE[:-1]}9" begin="{value}" end="{value}"/>'
        "</AudioSource></Sources>",
    )
    report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    assert coded(folder) == [("Feeling", "Привет")]
    assert any("has no positions" in n for n in report.not_imported)


# --- property: a damaged file is imported in part or refused in one line, never a crash

_RICH = (
    f'<Users><User guid="{NOTE[:-1]}8" name="Ann"/></Users>'
    f'<CodeBook><Codes><Code guid="{CODE}" name="A" color="#FF0000">'
    f'<Code guid="{CODE[:-1]}2" name="B"/></Code></Codes></CodeBook>'
    f'<Variables><Variable guid="{CODE[:-1]}3" name="Age" typeOfVariable="Integer"/></Variables>'
    f'<Cases><Case guid="{CODE[:-1]}4" name="B"><VariableValue><VariableRef'
    f' targetGUID="{CODE[:-1]}3"/><IntegerValue>42</IntegerValue></VariableValue>'
    f'<SourceRef targetGUID="{SRC}"/></Case></Cases>'
    f'<Sources><AudioSource guid="{SRC[:-1]}7" name="a.mp3" path="internal://a.mp3">'
    f'<Transcript guid="{SRC[:-1]}8" plainTextPath="internal://a.txt">'
    f'<SyncPoint guid="{SRC[:-1]}9" position="0" timeStamp="0"/>'
    f'<SyncPoint guid="{SEL[:-1]}7" position="9" timeStamp="900"/>'
    f'<TranscriptSelection guid="{SEL[:-1]}8" fromSyncPoint="{SRC[:-1]}9"'
    f' toSyncPoint="{SEL[:-1]}7"><Coding guid="{SEL[:-1]}9"><CodeRef targetGUID="{CODE}"/>'
    f'</Coding><NoteRef targetGUID="{NOTE}"/></TranscriptSelection></Transcript>'
    f'<AudioSelection guid="{CODING[:-1]}7" begin="100" end="900"><Coding'
    f' guid="{CODING[:-1]}8"><CodeRef targetGUID="{CODE[:-1]}2"/></Coding></AudioSelection>'
    "</AudioSource>"
    f'<TextSource guid="{SRC}" name="doc" plainTextPath="internal://a.txt">'
    f'<PlainTextSelection guid="{SEL}" name="Привет" startPosition="0" endPosition="6">'
    f'<Description>d</Description><Coding guid="{CODING}"><CodeRef targetGUID="{CODE}"/>'
    f'</Coding></PlainTextSelection><NoteRef targetGUID="{NOTE[:-1]}6"/></TextSource>'
    f'<PDFSource guid="{SRC[:-1]}6" name="p.pdf"><Representation guid="{NOTE[:-1]}7"'
    ' plainTextPath="internal://a.txt"/></PDFSource></Sources>'
    f'<Notes><Note guid="{NOTE}" name="n"><PlainTextContent>x</PlainTextContent></Note>'
    f'<Note guid="{NOTE[:-1]}6"><PlainTextContent>y</PlainTextContent><PlainTextSelection'
    f' guid="{NOTE[:-1]}9" startPosition="2" endPosition="4"/></Note></Notes>'
    f'<Links><Link guid="{CODE[:-1]}9" originGUID="{NOTE}" targetGUID="{SEL}"/></Links>'
)
_JUNK = ["", "x", "-1", "0", "1.5", "1e400", "nan", "9" * 30, "{" + CODE.upper() + "}", "Ж😀"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_files_never_crash(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject):
    from lxml import etree

    root = etree.fromstring(f'<Project xmlns="{NS}" name="damaged">{_RICH}</Project>'.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        elements = list(root.iter())[1:]
        el = data.draw(st.sampled_from(elements))
        names = sorted(el.attrib)
        action = data.draw(st.sampled_from(["drop", "unset", "junk"]))
        if action == "drop" or not names:
            el.getparent().remove(el)
        elif action == "unset":
            del el.attrib[data.draw(st.sampled_from(names))]
        else:
            el.set(data.draw(st.sampled_from(names)), data.draw(st.sampled_from(_JUNK)))
    tmp = tmp_path_factory.mktemp("fuzz")
    files = {"sources/a.txt": TEXT.replace("\n", "\r\n").encode(), "sources/a.mp3": b"no audio"}
    archive = write(tmp / "in.qdpx", etree.tostring(root), files)
    try:
        import_qdpx(archive, tmp / "out", coder="me")
    except InvalidInputError as exc:  # refused: one line, and no project left behind
        assert "\n" not in str(exc)
        assert not (tmp / "out").exists()


# --- large files


def _map_span_reference(lines, start, end):  # type: ignore[no-untyped-def]
    """map_span as it reads: every line checked (the model the fast one must match)."""
    result = []
    start, end = min(start, end), max(start, end)
    for i, line in enumerate(lines):
        lo, hi = max(start, line.text_start), min(end, line.text_end)
        if hi <= lo:
            if start == end == line.text_start == line.text_end:
                result.append((i, None, None))
            continue
        rest = line.text[hi - line.text_start :]
        if not line.text.strip():
            continue  # no visible text (blank lines opening the text): nothing to code
        if lo == line.text_start and (hi == line.text_end or not rest.strip()):
            result.append((i, None, None))
        elif line.text[lo - line.text_start : hi - line.text_start].strip("\r\n"):
            result.append((i, lo - line.text_start, hi - line.text_start))  # not line ends
    return result


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["", " ", "a", "әб ", "I: x", "[00:00:01] B: y", "😀"]), max_size=8),
    st.integers(-3, 60),
    st.integers(-3, 60),
    st.lists(st.integers(0, 60), max_size=6),
)
def test_map_span_finds_the_lines_every_line_check_finds(
    parts: list[str], start: int, end: int, syncpoints: list[int]
) -> None:
    from storage.interop.text_lines import map_span, split_lines, split_text_source

    text = "\n".join(parts)
    lines, _transcript = split_text_source(text)
    assert map_span(lines, start, end) == _map_span_reference(lines, start, end)
    synced = split_lines(text, [(p, p * 100) for p in syncpoints if p <= len(text)])
    assert map_span(synced, start, end) == _map_span_reference(synced, start, end)


def test_many_selections_on_a_long_text_import_in_linear_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """8,000 lines and 4,000 codings: each selection looked at every line (about 10 s, 32
    million lines read); now a bisection finds its first line. Counted, not timed: the lines
    each selection reads (bisection steps and the lines it covers) stay a few dozen."""
    from storage.interop.qdpx_import import codings as coding_import

    reads = [0]

    class Counted(list):  # type: ignore[type-arg]
        def __getitem__(self, i):  # type: ignore[no-untyped-def]
            reads[0] += 1
            return super().__getitem__(i)

    real_map_span = coding_import.map_span
    monkeypatch.setattr(
        coding_import, "map_span", lambda lines, s, e: real_map_span(Counted(lines), s, e)
    )
    lines = [f"Строка {i:04d} қазақ тілі 😀 and some words" for i in range(8000)]
    text = "\n".join(lines) + "\n"
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    sels = "".join(
        selection(starts[i] + 11, starts[i] + 16, guid=f"e1000000-0000-4000-8000-{i:012d}")
        for i in range(0, 8000, 2)
    )
    qde = project(text_source("internal://a.txt", sels))
    report, folder = import_one(tmp_path, qde, {"sources/a.txt": text.encode()})
    assert report.codings == 4000
    assert 0 < reads[0] < 4000 * 40, reads[0]
    assert {text for _code, text in coded(folder)} == {" қаза"}


# --- the rest of the spec, as one project with every kind of element


def _g(n: int, *, upper: bool = False, braces: bool = False) -> str:
    guid = f"0f000000-0000-4000-8000-{n:012d}"
    guid = guid.upper() if upper else guid
    return "{" + guid + "}" if braces else guid


def test_every_kind_of_element_as_the_spec_describes_it(tmp_path: Path) -> None:
    transcript = "I: Как дела?\nB: Жақсы, рақмет 😀\n"
    a, b = span(transcript, "Жақсы, рақмет")
    doc = "Өріс жазбалары\r\nЕкінші жол\r\n"
    c, d = span(doc, "Екінші")
    var_types = [("Text", "TextValue", "медсестра"), ("Boolean", "BooleanValue", "true"),
                 ("Integer", "IntegerValue", "42"), ("Float", "FloatValue", "1.75"),
                 ("Date", "DateValue", "1980-01-02"),
                 ("DateTime", "DateTimeValue", "2020-01-01T10:00:00+06:00")]  # fmt: skip
    variables = "".join(
        f'<Variable guid="{_g(30 + i)}" name="V{kind}" typeOfVariable="{kind}"/>'
        for i, (kind, _tag, _value) in enumerate(var_types)
    )
    values = "".join(
        f'<VariableValue><VariableRef targetGUID="{_g(30 + i, upper=True)}"/>'
        f"<{tag}>{value}</{tag}></VariableValue>"
        for i, (_kind, tag, value) in enumerate(var_types)
    )
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Все элементы" origin="NVivo 14" creatingUserGUID="{_g(1, braces=True)}"
 creationDateTime="2023-02-03T04:05:06.1234567+05:00">
<Users><User guid="{_g(1, upper=True, braces=True)}" name="Айгүл"/><User guid="{_g(2)}"/></Users>
<CodeBook><Codes>
<Code guid="{_g(10)}" name="Тема" isCodable="false" color="#abc">
 <Description>Жоғарғы</Description>
 <Code guid="{_g(11)}" name="Деңгей 2" isCodable="true" color="#00FF00">
  <Code guid="{_g(12)}" name="Деңгей 3" isCodable="true">
   <Code guid="{_g(13)}" name="Деңгей 4" isCodable="true" color="not a colour">
    <Code guid="{_g(14)}" name="" isCodable="true"/>
   </Code></Code></Code></Code>
<Code guid="{_g(15)}" name="A/B" isCodable="true" color="#123456"/>
</Codes></CodeBook>
<Variables>{variables}</Variables>
<Cases><Case guid="{_g(40)}" name="B"><Description>Пациент</Description>
 {values}<CodeRef targetGUID="{_g(11)}"/><SourceRef targetGUID="{_g(50)}"/></Case></Cases>
<Sources>
<AudioSource guid="{_g(50, braces=True)}" name="Сұхбат.m4a" path="relative://Сұхбат.m4a"
 creatingUser="{_g(99)}">
 <Description>Бірінші сұхбат</Description>
 <Transcript guid="{_g(51)}" name="Сұхбат" plainTextPath="internal://{_g(51).upper()}.txt">
  <SyncPoint guid="{_g(52)}" position="0" timeStamp="0"/>
  <SyncPoint guid="{_g(53)}" position="{a}" timeStamp="5000"/>
  <SyncPoint guid="{_g(54)}" position="{b}" timeStamp="7000"/>
  <TranscriptSelection guid="{_g(55)}" fromSyncPoint="{_g(53, upper=True)}"
   toSyncPoint="{_g(54, braces=True)}" creatingUser="{_g(2)}"
   creationDateTime="2023-02-03T10:00:00-05:00">
   <Coding guid="{_g(56)}" creatingUser="{_g(1)}"><CodeRef targetGUID="{_g(14)}"/></Coding>
   <NoteRef targetGUID="{_g(70)}"/>
  </TranscriptSelection>
 </Transcript>
</AudioSource>
<AudioSource guid="{_g(60)}" name="Без транскрипта.mp3" path="internal://missing.mp3"/>
<TextSource guid="{_g(61)}" name="Жазбалар" plainTextPath="internal://notes/Жазбалар 1.txt">
 <PlainTextSelection guid="{_g(62)}" startPosition="{c}" endPosition="{d}">
  <Coding guid="{_g(63)}"><CodeRef targetGUID="{_g(15, braces=True)}"/></Coding>
 </PlainTextSelection>
 <NoteRef targetGUID="{_g(71)}"/>
</TextSource>
</Sources>
<Notes>
<Note guid="{_g(70)}" name="Аңғарым" creatingUser="{_g(1)}">
 <PlainTextContent>Маңызды</PlainTextContent></Note>
<Note guid="{_g(71)}" name="Құжат туралы"><PlainTextContent>Далалық</PlainTextContent></Note>
<Note guid="{_g(72)}" name="Күнделік" creationDateTime="2023-02-04T00:30:00+06:00">
 <PlainTextContent>Бірінші күн</PlainTextContent></Note>
</Notes>
<Sets><Set guid="{_g(80)}" name="Жиын"><MemberSource targetGUID="{_g(61)}"/></Set></Sets>
<NoteRef targetGUID="{_g(72)}"/>
</Project>"""
    files = {
        f"Sources/{_g(51).upper()}.txt": transcript.encode("utf-16-le"),
        "Sources/notes/Жазбалар 1.txt": b"\xef\xbb\xbf" + doc.encode(),
    }
    report, folder = import_one(tmp_path, qde, files)
    assert coded(folder) == [
        ("A-B", "Екінші"),
        ("Тема/Деңгей 2/Деңгей 3/Деңгей 4/Code 5", "Жақсы, рақмет"),
    ]
    with Project.open(folder, readonly=True) as p:
        codes = {c.path: c for c in p.codebook.codes()}
        assert codes["Тема"].colour == "#aabbcc" and codes["Тема"].description == "Жоғарғы"
        assert codes["Тема/Деңгей 2"].colour == "#00ff00"
        assert codes["A-B"].colour == "#123456"
        sessions = {s.title: s for s in p.sessions.all()}
        assert set(sessions) == {"Сұхбат.m4a", "Без транскрипта.mp3", "Жазбалар"}
        audio = sessions["Сұхбат.m4a"]
        assert audio.notes == "Бірінші сұхбат" and audio.created_by == "me"
        segs = p.transcript.segments(audio.id)
        assert [(g.speaker, g.text) for g in segs] == [
            ("I", "Как дела?"),
            ("B", "Жақсы, рақмет 😀"),
        ]
        assert (segs[-1].start_ms, segs[-1].end_ms) == (5000, 7000)
        (coding,) = p.codebook.codings(session_id=audio.id)
        assert coding.coder == "Айгүл" and coding.created_at == "2023-02-03T15:00:00.000Z"
        (participant,) = p.sessions.participants()
        assert participant.pseudonym == "B"
        assert participant.attributes == {
            "VText": "медсестра", "VBoolean": "true", "VInteger": "42", "VFloat": "1.75",
            "VDate": "1980-01-02", "VDateTime": "2020-01-01T10:00:00+06:00",
            "description": "Пациент"}  # fmt: skip
        memos = {m.text: m for m in p.codebook.memos()}
        assert "Маңызды" not in memos and coding.memo == "Аңғарым: Маңызды"
        assert memos["Далалық"].target_type == "session"
        assert memos["Бірінші күн"].target_type == "project"
        assert memos["Бірінші күн"].created_at == "2023-02-03T18:30:00.000Z"
    text = report.describe()
    assert "'Тема' was not codable there" in text
    assert "1 set of sources ('Жиын')" in text  # it read "1 sets", then "not supported"
    assert "Case 'B': 1 code/selection reference" in text
    assert "'relative://Сұхбат.m4a' is not inside the archive" in text
    assert "'internal://missing.mp3' is not inside the archive" in text


def test_sync_point_at_a_line_start_keeps_the_speaker(tmp_path: Path) -> None:
    """QualCoder writes a SyncPoint at position 0 (and others at line starts): the line's
    "NAME: " prefix is still its speaker, not text."""
    transcript = "Айгүл: Сәлем!\nБолат: Қалайсыз?\n"
    second = transcript.index("Болат")
    s, e = 0, transcript.index("\n")  # the whole first line, prefix included
    av = (
        f'<AudioSource guid="{SRC}" name="a.m4a"><Transcript guid="{SEL[:-1]}9"'
        ' plainTextPath="internal://t.txt">'
        f'<SyncPoint guid="{CODE[:-1]}7" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="{CODE[:-1]}8" position="{second}" timeStamp="4000"/>'
        f'<SyncPoint guid="{CODE[:-1]}9" position="{e}" timeStamp="3000"/>'
        f'<TranscriptSelection guid="{SEL}" fromSyncPoint="{CODE[:-1]}7"'
        f' toSyncPoint="{CODE[:-1]}9"><Coding guid="{CODING}"><CodeRef targetGUID="{CODE}"/>'
        "</Coding></TranscriptSelection></Transcript></AudioSource>"
    )
    _report, folder = import_one(tmp_path, project(av), {"sources/t.txt": transcript.encode()})
    assert s == 0
    with Project.open(folder, readonly=True) as p:
        segs = p.transcript.segments(SRC)
        assert [(g.speaker, g.text, g.start_ms) for g in segs] == [
            ("Айгүл", "Сәлем!", 0),
            ("Болат", "Қалайсыз?", 4000),
        ]
    assert coded(folder) == [("Feeling", "Сәлем!")]


def test_two_sync_points_at_one_place_one_without_a_time(tmp_path: Path) -> None:
    """``timeStamp`` is optional: a sync point without one where another has a time (a
    selection's start beside a line's time) stopped the import with "unexpected failure
    (TypeError: '<' not supported between instances of 'int' and 'NoneType')"."""
    transcript = "Айгүл: Сәлем 😀!\nБолат: Қалайсыз, 𝔸?\n"
    second = transcript.index("Болат: ") + len("Болат: ")
    av = (
        f'<AudioSource guid="{SRC}" name="a.m4a"><Transcript guid="{SEL[:-1]}9"'
        ' plainTextPath="internal://t.txt">'
        f'<SyncPoint guid="{CODE[:-1]}7" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="{CODE[:-1]}8" position="{second}"/>'
        f'<SyncPoint guid="{CODE[:-1]}9" position="{second}" timeStamp="2000"/>'
        f'<SyncPoint guid="{CODE[:-1]}a" position="{len(transcript) - 1}"/>'
        f'<TranscriptSelection guid="{SEL}" fromSyncPoint="{CODE[:-1]}8"'
        f' toSyncPoint="{CODE[:-1]}a"><Coding guid="{CODING}"><CodeRef targetGUID="{CODE}"/>'
        "</Coding></TranscriptSelection></Transcript></AudioSource>"
    )
    _report, folder = import_one(tmp_path, project(av), {"sources/t.txt": transcript.encode()})
    with Project.open(folder, readonly=True) as p:
        segs = p.transcript.segments(SRC)
        assert [(g.speaker, g.text, g.start_ms) for g in segs] == [
            ("Айгүл", "Сәлем 😀!", 0),
            ("Болат", "Қалайсыз, 𝔸?", 2000),
        ]
    assert coded(folder) == [("Feeling", "Қалайсыз, 𝔸?")]


def test_transcript_without_plain_text_is_reported_with_its_codings(tmp_path: Path) -> None:
    """A transcript given only as rich text (.docx): its coded selections were dropped without a
    word; now the report says so."""
    av = (
        f'<AudioSource guid="{SRC}" name="a.m4a"><Transcript guid="{SEL[:-1]}9"'
        ' richTextPath="internal://t.docx">'
        f'<SyncPoint guid="{CODE[:-1]}7" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="{CODE[:-1]}8" position="5" timeStamp="900"/>'
        f'<TranscriptSelection guid="{SEL}" fromSyncPoint="{CODE[:-1]}7"'
        f' toSyncPoint="{CODE[:-1]}8"><Coding guid="{CODING}"><CodeRef targetGUID="{CODE}"/>'
        "</Coding></TranscriptSelection></Transcript></AudioSource>"
        f'<TextSource guid="{NOTE}" name="doc" richTextPath="internal://d.docx">'
        f"{selection(0, 3, guid=SEL[:-1] + '8')}</TextSource>"
    )
    files = {"sources/t.docx": b"PK", "sources/d.docx": b"PK"}
    report, _folder = import_one(tmp_path, project(av), files)
    text = report.describe()
    assert (
        "Transcript of 'a.m4a': it has no plain text, and its rich text 'internal://t.docx' "
        "cannot be read: not a Word document" in text
    )
    assert "1 coded selection was not imported" in text
    assert (
        "Text source 'doc': it has no plain text, and its rich text 'internal://d.docx' "
        "cannot be read: not a Word document (.docx)" in text
    )
    assert "(.docx) that can be read (File is not a zip file); 1 coded selection was not " in text


def test_two_codes_with_one_name_stay_two_codes(tmp_path: Path) -> None:
    """NVivo and ATLAS.ti allow two sibling codes with one name: they were merged into one
    (and counted as "reused"); now the second is named apart and keeps its codings."""
    other = CODE[:-1] + "9"
    s, e = span(TEXT, "second")
    qde = project(
        text_source(
            "internal://a.txt", selection(0, 6), selection(s, e, code=other, guid=SEL[:-1] + "8")
        )
    ).replace("</Codes>", f'<Code guid="{other}" name="Feeling"/></Codes>')
    report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    assert coded(folder) == [("Feeling", "Привет"), ("Feeling (2)", "second")]
    assert (report.codes, report.codes_reused) == (2, 0)
    # imported again: both codes are recognised by their GUIDs, nothing is added
    again = import_qdpx(tmp_path / "in.qdpx", folder, coder="me")
    assert (again.codes, again.codes_reused) == (0, 2)
    assert coded(folder) == [("Feeling", "Привет"), ("Feeling (2)", "second")]


_STRAY = TEXT.replace("мир", "мир –")  # one stray Windows-1252 byte (\x96) in UTF-8 text
_LATIN = "Grüße – Straße\nsecond line here\n"


@pytest.mark.parametrize(
    ("data", "meant"),
    [
        # read as Windows-1252 as a whole, every Cyrillic letter became two characters and
        # every coding after them moved
        (_STRAY.encode().replace("–".encode(), b"\x96"), _STRAY),
        (_LATIN.encode("cp1252"), _LATIN),
    ],
)
def test_text_with_a_few_broken_bytes_keeps_its_positions(
    tmp_path: Path, data: bytes, meant: str
) -> None:
    s, e = span(meant, "second line")
    qde = project(text_source("internal://a.txt", selection(s, e)))
    _report, folder = import_one(tmp_path, qde, {"sources/a.txt": data})
    assert coded(folder) == [("Feeling", "second line")]
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        first = p.transcript.segments(session.id)[0].text
    assert first.startswith(("Привет, мир \ufffd", "Grüße – Straße"))


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"a.qde": b"<x/>", "b.qde": b"<x/>"}, "holds 2 .qde files (a.qde, b.qde)"),
        (
            {"project.qde": b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'},
            "It is a codebook: import it with 'fieldscribe codebook import'",
        ),
    ],
)
def test_refusals_say_what_is_wrong_in_one_line(
    tmp_path: Path, files: dict[str, bytes], says: str
) -> None:
    archive = tmp_path / "in.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    with Project.create(tmp_path / "p", name="P", coder="me"):
        pass
    before = (tmp_path / "p" / "project.db").read_bytes()
    with pytest.raises(InvalidInputError) as info:
        import_qdpx(archive, tmp_path / "p", coder="me")
    assert says in str(info.value) and "\n" not in str(info.value)
    assert (tmp_path / "p" / "project.db").read_bytes() == before


# --- property: transcript selections between sync points come back as the same text

_NAMES = ["I", "Айгүл", "B", "Speaker 2"]


@st.composite
def _transcripts(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]], list[int]]:
    rows = draw(st.lists(st.tuples(st.sampled_from(_NAMES), _line), min_size=1, max_size=5))
    text = "".join(f"{name}: {words}\n" for name, words in rows)
    # positions inside the words of a line (never in a "NAME: " prefix or a line break)
    inside: list[int] = []
    pos = 0
    for name, words in rows:
        inside += range(pos + len(name) + 2, pos + len(name) + 2 + len(words))
        pos += len(name) + 2 + len(words) + 1
    spans = []
    for _ in range(draw(st.integers(1, 3))):
        a, b = sorted(draw(st.lists(st.sampled_from(inside), min_size=2, max_size=2)))
        spans.append((a, b + 1))
    extra = draw(st.lists(st.sampled_from([0, *inside]), max_size=3))  # more sync points
    return text, spans, extra


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_transcripts())
def test_transcript_selections_come_back_as_the_same_text(
    tmp_path_factory: pytest.TempPathFactory,
    transcript: tuple[str, list[tuple[int, int]], list[int]],
) -> None:
    text, spans, extra = transcript
    positions = sorted({p for span_ in spans for p in span_} | set(extra))
    sync = {p: f"d1000000-0000-4000-8000-{i:012d}" for i, p in enumerate(positions)}
    points = "".join(
        f'<SyncPoint guid="{g}" position="{p}" timeStamp="{p * 10}"/>' for p, g in sync.items()
    )
    codes = [f"c1000000-0000-4000-8000-{n:012d}" for n in range(len(spans))]
    book = "".join(f'<Code guid="{g}" name="Code {n}"/>' for n, g in enumerate(codes))
    sels = "".join(
        f'<TranscriptSelection guid="e1000000-0000-4000-8000-{n:012d}" fromSyncPoint="{sync[a]}"'
        f' toSyncPoint="{sync[b]}"><Coding guid="e2000000-0000-4000-8000-{n:012d}">'
        f'<CodeRef targetGUID="{codes[n]}"/></Coding></TranscriptSelection>'
        for n, (a, b) in enumerate(spans)
    )
    av = (
        f'<AudioSource guid="{SRC}" name="a.m4a"><Transcript guid="{SEL}"'
        f' plainTextPath="internal://t.txt">{points}{sels}</Transcript></AudioSource>'
    )
    qde = project(av).replace(f'<Code guid="{CODE}" name="Feeling" isCodable="true"/>', book)
    tmp = tmp_path_factory.mktemp("av")
    _report, folder = import_one(tmp, qde, {"sources/t.txt": text.encode()})
    got: dict[str, list[str]] = {}
    for code, piece in coded_in_order(folder):
        got.setdefault(code, []).append(piece.rstrip())
    for n, (a, b) in enumerate(spans):
        pieces = []
        for i, line in enumerate(text[a:b].split("\n")):
            name = next((x for x in _NAMES if line.startswith(f"{x}: ")), None)
            # a line after the first starts with its speaker's prefix, which is no text
            pieces.append((line[len(name) + 2 :] if i and name else line).rstrip())
        assert got.get(f"Code {n}", []) == pieces, (text, a, b)


def test_classic_mac_line_ends_are_line_breaks(tmp_path: Path) -> None:
    """A text whose lines end in CR alone was one segment holding every line."""
    text = "line one\rline two\rline three\r"
    s, e = span(text, "two")
    qde = project(text_source("internal://a.txt", selection(s, e)))
    report, folder = import_one(tmp_path, qde, {"sources/a.txt": text.encode()})
    assert coded(folder) == [("Feeling", "two")]
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        texts = [g.text.rstrip("\n") for g in p.transcript.segments(session.id)]
    assert texts == ["line one", "line two", "line three"]
    assert any("CR alone" in n for n in report.notes)


def test_selection_past_the_end_of_the_text_is_noted(tmp_path: Path) -> None:
    """A selection past the text's end hints at another encoding or line-end counting."""
    s = TEXT.index("second")
    qde = project(text_source("internal://a.txt", selection(s, len(TEXT) + 40)))
    report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    assert coded(folder) == [("Feeling", "second line here\n")]
    assert any("reaches past the end of its text" in n for n in report.notes)


def test_bare_text_path_without_scheme_is_read_from_the_archive(tmp_path: Path) -> None:
    """cproctor's qc (1.3) writes plainTextPath="board.txt" (no internal://) and no name; the
    file is in sources/. A path on the exporter's disk (C:\\...) is still not looked up."""
    s, e = span(TEXT, "second line")
    src = text_source("board 2017.txt", selection(s, e)).replace(' name="doc"', "")
    other = (
        f'<TextSource guid="{NOTE}" plainTextPath="C:\\data\\board 2017.txt">'
        f"{selection(s, e, guid=SEL[:-1] + '8')}</TextSource>"
    )
    report, folder = import_one(
        tmp_path, project(src + other), {"sources/board 2017.txt": TEXT.encode()}
    )
    assert coded(folder) == [("Feeling", "second line")]
    with Project.open(folder, readonly=True) as p:
        assert [s.title for s in p.sessions.all()] == ["board 2017.txt"]
    assert "'C:\\data\\board 2017.txt' is not inside the archive" in report.describe()


def test_atlas_transcript_with_crlf_counts_a_line_end_as_one(tmp_path: Path) -> None:
    transcript = "I: Сұрақ қою\r\nB: Жауап беру 😀\r\n"
    lf = transcript.replace("\r\n", "\n")
    a, b = span(lf, "Жауап беру")
    av = (
        f'<AudioSource guid="{SRC}" name="a.m4a"><Transcript guid="{SEL[:-1]}9"'
        ' plainTextPath="internal://t.txt">'
        f'<SyncPoint guid="{CODE[:-1]}7" position="{a}" timeStamp="2000"/>'
        f'<SyncPoint guid="{CODE[:-1]}8" position="{b}" timeStamp="3000"/>'
        f'<TranscriptSelection guid="{SEL}" fromSyncPoint="{CODE[:-1]}7"'
        f' toSyncPoint="{CODE[:-1]}8"><Coding guid="{CODING}"><CodeRef targetGUID="{CODE}"/>'
        "</Coding></TranscriptSelection></Transcript></AudioSource>"
    )
    qde = project(av).replace("Other tool", "ATLAS.ti 24")
    _report, folder = import_one(tmp_path, qde, {"sources/t.txt": transcript.encode()})
    assert coded(folder) == [("Feeling", "Жауап беру")]


def test_second_transcript_of_a_recording_keeps_its_codings(tmp_path: Path) -> None:
    """Transana keeps several transcripts of one recording; the second was dropped with its
    codings. Now it is a session of its own."""

    def tr(n: int, text: str, fragment: str, code: str) -> str:
        a, b = span(text, fragment)
        return (
            f'<Transcript guid="b{n}000000-0000-4000-8000-000000000001" name="T{n}">'
            f"<PlainTextContent>{text}</PlainTextContent>"
            f'<SyncPoint guid="b{n}000000-0000-4000-8000-000000000002" position="{a}"'
            ' timeStamp="1000"/>'
            f'<SyncPoint guid="b{n}000000-0000-4000-8000-000000000003" position="{b}"'
            ' timeStamp="2000"/>'
            f'<TranscriptSelection guid="b{n}000000-0000-4000-8000-000000000004"'
            f' fromSyncPoint="b{n}000000-0000-4000-8000-000000000002"'
            f' toSyncPoint="b{n}000000-0000-4000-8000-000000000003">'
            f'<Coding guid="b{n}000000-0000-4000-8000-000000000005"><CodeRef targetGUID="{code}"/>'
            "</Coding></TranscriptSelection></Transcript>"
        )

    other = CODE[:-1] + "9"
    av = (
        f'<VideoSource guid="{SRC}" name="lesson.mp4">'
        + tr(1, "A: verbatim words here", "verbatim", CODE)
        + tr(2, "Field notes: the class laughs", "laughs", other)
        + "</VideoSource>"
    )
    qde = project(av).replace("</Codes>", f'<Code guid="{other}" name="Humour"/></Codes>')
    report, folder = import_one(tmp_path, qde)
    assert coded(folder) == [("Feeling", "verbatim"), ("Humour", "laughs")]
    with Project.open(folder, readonly=True) as p:
        assert sorted(s.title for s in p.sessions.all()) == ["lesson.mp4", "lesson.mp4 (T2)"]
    assert report.sessions == 2
    assert "extra transcript" not in report.describe()


def test_prefixed_namespace_reads_like_the_default_one(tmp_path: Path) -> None:
    s, e = span(TEXT, "😀 қазақ")
    qde = project(text_source("internal://a.txt", selection(s, e)), xmlns=f' xmlns:q="{NS}"')
    qde = re.sub(r"<(/?)(?=[A-Z])", r"<\1q:", qde)
    assert "<q:Project" in qde and "<q:PlainTextSelection" in qde
    _report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    assert coded(folder) == [("Feeling", "😀 қазақ")]


def test_codings_of_unknown_codes_are_reported_once_per_code(tmp_path: Path) -> None:
    """Each coding of a code missing from the codebook was one report line (thousands for an
    NVivo project coding text at its cases); now one line per code, naming a case as such."""
    case = "e1000000-0000-4000-8000-000000000001"
    ghost = "e1000000-0000-4000-8000-000000000002"
    sels = [
        selection(i, i + 2, code=case, guid=f"e2000000-0000-4000-8000-{i:012d}") for i in range(5)
    ]
    sels += [
        selection(i, i + 2, code=ghost, guid=f"e3000000-0000-4000-8000-{i:012d}") for i in range(3)
    ]
    extra = f'<Cases><Case guid="{case}" name="Anna"/></Cases>'
    qde = project(text_source("internal://a.txt", *sels)).replace("<Sources>", extra + "<Sources>")
    report, folder = import_one(tmp_path, qde, {"sources/a.txt": TEXT.encode()})
    assert coded(folder) == []
    lines = [n for n in report.not_imported if " refer to " in n]
    assert lines == [
        "5 codings refer to case 'Anna' (coding at a case, as NVivo writes it, is not imported).",
        f"3 codings refer to code {ghost}, which is not in the codebook.",
    ]


# --- a text whose lines end in a mix of CRLF and LF (edited on two systems)


@st.composite
def _mixed_documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    lines = draw(st.lists(_line, min_size=2, max_size=6))
    ends = draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=len(lines), max_size=len(lines)))
    text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    inside = [i for i, ch in enumerate(text) if ch not in "\r\n"]
    spans = []
    for _ in range(draw(st.integers(1, 4))):
        a, b = sorted(draw(st.lists(st.sampled_from(inside), min_size=2, max_size=2)))
        spans.append((a, b + 1))
    return text, spans


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(document=("Интервьюер: Сәлем\r\nОтвет: да 😀\nқазақ тілі\r\nend\n", [(12, 26), (33, 43)]))
@given(_mixed_documents())
def test_mixed_line_ends_leave_no_stray_cr_and_codings_keep_their_text(
    tmp_path_factory: pytest.TempPathFactory, document: tuple[str, list[tuple[int, int]]]
) -> None:
    """A text mixing CRLF and LF kept a "\\r" at the end of the segments of its CRLF lines;
    positions count every code point of the file, the "\\r" included (QDA-XML)."""
    text, spans = document
    codes = [f"c1000000-0000-4000-8000-{n:012d}" for n in range(len(spans))]
    book = "".join(
        f'<Code guid="{g}" name="Code {n}" isCodable="true"/>' for n, g in enumerate(codes)
    )
    sels = "".join(
        selection(a, b, code=g, guid=f"e1000000-0000-4000-8000-{n:012d}")
        for n, ((a, b), g) in enumerate(zip(spans, codes, strict=True))
    )
    qde = project(text_source("internal://doc.txt", sels)).replace(
        f'<Code guid="{CODE}" name="Feeling" isCodable="true"/>', book
    )
    tmp = tmp_path_factory.mktemp("mixed")
    report, folder = import_one(tmp, qde, {"sources/doc.txt": text.encode()})
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        assert not any("\r" in g.text for g in p.transcript.segments(session.id))
    got: dict[str, list[str]] = {}
    for code, piece in coded_in_order(folder):
        got.setdefault(code, []).append(piece.rstrip(" \n"))  # the last line keeps its "\n"
    for n, (a, b) in enumerate(spans):
        want = [part.rstrip(" ") for part in re.split(r"\r?\n", text[a:b]) if part]
        assert got.get(f"Code {n}", []) == want, (text, a, b)
    if "\r\n" in text and text.count("\r\n") != text.count("\n"):
        assert any("mix" in n for n in report.notes)


def test_note_on_a_coded_passage_is_the_codings_memo(tmp_path: Path) -> None:
    """MAXQDA and NVivo write a coded segment's memo as a Note the selection (or its Coding)
    refers to. It was kept as a memo row on the coding, which nothing showed: not the hover,
    not Code ▸ Coding memo…, not the codings export. It is now the coding's memo, after the
    selection's Description; importing the file again adds it neither twice nor to the
    journal; a note on the source stays a session memo."""
    from storage.interop.codings_export import coding_rows

    s, e = span(TEXT, "second line")
    sel = (
        f'<PlainTextSelection guid="{SEL}" startPosition="{s}" endPosition="{e}">'
        "<Description>Described there</Description>"
        f'<Coding guid="{SEL[:-3]}900"><CodeRef targetGUID="{CODE}"/></Coding>'
        f'<NoteRef targetGUID="{NOTE}"/></PlainTextSelection>'
    )
    source_note = "a1000000-0000-4000-8000-000000000066"
    qde = project(
        text_source("internal://a.txt", sel).replace(
            "</TextSource>", f'<NoteRef targetGUID="{source_note}"/></TextSource>'
        ),
        f'<Notes><Note guid="{NOTE}" name="Memo 1"><PlainTextContent>Важно: очередь'
        "</PlainTextContent></Note>"
        f'<Note guid="{source_note}" name="About"><PlainTextContent>Field day'
        "</PlainTextContent></Note></Notes>",
    )
    archive = write(tmp_path / "in.qdpx", qde, {"sources/a.txt": TEXT.encode()})
    folder = tmp_path / "out.fieldscribe"
    report = import_qdpx(archive, folder, coder="me")
    assert "1 note on coded passages became the memos of their codings" in report.describe()
    again = import_qdpx(archive, folder, coder="me")
    assert again.memos == 0
    with Project.open(folder, readonly=True) as p:
        (coding,) = p.codebook.codings()
        assert coding.memo == "Described there\n\nMemo 1: Важно: очередь"
        assert [(m.target_type, m.text) for m in p.codebook.memos()] == [("session", "Field day")]
        _header, rows = coding_rows(p)
        assert [r["memo"] for r in rows] == [coding.memo]


def test_transcript_selection_placed_by_positions_is_imported(tmp_path: Path) -> None:
    """A transcript selection naming no sync points but a text selection's
    startPosition/endPosition (QDA-XML places it by fromSyncPoint/toSyncPoint; an exporter
    that writes positions exists in the wild of hand-made and converted files) was dropped with
    "names sync points the file does not have"; it now codes its words."""
    text = "A: Добрый день, начнём.\nB: Мен кезекте екі сағат тұрдым.\n"
    s, e = span(text, "кезекте екі")
    qde = project(
        f'<AudioSource guid="{SRC}" name="fg" path="internal://none.wav">'
        '<Transcript guid="b2000000-0000-4000-8000-000000000001" plainTextPath="internal://t.txt">'
        '<SyncPoint guid="90000000-0000-4000-8000-000000000001" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="90000000-0000-4000-8000-000000000002" position="{text.index("B:")}"'
        ' timeStamp="4000"/>'
        f'<TranscriptSelection guid="{SEL}" startPosition="{s}" endPosition="{e}">'
        f'<Coding guid="{SEL[:-3]}900"><CodeRef targetGUID="{CODE}"/></Coding>'
        "</TranscriptSelection></Transcript></AudioSource>"
    )
    report, folder = import_one(tmp_path, qde, {"sources/t.txt": text.encode()})
    assert not [n for n in report.not_imported if "sync points" in n], report.not_imported
    assert coded(folder) == [("Feeling", "кезекте екі")]
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        segs = p.transcript.segments(session.id)
        assert [(g.start_ms, g.speaker, g.text) for g in segs] == [
            (0, "A", "Добрый день, начнём."),
            (4000, "B", "Мен кезекте екі сағат тұрдым."),
        ]


def test_a_text_missing_from_the_archive_is_one_report_line(tmp_path: Path) -> None:
    """A source or transcript whose text the archive names but lacks got two lines, what was
    missing and then "it has no plain text; N coded selections not imported" (it had one, in
    a file the archive lacks); imported again into a project holding the text, a file that
    lacks it said it twice as well, the second that the segments no longer held the file's
    text (edited since?). Now one line each: the source, why, and what that costs."""
    av = (
        f'<AudioSource guid="{SRC[:-1]}7" name="a.m4a"><Transcript guid="{SEL[:-1]}9"'
        ' plainTextPath="internal://t.txt">'
        f'<SyncPoint guid="{CODE[:-1]}7" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="{CODE[:-1]}8" position="5" timeStamp="900"/>'
        f'<TranscriptSelection guid="{SEL[:-1]}6" fromSyncPoint="{CODE[:-1]}7"'
        f' toSyncPoint="{CODE[:-1]}8"><Coding guid="{CODING}"><CodeRef targetGUID="{CODE}"/>'
        "</Coding></TranscriptSelection></Transcript></AudioSource>"
    )
    lacking = project(
        text_source("internal://a.txt", selection(0, 3), selection(4, 6, guid=NOTE)) + av
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    report, _folder = import_one(tmp_path / "a", lacking)
    why = (
        "is missing from the archive, which names it as its own (a copy cut short, or an export "
        "that failed: the rest was imported; import the file again into this project once it "
        "is whole, and what is missing is added, nothing doubled)"
    )
    # (the recording names no media file either: a line of its own)
    assert sorted(n for n in report.not_imported if "internal://" in n) == [
        f"Text source 'doc': its text 'internal://a.txt' {why}; 2 coded selections were not "
        "imported.",
        f"Transcript of 'a.m4a': its text 'internal://t.txt' {why}; the session has no "
        "segments; 1 coded selection was not imported.",
    ]
    # the whole file first, then a second coder's file of it that lacks the text
    whole = project(text_source("internal://a.txt", selection(0, 3)))
    _report, folder = import_one(tmp_path / "b", whole, {"sources/a.txt": TEXT.encode()})
    second = project(text_source("internal://a.txt", selection(0, 3), selection(4, 6, guid=NOTE)))
    again = import_qdpx(write(tmp_path / "b" / "second.qdpx", second), folder, coder="me")
    assert again.not_imported == [
        f"Text source 'doc': its text 'internal://a.txt' {why}; 1 coded selection was not imported."
    ]

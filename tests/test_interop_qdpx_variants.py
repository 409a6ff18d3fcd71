"""REFI-QDA (.qdpx) import of the variations other tools write (QualCoder, NVivo, ATLAS.ti,
MAXQDA, Quirkos, Transana): each fixture is built here, imported, and the coded text compared
with what the file's selections say (code points, as QDA-XML counts them)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
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
    return [part.rstrip() for part in selected.split(newline) if part.strip()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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

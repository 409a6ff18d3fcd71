"""A REFI-QDA text source given only as rich text (``richTextPath`` to a .docx, no plain
text): its text is the paragraphs' text joined by line ends, as REFI-QDA says a tool derives
the plain text its positions count in; built here with python-docx, in Russian and Kazakh."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from tests.test_interop_qdpx_variants import CODE, SRC, coded, import_one, project, selection, span

PARAGRAPHS = ["Сұхбат Алматыда", "", "Мен Алматыда тұрамын.", "Қазақ тілі — ана тілім."]


def docx(paragraphs: list[str], *, table: list[str] | None = None, broken: int = -1) -> bytes:
    """A Word document with these paragraphs (the one at ``broken`` split by a line break at
    its " — "), then a one-row table of these cells."""
    document = Document()
    for i, text in enumerate(paragraphs):
        if i == broken:
            head, tail = text.split(" — ")
            paragraph = document.add_paragraph(head)
            paragraph.add_run().add_break()
            paragraph.add_run(tail)
        else:
            document.add_paragraph(text)
    if table:
        row = document.add_table(rows=1, cols=len(table)).rows[0]
        for cell, text in zip(row.cells, table, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rich_source(
    *selections: str, path: str = "internal://Сұхбат.docx", plain: str | None = None
) -> str:
    body = "".join(selections)
    also = f' plainTextPath="{plain}"' if plain else ""
    return f'<TextSource guid="{SRC}" name="doc" richTextPath="{path}"{also}>{body}</TextSource>'


def sel(n: int, start: int, end: int) -> str:
    return selection(start, end, CODE, f"a1000000-0000-4000-8000-0000000001{n:02d}")


def test_a_rich_text_source_is_read_from_its_paragraphs(tmp_path: Path) -> None:
    """It was "it has no plain text (only rich text, which FieldScribe does not read)", its
    codings lost: now its paragraphs are its text and the selections sit on their words."""
    paragraphs = [*PARAGRAPHS[:3], "Қазақ тілі\nана тілім.", "Айгүл", "Болат"]
    text = "\n".join(paragraphs)
    selections = [
        sel(1, *span(text, "Алматыда тұрамын")),
        sel(2, *span(text, "тілі\nана")),  # across the line break inside a paragraph
        sel(3, *span(text, "Болат")),  # a table cell
        sel(4, *span(text, "Сұхбат")),
    ]
    data = docx(PARAGRAPHS, table=["Айгүл", "Болат"], broken=3)
    report, folder = import_one(
        tmp_path, project(rich_source(*selections)), {"sources/Сұхбат.docx": data}
    )
    assert report.codings == 5 and not report.not_imported, report.describe()
    assert coded(folder) == sorted(
        [
            ("Feeling", "Алматыда тұрамын"),
            ("Feeling", "тілі"),
            ("Feeling", "ана"),
            ("Feeling", "Болат"),
            ("Feeling", "Сұхбат"),
        ]
    )
    (note,) = [n for n in report.notes if "rich text" in n]
    assert "read from its rich text 'internal://Сұхбат.docx'" in note
    assert "6 paragraphs joined by line ends" in note
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        joined = "\n".join(g.text for g in p.transcript.segments(session.id))
        assert joined == text


def test_a_selection_past_the_rich_text_is_kept_up_to_its_end(tmp_path: Path) -> None:
    text = "\n".join(PARAGRAPHS)
    start = text.index("ана")
    report, folder = import_one(
        tmp_path,
        project(rich_source(sel(1, start, len(text) + 40))),
        {"sources/Сұхбат.docx": docx(PARAGRAPHS)},
    )
    assert coded(folder) == [("Feeling", "ана тілім.")]
    assert any("1 selection reaches past the end" in n for n in report.notes)


def test_an_unreadable_or_missing_rich_text_is_reported_with_its_codings(tmp_path: Path) -> None:
    two = rich_source(sel(1, 0, 3), sel(2, 4, 6))
    for name, files, why in [
        (
            "bad",
            {"sources/Сұхбат.docx": b"PK\x03\x04 not a zip"},
            "cannot be read: the Word document is incomplete or damaged",
        ),
        ("nodoc", {"sources/Сұхбат.docx": _zip({"a.txt": b"x"})}, "cannot be read: not a Word"),
    ]:
        (tmp_path / name).mkdir()
        report, folder = import_one(tmp_path / name, project(two), files)
        (line,) = report.not_imported
        assert line.startswith(
            "Text source 'doc': it has no plain text, and its rich text 'internal://Сұхбат.docx' "
            + why
        ), line
        assert line.endswith("; 2 coded selections were not imported.") and "(s)" not in line
        assert report.sessions == 0 and coded(folder) == []


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАӘҒҚҢӨҰҮҺІ "
WORDS = st.text(alphabet=LETTERS, min_size=0, max_size=12)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(paragraphs=st.lists(WORDS, min_size=1, max_size=6), data=st.data())
def test_a_selection_in_one_paragraph_codes_its_characters(
    tmp_path_factory, paragraphs: list[str], data
) -> None:
    """Model: the positions count in the paragraphs joined by "\\n"; a selection of words
    inside one paragraph codes exactly those characters."""
    worded = [i for i, p in enumerate(paragraphs) if p.strip()]
    if not worded:
        return
    i = data.draw(st.sampled_from(worded))
    para = paragraphs[i]
    lo = data.draw(st.integers(0, len(para) - 1))
    hi = data.draw(st.integers(lo + 1, len(para)))
    if not para[lo:hi].strip():
        return
    offset = sum(len(p) + 1 for p in paragraphs[:i])
    tmp = tmp_path_factory.mktemp("rich")
    _report, folder = import_one(
        tmp,
        project(rich_source(sel(1, offset + lo, offset + hi))),
        {"sources/Сұхбат.docx": docx(paragraphs)},
    )
    (got,) = coded(folder)
    want = para[lo:hi]
    # a selection of a whole line's words (its spaces around them aside) codes the segment
    assert got[1] == want or (
        got[1].strip() == para.strip() and re.sub(r"\s", "", want) == re.sub(r"\s", "", para)
    )


def test_a_rich_text_source_imported_again_gets_the_codings_it_lacked(tmp_path: Path) -> None:
    """Another coder's export of the same project (same GUIDs): its new coding is placed on
    the rich text's words (it was "no longer hold the file's text" before the text was read)."""
    from storage.interop.qdpx_import import import_qdpx_into
    from tests.test_interop_qdpx_variants import write

    text = "\n".join(PARAGRAPHS)
    files = {"sources/Сұхбат.docx": docx(PARAGRAPHS)}
    _report, folder = import_one(
        tmp_path, project(rich_source(sel(1, *span(text, "Сұхбат")))), files
    )
    again = rich_source(sel(1, *span(text, "Сұхбат")), sel(2, *span(text, "тұрамын")))
    archive = write(tmp_path / "again.qdpx", project(again), files)
    with Project.open(folder) as p:
        report = import_qdpx_into(p, archive)
    assert report.codings == 1 and report.sessions == 0, report.describe()
    assert coded(folder) == [("Feeling", "Сұхбат"), ("Feeling", "тұрамын")]


def test_a_recording_s_rich_text_transcript_is_read_at_its_sync_points(tmp_path: Path) -> None:
    """A transcript given only as a .docx was "no plain text (a rich text transcript is not
    read)": the session had no segments and its codings were lost."""
    from tests.test_interop_qdpx_variants import CODING, SEL

    paragraphs = ["Айгүл: Сәлем!", "Болат: Қалайсыз?"]
    text = "\n".join(paragraphs)
    second, end = text.index("Болат"), len(paragraphs[0])
    av = (
        f'<AudioSource guid="{SRC}" name="a.m4a"><Transcript guid="{SEL[:-1]}9"'
        ' richTextPath="internal://t.docx">'
        f'<SyncPoint guid="{CODE[:-1]}7" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="{CODE[:-1]}8" position="{second}" timeStamp="4000"/>'
        f'<SyncPoint guid="{CODE[:-1]}9" position="{end}" timeStamp="3000"/>'
        f'<TranscriptSelection guid="{SEL}" fromSyncPoint="{CODE[:-1]}7"'
        f' toSyncPoint="{CODE[:-1]}9"><Coding guid="{CODING}"><CodeRef targetGUID="{CODE}"/>'
        "</Coding></TranscriptSelection></Transcript></AudioSource>"
    )
    report, folder = import_one(tmp_path, project(av), {"sources/t.docx": docx(paragraphs)})
    assert any(
        "Transcript of 'a.m4a': it has no plain text; its text was read" in n for n in report.notes
    )
    with Project.open(folder, readonly=True) as p:
        segs = p.transcript.segments(SRC)
        assert [(g.speaker, g.text, g.start_ms) for g in segs] == [
            ("Айгүл", "Сәлем!", 0),
            ("Болат", "Қалайсыз?", 4000),
        ]
    assert coded(folder) == [("Feeling", "Сәлем!")]


PLAIN = "internal://Сұхбат.txt"


def test_a_plain_text_missing_from_the_archive_falls_back_to_the_rich_text(
    tmp_path: Path,
) -> None:
    """Both ``plainTextPath`` and ``richTextPath``, the plain file not in the archive: it was
    "its text is not inside the archive" and "no plain text", the source and its codings lost;
    now its text is read from the .docx, with a note naming the missing plain file."""
    text = "\n".join(PARAGRAPHS)
    qde = project(rich_source(sel(1, *span(text, "Алматыда тұрамын")), plain=PLAIN))
    report, folder = import_one(tmp_path, qde, {"sources/Сұхбат.docx": docx(PARAGRAPHS)})
    assert report.sessions == 1 and not report.not_imported, report.describe()
    assert coded(folder) == [("Feeling", "Алматыда тұрамын")]
    (note,) = [n for n in report.notes if "rich text" in n]
    assert note.startswith(
        f"Text source 'doc': its plain text {PLAIN!r} is not inside the archive; its text was "
        "read from its rich text 'internal://Сұхбат.docx' (a Word document: 4 paragraphs"
    ), note


def test_a_plain_text_in_the_archive_is_read_before_the_rich_text(tmp_path: Path) -> None:
    plain = "Басқа мәтін: жоспар"
    qde = project(rich_source(sel(1, *span(plain, "жоспар")), plain=PLAIN))
    files = {"sources/Сұхбат.txt": plain.encode(), "sources/Сұхбат.docx": docx(PARAGRAPHS)}
    report, folder = import_one(tmp_path, qde, files)
    assert coded(folder) == [("Feeling", "жоспар")]
    assert not [n for n in report.notes if "rich text" in n] and not report.not_imported


@pytest.mark.parametrize("plain", [PLAIN, None])
def test_a_text_missing_from_the_archive_is_named_and_the_rest_imported(
    tmp_path: Path, plain: str | None
) -> None:
    """The archive names its text (internal://) but lacks it (a copy cut short, an export
    that failed): the import was refused whole; now the rest goes in and the report names the
    source and why."""
    other = f'<TextSource guid="{SRC[:-1]}9" name="other" plainTextPath="internal://o.txt"/>'
    qde = project(rich_source(sel(1, 0, 3), sel(2, 4, 6), plain=plain) + other)
    report, folder = import_one(tmp_path, qde, {"sources/o.txt": "Басқа мәтін.".encode()})
    with Project.open(folder, readonly=True) as p:
        assert [s.title for s in p.sessions.all()] == ["other"]
    (line,) = report.not_imported  # one line: the source, why, what that costs
    if plain:
        assert line.startswith(
            f"Text source 'doc': its text {plain!r} is missing from the archive, which names it "
            "as its own (a copy cut short"
        ), line
        assert line.endswith(
            "nothing doubled), and its rich text 'internal://Сұхбат.docx' is not inside the "
            "archive; 2 coded selections were not imported."
        ), line
    else:
        assert line == (
            "Text source 'doc': it has no plain text, and its rich text 'internal://Сұхбат.docx' "
            "is not inside the archive; 2 coded selections were not imported."
        )


def test_a_recording_s_missing_plain_transcript_falls_back_to_its_rich_text(
    tmp_path: Path,
) -> None:
    from tests.test_interop_qdpx_variants import CODING, SEL

    paragraphs = ["Айгүл: Сәлем!", "Болат: Қалайсыз?"]
    av = (
        f'<AudioSource guid="{SRC}" name="a.m4a"><Transcript guid="{SEL[:-1]}9"'
        ' plainTextPath="internal://t.txt" richTextPath="internal://t.docx">'
        f'<SyncPoint guid="{CODE[:-1]}7" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="{CODE[:-1]}9" position="{len(paragraphs[0])}" timeStamp="3000"/>'
        f'<TranscriptSelection guid="{SEL}" fromSyncPoint="{CODE[:-1]}7"'
        f' toSyncPoint="{CODE[:-1]}9"><Coding guid="{CODING}"><CodeRef targetGUID="{CODE}"/>'
        "</Coding></TranscriptSelection></Transcript></AudioSource>"
    )
    report, folder = import_one(tmp_path, project(av), {"sources/t.docx": docx(paragraphs)})
    assert any(
        "Transcript of 'a.m4a': its plain text 'internal://t.txt' is not inside the archive; "
        "its text was read from its rich text" in n
        for n in report.notes
    ), report.describe()
    with Project.open(folder, readonly=True) as p:
        assert [g.text for g in p.transcript.segments(SRC)] == ["Сәлем!", "Қалайсыз?"]
    assert coded(folder) == [("Feeling", "Сәлем!")]

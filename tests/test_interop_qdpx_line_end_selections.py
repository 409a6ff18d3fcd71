"""A selection that covers only a line end (or the blank lines a line keeps, or those opening
the text) codes nothing visible: it is left out and reported with the selections that cover
no transcript text. Before, it became a coding of "\\n" on the line above (a code on nothing,
counted in every table and agreement). Extending it to a neighbouring word would invent a
coding the coder never made; a selection with words keeps exactly what it covered, and one of
spaces still codes those spaces."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Project
from storage.interop import import_qdpx
from storage.interop.text_lines import map_span, split_text_source
from tests.interop_support import write_qdpx

CODE, SRC = "ab000000-0000-4000-8000-000000000001", "ab000000-0000-4000-8000-000000000002"


def _qde(spans: list[tuple[int, int]]) -> str:
    sels = "".join(
        f'<PlainTextSelection guid="ac000000-0000-4000-8000-{k:012d}" startPosition="{s}" '
        f'endPosition="{e}"><Coding guid="ad000000-0000-4000-8000-{k:012d}">'
        f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        for k, (s, e) in enumerate(spans)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="x" origin="NVivo 14"><CodeBook><Codes>'
        f'<Code guid="{CODE}" name="Жол" isCodable="true"/></Codes></CodeBook><Sources>'
        f'<TextSource guid="{SRC}" name="Сұхбат" plainTextPath="internal://a.txt">{sels}'
        "</TextSource></Sources></Project>"
    )


def test_a_selection_of_a_line_end_is_no_coding(tmp_path: Path) -> None:
    text = "Айгүл: емхана жоқ\nЕрлан: автобус жоқ\n\nАйгүл: мектеп бар 🙂"
    first, blank = text.index("\n"), text.index("\n\n")
    spans = [
        (first, first + 1),  # the first line's end
        (blank, blank + 1),  # the second line's end
        (blank + 1, blank + 2),  # the blank line
        (blank, blank + 2),  # both
        (text.index("жоқ\n"), text.index("жоқ\n") + 4),  # words and the line end: kept
    ]
    archive = write_qdpx(tmp_path / "a.qdpx", _qde(spans), {"a.txt": text.encode()})
    report = import_qdpx(archive, tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        segments = {s.id: s for x in p.sessions.all() for s in p.transcript.segments(x.id)}
        coded = [segments[c.segment_id].text[c.start_cp : c.end_cp] for c in p.codebook.codings()]
    assert coded == ["жоқ"]
    said = " ".join(report.not_imported)
    assert "4 selections cover no transcript text" in said and "a line end" in said, said


LINE = st.text(alphabet="аб 🙂", min_size=1, max_size=6).filter(lambda s: s.strip())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(LINE, st.just("")), min_size=1, max_size=6).filter(
        lambda lines: any(line.strip() for line in lines)
    ),
    st.data(),
)
def test_a_selection_is_coded_where_and_only_where_it_covers_more_than_line_ends(
    lines: list[str], data: st.DataObject
) -> None:
    text = "\n".join(lines)  # (an import reads CRLF texts as LF first)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    parsed, _transcript = split_text_source(text)
    targets = map_span(parsed, start, end)
    # the model: a part of a line is coded when the selection covers more of it than line
    # ends (spaces alone are a coding of those spaces), on a line with visible text
    visible = {
        i
        for i, line in enumerate(parsed)
        if text[max(start, line.text_start) : min(end, line.text_end)].strip("\n")
        and line.text.strip()
    }
    if start == end:  # an empty selection codes only an empty line it sits on
        assert all(parsed[i].text_start == parsed[i].text_end for i, _s, _e in targets)
        return
    assert {i for i, _s, _e in targets} == visible
    for i, s, e in targets:
        covered = parsed[i].text if s is None else parsed[i].text[s:e]
        assert covered.strip("\n")

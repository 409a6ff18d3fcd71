"""A .qdpx import's report says many items of one kind of problem in one line: a selection on a
speaker's label alone (or on blank lines) said one line each, and a large file's report ran to
hundreds of such lines. Each kind is one line per source (its count and the first few items),
one line for all sources once it is in more than ``SOURCES`` of them; ``item_lines`` (the
``--json`` report) keeps every item's own line."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.interop import import_qdpx
from storage.interop.qdpx_import.item_lines import EXAMPLES, SOURCES, ItemLines
from tests.interop_support import write_qdpx

CODE = "e8000000-0000-4000-8000-000000000001"
LINE = "Айгүл: Ауылда емхана жоқ 😀 ничего нет"
LABEL = len("Айгүл: ")


def _say(count: int, shown: str) -> str:
    return f"{count} items: {shown}."


WHERE = st.sampled_from(["", "'S1'", "'S2'", "'S3'", "'S4'", "'S5'"])


@given(st.lists(st.tuples(st.sampled_from("ab"), WHERE), max_size=40))
def test_items_are_grouped_per_kind_and_source(items: list[tuple[str, str]]) -> None:
    lines = ["before"]
    grouped = ItemLines()
    for n, (kind, where) in enumerate(items):
        grouped.add(lines, kind, where, f"{where}: item {n} of {kind}", f"#{n}", _say)
    # the model: per kind, its sources' counts; one line for them all past SOURCES sources
    expected: list[tuple[str, int]] = []
    for kind in "ab":
        mine = [w for k, w in items if k == kind]
        counts = {w: mine.count(w) for w in dict.fromkeys(mine)}
        named = [w for w in counts if w]
        if len(named) > SOURCES:
            expected.append((kind, sum(counts[w] for w in named)))
            expected += [(kind, counts[""])] if "" in counts else []
        else:
            expected += [(kind, c) for c in counts.values()]
    said = lines[1:]
    assert lines[0] == "before" and len(said) == len(expected)
    totals = [int(m.group(1)) if (m := re.search(r"(\d+) items", s)) else 1 for s in said]
    assert sorted(totals) == sorted(c for _, c in expected)
    for line in said:
        if "items" in line:
            assert len(re.findall(r"#\d+", line)) == EXAMPLES or "more" not in line
    assert grouped.every == [f"{w}: item {n} of {k}" for n, (k, w) in enumerate(items)]


def _source(n: int, labels: int, empty: int) -> tuple[str, bytes]:
    guid = f"e8000000-0000-4000-8000-{n + 100:012d}"
    text = "\n".join([LINE] * (labels + 1))
    sels = []
    for k in range(labels):  # "Айгүл: " alone, on line k
        at = k * (len(LINE) + 1)
        sels.append((at, at + LABEL))
    sels += [(LABEL + 3, LABEL + 3)] * empty  # starts where it ends
    sels.append((LABEL, len(LINE)))  # and one coded on its words
    body = "".join(
        f'<PlainTextSelection guid="e8{n:06d}-{i:04d}-4000-8000-000000000000" '
        f'startPosition="{a}" endPosition="{b}"><Coding guid="e9{n:06d}-{i:04d}-4000-8000-'
        f'000000000000"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        for i, (a, b) in enumerate(sels)
    )
    xml = (
        f'<TextSource guid="{guid}" name="Сұхбат {n}" plainTextPath="internal://{guid}.txt">'
        f"{body}</TextSource>"
    )
    return xml, text.encode()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), min_size=1, max_size=6))
def test_a_big_import_says_each_kind_of_loss_in_few_lines(
    tmp_path_factory,
    counts: list[tuple[int, int]],  # type: ignore[no-untyped-def]
) -> None:
    tmp = tmp_path_factory.mktemp("q")
    sources, files = [], {}
    for n, (labels, empty) in enumerate(counts):
        xml, data = _source(n, labels, empty)
        sources.append(xml)
        files[f"sources/e8000000-0000-4000-8000-{n + 100:012d}.txt"] = data
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="Ауыл" origin="Hand"><CodeBook><Codes><Code guid="{CODE}" name="Емхана" '
        f'isCodable="true"/></Codes></CodeBook><Sources>{"".join(sources)}</Sources></Project>'
    )
    report = import_qdpx(write_qdpx(tmp / "a.qdpx", qde, files), tmp / "p", coder="me")
    assert report.codings == len(counts)
    for kind, words, lost in (
        (0, "no transcript text", [labels for labels, _ in counts]),
        (1, "is empty", [empty for _, empty in counts]),
    ):
        what = words if kind == 0 else "empty"
        said = [line for line in report.not_imported if what in line]
        with_loss = sum(1 for n in lost if n)
        assert len(said) == (1 if with_loss > SOURCES else with_loss), said
        told = [int(m.group(1)) if (m := re.search(r"(\d+) selections", s)) else 1 for s in said]
        assert sum(told) == sum(lost), said
        assert len([line for line in report.item_lines if words in line]) == sum(lost)
    assert "item_lines" in report.as_dict() and "_items" not in report.as_dict()

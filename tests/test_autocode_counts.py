"""`autocode` says how many segments its query found, how many it coded and how many carried
the code already: it said "Coded 2 segments with 'Коррупция'" when the search found 4 (two
coded before), so that a researcher checking "count coded = count found" read a wrong count."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft

WORDS = ["Коррупция", "коррупции", "взятки", "Сенім", "сенім", "ЦОН", "eGov", "очереди", "жоқ"]


def _run(folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    from cli import main as cli_main

    assert cli_main(["autocode", str(folder), *args]) == 0
    return capsys.readouterr().out


def test_autocode_says_found_coded_and_already_coded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="ann") as p:
        sid = p.sessions.add_session("FG").id
        texts = ["Коррупция в ЦОНе.", "Коррупции нет.", "Сенім жоқ, коррупция.", "Ауылда."]
        ids = [s.id for s in p.transcript.add_segments(
            sid, [SegmentDraft(i * 1000, i * 1000 + 900, t) for i, t in enumerate(texts)]
        )]  # fmt: skip
        code = p.codebook.ensure_code_path("Коррупция")
        p.codebook.apply_code(ids[0], code.id)  # whole, by this coder: already coded
        p.codebook.apply_code(ids[1], code.id, start_cp=0, end_cp=9)  # a span: not the same
        p.codebook.apply_code(ids[2], code.id, coder="bob")  # another coder's: not the same
    out = _run(folder, capsys, "--query", "коррупц*", "--code", "Коррупция")
    assert out == "Found 3 segments: coded 2 with 'Коррупция', 1 had it already.\n"
    again = json.loads(_run(folder, capsys, "--query", "коррупц*", "--code", "Коррупция", "--json"))
    assert (again["segments_found"], again["codings_added"], again["already_coded"]) == (3, 0, 3)
    # all new: the message is the one it always was
    assert (
        _run(folder, capsys, "--query", "ауылда", "--code", "Аул")
        == "Coded 1 segment with 'Аул'.\n"
    )


def _model_found(texts: list[str], word: str) -> set[int]:
    """An independent model of a one-word query: whole words, case ignored (ё as е)."""
    key = word.lower().replace("ё", "е")
    return {
        i
        for i, t in enumerate(texts)
        if key in (w.lower().replace("ё", "е") for w in re.findall(r"\w+", t))
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
        min_size=1,
        max_size=8,
    ),
    coded=st.sets(st.integers(0, 7)),
    word=st.sampled_from(WORDS),
)
def test_autocode_counts_match_an_independent_model(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    texts: list[str],
    coded: set[int],
    word: str,
) -> None:
    folder = tmp_path_factory.mktemp("auto") / "p.fieldscribe"
    with Project.create(folder, coder="ann") as p:
        sid = p.sessions.add_session("FG").id
        ids = [s.id for s in p.transcript.add_segments(
            sid, [SegmentDraft(i * 1000, i * 1000 + 900, t) for i, t in enumerate(texts)]
        )]  # fmt: skip
        code = p.codebook.ensure_code_path("Код")
        for i in coded & set(range(len(texts))):
            p.codebook.apply_code(ids[i], code.id)
    found = _model_found(texts, word)
    already = found & coded
    result = json.loads(_run(folder, capsys, "--query", word, "--code", "Код", "--json"))
    assert result["segments_found"] == len(found)
    assert result["already_coded"] == len(already)
    assert result["codings_added"] == len(found - already)
    assert set(result["segment_ids"]) == {ids[i] for i in found - already}
    with Project.open(folder) as p:
        code = p.codebook.find_code("Код")
        carried = {c.segment_id for c in p.codebook.codings(code_id=code.id)} if code else set()
    assert carried == {ids[i] for i in found | (coded & set(range(len(texts))))}

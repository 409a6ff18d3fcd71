"""Column loading of transcripts and codings (what the workbench reads for long sessions)."""

from __future__ import annotations

import gc
import threading

import pytest

from storage import NotFoundError, Project, SegmentDraft
from storage.codebook.retrieval import CodingColumns


@pytest.fixture
def session_id(project: Project) -> str:
    session = project.sessions.add_session("Focus group", "focus_group")
    drafts = [
        SegmentDraft(0, 900, "Ақпараттық технологиялар 👍 online", speaker="P1"),
        # ties on start_ms: the insertion order (seq) decides, across chunk boundaries too
        SegmentDraft(1000, 1500, "tie one", speaker=None, confidence=0.5),
        SegmentDraft(1000, 1400, 'tie "two" \\ back\nslash', speaker="P2"),
        SegmentDraft(1000, 1300, "tie three", speaker="P2", origin="manual"),
        SegmentDraft(500, 800, "earlier but added later", speaker="P3", origin="import"),
        SegmentDraft(3000, 3500, "", speaker="P1"),
    ]
    project.transcript.add_segments(session.id, drafts)
    other = project.sessions.add_session("Other")
    project.transcript.add_segments(other.id, [SegmentDraft(0, 10, "not this session")])
    return session.id


@pytest.mark.parametrize("chunk", [1, 2, 3, 4000])
def test_columns_match_the_segments_in_time_order(
    project: Project, session_id: str, chunk: int
) -> None:
    seg = project.retrieval.transcript_segments(session_id)[2]
    project.transcript.update_segment(seg.id, text=seg.text + " (fixed)")
    expected = project.retrieval.transcript_segments(session_id)
    cols = project.retrieval.transcript_columns(session_id, chunk=chunk)
    assert len(cols) == len(expected) == 6
    for row, want in enumerate(expected):
        got = cols.segment(row)
        assert (got.id, got.session_id, got.start_ms, got.end_ms, got.speaker, got.text) == (
            want.id,
            want.session_id,
            want.start_ms,
            want.end_ms,
            want.speaker,
            want.text,
        )
        assert (got.origin, got.confidence, got.edited, got.words) == (
            want.origin,
            want.confidence,
            want.edited,
            [],
        )
    ties = [t.split()[1] for t in cols.texts if t.startswith("tie")]
    assert ties == ["one", '"two"', "three"]
    assert cols.edited[2] == 1 and cols.texts[2] == "tie one (fixed)"


def test_columns_hold_no_object_per_row(project: Project, session_id: str) -> None:
    cols = project.retrieval.transcript_columns(session_id)
    # flat lists of strings/ints/None and arrays: nothing inside them is tracked by the GC
    for column in (cols.ids, cols.speakers, cols.texts, cols.confidence):
        assert not any(gc.is_tracked(v) for v in column)
    assert {type(c).__name__ for c in (cols.start_ms, cols.end_ms, cols.origins, cols.edited)} == {
        "array"
    }


def test_columns_edit_in_place(project: Project, session_id: str) -> None:
    cols = project.retrieval.transcript_columns(session_id)
    first = cols.segment(0)
    cols.delete(0)
    assert len(cols) == 5 and first.id not in cols.ids
    cols.insert(2, first)
    assert cols.segment(2) == first
    changed = project.transcript.update_segment(first.id, text="changed", speaker="P9")
    cols.set(2, changed)
    assert (cols.texts[2], cols.speakers[2], cols.edited[2]) == ("changed", "P9", 1)


def test_columns_unknown_session_and_cancel(project: Project, session_id: str) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        project.retrieval.transcript_columns("nope")
    cancel = threading.Event()
    cancel.set()
    assert len(project.retrieval.transcript_columns(session_id, cancel=cancel)) == 0
    empty = project.sessions.add_session("Empty")
    assert len(project.retrieval.transcript_columns(empty.id)) == 0


def test_coding_columns_group_by_segment(project: Project, session_id: str) -> None:
    segs = project.retrieval.transcript_segments(session_id)
    code = project.codebook.add_code("Trust")
    other = project.codebook.add_code("Access")
    a = project.codebook.apply_code(segs[0].id, code.id, start_cp=5, end_cp=9, memo="memo ✓")
    b = project.codebook.apply_code(segs[0].id, other.id)
    c = project.codebook.apply_code(segs[3].id, code.id, coder="coder-b")
    cols = project.retrieval.coding_columns(session_id)
    assert len(cols) == 3
    assert cols.of_segment(segs[0].id) == [b, a]  # whole segment first, then by span start
    assert cols.of_segment(segs[3].id) == [c]
    assert cols.of_segment(segs[1].id) == []
    assert (
        project.retrieval.coding_columns(session_id, coder="coder-b").of_segment(segs[0].id) == []
    )
    rebuilt = CodingColumns.from_codings([c, a, b])
    assert rebuilt.of_segment(segs[0].id) == [b, a]
    assert rebuilt.of_segment(segs[3].id) == [c]

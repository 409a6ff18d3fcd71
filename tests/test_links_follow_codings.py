"""A link to a passage (a coding) follows the coding through everything that moves codings:
a text edit or a re-transcription whose new text lacks its words (the coding goes into its
coder's whole-segment coding of the code), a split, a join with the next segment, a merge of
two codes. Before, a coding another came to stand for was deleted and its links with it,
silently (the ``codings_links_go`` trigger). Checked against a model: every link stays, its
passage end a coding of the same code (the merge's target after a merge of codes) and coder,
its other end the same; a re-transcription says in one line what moved and what went."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft
from storage.core.errors import InvalidInputError
from tests.hardening_support import run_cli
from tests.test_cli_segment_edits import ID_RU, fake_decoder, study  # noqa: F401

TEXTS = ("Автобус күніне бір рет жүреді.", "Очередь в акимате большая.", "no clinic here")

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 5), st.integers(0, 40), st.integers(0, 40)),
        st.tuples(st.just("retranscribe"), st.integers(0, 5), st.sampled_from(TEXTS)),
        st.tuples(st.just("split"), st.integers(0, 5), st.integers(1, 40)),
        st.tuples(st.just("join"), st.integers(0, 5)),
        st.tuples(
            st.just("merge_codes"),
        ),
    ),
    min_size=1,
    max_size=8,
)


def _ends(p: Project) -> dict[str, tuple[Any, ...]]:
    """Each link as its name, its passage's code and coder, and its other end."""
    codings = {c.id: c for c in p.codebook.codings()}
    out = {}
    for link in p.links.all():
        coding = codings[link.origin.id]
        out[link.name] = (coding.code_id, coding.coder, link.target.kind, link.target.id)
    return out


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=OPS)
@example(ops=[("edit", 0, 0, 12)])
@example(ops=[("retranscribe", 0, "no clinic here")])
@example(ops=[("split", 0, 20)])
@example(ops=[("join", 0)])
@example(ops=[("merge_codes",)])
@example(ops=[("join", 0), ("split", 0, 22), ("split", 1, 18)])  # a span starting in the spaces
def test_links_of_passages_follow_their_codings(ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp, Project.create(Path(tmp) / "p", coder="ann") as p:
        session = p.sessions.add_session("Сұхбат")
        first, second = p.transcript.add_segments(
            session.id,
            [SegmentDraft(0, 4000, TEXTS[0], "A"), SegmentDraft(4000, 8000, TEXTS[1], "B")],
        )
        a, b, other = (p.codebook.ensure_code_path(n) for n in ("Көлік", "Transport", "Trust"))
        made = [
            p.codebook.apply_code(first.id, a.id, start_cp=0, end_cp=7),  # "Автобус"
            p.codebook.apply_code(first.id, a.id),  # its coder's whole coding of the code
            p.codebook.apply_code(first.id, b.id, start_cp=0, end_cp=7),  # the same words
            p.codebook.apply_code(second.id, b.id, start_cp=0, end_cp=7),
            p.codebook.apply_code(second.id, a.id, start_cp=9, end_cp=16),
        ]
        for n, coding in enumerate(made):
            p.links.add(("coding", coding.id), ("code", other.id), f"link {n}", memo=f"memo {n}")
        model = _ends(p)
        for op in ops:
            segments = p.transcript.segments(session.id)
            seg = segments[op[1] % len(segments)] if len(op) > 1 else None
            if op[0] == "edit":
                assert seg is not None
                lo, hi = sorted((op[2] % (len(seg.text) + 1), op[3] % (len(seg.text) + 1)))
                text = seg.text[:lo] + seg.text[hi:]
                if not text.strip():
                    continue
                p.transcript.update_segment(seg.id, text=text)
            elif op[0] == "retranscribe":
                assert seg is not None
                p.transcript.replace_transcription(
                    seg.id, text=op[2], words=[], confidence=None, language=None
                )
            elif op[0] == "split":
                assert seg is not None
                if not 0 < op[2] < len(seg.text):
                    continue
                try:
                    p.transcript.split_segment(seg.id, op[2])
                except InvalidInputError:
                    continue
            elif op[0] == "join":
                assert seg is not None
                try:
                    p.transcript.merge_with_next(seg.id)
                except InvalidInputError:
                    continue
            else:
                if p.codebook.find_code("Transport") is None:
                    continue
                p.codebook.merge_codes(b.id, a.id)
                model = {k: (a.id, *v[1:]) if v[0] == b.id else v for k, v in model.items()}
            assert _ends(p) == model, op
        memos = {k.name: k.memo for k in p.links.all()}
        assert memos == {f"link {n}": f"memo {n}" for n in range(len(made))}


def test_retranscribe_says_where_the_links_of_a_passage_went(
    study: tuple[Path, str],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    fake_decoder: list[dict[str, Any]],  # noqa: F811
) -> None:
    """The span coding on "Очередь" loses its words and goes into the coder's whole coding of
    the code: its link to a code moves there; its link to that whole coding went with it
    (a link of a coding to itself): one line says both."""
    folder, _ = study
    with Project.open(folder) as p:
        (span,) = p.codebook.codings(segment_id=ID_RU)
        queues, trust = p.codebook.find_code("Queues"), p.codebook.ensure_code_path("Trust")
        assert queues is not None
        whole = p.codebook.apply_code(ID_RU, queues.id, coder=span.coder)
        p.links.add(("coding", span.id), ("code", trust.id), "shows", memo="Ұзақ күту.")
        p.links.add(("coding", span.id), ("coding", whole.id), "part of")
    code, out, err = run_cli(capsys, "retranscribe", folder, ID_RU)
    assert code == 0, err
    assert (
        "Note: 1 link of a passage whose words are not in the new text now links the "
        "whole-segment coding that stands for it; 1 link of such a passage went with it (it "
        "linked that coding, or repeated a link of it)." in out.splitlines()
    ), out
    with Project.open(folder, readonly=True) as p:
        (link,) = p.links.all()
        assert (link.name, link.origin.id, link.target.id, link.memo) == (
            "shows",
            whole.id,
            trust.id,
            "Ұзақ күту.",
        )


def test_undo_of_the_edit_gives_the_passage_its_links_back(tmp_path: Path) -> None:
    """Edit ▸ Undo of a text edit that sent a passage's coding into its whole-segment coding
    puts the links back on the passage, the one that went included."""
    from storage.history.undo import UndoScope

    with Project.create(tmp_path / "p", coder="ann") as p:
        session = p.sessions.add_session("Сұхбат")
        (seg,) = p.transcript.add_segments(session.id, [SegmentDraft(0, 4000, TEXTS[0], "A")])
        code, other = p.codebook.ensure_code_path("Көлік"), p.codebook.ensure_code_path("Trust")
        span = p.codebook.apply_code(seg.id, code.id, start_cp=0, end_cp=7)
        whole = p.codebook.apply_code(seg.id, code.id)
        p.links.add(("coding", span.id), ("code", other.id), "shows")
        p.links.add(("coding", span.id), ("coding", whole.id), "part of")
        before = {(k.name, k.origin.id, k.target.id) for k in p.links.all()}
        _, record = p.history.record_edit(
            UndoScope.of(segments=[seg.id]),
            lambda: p.transcript.update_segment(seg.id, text=TEXTS[0][8:]),
        )
        assert {(k.name, k.origin.id) for k in p.links.all()} == {("shows", whole.id)}
        p.history.undo_edit(record)
        assert {(k.name, k.origin.id, k.target.id) for k in p.links.all()} == before
        p.history.redo_edit(record)
        assert {(k.name, k.origin.id) for k in p.links.all()} == {("shows", whole.id)}

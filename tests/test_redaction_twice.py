"""Redacting words a live redaction already hides is refused (one line, nothing written): a
second row for the same words was listed twice in Ethics ▸ Redactions, and removing one left
the words hidden by the other. Checked against a model of the live spans."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import InvalidInputError, Project, SegmentDraft

TEXT = "Aigerim lives in Karaganda near the old mine"


def _project(folder: Path) -> tuple[Project, str]:
    project = Project.create(folder, name="R", coder="a")
    session = project.sessions.add_session("S")
    [seg] = project.transcript.add_segments(session.id, [SegmentDraft(0, 1000, TEXT, "S1")])
    return project, seg.id


def test_the_same_words_twice_are_refused(tmp_path: Path) -> None:
    project, sid = _project(tmp_path / "p.fieldscribe")
    with project:
        project.redactions.redact(sid, 17, 26, "PLACE")
        events = len(project.audit.entries())
        with pytest.raises(InvalidInputError, match="“Karaganda” is already redacted"):
            project.redactions.redact(sid, 17, 26, "PLACE")
        with pytest.raises(InvalidInputError, match=r"exports show \[PLACE\]"):
            project.redactions.redact(sid, 20, 23, "NAME")  # a word inside it
        assert len(project.redactions.all()) == 1 and len(project.audit.entries()) == events


spans = st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, len(TEXT))).filter(
    lambda s: s[0] < s[1]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.one_of(spans.map(lambda s: ("redact", s)), st.just(("remove", None))), max_size=8
    )
)
def test_live_redactions_follow_a_model(
    tmp_path_factory: pytest.TempPathFactory, steps: list
) -> None:
    project, sid = _project(tmp_path_factory.mktemp("r") / "p.fieldscribe")
    model: list[tuple[int, int]] = []
    with project:
        for what, span in steps:
            if what == "remove":
                if model:
                    live = project.redactions.all()
                    project.redactions.remove_redaction(live[0].id)
                    model.remove((live[0].start_cp, live[0].end_cp))
                continue
            covered = any(a <= span[0] and span[1] <= b for a, b in model)
            if covered:
                with pytest.raises(InvalidInputError):
                    project.redactions.redact(sid, *span)
            else:
                project.redactions.redact(sid, *span)
                model.append(span)
            got = sorted((r.start_cp, r.end_cp) for r in project.redactions.all())
            assert got == sorted(model)

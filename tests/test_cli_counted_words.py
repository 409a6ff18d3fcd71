"""The command line counts in words ("1 segment", "2 segments"), not "segment(s)"."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli import main as cli_main
from cli.output import plural
from storage import Project, SegmentDraft


@given(n=st.integers(0, 10_000), word=st.sampled_from(["segment", "coding", "disagreement"]))
def test_plural_says_one_thing_or_many(n: int, word: str) -> None:
    said = plural(n, word)
    assert said == (f"1 {word}" if n == 1 else f"{n} {word}s")
    assert plural(n, "stretch", "stretches").endswith("stretch" if n == 1 else "stretches")


@pytest.mark.parametrize("differ", [1, 2, 3])
def test_agreement_counts_its_disagreements_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], differ: int
) -> None:
    """``agreement --disagreements`` said "1 disagreement(s):"."""
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="lead") as p:
        session = p.sessions.add_session("Focus group")
        segs = p.transcript.add_segments(
            session.id, [SegmentDraft(i * 1000, i * 1000 + 500, f"words {i}") for i in range(4)]
        )
        code = p.codebook.ensure_code_path("Trust")
        p.codebook.apply_code(segs[3].id, code.id, coder="ann")  # both agree on the last one
        p.codebook.apply_code(segs[3].id, code.id, coder="ben")
        for seg in segs[:differ]:  # only ann: a disagreement each
            p.codebook.apply_code(seg.id, code.id, coder="ann")
    assert cli_main(["agreement", str(folder), "--coders", "ann,ben", "--disagreements"]) == 0
    out = capsys.readouterr().out
    heading = "1 disagreement:" if differ == 1 else f"{differ} disagreements:"
    assert f"\n{heading}\n" in out and "(s)" not in out, out


@pytest.mark.parametrize("n", [1, 2])
def test_bundle_export_counts_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], n: int
) -> None:
    """``bundle export`` said "Wrote F (1 sessions, 1 segments, 1 codes, 1 codings, 0 voice
    profiles)"."""
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="lead") as p:
        for i in range(n):
            session = p.sessions.add_session(f"Focus group {i}")
            (seg,) = p.transcript.add_segments(session.id, [SegmentDraft(0, 500, "words")])
            p.codebook.apply_code(seg.id, p.codebook.ensure_code_path(f"Trust {i}").id)
    out_file = tmp_path / "b.fsbundle"
    assert cli_main(["bundle", "export", str(folder), "-o", str(out_file)]) == 0
    out = capsys.readouterr().out
    counts = (
        "1 session, 1 segment, 1 code, 1 coding, 0 voice profiles"
        if n == 1
        else "2 sessions, 2 segments, 2 codes, 2 codings, 0 voice profiles"
    )
    assert f"({counts})" in out, out

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


def test_delete_session_counts_what_it_removed_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``delete-session`` said "(ID; 1 codings, 1 segments, 1 media)"."""
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="lead") as p:
        session = p.sessions.add_session("Focus group")
        (seg,) = p.transcript.add_segments(session.id, [SegmentDraft(0, 500, "words")])
        p.codebook.apply_code(seg.id, p.codebook.ensure_code_path("Trust").id)
    assert cli_main(["delete-session", str(folder), "--session", "Focus group", "--force"]) == 0
    out = capsys.readouterr().out
    # no recording: nothing said of audio (ad2de9e)
    assert f"({session.id}; 1 coding, 1 segment); `fieldscribe restore-session" in out, out


def test_transcribe_speakers_summary_counts_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``transcribe --speakers`` summed up "1 speakers found in 'x': Speaker 1; 1 segment parts
    labelled, 1 cuts"."""
    import argparse
    import threading

    import transcribe.speakers
    from cli.transcribe_cmds import _detect_speakers

    def diarize(
        project: Project, session_id: str, **_: object
    ) -> transcribe.speakers.DiarizeReport:
        return transcribe.speakers.DiarizeReport(
            session_id, ["Speaker 1"], {}, 1, 1, 2, 900, 800, 0.5
        )

    monkeypatch.setattr(transcribe.speakers, "diarize_session", diarize)
    with Project.create(tmp_path / "p.fieldscribe", coder="lead") as p:
        session = p.sessions.add_session("FG")
        p.transcript.add_segments(session.id, [SegmentDraft(0, 800, "words")])
        args = argparse.Namespace(
            json=False, num_speakers=None, min_speakers=None, max_speakers=None, replace=False
        )
        _detect_speakers(p, session.id, "FG", args, threading.Event())
    out = capsys.readouterr().out
    assert "1 speaker found in 'FG': Speaker 1; 1 segment part labelled, 1 cut (0.5 s)." in out

"""`fieldscribe code` on a segment the coder has already coded with that code: the new memo
was dropped and the line said "Coded segment ..." as if a coding had been added."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from tests.hardening_support import fingerprint, make_project, run_cli, tone_wav


def _codings(folder: Path) -> list[tuple[str, str, str | None]]:
    with Project.open(folder) as project:
        return sorted((c.segment_id, c.coder, c.memo) for c in project.codebook.codings())


def test_coding_again_says_so_and_a_new_memo_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "study"
    make_project(folder, tone_wav(tmp_path / "a.wav"))
    with Project.open(folder) as project:
        (coding,) = project.codebook.codings()
    segment = coding.segment_id

    code, out, err = run_cli(
        capsys, "code", folder, "--segment", segment, "--code", "Access/Online", "--memo", "why"
    )
    assert code == 0, err
    assert "already coded 'Access/Online' by coder-a: its memo is replaced" in out
    assert _codings(folder) == [(segment, "coder-a", "why")]  # one coding, the memo given

    before = fingerprint(folder)
    for memo in ([], ["--memo", "why"]):  # the same again: nothing to change
        code, out, err = run_cli(
            capsys, "code", folder, "--segment", segment, "--code", "Access/Online", *memo
        )
        assert code == 0, err
        assert "already coded 'Access/Online' by coder-a; nothing was changed" in out
    assert fingerprint(folder) == before

    # another coder's coding of the same code is a coding of their own
    code, out, err = run_cli(
        capsys, "code", folder, "--segment", segment, "--code", "Access/Online", "--coder", "bob"
    )
    assert code == 0, err
    assert out.startswith("Coded segment")
    assert _codings(folder) == sorted([(segment, "coder-a", "why"), (segment, "bob", None)])

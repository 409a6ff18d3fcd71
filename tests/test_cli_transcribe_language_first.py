"""`transcribe --language` with a code no Whisper model knows: that is the one line, first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening_support import fingerprint, make_project, one_line_error, run_cli, tone_wav


@pytest.mark.parametrize("code", ["xx", "kz"])
def test_an_unknown_language_is_refused_before_the_session_s_work_is_looked_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str
) -> None:
    folder = tmp_path / "study"
    make_project(folder, tone_wav(tmp_path / "a.wav"))  # a coded segment: work to keep
    before = fingerprint(folder)
    status, out, err = run_cli(
        capsys, "transcribe", folder, "--session", "Interview", "--language", code
    )
    line = one_line_error(err)
    assert status == 1 and out == ""
    # before: "Session 'Interview' has 1 segment holding someone's work ... --replace", and
    # with --replace, the model loaded, "Unknown language code 'xx'"
    assert f"Unknown language code {code!r}" in line
    assert "languages --list" in line
    assert fingerprint(folder) == before


def test_a_language_s_name_is_taken_as_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As everywhere else a language is asked for: "Kazakh" is kk (here refused for the work
    the session holds, not for the language)."""
    folder = tmp_path / "study"
    make_project(folder, tone_wav(tmp_path / "a.wav"))
    status, _, err = run_cli(
        capsys, "transcribe", folder, "--session", "Interview", "--language", "Kazakh"
    )
    assert status == 1 and "Unknown language" not in err
    assert "holding someone's work" in err.splitlines()[-1]

"""A project on a read-only folder (a shared drive, a write-protected USB stick, a CD): it is
read as it is, exports still work, and what needs to write says so in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fs_helpers import read_only
from tests.hardening_support import fingerprint, make_project, one_line_error, run_cli, tone_wav


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, str]:
    audio = tone_wav(tmp_path / "tone.wav")
    folder = tmp_path / "Study.fieldscribe"
    return folder, make_project(folder, audio)


def _closed(folder: Path) -> tuple[list[str], dict[str, str]]:
    """The fingerprint of ``folder``, left as FieldScribe leaves a closed project: without the
    ``-wal`` and ``-shm`` files (the fingerprint's read-only connection leaves them behind)."""
    before = fingerprint(folder)
    wal = folder / "project.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    wal.unlink(missing_ok=True)
    (folder / "project.db-shm").unlink(missing_ok=True)
    return before


def test_a_read_only_project_is_read_not_called_damaged(
    study: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = study
    before = _closed(folder)
    with read_only(folder):
        code, out, err = run_cli(capsys, "sessions", folder)
        assert code == 0, err
        assert "Interview" in out
        code, out, err = run_cli(capsys, "segments", folder, "--session", "Interview")
        assert code == 0, err
        assert "the clinic opened online booking" in out
        code, out, err = run_cli(capsys, "search", folder, "clinic")
        assert code == 0, err
        assert "clinic" in out
    assert fingerprint(folder) == before


def test_a_read_only_project_exports_with_a_note(
    study: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, session_id = study
    before = _closed(folder)
    target = tmp_path / "out.txt"
    with read_only(folder):
        code, _, err = run_cli(
            capsys,
            "export",
            folder,
            "--session",
            session_id,
            "--format",
            "txt",
            "-o",
            target,
            "--export-anyway",
        )
        assert code == 0, err
        assert "read-only" in err and "audit log" in err
    assert "the clinic opened online booking" in target.read_text(encoding="utf-8-sig")
    assert fingerprint(folder) == before


def test_writing_to_a_read_only_project_is_one_line(
    study: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = study
    before = _closed(folder)
    other = tone_wav(tmp_path / "other.wav", freq=220)
    with read_only(folder):
        code, _, err = run_cli(capsys, "import", folder, other)
        assert code == 1
        assert "cannot write to the project folder" in one_line_error(err)
        code, _, err = run_cli(capsys, "transcribe", folder, "--all")
        assert code == 1
        assert "cannot write to the project folder" in one_line_error(err)
    assert fingerprint(folder) == before

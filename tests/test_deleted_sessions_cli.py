"""``fieldscribe deleted-sessions DIR`` and ``restore-session DIR --session TITLE|ID``: the
command line's way back from ``delete-session`` (which kept only the audio before)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from storage import Project
from tests.hardening_support import fingerprint, make_project, one_line_error, run_cli, tone_wav


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "Study.fieldscribe"
    return folder, make_project(folder, tone_wav(tmp_path / "tone.wav"))


def test_list_and_restore(study: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    folder, session_id = study
    code, out, _ = run_cli(capsys, "deleted-sessions", folder)
    assert (code, out) == (0, "No deleted sessions to restore.\n")
    code, out, err = run_cli(capsys, "delete-session", folder, "--session", "Interview", "--force")
    assert code == 0, err
    assert "`fieldscribe restore-session DIR --session ID` brings it all back" in out
    assert "its audio is kept in media/.deleted/" in out
    code, out, _ = run_cli(capsys, "deleted-sessions", folder)
    first, hint = out.splitlines()
    with Project.open(folder, readonly=True) as p:
        (deleted,) = p.sessions.deleted_sessions()
    # the deletion's time as the computer's clock reads it, to the minute (stored in UTC)
    when = datetime.fromisoformat(deleted.deleted_at.replace("Z", "+00:00")).astimezone()
    assert first.startswith(f"{session_id}  Interview  deleted {when:%Y-%m-%d %H:%M} by coder-a ")
    assert first.endswith("(2 segments, 1 coding, 0 memos)")
    assert hint == "Bring one back with `fieldscribe restore-session DIR --session TITLE|ID`."
    code, out, _ = run_cli(capsys, "deleted-sessions", folder, "--json")
    (row,) = json.loads(out)
    assert row["session_id"] == session_id and row["counts"]["codings"] == 1
    assert row["audio"] == ["media/.deleted/Interview.wav"]
    code, out, err = run_cli(capsys, "restore-session", folder, "--session", "interview")
    assert code == 0, err
    assert out == "Restored session 'Interview' (2 segments, 1 coding, 0 memos).\n"
    code, out, _ = run_cli(capsys, "segments", folder, "--session", "Interview")
    assert code == 0 and len(out.splitlines()) == 2
    with Project.open(folder, readonly=True) as p:
        assert p.sessions.media_path(session_id).is_file()
        assert len(p.codebook.codings()) == 1


def test_restore_json_says_the_new_title(
    study: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, session_id = study
    run_cli(capsys, "delete-session", folder, "--session", session_id, "--force")
    with Project.open(folder, coder="coder-a") as p:
        p.sessions.add_session("Interview")
    code, out, err = run_cli(
        capsys, "restore-session", folder, "--session", session_id[:6], "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["title"] == "Interview (restored)" and report["renamed_from"] == "Interview"
    assert report["restored"]["segments"] == 2 and report["lines"][1].startswith("Another session")


def test_bad_input_is_one_line_and_changes_nothing(
    study: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = study
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "restore-session", folder, "--session", "Interview")
    assert code == 1
    assert one_line_error(err) == (
        "fieldscribe: error: Session 'Interview' is not deleted; nothing to restore."
    )
    code, _, err = run_cli(capsys, "restore-session", folder, "--session", "nothing like it")
    assert code == 1
    assert one_line_error(err) == (
        "fieldscribe: error: No deleted session with id or title 'nothing like it'; list them "
        "with `deleted-sessions`."
    )
    code, _, err = run_cli(capsys, "restore-session", folder)
    assert code == 2 and "--session" in err
    code, _, err = run_cli(capsys, "deleted-sessions", tmp_path / "nowhere")
    assert code == 1 and "nowhere" in one_line_error(err)
    assert fingerprint(folder) == before


def test_forget_a_deleted_session_for_good(
    study: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A participant withdrew: the kept copy goes, its text with it (it stayed in
    project.db, restorable, after delete-session)."""
    folder, session_id = study
    run_cli(capsys, "delete-session", folder, "--session", "Interview", "--force")
    code, _, err = run_cli(capsys, "deleted-sessions", folder, "--forget", "nobody")
    assert code == 1 and "No deleted session with id or title 'nobody'" in one_line_error(err)
    code, out, err = run_cli(capsys, "deleted-sessions", folder, "--forget", "Interview")
    assert code == 0, err
    assert out == (
        f"Forgot deleted session 'Interview' ({session_id}): it can no longer be restored; its "
        "audio stays in media/.deleted/.\n"
    )
    code, out, _ = run_cli(capsys, "deleted-sessions", folder)
    assert out == "No deleted sessions to restore.\n"
    code, _, err = run_cli(capsys, "restore-session", folder, "--session", session_id)
    assert code == 1
    data = b"".join(
        (folder / name).read_bytes()
        for name in ("project.db", "project.db-wal")
        if (folder / name).exists()
    )
    assert b"clinic" not in data.lower(), "the transcript's words stayed in the file"


def test_a_session_without_audio_is_not_said_to_keep_its_audio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "Typed.fieldscribe"
    with Project.create(folder, coder="ana") as p:
        p.sessions.add_session("Notes", "interview")
    code, out, err = run_cli(capsys, "delete-session", folder, "--session", "Notes")
    assert code == 0, err
    assert "audio" not in out and "brings it all back" in out

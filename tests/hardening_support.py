"""Helpers for the hardening tests: a small real project, the CLI run in-process, and a
fingerprint of a project folder to prove that refused input changed nothing."""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import sqlite3
import struct
import subprocess
import warnings
import wave
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import Project
from storage.transcript.transcript import SegmentDraft


def tone_wav(path: Path, seconds: float = 1.0, freq: float = 440.0) -> Path:
    """A mono 16 kHz sine tone (real audio the real decoder reads)."""
    rate = 16000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate)))
        for i in range(int(rate * seconds))
    )
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return path


def make_project(folder: Path, audio: Path) -> str:
    """A closed project with one session (two segments, one coding); returns the session id."""
    with Project.create(folder, name="Study", coder="coder-a") as project:
        session = project.sessions.import_audio(audio, title="Interview")
        segments = project.transcript.add_segments(
            session.id,
            [
                SegmentDraft(0, 400, "the clinic opened online booking", speaker="S1"),
                SegmentDraft(400, 900, "patients liked the service", speaker="S2"),
            ],
        )
        project.codebook.apply_code(
            segments[0].id, project.codebook.ensure_code_path("Access/Online").id
        )
        return session.id


def fingerprint(folder: Path) -> tuple[list[str], dict[str, str]]:
    """The project's rows (a SQL dump) and every file's sha256 except the lock file."""
    conn = sqlite3.connect(f"{(folder / 'project.db').as_uri()}?mode=ro", uri=True)
    try:
        dump = list(conn.iterdump())
    finally:
        conn.close()
    files = {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and p.name not in ("project.lock", "project.db-shm", "project.db-wal")
        and p.name != "project.db"
    }
    return dump, files


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run the CLI's main in this process; return (exit code, stdout, stderr)."""
    try:
        code = cli_main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def fs_here(*argv: str | Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """``fieldscribe ARGV`` through the CLI's entry point in this process, read as
    ``tests.test_cli.fs`` reads a fresh ``main.py``: exit code, stdout and stderr (pipes, not a
    terminal, UTF-8), a warning Python would print on stderr there included. ``ok``: assert
    it succeeded. A fresh process cost about 0.5 s of CPU a command (numpy and the CLI's imports
    again) where the test's subject is the command, not the process."""
    out, err = _pipe(), _pipe()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli_main([str(a) for a in argv])
            except SystemExit as exc:  # argparse's usage errors and --help
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    # the warnings a fresh process prints (its default filters hide these kinds)
    hidden = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
    shown = "".join(
        f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}\n"
        for w in seen
        if not issubclass(w.category, hidden)
    )
    result = subprocess.CompletedProcess(
        ["fieldscribe", *map(str, argv)], code, _read(out), shown + _read(err)
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def _pipe() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")


def _read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def one_line_error(err: str) -> str:
    """Assert ``err`` is exactly one ``fieldscribe: error:`` line without a traceback."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("fieldscribe: error: "), err
    return lines[0]

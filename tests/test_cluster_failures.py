"""Cluster transcription when processes die: the client (killed, then run again) and the
scheduler (gone mid-run: one clear error, then resumable). Real processes: a ``dask
scheduler``, ``fieldscribe worker`` and ``fieldscribe transcribe --workers 1``.

One worker each: what fails here is the client or the scheduler, which a second worker does
not change (pieces decoded by two workers at once, finishing out of order, a cancel and a
killed worker among them: tests/test_cluster_real.py). With two, every cluster started two
worker processes (and their nannies): the two tests took 38.6 s of CPU, 31.3 s with one (one
process, load 5-7 on a 2-core machine)."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Project
from tests.transcribe_audio import SENTENCES, speech_with_pauses, wer
from transcribe.cluster import ClusterError, open_cluster
from transcribe.runner import Progress, transcribe_session

psutil = pytest.importorskip("psutil")
pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech_with_pauses(tmp_path_factory.mktemp("twelve"), SENTENCES * 2)


def _segments(folder: Path) -> list[tuple[int, int, str]]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return conn.execute("SELECT start_ms, end_ms, text FROM segments").fetchall()
    finally:
        conn.close()


def _sentence_middles(wav: Path) -> list[int]:
    """The middle of each sentence's speech in ``speech_with_pauses``'s recording, in ms: it
    starts with 0.5 s of silence, and each part is a sentence followed by a 1-second pause."""
    import soundfile

    at, middles = 0.5, []
    for i in range(len(SENTENCES) * 2):
        seconds = soundfile.info(str(wav.parent / f"p{i}.wav")).duration
        middles.append(round((at + (seconds - 1.0) / 2) * 1000))
        at += seconds
    return middles


def _check_complete(folder: Path, wav: Path) -> None:
    rows = sorted(_segments(folder))
    texts = [t for _, _, t in rows]
    listing = "\n".join(f"{a}-{b}: {t}" for a, b, t in rows)
    # each sentence is said twice: a segment written twice overlaps another one
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(rows)), listing
    # nothing lost: every sentence is under a segment (Whisper may write two sentences of a
    # piece as one segment, "...for online forms Nobody knew where...": counting segments
    # failed on that, when where the run was stopped put both in one piece)
    for i, middle in enumerate(_sentence_middles(wav)):
        assert any(a <= middle <= b for a, b, _ in rows), f"sentence {i} lost:\n{listing}"
    assert len(rows) <= 12, listing  # and none was split in two by the resumed run
    assert wer(" ".join(SENTENCES * 2), " ".join(texts)) < 0.25
    with Project.open(folder) as project:
        sid = project.sessions.all()[0].id
        state = project.transcription.transcription_state(sid)
        assert state is not None and state.status == "done"


def _project(folder: Path, wav: Path) -> str:
    with Project.create(folder, name="S", coder="a") as project:
        project.set_languages("en")
        return project.sessions.import_audio(wav).id


def test_a_killed_client_resumes_and_leaves_no_worker_behind(tmp_path: Path, twelve: Path) -> None:
    folder = tmp_path / "S.fieldscribe"
    _project(folder, twelve)
    cmd = [sys.executable, str(ROOT / "main.py"), "transcribe", str(folder), "--all"]
    cmd += ["--workers", "1", "--piece-seconds", "10"]
    client = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and client.poll() is None:
        time.sleep(0.2)
        try:
            if _segments(folder):
                break
        except sqlite3.Error:
            continue
    assert client.poll() is None, client.communicate()
    workers = psutil.Process(client.pid).children(recursive=True)
    assert workers  # the local cluster's worker processes
    client.send_signal(signal.SIGKILL)
    client.wait()
    written = _segments(folder)
    assert written
    with Project.open(folder) as project:
        sid = project.sessions.all()[0].id
        state = project.transcription.transcription_state(sid)
        assert state is not None and state.status == "running" and state.done_ms > 0
    again = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "resumed at" in again.stdout
    _check_complete(folder, twelve)
    assert set(written) <= set(_segments(folder))  # what was written before stays
    # the orphaned workers of the killed client stop by themselves (nothing stays behind)
    _gone, alive = psutil.wait_procs(workers, timeout=60)
    assert not alive, alive


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def scheduler() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--no-dashboard"]
    proc = subprocess.Popen(
        cmd,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cmd = [sys.executable, str(ROOT / "main.py"), "worker", address, "--nworkers", "1"]
    worker = subprocess.Popen(
        [*cmd, "--model", "tiny.en"],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield address, proc
    finally:
        for p in (worker, proc):
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in (worker, proc):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_a_scheduler_that_goes_away_is_one_error_and_resumable(
    tmp_path: Path, twelve: Path, scheduler: tuple[str, subprocess.Popen[bytes]]
) -> None:
    address, proc = scheduler
    folder = tmp_path / "S.fieldscribe"
    sid = _project(folder, twelve)
    killed = threading.Event()

    def kill_once(p: Progress) -> None:
        if p.segments and not killed.is_set():
            killed.set()
            proc.send_signal(signal.SIGKILL)

    with Project.open(folder) as project, open_cluster(address, piece_s=10.0) as cluster:
        cluster.client.wait_for_workers(1, timeout=120)
        # `fieldscribe worker` keeps results in memory (Dask's default spills them to files)
        kinds = cluster.client.run(lambda dask_worker: type(dask_worker.data).__name__)
        assert list(kinds.values()) == ["dict"]
        with pytest.raises(ClusterError, match="Lost the connection to the Dask scheduler"):
            transcribe_session(project, sid, engine=cluster.engine(), progress=kill_once)
        state = project.transcription.transcription_state(sid)
        assert killed.is_set()
        assert state is not None and state.status == "failed" and state.done_ms > 0
    with Project.open(folder) as project, open_cluster(workers=1, piece_s=10.0) as cluster:
        summary = transcribe_session(project, sid, engine=cluster.engine())
        assert summary.resumed_from_ms > 0
    _check_complete(folder, twelve)

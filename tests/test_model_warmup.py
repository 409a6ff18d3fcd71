"""The window loads the open project's model on a worker before any click (the first
transcription's model load held the GIL ~0.4 s right after Transcribe): the transcription
then finds it loaded. Nothing is loaded for a model not on disk, and never twice at once."""

from __future__ import annotations

import threading
from pathlib import Path

from storage import Project
from transcribe import model_load
from transcribe.engine import Transcriber
from transcribe.models import resolve_model
from transcribe.run_model import warm_model


def _english(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "W.fieldscribe", coder="ann")
    project.set_languages("en")
    return project


def test_the_transcription_finds_the_warmed_model_loaded(tmp_path: Path) -> None:
    with _english(tmp_path) as project:
        model_load._load.cache_clear()
        assert warm_model(project) == "tiny.en"
        loaded = model_load._load.cache_info()
        assert loaded.misses == 1 and loaded.currsize == 1
        transcriber = Transcriber(resolve_model("tiny.en"))
        after = model_load._load.cache_info()
        assert after.misses == 1 and after.hits == loaded.hits + 1  # not loaded again
        assert transcriber.model is model_load._load(
            str(resolve_model("tiny.en").path), transcriber.device, "int8", transcriber.threads
        )


def test_a_model_not_on_this_machine_is_not_warmed(tmp_path: Path) -> None:
    with _english(tmp_path) as project:
        project.set_model("no-such-model")
        model_load._load.cache_clear()
        # the project's model is missing: the default for its languages would be used, and
        # that is what the transcription says; the warm-up loads what the run will use
        assert warm_model(project) == "tiny.en"


def test_two_loads_at_once_read_the_model_once(tmp_path: Path) -> None:
    model_load._load.cache_clear()
    info = resolve_model("tiny.en")
    go = threading.Barrier(2)

    def load() -> None:
        go.wait()
        model_load.load_model(info, threads=None, device="cpu")

    threads = [threading.Thread(target=load) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert model_load._load.cache_info().misses == 1

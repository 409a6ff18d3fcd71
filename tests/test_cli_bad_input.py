"""Bad input gets one clear line and leaves the project exactly as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import DuplicateMediaError
from tests.hardening_support import fingerprint, make_project, one_line_error, run_cli, tone_wav


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, str, Path]:
    audio = tone_wav(tmp_path / "tone.wav")
    folder = tmp_path / "Study.fieldscribe"
    return folder, make_project(folder, audio), audio


def test_reimporting_the_same_audio_is_refused_unless_again(
    study: tuple[Path, str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _, audio = study
    before = fingerprint(folder)
    copy = tmp_path / "renamed copy.wav"
    copy.write_bytes(audio.read_bytes())
    code, _, err = run_cli(capsys, "import", folder, copy)
    assert code == 1
    line = one_line_error(err)
    assert "already in the project as session 'Interview'" in line and "--again" in line
    assert fingerprint(folder) == before
    # the same file twice in one call
    other = tone_wav(tmp_path / "other.wav", freq=220)
    code, _, err = run_cli(capsys, "import", folder, other, other)
    assert code == 1 and "same content" in one_line_error(err)
    assert fingerprint(folder) == before
    code, _, err = run_cli(capsys, "import", folder, copy, "--again")
    assert code == 0, err
    with Project.open(folder, readonly=True) as project:
        assert len(project.sessions.all()) == 2
        assert len(list(project.media_dir.iterdir())) == 2


def test_import_api_refuses_duplicates(study: tuple[Path, str, Path]) -> None:
    folder, _, audio = study
    with Project.open(folder) as project:
        with pytest.raises(DuplicateMediaError):
            project.sessions.import_audio(audio)
        assert len(project.sessions.all()) == 1
        project.sessions.import_audio(audio, again=True)
        assert len(project.sessions.all()) == 2


def test_search_unknown_session(
    study: tuple[Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, sid, _ = study
    code, _, err = run_cli(capsys, "search", folder, "clinic", "--session", "nope")
    assert code == 1 and "No session with id or title 'nope'" in one_line_error(err)
    code, out, _ = run_cli(capsys, "search", folder, "clinic", "--session", sid)
    assert code == 0 and "clinic" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "{dir}", "clinic", "--limit", "1e20"],
        ["search", "{dir}", "clinic", "--limit", "100000000000000000000"],
        ["search", "{dir}", "clinic", "--limit", "-3"],
        ["audit", "{dir}", "--limit", "99999999999999999999999"],
        ["record", "{dir}", "--seconds", "nan"],
        ["record", "{dir}", "--seconds", "inf"],
        ["record", "{dir}", "--seconds", "-1"],
        ["conflicts", "{dir}", "--resolve", "x", "--keep", "1e400"],
        ["transcribe", "{dir}", "--all", "--threads", "0"],
    ],
)
def test_out_of_range_numbers_are_usage_errors(
    argv: list[str], study: tuple[Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _, _ = study
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, *[a.replace("{dir}", str(folder)) for a in argv])
    assert code == 2, err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("usage:") is False
    assert fingerprint(folder) == before
    assert not (folder / "recordings").exists() or not any((folder / "recordings").iterdir())


def test_invalid_utf8_arguments(
    study: tuple[Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _, _ = study
    before = fingerprint(folder)
    bad = os.fsdecode(b"caf\xe9")  # what Python makes of latin-1 bytes in argv
    for argv in (
        ["search", str(folder), bad],
        ["import", str(folder), bad],
        ["code", str(folder), "--segment", "x", "--code", bad],
        [bad],
    ):
        code, _, err = run_cli(capsys, *argv)
        assert code == 2
        assert "not valid UTF-8" in one_line_error(err)
    assert fingerprint(folder) == before


def test_unreadable_media_is_one_line(
    study: tuple[Path, str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    folder, sid, _ = study
    before = fingerprint(folder)
    media = next((folder / "media").iterdir())
    real_open = builtins.open

    def deny(path: object, *a: object, **k: object) -> object:  # root reads anything
        if str(path) == str(media):
            raise PermissionError(13, "Permission denied", str(media))
        return real_open(path, *a, **k)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", deny)
    code, _, err = run_cli(
        capsys, "transcribe", folder, "--session", sid, "--model", "tiny.en", "--replace"
    )
    monkeypatch.undo()
    assert code == 1
    # S1 and S2 are nobody's yet: the workbench asks about consent too, the CLI says so first
    notes = [ln for ln in err.splitlines() if ln.startswith("note: consent to transcription")]
    assert len(notes) == 1, err
    rest = "\n".join(ln for ln in err.splitlines() if ln not in notes)
    assert "cannot be read (Permission denied)" in one_line_error(rest)
    assert fingerprint(folder) == before


def test_qdpx_export_names_the_unreadable_media_not_the_archive(
    study: tuple[Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    folder, _, _ = study
    media = next((folder / "media").iterdir())
    real_open = builtins.open

    def deny(path: object, *a: object, **k: object) -> object:  # root reads anything
        if str(path) == str(media):
            raise PermissionError(13, "Permission denied", str(media))
        return real_open(path, *a, **k)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", deny)
    out = tmp_path / "study.qdpx"
    code, _, err = run_cli(capsys, "qdpx", "export", folder, "-o", out, "--export-anyway")
    monkeypatch.undo()
    line = one_line_error(err)
    assert code == 1 and f"{media}: this audio file of the project cannot be read" in line
    assert "--no-media" in line and not out.exists() and not list(tmp_path.glob(".*.part"))
    code, _, err = run_cli(capsys, "qdpx", "export", folder, "-o", out, "--export-anyway")
    assert code == 0 and out.is_file(), err


@pytest.mark.parametrize(
    "argv",
    [
        ["bundle", "merge", "{dir}", "{fifo}"],
        ["new", "{tmp}/new.fieldscribe", "--from-bundle", "{fifo}"],
        ["record", "{dir}", "--seconds", "1", "--guide", "{fifo}"],
        ["import", "{dir}", "/dev/zero"],
        ["import-transcript", "{dir}", "--session", "{sid}", "{fifo}"],
        ["codebook", "import", "{dir}", "{fifo}"],
        ["qdpx", "import", "{fifo}", "{tmp}/q.fieldscribe"],
        ["keys", "{dir}", "generate", "--key-passphrase-file", "/dev/zero"],
    ],
)
def test_pipes_and_devices_as_input_are_refused_not_read_forever(
    argv: list[str],
    study: tuple[Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, sid, _ = study
    fifo = tmp_path / "pipe.fsbundle"
    os.mkfifo(fifo)
    before = fingerprint(folder)
    subs = {"{dir}": str(folder), "{fifo}": str(fifo), "{sid}": sid, "{tmp}": str(tmp_path)}
    for key, value in subs.items():
        argv = [a.replace(key, value) for a in argv]
    code, _, err = run_cli(capsys, *argv)
    assert code == 1 and "is a named pipe, a device or a socket" in one_line_error(err)
    assert fingerprint(folder) == before
    assert not (tmp_path / "new.fieldscribe").exists()


@pytest.mark.parametrize(
    "argv",
    [["qdpx", "import", "--", "{dir}", "--"], ["qdpx", "import", "{dir}", "--", "--"]],
)
def test_a_second_double_dash_as_a_path_is_a_usage_error_not_a_crash(
    argv: list[str], study: tuple[Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Python 3.11's argparse stores ``[]`` for a positional given as a second ``--``; the
    command then failed with "unexpected failure (TypeError...)" (exit 70)."""
    folder, _, _ = study
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, *[a.replace("{dir}", str(folder)) for a in argv])
    assert code == 2 and "'--' is not a value here" in err and "Traceback" not in err
    assert fingerprint(folder) == before


def test_a_file_name_starting_with_a_dash_says_to_put_double_dash_before_it(
    study: tuple[Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`import DIR -take2.wav` got argparse's "the following arguments are required: FILE"
    (or "unrecognized arguments"): one line now says to put -- before it, which works."""
    folder, _, _ = study
    monkeypatch.chdir(tmp_path)
    tone_wav(tmp_path / "-take2.wav", freq=330)
    before = fingerprint(folder)
    for argv in (
        ("import", folder, "-take2.wav"),
        ("import", folder, "--kind", "focus_group", "-take2.wav"),
        ("import", folder, "tone.wav", "-take2.wav", "--again"),
    ):
        code, _, err = run_cli(capsys, *argv)
        line = one_line_error(err)
        assert code == 2, err
        assert (
            "-take2.wav starts with '-'" in line and "fieldscribe import DIR -- -take2.wav" in line
        )
        assert fingerprint(folder) == before
    # a mistyped option keeps argparse's own message
    code, _, err = run_cli(capsys, "import", folder, "-q")
    assert code == 2 and "starts with '-'" not in err
    code, out, err = run_cli(capsys, "import", folder, "--", "-take2.wav")
    assert code == 0, err
    assert "from -take2.wav" in out


def test_an_empty_project_folder_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`new ""` made the current folder a project (argparse reads "" as the path "."): an
    empty or blank folder name is refused in one line, and nothing is created."""
    empty = tmp_path / "here"
    empty.mkdir()
    monkeypatch.chdir(empty)
    for argv in (("new", ""), ("new", "--name", "X", "  "), ("sessions", "")):
        code, _, err = run_cli(capsys, *argv)
        assert code == 2
        assert "the project folder is empty" in one_line_error(err)
        assert list(empty.iterdir()) == []
    code, _, err = run_cli(capsys, "new", "--name", "", "Study.fieldscribe")  # an empty name:
    assert code == 0, err  # the folder's is used


@pytest.mark.parametrize("command", [["sessions"], ["agreement"], ["new"]])
def test_a_home_of_nobody_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """``agreement ~0`` (a folder starting with '~' and a user name nobody has; the shell
    leaves it as typed) failed as "unexpected failure (RuntimeError: Could not determine home
    directory.)", exit 70 (found by tests/test_cli_fuzz.py)."""
    from cli import main as cli_main

    folder = "~nobody-fieldscribe-0/Study.fieldscribe"
    assert cli_main([*command, folder]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fieldscribe: error: ~nobody-fieldscribe-0/Study.fieldscribe: ")
    assert "no user 'nobody-fieldscribe-0'" in err and err.count("\n") == 1, err
    assert str(Path.cwd() / folder) in err


def test_autocode_without_a_match_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``autocode --query zzz --code Typo/Here`` said "Coded 0 segments with 'Typo/Here'" and
    left two empty codes, "Typo" and "Typo/Here", in the codebook."""
    from cli import main as cli_main
    from storage import SegmentDraft

    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="ann") as p:
        session = p.sessions.add_session("FG")
        p.transcript.add_segments(session.id, [SegmentDraft(0, 900, "Взятки и коррупция.")])
    before = fingerprint(folder)
    assert cli_main(["autocode", str(folder), "--query", "zzz", "--code", "Typo/Here"]) == 0
    out = capsys.readouterr().out
    assert (
        out
        == "No segment matches 'zzz'; nothing was coded and the code 'Typo/Here' was not created.\n"
    )
    assert fingerprint(folder) == before
    assert cli_main(["autocode", str(folder), "--query", "коррупц*", "--code", "Typo/Here"]) == 0
    assert capsys.readouterr().out == "Coded 1 segment with 'Typo/Here'.\n"
    assert cli_main(["autocode", str(folder), "--query", "zzz", "--code", "Typo/Here"]) == 0
    assert capsys.readouterr().out == "No segment matches 'zzz'; nothing was coded.\n"

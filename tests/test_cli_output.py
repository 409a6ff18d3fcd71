"""``-o FILE`` writes a new file or replaces a regular one, and nothing else: a symbolic link
(unless --follow-symlinks), a FIFO, a device or a folder is refused with one line, before the
project is opened."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli import build_parser
from tests.hardening_support import fingerprint, make_project, one_line_error, run_cli, tone_wav

# every command that takes -o, with what it needs besides DIR and -o
OUTPUT_COMMANDS: dict[str, list[str]] = {
    "export": ["--session", "{sid}", "--format", "txt", "--export-anyway"],
    "export-codings": ["--export-anyway"],
    "bundle export": [],
    "qdpx export": ["--export-anyway"],
    "codebook export": [],
    # analyze DIR VIEW: the folder comes before the view (see _argv)
    "analyze matrix": [],
    "analyze cooccurrence": [],
    "analyze timeline": ["--session", "{sid}"],
    "analyze frequencies": [],
    "analyze agreement": [],
    "agreement": [],  # the agreement table (.csv, .xlsx)
}


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "Study.fieldscribe"
    sid = make_project(folder, tone_wav(tmp_path / "tone.wav"))
    return folder, sid


def _argv(command: str, folder: Path, sid: str, out: Path, ext: str) -> list[str]:
    extra = [a.replace("{sid}", sid) for a in OUTPUT_COMMANDS[command]]
    words = command.split()
    if words[0] == "analyze":
        return ["analyze", str(folder), *words[1:], *extra, "-o", str(out.with_suffix(ext))]
    return [*words, str(folder), *extra, "-o", str(out.with_suffix(ext))]


def _ext(command: str) -> str:
    if command.startswith("analyze"):
        return ".svg" if command.endswith(("matrix", "timeline")) else ".csv"
    return {"export-codings": ".csv", "bundle export": ".fsbundle", "qdpx export": ".qdpx",
            "codebook export": ".qdc", "export": ".txt", "agreement": ".csv"}[command]  # fmt: skip


def _walk_output_parsers() -> list[str]:
    """The commands whose parser has -o (so a new one cannot slip past these tests)."""
    import argparse

    found = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*prefix, name])
            elif "-o" in action.option_strings:
                found.append(" ".join(prefix))

    walk(build_parser([]), [])
    return sorted(found)


def test_every_output_option_is_covered_and_offers_follow_symlinks() -> None:
    commands = _walk_output_parsers()
    assert sorted([*OUTPUT_COMMANDS, "keys"]) == commands
    import argparse

    def options(parser: argparse.ArgumentParser, path: list[str]) -> set[str]:
        for name in path:
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            parser = sub.choices[name]
        return {o for a in parser._actions for o in a.option_strings}

    for command in commands:
        assert "--follow-symlinks" in options(build_parser([]), command.split()), command


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_refuses_symlink_fifo_device_and_folder(
    command: str, study: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, sid = study
    before = fingerprint(folder)
    ext = _ext(command)
    target = tmp_path / f"precious{ext}"
    target.write_text("keep me")
    link = tmp_path / f"link{ext}"
    link.symlink_to(target)
    fifo = tmp_path / f"pipe{ext}"
    os.mkfifo(fifo)
    sub = tmp_path / f"folder{ext}"
    sub.mkdir()
    for path, word in ((link, "symbolic link"), (fifo, "FIFO"), (sub, "folder")):
        code, out, err = run_cli(capsys, *_argv(command, folder, sid, path, ext))
        assert code == 1, (path, out, err)
        assert word in one_line_error(err)
    code, _, err = run_cli(
        capsys,
        *[a if a != str(link) else "/dev/null" for a in _argv(command, folder, sid, link, ext)],
    )
    assert code == 1 and "device" in one_line_error(err)
    assert link.is_symlink() and target.read_text() == "keep me"
    assert fifo.exists() and not fifo.is_file() and sub.is_dir()
    assert not list(tmp_path.glob(".*.part"))
    assert fingerprint(folder) == before  # refused before the project was opened


@pytest.mark.parametrize("command", ["export-codings", "export"])
def test_follow_symlinks_writes_through_the_link(
    command: str, study: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, sid = study
    ext = _ext(command)
    target = tmp_path / f"real{ext}"
    target.write_text("old")
    link = tmp_path / f"link{ext}"
    link.symlink_to(target)
    code, _, err = run_cli(capsys, *_argv(command, folder, sid, link, ext), "--follow-symlinks")
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8-sig") != "old"
    # a regular file and a new path are written as before
    code, _, err = run_cli(capsys, *_argv(command, folder, sid, tmp_path / f"new{ext}", ext))
    assert code == 0 and (tmp_path / f"new{ext}").is_file()
    assert code == 0, err


def test_keys_export_public_refuses_a_fifo(
    study: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = study
    assert run_cli(capsys, "keys", folder, "generate")[0] == 0
    fifo = tmp_path / "pub.key"
    os.mkfifo(fifo)
    code, _, err = run_cli(capsys, "keys", folder, "export-public", "-o", fifo)
    assert code == 1 and "FIFO" in one_line_error(err)
    code, _, err = run_cli(capsys, "keys", folder, "export-public", "-o", tmp_path / "pub2.key")
    assert code == 0, err
    assert (
        "FieldScribe" in (tmp_path / "pub2.key").read_text()
        or (tmp_path / "pub2.key").stat().st_size
    )


def test_a_leftover_temporary_link_is_not_written_through(
    study: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = study
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / ".out.csv.part").symlink_to(victim)
    code, _, err = run_cli(
        capsys, "export-codings", folder, "-o", tmp_path / "out.csv", "--export-anyway"
    )
    assert code == 0, err
    assert victim.read_text() == "keep me"
    assert (tmp_path / "out.csv").is_file()


def test_bundle_export_from_the_app_refuses_a_symlink_too(tmp_path: Path) -> None:
    """The workbench calls storage directly: the same refusal, nothing written through."""
    from storage import InvalidInputError, Project
    from storage.team.bundle_export import export_bundle

    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "team.fsbundle"
    link.symlink_to(target)
    with Project.create(tmp_path / "p.fieldscribe", coder="a") as project:
        with pytest.raises(InvalidInputError, match="symbolic link"):
            export_bundle(project, link)
    assert link.is_symlink() and target.read_text() == "keep me"

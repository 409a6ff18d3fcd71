"""Argument fuzzing over every command: no input makes the CLI print a traceback.

Hypothesis builds command lines from each command's own options (walked from the argparse
tree, so new commands are fuzzed too) with hostile values: huge, negative and non-finite
numbers, text that is not UTF-8, deep code paths, FTS syntax, missing files, folders, a
device and outputs with every suffix. The CLI's ``main`` runs in this process with captured
output. Every run must end with an exit code in {0, 1, 2}, never a traceback or the "unexpected
failure" line (exit 70), and a refused command must leave the project exactly as it was.
Deterministic (``derandomize``) and fast (a fixed number of examples, well under a minute).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cli import COMMANDS, build_parser
from cli import main as cli_main
from storage import Project
from tests.hardening_support import fingerprint, make_project, tone_wav

EXAMPLES = int(os.environ.get("FIELDSCRIBE_FUZZ_EXAMPLES", "600"))


def _leaves() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every runnable command path (``("bundle", "export")``...) and its parser."""
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found[path] = parser
        for action in subs:
            for name, sub in action.choices.items():
                walk(sub, (*path, name))

    walk(build_parser([]), ())
    return found


LEAVES = _leaves()


def _shape(parser: argparse.ArgumentParser) -> tuple[int, list[tuple[str, bool]]]:
    """How many positionals, and each option with whether it takes a value."""
    positionals = 0
    options: list[tuple[str, bool]] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:
            positionals += 1 if action.nargs in (None, 1) else 2
        else:
            takes = action.nargs != 0
            options.append((action.option_strings[-1], takes))
    return positionals, options


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("fuzz")
    audio = tone_wav(base / "tone.wav")
    folder = base / "Study.fieldscribe"
    sid = make_project(folder, audio)
    with Project.open(folder, readonly=True) as project:
        segment = project.transcript.segments(sid)[0].id
        code = project.codebook.codes()[0].id
    (base / "notes.txt").write_text("not audio, not a bundle\n")
    (base / "pass.txt").write_text("correct horse battery staple\n")
    (base / "empty.wav").write_bytes(b"")
    (base / "a folder").mkdir()
    (base / "link.csv").symlink_to(base / "notes.txt")
    out = base / "out"
    out.mkdir()
    return {"base": base, "folder": folder, "sid": sid, "segment": segment, "code": code,
            "audio": audio, "out": out}  # fmt: skip


def _values(world: dict[str, Any]) -> st.SearchStrategy[str]:
    base: Path = world["base"]
    fixed = [
        "", " ", "0", "1", "-1", "3", "1e20", "1e400", "nan", "inf", "-inf",
        "99999999999999999999", "0x10", "x", "a/b", "//", "A/", "/", "../..", "é", "Алматы",
        "қазақ", "'; DROP TABLE segments;--", "*", '"', "NOT", "AND OR", '"unclosed',
        "2026-13-45", "2026-01-01", "interview", "txt", "csv", "%s%n", "{}", "-", "--",
        "x" * 600, "/".join(["deep"] * 60), os.fsdecode(b"caf\xe9"), "\u202e\u200b",
        world["sid"], world["segment"], world["code"], world["sid"][:8],
        str(world["folder"]), str(world["audio"]), str(base / "notes.txt"),
        str(base / "missing.wav"), str(base / "empty.wav"), str(base / "a folder"),
        str(base / "pass.txt"), str(base / "link.csv"), "/dev/null", "/dev/zero",
        "/proc/self/status",
    ]  # fmt: skip
    outputs = [
        str(world["out"] / f"o{i}{ext}")
        for i, ext in enumerate(
            [".csv", ".xlsx", ".txt", ".srt", ".vtt", ".docx", ".json", ".qdpx", ".qdc",
             ".fsbundle", ".key", ".pdf", ""]
        )
    ]  # fmt: skip
    free_text = st.text(
        st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=12
    )
    return st.one_of(st.sampled_from(fixed), st.sampled_from(outputs), free_text)


def _argv(world: dict[str, Any]) -> st.SearchStrategy[list[str]]:
    values = _values(world)
    folder = str(world["folder"])

    @st.composite
    def build(draw: Any) -> list[str]:
        path = draw(st.sampled_from(sorted(LEAVES)))
        positionals, options = _shape(LEAVES[path])
        argv = list(path)
        for i in range(positionals):
            argv.append(folder if draw(st.integers(0, 3)) else draw(values))
            if i == 0 and path in (("qdpx", "import"),):
                argv[-1] = draw(values)
        for name, takes in draw(st.lists(st.sampled_from(options), max_size=4)) if options else []:
            argv.append(name)
            if takes:
                argv.append(draw(values))
        if draw(st.integers(0, 9)) == 0:
            argv.append(draw(values))  # a stray extra argument
        return argv

    return build()


def _starts_processes(argv: list[str]) -> bool:
    """``worker`` runs Dask workers until stopped, and ``transcribe --workers/--cluster`` starts
    or reaches a Dask cluster: not fuzzed here (tests/test_cluster*.py cover them)."""
    if argv and argv[0] == "worker":
        return True
    return bool(argv) and argv[0] == "transcribe" and bool({"--workers", "--cluster"} & {*argv})


def _records_for_real(argv: list[str]) -> bool:
    """``record`` with a usable --seconds would open the microphone: not fuzzed here."""
    if not argv or argv[0] != "record":
        return False
    if "--list-devices" in argv:
        return True
    for i, token in enumerate(argv[:-1]):
        if token == "--seconds":
            with contextlib.suppress(ValueError):
                value = float(argv[i + 1])
                if math.isfinite(value) and value > 0:
                    return True
    return False


class _FakeTranscriber:
    def __init__(self, *_a: Any, **_k: Any) -> None:
        self.threads, self.beam_size = 1, 1

    def check_language(self, language: str | None) -> str | None:
        return language

    multilingual = True

    def check_languages(self, languages: list[str] | None) -> list[str]:
        return list(languages or [])

    def transcribe_chunks(self, *_a: Any, **_k: Any) -> Any:
        return iter(())

    def transcribe(self, *_a: Any, **_k: Any) -> Any:  # `retranscribe` (one segment)
        return iter(())


def test_every_command_is_fuzzed() -> None:
    assert {path[0] for path in LEAVES} == set(COMMANDS)


def test_no_command_prints_a_traceback(world: dict[str, Any]) -> None:
    from transcribe import run_model, runner

    folder: Path = world["folder"]
    seen_codes: dict[int, int] = {}

    with pytest.MonkeyPatch.context() as mp:
        # transcription is fuzzed for its arguments, not for Whisper's speed
        mp.setattr(runner, "Transcriber", _FakeTranscriber)
        mp.setattr(
            run_model,
            "resolve_model",
            lambda _s: types.SimpleNamespace(name="fake", multilingual=True, removable=False),
        )
        # models live in a private cache here; `models install` finds no network, fast
        mp.setenv("XDG_CACHE_HOME", str(world["base"] / "cache"))
        mp.setenv("HF_HOME", str(world["base"] / "hf"))
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
        mp.chdir(world["out"])

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(argv=_argv(world))
        def run(argv: list[str]) -> None:
            assume(not _records_for_real(argv) and not _starts_processes(argv))
            before = fingerprint(folder)
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = cli_main(argv)
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
            seen_codes[code] = seen_codes.get(code, 0) + 1
            text = out.getvalue() + err.getvalue()
            assert "Traceback" not in text, (argv, text)
            assert code in (0, 1, 2), (argv, code, text)
            if code != 0:
                assert fingerprint(folder) == before, argv
            if code == 1:  # one line, whatever the file names held (argparse's are usage)
                lines = err.getvalue().split("\n")
                assert lines[-1] == "" and len(lines) == 2, (argv, err.getvalue())
                assert lines[0].startswith("fieldscribe: error: "), (argv, err.getvalue())

        run()
    # the fuzzing reached past argparse into the commands, and some succeeded
    print("exit codes:", seen_codes)
    assert seen_codes.get(1, 0) > EXAMPLES // 10 and seen_codes.get(0, 0) > 0, seen_codes

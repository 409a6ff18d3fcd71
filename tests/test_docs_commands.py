"""The commands README.md and docs/*.md show stay true: each parses with the real command line,
and the README's command-line tour runs as written, in order, on a real project (real audio,
the bundled Whisper models), every command exiting 0."""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cli import build_parser
from cli import main as cli_main
from storage import Project
from tests.media import convert
from tests.test_interop_transcript_import import NOSCRIBE_HTML

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# README lines not run here, and why (each must still name a README line: a stale entry fails)
NOT_RUN = {
    "record $P": "needs a microphone (tests/test_record_cli.py records from a virtual one)",
    "models install": "downloads from the Hugging Face hub (tests/test_models_install.py)",
    "models import model.tar.gz": "changes this machine's models (tests/test_models_install.py)",
    "models remove NAME": "changes this machine's models (tests/test_model_choices.py)",
    "transcribe $P --all --cluster": "needs a Dask scheduler (tests/test_cluster_real.py)",
    "models use $P small": "needs the small model, which downloads",
    "transcribe $P --all --model small": "needs the small model, which downloads",
}


def fenced_commands(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, command)`` for every ``fieldscribe ...`` command in a fenced block of
    ``path``, comments and the other commands of a ``;`` line split off."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced and line.lstrip().startswith("fieldscribe "):
            for part in re.split(r";\s*(?=fieldscribe )", line.strip()):
                yield number, part.split("  #")[0].strip().rstrip(";")


def words(command: str, values: dict[str, str]) -> list[str]:
    """The arguments of ``command`` (after ``fieldscribe``), ``[optional parts]`` left out and
    placeholders replaced by ``values``."""
    for name, value in values.items():
        command = command.replace(name, value)
    out: list[str] = []
    optional = False
    for word in shlex.split(command, comments=True)[1:]:
        if word.startswith("["):
            optional = True
        if not optional:
            out.append(str(Path(word).expanduser()) if word.startswith("~/") else word)
        if word.endswith("]"):
            optional = False
    return out


def test_the_docs_show_commands() -> None:
    found = {path.name: len(list(fenced_commands(path))) for path in DOCS}
    assert found["README.md"] >= 55 and found["transcription.md"] >= 10, found


@pytest.mark.parametrize(
    ("where", "command"),
    [
        pytest.param(f"{path.name}:{number}", command, id=f"{path.name}:{number}")
        for path in DOCS
        for number, command in fenced_commands(path)
    ],
)
def test_every_documented_command_parses(where: str, command: str) -> None:
    """A command of the docs names an existing command and options (a renamed or removed
    option fails here); ``a|b`` alternatives each parse."""
    argv = words(command, {"$P": "Study.fieldscribe"})
    alternatives = [i for i, w in enumerate(argv) if re.fullmatch(r"\w+(\|\w+)+", w)]
    variants = [argv]
    for i in alternatives:
        variants = [
            [*v[:i], choice, *v[i + 1 :]] for v in variants for choice in argv[i].split("|")
        ]
    for variant in variants:
        try:
            build_parser(variant).parse_args(variant)
        except SystemExit as exc:
            pytest.fail(f"{where}: `fieldscribe {' '.join(variant)}` does not parse ({exc})")


class Tour:
    """The README's commands, run in order in ``folder`` with real values for placeholders."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.project = folder / "home" / "Research" / "Almaty.fieldscribe"
        self.used: set[str] = set()
        self.last_segment = ""

    def session_id(self, title: str) -> str:
        with Project.open(self.project, readonly=True) as p:
            return next(s.id for s in p.sessions.all() if s.title == title)

    def segment_id(self) -> str:
        """A segment of 'interview1' with words that no command of the tour used yet."""
        with Project.open(self.project, readonly=True) as p:
            segments = p.transcript.segments(self.session_id("interview1"))
        seg = next(s for s in segments if len(s.text) >= 25 and s.id not in self.used)
        self.used.add(seg.id)
        self.last_segment = seg.id[-8:]
        return self.last_segment


def _readme_tour(tmp: Path, speech_wav: Path) -> list[tuple[int, list[str], int, str]]:
    """Run the README's command-line tour; (line, argv, exit code, stderr) of each."""
    tour = Tour(tmp)
    home = tmp / "home"
    (home / "Recordings").mkdir(parents=True)
    demo = ROOT / "resources" / "demo" / "focus_group_demo.mp3"
    convert(demo, tmp / "interview1.m4a")
    convert(speech_wav, tmp / "fg_2026-03-02.mp3")
    shutil.copy(speech_wav, tmp / "spare.wav")
    (tmp / "noscribe.html").write_text(NOSCRIBE_HTML, encoding="utf-8")
    (tmp / "F").write_text("a passphrase for the tour\n", encoding="utf-8")

    def run(*argv: str | Path) -> None:
        assert cli_main([str(a) for a in argv]) == 0, argv

    def teammates() -> None:  # coder-b and coder-c code in their copies and send bundles back
        for coder, code in (("coder-b", "Trust"), ("coder-c", "Public services/Health")):
            copy = home / f"{coder}.fieldscribe"  # the README made coder-b's
            if not copy.exists():
                run("new", copy, "--from-bundle", tmp / "lead.fsbundle", "--coder", coder)
            with Project.open(copy) as p:
                (session,) = [s for s in p.sessions.all() if s.title == "interview1"]
                first = p.transcript.segments(session.id)[0]
                p.codebook.apply_code(first.id, p.codebook.ensure_code_path(code).id)
            run("bundle", "export", copy, "-o", tmp / f"{coder}.fsbundle")

    # what a reader has at hand before a line: files, a teammate's bundle, a participant
    before: dict[str, Callable[[], dict[str, str]]] = {
        "delete-session": lambda: {'"Focus group 3"': "fg_2026-03-02"},
        "restore-session": lambda: {'"Focus group 3"': "fg_2026-03-02"},
        "segments": lambda: {'"Focus group 3"': "interview1"},
        "new ~/coder-b": lambda: (
            shutil.copy(tmp / "coder-a-2026-03-05.fsbundle", tmp / "lead.fsbundle") and {}
        ),
        "bundle merge": lambda: (teammates(), {})[1],
        # the coding the line before made
        "uncode": lambda: {"SEGMENT_ID": tour.last_segment},
        # the tour's recordings say no "corruption": the autocode line above made no code
        "codes $P --rename Corruption": lambda: (
            run("code", tour.project, "--segment", tour.segment_id(), "--code", "Corruption"),
            {},
        )[1],
        # the lead's recordings on a stick, under other names
        "locate-audio": lambda: {"/media/usb": str(_stick(tmp))},
        "qdpx import": lambda: shutil.copy(tmp / "study.qdpx", tmp / "other.qdpx") and {},
        "codebook import": lambda: (
            run("codebook", "export", tour.project, "-o", "codebook.csv"),
            {},
        )[1],
        "import-transcript": lambda: (
            run("import", tour.project, "spare.wav"),
            {"SESSION_ID": tour.session_id("spare")},
        )[1],
        # consent there is only unknown (the line above recorded a refusal of quotation)
        "consent $P --session ID": lambda: {"--session ID": "--session spare"},
        "transcribe $P --all --model /path": lambda: {
            "/path/to/faster-whisper-small": str(_bundled_model())
        },
    }
    from transcribe.diarize.backend import backend_available

    speakers = backend_available()
    done: list[tuple[int, list[str], int, str]] = []
    skipped: set[str] = set()
    for number, command in fenced_commands(ROOT / "README.md"):
        rest = command.removeprefix("fieldscribe ")
        why = next((k for k in NOT_RUN if rest.startswith(k)), None)
        if why is not None or (not speakers and rest.startswith(("speakers", "profiles"))):
            skipped.add(why or "speakers")
            continue
        values = {"$P": str(tour.project), "~/": f"{home}/"}
        for start, prepare in before.items():
            if rest.startswith(start):
                values = {**prepare(), **values}
        if "SESSION_ID" in command and "SESSION_ID" not in values:
            values["SESSION_ID"] = tour.session_id("interview1")
        if "SEGMENT_ID" in command and "SEGMENT_ID" not in values:
            values["SEGMENT_ID"] = tour.segment_id()
        argv = words(command, values)
        choices = next((w for w in argv if re.fullmatch(r"\w+(\|\w+)+", w)), None)
        for variant in choices.split("|") if choices else [None]:
            one = [variant if w == choices else w for w in argv]
            err = _run(one)
            done.append((number, one, err[0], err[1]))
    assert skipped >= set(NOT_RUN), f"NOT_RUN names no README line: {set(NOT_RUN) - skipped}"
    return done


def _stick(tmp: Path) -> Path:
    stick = tmp / "usb"
    stick.mkdir(exist_ok=True)
    for name in ("interview1.m4a", "fg_2026-03-02.mp3"):
        shutil.copy(tmp / name, stick / f"from the lead {name}")
    return stick


def _bundled_model() -> Path:
    from transcribe.models import bundled_model_path

    path = bundled_model_path()
    assert path is not None
    return path


def _run(argv: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, err.getvalue()


@pytest.mark.slow
def test_the_readme_command_line_tour_runs_as_written(
    tmp_path: Path, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outside tester typed the README's commands one after another: each must do its job
    (exit 0) with the files a reader has at hand and the bundled models."""
    monkeypatch.chdir(tmp_path)
    ran = _readme_tour(tmp_path, speech_wav)
    failed = [f"README.md:{n}: fieldscribe {' '.join(a)} -> {c}: {e}" for n, a, c, e in ran if c]
    assert not failed, "\n".join(failed)
    assert len(ran) >= 50, len(ran)
    for name in ("matrix.xlsx", "cooccurrence.svg", "timeline.png", "coded.xlsx", "study.qdpx"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / "home" / "Research" / "Imported.fieldscribe" / "project.db").exists()


def _parsers(
    parser: argparse.ArgumentParser, name: str = "fieldscribe"
) -> Iterator[tuple[str, argparse.ArgumentParser, str | None]]:
    """Every command's parser, by its name, with the help its parent lists it with."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            listed = {a.dest: a.help for a in action._choices_actions}
            for word, sub in action.choices.items():
                yield f"{name} {word}", sub, listed.get(word)
                yield from _parsers(sub, f"{name} {word}")


def test_every_command_and_option_is_explained_in_help() -> None:
    """``--help`` listed 36 ``--coder`` options, ``--kind``, ``--measure``, ``--percent``,
    ``--by``, ``--memo``, ``--mode``, ``--notes`` and the speaker commands' OLD/NEW/SOURCE/TARGET
    with no word on what they do. Options hidden on purpose (SUPPRESS) are left out."""
    bare = []
    for name, parser, listed in _parsers(build_parser()):
        if not listed:
            bare.append(f"{name}: the command")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
                continue
            if not action.help:
                bare.append(f"{name}: {'/'.join(action.option_strings) or action.metavar}")
    assert not bare, "\n".join(bare)


def test_help_lists_every_command_the_docs_use() -> None:
    listed = build_parser().format_help()
    commands = {
        command.split()[1]
        for path in DOCS
        for _, command in fenced_commands(path)
        if not command.split()[1].startswith("-")
    }
    assert commands and all(re.search(rf"^ +{re.escape(c)}\b", listed, re.M) for c in commands)


@pytest.mark.parametrize(
    ("argv", "usage", "shown"),
    [
        (["speaker", "rename", "--help"], "fieldscribe speaker DIR rename", "OLD"),
        (["analyze", "matrix", "-h"], "fieldscribe analyze DIR matrix", "--percent"),
        (["profiles", "enroll", "--help"], "fieldscribe profiles DIR enroll", "--speaker LABEL"),
        (["bundle", "export", "--help"], "fieldscribe bundle export", "--with-media"),
    ],
)
def test_an_action_shows_its_own_help_without_a_project(
    argv: list[str], usage: str, shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``fieldscribe speaker rename --help`` took "rename" for the project folder and showed
    the help of ``speaker`` (its actions, none of rename's options)."""
    with pytest.raises(SystemExit) as done:
        cli_main(argv)
    out = capsys.readouterr().out
    assert done.value.code == 0 and out.startswith(f"usage: {usage}") and shown in out, out

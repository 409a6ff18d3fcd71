"""Commands: transcribe sessions with Whisper, or one segment again (models: models_cmds)."""

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
from storage.recordings.recording import UnfinishedRecording, find_unfinished

from .cluster_cmds import add_cluster_options, cluster_from_args, wants_cluster
from .common import (
    SEGMENT_ID_HELP,
    add_coder,
    add_dir,
    add_json,
    bounded_int,
    note_unlisted_language,
    open_project,
)
from .consent_check import add_transcribe_anyway, check_transcription_consent
from .output import ProgressBar, fmt_ms, plural, print_json
from .record_cmds import say_unfinished
from .sigint import install_sigint

#: why ``transcribe --all`` leaves a session out that holds a transcript it did not make
ELSEWHERE = (
    "it holds a transcript made elsewhere (imported or typed); "
    "--session ID --replace transcribes it"
)


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
    which.add_argument(
        "--session",
        metavar="ID",
        help="the session to transcribe (id, title or id's start); one transcribed already is "
        "transcribed again, its untouched Whisper segments replaced",
    )
    which.add_argument(
        "--all",
        action="store_true",
        help="every session not transcribed yet (or interrupted); with --replace also those "
        "transcribed already or holding a transcript made elsewhere (imported or typed)",
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
    add_coder(p)
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
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_retranscribe)


def _missing_media_fix(project: Any, folder: Path, session_id: str) -> str:
    """How to fix a session whose recording is missing from ``media/`` ("" when it is there,
    so another audio error is not given this advice)."""

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
    if args.language is not None and args.language.strip().lower() not in ("", "auto"):
        from storage.core.languages import check_language_code

        # a bad code: one line before anything else (it was checked only once the model was
        # loaded, after a session holding work had been refused for another reason)
        args.language = check_language_code(args.language)
    _check_speaker_args(args)
    on_cluster = wants_cluster(args)
    cancel = threading.Event()
    interrupted = install_sigint(
        cancel,
        None
        if args.json
        else "Stopping: saving what is being transcribed (no new part starts); Ctrl+C again "
        "stops at once.",
    )
    results: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    failed: list[dict[str, str]] = []
    unfinished: list[UnfinishedRecording] = []
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
                    elif (
                        state is None
                        and not args.replace
                        and project.transcript.segment_count(s.id) > 0
                    ):
                        # a transcript imported (import-transcript, qdpx import) or typed:
                        # its segments are someone's work, which a batch must not stop on
                        skipped.append({"session_id": s.id, "reason": ELSEWHERE})
                    else:
                        targets.append(s.id)
                # a crash while recording left audio that is no session yet: said at the end
                unfinished = find_unfinished(project.folder)
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
                    extra = ""
                    if cluster is not None:
                        extra = (
                            f" | session {number}/{len(targets)}, "
                            f"{cluster.stats.describe(total_ms)}"
                        )
                    # one time left: the run's own (from its pace), not the bar's guess
                    bar.update(p.fraction, f"{plural(p.segments, 'segment')}{extra}", p.eta_s)

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
    if args.all and not args.json:
        if not (results or skipped or failed):  # it said nothing at all
            print("No sessions to transcribe; add audio with `fieldscribe import DIR FILE`.")
        say_unfinished(unfinished)
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
    from transcribe.run_notes import lost_spans_hint, passage_links, passage_links_hint, span_ids

    # a bad code: one line, before the project is opened
    language = None if args.language is None else check_language_code(args.language)
    with open_project(args, write=True) as project:
        before = project.transcript.get_segment(args.segment)
        # only its language set by hand (the text Whisper's): re-transcribing is what for
        text_corrected = before.edited and project.transcript.text_corrected(before.id)
        if text_corrected and before.text.strip() and not args.replace:
            raise InvalidInputError(
                f"Segment {before.id}'s text was corrected by hand (typed in, split or merged, "
                "or names replaced by pseudonyms); re-transcribing replaces its text with what "
                "Whisper hears and cannot be undone: add --replace to do it."
            )
        expected = project.languages
        spans, links = span_ids(project, before.id), passage_links(project, before.id)
        # Ctrl+C interrupts before anything is written: the new text is stored in one step
        segment = runner.retranscribe_segment(
            project, before.id, language=language, model=args.model, threads=args.threads
        )
        names = runner.names_in_new_text(project, segment)
        names += lost_spans_hint(len(spans - span_ids(project, before.id)))
        names += passage_links_hint(links, passage_links(project, before.id))
    if args.json:
        print_json(as_dict(segment))
    else:
        lang = (
            f" in {segment.language} ({language_name(segment.language)})"
            if segment.language
            else ""
        )
        lang += f" with {segment.model}" if segment.model else ""  # recorded on the segment
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
        f"On the cluster: {plural(stats['pieces'], 'piece')}, "
        f"{stats['audio_hours']:.2f} h of audio, "
        f"{plural(stats['workers'], 'worker')}:"
    )
    for name, w in stats["per_worker"].items():
        speed = f"{w['speed']:.1f}x real time" if w["speed"] else "-"
        print(f"  {name}: {plural(w['pieces'], 'piece')}, {w['audio_s']:.0f} s of audio, {speed}")


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
            f"  {plural(len(report.speakers), 'speaker')} found in {title!r}: "
            f"{', '.join(report.speakers) or 'none'}; "
            f"{plural(report.labelled, 'segment part')} labelled, "
            f"{plural(report.split, 'cut')} ({report.seconds:.1f} s)."
        )
    result: dict[str, Any] = as_dict(report)
    return result


def _audio_done(s: Any) -> str:
    """The audio this run transcribed and its real-time factor: a resumed or stopped run did
    only part of the recording (its factor was the run's time over the whole recording, 0.454
    for a run stopped after 4:15 of a 16:34 focus group in 452 s: 1.771)."""
    done = s.duration_ms if getattr(s, "done_ms", None) is None else s.done_ms
    start = s.resumed_from_ms or 0
    part = max(0, min(done, s.duration_ms) - start)
    if start == 0 and part >= s.duration_ms:
        rtf = s.elapsed_s / (s.duration_ms / 1000) if s.duration_ms else 0.0
        return f"{fmt_ms(s.duration_ms)} of audio, real-time factor {rtf:.3f}"
    if start and start >= s.duration_ms:  # a run killed after its last segments were saved
        return f"all of its {fmt_ms(s.duration_ms)} of audio was saved before the run stopped"
    if part == 0:
        return f"none of its {fmt_ms(s.duration_ms)} of audio written"
    rtf = s.elapsed_s / (part / 1000)
    return (
        f"{fmt_ms(start)} to {fmt_ms(start + part)} of {fmt_ms(s.duration_ms)} of audio, "
        f"real-time factor {rtf:.3f}"
    )


def _print_summary(title: str, s: Any) -> None:
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
    elif s.resumed_from_ms and s.resumed_from_ms >= s.duration_ms:
        language = "nothing left to transcribe"  # only marked done (no speech heard now)
    else:  # stopped before the first speech was heard
        language = "language not identified yet" if s.cancelled else "language unknown"
    print(
        f"{state} {title!r}: {plural(s.segments_added, 'segment')} added (model {s.model}, "
        f"{language}{resumed}) in {s.elapsed_s:.1f} s ({_audio_done(s)})."
    )
    if s.session_segments > s.segments_added:  # resumed, or kept: this run wrote a part
        print(f"  The session has {plural(s.session_segments, 'segment')} in all now.")
    for note in s.notes:
        print(f"  Note: {note}")
    if s.untranscribed:
        print(
            f"  {plural(s.untranscribed, 'stretch', 'stretches')} of speech gave no text: "
            'marked "speech without '
            'transcript" in the session, to play and type (`fieldscribe segment-text DIR '
            'SEGMENT_ID "text"`) or re-transcribe in another language (`fieldscribe '
            "retranscribe DIR SEGMENT_ID --language CODE`)."
        )
    if s.segments_kept:
        print(
            f"  Kept {plural(s.segments_kept, 'segment')} holding someone's work (edited, "
            f"hand-made, coded, redacted...) with their {plural(s.codings_kept, 'coding')}; no "
            "coding was removed."
        )

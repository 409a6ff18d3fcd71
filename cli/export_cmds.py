"""Everyday exports and transcript import: export, export-codings, import-transcript."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from storage.core.errors import InvalidInputError
from storage.interop.codings_export import export_codings, kept_codings, unlabelled_left_out
from storage.interop.frame_times import FRAME_RATES
from storage.interop.transcript_export import TRANSCRIPT_FORMATS, export_transcript
from storage.interop.transcript_import import (
    TRANSCRIPT_IMPORT_FORMATS,
    import_transcript,
    import_transcript_as_session,
)
from storage.privacy.view import private_view

from .common import (
    add_coder,
    add_dir,
    add_json,
    add_output,
    add_privacy,
    open_for_export,
    open_project,
    privacy_options,
)
from .consent_check import add_export_anyway, check_consent, note_consent
from .output import plural, print_json, wrote_kept


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser("export", help="export a session's transcript (txt, srt, vtt, docx, json)")
    add_dir(p)
    p.add_argument(
        "--session", required=True, metavar="ID", help="the session's id, title or id's start"
    )
    p.add_argument(
        "--format",
        required=True,
        choices=TRANSCRIPT_FORMATS,
        help="plain text, SubRip or WebVTT subtitles, Word, or JSON (with word timings)",
    )
    add_output(p)
    p.add_argument("--line-numbers", action="store_true", help="number the lines (txt, docx)")
    add_privacy(p)
    add_export_anyway(p)
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("export-codings", help="export coded segments to .csv or .xlsx")
    add_dir(p)
    add_output(p)
    p.add_argument("--sheet-per-code", action="store_true", help="xlsx: one sheet per code")
    add_privacy(p)
    add_export_anyway(p)
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_export_codings)

    p = sub.add_parser(
        "import-transcript", help="import a transcript made elsewhere into a session"
    )
    add_dir(p)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--session",
        metavar="ID",
        help="the session that gets the transcript (id, title or id's start)",
    )
    where.add_argument(
        "--new-session",
        metavar="TITLE",
        nargs="?",
        const="",
        help="make a new session, without audio, of the transcript (TITLE: default the file's "
        "name); text is enough to code",
    )
    p.add_argument(
        "--kind",
        choices=("focus_group", "interview", "observation"),
        default=None,
        help="the kind of a --new-session (default: focus_group when the transcript has three "
        "speakers or more, else interview)",
    )
    p.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="the transcript (.html, .vtt, .srt, .sbv, .txt, .docx, .otr, .json, .csv)",
    )
    p.add_argument(
        "--format",
        choices=TRANSCRIPT_IMPORT_FORMATS,
        default="auto",
        help="noScribe html, WebVTT, SubRip, SubViewer (.sbv), timestamped text ([00:01:23] "
        "SPEAKER: text), "
        "FieldScribe's own JSON export, a CSV of segments (start;end;speaker;text) or a "
        "Word .docx with such paragraphs; auto: from the name and content",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace the session's segments (refused while any is coded)",
    )
    p.add_argument(
        "--fps",
        choices=FRAME_RATES,
        help="the frame rate of the file's frame times (HH:MM:SS:FF), e.g. 29.97; unknown: "
        "drop-frame times (HH:MM:SS;FF) are 29.97, others 30 (with a note)",
    )
    p.add_argument(
        "--starts-at",
        metavar="HH:MM:SS",
        help="the clock time the recording began, for a file timed by the time of day (Zoom's "
        "saved captions, 08:02:33 >> ANNA: ...): each time less it",
    )
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_import_transcript)


def cmd_export(args: argparse.Namespace) -> int:
    """fieldscribe export DIR --session ID --format F -o FILE."""
    privacy = privacy_options(args)
    with open_for_export(args) as project:  # logged in the audit log
        note = check_consent(project, args, [project.sessions.get_session(args.session).id])
        path = export_transcript(
            project,
            args.session,
            args.format,
            args.output,
            line_numbers=args.line_numbers,
            privacy=privacy,
        )
        with private_view(project, privacy) as view:
            n = len(view.transcript.segments(args.session))
        segments = project.transcript.segments(args.session)
        total, unlabelled = len(segments), 0
        if n < total:
            ids = [s.id for s in segments]
            unlabelled = project.consent.unlabelled_left_out(privacy.consented_only, ids)
    note_consent(note)
    if args.json:
        print_json({"path": str(path), "format": args.format, "segments": n, "left_out": total - n})
    else:  # --consented-only said "Wrote 3 segment(s)" alone: the 5 left out went unmentioned
        consent = shlex.quote(str(args.dir))
        where = f"{path} ({args.format})"
        print(wrote_kept(n, total, "segment", where, consent, unlabelled=unlabelled))
    return 0


def cmd_export_codings(args: argparse.Namespace) -> int:
    """fieldscribe export-codings DIR -o FILE."""
    privacy = privacy_options(args)
    with open_for_export(args) as project:  # logged in the audit log
        coded = project.transcript.get_segments({c.segment_id for c in project.codebook.codings()})
        held = {g.session_id for g in coded.values()}
        note = check_consent(project, args, [s.id for s in project.sessions.all()], held=held)
        path = export_codings(
            project, args.output, sheet_per_code=args.sheet_per_code, privacy=privacy
        )
        n, total = kept_codings(project, privacy)
        unlabelled = unlabelled_left_out(project, privacy) if n < total else 0
    note_consent(note)
    if args.json:
        print_json({"path": str(path), "codings": n, "left_out": total - n})
    else:  # it said "Wrote 1 coding(s)" alone: the 2 that consent left out went unmentioned
        consent = shlex.quote(str(args.dir))
        print(wrote_kept(n, total, "coding", path, consent, unlabelled=unlabelled))
    return 0


def cmd_import_transcript(args: argparse.Namespace) -> int:
    """fieldscribe import-transcript DIR --session ID FILE."""
    with open_project(args, write=True) as project:
        if args.new_session is not None:
            if args.replace:
                raise InvalidInputError("--replace is for --session: a new session has nothing.")
            session_id, result = import_transcript_as_session(
                project,
                args.file,
                title=args.new_session,
                kind=args.kind,
                fmt=args.format,
                fps=args.fps,
                starts_at=args.starts_at,
            )
            title = project.sessions.get_session(session_id).title
        else:
            result = import_transcript(
                project,
                args.session,
                args.file,
                fmt=args.format,
                replace=args.replace,
                fps=args.fps,
                starts_at=args.starts_at,
            )
    if args.json:
        print_json(result.as_dict())
    else:
        if args.new_session is not None:
            print(f"{session_id}  {title}  (new session, no audio)")
        print(
            f"Imported {plural(result.segments, 'segment')} from {args.file} ({result.format}); "
            + result.speakers_said()
        )
        for note in result.notes:
            print(f"  note: {note}")
    return 0

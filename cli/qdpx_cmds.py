"""REFI-QDA commands: qdpx export/import and codebook export/import."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from storage.core.errors import InvalidInputError
from storage.core.models import UNNAMED_CODER
from storage.interop.qdc import export_codebook, import_codebook
from storage.interop.qdpx_export import export_qdpx
from storage.interop.qdpx_import import import_qdpx
from storage.privacy.models import ExportPrivacy

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
from .output import plural, print_json


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser("qdpx", help="REFI-QDA project exchange (NVivo, ATLAS.ti, MAXQDA...)")
    qsub = p.add_subparsers(dest="qdpx_command", metavar="ACTION")
    qsub.required = True
    e = qsub.add_parser("export", help="write the project as a .qdpx file")
    add_dir(e)
    add_output(e)
    e.add_argument("--no-media", action="store_true", help="leave the audio out of the archive")
    add_privacy(e, media=True)
    add_export_anyway(e)
    add_coder(e)
    add_json(e)
    e.set_defaults(func=cmd_qdpx_export)
    i = qsub.add_parser("import", help="import a .qdpx into a new or existing project folder")
    i.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="a REFI-QDA project (.qdpx) exported by NVivo, ATLAS.ti, MAXQDA, QualCoder...",
    )
    add_dir(i)
    i.add_argument(
        "--coder",
        help="your coder name (default: the project's coder; a new project's is "
        f"{UNNAMED_CODER!r}, never your login name)",
    )
    i.add_argument(
        "--media-dir",
        type=Path,
        metavar="DIR",
        help="a folder holding the recordings the file names outside the archive "
        "(relative://, file:///C:/..., /Users/...): looked for there by file name, never "
        "elsewhere; again into the same project, it adds the recordings still missing",
    )
    add_json(i)
    i.set_defaults(func=cmd_qdpx_import)

    p = sub.add_parser("codebook", help="codebook export and import (.qdc/.csv/.xlsx/.docx)")
    csub = p.add_subparsers(dest="codebook_command", metavar="ACTION")
    csub.required = True
    e = csub.add_parser("export", help="write the codebook")
    add_dir(e)
    add_output(e)
    e.add_argument("--no-pseudonyms", action="store_true", help="keep real names in code names")
    add_coder(e)
    add_json(e)
    e.set_defaults(func=cmd_codebook_export)
    i = csub.add_parser(
        "import",
        help="merge a .qdc (REFI-QDA), .csv (ours, Taguette, a sheet) or .xlsx codebook, or the "
        "codebook of a .qdpx project",
    )
    add_dir(i)
    i.add_argument("file", type=Path, metavar="FILE", help="the codebook file to merge")
    add_coder(i)
    add_json(i)
    i.set_defaults(func=cmd_codebook_import)


def cmd_qdpx_export(args: argparse.Namespace) -> int:
    """fieldscribe qdpx export DIR -o FILE."""
    privacy = privacy_options(args)
    with open_for_export(args) as project:  # logged in the audit log
        sessions = [s.id for s in project.sessions.all()]
        note = check_consent(project, args, sessions, audio=not args.no_media)
        summary = export_qdpx(project, args.output, with_media=not args.no_media, privacy=privacy)
    note_consent(note)
    if args.json:
        print_json(summary.as_dict())
    else:
        print(
            f"Wrote {summary.path}: {plural(summary.sources, 'source')}, "
            f"{plural(summary.segments, 'segment')}, {plural(summary.codes, 'code')}, "
            f"{plural(summary.codings, 'coding')}, {plural(summary.notes, 'note')}, "
            f"{plural(summary.media_files, 'media file')}."
        )
        for message in summary.notes_for_user:
            print(f"  note: {message}")
    return 0


def cmd_qdpx_import(args: argparse.Namespace) -> int:
    """fieldscribe qdpx import FILE DIR [--media-dir DIR]."""
    _refuse_swapped(Path(args.file), Path(args.dir))
    report = import_qdpx(args.file, args.dir, coder=args.coder, media_dir=args.media_dir)
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.describe())
    return 0


def _refuse_swapped(file: Path, folder: Path) -> None:
    """The project folder given first and the .qdpx second (DIR FILE, as every other command
    takes them): say so, not that the folder is no .qdpx or that the project is no file."""
    if folder.is_file() and not file.is_file() and folder.suffix.lower() in (".qdpx", ".qde"):
        raise InvalidInputError(
            f"the .qdpx comes first, then the project folder: fieldscribe qdpx import "
            f"{folder} {file}; nothing was imported."
        )


def cmd_codebook_export(args: argparse.Namespace) -> int:
    """fieldscribe codebook export DIR -o FILE."""
    privacy = ExportPrivacy(pseudonymise=not args.no_pseudonyms)
    with open_for_export(args) as project:  # logged in the audit log
        path = export_codebook(project, args.output, privacy=privacy)
        n = len(project.codebook.codes())
    if args.json:
        print_json({"path": str(path), "codes": n})
    else:
        print(f"Wrote {plural(n, 'code')} to {path}.")
    return 0


def cmd_codebook_import(args: argparse.Namespace) -> int:
    """fieldscribe codebook import DIR FILE."""
    with open_project(args, write=True) as project:
        report = import_codebook(project, args.file)
    result = {
        "codes_added": report.codes,
        "codes_reused": report.codes_reused,
        "codes_matched_by_case": report.codes_matched_by_case,
        "colours_kept": report.colours_kept,
        "notes": report.notes,
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"Imported {args.file}: {plural(report.codes, 'new code')}, "
            f"{report.codes_reused} already "
            "in the codebook."
        )
        for note in report.notes:
            print(f"  note: {note}")
    return 0

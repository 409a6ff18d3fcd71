"""``fieldscribe analyze DIR matrix|cooccurrence|timeline|frequencies``: the analysis views.

The numbers come from ``analysis/`` (the same the workbench's Analysis window shows). Labels
are pseudonymised and ``--consented-only`` leaves out segments without consent, on screen, in
``--json`` and in files alike; ``-o`` writes a chart (.png, .svg: matplotlib) or a table
(.csv, .xlsx), logged in the audit log like every export.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from analysis.words import kwic_not_found
from storage import Project
from storage.core.errors import InvalidInputError

from .bundle_cmds import add_agreement_options, cmd_agreement
from .common import (
    add_dir,
    add_json,
    add_privacy,
    bounded_int,
    open_for_export,
    open_project,
    privacy_options,
)
from .consent_check import add_export_anyway, check_consent, note_consent
from .output import fmt_ms, plural, print_json, print_table

VIEWS = ("matrix", "cooccurrence", "timeline", "frequencies")


def _iso_date(text: str) -> str:
    """An argparse type: a date as YYYY-MM-DD."""
    import datetime

    try:
        return datetime.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _seconds(text: str) -> float:
    """An argparse type: a window from 0 to 24 hours, in seconds."""
    import math

    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= 86_400):
        raise argparse.ArgumentTypeError(f"{text!r}: give seconds from 0 to 86400")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    f = p.add_argument_group("filters (each may be repeated)")
    f.add_argument(
        "--coder",
        dest="coders",
        action="append",
        default=[],
        metavar="NAME",
        help="only this coder's codings",
    )
    f.add_argument(
        "--session",
        dest="sessions",
        action="append",
        default=[],
        metavar="ID",
        help="only this session (its id, title or the start of its id)",
    )
    f.add_argument(
        "--speaker",
        dest="speakers",
        action="append",
        default=[],
        metavar="LABEL",
        help="only the segments of this speaker label",
    )
    f.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a participant attribute (age=30-45) or a session field (session.kind=interview)",
    )
    f.add_argument(
        "--from", dest="date_from", type=_iso_date, metavar="YYYY-MM-DD", help="sessions from"
    )
    f.add_argument(
        "--to", dest="date_to", type=_iso_date, metavar="YYYY-MM-DD", help="sessions until"
    )
    f.add_argument(
        "--code",
        dest="codes",
        action="append",
        default=[],
        metavar="PATH",
        help="only this code (Parent/Child) and its sub-codes",
    )
    p.add_argument("--rollup", action="store_true", help="count sub-codes' codings for parents")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write a chart (.png, .svg) or a table (.csv, .xlsx)",
    )
    p.add_argument(
        "--follow-symlinks", action="store_true", help="write through a symbolic link FILE"
    )
    add_privacy(p)
    add_json(p)


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser(
        "analyze", help="code matrix, co-occurrence, timeline, frequencies, agreement"
    )
    add_dir(p)
    views = p.add_subparsers(dest="view", metavar="VIEW")
    views.required = True

    v = views.add_parser("matrix", help="codes × sessions, speakers, participants or attribute")
    v.add_argument(
        "--columns",
        default="session",
        help="session, speaker, participant, participant.NAME, session.FIELD or all",
    )
    v.add_argument(
        "--measure",
        default="segments",
        choices=("segments", "codings", "talk_ms"),
        help="what a cell counts: distinct coded segments (default), codings, or their talk "
        "time in milliseconds",
    )
    v.add_argument(
        "--percent",
        default="none",
        choices=("none", "row", "column"),
        help="show each cell as a percentage of its row's or column's total (default: none)",
    )
    _common(v)

    v = views.add_parser("cooccurrence", help="code × code: by segment, span overlap or time")
    v.add_argument(
        "--by",
        default="segment",
        choices=("segment", "overlap", "within"),
        help="segment: segments coded with both codes (default); overlap: codings that share "
        "text; within: of A's segments, those with a B segment at most --seconds away",
    )
    v.add_argument("--seconds", type=_seconds, default=30.0, help="the window of --by within")
    _common(v)

    v = views.add_parser("timeline", help="speaker turns and codes over time (--session ID)")
    _common(v)

    v = views.add_parser(
        "agreement", help="inter-coder agreement per code and overall (as `fieldscribe agreement`)"
    )
    add_agreement_options(v)

    v = views.add_parser("frequencies", help="code frequencies, or words (--words, --kwic)")
    v.add_argument("--by", default="all", help="all, session, speaker, participant.NAME...")
    v.add_argument(
        "--measure",
        default="codings",
        choices=("segments", "codings", "talk_ms"),
        help="what a code's bar counts: codings (default), distinct segments, or talk time in "
        "milliseconds",
    )
    v.add_argument("--words", action="store_true", help="word frequencies of --code or --session")
    v.add_argument("--kwic", metavar="WORD", help="keywords in context of WORD")
    v.add_argument("--languages", default="ru,kk,en", help="stop-word lists (ru, kk, en)")
    v.add_argument(
        "--top",
        type=bounded_int(1, 100_000),
        default=50,
        metavar="N",
        help="list the N most frequent words (default 50)",
    )
    v.add_argument(
        "--width", type=bounded_int(0, 1000), default=40, help="context characters (--kwic)"
    )
    add_export_anyway(v)
    _common(v)
    p.set_defaults(func=cmd_analyze)


def _filters(project: Project, args: argparse.Namespace) -> Any:
    from analysis.filters import Filters
    from analysis.matrix import check_columns

    for option in ("columns", "by"):
        value = getattr(args, option, None)
        if option == "by" and args.view != "frequencies":
            continue
        problem = None if value is None else check_columns(value)
        if problem is not None:
            raise InvalidInputError(f"--{option}: {problem}.")

    attributes = []
    for item in args.where:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidInputError(f"--where {item!r}: give NAME=VALUE (age=30-45).")
        attributes.append((name.strip(), value.strip()))
    codes = []
    for path in args.codes:
        code = project.codebook.find_code(path)
        if code is None:
            raise InvalidInputError(f"No code {path!r} in the codebook.")
        codes.append(code.id)
    return Filters(
        coders=tuple(args.coders),
        sessions=tuple(args.sessions),
        speakers=tuple(args.speakers),
        attributes=tuple(attributes),
        date_from=args.date_from,
        date_to=args.date_to,
        codes=tuple(codes),
    )


def cmd_analyze(args: argparse.Namespace) -> int:
    """fieldscribe analyze DIR VIEW [options]."""
    from analysis.exports import export_scope, sessions_quoted, write_result

    if args.view == "agreement":  # the Analysis window's views and Team ▸ Inter-coder agreement
        return cmd_agreement(args)

    privacy = privacy_options(args)
    opener = open_for_export if args.output is not None else _read_only
    with opener(args) as project:
        filters, label = export_scope(project, _filters(project, args), privacy)
        kind, data, note = _compute(project, args, filters, label)
        told = None
        quoted = sessions_quoted(kind, data)
        if args.output is not None and not note and quoted:
            # keywords in context and word lists carry what participants said: asked as a
            # transcript export is (a refusal of quotation went out in such a file without a
            # word); the other views hold counts only
            told = check_consent(project, args, quoted)
        if args.output is not None and not note:
            write_result(
                project,
                kind,
                data,
                args.output,
                percent=getattr(args, "percent", "none"),
                title=_title(args),
                privacy=privacy,
            )
    note_consent(told)
    _print(args, kind, data, note)
    return 0


def _read_only(args: argparse.Namespace) -> Project:
    return open_project(args, write=False)


def _title(args: argparse.Namespace) -> str:
    if args.view == "matrix":
        percent = args.percent if args.percent in ("row", "column") else ""
        share = f", % of the {percent} total" if percent else ""
        return f"codes × {args.columns} ({args.measure}{share})"
    if args.view == "cooccurrence":
        extra = f" {args.seconds:g} s" if args.by == "within" else ""
        return f"code co-occurrence (by {args.by}{extra})"
    # frequencies and timelines: the chart's own title, as the Analysis window's export has it
    # ("Code frequencies (codings)", "word frequencies", each session's title); not the bare
    # name of the view ("frequencies", "timeline")
    return ""


def _compute(project: Project, args: argparse.Namespace, filters: Any, label: Any) -> Any:
    """(kind, pseudonymised result, note: why it is empty or "")."""
    from analysis.words import keywords_in_context, word_frequencies

    if args.view == "matrix":
        from analysis.matrix import code_matrix

        t = code_matrix(project, args.columns, args.measure, rollup=args.rollup, filters=filters)
        return "matrix", t.relabelled(label), t.note
    if args.view == "cooccurrence":
        from analysis.cooccurrence import cooccurrence

        t = cooccurrence(project, args.by, seconds=args.seconds, rollup=args.rollup,
                         filters=filters)  # fmt: skip
        return "cooccurrence", t.relabelled(label), t.note
    if args.view == "timeline":
        from analysis.timeline import session_timeline

        if not args.sessions:
            raise InvalidInputError("Give a session to draw: --session ID (repeat it for more).")
        scoped = dataclasses.replace(filters, sessions=())
        tls = [
            session_timeline(project, sid, filters=scoped, rollup=args.rollup).relabelled(label)
            for sid in args.sessions
        ]
        notes = [t.note for t in tls if t.empty]
        return "timeline", tls, "; ".join(notes) if len(notes) == len(tls) else ""
    privacy = privacy_options(args)
    code_id = filters.codes[0] if filters.codes else None
    session_id = args.sessions[0] if args.sessions else None
    text_filters = dataclasses.replace(filters, codes=(), sessions=())
    if args.kwic:
        lines = keywords_in_context(project, args.kwic, code_id=code_id, session_id=session_id,
                                    filters=text_filters, width=max(args.width, 0),
                                    privacy=privacy)  # fmt: skip
        return "kwic", lines, "" if lines else kwic_not_found(args.kwic)
    if args.words:
        languages = tuple(x for x in args.languages.split(",") if x.strip())
        w = word_frequencies(project, code_id=code_id, session_id=session_id,
                             filters=text_filters, languages=languages, top=max(args.top, 0),
                             privacy=privacy)  # fmt: skip
        return "words", w, w.note
    from analysis.matrix import code_frequencies

    t = code_frequencies(project, args.by, args.measure, rollup=args.rollup, filters=filters)
    return "frequencies", t.relabelled(label), t.note


def _print(args: argparse.Namespace, kind: str, data: Any, note: str) -> None:
    if args.json:
        if kind in ("matrix", "cooccurrence", "frequencies"):
            out = data.as_dict(getattr(args, "percent", "none"))
        elif kind == "timeline":
            out = {"sessions": [t.as_dict() for t in data]}
        elif kind == "kwic":
            out = {"kwic": [dataclasses.asdict(k) for k in data]}
        else:
            out = data.as_dict()
        out["note"] = note
        if args.output is not None and not note:
            out["path"] = str(args.output)
        print_json(out)
        return
    if note:
        print(note + (" Nothing was written." if args.output is not None else ""))
        return
    if kind in ("matrix", "cooccurrence", "frequencies"):
        header, body = data.grid(getattr(args, "percent", "none"))
        print_table(header, body)
    elif kind == "timeline":
        for t in data:
            print(f"{t.title} ({fmt_ms(t.duration_ms)})")
            for lane in t.lanes:
                print(f"  {lane.kind:8} {lane.label}: {plural(len(lane.bars), 'bar')}, "
                      f"{fmt_ms(lane.total_ms)}")  # fmt: skip
    elif kind == "kwic":
        for k in data:
            print(
                f"{k.session_title}  {fmt_ms(k.start_ms):>12}  {k.left:>40} [{k.keyword}] {k.right}"
            )
    else:
        print_table(["word", "count"], [list(x) for x in data.words])
    if args.output is not None:
        print(f"Wrote {args.output}.")

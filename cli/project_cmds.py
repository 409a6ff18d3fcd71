"""Commands on the project itself: new, import, sessions, segments, search, codes, coding,
languages, numbers."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from storage import Project
from storage.codebook.codebook import autocoded
from storage.core.audio import probe, track_note
from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.languages import (
    LANGUAGES,
    UnknownLanguageError,
    check_language_code,
    language_name,
    parse_languages,
)
from storage.core.lock import in_use
from storage.core.models import (
    NUMBER_STYLES,
    SESSION_KINDS,
    UNNAMED_CODER,
    Code,
    Session,
    as_dict,
)
from storage.core.names import readable_file_name
from storage.core.segment_rows import words_kept_by
from storage.recordings.recording import find_unfinished

from .common import (
    SEGMENT_ID_HELP,
    add_coder,
    add_decryption,
    add_dir,
    add_json,
    bounded_int,
    decrypted,
    note_script_mismatch,
    note_unlisted_language,
    open_project,
    short_segment_ids,
)
from .output import fmt_ms, plural, print_json, print_table
from .record_cmds import say_unfinished


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser("new", help="create a project folder")
    add_dir(p)
    p.add_argument("--name", help="project name (default: folder name)")
    p.add_argument(
        "--coder",
        default=None,
        help=f"your coder name (default: {UNNAMED_CODER!r}; never your login name)",
    )
    p.add_argument("--from-bundle", type=Path, metavar="FILE", help="start from a team bundle")
    p.add_argument(
        "--languages",
        metavar="CODES",
        help="the languages spoken, e.g. ru,kk,en (Whisper codes; see `languages --list`)",
    )
    p.add_argument(
        "--numbers",
        choices=NUMBER_STYLES,
        help="write numbers as said (words, the default) or as digits (see `numbers --help`)",
    )
    add_decryption(p)
    add_json(p)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("import", help="import audio/video files, one session per file")
    add_dir(p)
    p.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="audio or video files (wav, mp3, m4a, ogg, flac, mp4...); copied, never moved",
    )
    p.add_argument(
        "--kind",
        choices=SESSION_KINDS,
        default="interview",
        help="the kind of session (default: interview)",
    )
    p.add_argument("--title", help="session title (only with one file)")
    p.add_argument(
        "--again",
        action="store_true",
        help="import a file that is already in the project once more (refused otherwise)",
    )
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("sessions", help="list sessions")
    add_dir(p)
    add_json(p)
    p.set_defaults(func=cmd_sessions)

    p = sub.add_parser(
        "delete-session",
        help="delete a session with its transcript (restore-session brings it back whole)",
    )
    add_dir(p)
    p.add_argument("--session", required=True, metavar="ID", help="its id, title or id's start")
    p.add_argument("--force", action="store_true", help="also when its segments are coded")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_delete_session)

    p = sub.add_parser("segments", help="list the transcript segments of a session")
    add_dir(p)
    p.add_argument(
        "--session", required=True, metavar="ID", help="the session's id, title or id's start"
    )
    add_json(p)
    p.set_defaults(func=cmd_segments)

    p = sub.add_parser("search", help="full-text search across the project (FTS5 syntax)")
    add_dir(p)
    p.add_argument(
        "query",
        metavar="QUERY",
        help='words, "an exact phrase", OR, NOT, prefix* (SQLite FTS5; case is ignored)',
    )
    p.add_argument("--session", metavar="ID", help="only this session (id, title or id's start)")
    p.add_argument(
        "--language",
        metavar="CODE",
        help="only segments in this language (e.g. kk); 'unknown' (or '?'): only segments of no "
        "known language, as the search panel's '? · Unknown'",
    )
    p.add_argument(
        "--limit",
        type=bounded_int(1, 10**9),
        default=50,
        metavar="N",
        help="show at most N hits, best first (default 50)",
    )
    p.add_argument(
        "--forms", action="store_true",
        help="also find other forms of each word (its stem as a prefix: коррупция -> коррупц*)",
    )  # fmt: skip
    add_json(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("languages", help="show or change the languages a project expects")
    p.add_argument("dir", metavar="DIR", type=Path, nargs="?", help="the project folder")
    p.add_argument(
        "--set",
        metavar="CODES",
        help='e.g. "ru,kk,en"; "" clears them (each stretch of speech is then identified among '
        "all of Whisper's languages)",
    )
    p.add_argument("--list", action="store_true", help="list every language code with its name")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_languages)

    p = sub.add_parser(
        "numbers",
        help="show or change how transcripts write numbers (as said, or as digits)",
        description="How new transcripts write the numbers people say. words (the default): as "
        'said, "с двенадцати лет", "восьми с половиной метров", "twenty twenty-four", keeping '
        "the case endings that digits lose. digits: as Whisper likes to write them, "
        '"с 12 лет", "2024". Segments already transcribed are not changed.',
    )
    add_dir(p)
    p.add_argument("style", nargs="?", choices=NUMBER_STYLES, help="set it (omit to show it)")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_numbers)

    p = sub.add_parser(
        "segment-language",
        help="correct the language of one segment",
        description="Correct the language a segment is in (its text stays as it is). To decode "
        "its audio again in that language: fieldscribe retranscribe DIR SEGMENT_ID --language "
        "CODE.",
    )
    add_dir(p)
    p.add_argument("segment", metavar="SEGMENT_ID", help=SEGMENT_ID_HELP)
    p.add_argument("code", metavar="CODE", help="a language code such as ru, kk, en")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_segment_language)

    p = sub.add_parser(
        "segment-text",
        help="type or correct the text of one segment (e.g. speech without transcript)",
        description="Replace a segment's text with TEXT, as typing it in the workbench does: "
        'the segment is marked as corrected by hand, a "speech without transcript" segment '
        "becomes an ordinary one, span codings and redactions follow their words and search "
        "finds the new text.",
    )
    add_dir(p)
    p.add_argument("segment", metavar="SEGMENT_ID", help=SEGMENT_ID_HELP)
    p.add_argument("text", metavar="TEXT", help="the segment's new text (quote it)")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_segment_text)

    p = sub.add_parser("codes", help="list the codebook with frequencies (or rename a code)")
    add_dir(p)
    p.add_argument(
        "--rename",
        nargs=2,
        metavar=("PATH", "NAME"),
        help='give the code at PATH a new name (its last part: "Тіл" "Язык (тіл)"); its '
        "codings and sub-codes stay with it, and bundles take the new name to every copy",
    )
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_codes)

    p = sub.add_parser("code", help="apply a code to a segment (creates the code path if new)")
    add_dir(p)
    p.add_argument("--segment", required=True, metavar="ID", help=SEGMENT_ID_HELP)
    p.add_argument("--code", required=True, metavar="PATH", help='e.g. "Public services/Health"')
    p.add_argument("--span", metavar="START:END", help="code points inside the segment text")
    p.add_argument("--memo", metavar="TEXT", help="a memo on the coding")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_code)

    p = sub.add_parser(
        "uncode", help="remove your coding of a code from a segment (the whole, or --span)"
    )
    add_dir(p)
    p.add_argument("--segment", required=True, metavar="ID", help=SEGMENT_ID_HELP)
    p.add_argument("--code", required=True, metavar="PATH", help='e.g. "Public services/Health"')
    p.add_argument(
        "--span",
        metavar="START:END",
        help="the coded words' code points, as `code --span` took them (default: the coding "
        "of the whole segment)",
    )
    p.add_argument(
        "--of",
        metavar="NAME",
        help="remove coder NAME's coding instead of yours: the lead's decision (a coding is "
        "its coder's; anyone else is refused)",
    )
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_uncode)

    p = sub.add_parser("autocode", help="code every segment matching a full-text query")
    add_dir(p)
    p.add_argument(
        "--query", required=True, metavar="QUERY", help="a full-text query, as `search` takes it"
    )
    p.add_argument(
        "--code",
        required=True,
        metavar="PATH",
        help='the code to apply, e.g. "Public services/Health" (created if new)',
    )
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_autocode)


def cmd_new(args: argparse.Namespace) -> int:
    """fieldscribe new DIR."""
    coder = args.coder or UNNAMED_CODER  # never the login name
    # checked before anything is created: a bad code leaves no folder behind
    languages = [] if args.languages is None else parse_languages(args.languages)
    if args.languages is not None and not languages:
        raise InvalidInputError(
            f"--languages {args.languages!r} names no language; give codes such as ru,kk,en, "
            "or leave the option out to set them later (fieldscribe languages DIR --set)."
        )
    if args.from_bundle:
        with decrypted(args.from_bundle, args) as plain:
            project = Project.from_bundle(plain, args.dir, coder=coder, name=args.name)
    else:
        project = Project.create(args.dir, name=args.name, coder=coder)
    with project:
        if languages:
            project.set_languages(languages)
        if args.numbers:
            project.set_numbers(args.numbers)
        info = {
            "path": str(project.folder),
            "id": project.id,
            "name": project.name,
            "coder": project.coder,
            "sessions": len(project.sessions.all()),
            "languages": project.languages,
            "numbers": project.numbers,
        }
    if args.json:
        print_json(info)
    else:
        print(f"Created project {info['name']!r} in {info['path']} (coder {info['coder']}).")
        if info["languages"]:
            print(f"Languages: {_language_list(info['languages'])}.")
        if args.numbers:
            print(f"Numbers: {_numbers_text(info['numbers'])}.")
    return 0


def _numbers_text(style: str) -> str:
    return "written as said, in words" if style == "words" else "written as digits"


def cmd_numbers(args: argparse.Namespace) -> int:
    """fieldscribe numbers DIR [words|digits]."""
    with open_project(args, write=args.style is not None) as project:
        if args.style is not None:
            project.set_numbers(args.style)
        style = project.numbers
    if args.json:
        print_json({"numbers": style})
    else:
        done = "set: " if args.style is not None else ""
        print(f"Numbers {done}{_numbers_text(style)} (new transcripts).")
    return 0


def _language_list(codes: list[str]) -> str:
    return ", ".join(f"{code} ({language_name(code)})" for code in codes) or "not set"


def cmd_languages(args: argparse.Namespace) -> int:
    """fieldscribe languages DIR [--set CODES] | --list."""
    if args.list:
        if args.set is not None:
            raise InvalidInputError("Use either --list or --set.")
        if args.json:
            print_json([{"code": c, "name": n} for c, n in sorted(LANGUAGES.items())])
        else:
            print_table(["CODE", "LANGUAGE"], sorted(LANGUAGES.items()))
        return 0
    if args.dir is None:
        raise InvalidInputError("Name the project folder (or use --list for every code).")
    if args.set is not None:
        codes = parse_languages(args.set)  # checked before the project is opened for writing
        if not codes and args.set.strip():
            raise InvalidInputError(
                f"--set {args.set!r} names no language; give codes such as ru,kk,en, or "
                '--set "" to clear them.'
            )
        with open_project(args, write=True) as project:
            project.set_languages(codes)
            languages = project.languages
    else:
        with open_project(args, write=False) as project:
            languages = project.languages
    if args.json:
        print_json([{"code": c, "name": language_name(c)} for c in languages])
    elif args.set is not None and not languages:
        print(
            "Languages cleared: the project expects no particular language, so each stretch of "
            "speech is identified among all of Whisper's languages (set them again with "
            "--set ru,kk,en)."
        )
    elif args.set is not None:
        print(f"Languages set: {_language_list(languages)}.")
    else:
        print(f"Languages: {_language_list(languages)}.")
    return 0


def cmd_segment_language(args: argparse.Namespace) -> int:
    """fieldscribe segment-language DIR SEGMENT_ID CODE."""
    code = check_language_code(args.code)  # a bad code: one line, before the project opens
    with open_project(args, write=True) as project:
        segment = project.transcript.update_segment(args.segment, language=code)
        expected = project.languages
    if args.json:
        print_json(as_dict(segment))
    else:
        print(f"Segment {segment.id} is now in {_language_list([segment.language or ''])}.")
    note_unlisted_language(args.dir, code, expected)
    return 0


def cmd_segment_text(args: argparse.Namespace) -> int:
    """fieldscribe segment-text DIR SEGMENT_ID TEXT."""
    text = args.text.strip()
    if not text:
        raise InvalidInputError(
            "Give the segment's text (empty text is refused; a segment of speech nobody can "
            'make out stays "speech without transcript").'
        )
    with open_project(args, write=True) as project:
        before = project.transcript.get_segment(args.segment)
        # the workbench's edit (Project API): marked edited, search index and spans follow
        segment = project.transcript.update_segment(args.segment, text=text)
        expected = project.languages
    if args.json:
        print_json(as_dict(segment))
    elif segment.text == before.text:
        print(f"Segment {segment.id} already has this text; nothing changed.")
    else:
        was = " (was speech without transcript)" if before.untranscribed else ""
        print(f"Segment {segment.id} now reads: {segment.text}{was}")
    note_script_mismatch(args.dir, segment, expected)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """fieldscribe import DIR FILE..."""
    if args.title and len(args.files) > 1:
        raise InvalidInputError("--title works with one file only.")
    with open_project(args, write=True) as project:
        titles = [args.title] if args.title else None
        infos = [probe(path) for path in args.files]
        sessions = project.sessions.import_audio_files(
            args.files, kind=args.kind, titles=titles, infos=infos, again=args.again
        )
    for src, info in zip(args.files, infos, strict=True):
        note = track_note(src, info)
        if note:
            print(f"fieldscribe: note: {note}", file=sys.stderr)
    if args.json:
        print_json([as_dict(s) for s in sessions])
    else:
        for src, s in zip(args.files, sessions, strict=True):
            shown = readable_file_name(str(src))
            print(f"{s.id}  {s.title}  ({fmt_ms(s.duration_ms)}, from {shown})")
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    """fieldscribe sessions DIR."""
    with open_project(args, write=False) as project:
        sessions = project.sessions.all()
        languages = project.languages
        if not args.json:
            statuses = {s.id: _shown_status(project, s) for s in sessions}
            unfinished = find_unfinished(project.folder)
    if args.json:
        print_json([as_dict(s) for s in sessions])
        return 0
    print(f"Languages: {_language_list(languages)}")
    if not sessions:
        print("No sessions yet; add audio with `fieldscribe import DIR FILE`.")
        say_unfinished(unfinished)
        return 0
    print_table(
        ["ID", "KIND", "DURATION", "SEGMENTS", "NO TEXT", "CODED", "LANG", "STATUS", "TITLE"],
        [
            (
                s.id,
                s.kind,
                fmt_ms(s.duration_ms) if s.duration_ms else "-",  # no recording (text only)
                s.segment_count,
                s.untranscribed_count,
                s.coded_segment_count,
                ",".join(s.languages) or "-",
                statuses[s.id],
                s.title,
            )
            for s in sessions
        ],
    )
    interrupted = sum(1 for status in statuses.values() if status.startswith("interrupted"))
    if interrupted:
        print(
            f"{plural(interrupted, 'transcription')} interrupted (stopped, or FieldScribe closed): "
            f"`fieldscribe transcribe DIR --all` resumes {'it' if interrupted == 1 else 'them'} "
            f"where {'it' if interrupted == 1 else 'they'} stopped."
        )
    say_unfinished(unfinished)
    untranscribed = sum(s.untranscribed_count for s in sessions)
    if untranscribed:
        print(
            f"{plural(untranscribed, 'segment')} of speech without transcript (NO TEXT): play "
            f"{'it' if untranscribed == 1 else 'them'} in the workbench and type what was said "
            "(or `fieldscribe segment-text DIR SEGMENT_ID "
            '"text"`).'
        )
    return 0


def _shown_status(project: Project, session: Session) -> str:
    """A session's status as the table shows it: "transcribing" only while a transcription
    runs; one stopped by Ctrl+C, a failure or a crash is "interrupted at TIME"."""
    if session.status != "transcribing":
        return session.status
    state = project.transcription.transcription_state(session.id)
    if state is not None and state.status == "running" and in_use(project.folder) is not False:
        return session.status  # running now (or cannot tell)
    done = fmt_ms(state.done_ms) if state is not None else fmt_ms(0)
    return f"interrupted at {done}"


#: what ``delete-session`` removed, by table, in words ("1 recording", "3 speaker turns")
_REMOVED = {
    "codings": "coding",
    "segments": "segment",
    "markers": "marker",
    "session_speakers": "speaker label",
    "speaker_turns": "speaker turn",
    "media": "recording",
    "memos": "memo",
    "redactions": "redaction",
    "consents": "consent",
}


def cmd_delete_session(args: argparse.Namespace) -> int:
    """fieldscribe delete-session DIR --session ID [--force]."""
    with open_project(args, write=True) as project:
        session = project.sessions.get_session(project.sessions.resolve(args.session))
        report = project.sessions.delete_session(session.id, force=args.force)
    if args.json:
        print_json({"session_id": session.id, "title": session.title, **as_dict(report)})
    else:
        removed = ", ".join(
            plural(n, _REMOVED.get(kind, kind)) for kind, n in report.removed.items() if n
        )
        audio = (
            "its audio is kept in media/.deleted/ under its title; "
            if report.removed.get("media")
            else ""
        )
        print(
            f"Deleted session {session.title!r} ({session.id}; {removed or 'nothing else'}); "
            f"{audio}`fieldscribe restore-session DIR --session ID` brings it all back."
        )
    return 0


def cmd_segments(args: argparse.Namespace) -> int:
    """fieldscribe segments DIR --session ID."""
    with open_project(args, write=False) as project:
        segments = project.transcript.segments(args.session)
        short = {} if args.json else short_segment_ids(project, [s.id for s in segments])
    if args.json:
        # a project edited before word timings followed edits (aa16333), opened read-only and
        # so not repaired, may hold words its text no longer says (a name typed out)
        print_json(
            [
                as_dict(replace(s, words=words_kept_by(s.text, s.words)) if s.edited else s)
                for s in segments
            ]
        )
        return 0
    for s in segments:
        speaker = f"{s.speaker}: " if s.speaker else ""
        lang = f"[{s.language}] " if s.language else ""
        text = "[speech without transcript]" if s.untranscribed and not s.text.strip() else s.text
        print(f"{short[s.id]}  [{fmt_ms(s.start_ms)} - {fmt_ms(s.end_ms)}]  {lang}{speaker}{text}")
    return 0


# --language words for "segments of no known language" (storage's ""), as the GUI's
# "? · Unknown" filter; none of them is a Whisper language code
UNKNOWN_LANGUAGE_WORDS = ("unknown", "?", "none")


def _language_filter(value: str | None) -> str | None:
    """A --language value as storage's filter: a code, "" for no known language, None: all."""
    if value is None:
        return None
    if value.strip().lower() in (*UNKNOWN_LANGUAGE_WORDS, ""):
        return ""
    try:
        return check_language_code(value)
    except UnknownLanguageError as exc:  # a filter also takes segments of no language
        raise UnknownLanguageError(
            f"{exc} For segments with no language, give --language unknown.",
            f"{exc.short} Or 'unknown': segments with no language.",
        ) from None


def cmd_search(args: argparse.Namespace) -> int:
    """fieldscribe search DIR QUERY."""
    with open_project(args, write=False) as project:
        hits = project.transcript.search(
            args.query,
            limit=args.limit,
            session_id=args.session,
            language=_language_filter(args.language),
            forms=args.forms,
        )
        short = {} if args.json else short_segment_ids(project, [h.segment_id for h in hits])
    if args.json:
        print_json([as_dict(h) for h in hits])
        return 0
    if not hits:
        print(f"No segment matches {args.query!r}.")
    for h in hits:
        speaker = f"{h.speaker}: " if h.speaker else ""
        lang = f"[{h.language}] " if h.language else ""
        print(
            f"{short[h.segment_id]}  {h.session_title} [{fmt_ms(h.start_ms)}]  "
            f"{lang}{speaker}{h.marked}"
        )
    return 0


def cmd_codes(args: argparse.Namespace) -> int:
    """fieldscribe codes DIR [--rename PATH NAME]."""
    if args.rename:
        return _rename_code(args, *args.rename)
    with open_project(args, write=False) as project:
        codes = project.codebook.codes()
        # blind coding: a coder counts only their own codings, as the workbench shows them
        freq = project.codebook.code_frequencies(coder=project.team.blind_coder)
    if args.json:
        print_json([{**as_dict(c), "codings": freq.get(c.id, 0)} for c in codes])
        return 0
    print_table(
        ["ID", "COLOUR", "CODINGS", "PATH"],
        [(c.id, c.colour, freq.get(c.id, 0), c.path) for c in codes],
    )
    return 0


def _code_at(project: Project, path: str) -> Code:
    """The code at ``path``.

    Raises:
        NotFoundError: no code there (the message says how to list them).
    """
    code = project.codebook.find_code(path)
    if code is None:
        raise NotFoundError(f"No code {path!r}; list them with `fieldscribe codes`.")
    return code


def _rename_code(args: argparse.Namespace, path: str, name: str) -> int:
    """fieldscribe codes DIR --rename PATH NAME: the workbench's Rename (F2) in the codebook."""
    with open_project(args, write=True) as project:
        code = _code_at(project, path)
        renamed = project.codebook.update_code(code.id, name=name)
    if args.json:
        print_json({**as_dict(renamed), "was": code.path})
    else:
        print(f"Renamed {code.path!r} to {renamed.path!r}.")
    return 0


def cmd_uncode(args: argparse.Namespace) -> int:
    """fieldscribe uncode DIR --segment ID --code PATH [--span START:END] [--of NAME]: this
    coder's own coding goes (as Code ▸ Remove a coding… does), or, as the lead, NAME's; the
    removal travels in bundles."""
    start, end = _parse_span(args.span)
    with open_project(args, write=True) as project:
        segment = project.transcript.get_segment(args.segment)
        code = _code_at(project, args.code)
        if (start, end) == (0, len(segment.text)):
            start = end = None  # the whole text is the whole segment, as `code` stores it
        who = (args.of or "").strip() or project.coder
        refusal = project.codebook.coding_refusal(who, "remove")
        if refusal is not None:  # before looking for it: the same line whatever is there
            raise InvalidInputError(refusal)
        mine = project.codebook.codings(segment_id=segment.id, code_id=code.id, coder=who)
        found = [c for c in mine if (c.start_cp, c.end_cp) == (start, end)]
        if not found:
            what = "the whole of" if start is None else f"--span {start}:{end} of"
            held = [
                "the whole segment" if c.start_cp is None else f"--span {c.start_cp}:{c.end_cp}"
                for c in mine
            ]
            has = f"; {who}'s codings of it there: {', '.join(held)}" if held else ""
            raise NotFoundError(
                f"{who} has no coding of {code.path!r} on {what} segment {segment.id}{has}."
            )
        project.codebook.remove_coding(found[0].id)
    removed = found[0]
    if args.json:
        print_json({**as_dict(removed), "code_path": code.path, "removed": True})
    else:
        words = "" if start is None else f" ({segment.text[start:end]!r})"
        print(f"Removed {who}'s coding of {code.path!r} from segment {segment.id}{words}.")
    return 0


def _parse_span(span: str | None) -> tuple[int | None, int | None]:
    if not span:
        return None, None
    try:
        start, end = (int(x) for x in span.split(":"))
    except ValueError:
        raise InvalidInputError(f"Invalid --span {span!r}; use START:END code points.") from None
    return start, end


def cmd_code(args: argparse.Namespace) -> int:
    """fieldscribe code DIR --segment ID --code PATH."""
    start, end = _parse_span(args.span)
    with open_project(args, write=True) as project:
        segment = project.transcript.get_segment(args.segment)  # before creating the code path
        had = {c.id: c.memo for c in project.codebook.codings(segment_id=segment.id)}
        with project.transaction():
            code = project.codebook.ensure_code_path(args.code)
            coding = project.codebook.apply_code(
                args.segment, code.id, start_cp=start, end_cp=end, memo=args.memo
            )
            # the same coding again: its new memo was dropped without a word; it replaces
            # the old one (the coding's coder only: ``update_coding``)
            if coding.id in had and args.memo is not None and args.memo != (coding.memo or ""):
                coding = project.codebook.update_coding(coding.id, memo=args.memo)
    if args.json:
        print_json({**as_dict(coding), "code_path": code.path, "already": coding.id in had})
    elif coding.id not in had:
        print(f"Coded segment {args.segment} with {code.path!r} (coder {coding.coder}).")
    elif had[coding.id] != coding.memo:
        print(
            f"Segment {args.segment} was already coded {code.path!r} by {coding.coder}: "
            "its memo is replaced."
        )
    else:
        print(
            f"Segment {args.segment} is already coded {code.path!r} by {coding.coder}; "
            "nothing was changed."
        )
    return 0


def cmd_autocode(args: argparse.Namespace) -> int:
    """fieldscribe autocode DIR --query Q --code PATH."""
    with open_project(args, write=True) as project:
        # no match (a typo in the query): nothing changes, not even a new empty code
        found = len(project.transcript.search_ids(args.query))
        added = project.codebook.autocode(args.query, args.code) if found else []
        code = project.codebook.find_code(args.code)
    matched = bool(found)
    result = {
        "code_path": code.path if code else args.code,
        "codings_added": len(added),
        "segments_found": found,
        "already_coded": found - len(added),
    }
    if args.json:
        print_json({**result, "segment_ids": [c.segment_id for c in added]})
    elif not matched:
        print(
            f"No segment matches {args.query!r}; nothing was coded"
            + ("." if code else f" and the code {args.code!r} was not created.")
        )
    else:
        print(autocoded(found, len(added), str(result["code_path"])))
    return 0

"""Research-ethics commands: consent, pseudonym, redact, keys, audit."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from storage.core.errors import InvalidInputError
from storage.core.models import as_dict
from storage.privacy.consent import parse_yes_no
from storage.privacy.crypto import public_key_text, read_passphrase_file
from storage.privacy.models import CONSENT_KINDS, PURPOSE_NEEDS, ConsentProblem

from .common import (
    add_coder,
    add_dir,
    add_json,
    add_output,
    bounded_int,
    open_project,
    short_segment_ids,
)
from .output import plural, print_json, print_table


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser(
        "consent",
        help="record, list or check participants' consent",
        description="Record what a participant consented to (per session, or for every session "
        "with --session all), list the records, or check a session before transcribing or "
        "exporting it.",
    )
    add_dir(p)
    p.add_argument("--participant", metavar="ID", help="participant id or pseudonym")
    p.add_argument("--session", metavar="ID", help="session id, or 'all' for every session")
    for kind in CONSENT_KINDS:
        p.add_argument(
            f"--{kind}", metavar="yes|no|unknown",
            help=f"consent to {kind} (unknown: back to not recorded)",
        )  # fmt: skip
    p.add_argument("--date", metavar="YYYY-MM-DD", help="when consent was given")
    p.add_argument("--form", metavar="REF", help="consent form reference (e.g. F-12)")
    p.add_argument("--notes", help="free text kept with the record")
    p.add_argument("--list", action="store_true", help="list consent records")
    p.add_argument(
        "--check", metavar="PURPOSE", choices=sorted(PURPOSE_NEEDS),
        help="list who in --session lacks consent for PURPOSE (exit 2 when someone does)",
    )  # fmt: skip
    p.add_argument(
        "--acknowledge", metavar="PURPOSE", choices=sorted(PURPOSE_NEEDS),
        help="go on past consent left unknown for PURPOSE in --session, as the desktop app's "
        "\"Don't ask again\": exports and transcription do not ask until it changes (a "
        "refusal is always asked)",
    )  # fmt: skip
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_consent)

    p = sub.add_parser(
        "pseudonym",
        help="real name -> pseudonym mapping; review and apply replacements",
        description="Keep a project-only mapping of real names to pseudonyms, review every "
        "occurrence (inflected forms included) and replace them in the transcripts: every "
        "candidate that --review lists, or only those given with --accept ID,ID.",
    )
    add_dir(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--set",
        metavar="REAL=PSEUDONYM",
        action="append",
        help="map a real name to its pseudonym (repeatable)",
    )
    group.add_argument("--list", action="store_true", help="show the mapping")
    group.add_argument(
        "--remove", metavar="REAL|PSEUDONYM", help="remove a mapping (replacements made stay)"
    )
    group.add_argument("--review", action="store_true", help="list candidate replacements")
    group.add_argument(
        "--apply",
        action="store_true",
        help="replace in the transcripts every candidate --review lists (or only --accept's); "
        "without --session, also every mapped name (but rejected forms) in deleted sessions",
    )
    p.add_argument("--participant", metavar="ID", help="with --set: the participant it names")
    p.add_argument(
        "--accept",
        metavar="all|ID,ID",
        default="all",
        help="with --apply: replace only these candidates (ids from --review; default all); "
        "inflected forms left out are remembered as not this person",
    )
    p.add_argument("--session", metavar="ID", help="with --review/--apply: one session only")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_pseudonym)

    p = sub.add_parser(
        "redact",
        help="hide spans of transcript text from exports, or destroy the originals",
        description="Mark a span as redacted (exports show [REDACTED] or [CATEGORY] and silence "
        "the audio), list or remove redactions, or --destroy originals for good (text, search "
        "index, word timings and audio in media/).",
    )
    add_dir(p)
    p.add_argument("--segment", metavar="ID", help="the segment holding the span (with --span)")
    p.add_argument("--span", metavar="START:END", help="code points in the segment text")
    p.add_argument("--category", metavar="NAME", help="e.g. PLACE, NAME (default REDACTED)")
    p.add_argument("--list", action="store_true", help="list the redactions")
    p.add_argument("--remove", metavar="REDACTION_ID", help="un-redact (not after --destroy)")
    p.add_argument(
        "--destroy", action="store_true",
        help="remove the originals for good: with --segment/--span (new redaction), --id, "
        "--session, or --all",
    )  # fmt: skip
    p.add_argument("--id", metavar="REDACTION_ID", action="append", help="with --destroy")
    p.add_argument("--session", metavar="ID", help="with --list or --destroy")
    p.add_argument("--all", action="store_true", help="with --destroy: every redaction")
    p.add_argument(
        "--mode",
        choices=("silence", "beep"),
        default="silence",
        help="with --destroy: what replaces the span in the audio (default: silence)",
    )
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_redact)

    p = sub.add_parser("keys", help="team keys for encrypted bundles")
    add_dir(p)
    p.add_argument(
        "action",
        choices=("generate", "export-public"),
        help="generate: make this copy's team key; export-public: write its public key (-o) "
        "for teammates to encrypt bundles for you",
    )
    add_output(p, required=False, help="export-public: write the public key here")
    p.add_argument(
        "--key-passphrase-file", type=Path, metavar="FILE",
        help="protect (or open) the private key with the passphrase in FILE",
    )  # fmt: skip
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("audit", help="who exported, merged, redacted or destroyed what, and when")
    add_dir(p)
    p.add_argument("--action", help="only this action (export, merge, redact, destroy...)")
    p.add_argument(
        "--limit", type=bounded_int(1, 10**9), metavar="N", help="only the newest N entries"
    )
    add_json(p)
    p.set_defaults(func=cmd_audit)


# --------------------------------------------------------------------- consent
def cmd_consent(args: argparse.Namespace) -> int:
    """fieldscribe consent DIR ..."""
    if args.acknowledge:
        return _acknowledge(args)
    if args.check:
        if not args.session or args.session == "all":
            raise InvalidInputError("--check needs --session ID.")
        with open_project(args, write=False) as project:
            problems = project.consent.consent_problems(args.session, args.check)
            unknown = project.consent.unknown_unlabelled(args.session, args.check)
            sid = project.sessions.get_session(args.session).id
        if args.json:
            # nobody known, nothing recorded: listed as a speaker linked to nobody would be
            nobody = [ConsentProblem(sid, None, None, None, list(PURPOSE_NEEDS[args.check]), [])]
            print_json([as_dict(p) for p in problems or (nobody if unknown else [])])
        elif problems:
            for problem in problems:
                print(problem.describe())
        elif unknown:  # nobody is in the session: "everyone consented" said of no one
            folder = shlex.quote(str(args.dir))
            print(
                "Nobody in the session is linked to a participant or has a consent record for "
                f"it, so consent to {args.check} is unknown for its "
                f"{plural(unknown, 'segment')} without a speaker (--consented-only leaves them "
                f"out): link speakers (fieldscribe speaker {folder} map ...) or record consent "
                f"(fieldscribe consent {folder} ...)."
            )
        else:
            print(f"Everyone in the session consented to {args.check}.")
        return 2 if problems or unknown else 0
    if args.list:
        with open_project(args, write=False) as project:
            session = None if args.session in (None, "all") else args.session
            consents = project.consent.consents(participant_id=args.participant, session_id=session)
            names = {p.id: p.pseudonym for p in project.sessions.participants()}
        if args.json:
            print_json([as_dict(c) for c in consents])
            return 0
        print_table(
            ["PARTICIPANT", "SESSION", *(k.upper() for k in CONSENT_KINDS), "DATE", "FORM"],
            [
                (
                    names.get(c.participant_id, c.participant_id),
                    c.session_id or "all",
                    *(_yn(c.given(k)) for k in CONSENT_KINDS),
                    c.date,
                    c.form_ref,
                )
                for c in consents
            ],
        )
        return 0
    if not args.participant or not args.session:
        raise InvalidInputError(
            "Give --participant ID and --session ID (or --session all) to record consent, "
            "or use --list / --check PURPOSE."
        )
    answers = {k: parse_yes_no(getattr(args, k), f"--{k}") for k in CONSENT_KINDS}
    unset = [k for k, v in answers.items() if v is None and getattr(args, k) is not None]
    with open_project(args, write=True) as project:
        consent = project.consent.set_consent(
            args.participant,
            None if args.session == "all" else args.session,
            **answers,
            unset=unset,
            date=args.date,
            form_ref=args.form,
            notes=args.notes,
        )
    if args.json:
        print_json(as_dict(consent))
    else:
        given = ", ".join(f"{k} {_yn(consent.given(k))}" for k in CONSENT_KINDS)
        print(f"Consent recorded ({given}).")
    return 0


def _acknowledge(args: argparse.Namespace) -> int:
    """``consent DIR --session ID --acknowledge PURPOSE``: ``project.consent_notes``."""
    if not args.session or args.session == "all":
        raise InvalidInputError("--acknowledge needs --session ID.")
    purpose = args.acknowledge
    with open_project(args, write=True) as project:
        session = project.sessions.get_session(args.session)
        unknown = project.consent.consent_problems(session.id, purpose)
        nobody = 0 if unknown else project.consent.unknown_unlabelled(session.id, purpose)
        project.consent_notes.acknowledge(session.id, purpose)  # a refusal: refused
    if args.json:
        print_json({"session": session.id, "purpose": purpose, "unknown": len(unknown) or nobody})
    elif nobody:  # it said "Everyone ... consented" of a session nobody is known to be in
        print(
            f"Consent to {purpose} left unknown for {plural(nobody, 'segment')} without a "
            f"speaker in “{session.title}” (nobody known to be in it): not said again until "
            "that changes."
        )
    elif unknown:
        who = ", ".join(u.pseudonym or u.speaker or "someone" for u in unknown)
        print(
            f"Consent to {purpose} left unknown for {who} in “{session.title}”: not asked "
            "again until that changes."
        )
    else:
        print(f"Everyone in “{session.title}” consented to {purpose}; nothing to acknowledge.")
    return 0


def _yn(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


# --------------------------------------------------------------------- pseudonyms
def cmd_pseudonym(args: argparse.Namespace) -> int:
    """fieldscribe pseudonym DIR ..."""
    if args.set:
        pairs = []
        for item in args.set:
            real, sep, pseudonym = item.partition("=")
            if not sep or not real.strip() or not pseudonym.strip():
                raise InvalidInputError(f'Invalid --set {item!r}; use --set "REAL NAME=P01".')
            pairs.append((real, pseudonym))
        with open_project(args, write=True) as project, project.transaction():
            entries = [
                project.privacy.set_pseudonym(real, pseudonym, participant_id=args.participant)
                for real, pseudonym in pairs
            ]
        if args.json:
            print_json([as_dict(e) for e in entries])
        else:
            for e in entries:
                print(f"Mapped a real name to {e.pseudonym!r}.")
        return 0
    if args.list:
        with open_project(args, write=False) as project:
            entries = project.privacy.pseudonyms()
        if args.json:
            print_json([as_dict(e) for e in entries])
        else:
            print_table(
                ["PSEUDONYM", "REAL NAME", "REJECTED FORMS"],
                [(e.pseudonym, e.real_name, ", ".join(e.exceptions)) for e in entries],
            )
        return 0
    if args.remove:
        with open_project(args, write=True) as project:
            project.privacy.remove_pseudonym(args.remove)
        if args.json:
            print_json({"removed": args.remove})
        else:
            print("Removed the mapping.")
        return 0
    if args.review:
        with open_project(args, write=False) as project:
            candidates = project.privacy.pseudonym_candidates(args.session)
        if args.json:
            print_json([as_dict(c) for c in candidates])
        elif not candidates:
            print("No real name of the mapping occurs in the transcripts.")
        else:
            print_table(
                ["ID", "KIND", "FOUND", "REPLACEMENT", "CONTEXT"],
                [(c.id, c.kind, c.matched, c.replacement, c.context) for c in candidates],
            )
        return 0
    accept = None if args.accept.strip() == "all" else args.accept.split(",")
    with open_project(args, write=True) as project:
        report = project.privacy.apply_pseudonyms(accept, session_id=args.session)
    if args.json:
        print_json(as_dict(report))
    else:
        print(
            f"Replaced {plural(report.replaced, 'occurrence')} in "
            f"{plural(report.segments, 'segment')}; "
            f"{report.skipped} left as they were."
        )
        if report.deleted_sessions:
            n = report.deleted_sessions
            print(
                f"Names were replaced in {plural(n, 'deleted session')} too (kept to be restored)."
            )
        _say_unsaved(report.unsaved_texts, "Names were replaced in")
    return 0


# --------------------------------------------------------------------- redactions
def _span(value: str | None) -> tuple[int, int]:
    if not value:
        raise InvalidInputError("Give --span START:END (code points in the segment text).")
    try:
        start, end = (int(x) for x in value.split(":"))
    except ValueError:
        raise InvalidInputError(f"Invalid --span {value!r}; use START:END code points.") from None
    return start, end


def cmd_redact(args: argparse.Namespace) -> int:
    """fieldscribe redact DIR ..."""
    if args.list:
        with open_project(args, write=False) as project:
            items = project.redactions.all(segment_id=args.segment, session_id=args.session)
            short = {} if args.json else short_segment_ids(project, [r.segment_id for r in items])
        if args.json:
            print_json([as_dict(r) for r in items])
        else:
            print_table(
                ["ID", "SEGMENT", "SPAN", "CATEGORY", "STATE"],
                [
                    (
                        r.id,
                        short[r.segment_id],
                        f"{r.start_cp}:{r.end_cp}",
                        r.category,
                        "destroyed" if r.destroyed else "hidden in exports",
                    )
                    for r in items
                ],
            )
        return 0
    if args.remove:
        with open_project(args, write=True) as project:
            project.redactions.remove_redaction(args.remove)
        if args.json:
            print_json({"removed": args.remove})
        else:
            print("Redaction removed; exports show the text again.")
        return 0
    if args.destroy:
        return _destroy(args)
    if not args.segment:
        raise InvalidInputError(
            "Give --segment ID --span START:END to redact, or --list, --remove ID, --destroy."
        )
    start, end = _span(args.span)
    with open_project(args, write=True) as project:
        redaction = project.redactions.redact(args.segment, start, end, args.category)
    if args.json:
        print_json(as_dict(redaction))
    else:
        print(f"Redacted {start}:{end} as {redaction.placeholder} (id {redaction.id}).")
    return 0


def _destroy(args: argparse.Namespace) -> int:
    chosen = [bool(args.segment), bool(args.id), bool(args.session), bool(args.all)]
    if sum(chosen) != 1:
        raise InvalidInputError(
            "With --destroy give exactly one of: --segment ID --span S:E, --id RID, "
            "--session ID, --all."
        )
    with open_project(args, write=True) as project:
        if args.segment:
            start, end = _span(args.span)
            _, report = project.redactions.destroy_span(
                args.segment, start, end, args.category, mode=args.mode
            )
        elif args.id:
            report = project.redactions.destroy_redactions(args.id, mode=args.mode)
        else:
            report = project.redactions.destroy_redactions(
                None, session_id=args.session, mode=args.mode
            )
    if args.json:
        print_json(as_dict(report))
    else:
        print(
            f"Destroyed {plural(report.redactions, 'original')} in "
            f"{plural(report.segments, 'segment')}; {plural(len(report.media), 'audio file')} "
            f"rewritten ({report.silenced_ms} ms {args.mode})."
        )
        _say_unsaved(report.unsaved_texts, "The destroyed words were replaced in")
    return 0


def _say_unsaved(count: int, done: str) -> None:
    """One line when typing kept unsaved in DIR/drafts was rewritten too."""
    if count:
        print(
            f"{done} {plural(count, 'unsaved text')} kept in drafts/ too "
            "(offered back when the project opens)."
        )


# --------------------------------------------------------------------- keys
def cmd_keys(args: argparse.Namespace) -> int:
    """fieldscribe keys DIR generate|export-public."""
    passphrase = (
        read_passphrase_file(args.key_passphrase_file) if args.key_passphrase_file else None
    )
    if args.action == "generate":
        with open_project(args, write=True) as project:
            public = project.privacy.generate_identity(passphrase)
            path = project.privacy.identity_path()
            text = public_key_text(public, project.coder)
    else:
        with open_project(args, write=False) as project:
            public = project.privacy.load_identity(passphrase).public_key()
            path = project.privacy.identity_path()
            text = public_key_text(public, project.coder)
    if args.output:
        from storage.core.atomic import staged

        try:
            with staged(args.output, chosen=True) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InvalidInputError(f"{args.output}: cannot write ({exc.strerror}).") from exc
    if args.json:
        print_json(
            {
                "private_key": str(path),
                "public_key": text.strip(),
                "written": str(args.output or ""),
            }
        )
    elif args.output:
        print(f"Public key written to {args.output}; send it to whoever encrypts bundles for you.")
    else:
        print(text, end="")
    return 0


# --------------------------------------------------------------------- audit
def cmd_audit(args: argparse.Namespace) -> int:
    """fieldscribe audit DIR."""
    with open_project(args, write=False) as project:
        entries = project.audit.entries(action=args.action, limit=args.limit)
    if args.json:
        print_json([as_dict(e) for e in entries])
        return 0
    if not entries:
        print("The audit log is empty.")
        return 0
    print_table(
        ["WHEN", "WHO", "ACTION", "TARGET", "DETAILS"],
        [
            (
                e.at,
                e.actor,
                e.action,
                f"{e.target_type} {e.target_id}"
                if e.target_type and e.target_id
                else e.target_type,
                ", ".join(f"{k}={v}" for k, v in sorted(e.details.items())),
            )
            for e in entries
        ],
    )
    return 0

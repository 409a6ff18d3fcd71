"""Speaker commands: detect speakers, fix them by hand, and enrol voice profiles.

- ``speakers DIR --session ID [--num-speakers N | --min N --max N] [--replace] [--json]``
- ``speakers DIR --session ID --list``
- ``speaker DIR rename|merge|assign|map ...`` (hand corrections)
- ``participants DIR [--add PSEUDONYM --attribute NAME=VALUE]`` (who speaks, for consent and
  the speaker map)
- ``profiles DIR enroll --session ID --speaker LABEL --name NAME``, ``profiles DIR list``,
  ``profiles DIR delete ID``
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from storage.core.errors import InvalidInputError
from storage.core.models import as_dict

from .common import add_coder, add_dir, add_json, open_project
from .output import ProgressBar, fmt_ms, plural, print_json, print_table

SESSION_HELP = "the session's id, title or id's start"


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser(
        "speakers",
        help="detect who spoke when in a session and label its transcript (offline)",
        description="Detect the speakers of a session's audio and label (and cut) its "
        "transcript segments. Needs the speakers extra: pip install 'fieldscribe[speakers]'.",
    )
    add_dir(p)
    p.add_argument("--session", required=True, metavar="ID", help=SESSION_HELP)
    p.add_argument("--num-speakers", type=int, metavar="N", help="the exact number of speakers")
    p.add_argument("--min", dest="min_speakers", type=int, metavar="N", help="at least N")
    p.add_argument("--max", dest="max_speakers", type=int, metavar="N", help="at most N")
    p.add_argument("--replace", action="store_true", help="overwrite speakers corrected by hand")
    p.add_argument("--no-profiles", action="store_true", help="do not recognise enrolled voices")
    p.add_argument("--list", action="store_true", help="only list the session's speakers")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_speakers)

    p = sub.add_parser("speaker", help="fix speakers by hand: rename, merge, assign, map")
    add_dir(p)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    a = actions.add_parser("rename", help="rename a speaker in one session")
    a.add_argument("--session", required=True, metavar="ID", help=SESSION_HELP)
    a.add_argument("old", metavar="OLD", help="the speaker label as it is now")
    a.add_argument("new", metavar="NEW", help="the new label (a name or a pseudonym)")
    a = actions.add_parser("merge", help="give all of SOURCE's segments to TARGET")
    a.add_argument("--session", required=True, metavar="ID", help=SESSION_HELP)
    a.add_argument("source", metavar="SOURCE", help="the label whose segments move (it goes away)")
    a.add_argument("target", metavar="TARGET", help="the label that gets them")
    a = actions.add_parser("assign", help="set the speaker of some segments")
    a.add_argument(
        "--segment",
        required=True,
        nargs="+",
        metavar="ID",
        help="the segments (ids, or their first or last 4+ characters)",
    )
    a.add_argument("--speaker", required=True, metavar="LABEL", help="their speaker")
    a = actions.add_parser("map", help="map a speaker label to a participant")
    a.add_argument("--session", required=True, metavar="ID", help=SESSION_HELP)
    a.add_argument("label", metavar="LABEL", help="the speaker label in that session")
    a.add_argument(
        "--participant",
        metavar="ID",
        help="the participant's id or pseudonym (`participants`; omit to clear)",
    )
    for a in actions.choices.values():
        add_coder(a)
        add_json(a)
    p.set_defaults(func=cmd_speaker)

    p = sub.add_parser(
        "participants",
        help="list the participants, or add one (a pseudonym, with attributes)",
        description="The people who took part, known by pseudonym: consent is recorded for "
        "them (`consent --participant`), a session's speakers are mapped to them (`speaker "
        "map`) and their attributes (age, role...) group the analysis (`analyze matrix "
        "--columns participant.age`). Without --add: list them.",
    )
    add_dir(p)
    p.add_argument("--add", metavar="PSEUDONYM", help="add a participant known by this pseudonym")
    p.add_argument(
        "--attribute",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="with --add: an attribute such as age=34 or role=moderator (repeatable)",
    )
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_participants)

    p = sub.add_parser("profiles", help="voice profiles: enrol a speaker, list, delete")
    add_dir(p)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    a = actions.add_parser("enroll", help="enrol a speaker of a session as a named voice")
    a.add_argument("--session", required=True, metavar="ID", help=SESSION_HELP)
    a.add_argument(
        "--speaker", required=True, metavar="LABEL", help="the session's speaker to enrol"
    )
    a.add_argument("--name", required=True, help="name or pseudonym to label the voice with")
    a.add_argument(
        "--participant",
        metavar="ID",
        help="link the profile to a participant (id or pseudonym, `participants`)",
    )
    add_coder(a)
    add_json(a)
    a = actions.add_parser("list", help="list voice profiles")
    add_json(a)
    a = actions.add_parser("delete", help="delete a voice profile")
    a.add_argument("profile_id", metavar="ID", help="the profile's id, as `profiles list` shows it")
    add_coder(a)
    add_json(a)
    p.set_defaults(func=cmd_profiles)


def _stats_rows(project: Any, session_id: str) -> list[dict[str, Any]]:
    names = {p.id: p.pseudonym for p in project.sessions.participants()}
    return [
        {
            **as_dict(s),
            "participant": names.get(s.participant_id or ""),
        }
        for s in project.speakers.speaker_stats(session_id)
    ]


def _print_stats(rows: list[dict[str, Any]]) -> None:
    print_table(
        ["SPEAKER", "SEGMENTS", "TALK", "FIRST", "HAND-EDITED", "PARTICIPANT"],
        [
            [
                r["label"],
                r["segment_count"],
                fmt_ms(r["total_ms"]),
                fmt_ms(r["first_ms"]),
                r["edited_count"],
                r["participant"] or "",
            ]
            for r in rows
        ],
    )


def cmd_speakers(args: argparse.Namespace) -> int:
    """Detect speakers (or list them with --list)."""
    if args.list:
        with open_project(args, write=False) as project:
            rows = _stats_rows(project, args.session)
        if args.json:
            print_json(rows)
        else:
            _print_stats(rows)
        return 0
    from transcribe.speakers import check_speaker_options, diarize_session

    check_speaker_options(args.num_speakers, args.min_speakers, args.max_speakers)
    with open_project(args, write=True) as project:
        bar = ProgressBar("speakers", enabled=False if args.json else None)
        try:
            report = diarize_session(
                project,
                args.session,
                num_speakers=args.num_speakers,
                min_speakers=args.min_speakers,
                max_speakers=args.max_speakers,
                replace=args.replace,
                use_profiles=not args.no_profiles,
                progress=lambda f, stage: bar.update(f, stage),
            )
        finally:
            bar.close()
        rows = _stats_rows(project, args.session)
    if args.json:
        print_json({**as_dict(report), "speaker_stats": rows})
        return 0
    found = ", ".join(
        f"{s} (recognised {report.recognised[s]:.2f})" if s in report.recognised else s
        for s in report.speakers
    )
    print(
        f"{plural(len(report.speakers), 'speaker')} found: {found or 'none'}; "
        f"{plural(report.labelled, 'segment part')} labelled, "
        f"{plural(report.split, 'cut')} at speaker changes, "
        f"a timeline of {plural(report.turns, 'turn')} stored "
        f"({report.seconds:.1f} s for {fmt_ms(report.audio_ms)} of audio)."
    )
    _print_stats(rows)
    return 0


def cmd_speaker(args: argparse.Namespace) -> int:
    """Hand corrections of speakers."""
    with open_project(args, write=True) as project:
        if args.action == "rename":
            n = project.speakers.rename_speaker(args.session, args.old, args.new)
            message = f"Renamed {args.old!r} to {args.new!r} in {plural(n, 'segment')}."
        elif args.action == "merge":
            n = project.speakers.merge_speakers(args.session, args.source, args.target)
            message = f"Merged {args.source!r} into {args.target!r} ({plural(n, 'segment')})."
        elif args.action == "assign":
            n = project.speakers.reassign_segments(args.segment, args.speaker)
            message = f"Set speaker {args.speaker!r} on {plural(n, 'segment')}."
        else:
            who = args.participant and project.consent.find_participant(args.participant)
            s = project.sessions.map_speaker(args.session, args.label, who or None)
            n = 1
            message = (
                f"Mapped {args.label!r} to participant "
                f"{project.sessions.get_participant(s.participant_id).pseudonym!r} "
                f"({s.participant_id})."
                if s.participant_id
                else f"Cleared the mapping of {args.label!r}."
            )
    if args.json:
        print_json({"action": args.action, "changed": n, "message": message})
    else:
        print(message)
    return 0


def _attributes(pairs: list[str]) -> dict[str, str]:
    """``["age=34", "role=moderator"]`` as a dict; a pair without a name is refused."""
    attributes: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise InvalidInputError(
                f"--attribute {pair!r}: give NAME=VALUE, e.g. age=34. Nothing was changed."
            )
        attributes[name.strip()] = value.strip()
    return attributes


def cmd_participants(args: argparse.Namespace) -> int:
    """fieldscribe participants DIR [--add PSEUDONYM [--attribute NAME=VALUE ...]]."""
    if args.add is None:
        if args.attribute:
            raise InvalidInputError("--attribute goes with --add PSEUDONYM.")
        with open_project(args, write=False) as project:
            people = project.sessions.participants()
        if args.json:
            print_json([as_dict(p) for p in people])
        elif not people:
            print("No participants yet; add one with --add PSEUDONYM.")
        else:
            print_table(
                ["ID", "PSEUDONYM", "ATTRIBUTES"],
                [
                    [p.id, p.pseudonym, ", ".join(f"{k}={v}" for k, v in p.attributes.items())]
                    for p in people
                ],
            )
        return 0
    attributes = _attributes(args.attribute)
    pseudonym = args.add.strip()
    with open_project(args, write=True) as project:
        taken = [p for p in project.sessions.participants() if p.pseudonym == pseudonym]
        if taken:
            raise InvalidInputError(
                f"A participant is already called {pseudonym!r} ({taken[0].id}); choose another "
                "pseudonym. Nothing was changed."
            )
        person = project.sessions.add_participant(pseudonym, attributes)
    if args.json:
        print_json(as_dict(person))
    else:
        print(f"Added participant {person.pseudonym!r} ({person.id}).")
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    """Voice profiles."""
    if args.action == "list":
        with open_project(args, write=False) as project:
            profiles = project.speakers.speaker_profiles()
            names = {p.id: p.pseudonym for p in project.sessions.participants()}
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "participant_id": p.participant_id,
                "participant": names.get(p.participant_id or ""),
                "model": p.model,
                "dim": len(p.embedding),
                "source_session_id": p.source_session_id,
                "source_ms": p.source_ms,
                "created_by": p.created_by,
                "created_at": p.created_at,
            }
            for p in profiles
        ]
        if args.json:
            print_json(rows)
        else:
            print_table(
                ["ID", "NAME", "PARTICIPANT", "SPEECH", "BY", "MODEL"],
                [
                    [r["id"], r["name"], r["participant"] or "", fmt_ms(r["source_ms"]),
                     r["created_by"], r["model"]]
                    for r in rows
                ],
            )  # fmt: skip
        return 0
    if args.action == "delete":
        with open_project(args, write=True) as project:
            profile = project.speakers.get_speaker_profile(args.profile_id)
            project.speakers.delete_speaker_profile(args.profile_id)
        if args.json:
            print_json({"deleted": profile.id, "name": profile.name})
        else:
            print(f"Deleted voice profile {profile.name!r}.")
        return 0
    from transcribe.speakers import enroll_speaker

    with open_project(args, write=True) as project:
        who = args.participant and project.consent.find_participant(args.participant)
        profile = enroll_speaker(
            project, args.session, args.speaker, args.name, participant_id=who or None
        )
    if args.json:
        data = as_dict(profile)
        data.pop("embedding")
        data["dim"] = len(profile.embedding)
        print_json(data)
    else:
        print(
            f"Enrolled {profile.name!r} from {fmt_ms(profile.source_ms)} of speaker "
            f"{args.speaker!r}; later detections label this voice {profile.name!r}.",
            file=sys.stdout,
        )
    return 0

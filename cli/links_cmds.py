"""Links between codes, sessions, passages, memos and participants: ``links DIR`` lists them,
``links add DIR --from END --to END --name NAME`` adds one, ``links remove DIR ID`` removes
one."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from storage.codebook.links import DIRECTION_WORDS, Link, direction_of
from storage.core.errors import InvalidInputError
from storage.core.words import plural

from .common import add_coder, add_dir, add_json, open_project, shortest_ends
from .output import print_json, print_table

_ACTIONS = ("add", "remove")
_END_HELP = (
    "one end: code:PATH (e.g. code:Access/Transport), session:TITLE_OR_ID, "
    "participant:PSEUDONYM_OR_ID, memo:ID or coding:ID (a coded passage)"
)


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser(
        "links",
        help="list the links between codes, sessions, passages, memos and participants; "
        "add or remove one",
        description=(
            "`links DIR` lists every link (from -> name -> to). "
            "`links add DIR --from code:A --to code:B --name 'is cause of'` adds one, "
            "`links remove DIR ID` removes one (ID: as `links DIR` shows it)."
        ),
        usage="fieldscribe links [add|remove] DIR [ID] [options]",
    )
    add_dir(p)
    p.add_argument("more", nargs="*", metavar="ID", help=argparse.SUPPRESS)
    p.add_argument("--from", dest="origin", metavar="END", help=f"(add) {_END_HELP}")
    p.add_argument("--to", dest="target", metavar="END", help="(add) the other end, the same way")
    p.add_argument("--name", metavar="NAME", help="(add) what the link says: 'is cause of'")
    p.add_argument(
        "--direction",
        choices=tuple(DIRECTION_WORDS),
        help="(add) one-way (from -> to, the default), both, or none",
    )
    p.add_argument("--memo", metavar="TEXT", help="(add) a note on the link")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_links)


def _as_json(link: Link) -> dict[str, Any]:
    return {
        "id": link.id,
        "from": {"kind": link.origin.kind, "id": link.origin.id, "label": link.origin.label},
        "to": {"kind": link.target.kind, "id": link.target.id, "label": link.target.label},
        "name": link.name,
        "direction": next((w for w, d in DIRECTION_WORDS.items() if d == link.direction), None),
        "colour": link.colour,
        "memo": link.memo,
        "created_by": link.created_by,
        "created_at": link.created_at,
    }


def cmd_links(args: argparse.Namespace) -> int:
    """fieldscribe links [add|remove] DIR [ID] [--from END --to END --name NAME ...]."""
    action = None
    if str(args.dir) in _ACTIONS and args.more:
        action, args.dir, args.more = str(args.dir), Path(args.more[0]), args.more[1:]
    if action == "remove":
        if len(args.more) != 1:
            raise InvalidInputError("Give one link to remove: `fieldscribe links remove DIR ID`.")
        return _remove(args, args.more[0])
    if args.more:
        raise InvalidInputError(
            f"Unexpected {' '.join(args.more)!r}; `fieldscribe links DIR` lists the links, "
            "`links add DIR --from END --to END --name NAME` adds one, `links remove DIR ID` "
            "removes one."
        )
    adding = [
        o for o in ("origin", "target", "name", "direction", "memo") if getattr(args, o) is not None
    ]
    if action == "add":
        return _add(args)
    if adding:
        raise InvalidInputError(
            "--from, --to, --name, --direction and --memo add a link: `fieldscribe links add DIR "
            "--from END "
            "--to END --name NAME`."
        )
    return _list(args)


def _list(args: argparse.Namespace) -> int:
    with open_project(args, write=False) as project:
        links = project.links.all()
    if args.json:
        print_json([_as_json(link) for link in links])
        return 0
    if not links:
        print(
            "No links yet; add one with `fieldscribe links add DIR --from code:A --to code:B "
            "--name 'is cause of'`."
        )
        return 0
    short = shortest_ends([k.id for k in links], [k.id for k in links])
    print_table(
        ["ID", "LINK"],
        [(short[k.id], k.describe() + (f"  ({k.memo})" if k.memo else "")) for k in links],
    )
    print(plural(len(links), "link") + ".")
    return 0


def _add(args: argparse.Namespace) -> int:
    missing = [
        flag
        for flag, v in (("--from", args.origin), ("--to", args.target), ("--name", args.name))
        if not v
    ]
    if missing:
        raise InvalidInputError(
            f"`links add` needs {', '.join(missing)}: `fieldscribe links add DIR --from code:A "
            "--to code:B --name 'is cause of'`."
        )
    with open_project(args, write=True) as project:
        origin = project.links.resolve_end(args.origin)
        target = project.links.resolve_end(args.target)
        link = project.links.add(
            origin,
            target,
            args.name,
            direction=direction_of(args.direction or "one-way"),
            memo=args.memo,
        )
    if args.json:
        print_json(_as_json(link))
    else:
        print(f"Linked {link.describe()} (link {link.id}).")
    return 0


def _remove(args: argparse.Namespace, ref: str) -> int:
    with open_project(args, write=True) as project:
        link = project.links.remove(ref)
    if args.json:
        print_json({"removed": _as_json(link)})
    else:
        print(f"Removed link {link.describe()}.")
    return 0

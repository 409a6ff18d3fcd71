"""Teamwork commands: bundle export / bundle merge, conflicts, team lead, agreement."""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from analysis.agreement import coders_words, compute_agreement, disagreements
from analysis.exports import TABLE_SUFFIXES, export_scope, write_agreement
from analysis.filters import Filters
from storage import Project
from storage.core.errors import FieldScribeError, InvalidInputError, NotFoundError, is_disk_full
from storage.core.models import as_dict
from storage.privacy.crypto import is_encrypted, load_public_key, read_passphrase_file
from storage.team.bundle import NOTHING_CHANGED, InvalidBundleError
from storage.team.bundle_export import export_bundle_file
from storage.team.merging import merge_bundles

from .common import (
    add_coder,
    add_decryption,
    add_dir,
    add_json,
    add_output,
    add_privacy,
    bounded_int,
    decrypted,
    open_for_export,
    open_project,
    privacy_options,
    segment_ids,
    shortest_ends,
)
from .output import fmt_ms, plural, print_json, print_table, verb


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser("bundle", help="export or merge team bundles (.fsbundle)")
    bsub = p.add_subparsers(dest="bundle_command", metavar="ACTION")
    bsub.required = True

    e = bsub.add_parser("export", help="write a bundle of the project (safe while the app runs)")
    add_dir(e)
    add_output(e)
    e.add_argument("--with-media", action="store_true", help="include the audio files")
    e.add_argument("--since", metavar="DATE", help="only changes at or after DATE (YYYY-MM-DD)")
    e.add_argument(
        "--coder", help="name the bundle's coder (default: the project's coder, `team coder`)"
    )
    e.add_argument(
        "--no-voice-profiles",
        dest="voice_profiles",
        action="store_false",
        help="leave the voice profiles (speaker embeddings, biometric data) out of the bundle",
    )
    add_privacy(e, media=True)
    e.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt the bundle (with --passphrase-file and/or --recipient)",
    )
    e.add_argument(
        "--passphrase-file", type=Path, metavar="FILE", help="the passphrase (first line)"
    )
    e.add_argument(
        "--recipient",
        type=Path,
        action="append",
        metavar="PUBKEYFILE",
        help="a team member's public key (repeat for several)",
    )
    add_json(e)
    e.set_defaults(func=cmd_bundle_export)

    m = bsub.add_parser("merge", help="merge bundles into the project")
    add_dir(m)
    m.add_argument(
        "bundles",
        nargs="+",
        type=Path,
        metavar="BUNDLE",
        help="bundle files (.fsbundle) exported by teammates, merged in the order given",
    )
    m.add_argument(
        "--allow-other-project", action="store_true", help="merge a bundle of another project"
    )
    same = m.add_mutually_exclusive_group()
    same.add_argument(
        "--merge-same-name",
        action="store_true",
        help="merge codes with the same path created independently (the default for bundles "
        "of this project; needed only with --allow-other-project)",
    )
    same.add_argument(
        "--keep-same-name-apart",
        action="store_true",
        help="keep codes with the same path created independently as separate codes",
    )
    add_decryption(m)
    add_coder(m)
    add_json(m)
    m.set_defaults(func=cmd_bundle_merge)

    c = sub.add_parser("conflicts", help="list merge conflicts, or resolve one")
    add_dir(c)
    c.add_argument("--all", action="store_true", help="resolved ones too")
    c.add_argument(
        "--resolve",
        metavar="ID",
        help="the conflict to resolve (its id, or its first 4+ characters)",
    )
    c.add_argument(
        "--keep", type=bounded_int(0, 10**6), metavar="N", help="keep version N (from the listing)"
    )
    add_coder(c)
    add_json(c)
    c.set_defaults(func=cmd_conflicts)

    t = sub.add_parser(
        "team", help="the project's lead (who resolves conflicts) and whom this copy codes as"
    )
    tsub = t.add_subparsers(dest="team_command", metavar="ACTION")
    tsub.required = True
    lead = tsub.add_parser("lead", help="show the project's lead, or record one (NAME)")
    add_dir(lead)
    lead.add_argument("name", nargs="?", metavar="NAME", help="record NAME as the lead")
    lead.add_argument(
        "--take-over",
        action="store_true",
        help="record NAME in a copy whose lead is someone else (a lead who is gone)",
    )
    add_coder(lead)
    add_json(lead)
    lead.set_defaults(func=cmd_team_lead)

    me = tsub.add_parser("coder", help="whom this copy codes as, or code it as NAME from now on")
    add_dir(me)
    me.add_argument("name", nargs="?", metavar="NAME", help="code this copy as NAME")
    add_json(me)
    me.set_defaults(func=cmd_team_coder)

    a = sub.add_parser("agreement", help="inter-coder agreement per code and overall")
    add_dir(a)
    add_agreement_options(a)
    a.set_defaults(func=cmd_agreement)


def add_agreement_options(a: argparse.ArgumentParser) -> None:
    """The options of ``agreement`` (and of ``analyze DIR agreement``, the same view)."""
    a.add_argument("--coders", metavar="A,B,...", help="coders to compare (default: all)")
    a.add_argument("--codes", metavar="PATH,...", help="codes (paths or ids; default: all)")
    a.add_argument("--sessions", metavar="ID,...", help="sessions (default: all coded)")
    a.add_argument(
        "--disagreements", action="store_true", help="list the segments where coders differ"
    )
    add_output(
        a,
        required=False,
        help="also write the agreement table (per code and overall, each coder's coded "
        "segments) to a .csv or .xlsx file",
    )
    add_json(a)


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


def cmd_bundle_export(args: argparse.Namespace) -> int:
    """fieldscribe bundle export DIR -o FILE."""
    privacy = privacy_options(args)
    if (args.passphrase_file or args.recipient) and not args.encrypt:
        raise InvalidInputError("--passphrase-file and --recipient go with --encrypt.")
    if args.encrypt and not (args.passphrase_file or args.recipient):
        raise InvalidInputError(
            "--encrypt needs --passphrase-file FILE or --recipient PUBKEYFILE "
            "(a passphrase is never taken on the command line)."
        )
    passphrase = read_passphrase_file(args.passphrase_file) if args.passphrase_file else None
    recipients = [load_public_key(p) for p in args.recipient or []]
    with open_for_export(args) as project:
        info = export_bundle_file(
            project,
            args.output,
            with_media=args.with_media,
            since=args.since,
            privacy=privacy,
            voice_profiles=args.voice_profiles,
            passphrase=passphrase,
            recipients=recipients,
        )
    if args.json:
        print_json({"path": str(info.path), "manifest": info.manifest})
    else:
        counts = info.counts
        print(
            f"Wrote {info.path} ({plural(counts['sessions'], 'session')}, "
            f"{plural(counts['segments'], 'segment')}, {plural(counts['codes'], 'code')}, "
            f"{plural(counts['codings'], 'coding')}, "
            f"{plural(counts.get('speaker_profiles', 0), 'voice profile')}"
            f"{', with media' if args.with_media else ''})."
        )
        # only where the project has recordings: a team coding transcripts imported as text
        # (no audio anywhere) was told to send recordings that do not exist
        if counts.get("media") and not args.with_media:
            print(
                "fieldscribe: note: the bundle holds no audio: to play the recordings (and type "
                "speech without transcript) a colleague needs them; send them apart and they "
                "run `fieldscribe locate-audio DIR FOLDER`.",
                file=sys.stderr,
            )
    return 0


def same_name_choice(args: argparse.Namespace) -> bool | None:
    """--merge-same-name: True; --keep-same-name-apart: False; neither: the default (None)."""
    if getattr(args, "keep_same_name_apart", False):
        return False
    return True if getattr(args, "merge_same_name", False) else None


def cmd_bundle_merge(args: argparse.Namespace) -> int:
    """fieldscribe bundle merge DIR BUNDLE..."""
    started = time.monotonic()
    summaries: list[Any] = []  # each bundle's, as soon as it is merged
    not_kept: list[Any] = []  # those a failed commit rolled back
    with open_project(args, write=True) as project:
        options = {
            "allow_other_project": args.allow_other_project,
            "merge_same_name": same_name_choice(args),
        }
        try:
            if not any(is_encrypted(bundle) for bundle in args.bundles):
                # all at once: the next bundle unpacks while one merges, one commit serves many
                merge_bundles(
                    project, list(args.bundles), done=summaries, not_kept=not_kept, **options
                )
            else:
                for bundle in args.bundles:  # an encrypted one: decrypted to a private copy
                    with decrypted(bundle, args, project) as plain:
                        merge_bundles(
                            project,
                            [plain],
                            shown=[bundle],
                            done=summaries,
                            not_kept=not_kept,
                            **options,
                        )
        except BaseException as exc:
            # a later bundle refused: the ones before it stay merged, and are reported so
            if summaries and not args.json:
                _print_merged(summaries)
            if not_kept and not args.json:  # merged, then rolled back: no table of them
                print(
                    f"Nothing was kept from {', '.join(s.bundle for s in not_kept)}: the merge "
                    f"of {'it' if len(not_kept) == 1 else 'them'} could not be saved."
                )
            if summaries and is_disk_full(exc):  # not "nothing was written": some were kept
                raise FieldScribeError(
                    f"the disk is full; the merge stopped after {plural(len(summaries), 'bundle')}"
                    " (kept). Free some space and merge the others again."
                ) from exc
            if summaries and isinstance(exc, InvalidBundleError):
                raise FieldScribeError(_refused_after_merged(str(exc), summaries, args)) from exc
            raise
        open_conflicts = len(project.team.conflicts())
    if args.json:
        print_json(
            {
                "bundles": [s.as_dict() for s in summaries],
                "open_conflicts": open_conflicts,
                "seconds": round(time.monotonic() - started, 3),
            }
        )
        return 0
    _print_merged(summaries)
    if open_conflicts:
        many = "open conflict" if open_conflicts == 1 else "open conflicts"
        print(f"{open_conflicts} {many}; list them with `fieldscribe conflicts DIR`.")
    return 0


def _refused_after_merged(said: str, summaries: list[Any], args: argparse.Namespace) -> str:
    """A refusal of a bundle after others were merged: its "nothing was changed" is about that
    bundle alone, and read after the tables of the merged ones it said the opposite of what
    happened. It says the refused bundle was not merged, the ones before it were (kept), and
    which ones after it were not tried."""
    line = said.replace(f"; {NOTHING_CHANGED}", "; it was not merged.")
    n = len(summaries)
    line += f" The {plural(n, 'bundle')} before it {verb(n, 'is', 'are')} merged and kept (above)"
    refused_at = n + 1  # the bundles are merged in the order given
    after = [str(b) for b in args.bundles[refused_at:]]
    if after:
        line += f"; not tried: {', '.join(after)}: merge {'it' if len(after) == 1 else 'them'}"
        line += " again"
    return line + "."


def _print_merged(summaries: list[Any]) -> None:
    """What each merged bundle brought (a table per bundle, then its notes)."""
    for s in summaries:
        print(f"Merged {s.bundle} (coder {s.coder}):")
        rows = [
            (table, t.added, t.updated, t.conflicts, t.skipped, t.deleted)
            for table, t in s.tables.items()
        ]
        print_table(["TABLE", "ADDED", "UPDATED", "CONFLICTS", "SKIPPED", "DELETED"], rows)
        for line in s.span_lines():
            print(line)
        if s.media_copied or s.media_missing:
            print(f"media: {s.media_copied} copied, {s.media_missing} not in the bundle")
        if s.settings:
            print(f"project settings changed there later, now here: {s.settings_text()}")
        for path, ids in s.same_name_codes:
            verb = "merged into one" if s.same_name_merged else "kept apart, same path"
            print(f"codes {verb}: {path!r} ({', '.join(ids)})")
        if s.same_name_codes and not s.same_name_merged:
            print("Agreement pairs them by path. Merge them with --merge-same-name, or rename one.")


def _conflict_id(project: Project, ref: str) -> str:
    """The conflict whose id is ``ref`` or starts with it (4 characters or more, one conflict
    only): the listing's ids are long, and other commands take the start of a segment's id."""
    ids = [c.id for c in project.team.conflicts(status=None)]
    ref = ref.strip().lower()
    if ref in ids:
        return ref
    matches = [i for i in ids if i.startswith(ref)]
    if len(ref) < 4 and matches:
        raise InvalidInputError(
            f"Give 4 or more characters of the conflict's id, not {ref!r} "
            "(`fieldscribe conflicts DIR` lists them)."
        )
    if len(matches) > 1:
        raise InvalidInputError(
            f"{ref!r} starts the ids of {len(matches)} conflicts; give more of the id."
        )
    return matches[0] if matches else ref


def cmd_conflicts(args: argparse.Namespace) -> int:
    """fieldscribe conflicts DIR [--resolve ID --keep N]."""
    if args.resolve:
        if args.keep is None:
            raise InvalidInputError("Say which version to keep with --keep N.")
        with open_project(args, write=True) as project:
            conflict = project.team.resolve_conflict(
                _conflict_id(project, args.resolve), keep=args.keep
            )
        if args.json:
            print_json(as_dict(conflict))
        else:
            print(f"Resolved: {conflict.resolution}.")
        return 0
    with open_project(args, write=False) as project:
        conflicts = project.team.conflicts(status=None if args.all else "open")
        losses = {  # whose codings keeping a deletion deletes
            c.id: project.team.codings_using(c)
            for c in conflicts
            if c.kind == "delete" and c.status == "open"
        }
        # the conflicts dialog's words: "Code deleted by bob, still used by 3 codings: ..."
        heads = {c.id: c.headline(losses.get(c.id, {})) for c in conflicts}
        lead = None if project.team.may_resolve else project.team.lead
        codings = {  # a coding by its code, coder and words, not its ids
            (c.id, i): _coding(v.values, project)
            for c in conflicts
            if c.table_name == "codings"
            for i, v in enumerate(c.versions)
            if not v.deleted
        }
    if args.json:
        print_json([as_dict(c) for c in conflicts])
        return 0
    if not conflicts:
        print("No open conflicts.")
    for c in conflicts:
        decided = f" ({c.resolution})" if c.status != "open" and c.resolution else ""
        print(f"{c.id}  [{c.status}]  {heads[c.id]}{decided}")
        differ = _differ(c.versions)
        for i, v in enumerate(c.versions):
            shown = "(deleted)" if v.deleted else codings.get((c.id, i)) or _short(v.values, differ)
            if v.deleted and losses.get(c.id):
                each = ", ".join(f"{n} of {who}" for who, n in losses[c.id].items())
                shown = f"(deleted; keeping it deletes codings: {each})"
            print(f"    {i}: {v.author} @ {v.version}: {shown}")
    if lead is not None and any(c.status == "open" for c in conflicts):
        print(
            f"Only the lead, {lead}, resolves conflicts: your next bundle takes these to "
            f"{lead}, and the decisions come back with {lead}'s bundle."
        )
    return 0


def cmd_team_lead(args: argparse.Namespace) -> int:
    """fieldscribe team lead DIR [NAME [--take-over]]."""
    if args.name is not None and not args.name.strip():
        raise InvalidInputError("The lead's name must not be empty.")
    if args.take_over and not args.name:
        raise InvalidInputError("--take-over goes with the lead's NAME.")
    with open_project(args, write=bool(args.name)) as project:
        if args.name:
            project.team.set_lead(args.name, take_over=args.take_over)
        lead, coder = project.team.lead, project.coder
    if args.json:
        print_json({"lead": lead, "coder": coder, "resolves_conflicts": lead in (None, coder)})
    elif lead is None:
        print(
            "This project records no lead: every coder resolves conflicts in their own copy. "
            "The lead records it with `fieldscribe team lead DIR NAME` in the lead's project; "
            "the lead's next bundle carries it to every copy."
        )
    elif lead == coder:
        print(f"Lead: {lead} (you): you resolve conflicts; your bundles carry the decisions.")
    else:
        print(
            f"Lead: {lead}. You code as {coder}: {lead} resolves conflicts, and {lead}'s "
            "removals and decisions are final in this copy."
        )
    return 0


def cmd_team_coder(args: argparse.Namespace) -> int:
    """fieldscribe team coder DIR [NAME]: this copy's own coder (``--coder`` overrides it for
    one command)."""
    with open_project(args, write=bool(args.name)) as project:
        if args.name:
            project.coders.code_as(args.name)
        coder = project.coders.own
    if args.json:
        print_json({"coder": coder})
    else:
        print(f"This copy codes as {coder} (another name for one command: --coder NAME).")
    return 0


def _coding(values: dict[str, Any], project: Any) -> str:
    """A coding as a researcher reads it: "code 'Services/Health' of alice on 'the words'"."""
    try:
        path = project.codebook.get_code(str(values.get("code_id"))).path
    except FieldScribeError:
        path = "(a code no longer here)"
    try:
        text = project.transcript.get_segment(str(values.get("segment_id"))).text
    except FieldScribeError:
        text = ""
    start, end = values.get("start_cp"), values.get("end_cp")
    words = text[start:end] if start is not None and end is not None else text
    words = words if len(words) <= 60 else words[:59] + "…"
    return f"code {path!r} of {values.get('coder') or '?'} on {words!r}"


def _short(values: dict[str, Any], differ: set[str] | None = None) -> str:
    """A version's fields a reader tells rows by; of them, only those the versions differ in
    (``differ``) where there are any: a text conflict listed the unchanged speaker beside it."""
    keys = [k for k in ("speaker", "text", "name", "title", "label") if k in values]
    if differ:
        keys = [k for k in keys if k in differ] or keys
    return "; ".join(f"{k}={values[k]!r}" for k in keys) or str(values)[:120]


def _differ(versions: list[Any]) -> set[str]:
    """The fields whose values the kept (not deleted) versions of a conflict differ in."""
    kept = [v.values for v in versions if not v.deleted]
    keys = {k for values in kept for k in values}
    return {k for k in keys if len({repr(values.get(k)) for values in kept}) > 1}


def cmd_agreement(args: argparse.Namespace) -> int:
    """fieldscribe agreement DIR."""
    if args.output is not None and args.output.suffix.lower() not in TABLE_SUFFIXES:
        raise InvalidInputError(f"{args.output}: the agreement table is written to .csv or .xlsx.")
    opener = open_for_export if args.output is not None else partial(open_project, write=False)
    with opener(args) as project:
        code_ids = None
        if args.codes:
            code_ids = []
            by_path: dict[str, list[str]] = {}
            for c in project.codebook.codes():
                by_path.setdefault(c.path, []).append(c.id)
            known = {cid for ids in by_path.values() for cid in ids}
            for item in _split(args.codes) or []:
                if item in known:
                    code_ids.append(item)
                elif item in by_path:  # every code of that path: agreement pairs them by path
                    code_ids.extend(by_path[item])
                else:
                    raise NotFoundError(f"No code {item!r}; list them with `fieldscribe codes`.")
        data = project.team.agreement_data(
            coders=_split(args.coders),
            code_ids=code_ids,
            session_ids=_split(args.sessions),
            with_texts=bool(args.disagreements),
        )
        listed = segment_ids(project) if args.disagreements and not args.json else []
        titles = {x.id: x.title for x in project.sessions.all()} if listed else {}
        report = compute_agreement(data)
        if args.output is not None:
            write_agreement(project, report, args.output, export_scope(project, Filters(), None)[1])
    diffs = disagreements(data) if args.disagreements else []
    if args.json:
        out = report.as_dict()
        if args.disagreements:
            out["disagreements"] = [as_dict(d) for d in diffs]
        if args.output is not None:
            out["path"] = str(args.output)
        print_json(out)
        return 0
    if args.output is not None:
        print(f"Wrote {args.output}.")
    print(f"Coders: {', '.join(report.coders) or '(none)'}")
    print(f"Unit: {report.unit.removeprefix('unit = ')}.")  # not "Unit: unit = (segment, …"
    print(f"Span overlap unit: {report.overlap_unit}.")
    rows = [
        (
            c.code_path,
            c.units,
            c.percent.text(),
            c.kappa.text(),
            c.alpha.text(),
            c.overlap.text(),
        )
        for c in [*report.codes, report.overall]
    ]
    print_table(["CODE", "UNITS", "AGREEMENT", "KAPPA", "ALPHA", "OVERLAP"], rows)
    notes = dict.fromkeys(report.notes)
    for c in [report.overall, *report.codes]:
        for name, coef in (
            ("agreement", c.percent),
            ("kappa", c.kappa),
            ("alpha", c.alpha),
            ("overlap", c.overlap),
        ):
            if coef.value is None and coef.note:
                notes.setdefault(f"{c.code_path}: {name} n/a: {coef.note}")
    for note in notes:
        print(f"note: {note}")
    if args.disagreements:
        # as the Disagreements panel counts them: a lead found 12 here and 4 in the table
        on_words = sum(coders_words(d) is not None for d in diffs)
        words = (
            f" ({on_words} of them only on which words: agreement counts "
            f"{verb(on_words, 'that segment', 'those segments')} as agreeing)"
            if on_words
            else ""
        )
        print(f"\n{plural(len(diffs), 'disagreement')}{words}:")
        short = shortest_ends(listed, [d.segment_id for d in diffs])
        # of more than one session, each session's under its title (they are listed by
        # session): "[0:05.500]" alone did not say of which of three interviews
        several = len({d.session_id for d in diffs}) > 1
        session = None
        for d in diffs:
            if several and d.session_id != session:
                session = d.session_id
                print(f"In {titles.get(session, session)}:")
            speaker = f"{d.speaker}: " if d.speaker else ""
            print(f"{short[d.segment_id]}  [{fmt_ms(d.start_ms)}]  {d.code_path}")
            print(f"    {speaker}{d.text}")
            words = coders_words(d)
            if words is not None:  # all applied it, to different words: it read "not by: -"
                print("    applied by all, to different words:")
                for coder, said in words:
                    print(f"      {coder}: {said}")
                continue
            print(f"    applied by: {', '.join(d.applied_by) or '-'}")
            print(f"    not by:     {', '.join(d.not_applied_by) or '-'}")
    return 0

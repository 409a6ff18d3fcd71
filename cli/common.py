"""Helpers shared by command modules: opening projects, common options."""

from __future__ import annotations

import argparse
import bisect
import contextlib
import math
import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from storage import Project
from storage.core.errors import (
    DiskFullError,
    InvalidInputError,
    NotFoundError,
    ProjectLockedError,
    ReadOnlyError,
)
from storage.privacy.models import ExportPrivacy


def add_dir(parser: argparse.ArgumentParser) -> None:
    """Add the positional project folder argument."""
    parser.add_argument("dir", metavar="DIR", type=Path, help="the project folder")


def add_output(
    parser: argparse.ArgumentParser, *, required: bool = True, help: str | None = None
) -> None:
    """Add ``-o/--output FILE`` and ``--follow-symlinks``.

    ``cli.main`` checks the path before the command runs (``storage.core.atomic.check_output``):
    a new path or a regular file is written; a symbolic link only with ``--follow-symlinks``;
    a folder, FIFO, device or socket never.
    """
    parser.add_argument(
        "-o",
        "--output",
        required=required,
        type=Path,
        metavar="FILE",
        help=help or "the file to write (a new file, or a regular file to replace)",
    )
    parser.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="when FILE is a symbolic link, write to where it points (refused otherwise)",
    )


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, else a one-line usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    parse.__name__ = "whole number"
    return parse


def bounded_float(low: float, high: float, what: str = "number") -> Callable[[str], float]:
    """An argparse type: a finite number above ``low`` and at most ``high`` (no nan or inf)."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low < value <= high):
            raise argparse.ArgumentTypeError(
                f"{text!r}: give a {what} above {low:g} and at most {high:g}"
            )
        return value

    parse.__name__ = "number"
    return parse


def add_coder(parser: argparse.ArgumentParser) -> None:
    """Add ``--coder NAME``: whom one command works as."""
    parser.add_argument(
        "--coder",
        metavar="NAME",
        help="work as this coder for this command only: new codings, edits and the audit log "
        "carry the name (default: the project's coder, `fieldscribe team coder DIR`)",
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    """Add ``--json``."""
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def open_project(args: argparse.Namespace, *, write: bool) -> Project:
    """Open the project named by ``args.dir`` (for writing: with the lock, as ``--coder``)."""
    coder = getattr(args, "coder", None)
    # --coder is registered by the command's first write, so a refused command changes nothing
    return Project.open(args.dir, coder=coder, readonly=not write, register_coder=False)


SEGMENT_PREFIX_MIN = 4  # like a session's id (``Sessions.resolve``)
SEGMENT_ID_HELP = (
    "the segment's id, or its first or last characters (4 or more) when no other's start or end so"
)


def resolve_segment(project: Project, ref: str) -> str:
    """The id of the segment ``ref`` names: its id, or the start or the end of its id (4
    characters or more) when only one segment's id starts (or else ends) so.

    Segment ids are UUIDv7: those of one transcription share their first 12 characters (the
    time), so the start of an id is seldom enough; its last characters (random) are.

    Raises:
        NotFoundError: no segment's id is, starts or ends with ``ref``.
        InvalidInputError: several segments' ids start (or end) with ``ref`` (a few are listed).
    """
    store = project.store
    if store.one("SELECT 1 FROM segments WHERE id = ?", (ref,)) is not None:
        return ref
    part = ref.strip().lower()
    if len(part) < SEGMENT_PREFIX_MIN:
        raise NotFoundError(
            f"No segment with id {ref!r} (give at least {SEGMENT_PREFIX_MIN} characters of "
            "it); `fieldscribe segments DIR --session S` lists them."
        )
    # the start: a range over the id index (every id starting so sorts in [part, end))
    bounds = (part, part + "\uffff")
    starts = _matching(store, "id >= ? AND id < ?", bounds)
    if starts[0] == 1:
        return starts[1][0]
    # the end: a scan (LIKE with the wildcards of ``part`` escaped)
    escaped = part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    ends = _matching(store, "id LIKE ? ESCAPE '\\'", ("%" + escaped,))
    if ends[0] == 1 and starts[0] == 0:
        return ends[1][0]
    count, matches = starts if starts[0] else ends
    if not count:
        raise NotFoundError(
            f"No segment with id {ref!r}; `fieldscribe segments DIR --session S` lists them."
        )
    more = f" and {count - len(matches)} more" if count > len(matches) else ""
    which = "starts" if starts[0] else "ends"
    raise InvalidInputError(
        f"{ref!r} {which} the ids of {count} segments ({', '.join(matches)}{more}); give more "
        "of the id (its last characters tell segments of one transcription apart)."
    )


#: the fewest last characters a listing shows of a segment's id (git shows 7 of a hash)
SHORT_ID_MIN = 8


def shortest_ends(ids: list[str], wanted: list[str], least: int = SHORT_ID_MIN) -> dict[str, str]:
    """For each id of ``wanted`` (all among ``ids``), its last characters, ``least`` or more,
    as few as ``resolve_segment`` takes back to it: no other id ends so, and no id starts so.
    An id with no such end (another id is its end) is given whole."""
    folded = sorted(i.lower() for i in ids)
    out: dict[str, str] = {}
    pending = list(dict.fromkeys(wanted))
    size = least
    while pending and size < max(len(i) for i in pending):
        ends: dict[str, int] = {}
        for i in folded:
            ends[i[-size:]] = ends.get(i[-size:], 0) + 1
        left = []
        for full in pending:
            end = full[-size:]
            at = bisect.bisect_left(folded, end.lower())
            starts = at < len(folded) and folded[at].startswith(end.lower())
            if len(full) > size and ends[end.lower()] == 1 and not starts:
                out[full] = end
            else:
                left.append(full)
        pending, size = left, size + 2
    out.update({full: full for full in pending})
    return out


def short_segment_ids(project: Project, wanted: list[str]) -> dict[str, str]:
    """The segment ids of ``wanted`` as a listing shows them: their shortest unique ends."""
    return shortest_ends(segment_ids(project), wanted) if wanted else {}


def segment_ids(project: Project) -> list[str]:
    """Every segment id of the project."""
    return [str(r["id"]) for r in project.store.rows("SELECT id FROM segments")]


def _matching(store: Any, where: str, params: tuple[str, ...]) -> tuple[int, list[str]]:
    """How many segment ids match ``where``, and the first three of them."""
    row = store.one(f"SELECT count(*) FROM segments WHERE {where}", params)
    rows = store.rows(f"SELECT id FROM segments WHERE {where} ORDER BY id LIMIT 3", params)
    return (int(row[0]) if row is not None else 0), [str(r["id"]) for r in rows]


def note_unlisted_language(folder: Path, code: str, expected: list[str]) -> None:
    """Say (on stderr, a note) that ``code`` is not among the project's languages, and how to
    add it. Nothing is said when the project lists no languages (it expects any)."""
    if not expected or code in expected:
        return
    from storage.core.languages import language_name

    listed = ", ".join(expected)
    print(
        f"fieldscribe: note: the project does not list {code} ({language_name(code)}) among its "
        f"languages ({listed}); to expect it in transcription too: fieldscribe languages "
        f"{shlex.quote(str(folder))} --set {','.join([*expected, code])}",
        file=sys.stderr,
    )


def note_script_mismatch(folder: Path, segment: Any, expected: list[str]) -> None:
    """Say (on stderr, a note) that the segment's text is in another script than its language
    (Cyrillic typed into a segment marked English, Latin into one marked Russian; Kazakh into
    one marked Russian: ``typed_mismatch``), and how to
    set the language: a hint, never a refusal (people switch languages mid-sentence)."""
    from storage.core.languages import language_name, script_said, typed_mismatch

    found = typed_mismatch(segment.text, segment.language, expected)
    if found is None:
        return
    script, guess = found
    print(
        f"fieldscribe: note: the text is {script_said(script)} and the segment is marked "
        f"{segment.language.upper()} ({language_name(segment.language)}); set its language "
        f"with fieldscribe segment-language {shlex.quote(str(folder))} {segment.id} "
        f"{guess or 'CODE'}",
        file=sys.stderr,
    )


def add_privacy(parser: argparse.ArgumentParser, *, media: bool = False) -> None:
    """Add the export protections' options (pseudonyms and redactions are on by default)."""
    parser.add_argument(
        "--no-pseudonyms",
        action="store_true",
        help="keep real names (the project lead's own use; the export is logged)",
    )
    parser.add_argument(
        "--no-redactions",
        action="store_true",
        help="show redacted text (the project lead's own use; the export is logged)",
    )
    parser.add_argument(
        "--consented-only",
        nargs="?",
        const="export",
        metavar="PURPOSE",
        help="leave out participants without consent for PURPOSE (default: export = "
        "transcription + quotation; or quotation, archiving...), speakers linked to no "
        "participant, and segments without a speaker unless everyone known to be in their "
        "session (linked to a speaker or with a consent record for it) consented",
    )
    if media:
        parser.add_argument(
            "--beep", action="store_true", help="beep redacted audio instead of silencing it"
        )


def privacy_options(args: argparse.Namespace) -> ExportPrivacy:
    """The export protections chosen on the command line."""
    return ExportPrivacy(
        pseudonymise=not args.no_pseudonyms,
        redact=not args.no_redactions,
        consented_only=args.consented_only,
        audio_mode="beep" if getattr(args, "beep", False) else "silence",
    )


def open_for_export(args: argparse.Namespace) -> Project:
    """Open a project to export from: for writing (the export goes to the audit log), or,
    when another FieldScribe holds it open or its folder cannot be written (read-only, full
    disk), read-only with a warning that it is not logged."""
    try:
        return open_project(args, write=True)
    except ProjectLockedError:
        why = "is open in another FieldScribe"
    except ReadOnlyError as exc:
        why = "is on a full disk" if isinstance(exc, DiskFullError) else "is read-only here"
    print(
        f"fieldscribe: note: {args.dir} {why}; this export is not recorded in its audit log.",
        file=sys.stderr,
    )
    return open_project(args, write=False)


def add_decryption(parser: argparse.ArgumentParser) -> None:
    """Add the options that open encrypted bundles (never a passphrase on the command line)."""
    parser.add_argument(
        "--passphrase-file", type=Path, metavar="FILE", help="the bundle passphrase (first line)"
    )
    parser.add_argument(
        "--identity",
        type=Path,
        metavar="KEYFILE",
        help="your private team key (default: this project's key, if any)",
    )
    parser.add_argument(
        "--key-passphrase-file",
        type=Path,
        metavar="FILE",
        help="the passphrase protecting the private key",
    )


@contextlib.contextmanager
def decrypted(
    path: Path, args: argparse.Namespace, project: Project | None = None
) -> Iterator[Path]:
    """Yield ``path`` itself, or a decrypted temporary copy when it is an encrypted bundle."""
    from storage.privacy import crypto
    from storage.privacy.bundle import decrypted_copy

    if not crypto.is_encrypted(path):
        yield path
        return
    passphrase = crypto.read_passphrase_file(args.passphrase_file) if args.passphrase_file else None
    key_passphrase = (
        crypto.read_passphrase_file(args.key_passphrase_file) if args.key_passphrase_file else None
    )
    identities = []
    if args.identity:
        identities.append(crypto.load_identity(args.identity, key_passphrase))
    elif project is not None and project.privacy.identity_path().is_file() and passphrase is None:
        identities.append(project.privacy.load_identity(key_passphrase))
    with decrypted_copy(path, passphrase=passphrase, identities=identities) as plain:
        yield plain

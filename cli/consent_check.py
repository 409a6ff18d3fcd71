"""The consent question before an export, as the command line asks it.

The workbench asks before an export when consent does not cover it for everyone in the sessions
exported (``gui.consent.confirm_consent``), unless only consented participants go out; unknowns
acknowledged there ("Don't ask again ...", ``project.consent_notes``) are not asked again until
they change, a refusal always is. The command line cannot ask. Where consent is only unknown
(every freshly transcribed recording: its speakers are not linked to participants yet) it exports
and says on stderr, in one line, who is unknown and how to leave them out or stop being told; a
refusal stops the export before anything is written, in one line naming who refused and how to go
on: ``--export-anyway`` (the workbench's "Export anyway"), ``--consented-only``, or recording
consent.

``transcribe`` asks as the workbench's Transcribe does (``gui.transcription``: the same
``project.consent_notes.to_ask(session, "transcription")``): a refusal stops before anything is
transcribed, in one line naming who and ``--transcribe-anyway``; consent only unknown transcribes
with the one-line note. A new recording has no speakers yet (none linked, none labelled): the
workbench does not ask, and no note is printed.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from storage.core.errors import InvalidInputError
from storage.core.words import plural
from storage.privacy.models import ConsentProblem

if TYPE_CHECKING:
    from storage import Project

PURPOSE = "export"


def add_export_anyway(parser: argparse.ArgumentParser) -> None:
    """Add ``--export-anyway``: export although consent does not cover it for everyone."""
    parser.add_argument(
        "--export-anyway",
        action="store_true",
        help="export although a participant in the sessions exported refused consent to "
        "export (otherwise the export stops and names them; where consent is only unknown the "
        "export goes on with a note on stderr)",
    )


def _who(problems: list[ConsentProblem]) -> str:
    """A session's problems in a few words: unlinked speakers together, then participants."""
    unlinked = [p.speaker for p in problems if p.participant_id is None and p.speaker]
    parts = []
    if unlinked:
        more = f" and {len(unlinked) - 4} more" if len(unlinked) > 4 else ""
        names = ", ".join(unlinked[:4]) + more
        parts.append(f"{names} (not linked to a participant)")
    for p in problems:
        if p.participant_id is None:
            continue
        who = p.pseudonym or p.speaker or "a participant"
        said = [f"refused {' and '.join(p.refused)}"] if p.refused else []
        said += [f"no consent to {' and '.join(p.missing)} recorded"] if p.missing else []
        parts.append(f"{who} ({'; '.join(said)})")
    return ", ".join(parts)


def check_consent(
    project: Project,
    args: argparse.Namespace,
    session_ids: Iterable[str],
    *,
    held: Iterable[str] | None = None,
    audio: bool = False,
) -> str | None:
    """Before an export: where consent to export does not cover everyone in ``session_ids`` and
    neither ``--consented-only`` nor ``--export-anyway`` was given, stop if someone refused, else
    return the note (one line) that says who is unknown, and which sessions nobody is known to
    be in (their segments have no speaker; ``consent_notes.nobody_known``: without it such a
    session went out without a word, even past ``--export-anyway``), for ``note_consent`` to
    print once the export is written (printed first, it said "exported all the same" above an
    export refused for its file name: two lines where a refusal is one); unknowns acknowledged
    in the workbench or with ``consent --acknowledge`` (``project.consent_notes``) are not
    mentioned. ``held``: the sessions whose segments the export holds, where not all of
    ``session_ids`` (the codings export: the coded ones). ``audio``: the export carries the
    recordings (a .qdpx with media), so a refusal of recording stops it too (their voice went
    out without a word: "export" needs transcription and quotation only).

    Raises:
        InvalidInputError: someone refused; one line naming them and how to go on.
    """
    if args.consented_only:
        return None
    session_ids = list(session_ids)
    found, refused = ([], []) if args.export_anyway else _concerned(project, session_ids, PURPOSE)
    # a session nobody is known to be in names nobody to ask about: said once it is written
    nobody = project.consent_notes.nobody_known(session_ids if held is None else held, PURPOSE)
    folder = shlex.quote(str(args.dir))
    voices: Concerned = []  # heard in the audio, their consent to recording unknown
    if audio and not args.export_anyway:
        recorded = [sid for sid in session_ids if project.sessions.media_for_session(sid)]
        voices, unheard = _concerned(project, recorded, "recording")
        if unheard:
            raise InvalidInputError(
                f"consent to recording is refused for {_listed(unheard)}; nothing was written "
                "(the export carries the audio). Add --no-media to leave the audio out, "
                "--consented-only to silence those who did not consent, --export-anyway to "
                f"export all the same, or record their consent (fieldscribe consent {folder} ...)."
            )
    if refused:
        raise InvalidInputError(
            f"consent to {PURPOSE} is refused for {_listed(refused)}; nothing was written. Add "
            "--consented-only to leave those who did not consent out, --export-anyway to "
            f"export all the same, or record their consent (fieldscribe consent {folder} ...)."
        )
    heard = (
        f" Consent to recording is unknown for {_listed(voices)}, heard in the export's "
        "audio (--no-media leaves the audio out)."
        if voices
        else ""
    )
    if not found and not nobody:
        return f"note:{heard}" if heard else None
    listed = "; ".join(
        ([_listed(found)] if found else [])
        + [
            f"“{title}”: nobody known to be in it ({plural(n, 'segment')} without a speaker)"
            for _sid, title, n in nobody[:3]
        ]
        + ([f"and {plural(len(nobody) - 3, 'more session')}"] if len(nobody) > 3 else [])
    )
    return (
        f"note: consent to {PURPOSE} is unknown for {listed}; exported all the same. "
        f"--consented-only leaves them out; link speakers (fieldscribe speaker {folder} map ...) "
        f"and record consent (fieldscribe consent {folder} ...), or --session ID --acknowledge "
        f"{PURPOSE} to stop this note while it stays unknown.{heard}"
    )


def note_consent(note: str | None) -> None:
    """Print ``check_consent``'s note (on stderr), once the export is written."""
    if note:
        print(note, file=sys.stderr)


Concerned = list[tuple[str, list[ConsentProblem]]]


def _concerned(
    project: Project, session_ids: Iterable[str], purpose: str
) -> tuple[Concerned, Concerned]:
    """The sessions (by title) where the workbench would ask about ``purpose``, with who is
    concerned in each; and the same for those who refused."""
    found: Concerned = []
    for sid in dict.fromkeys(session_ids):
        problems = project.consent_notes.to_ask(sid, purpose)
        if problems:
            found.append((project.sessions.get_session(sid).title, problems))
    refused = [(t, [p for p in ps if p.refused]) for t, ps in found]
    return found, [(t, ps) for t, ps in refused if ps]


def _listed(found: Concerned) -> str:
    """Up to three sessions with who is concerned in each."""
    listed = "; ".join(f"“{title}”: {_who(problems)}" for title, problems in found[:3])
    if len(found) > 3:
        listed += f"; and {plural(len(found) - 3, 'more session')}"
    return listed


def add_transcribe_anyway(parser: argparse.ArgumentParser) -> None:
    """Add ``--transcribe-anyway``: transcribe although someone refused consent to it."""
    parser.add_argument(
        "--transcribe-anyway",
        action="store_true",
        help="transcribe although a participant in the session refused consent to "
        "transcription (otherwise it stops before transcribing and names them; where consent "
        "is only unknown it goes on with a note on stderr)",
    )


def check_transcription_consent(
    project: Project, args: argparse.Namespace, session_ids: Iterable[str]
) -> None:
    """Before transcribing: where the workbench would ask (``to_ask(..., "transcription")``
    non-empty), stop if someone refused and ``--transcribe-anyway`` was not given, else say on
    stderr (one line) who is unknown and go on.

    Raises:
        InvalidInputError: someone refused; one line naming them and how to go on.
    """
    purpose = "transcription"
    found, refused = _concerned(project, session_ids, purpose)
    if not found:
        return
    folder = shlex.quote(str(args.dir))
    if refused and not args.transcribe_anyway:
        raise InvalidInputError(
            f"consent to {purpose} is refused for {_listed(refused)}; nothing was transcribed. "
            "Add --transcribe-anyway to transcribe all the same, or record their consent "
            f"(fieldscribe consent {folder} ...)."
        )
    if refused:
        return  # the workbench's "Transcribe anyway": gone on past a refusal knowingly
    print(
        f"note: consent to {purpose} is unknown for {_listed(found)}; transcribing all the "
        f"same. Link speakers (fieldscribe speaker {folder} map ...) and record consent "
        f"(fieldscribe consent {folder} ...), or --session ID --acknowledge {purpose} to stop "
        "this note while it stays unknown.",
        file=sys.stderr,
    )

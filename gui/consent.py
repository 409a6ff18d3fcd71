"""Asking before sessions whose consent does not cover a use are transcribed or exported.

The question says plainly what is wrong in each session: speakers not linked to participants
(so nobody knows what they agreed to), consent not recorded, or a refusal. Where consent is only
unknown it offers the fix (Link speakers…: Session details of that session) and "Don't ask again
for these sessions until their speakers or consent change", kept in the project
(``project.consent_notes``), never in the user's settings. A refusal is asked about every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from gui.fmt import plural, verb
from storage import FieldScribeError
from storage.privacy.models import ConsentProblem

Button = QMessageBox.StandardButton
#: what ``ask`` answers: go on; go on and do not ask again; link speakers first; stop
GO, GO_REMEMBER, LINK, STOP = Button.Yes, Button.YesToAll, Button.Open, Button.Cancel


def describe(problems: list[ConsentProblem]) -> list[str]:
    """Plain lines for a session's consent problems: the unlinked speakers in one line."""
    unlinked = [p.speaker for p in problems if p.participant_id is None and p.speaker]
    lines = []
    if unlinked:
        who = ", ".join(unlinked[:6]) + (
            f" and {len(unlinked) - 6} more" if len(unlinked) > 6 else ""
        )
        they = verb(len(unlinked), "this speaker is", "these speakers are")
        lines.append(
            f"Consent is unknown for {who}: {they} not linked to a participant, so nobody "
            "knows what they agreed to."
        )
    for p in problems:
        if p.participant_id is None:
            if not p.speaker:
                lines.append(p.describe())
            continue
        who = p.pseudonym or p.speaker or "A participant"
        if p.refused:
            lines.append(f"{who} refused {' and '.join(p.refused)}.")
        if p.missing:
            lines.append(f"{who}: no consent to {' and '.join(p.missing)} is recorded.")
    return lines


def ask(
    parent: QWidget, title: str, text: str, *, doing: str, remember: str | None, link: bool
) -> Button:
    """The question itself: ``GO``, ``GO_REMEMBER`` (``remember`` ticked), ``LINK`` or ``STOP``.

    ``remember``: the "don't ask again" box's text (None: not offered); ``link``: offer Link
    speakers…. (Tests answer it in place of the dialog.)"""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton)
    box.setParent(parent, box.windowFlags())
    go = box.addButton(f"{doing} anyway", QMessageBox.ButtonRole.AcceptRole)
    fix = box.addButton("Link speakers…", QMessageBox.ButtonRole.ActionRole) if link else None
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    check = QCheckBox(remember, box) if remember else None
    if check is not None:
        box.setCheckBox(check)
    box.exec()
    clicked = box.clickedButton()
    if clicked is go:
        return GO_REMEMBER if check is not None and check.isChecked() else GO
    if fix is not None and clicked is fix:
        return LINK
    return STOP


LEAVE_OUT = "tick “Leave out participants without consent to export” in the export options"


def confirm_consent(
    parent: QWidget,
    project: Any,
    session_ids: Iterable[str],
    purpose: str,
    doing: str,
    *,
    show_details: Callable[[str], None] | None = None,
    leave_out: str = LEAVE_OUT,
) -> bool:
    """Warn when consent does not cover ``purpose``; True when the user goes on (or all is well,
    or the unknowns were acknowledged for these sessions and have not changed).

    ``doing`` names the action, e.g. "Transcribe"; ``show_details(session id)`` opens Session
    details of a session to link its speakers (Link speakers… is offered with it);
    ``leave_out``: how this export leaves out participants without consent, named as a way out
    where someone refused (the Analysis window's lines: "Only consented" beside the word)."""
    found: list[tuple[str, list[ConsentProblem]]] = []
    errors: list[str] = []
    for sid in dict.fromkeys(session_ids):
        try:
            problems = project.consent_notes.to_ask(sid, purpose)
        except FieldScribeError as exc:
            errors.append(str(exc))
            continue
        if problems:
            found.append((sid, problems))
    if not found and not errors:
        return True
    parts: list[str] = []
    for sid, problems in found[:5]:
        title = project.sessions.get_session(sid).title
        parts.append(f"“{title}”:\n" + "\n".join(f"• {line}" for line in describe(problems)))
    if len(found) > 5:
        parts.append(f"… and {len(found) - 5} more sessions.")
    parts += errors
    refused = any(p.refused for _sid, problems in found for p in problems)
    unlinked = [sid for sid, problems in found if any(p.participant_id is None for p in problems)]
    hints = []
    if unlinked:
        hints.append(
            "Link each speaker to a participant in View ▸ Session details "
            "(Speakers of this session)"
        )
    hints.append("record what each participant agreed to in Ethics ▸ Consent")
    text = (
        f"Consent may not cover {purpose} for everyone:\n\n"
        + "\n\n".join(parts)
        + "\n\nTo fix it: "
        + ", then ".join(hints)
        + "."
    )
    if refused and purpose == "export" and leave_out:
        text += f" Or {leave_out}."
    named = "these sessions" if len(found) > 1 else "this session"
    remember = (
        None
        if refused or errors
        else f"Don't ask again about {purpose} of {named} until its speakers or consent change"
    )
    answer = ask(
        parent,
        "Consent",
        text,
        doing=doing,
        remember=remember,
        link=bool(unlinked) and show_details is not None,
    )
    if answer == LINK and show_details is not None and unlinked:
        show_details(unlinked[0])
        return False
    if answer == GO_REMEMBER and remember is not None:
        for sid, _problems in found:
            project.consent_notes.acknowledge(sid, purpose)
    return answer in (GO, GO_REMEMBER)


def nobody_note(project: Any, session_ids: Iterable[str], privacy: Any = None) -> str:
    """What an export of everyone says once it is written about the sessions nobody is known to
    be in (no speaker linked, no consent record; their segments have no speaker): consent to
    export is unknown for them, though nobody is named to ask about beforehand (such a session
    went out without a word). "" when there is none, or only consented participants went out
    (``privacy.consented_only``: those segments were left out), or it was acknowledged."""
    if privacy is not None and privacy.consented_only:
        return ""
    found = project.consent_notes.nobody_known(session_ids, "export")
    if not found:
        return ""
    titles = ", ".join(f"“{title}”" for _sid, title, _n in found[:3])
    if len(found) > 3:
        titles += f" and {len(found) - 3} more"
    return (
        f" Consent to export is unknown for {titles}: nobody is known to be in "
        f"{verb(len(found), 'it', 'them')} (Ethics ▸ Consent)."
    )


def voices_note(project: Any, session_ids: Iterable[str], privacy: Any = None) -> str:
    """What an export with the audio says once it is written about the participants whose
    consent to recording is unknown (not refused: a refusal is asked about first): they are
    heard in it. "" when there is none, or only consented participants are heard
    (``privacy.consented_only`` silences the rest)."""
    if privacy is not None and privacy.consented_only:
        return ""
    titles = []
    people = 0
    for sid in dict.fromkeys(session_ids):
        if not project.sessions.media_for_session(sid):
            continue  # no audio: nobody heard
        unknown = [p for p in project.consent_notes.to_ask(sid, "recording") if not p.refused]
        if unknown:
            people += len(unknown)
            titles.append(f"“{project.sessions.get_session(sid).title}”")
    if not people:
        return ""
    more = f" and {len(titles) - 3} more" if len(titles) > 3 else ""
    return (
        f" Consent to recording is unknown for {plural(people, 'speaker')} in "
        f"{', '.join(titles[:3])}{more}: they are heard in its audio (Ethics ▸ Consent)."
    )

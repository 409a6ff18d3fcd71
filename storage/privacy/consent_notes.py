"""Consent warnings a researcher has read and chosen to go on past, for one session and purpose.

Before an export (or a transcription) the workbench warns when consent does not cover it for
everyone in a session (``project.consent.consent_problems``). Where consent is only *unknown*
(a speaker not linked to a participant, a participant with no consent recorded for what the use
needs), the researcher may go on and not be asked again: ``acknowledge`` keeps, in the project
(``project_meta``), what was unknown. ``to_ask`` then stays quiet while the same things are
unknown and asks again as soon as anything changes (a new speaker, a link, a consent recorded or
withdrawn). A refusal is never acknowledged: a participant who said no is warned about on every
export. Each acknowledgement goes in the audit log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from storage.core.errors import InvalidInputError
from storage.core.store import Store
from storage.privacy.models import ConsentProblem

if TYPE_CHECKING:
    from storage.project import Project

#: ``project_meta`` key: ``{session id: {purpose: what was unknown when acknowledged}}``
ACKNOWLEDGED_KEY = "consent.acknowledged"


def _nobody(session_id: str, segments: int) -> list[ConsentProblem]:
    """What is unknown in a session nobody is known to be in: its segments without a speaker
    (their count), as a problem of nobody's (for ``signature``)."""
    return [ConsentProblem(session_id, None, None, None, [f"{segments} segments"], [])]


def signature(problems: list[ConsentProblem]) -> str:
    """What ``problems`` leave unknown, as a comparable digest (order does not matter): a
    speaker label may be a real name, and ``project_meta`` travels in bundles."""
    text = json.dumps(
        sorted(
            [p.speaker or "", p.participant_id or "", sorted(p.missing), sorted(p.refused)]
            for p in problems
        ),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ConsentNotes:
    """``project.consent_notes``: the consent warnings not to ask again."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    def _acknowledged(self) -> dict[str, dict[str, str]]:
        raw = self._project.get_meta(ACKNOWLEDGED_KEY)
        try:
            value = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def to_ask(self, session_id: str, purpose: str) -> list[ConsentProblem]:
        """The consent problems to warn about before ``purpose`` of a session: all of them,
        or none when they are the unknowns acknowledged for it (a refusal is always asked)."""
        problems = self._project.consent.consent_problems(session_id, purpose)
        if not problems or any(p.refused for p in problems):
            return problems
        kept = self._acknowledged().get(session_id, {})
        if isinstance(kept, dict) and kept.get(purpose) == signature(problems):
            return []
        return problems

    def acknowledge(self, session_id: str, purpose: str) -> None:
        """Do not ask again about what consent leaves unknown for ``purpose`` of a session,
        until that changes. Refused consent cannot be acknowledged."""
        problems = self._project.consent.consent_problems(session_id, purpose)
        if any(p.refused for p in problems):
            raise InvalidInputError(
                f"A participant refused {purpose} in this session; that warning is always shown."
            )
        if not problems:
            unknown = self._project.consent.unknown_unlabelled(session_id, purpose)
            if not unknown:
                return
            problems = _nobody(session_id, unknown)
        notes = self._acknowledged()
        kept = notes.get(session_id)
        notes[session_id] = {
            **(kept if isinstance(kept, dict) else {}),
            purpose: signature(problems),
        }
        with self._store.tx():
            self._project.set_meta(ACKNOWLEDGED_KEY, json.dumps(notes, ensure_ascii=False))
            self._project.audit.log_event(
                "consent_unknown_acknowledged",
                "session",
                session_id,
                {"purpose": purpose, "unknown": len(problems)},
            )

    def nobody_known(self, session_ids: Iterable[str], purpose: str) -> list[tuple[str, str, int]]:
        """Sessions whose consent to ``purpose`` is unknown though nobody is named to ask about:
        nobody is in them (no speaker linked, no consent record) and their segments have no
        speaker (an interview never run through speaker detection). ``(session id, title, how
        many segments)``, for the note an export of everyone gives once it is written (it went
        out without a word while ``consent --check`` called the same session unknown); not
        those acknowledged (``acknowledge``) while that count holds."""
        found = []
        for sid in dict.fromkeys(session_ids):
            unknown = self._project.consent.unknown_unlabelled(sid, purpose)
            if not unknown:
                continue
            kept = self._acknowledged().get(sid, {})
            if isinstance(kept, dict) and kept.get(purpose) == signature(_nobody(sid, unknown)):
                continue
            found.append((sid, self._project.sessions.get_session(sid).title, unknown))
        return found

    def is_acknowledged(self, session_id: str, purpose: str) -> bool:
        """True when a warning for ``purpose`` of the session was acknowledged and still holds."""
        problems = self._project.consent.consent_problems(session_id, purpose)
        return bool(problems) and not self.to_ask(session_id, purpose)

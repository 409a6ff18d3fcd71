"""Consent records: what each participant agreed to, for one session or all, and who in a
session is not covered for a use (``project.consent``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.ids import new_id, now_iso
from storage.core.store import Store
from storage.privacy.models import (
    CONSENT_KINDS,
    PURPOSE_NEEDS,
    Consent,
    ConsentProblem,
    LeftOut,
)

if TYPE_CHECKING:
    from storage.project import Project

_YES = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False}


def parse_yes_no(value: str | bool | None, what: str) -> bool | None:
    """Turn ``yes``/``no`` (or a bool, or None) into a bool (None stays None)."""
    if value is None or isinstance(value, bool):
        return value
    key = str(value).strip().lower()
    if key in ("", "unknown", "none", "-"):
        return None
    if key not in _YES:
        raise InvalidInputError(f"Invalid consent answer {value!r} for {what}; use yes or no.")
    return _YES[key]


def _consent(row: sqlite3.Row) -> Consent:
    def b(v: Any) -> bool | None:
        return None if v is None else bool(v)

    return Consent(
        id=row["id"],
        participant_id=row["participant_id"],
        session_id=row["session_id"],
        recording=b(row["recording"]),
        transcription=b(row["transcription"]),
        quotation=b(row["quotation"]),
        archiving=b(row["archiving"]),
        date=row["date"],
        form_ref=row["form_ref"],
        notes=row["notes"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _check_purpose(purpose: str) -> tuple[str, ...]:
    needs = PURPOSE_NEEDS.get(purpose)
    if needs is None:
        raise InvalidInputError(
            f"Unknown consent purpose {purpose!r}; use one of: {', '.join(PURPOSE_NEEDS)}."
        )
    return needs


def _check_date(date: str) -> None:
    from datetime import date as _date

    try:
        _date.fromisoformat(date)
    except ValueError:
        raise InvalidInputError(f"Invalid date {date!r}; use YYYY-MM-DD.") from None


class ConsentRecords:
    """Participants' consent (``project.consent``): recorded, read, checked for a use."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    def find_participant(self, ref: str) -> str:
        """Return the id of the participant with id or pseudonym ``ref``.

        Raises:
            NotFoundError: no participant, or the pseudonym is ambiguous.
        """
        if self._store.one("SELECT 1 FROM participants WHERE id = ?", (ref,)) is not None:
            return ref
        rows = self._store.rows("SELECT id FROM participants WHERE pseudonym = ?", (ref,))
        if len(rows) == 1:
            return str(rows[0]["id"])
        if rows:
            raise NotFoundError(f"Several participants are called {ref!r}; give the id.")
        raise NotFoundError(f"No participant with id or pseudonym {ref!r}.")

    def set_consent(
        self,
        participant_id: str,
        session_id: str | None,
        *,
        recording: bool | None = None,
        transcription: bool | None = None,
        quotation: bool | None = None,
        archiving: bool | None = None,
        date: str | None = None,
        form_ref: str | None = None,
        notes: str | None = None,
        unset: Collection[str] = (),
    ) -> Consent:
        """Record (or update) a participant's consent for a session (None: every session).

        Only the answers given change; the others keep their value, but those named in
        ``unset`` (kinds of consent), which go back to not recorded (an answer recorded by
        mistake). The change is logged.

        Raises:
            NotFoundError: unknown participant or session.
            InvalidInputError: a malformed date; an unknown kind in ``unset``, or one also
                answered.
        """
        participant_id = self.find_participant(participant_id)
        if session_id is not None and (
            self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None
        ):
            raise NotFoundError(f"No session with id {session_id!r}; list them with `sessions`.")
        if date is not None:
            _check_date(date)
        answers = {
            "recording": recording,
            "transcription": transcription,
            "quotation": quotation,
            "archiving": archiving,
        }
        for kind in unset:
            if kind not in CONSENT_KINDS:
                raise InvalidInputError(
                    f"Unknown kind of consent {kind!r}; use one of: {', '.join(CONSENT_KINDS)}."
                )
            if answers[kind] is not None:
                raise InvalidInputError(f"Consent to {kind} is both answered and unset.")
        fields: dict[str, Any] = {k: int(v) for k, v in answers.items() if v is not None}
        fields.update({kind: None for kind in unset})
        for key, value in (("date", date), ("form_ref", form_ref), ("notes", notes)):
            if value is not None:
                fields[key] = value
        existing = self._consent_row(participant_id, session_id)
        with self._store.tx() as db:
            if existing is None:
                consent_id = new_id()
                db.table("consents").insert(
                    {
                        "id": consent_id,
                        "participant_id": participant_id,
                        "session_id": session_id,
                        **{k: None for k in CONSENT_KINDS},
                        **fields,
                        **self._store.stamp(),
                    }
                )
            else:
                consent_id = existing["id"]
                if fields:
                    db.table("consents").update(consent_id, {**fields, "updated_at": now_iso()})
            self._project.audit.log_event(
                "consent",
                "participant",
                participant_id,
                {
                    "session_id": session_id,
                    **{k: bool(v) for k, v in answers.items() if v is not None},
                    **({"not_recorded": sorted(unset)} if unset else {}),
                },
            )
        row = self._store.one("SELECT * FROM consents WHERE id = ?", (consent_id,))
        assert row is not None
        return _consent(row)

    def _consent_row(self, participant_id: str, session_id: str | None) -> sqlite3.Row | None:
        if session_id is None:
            return self._store.one(
                "SELECT * FROM consents WHERE participant_id = ? AND session_id IS NULL",
                (participant_id,),
            )
        return self._store.one(
            "SELECT * FROM consents WHERE participant_id = ? AND session_id = ?",
            (participant_id, session_id),
        )

    def consents(
        self, *, participant_id: str | None = None, session_id: str | None = None
    ) -> list[Consent]:
        """Return consent records, filtered by participant and/or session."""
        sql, params = "SELECT * FROM consents WHERE 1", []
        if participant_id:
            sql += " AND participant_id = ?"
            params.append(participant_id)
        if session_id:
            sql += " AND session_id = ?"
            params.append(session_id)
        rows = self._store.rows(sql + " ORDER BY participant_id, coalesce(session_id, '')", params)
        return [_consent(r) for r in rows]

    def effective_consent(self, participant_id: str, session_id: str) -> dict[str, bool | None]:
        """The answers that hold for one session: its own record, else the all-sessions one."""
        own = self._consent_row(participant_id, session_id)
        general = self._consent_row(participant_id, None)
        result: dict[str, bool | None] = {}
        for kind in CONSENT_KINDS:
            value = own[kind] if own is not None else None
            if value is None and general is not None:
                value = general[kind]
            result[kind] = None if value is None else bool(value)
        return result

    def delete_consent(self, consent_id: str) -> None:
        """Delete a consent record (logged)."""
        with self._store.tx() as db:
            if db.conn.execute("DELETE FROM consents WHERE id = ?", (consent_id,)).rowcount == 0:
                raise NotFoundError(f"No consent record with id {consent_id!r}.")
            self._store.tombstone("consents", consent_id)
            self._project.audit.log_event("consent_delete", "consent", consent_id)

    def session_participants(self, session_id: str) -> list[tuple[str | None, str | None]]:
        """``(speaker label, participant id)`` pairs of a session.

        Mapped speakers, unmapped speaker labels (participant None) and participants with a
        consent record for the session but no speaker label (label None).
        """
        if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None:
            raise NotFoundError(f"No session with id {session_id!r}; list them with `sessions`.")
        pairs: dict[tuple[str | None, str | None], None] = {}
        for r in self._store.rows(
            "SELECT label, participant_id FROM session_speakers WHERE session_id = ?",
            (session_id,),
        ):
            pairs[(r["label"], r["participant_id"])] = None
        labels = {label for label, _ in pairs}
        for (label,) in self._store.rows(
            "SELECT DISTINCT speaker FROM segments WHERE session_id = ? AND speaker IS NOT NULL",
            (session_id,),
        ):
            if label not in labels:
                pairs[(label, None)] = None
        mapped = {pid for _, pid in pairs if pid}
        for (pid,) in self._store.rows(
            "SELECT participant_id FROM consents WHERE session_id = ?", (session_id,)
        ):
            if pid not in mapped:
                pairs[(None, pid)] = None
        return sorted(pairs, key=lambda p: (p[0] or "", p[1] or ""))

    def consent_problems(self, session_id: str, purpose: str) -> list[ConsentProblem]:
        """Who in a session lacks consent for ``purpose`` (warn before transcribing/exporting).

        Purposes: recording, transcription, quotation, export (= transcription + quotation),
        archiving. An unmapped speaker label is reported too: nobody knows their consent.
        """
        needs = _check_purpose(purpose)
        names = {
            r["id"]: r["pseudonym"]
            for r in self._store.rows("SELECT id, pseudonym FROM participants")
        }
        problems = []
        for label, pid in self.session_participants(session_id):
            if pid is None:
                problems.append(ConsentProblem(session_id, label, None, None, list(needs), []))
                continue
            answers = self.effective_consent(pid, session_id)
            refused = [k for k in needs if answers[k] is False]
            missing = [k for k in needs if answers[k] is None]
            if refused or missing:
                problems.append(
                    ConsentProblem(session_id, label, pid, names.get(pid), missing, refused)
                )
        return problems

    def covers(self, participant_id: str, session_id: str, purpose: str) -> bool:
        """Whether a participant's consent for a session says yes to all ``purpose`` needs."""
        answers = self.effective_consent(participant_id, session_id)
        return all(answers[k] is True for k in _check_purpose(purpose))

    def unlabelled_consented(self, session_id: str, purpose: str) -> bool:
        """Whether a session's segments without a speaker may go out under "only consented".

        Nobody knows who said them, so only when everyone known to be in the session
        consented to ``purpose``: it has at least one participant (linked to one of its
        speakers or holding a consent record for it), every one of them consented, and no
        speaker label of it is linked to nobody.
        """
        _check_purpose(purpose)
        return _everyone_covered(self._covered(session_id, purpose))

    def _covered(self, session_id: str, purpose: str) -> list[tuple[str | None, bool | None]]:
        """A session's speaker labels and participants (``session_participants``), each with
        whether its participant's consent covers ``purpose`` (None: linked to nobody)."""
        return [
            (label, None if pid is None else self.covers(pid, session_id, purpose))
            for label, pid in self.session_participants(session_id)
        ]

    def left_out(self, purpose: str, *, session_id: str | None = None) -> LeftOut:
        """The segments an export of only consented participants leaves out, and why.

        ``LeftOut.by_speaker``: segments whose speaker is linked to a participant whose
        consent does not say yes to every kind ``purpose`` needs, or to no participant at all
        (nobody's consent covers them). ``LeftOut.unlabelled``: segments without a speaker, in
        sessions where not everyone known to be there consented (``unlabelled_consented``):
        consent unknown is not consent.
        """
        _check_purpose(purpose)
        sessions = (
            [session_id]
            if session_id
            else [r[0] for r in self._store.rows("SELECT id FROM sessions")]
        )
        by_speaker: set[str] = set()
        unlabelled: set[str] = set()
        for sid in sessions:
            covered = self._covered(sid, purpose)
            bad_labels = {label for label, ok in covered if label is not None and not ok}
            if bad_labels:
                marks = ",".join("?" * len(bad_labels))
                by_speaker.update(
                    r[0]
                    for r in self._store.rows(
                        f"SELECT id FROM segments WHERE session_id = ? AND speaker IN ({marks})",
                        (sid, *sorted(bad_labels)),
                    )
                )
            if not _everyone_covered(covered):
                unlabelled.update(
                    r[0]
                    for r in self._store.rows(
                        "SELECT id FROM segments WHERE session_id = ? AND speaker IS NULL", (sid,)
                    )
                )
        return LeftOut(frozenset(by_speaker), frozenset(unlabelled))

    def unlabelled_left_out(
        self, purpose: str | None, segment_ids: Iterable[str], *, session_id: str | None = None
    ) -> int:
        """How many of ``segment_ids`` (a repeat counts again: one per coding) an export of
        only participants who consented to ``purpose`` leaves out for having no speaker, to say
        why beside those left out for their speaker's consent; 0 without ``purpose`` (an export
        of everyone)."""
        if not purpose:
            return 0
        return self.left_out(purpose, session_id=session_id).count(segment_ids)[1]

    def unknown_unlabelled(self, session_id: str, purpose: str) -> int:
        """How many of a session's segments without a speaker have no known consent to
        ``purpose`` though ``consent_problems`` names nobody: nobody is in the session (no
        speaker linked, no consent record), so an export of only consented participants leaves
        them out while a check said everyone consented."""
        if self.consent_problems(session_id, purpose):
            return 0  # the problems named say it
        return len(self.left_out(purpose, session_id=session_id).unlabelled)

    def excluded_segment_ids(self, purpose: str, *, session_id: str | None = None) -> set[str]:
        """Segments an export of only participants who consented to ``purpose`` leaves out:
        those of speakers without that consent or linked to no participant, and those without
        a speaker unless everyone known to be in their session consented (``left_out``)."""
        return set(self.left_out(purpose, session_id=session_id).ids)


def _everyone_covered(covered: list[tuple[str | None, bool | None]]) -> bool:
    """Whether everyone known to be in a session consented (``ConsentRecords._covered``'s
    pairs): someone is, nobody's consent falls short, and no speaker is linked to nobody
    (their consent is unknown)."""
    return bool(covered) and all(ok for _, ok in covered)

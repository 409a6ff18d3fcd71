"""Research ethics: consent records, the pseudonym mapping, redactions and the audit log.

``Privacy`` is ``project.privacy``. Exports go through ``PrivacyFilter`` (or the
``export_text`` / ``excluded_segment_ids`` shortcuts) so that, by default, every exported text
uses pseudonyms and hides redacted spans.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.ids import new_id, now_iso
from storage.core.models import Segment
from storage.core.store import Store
from storage.privacy import crypto
from storage.privacy.audio import redact_audio
from storage.privacy.models import (
    CONSENT_KINDS,
    PURPOSE_NEEDS,
    ApplyReport,
    Consent,
    ConsentProblem,
    PseudonymCandidate,
    PseudonymEntry,
    Redaction,
)
from storage.privacy.names import contains_name, fold, name_spans
from storage.privacy.scrub import scrub_conflicts
from storage.privacy.text import (
    NameMatch,
    Replacement,
    RewrittenText,
    candidate_id,
    context_of,
    find_names,
    rewrite,
)

if TYPE_CHECKING:
    from storage.project import Project

__all__ = [
    "Privacy",
    "PrivacyFilter",
    "excluded_segment_ids",
    "export_text",
    "redact_audio",
]

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


def _entry(row: sqlite3.Row) -> PseudonymEntry:
    return PseudonymEntry(
        id=row["id"],
        real_name=row["real_name"],
        pseudonym=row["pseudonym"],
        participant_id=row["participant_id"],
        exceptions=list(json.loads(row["exceptions"] or "[]")),
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


class Privacy:
    """Consent, pseudonyms, team keys and the export filter (``project.privacy``); redactions are
    ``project.redactions`` and the audit log ``project.audit``."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    # ----------------------------------------------------------------- consent
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
    ) -> Consent:
        """Record (or update) a participant's consent for a session (None: every session).

        Only the answers given change; the others keep their value. The change is logged.

        Raises:
            NotFoundError: unknown participant or session.
            InvalidInputError: a malformed date.
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
        fields: dict[str, Any] = {k: int(v) for k, v in answers.items() if v is not None}
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

    def excluded_segment_ids(
        self, purpose: str, *, session_id: str | None = None, unmapped: bool = False
    ) -> set[str]:
        """Segments spoken by participants whose consent does not cover ``purpose``.

        A consent counts only when it says yes to every kind the purpose needs. Segments of
        unmapped speakers are excluded only with ``unmapped=True``; segments with no speaker
        are never excluded.
        """
        needs = _check_purpose(purpose)
        sessions = (
            [session_id]
            if session_id
            else [r[0] for r in self._store.rows("SELECT id FROM sessions")]
        )
        excluded: set[str] = set()
        for sid in sessions:
            bad_labels = set()
            for label, pid in self.session_participants(sid):
                if label is None:
                    continue
                if pid is None:
                    if unmapped:
                        bad_labels.add(label)
                    continue
                answers = self.effective_consent(pid, sid)
                if not all(answers[k] is True for k in needs):
                    bad_labels.add(label)
            if bad_labels:
                marks = ",".join("?" * len(bad_labels))
                excluded.update(
                    r[0]
                    for r in self._store.rows(
                        f"SELECT id FROM segments WHERE session_id = ? AND speaker IN ({marks})",
                        (sid, *sorted(bad_labels)),
                    )
                )
        return excluded

    # ----------------------------------------------------------------- pseudonyms
    def set_pseudonym(
        self, real_name: str, pseudonym: str, *, participant_id: str | None = None
    ) -> PseudonymEntry:
        """Map a real name to a pseudonym (replacing an earlier mapping of the same name).

        Raises:
            InvalidInputError: an empty name, or a pseudonym that contains the real name.
        """
        real_name = " ".join(real_name.split())
        pseudonym = " ".join(pseudonym.split())
        if not real_name or not pseudonym:
            raise InvalidInputError('Give both a real name and a pseudonym, as "REAL=P01".')
        if contains_name(real_name, pseudonym):
            raise InvalidInputError(
                f"The pseudonym {pseudonym!r} contains the real name; choose another one."
            )
        if participant_id is not None:
            participant_id = self.find_participant(participant_id)
        existing = self._entry_row(real_name)
        with self._store.tx() as db:
            if existing is None:
                entry_id = new_id()
                db.table("pseudonyms").insert(
                    {
                        "id": entry_id,
                        "real_name": real_name,
                        "pseudonym": pseudonym,
                        "participant_id": participant_id,
                        "exceptions": "[]",
                        **self._store.stamp(),
                    }
                )
            else:
                entry_id = existing["id"]
                db.table("pseudonyms").update(
                    entry_id,
                    {
                        "real_name": real_name,
                        "pseudonym": pseudonym,
                        "participant_id": participant_id,
                        "updated_at": now_iso(),
                    },
                )
            self._project.audit.log_event(
                "pseudonym_set", "pseudonym", entry_id, {"pseudonym": pseudonym}
            )
        row = self._store.one("SELECT * FROM pseudonyms WHERE id = ?", (entry_id,))
        assert row is not None
        return _entry(row)

    def pseudonyms(self) -> list[PseudonymEntry]:
        """Return the real name -> pseudonym mapping, by pseudonym."""
        return [_entry(r) for r in self._store.rows("SELECT * FROM pseudonyms ORDER BY pseudonym")]

    def remove_pseudonym(self, ref: str) -> None:
        """Remove a mapping line given its id, real name or pseudonym (logged)."""
        row = self._store.one(
            "SELECT * FROM pseudonyms WHERE id = ? OR pseudonym = ?", (ref, ref)
        ) or self._entry_row(ref)
        if row is None:
            raise NotFoundError(f"No pseudonym mapping for {ref!r}; list them with --list.")
        with self._store.tx() as db:
            db.conn.execute("DELETE FROM pseudonyms WHERE id = ?", (row["id"],))
            self._project.audit.log_event(
                "pseudonym_remove", "pseudonym", row["id"], {"pseudonym": row["pseudonym"]}
            )

    def _entry_row(self, real_name: str) -> sqlite3.Row | None:
        """The mapping line of a real name, any case (SQLite's NOCASE knows only ASCII)."""
        key = " ".join(real_name.split()).casefold()
        for row in self._store.rows("SELECT * FROM pseudonyms"):
            if row["real_name"].casefold() == key:
                return row
        return None

    def _mapping(self) -> list[tuple[str, str, list[str]]]:
        return [(e.real_name, e.pseudonym, e.exceptions) for e in self.pseudonyms()]

    def _segment_rows(
        self, session_id: str | None, segment_id: str | None = None
    ) -> list[sqlite3.Row]:
        if segment_id is not None:
            return self._store.rows("SELECT * FROM segments WHERE id = ?", (segment_id,))
        if session_id is not None:
            if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None:
                raise NotFoundError(
                    f"No session with id {session_id!r}; list them with `sessions`."
                )
            return self._store.rows(
                "SELECT * FROM segments WHERE session_id = ? ORDER BY start_ms, seq", (session_id,)
            )
        return self._store.rows("SELECT * FROM segments ORDER BY session_id, start_ms, seq")

    def pseudonym_candidates(
        self, session_id: str | None = None, *, segment_id: str | None = None
    ) -> list[PseudonymCandidate]:
        """Every place a mapped real name (or an inflected form of it) occurs, for review
        (in one session, or in one segment: ``segment_id``).

        Each candidate has a stable ``id`` to accept in ``apply_pseudonyms``, the kind of match
        (exact, case, inflected) and its context with the match in ``[...]``.
        """
        mapping = self._mapping()
        if not mapping:
            return []
        result = []
        for row in self._segment_rows(session_id, segment_id):
            for m in find_names(row["text"], mapping):
                result.append(_candidate(row, m))
        return result

    def apply_pseudonyms(
        self, accept: Iterable[str] | None = None, *, session_id: str | None = None
    ) -> ApplyReport:
        """Replace real names by pseudonyms in the transcripts, for good.

        Args:
            accept: candidate ids (from ``pseudonym_candidates``) to replace; None: all.
                Inflected forms not accepted are remembered as "not this person" and are not
                offered again nor replaced in exports.
            session_id: limit to one session.

        Span codings and redactions move with the text; word timings get the pseudonym; the
        search index is rebuilt and freed pages are overwritten (secure delete).

        Raises:
            InvalidInputError: an accepted id is not a current candidate (nothing changed).
        """
        candidates = self.pseudonym_candidates(session_id)
        by_id = {c.id: c for c in candidates}
        if accept is None:
            accepted = set(by_id)
        else:
            accepted = {a.strip() for a in accept if a.strip()}
            unknown = sorted(accepted - set(by_id))
            if unknown:
                raise InvalidInputError(
                    f"Unknown candidate {'id' if len(unknown) == 1 else 'ids'} "
                    f"{', '.join(unknown)}; "
                    "run --review again "
                    "(the text may have changed). Nothing was changed."
                )
        rejected = [c for c in candidates if c.id not in accepted]
        per_segment: dict[str, list[PseudonymCandidate]] = {}
        for cand in candidates:
            if cand.id in accepted:
                per_segment.setdefault(cand.segment_id, []).append(cand)
        self._store.refuse_if_read_elsewhere("replacing the names")
        self._store.secure_delete_on()
        with self._store.tx() as db:
            for segment_id, cands in per_segment.items():
                reps = [Replacement(c.start_cp, c.end_cp, c.replacement) for c in cands]
                self._project.redactions.rewrite_segment(segment_id, reps)
            self._remember_rejections(rejected)
            self._rename_speakers(session_id)
            if per_segment:
                db.conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")
            self._pseudonymise_elsewhere(session_id)
            self._project.audit.log_event(
                "pseudonym_apply",
                "session" if session_id else "project",
                session_id,
                {"replaced": len(accepted), "segments": len(per_segment), "skipped": len(rejected)},
            )
        self._store.bump_privacy_epoch()
        self._store.wipe_or_fail("replacing the names")
        return ApplyReport(replaced=len(accepted), segments=len(per_segment), skipped=len(rejected))

    def _pseudonymise_elsewhere(self, session_id: str | None) -> None:
        """Replace the mapped names (not the rejected forms) in memos and conflicts' versions.

        Memos (on the session's segments, or all with no ``session_id``) and the coding memos
        there hold the same names as the transcript; merge conflicts keep old copies of rows.
        """
        mapping = self._mapping()  # with the exceptions just remembered
        if not mapping:
            return
        conn = self._store.conn

        def fix(text: str | None) -> str | None:
            if not text:
                return text
            reps = [Replacement(m.start, m.end, m.replacement) for m in find_names(text, mapping)]
            return rewrite(text, reps).text if reps else text

        if session_id is None:
            memos = conn.execute("SELECT id, title, text FROM memos").fetchall()
            codings = conn.execute(
                "SELECT id, memo FROM codings WHERE memo IS NOT NULL AND memo <> ''"
            ).fetchall()
        else:
            in_session = "SELECT id FROM segments WHERE session_id = ?"
            memos = conn.execute(
                "SELECT id, title, text FROM memos WHERE (target_type = 'segment' AND target_id "
                f"IN ({in_session})) OR (target_type = 'session' AND target_id = ?)",
                (session_id, session_id),
            ).fetchall()
            codings = conn.execute(
                "SELECT id, memo FROM codings WHERE memo IS NOT NULL AND memo <> '' "
                f"AND segment_id IN ({in_session})",
                (session_id,),
            ).fetchall()
        for memo_id, title, text in memos:
            if (fix(title), fix(text)) != (title, text):
                conn.execute(
                    "UPDATE memos SET title = ?, text = ?, updated_at = ? WHERE id = ?",
                    (fix(title), fix(text), now_iso(), memo_id),
                )
        for coding_id, memo in codings:
            if fix(memo) != memo:
                conn.execute(
                    "UPDATE codings SET memo = ?, updated_at = ? WHERE id = ?",
                    (fix(memo), now_iso(), coding_id),
                )
        scrub_conflicts(conn, lambda _table, _column, value: fix(value) or value)

    def _remember_rejections(self, rejected: Sequence[PseudonymCandidate]) -> None:
        """An inflected form rejected is not this person under any spelling of their name:
        every real name mapped to the same pseudonym ("Айгерим" and "Айгерім") remembers it,
        or the export replaced "Айгерімге", rejected as a form of Айгерим, as one of Айгерім."""
        same_person: dict[str, list[str]] = {}
        for real, pseudonym, _excepted in self._mapping():
            same_person.setdefault(pseudonym, []).append(real)
        forms: dict[str, set[str]] = {}
        for cand in rejected:
            if cand.kind == "inflected":
                spans = name_spans(cand.real_name, cand.matched)
                core = cand.matched[spans[0][0] : spans[0][1]] if spans else cand.matched
                for real in same_person.get(cand.pseudonym, [cand.real_name]):
                    forms.setdefault(real, set()).add(core.casefold())
        for real, new in forms.items():
            row = self._store.conn.execute(
                "SELECT id, exceptions FROM pseudonyms WHERE real_name = ?", (real,)
            ).fetchone()
            if row is None:
                continue
            merged = sorted(set(json.loads(row["exceptions"] or "[]")) | new)
            self._store.conn.execute(
                "UPDATE pseudonyms SET exceptions = ?, updated_at = ? WHERE id = ?",
                (json.dumps(merged, ensure_ascii=False), now_iso(), row["id"]),
            )

    def _rename_speakers(self, session_id: str | None) -> None:
        """Speaker labels that are exactly a real name (any case, ``fold``) become its pseudonym.

        Labels are compared in Python: SQLite's NOCASE folds only ASCII letters.
        """
        conn = self._store.conn
        in_session = " WHERE session_id = ?" if session_id else ""
        scope = [session_id] if session_id else []
        labels = {
            str(r[0])
            for r in conn.execute(
                f"SELECT speaker FROM segments{in_session} UNION "
                f"SELECT speaker FROM speaker_turns{in_session} UNION "
                f"SELECT label FROM session_speakers{in_session}",
                scope * 3,
            )
            if r[0] is not None
        }
        for entry in self.pseudonyms():
            key = fold(entry.real_name)
            same = sorted(label for label in labels if fold(" ".join(label.split())) == key)
            if not same:
                continue
            marks = ",".join("?" * len(same))
            where = f"speaker IN ({marks})" + (" AND session_id = ?" if session_id else "")
            for table in ("segments", "speaker_turns"):  # the timeline uses the same labels
                conn.execute(
                    f"UPDATE {table} SET speaker = ?, updated_at = ? WHERE {where}",
                    (entry.pseudonym, now_iso(), *same, *scope),
                )
            for r in conn.execute(
                f"SELECT id, session_id FROM session_speakers WHERE label IN ({marks})"
                + (" AND session_id = ?" if session_id else ""),
                (*same, *scope),
            ).fetchall():
                clash = conn.execute(
                    "SELECT 1 FROM session_speakers WHERE session_id = ? AND label = ?",
                    (r["session_id"], entry.pseudonym),
                ).fetchone()
                if clash is None:
                    conn.execute(
                        "UPDATE session_speakers SET label = ?, updated_at = ? WHERE id = ?",
                        (entry.pseudonym, now_iso(), r["id"]),
                    )

    # ----------------------------------------------------------------- team keys
    def identity_path(self) -> Path:
        """Where this coder's private team key lives (``keys/CODER.x25519.pem``, mode 0600)."""
        safe = re.sub(r"[^\w.-]+", "_", self._store.coder or "coder")
        return self._store.folder / "keys" / f"{safe}.x25519.pem"

    def generate_identity(self, passphrase: str | None = None) -> X25519PublicKey:
        """Create this coder's team key pair (never overwrites one); returns the public key.

        Raises:
            InvalidInputError: the coder already has a key.
        """
        key = crypto.generate_identity()
        path = crypto.save_identity(key, self.identity_path(), passphrase)
        public = key.public_key()
        self._project.audit.log_event(
            "key_generate",
            "coder",
            self._store.coder,
            {"file": path.name, "fingerprint": crypto.fingerprint(public)},
        )
        return public

    def load_identity(self, passphrase: str | None = None) -> X25519PrivateKey:
        """This coder's private team key.

        Raises:
            InvalidInputError: no key yet (make one with ``keys DIR generate``), or unreadable.
        """
        path = self.identity_path()
        if not path.is_file():
            raise InvalidInputError(
                f"{path}: no team key for coder {self._store.coder!r}; create one with "
                "`fieldscribe keys DIR generate`."
            )
        return crypto.load_identity(path, passphrase)

    # ----------------------------------------------------------------- exports
    def privacy_filter(
        self,
        *,
        pseudonymise: bool = True,
        redact: bool = True,
        consented_only: str | None = None,
    ) -> PrivacyFilter:
        """A filter for one export run (see ``PrivacyFilter``)."""
        return PrivacyFilter(
            self._project, pseudonymise=pseudonymise, redact=redact, consented_only=consented_only
        )


def _candidate(row: sqlite3.Row, m: NameMatch) -> PseudonymCandidate:
    return PseudonymCandidate(
        id=candidate_id(row["id"], m.start, m.end, m.matched),
        segment_id=row["id"],
        session_id=row["session_id"],
        start_cp=m.start,
        end_cp=m.end,
        matched=m.matched,
        real_name=m.real_name,
        pseudonym=m.pseudonym,
        replacement=m.replacement,
        kind=m.kind,
        context=context_of(row["text"], m.start, m.end),
    )


def _check_date(date: str) -> None:
    from datetime import date as _date

    try:
        _date.fromisoformat(date)
    except ValueError:
        raise InvalidInputError(f"Invalid date {date!r}; use YYYY-MM-DD.") from None


class PrivacyFilter:
    """What one export may show: pseudonymised, redacted text of consented segments.

    Build it once per export (``project.privacy.privacy_filter(...)``); it caches the mapping
    and the redactions. Exporters call ``text(segment)`` (or ``rewritten(segment)`` to move span
    positions too), ``label(text)`` for speaker labels, titles and memos, ``include(segment)``
    and ``audio_spans(session_id)`` for media.
    """

    def __init__(
        self,
        project: Project,
        *,
        pseudonymise: bool = True,
        redact: bool = True,
        consented_only: str | None = None,
    ) -> None:
        self.project = project
        self.pseudonymise = pseudonymise
        self.redact = redact
        self.consented_only = consented_only
        self._mapping = project.privacy._mapping() if pseudonymise else []
        self._redactions: dict[str, list[Redaction]] = {}
        if redact:
            for r in project.redactions.all(include_destroyed=False):
                self._redactions.setdefault(r.segment_id, []).append(r)
        self.excluded: set[str] = (
            project.privacy.excluded_segment_ids(consented_only) if consented_only else set()
        )

    def include(self, segment: Segment | str) -> bool:
        """Whether a segment (or segment id) may be exported."""
        segment_id = segment if isinstance(segment, str) else segment.id
        return segment_id not in self.excluded

    def rewritten(self, segment: Segment) -> RewrittenText:
        """The segment's exportable text with a map from original positions."""
        reps = [
            Replacement(r.start_cp, r.end_cp, r.placeholder)
            for r in self._redactions.get(segment.id, [])
        ]
        if self._mapping:
            taken = [(r.start, r.end) for r in reps]
            reps += [
                Replacement(m.start, m.end, m.replacement)
                for m in find_names(segment.text, self._mapping)
                if not any(m.start < e and m.end > s for s, e in taken)
            ]
        return rewrite(segment.text, reps)

    def text(self, segment: Segment) -> str:
        """The segment's exportable text."""
        return self.rewritten(segment).text

    def label(self, text: str | None) -> str | None:
        """Pseudonymise any other exported string (speaker label, title, memo, code name)."""
        if not text or not self._mapping:
            return text
        return rewrite(
            text,
            [Replacement(m.start, m.end, m.replacement) for m in find_names(text, self._mapping)],
        ).text

    def audio_spans(self, session_id: str, *, pad_ms: int = 120) -> list[tuple[int, int]]:
        """Time spans of a session's audio to silence: its redactions, and excluded segments."""
        spans = []
        for seg in self.project.transcript.segments(session_id):
            if not self.include(seg):
                spans.append((seg.start_ms, seg.end_ms))
                continue
            for r in self._redactions.get(seg.id, []):
                spans.append(self.project.redactions.redaction_audio_span(seg, r, pad_ms=pad_ms))
        return spans


def export_text(
    project: Project, segment: Segment, *, pseudonymise: bool = True, redact: bool = True
) -> str:
    """A segment's text as exports show it: pseudonyms and ``[REDACTED]`` placeholders."""
    return project.privacy.privacy_filter(pseudonymise=pseudonymise, redact=redact).text(segment)


def excluded_segment_ids(project: Project, purpose: str) -> set[str]:
    """Segments to leave out of an export for ``purpose`` (see ``excluded_segment_ids``)."""
    return project.privacy.excluded_segment_ids(purpose)

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
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.ids import new_id, now_iso
from storage.core.models import Segment
from storage.core.store import Store
from storage.privacy import crypto
from storage.privacy.audio import redact_audio
from storage.privacy.kept_copies import pseudonymise_kept_copies, pseudonymise_text
from storage.privacy.models import (
    ApplyReport,
    LeftOut,
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


class Privacy:
    """Pseudonyms, team keys and the export filter (``project.privacy``); consent records are
    ``project.consent``, redactions ``project.redactions`` and the audit log ``project.audit``."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

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
            participant_id = self._project.consent.find_participant(participant_id)
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
        search index is rebuilt and freed pages are overwritten (secure delete). Without
        ``session_id``, the kept copies of deleted sessions get every mapped name replaced
        too, in the same transaction (``storage.privacy.kept_copies``). Typing kept unsaved
        in ``DIR/drafts`` (of the session's segments, or all) gets the same names replaced
        before the transaction commits (``UnsavedTexts.rewrite``).

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
        kept = 0
        with self._store.tx():
            self._remember_rejections(rejected)
            self._replace(per_segment, session_id)
            if session_id is None:  # and in the kept copies of deleted sessions
                kept = pseudonymise_kept_copies(self._store.conn, self._mapping())
                if kept and not per_segment:  # FTS5 kept their words until a rebuild
                    self._store.conn.execute(
                        "INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')"
                    )
            drafts = self._pseudonymise_unsaved(session_id)
            details = {
                "replaced": len(accepted),
                "segments": len(per_segment),
                "skipped": len(rejected),
            }
            if kept:
                details["deleted_sessions"] = kept
            if drafts:
                details["unsaved_texts"] = drafts
            self._project.audit.log_event(
                "pseudonym_apply", "session" if session_id else "project", session_id, details
            )
        self._store.bump_privacy_epoch()
        self._store.wipe_or_fail("replacing the names")
        return ApplyReport(
            replaced=len(accepted),
            segments=len(per_segment),
            skipped=len(rejected),
            deleted_sessions=kept,
            unsaved_texts=drafts,
        )

    def pseudonymise_restored(self, session_id: str) -> int:
        """Replace every mapped name (its inflected forms, but those rejected as another
        person) in a session restored after names were replaced across the project: its
        segments with their word timings, speaker labels, memos and coding memos, as
        ``apply_pseudonyms`` did to the rest of the project while it was deleted.

        Runs in the caller's transaction (``Sessions.restore_session``): the restored rows
        never stand committed with the real names. Logged. Returns how many names were
        replaced."""
        per_segment: dict[str, list[PseudonymCandidate]] = {}
        candidates = self.pseudonym_candidates(session_id)
        for cand in candidates:
            per_segment.setdefault(cand.segment_id, []).append(cand)
        self._store.secure_delete_on()
        with self._store.tx():
            self._replace(per_segment, session_id)
            self._project.audit.log_event(
                "pseudonym_restore",
                "session",
                session_id,
                {"replaced": len(candidates), "segments": len(per_segment)},
            )
        self._store.bump_privacy_epoch()
        return len(candidates)

    def _replace(
        self, per_segment: dict[str, list[PseudonymCandidate]], session_id: str | None
    ) -> None:
        """Write the accepted candidates (by segment) into the text, rename the speakers and
        replace the names in memos (inside the caller's transaction)."""
        for segment_id, cands in per_segment.items():
            reps = [Replacement(c.start_cp, c.end_cp, c.replacement) for c in cands]
            self._project.redactions.rewrite_segment(segment_id, reps)
        self._rename_speakers(session_id)
        if per_segment:
            self._store.conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")
        self._pseudonymise_elsewhere(session_id)

    def _pseudonymise_unsaved(self, session_id: str | None) -> int:
        """Replace the mapped names (not the rejected forms) in the typing kept unsaved in
        ``DIR/drafts`` (of the session's segments, or all), as in the kept copies of deleted
        sessions; before the caller's transaction commits. Returns how many files changed."""
        mapping = self._mapping()  # with the exceptions just remembered
        if not mapping:
            return 0
        report = self._project.unsaved_text.rewrite(
            lambda kept: (
                pseudonymise_text(kept.base_text, mapping),
                pseudonymise_text(kept.text, mapping),
            ),
            session_id=session_id,
        )
        return report.rewritten + report.removed

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

    def named_speakers(self, session_id: str | None = None) -> dict[str, str]:
        """The speaker labels that are exactly a mapped real name (any case, ``fold``), each
        with its pseudonym: what ``apply_pseudonyms`` renames besides the names in the text.

        Args:
            session_id: only the labels of this session.

        Returns:
            label -> pseudonym, by label.
        """
        in_session = " WHERE session_id = ?" if session_id else ""
        labels = {
            str(r[0])
            for r in self._store.conn.execute(
                f"SELECT speaker FROM segments{in_session} UNION "
                f"SELECT speaker FROM speaker_turns{in_session} UNION "
                f"SELECT label FROM session_speakers{in_session}",
                ([session_id] if session_id else []) * 3,
            )
            if r[0] is not None
        }
        # compared in Python: SQLite's NOCASE folds only ASCII letters
        names = {fold(entry.real_name): entry.pseudonym for entry in self.pseudonyms()}
        named: dict[str, str] = {}
        for label in sorted(labels):
            pseudonym = names.get(fold(" ".join(label.split())))
            if pseudonym is not None:
                named[label] = pseudonym
        return named

    def _rename_speakers(self, session_id: str | None) -> None:
        """Speaker labels that are exactly a real name (``named_speakers``) become its
        pseudonym."""
        conn = self._store.conn
        scope = [session_id] if session_id else []
        by_pseudonym: dict[str, list[str]] = {}
        for label, pseudonym in self.named_speakers(session_id).items():
            by_pseudonym.setdefault(pseudonym, []).append(label)
        for pseudonym, same in by_pseudonym.items():
            marks = ",".join("?" * len(same))
            where = f"speaker IN ({marks})" + (" AND session_id = ?" if session_id else "")
            for table in ("segments", "speaker_turns"):  # the timeline uses the same labels
                conn.execute(
                    f"UPDATE {table} SET speaker = ?, updated_at = ? WHERE {where}",
                    (pseudonym, now_iso(), *same, *scope),
                )
            for r in conn.execute(
                f"SELECT id, session_id FROM session_speakers WHERE label IN ({marks})"
                + (" AND session_id = ?" if session_id else ""),
                (*same, *scope),
            ).fetchall():
                clash = conn.execute(
                    "SELECT 1 FROM session_speakers WHERE session_id = ? AND label = ?",
                    (r["session_id"], pseudonym),
                ).fetchone()
                if clash is None:
                    conn.execute(
                        "UPDATE session_speakers SET label = ?, updated_at = ? WHERE id = ?",
                        (pseudonym, now_iso(), r["id"]),
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
        # a speaker linked to nobody has no consent either: "only consented" leaves them out,
        # and speech without a speaker too unless everyone known in its session consented
        self.left_out: LeftOut = (
            project.consent.left_out(consented_only) if consented_only else LeftOut()
        )
        self.excluded: set[str] = set(self.left_out.ids)
        # audio is a recording: whoever did not consent to recording is not heard, even where
        # their words may go out (consent to transcription and quotation, recording refused)
        self.unheard: set[str] = set(self.excluded)
        if consented_only and consented_only != "recording":
            self.unheard |= project.consent.left_out("recording").ids

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
        """Time spans of a session's audio to silence: its redactions, excluded segments, the
        segments of speakers without consent to recording (with only consented participants:
        a participant who refused recording is not heard where their words may be read), and
        the turns (speaker timeline) of the speakers those segments are left out for, so that
        a pause inside their turn that no segment holds is not heard either."""
        spans = []
        hidden: set[str] = set()
        for seg in self.project.transcript.segments(session_id):
            if seg.id in self.unheard:
                spans.append((seg.start_ms, seg.end_ms))
                if seg.speaker is not None:
                    hidden.add(seg.speaker)
                continue
            for r in self._redactions.get(seg.id, []):
                spans.append(self.project.redactions.redaction_audio_span(seg, r, pad_ms=pad_ms))
        if hidden:
            spans += [
                (start, end)
                for start, end, speaker in self.project.speakers.speaker_turns(session_id)
                if speaker in hidden
            ]
        return spans


def export_text(
    project: Project, segment: Segment, *, pseudonymise: bool = True, redact: bool = True
) -> str:
    """A segment's text as exports show it: pseudonyms and ``[REDACTED]`` placeholders."""
    return project.privacy.privacy_filter(pseudonymise=pseudonymise, redact=redact).text(segment)


def excluded_segment_ids(project: Project, purpose: str) -> set[str]:
    """Segments to leave out of an export for ``purpose`` (see ``excluded_segment_ids``)."""
    return project.consent.excluded_segment_ids(purpose)

"""Sessions, their media files, participants, speakers and markers."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.audio import AudioInfo, sha256_of
from storage.core.destroy_pending import refuse_clear_audio
from storage.core.errors import (
    AudioError,
    InUseError,
    InvalidInputError,
    NotFoundError,
)
from storage.core.ids import new_id, now_iso
from storage.core.models import (
    SESSION_KINDS,
    DeletionReport,
    Marker,
    MediaFile,
    Participant,
    Session,
    SessionSpeaker,
)
from storage.core.store import Store
from storage.core.words import plural
from storage.sessions.deleted import DeletedSession, DeletedSessions, RestoreReport
from storage.sessions.media_import import MediaImport

if TYPE_CHECKING:
    from storage.project import Project

_SESSION_EDITABLE = ("title", "kind", "date", "place", "moderator", "notes", "status")
SESSION_STATUSES = ("recorded", "imported", "transcribing", "transcribed")


def _session_from_row(row: sqlite3.Row) -> Session:
    return Session(
        id=row["id"],
        title=row["title"],
        kind=row["kind"],
        date=row["date"],
        place=row["place"],
        moderator=row["moderator"],
        notes=row["notes"],
        status=row["status"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _check_kind(kind: str) -> str:
    if kind not in SESSION_KINDS:
        raise InvalidInputError(
            f"Unknown session kind {kind!r}; use one of: {', '.join(SESSION_KINDS)}."
        )
    return kind


class Sessions:
    """Sessions and everything attached to them except the transcript."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    # ----------------------------------------------------------------- sessions
    def add_session(
        self,
        title: str,
        kind: str = "interview",
        *,
        date: str | None = None,
        place: str | None = None,
        moderator: str | None = None,
        notes: str | None = None,
        status: str = "imported",
        session_id: str | None = None,
    ) -> Session:
        """Create a session without media (media is attached by ``import_audio``)."""
        title = title.strip()
        if not title:
            raise InvalidInputError("A session needs a title.")
        row = {
            "id": session_id or new_id(),
            "title": title,
            "kind": _check_kind(kind),
            "date": date,
            "place": place,
            "moderator": moderator,
            "notes": notes,
            "status": status,
            **self._store.stamp(),
        }
        with self._store.tx() as db:
            db.table("sessions").insert(row)
        return self.get_session(str(row["id"]))

    def get_session(self, session_id: str) -> Session:
        """Return one session with its counts, or raise ``NotFoundError``."""
        sessions = self._sessions("WHERE s.id = ?", (session_id,))
        if not sessions:
            raise NotFoundError(f"No session with id {session_id!r}; list them with `sessions`.")
        return sessions[0]

    def resolve(self, ref: str) -> str:
        """The id of the session ``ref`` names: its id, its title, or the start of its id (4
        characters or more), each in any case, as a researcher types it on the command line.

        Raises:
            NotFoundError: no session is named so.
            InvalidInputError: several are (their ids are listed).
        """
        rows = self._store.rows("SELECT id, title FROM sessions", ())
        if any(r["id"] == ref for r in rows):
            return ref
        wanted = ref.strip().casefold()
        # an id in any case: a session imported from NVivo keeps its GUID in capitals, and a
        # GUID is the same in either case
        named = [r for r in rows if str(r["id"]).casefold() == wanted]
        named = named or [r for r in rows if str(r["title"]).strip().casefold() == wanted]
        if not named and len(wanted) >= 4:
            named = [r for r in rows if str(r["id"]).casefold().startswith(wanted)]
        if not named:
            raise NotFoundError(f"No session with id or title {ref!r}; list them with `sessions`.")
        if len(named) > 1:
            ids = ", ".join(str(r["id"]) for r in named[:5])
            raise InvalidInputError(
                f"{ref!r} names {len(named)} sessions ({ids}); give the id of one."
            )
        return str(named[0]["id"])

    def all(self) -> list[Session]:
        """Return every session, oldest first, with duration, counts and speakers."""
        return self._sessions("", ())

    def _sessions(self, where: str, params: tuple[Any, ...]) -> list[Session]:
        rows = self._store.rows(
            f"SELECT s.* FROM sessions s {where} "
            "ORDER BY coalesce(s.date, s.created_at), s.created_at",
            params,
        )
        if not rows:
            return []
        # Counts come from one grouped pass per table over its session index (not one
        # correlated sub-query per session): ~0.2 s for 150 sessions of 2,000 segments.
        if where:
            ids = [r["id"] for r in rows]
            marks = ",".join("?" * len(ids))
            seg_filter, arg = f"WHERE g.session_id IN ({marks})", ids
            media_filter = f"WHERE m.session_id IN ({marks})"
        else:
            seg_filter, media_filter, arg = "", "", []
        duration: dict[str, int] = _pairs(
            self._store.rows(
                f"SELECT m.session_id, sum(m.duration_ms) FROM media m {media_filter} "
                "GROUP BY m.session_id",
                arg,
            )
        )
        counts: dict[str, int] = _pairs(
            self._store.rows(
                f"SELECT g.session_id, count(*) FROM segments g {seg_filter} GROUP BY g.session_id",
                arg,
            )
        )
        coded: dict[str, int] = _pairs(
            self._store.rows(
                "SELECT g.session_id, count(DISTINCT g.id) FROM segments g "
                f"CROSS JOIN codings c ON c.segment_id = g.id {seg_filter} "
                "GROUP BY g.session_id",
                arg,
            )
        )
        untranscribed: dict[str, int] = _pairs(
            self._store.rows(
                f"SELECT g.session_id, sum(g.untranscribed) FROM segments g {seg_filter} "
                "GROUP BY g.session_id",
                arg,
            )
        )
        languages: dict[str, list[str]] = {}
        language_filter = f"{seg_filter} AND" if seg_filter else "WHERE"
        for session_id, language in self._store.rows(
            f"SELECT g.session_id, g.language FROM segments g {language_filter} "
            "g.language IS NOT NULL GROUP BY g.session_id, g.language "
            "ORDER BY g.session_id, count(*) DESC, g.language",
            arg,
        ):
            languages.setdefault(session_id, []).append(language)
        speakers: dict[str, list[str]] = {}
        speaker_filter = f"{seg_filter} AND" if seg_filter else "WHERE"
        for session_id, speaker in self._store.rows(
            f"SELECT DISTINCT g.session_id, g.speaker FROM segments g {speaker_filter} "
            "g.speaker IS NOT NULL ORDER BY g.session_id, g.speaker",
            arg,
        ):
            speakers.setdefault(session_id, []).append(speaker)
        result = []
        for row in rows:
            session = _session_from_row(row)
            session.duration_ms = int(duration.get(session.id) or 0)
            session.segment_count = int(counts.get(session.id) or 0)
            session.coded_segment_count = int(coded.get(session.id) or 0)
            session.speakers = speakers.get(session.id, [])
            session.untranscribed_count = int(untranscribed.get(session.id) or 0)
            session.languages = languages.get(session.id, [])
            result.append(session)
        return result

    def update_session(self, session_id: str, **fields: Any) -> Session:
        """Change editable session fields (title, kind, date, place, moderator, notes, status)."""
        self.get_session(session_id)
        unknown = set(fields) - set(_SESSION_EDITABLE)
        if unknown:
            raise InvalidInputError(
                f"Cannot change session {'field' if len(unknown) == 1 else 'fields'}: "
                f"{', '.join(sorted(unknown))}."
            )
        if "kind" in fields:
            _check_kind(fields["kind"])
        if "status" in fields and fields["status"] not in SESSION_STATUSES:
            raise InvalidInputError(f"Unknown session status {fields['status']!r}.")
        if not fields:
            return self.get_session(session_id)
        fields["updated_at"] = now_iso()
        with self._store.tx() as db:
            db.table("sessions").update(session_id, fields)
        return self.get_session(session_id)

    def delete_session(self, session_id: str, *, force: bool = False) -> DeletionReport:
        """Delete a session with everything that hangs off it; it can be restored whole.

        Its rows (segments, codings, memos, markers, speakers, redactions, consents, media
        rows, transcription state) are deleted with tombstones and copied, in the same
        transaction, into ``deleted_sessions`` (``storage.sessions.deleted``); the audio is
        moved to ``media/.deleted/``. ``restore_session`` brings it all back. A session with
        codings is only deleted with ``force=True``.

        Raises:
            InUseError: the session has codings and ``force`` is False.
        """
        session = self.get_session(session_id)
        n_codings = int(
            self._store.scalar(
                "SELECT count(*) FROM codings c JOIN segments g ON g.id = c.segment_id "
                "WHERE g.session_id = ?",
                (session_id,),
            )
        )
        if n_codings and not force:
            raise InUseError(
                f"Session {session.title!r} has {plural(n_codings, 'coding')}; delete it with "
                f"--force to remove {'it' if n_codings == 1 else 'them'} too."
            )
        kept = DeletedSessions(self._store)
        with self._store.tx():
            rows = kept.read_rows(session_id)
            audio = kept.kept_names(session.title, rows["media"])
            removed = kept.keep(session_id, rows, audio)
        # once committed: inside an outer transaction (a conflict resolved by keeping a
        # session's deletion), its commit, or the audio left while the rows came back
        self._store.after_commit(lambda: kept.move_audio_away(audio))
        return DeletionReport(target=f"session {session.title!r}", removed=removed)

    def deleted_sessions(self) -> list[DeletedSession]:
        """The deleted sessions that ``restore_session`` can bring back, the latest first."""
        return DeletedSessions(self._store).all()

    def resolve_deleted(self, ref: str) -> str:
        """The id of the deleted session ``ref`` names (its id, title or the start of its id).

        Raises:
            NotFoundError: no deleted session is named so.
            InvalidInputError: several are.
        """
        return DeletedSessions(self._store).resolve(ref)

    def forget_deleted_session(self, ref: str) -> DeletedSession:
        """Drop the kept copy of a deleted session for good, so that it can no longer be
        restored and its text is gone from ``project.db`` (its audio stays in
        ``media/.deleted/``). Text typed into its segments and kept unsaved
        (``project.unsaved_text``) is removed too.

        Args:
            ref: the deleted session's id, title, or the start of its id.

        Raises:
            NotFoundError: no deleted session is named so; nothing was changed.
            InvalidInputError: ``ref`` names several.
        """
        kept = DeletedSessions(self._store)

        def log(gone: DeletedSession) -> None:  # the audit log: what was destroyed, counted
            # typing kept unsaved in its segments (DIR/drafts) goes too, before the commit
            drafts = self._project.unsaved_text.forget_session(gone.session_id).removed
            details = {k: v for k, v in gone.counts.items() if v}
            if drafts:
                details["unsaved_texts"] = drafts
            self._project.audit.log_event("session_forget", "session", gone.session_id, details)

        return kept.forget(kept.resolve(ref), log)

    def restore_session(self, ref: str) -> RestoreReport:
        """Bring a deleted session back whole: every row with its own id, the audio back in
        ``media/``, its tombstones replaced by ``undeleted:`` versions (so merges elsewhere
        bring it back too). Codings of codes deleted meanwhile are left out and counted; a
        session that took its title meanwhile makes it "TITLE (restored)".

        Args:
            ref: the deleted session's id, title, or the start of its id.

        Raises:
            NotFoundError: no deleted session is named so; nothing was changed.
            InvalidInputError: ``ref`` names several, or the session is in the project again.
        """
        kept = DeletedSessions(self._store)
        return kept.restore(kept.resolve(ref), then=self._replace_names)

    def _replace_names(self, report: RestoreReport) -> None:
        """Names replaced across the project while the session was deleted are replaced in
        it too (in the restore's transaction), or the restore brought the real names back."""
        if report.names_replaced_since:
            report.names_replaced = self._project.privacy.pseudonymise_restored(report.session_id)

    # ----------------------------------------------------------------- media
    def import_audio(
        self,
        source: str | Path,
        *,
        kind: str = "interview",
        title: str | None = None,
        info: AudioInfo | None = None,
        status: str = "imported",
        again: bool = False,
    ) -> Session:
        """Copy one audio/video file into ``media/`` and create a session for it.

        See ``import_audio_files``; ``info`` skips decoding when the caller already probed it.
        """
        infos = None if info is None else [info]
        titles = None if title is None else [title]
        return self.import_audio_files(
            [source], kind=kind, titles=titles, infos=infos, status=status, again=again
        )[0]

    def import_audio_files(
        self,
        sources: list[str | Path],
        *,
        kind: str = "interview",
        titles: list[str] | None = None,
        infos: list[AudioInfo] | None = None,
        status: str = "imported",
        again: bool = False,
    ) -> list[Session]:
        """Copy audio/video files into ``media/`` and create one session per file.

        All or nothing: every file is decoded first (so empty, truncated and non-audio files are
        refused before anything is written), then copied through temporary files, then all rows
        are written in one transaction. On any failure the copies are removed and the project
        is exactly as before. Originals are never moved or changed.

        Args:
            sources: audio or video files.
            kind: focus_group, interview or observation.
            titles: session titles (default: each file name without extension).
            infos: what the decoder found, when the caller already probed the files.
            status: the session status ("imported", or "recorded" for recordings).
            again: import a file whose content (sha256) is already in the project, or given
                twice, as one more session (by default that is refused).

        Raises:
            AudioError: a file is missing, empty or not decodable audio.
            DuplicateMediaError: a file is already in the project (or listed twice) and not
                ``again``; nothing was changed.
            ReadOnlyError: a copy failed (read-only folder, disk full).
        """
        _check_kind(kind)
        ids = MediaImport(self._store).copy_in(
            [Path(src).expanduser() for src in sources],
            kind=kind,
            titles=titles,
            infos=infos,
            status=status,
            again=again,
        )
        return [self.get_session(session_id) for session_id in ids]

    def media_for_session(self, session_id: str) -> list[MediaFile]:
        """Return the media files of a session."""
        return [
            MediaFile(**dict(r))
            for r in self._store.rows(
                "SELECT * FROM media WHERE session_id = ? ORDER BY created_at", (session_id,)
            )
        ]

    def media_path(self, session_id: str) -> Path:
        """Return the absolute path of a session's (first) media file.

        Every reader of a session's recording (playing it, transcribing it, telling its
        speakers apart) gets it here.

        Raises:
            NotFoundError: the session has no media.
            AudioError: the media file is missing from the project folder.
            UnfinishedDestroyError: it is the clear audio a killed ``redact --destroy`` left
                (``core.destroy_pending``).
        """
        media = self.media_for_session(session_id)
        if not media:
            raise NotFoundError(f"Session {session_id} has no audio.")
        refuse_clear_audio(self._store, media[0].path)
        path = self._store.folder / media[0].path
        if not path.is_file():
            raise AudioError(f"{path}: the session's audio file is missing from the project.")
        return path

    # ----------------------------------------------------------------- participants
    def add_participant(
        self, pseudonym: str, attributes: dict[str, str] | None = None
    ) -> Participant:
        """Add a participant known by ``pseudonym`` with free attributes."""
        pseudonym = pseudonym.strip()
        if not pseudonym:
            raise InvalidInputError("A participant needs a pseudonym.")
        row = {
            "id": new_id(),
            "pseudonym": pseudonym,
            "attributes": json.dumps(attributes or {}, ensure_ascii=False, sort_keys=True),
            **self._store.stamp(),
        }
        with self._store.tx() as db:
            db.table("participants").insert(row)
        return self.get_participant(str(row["id"]))

    def get_participant(self, participant_id: str) -> Participant:
        """Return one participant or raise ``NotFoundError``."""
        row = self._store.one("SELECT * FROM participants WHERE id = ?", (participant_id,))
        if row is None:
            raise NotFoundError(f"No participant with id {participant_id!r}.")
        return _participant(row)

    def participants(self) -> list[Participant]:
        """Return every participant by pseudonym."""
        return [
            _participant(r)
            for r in self._store.rows("SELECT * FROM participants ORDER BY pseudonym")
        ]

    def update_participant(
        self,
        participant_id: str,
        *,
        pseudonym: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> Participant:
        """Change a participant's pseudonym and/or replace their attributes."""
        self.get_participant(participant_id)
        fields: dict[str, Any] = {"updated_at": now_iso()}
        if pseudonym is not None:
            if not pseudonym.strip():
                raise InvalidInputError("A participant needs a pseudonym.")
            fields["pseudonym"] = pseudonym.strip()
        if attributes is not None:
            fields["attributes"] = json.dumps(attributes, ensure_ascii=False, sort_keys=True)
        with self._store.tx() as db:
            db.table("participants").update(participant_id, fields)
        return self.get_participant(participant_id)

    def delete_participant(self, participant_id: str) -> DeletionReport:
        """Delete a participant; speaker mappings to them are cleared (and counted)."""
        participant = self.get_participant(participant_id)
        with self._store.tx() as db:
            n = db.conn.execute(
                "UPDATE session_speakers SET participant_id = NULL, updated_at = ? "
                "WHERE participant_id = ?",
                (now_iso(), participant_id),
            ).rowcount
            db.conn.execute("DELETE FROM participants WHERE id = ?", (participant_id,))
            self._store.tombstone("participants", participant_id)
        return DeletionReport(
            target=f"participant {participant.pseudonym!r}", removed={"speaker mappings": n}
        )

    # ----------------------------------------------------------------- speakers
    def map_speaker(
        self, session_id: str, label: str, participant_id: str | None
    ) -> SessionSpeaker:
        """Map a session's speaker label to a participant (or clear the mapping with None)."""
        self.get_session(session_id)
        if participant_id is not None:
            self.get_participant(participant_id)
        existing = self._store.one(
            "SELECT id FROM session_speakers WHERE session_id = ? AND label = ?",
            (session_id, label),
        )
        with self._store.tx() as db:
            if existing is None:
                db.table("session_speakers").insert(
                    {
                        "id": new_id(),
                        "session_id": session_id,
                        "label": label,
                        "participant_id": participant_id,
                        **self._store.stamp(),
                    }
                )
            else:
                db.table("session_speakers").update(
                    existing["id"], {"participant_id": participant_id, "updated_at": now_iso()}
                )
        return next(s for s in self.session_speakers(session_id) if s.label == label)

    def session_speakers(self, session_id: str) -> list[SessionSpeaker]:
        """Return the speaker labels of a session: mapped ones and those used by segments."""
        rows = self._store.rows(
            "SELECT * FROM session_speakers WHERE session_id = ? ORDER BY label", (session_id,)
        )
        result = [SessionSpeaker(**dict(r)) for r in rows]
        known = {s.label for s in result}
        for (label,) in self._store.rows(
            "SELECT DISTINCT speaker FROM segments WHERE session_id = ? AND speaker IS NOT NULL",
            (session_id,),
        ):
            if label not in known:
                result.append(
                    SessionSpeaker(
                        id="",
                        session_id=session_id,
                        label=label,
                        participant_id=None,
                        created_by="",
                        created_at="",
                        updated_at="",
                    )
                )
        return sorted(result, key=lambda s: s.label)

    # ----------------------------------------------------------------- markers
    def add_marker(
        self,
        session_id: str,
        time_ms: int,
        label: str,
        *,
        note: str | None = None,
        source: str = "manual",
    ) -> Marker:
        """Drop a time marker on a session."""
        self.get_session(session_id)
        if time_ms < 0:
            raise InvalidInputError("A marker time cannot be negative.")
        row = {
            "id": new_id(),
            "session_id": session_id,
            "time_ms": int(time_ms),
            "label": label,
            "note": note,
            "source": source,
            **self._store.stamp(),
        }
        with self._store.tx() as db:
            db.table("markers").insert(row)
        return Marker(**row)  # type: ignore[arg-type]

    def markers(self, session_id: str | None = None) -> list[Marker]:
        """Return the markers of one session (or of all), in time order."""
        if session_id is None:
            rows = self._store.rows("SELECT * FROM markers ORDER BY session_id, time_ms")
        else:
            rows = self._store.rows(
                "SELECT * FROM markers WHERE session_id = ? ORDER BY time_ms", (session_id,)
            )
        return [Marker(**dict(r)) for r in rows]

    def delete_marker(self, marker_id: str) -> None:
        """Delete one marker."""
        with self._store.tx() as db:
            if db.conn.execute("DELETE FROM markers WHERE id = ?", (marker_id,)).rowcount == 0:
                raise NotFoundError(f"No marker with id {marker_id!r}.")
            self._store.tombstone("markers", marker_id)


def _pairs(rows: list[sqlite3.Row]) -> dict[str, int]:
    return {str(r[0]): int(r[1] or 0) for r in rows}


def _participant(row: sqlite3.Row) -> Participant:
    return Participant(
        id=row["id"],
        pseudonym=row["pseudonym"],
        attributes=json.loads(row["attributes"] or "{}"),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


__all__ = ["AudioError", "AudioInfo", "Sessions", "sha256_of"]

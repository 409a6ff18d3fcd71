"""``Project``: the one entry point to a FieldScribe project folder.

A project is a folder ``NAME.fieldscribe/`` with ``project.db`` (SQLite, WAL, foreign keys on)
and ``media/`` (copies of the audio). Open it with ``Project.open`` or create it with
``Project.create``; both return a context manager::

    with Project.create(path, name="E-government focus groups", coder="coder-a") as project:
        project.sessions.import_audio(Path("interview1.m4a"), kind="interview")
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from storage.core.atomic import sweep_renamed, sweep_staging
from storage.core.errors import (
    DiskFullError,
    InvalidInputError,
    NotAProjectError,
    ReadOnlyError,
    is_disk_full,
)
from storage.core.ids import new_id, now_iso
from storage.core.languages import parse_languages
from storage.core.left_behind import tell
from storage.core.lock import ProjectLock
from storage.core.meta import put_meta
from storage.core.models import (
    CHANGED_SUFFIX,
    LEAD_KEY,
    NUMBER_STYLES,
)
from storage.core.names import checked_name
from storage.core.project_files import (
    check_sqlite_header,
    connect,
    create_error,
    move_into_place,
    no_space_left,
    refuse_existing,
    sweep_abandoned_builds,
    tell_swept,
    umask,
)
from storage.core.schema import SCHEMA_VERSION, check_not_newer, migrate
from storage.core.stale_words import WORDS_FOLLOW_EDITS_KEY, repair_stale_words
from storage.core.store import Store
from storage.core.words import plural

if TYPE_CHECKING:
    from sqlite_utils import Database

    from storage.codebook.codebook import Codebook
    from storage.codebook.links import Links
    from storage.codebook.retrieval import Retrieval
    from storage.history.undo import History
    from storage.privacy.audit import AuditLog
    from storage.privacy.consent import ConsentRecords
    from storage.privacy.consent_notes import ConsentNotes
    from storage.privacy.privacy import Privacy
    from storage.privacy.redaction import Redactions
    from storage.recordings.guide import Recordings
    from storage.sessions.missing_audio import MissingAudioFiles
    from storage.sessions.sessions import Sessions
    from storage.speakers.speakers import Speakers
    from storage.team.coders import Coders
    from storage.team.teamwork import Team
    from storage.transcript.transcript import Transcript
    from storage.transcript.transcription import Transcription
    from storage.transcript.unsaved import UnsavedTexts

DB_NAME = "project.db"
PROJECT_SUFFIX = ".fieldscribe"


class Project:
    """An open FieldScribe project: owns the database, the write lock and transactions.

    The features are plain objects handed out as attributes, each built on first use:
    ``sessions`` (sessions, media, participants, markers), ``transcript`` (segments, search),
    ``transcription`` (runs of the transcriber), ``unsaved_text`` (typing not saved yet),
    ``codebook`` (codes, codings, memos),
    ``retrieval`` (coded segments back, transcript columns), ``speakers`` (labels, profiles,
    ``speakers.turns``), ``team`` (conflicts, blind coding, agreement data), ``consent``,
    ``privacy`` (pseudonyms, keys, the export filter), ``redactions``, ``audit``, ``recordings``
    and ``history`` (undo/redo). Bundles, merges and exchange formats are functions in
    ``storage.team`` and ``storage.interop`` that take the project.
    """

    def __init__(
        self, folder: Path, conn: sqlite3.Connection, lock: ProjectLock | None, readonly: bool
    ) -> None:
        self.store = Store(folder, conn, readonly)
        self._lock = lock

    # ----------------------------------------------------------------- the database
    @property
    def folder(self) -> Path:
        """The project folder."""
        return self.store.folder

    @property
    def db(self) -> Database:
        """The sqlite-utils ``Database`` (for the storage package; others use the features)."""
        return self.store.db

    @property
    def readonly(self) -> bool:
        """Whether the project was opened without the write lock."""
        return self.store.readonly

    @property
    def coder(self) -> str:
        """Who writes: recorded as ``created_by`` of new rows."""
        return self.store.coder

    @coder.setter
    def coder(self, name: str) -> None:
        self.store.coder = name

    @property
    def media_dir(self) -> Path:
        """The folder holding the project's copies of audio files."""
        return self.store.media_dir

    def reader_on(self, conn: sqlite3.Connection) -> Project:
        """A read-only project over another connection to a copy of this database (a bundle's
        snapshot), with this project's folder for its media."""
        return Project(self.folder, conn, None, readonly=True)

    def transaction(self) -> Any:
        """A context manager grouping several API calls into one transaction."""
        return self.store.tx()

    # ----------------------------------------------------------------- features
    @cached_property
    def sessions(self) -> Sessions:
        """Sessions, media files, participants, speaker mapping, markers."""
        from storage.sessions.sessions import Sessions

        return Sessions(self.store, self)

    @cached_property
    def missing_audio(self) -> MissingAudioFiles:
        """Recordings the project records but lacks (a bundle without its audio), and finding
        them in files or folders."""
        from storage.sessions.missing_audio import MissingAudioFiles

        return MissingAudioFiles(self.store, self)

    @cached_property
    def transcript(self) -> Transcript:
        """Segments: add, edit, split, merge, delete, full-text search."""
        from storage.transcript.transcript import Transcript

        return Transcript(self.store, self)

    @cached_property
    def transcription(self) -> Transcription:
        """Transcription runs (state, resumable writes)."""
        from storage.transcript.transcription import Transcription

        return Transcription(self.store, self)

    @cached_property
    def unsaved_text(self) -> UnsavedTexts:
        """Text typed into segments and not saved yet (kept in ``DIR/drafts`` while typing,
        offered back after a crash)."""
        from storage.transcript.unsaved import UnsavedTexts

        return UnsavedTexts(self.store, self)

    @cached_property
    def codebook(self) -> Codebook:
        """Codes, codings and memos."""
        from storage.codebook.codebook import Codebook

        return Codebook(self.store, self)

    @cached_property
    def links(self) -> Links:
        """Named links between codes, sessions, passages, memos and participants."""
        from storage.codebook.links import Links

        return Links(self.store, self)

    @cached_property
    def retrieval(self) -> Retrieval:
        """Coded segments back (filters), transcripts and codings as columns."""
        from storage.codebook.retrieval import Retrieval

        return Retrieval(self.store, self)

    @cached_property
    def speakers(self) -> Speakers:
        """Speaker labels and statistics, voice profiles, the speaker timeline (``turns``)."""
        from storage.speakers.speakers import Speakers

        return Speakers(self.store, self)

    @cached_property
    def team(self) -> Team:
        """Merge conflicts, blind coding, inter-coder agreement data."""
        from storage.team.teamwork import Team

        return Team(self.store, self)

    @cached_property
    def coders(self) -> Coders:
        """Who codes: this copy's own coder, registering, listing and deleting coders."""
        from storage.team.coders import Coders

        return Coders(self.store, self)

    @cached_property
    def privacy(self) -> Privacy:
        """Consent, pseudonyms, team keys, the privacy filter of exports."""
        from storage.privacy.privacy import Privacy

        return Privacy(self.store, self)

    @cached_property
    def consent(self) -> ConsentRecords:
        """Participants' consent records, and who a use is not covered for."""
        from storage.privacy.consent import ConsentRecords

        return ConsentRecords(self.store, self)

    @cached_property
    def consent_notes(self) -> ConsentNotes:
        """Consent warnings acknowledged (not asked again while nothing changes)."""
        from storage.privacy.consent_notes import ConsentNotes

        return ConsentNotes(self.store, self)

    @cached_property
    def redactions(self) -> Redactions:
        """Redacted words and audio."""
        from storage.privacy.redaction import Redactions

        return Redactions(self.store, self)

    @cached_property
    def audit(self) -> AuditLog:
        """The audit log."""
        from storage.privacy.audit import AuditLog

        return AuditLog(self.store, self)

    @cached_property
    def recordings(self) -> Recordings:
        """What recordings left: markers by label, guide answers."""
        from storage.recordings.guide import Recordings

        return Recordings(self.store, self)

    @cached_property
    def history(self) -> History:
        """Undo and redo of workbench edits."""
        from storage.history.undo import History

        return History(self.store, self)

    # ----------------------------------------------------------------- lifecycle
    @staticmethod
    def check_new_folder(folder: str | Path) -> None:
        """Raise ProjectExistsError when ``create`` would refuse ``folder`` because it exists
        (a dialog asks this before the rest of its questions)."""
        refuse_existing(Path(folder))

    @classmethod
    def create(
        cls,
        folder: str | Path,
        *,
        name: str | None = None,
        coder: str,
        fill: Callable[[Project], object] | None = None,
    ) -> Project:
        """Create a new project folder and open it for writing.

        Atomic against a second creator: the project is built in a private hidden folder
        beside ``folder`` and renamed into place in one step, so two creators racing for one
        folder never see or delete each other's work -- one wins, the other gets
        ``ProjectExistsError`` and leaves nothing behind.

        Args:
            folder: the folder to create (conventionally ``NAME.fieldscribe``); it must not exist
                or must be empty.
            name: the project's display name (default: the folder name without suffix).
            coder: the coder registered as the owner of this copy of the project.
            fill: what the new project starts with (a bundle merged, a .qdpx imported), written
                while it is still in the hidden folder: ``folder`` appears only once that is
                done, so a creator killed meanwhile (power cut, kill -9) leaves no half-filled
                project under the name, and running it again is not refused. An exception from
                ``fill`` propagates unchanged, and nothing is created.

        Raises:
            ProjectExistsError: the folder exists and is not empty (or another creator made it
                first).
            ReadOnlyError: the folder cannot be created (also ``DiskFullError``).
        """
        folder = Path(folder).expanduser()
        coder = checked_name("The coder name", coder)
        if folder.is_symlink() and folder.is_dir():
            folder = folder.resolve()  # a link to an empty folder: create the project there
        refuse_existing(folder)
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            tell_swept(folder.parent, sweep_abandoned_builds(folder.parent))
            work = Path(
                tempfile.mkdtemp(
                    prefix=f".{folder.name}.creating-{os.getpid()}-", dir=folder.parent
                )
            )
        except OSError as exc:
            if is_disk_full(exc):
                raise create_error(folder, exc) from exc
            raise ReadOnlyError(
                f"{folder}: cannot create the project folder ({exc.strerror or exc})."
            ) from exc
        lock = ProjectLock(work)
        fill_error: BaseException | None = None  # raised by ``fill``: passed on unchanged
        try:
            (work / "media").mkdir()
            lock.acquire()  # the lock file's inode moves with the folder: held throughout
            conn = connect(work / DB_NAME, readonly=False)
            try:
                migrate(conn, str(folder))
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT INTO project_meta (key, value) VALUES (?, ?)",
                    [
                        ("project_id", new_id()),
                        ("name", (name or folder.name.removesuffix(PROJECT_SUFFIX)).strip()),
                        ("created_at", now_iso()),
                        ("created_by", coder),
                        ("owner", coder),
                        # whoever creates a project leads it (a copy made from a bundle takes
                        # the bundle's lead instead: ``_Merge.adopt``)
                        (LEAD_KEY, coder),
                        (f"{LEAD_KEY}{CHANGED_SUFFIX}", now_iso()),
                        # its word timings follow its text from the start: nothing to repair
                        (WORDS_FOLLOW_EDITS_KEY, now_iso()),
                    ],
                )
                conn.execute(
                    "INSERT OR IGNORE INTO coders (name, created_at) VALUES (?, ?)",
                    (coder, now_iso()),
                )
                conn.execute("COMMIT")
            finally:
                conn.close()
            if fill is not None:
                building = cls(work, connect(work / DB_NAME, readonly=False), None, False)
                building.coder = coder
                try:
                    fill(building)
                except BaseException as exc:
                    fill_error = exc
                    raise
                finally:
                    building.close()
            os.chmod(work, 0o777 & ~umask())  # mkdtemp made it private; a project is not
            move_into_place(work, folder)
        except BaseException as exc:
            lock.release()
            shutil.rmtree(work, ignore_errors=True)
            if exc is not fill_error and isinstance(exc, OSError | sqlite3.Error):
                raise create_error(folder, exc) from exc
            raise
        try:
            project = cls(folder, connect(folder / DB_NAME, readonly=False), lock, False)
            project.coder = coder
            return project
        except sqlite3.Error as exc:
            lock.release()
            raise create_error(folder, exc) from exc

    @classmethod
    def from_bundle(
        cls, bundle_path: str | Path, folder: str | Path, *, coder: str, name: str | None = None
    ) -> Project:
        """Create a project from a team bundle: same ids, sessions, segments, codebook (and media).

        The new project keeps the bundle's project id, so the coder's later bundles merge back
        into the lead's project; it is registered to ``coder``.

        Returns:
            The open ``Project`` (close it, or use it as a context manager).

        Raises:
            InvalidBundleError: the bundle is refused (nothing is created).
            ProjectExistsError: the folder exists and is not empty.
        """
        from storage.team.bundle_open import open_bundle
        from storage.team.merge import merge_bundle

        folder = Path(folder).expanduser()
        with open_bundle(bundle_path) as opened:
            # merged before the folder appears: a kill meanwhile leaves no empty project there
            return cls.create(
                folder,
                name=name or opened.manifest.get("project_name") or None,
                coder=coder,
                fill=lambda project: merge_bundle(
                    project, opened, allow_other_project=True, adopt=True
                ),
            )

    @classmethod
    def open(
        cls,
        folder: str | Path,
        *,
        coder: str | None = None,
        readonly: bool = False,
        register_coder: bool = True,
    ) -> Project:
        """Open an existing project.

        Args:
            folder: the project folder.
            coder: who writes (default: the project's owner coder).
            readonly: open without taking the write lock; writes then raise ``ReadOnlyError``.
            register_coder: add ``coder`` to the project's coders now; with False it is added
                by its first write (so a command that fails changes nothing).

        Raises:
            NotAProjectError: the folder is not a FieldScribe project.
            NewerSchemaError: the project was written by a newer FieldScribe.
            ProjectLockedError: another process has it open for writing.
        """
        folder = Path(folder).expanduser()
        db_path = folder / DB_NAME
        if folder.is_file():
            raise NotAProjectError(
                f"{folder} is a file, not a project folder; give the project folder "
                "(NAME.fieldscribe) first, then the files (`fieldscribe import DIR FILE...`)."
            )
        if not folder.is_dir():
            raise NotAProjectError(f"{folder}: no such project folder.")
        if not db_path.is_file():
            raise NotAProjectError(
                f"{folder} is not a FieldScribe project (no {DB_NAME}); "
                "create one with `fieldscribe new`."
            )
        check_sqlite_header(db_path)
        lock = None
        if not readonly:
            lock = ProjectLock(folder)
            lock.acquire()
        try:
            conn = connect(db_path, readonly=readonly)
            project = cls(folder, conn, lock, readonly=readonly)
            _check_is_project(project, folder)
            from storage.privacy import audio_swap
            from storage.sessions.kept_audio import put_back

            if readonly:
                check_not_newer(project.store.conn, str(folder))
                audio_swap.tell_unfinished(project.store)
            else:  # refuses a newer schema before it writes anything
                migrate(project.store.conn, str(folder))
                # once: the words hand edits of an older FieldScribe left behind go
                repair_stale_words(project.store)
                # a destroy killed after its commit: its clear audio goes before anything reads
                # it (and the silenced copies of one killed before its commit)
                audio_swap.finish_left_over(project.store)
                # copies a killed FieldScribe left half-written (an import, a merge): the lock
                # says that nobody is writing them now
                sweep_staging(project.media_dir)
                _sweep_renamed(project)
                # a deleted session's audio a restore (or the deletion) killed left in media/
                put_back(project.store)
                # and hidden builds of projects beside it that a killed creator left
                tell_swept(folder.parent, sweep_abandoned_builds(folder.parent))
            owner = project.get_meta("owner") or ""
            project.coder = (coder or owner).strip()
            if coder and not readonly:
                if register_coder:
                    project.coders.use(coder)
                else:
                    project.coder = checked_name("The coder name", coder)
            return project
        except sqlite3.DatabaseError as exc:
            if lock is not None:
                lock.release()
            if is_disk_full(exc) or no_space_left(folder, exc):
                raise DiskFullError(
                    f"{folder}: the disk is full, so the project cannot be opened for writing; "
                    "nothing was changed. Free some space (or open it read-only)."
                ) from exc
            raise NotAProjectError(
                f"{db_path} is damaged or not a FieldScribe database ({exc})."
            ) from exc
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    def close(self) -> None:
        """Close the database and release the write lock."""
        with self.store.mutex:
            if not self.readonly:
                with contextlib.suppress(sqlite3.Error):
                    self.store.conn.execute("PRAGMA optimize")
            self.store.conn.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Project:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- metadata
    @property
    def id(self) -> str:
        """The project's global id (shared by every copy made from bundles)."""
        return self.get_meta("project_id") or ""

    @property
    def name(self) -> str:
        """The project's display name."""
        return self.get_meta("name") or self.folder.name

    @property
    def schema_version(self) -> int:
        """The schema version of this FieldScribe."""
        return SCHEMA_VERSION

    @property
    def languages(self) -> list[str]:
        """The languages the project expects (Whisper codes, in order); [] when not said."""
        raw = self.get_meta("languages") or ""
        return [code for code in raw.split(",") if code]

    def set_languages(self, codes: str | list[str] | tuple[str, ...]) -> list[str]:
        """Set the languages the project expects ("ru,kk,en" or a list; "" or [] to unset).

        Raises:
            InvalidInputError: a code is unknown (nothing is changed).
        """
        parsed = parse_languages(codes)
        self._set_setting("languages", ",".join(parsed))
        return parsed

    @property
    def model(self) -> str | None:
        """The Whisper model the project transcribes with (a name or folder), or None: the
        default for its languages (``transcribe.models.default_model``)."""
        return self.get_meta("model") or None

    def set_model(self, name: str | None) -> None:
        """Set the project's model (checked by the caller: storage knows no models); None or
        "" (or "auto") goes back to the default for the project's languages."""
        value = (name or "").strip()
        self._set_setting("model", "" if value.lower() == "auto" else value)

    @property
    def numbers(self) -> str:
        """How transcription writes numbers: "words" as said (the default) or "digits"."""
        value = self.get_meta("numbers")
        return value if value in NUMBER_STYLES else NUMBER_STYLES[0]

    def set_numbers(self, style: str) -> None:
        """Write numbers as said ("words") or as digits ("digits") in new transcripts; anything
        else is refused with one line and nothing changes."""
        value = style.strip().lower()
        if value not in NUMBER_STYLES:
            raise InvalidInputError(
                f"Numbers are written as {' or '.join(NUMBER_STYLES)}, not {style!r}."
            )
        self._set_setting("numbers", value)

    def _set_setting(self, key: str, value: str) -> None:
        """Set one of ``SHARED_SETTINGS`` and when it changed (the newest change travels: a
        bundle merged here brings a newer one, ``storage.team.merge``). Setting the value it
        already has changes nothing: Project settings saved without a change must not make
        this project's setting newer than a teammate's real change."""
        current = ",".join(self.languages) if key == "languages" else getattr(self, key) or ""
        if value == current:
            return
        with self.store.tx():
            self.set_meta(key, value)
            self.set_meta(f"{key}{CHANGED_SUFFIX}", now_iso())

    def get_meta(self, key: str) -> str | None:
        """Return one project metadata value, or None."""
        value = self.store.scalar("SELECT value FROM project_meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        """Set one project metadata value."""
        with self.store.tx() as db:
            put_meta(db.conn, key, value)

    def metadata(self) -> dict[str, Any]:
        """Return all project metadata as a dict."""
        return {row["key"]: row["value"] for row in self.store.rows("SELECT * FROM project_meta")}


def _sweep_renamed(project: Project) -> None:
    """Audio copies an import or a merge killed between their renames and its commit left in
    ``media/`` with no row naming them (only those its own list names); said in one line."""
    store = project.store

    def named(name: str) -> bool:
        return store.one("SELECT 1 FROM media WHERE path = ?", (f"media/{name}",)) is not None

    removed = sweep_renamed(project.media_dir, named)
    if removed:
        tell(
            f"{project.folder}: removed {plural(len(removed), 'audio copy', 'audio copies')} "
            f"({', '.join(sorted(removed))}) that an import or merge killed before its commit "
            "left in media/; import the audio again if it is missing."
        )


def _check_is_project(project: Project, folder: Path) -> None:
    try:
        row = project.store.one(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'project_meta'"
        )
    except sqlite3.DatabaseError as exc:
        if is_disk_full(exc) or no_space_left(folder, exc):
            raise
        raise NotAProjectError(f"{folder / DB_NAME} is damaged ({exc}).") from exc
    if row is None:
        raise NotAProjectError(
            f"{folder / DB_NAME} is a SQLite file but not a FieldScribe project."
        )

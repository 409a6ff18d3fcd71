"""Team bundles: a consistent snapshot of a project that another laptop can start from or merge.

Format (``.fsbundle``): a zip file holding

* ``manifest.json``: format, schema version, project id and name, the coder who exported it,
  when, the ``--since`` date if any, row counts per table, and the size and sha256 of every
  other member;
* ``project.db``: a plain SQLite database (the project's schema) taken with SQLite's online
  backup API, so it is consistent even while the app is writing; deflated (a bundle is mailed
  and carried on USB sticks: about a quarter of the size). Unzip it and it opens in any SQLite
  tool. Version-history triggers
  and the FTS5 index ``segments_fts`` are dropped from the snapshot (the receiving project
  rebuilds its index); of the ``conflicts``, only the resolved ones stay, without the competing
  values (their decisions travel: see ``storage.team.merge``);
* ``media/NAME``: the audio files, only with ``--with-media``.

A bundle is untrusted input. Reading one refuses entries with absolute paths, ``..``, links,
names not listed in the manifest, sizes other than the manifest's, checksum mismatches, a schema
from a newer FieldScribe, and databases with triggers, views or virtual tables. The database is
opened read-only with ``trusted_schema=OFF``; rows are copied by explicit columns after their
types are checked, and the project's own constraints (CHECKs, foreign keys, uniqueness) apply.
Every refusal raises ``InvalidBundleError`` (or ``NewerSchemaError``) and changes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib
import json
import os
import re
import sqlite3
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlite_utils import Database

from storage.core.atomic import check_output, raise_if_cancelled
from storage.core.audio import sha256_of
from storage.core.errors import (
    DiskFullError,
    FieldScribeError,
    InvalidInputError,
    NewerSchemaError,
    ReadOnlyError,
)
from storage.core.ids import now_iso
from storage.core.schema import SCHEMA_VERSION, applied_names, check_not_newer, migrate
from storage.core.schema_teamwork import TRAVELLING_TABLES
from storage.core.tempdirs import make_private_dir, remove_private_dir
from storage.core.zipcheck import ZipCaps, check_count, check_declared, check_free_space
from storage.privacy.bundle import (
    export_encrypted,
    log_encryption,
    register_safe_versions,
    sanitize_snapshot,
)
from storage.privacy.models import ExportPrivacy
from storage.team.not_a_bundle import not_a_file, not_a_zip, zip_without_manifest


def _load_inflater() -> tuple[Any, tuple[type[BaseException], ...]]:
    """ISA-L's zlib (inflates about twice as fast), else zlib: the module and its errors."""
    try:
        isal_zlib: Any = importlib.import_module("isal.isal_zlib")
    except ImportError:  # pragma: no cover - isal is a dependency; zlib does the same, slower
        return zlib, (zlib.error,)
    return isal_zlib, (isal_zlib.error, zlib.error)


_inflater, _INFLATE_ERRORS = _load_inflater()
#: inflated bytes handed on at once (small blocks: the allocator reuses their memory)
_OUT_BLOCK = 1 << 22

BUNDLE_FORMAT = "fieldscribe-bundle"
BUNDLE_FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = "project.db"
_MAX_MANIFEST = 4 << 20
_MEDIA_NAME = re.compile(r"^media/[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?Z?)?$")


class InvalidBundleError(FieldScribeError):
    """A bundle is malformed, tampered with or belongs elsewhere; nothing was changed."""


class OtherProjectBundleError(InvalidBundleError):
    """A bundle of another project: ``theirs`` names it (its name, else its id)."""

    def __init__(self, message: str, *, bundle: str, theirs: str, project_id: str) -> None:
        super().__init__(message)
        self.bundle = bundle
        self.theirs = theirs
        self.project_id = project_id


@dataclass
class BundleInfo:
    """What ``export_bundle`` wrote."""

    path: Path
    manifest: dict[str, Any]

    @property
    def counts(self) -> dict[str, int]:
        """Rows per table in the bundle."""
        counts: dict[str, int] = self.manifest["counts"]
        return counts


@dataclass
class OpenedBundle:
    """A bundle checked and unpacked into a private temporary folder.

    ``differing`` (filled ahead by ``storage.team.merge.find_differing``, or empty): per table, the
    rowids of the bundle's rows that differ from the project's rows as they were then.
    ``checked`` (filled there too): the tables whose rows were found valid ahead (of the
    ``differing`` rows for the tables in it, else every row); ``in_order``: the tables whose
    rows are stored in the order of their widest index (inserted as stored).
    """

    path: Path
    manifest: dict[str, Any]
    folder: Path
    db_path: Path
    media: dict[str, Path] = field(default_factory=dict)
    differing: dict[str, list[int]] = field(default_factory=dict)
    checked: frozenset[str] = frozenset()
    in_order: frozenset[str] = frozenset()

    @property
    def coder(self) -> str:
        """The coder who exported the bundle."""
        return str(self.manifest.get("coder") or "")

    @property
    def project_id(self) -> str:
        """The id of the project the bundle was exported from."""
        return str(self.manifest.get("project_id") or "")


def parse_since(value: str) -> str:
    """Check a ``--since`` date (YYYY-MM-DD or an ISO time) and return it in stored form."""
    value = value.strip()
    if not _DATE.match(value):
        raise InvalidInputError(f"Invalid date {value!r}; use YYYY-MM-DD or YYYY-MM-DDTHH:MM.")
    return value.replace(" ", "T")


# --------------------------------------------------------------------------- export
def export_bundle_file(
    project: Any,
    out: str | Path,
    *,
    with_media: bool = False,
    since: str | None = None,
    privacy: ExportPrivacy | None = None,
    voice_profiles: bool = True,
    passphrase: str | None = None,
    recipients: list[Any] | None = None,
) -> BundleInfo:
    """Write a bundle, encrypted when a passphrase or teammates' public keys are given.

    What the command line (``bundle export``) and the workbench (Team ▸ Export a bundle) both
    do: ``export_bundle`` into ``out``, or, with ``passphrase`` and/or ``recipients``
    (``X25519PublicKey``), ``storage.privacy.bundle.export_encrypted`` (the clear bundle never
    lands next to ``out``) with the encryption recorded in the audit log.

    Raises:
        InvalidInputError: a bad ``since`` date.
        ReadOnlyError: the bundle cannot be written (folder missing, disk full).
    """
    options: dict[str, Any] = {
        "with_media": with_media,
        "since": since,
        "privacy": privacy,
        "voice_profiles": voice_profiles,
    }
    keys = list(recipients or [])
    if passphrase is None and not keys:
        return export_bundle(project, out, **options)
    out = Path(out).expanduser()
    info: BundleInfo = export_encrypted(
        lambda tmp: export_bundle(project, tmp, **options),
        out,
        passphrase=passphrase,
        recipients=keys,
    )
    info.path = out
    log_encryption(project, out, passphrase, keys)
    return info


def export_bundle(
    project: Any,
    out: str | Path,
    *,
    with_media: bool = False,
    since: str | None = None,
    privacy: ExportPrivacy | None = None,
    voice_profiles: bool = True,
) -> BundleInfo:
    """Write a bundle of ``project`` to ``out`` (replaced atomically).

    The snapshot is made safe to share first (``storage.privacy.bundle.sanitize_snapshot``):
    the real-name mapping and the audit log never travel, texts use pseudonyms and redacted
    spans read ``[REDACTED]`` (their audio silenced) unless ``privacy`` turns that off.
    The export is logged in the project's audit log (when it is open for writing).

    Args:
        project: an open ``Project`` (read-only is fine: nothing in it is changed).
        out: the ``.fsbundle`` file to write.
        with_media: include the audio files.
        since: only rows changed (and deletions made) at or after this date; a partial bundle
            merges only into a project that already has the rest.
        privacy: the protections (None: the safe default).
        voice_profiles: include the voice profiles (speaker embeddings, biometric data);
            False leaves them, their deletions and their history out of the bundle.

    Raises:
        InvalidInputError: a bad ``since`` date.
        ReadOnlyError: the bundle cannot be written (folder missing, disk full).
    """
    out = check_output(Path(out))  # a symlink, FIFO or device is refused, not replaced
    since = parse_since(since) if since else None
    if not out.parent.is_dir():
        raise ReadOnlyError(f"{out.parent}: no such folder; cannot write the bundle there.")
    # the snapshot (unsanitised until sanitize_snapshot is done) and the redacted audio copies
    # live in a private temporary folder, never next to the user's output
    work = make_private_dir("export")
    part = out.with_name(f".{out.name}.part")  # the finished, sanitised zip, then renamed
    try:
        snapshot = work / DB_MEMBER
        dest = sqlite3.connect(str(snapshot))
        try:
            with project.store.mutex:
                project.store.conn.backup(dest)
            safe = sanitize_snapshot(dest, project, privacy, work)
            counts, media_paths = _prepare_snapshot(dest, since, voice_profiles)
        finally:
            dest.close()
        members: dict[str, dict[str, Any]] = {
            DB_MEMBER: {"size": snapshot.stat().st_size, "sha256": sha256_of(snapshot)}
        }
        media_files: list[tuple[str, Path]] = []
        if with_media:
            for rel in media_paths:
                src = safe.media.get(rel) or project.folder / rel
                if not _MEDIA_NAME.match(rel) or not src.is_file():
                    continue  # a missing audio file is not a reason to refuse the export
                try:
                    members[rel] = {"size": src.stat().st_size, "sha256": sha256_of(src)}
                except OSError as exc:
                    raise ReadOnlyError(
                        f"{src}: cannot read this audio file ({exc.strerror or exc}); the bundle "
                        f"was not written. Fix its permissions or export without --with-media."
                    ) from exc
                media_files.append((rel, src))
        manifest = {
            "format": BUNDLE_FORMAT,
            "format_version": BUNDLE_FORMAT_VERSION,
            "schema_version": SCHEMA_VERSION,
            "project_id": project.id,
            "project_name": project.privacy.privacy_filter(
                pseudonymise=privacy is None or privacy.pseudonymise
            ).label(project.name),
            "coder": project.coder,
            "lead": project.team.lead,  # also in its project.db, which the merge reads
            "created_at": now_iso(),
            "since": since,
            "with_media": with_media,
            "voice_profiles": voice_profiles,
            "counts": counts,
            "members": members,
        }
        # the database is deflated (about 4:1): bundles are mailed and carried around. Stored,
        # a merge would save inflating it (about 0.55 s of CPU per 125 MiB on a slow laptop),
        # too little to make every bundle four times larger.
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
            zf.write(snapshot, DB_MEMBER)
            for rel, src in media_files:
                zf.write(src, rel, compress_type=zipfile.ZIP_STORED)
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
        raise_if_cancelled(out)  # the workbench's Cancel: the earlier bundle, or none, stays
        os.replace(part, out)
        _fsync_folder(out.parent)
        register_safe_versions(project, safe.versions)
        if not project.readonly:
            project.audit.log_event(
                "export",
                None,
                None,
                {
                    "what": "bundle",
                    "file": out.name,
                    "with_media": with_media,
                    "voice_profiles": voice_profiles,
                    "since": since,
                    "pseudonymised": privacy is None or privacy.pseudonymise,
                    "redacted": privacy is None or privacy.redact,
                    "consented_only": privacy.consented_only if privacy else None,
                },
            )
        return BundleInfo(path=out, manifest=manifest)
    except OSError as exc:
        part.unlink(missing_ok=True)
        if exc.filename is not None and Path(exc.filename) not in (part, out):
            raise ReadOnlyError(
                f"{exc.filename}: cannot read it ({exc.strerror or exc}); the bundle was not "
                "written."
            ) from exc
        raise ReadOnlyError(f"{out}: could not write the bundle ({exc.strerror or exc}).") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        remove_private_dir(work)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _prepare_snapshot(
    conn: sqlite3.Connection, since: str | None, voice_profiles: bool = True
) -> tuple[dict[str, int], list[str]]:
    """Strip a fresh snapshot down to what travels; return row counts and media paths."""
    conn.isolation_level = None
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("BEGIN")
    _drop_triggers_and_views(conn)
    conn.execute("DROP TABLE IF EXISTS segments_fts")
    # open conflicts are this copy's business; decisions travel, without the competing values
    # (texts that may predate pseudonyms and redactions)
    conn.execute("DELETE FROM conflicts WHERE status <> 'resolved'")
    for conflict_id, versions in conn.execute("SELECT id, versions FROM conflicts").fetchall():
        bare = [{**v, "values": {}} for v in json.loads(versions)]
        conn.execute(
            "UPDATE conflicts SET versions = ? WHERE id = ?", (json.dumps(bare), conflict_id)
        )
    if not voice_profiles:
        conn.execute("DELETE FROM speaker_profiles")
        for table in ("deletions", "row_versions"):
            conn.execute(f"DELETE FROM {table} WHERE table_name = 'speaker_profiles'")
    if since is not None:
        for table in TRAVELLING_TABLES:
            keep = ""
            if table == "segments":
                # the text a span coding that travels is anchored in: a copy that changed
                # the segment since moves the span along (without it, the span's code points
                # fell on other words of the changed text)
                keep = (
                    " AND id NOT IN (SELECT segment_id FROM codings "
                    "WHERE start_cp IS NOT NULL AND updated_at >= ?1)"
                )
            conn.execute(f"DELETE FROM {table} WHERE updated_at < ?1{keep}", (since,))
        conn.execute("DELETE FROM deletions WHERE deleted_at < ?", (since,))
        conn.execute("DELETE FROM conflicts WHERE resolved_at < ?", (since,))
        for table in TRAVELLING_TABLES:
            conn.execute(
                f"DELETE FROM row_versions WHERE table_name = ? "
                f"AND row_id NOT IN (SELECT id FROM {table}) "
                # where a merged code went: tells its dropped codings from a deletion
                "AND version NOT LIKE 'merged-into:%'",
                (table,),
            )
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    counts = {
        t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
        for t in (*TRAVELLING_TABLES, "coders", "deletions")
    }
    media = [r[0] for r in conn.execute("SELECT path FROM media ORDER BY path")]
    return counts, media


def _drop_triggers_and_views(conn: sqlite3.Connection) -> None:
    """Drop what a bundle's database never holds: the project's triggers and views."""
    for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
    ).fetchall():
        conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')


# --------------------------------------------------------------------------- reading
@contextlib.contextmanager
def open_bundle(path: str | Path) -> Iterator[OpenedBundle]:
    """Check a bundle and unpack it into a private temporary folder (removed afterwards).

    Raises:
        InvalidBundleError: the file is not a valid, untampered FieldScribe bundle.
        NewerSchemaError: the bundle was written by a newer FieldScribe.
    """
    opened = _open_checked(path)
    try:
        yield opened
    finally:
        remove_private_dir(opened.folder, shred=False)


#: Limits on a bundle, checked before anything is unpacked (``storage.core.zipcheck``): the
#: members (the manifest, the database, one per audio file), each one's and their total
#: unpacked size, the compression ratio; and the free space of the temporary folder.
BUNDLE_CAPS = ZipCaps(
    max_members=10_000,
    max_member_bytes=64 << 30,
    max_total_bytes=256 << 30,
    max_ratio=200,
    max_directory_bytes=8 << 20,
)


def _open_checked(path: str | Path, shown: str | Path | None = None) -> OpenedBundle:
    """Unpack and check a bundle; the caller removes ``folder`` (removed here on refusal).

    ``shown``: the file to name in messages and in the audit log (the user's encrypted file
    when ``path`` is its decrypted temporary copy).
    """
    path = Path(path).expanduser()
    name = Path(shown).expanduser() if shown is not None else path
    try:
        return _open_checked_as(path, name)
    except InvalidBundleError as exc:
        if name == path:
            raise
        raise InvalidBundleError(str(exc).replace(str(path), str(name))) from exc
    except NewerSchemaError as exc:
        if name == path:
            raise
        raise NewerSchemaError(str(exc).replace(str(path), str(name))) from exc


def _open_checked_as(path: Path, name: Path) -> OpenedBundle:
    if not path.is_file():
        raise InvalidBundleError(not_a_file(path))

    def refuse(why: str) -> InvalidBundleError:
        return InvalidBundleError(f"{path}: {why}; the bundle was refused, nothing was changed.")

    try:
        check_count(path, BUNDLE_CAPS, refuse)
    except OSError as exc:
        raise InvalidBundleError(f"{path}: cannot read it ({exc.strerror or exc}).") from exc
    if not zipfile.is_zipfile(path):
        raise InvalidBundleError(not_a_zip(path))
    work = make_private_dir("merge")
    try:
        try:
            with zipfile.ZipFile(path) as zf:
                needed = check_declared(zf.infolist(), BUNDLE_CAPS, refuse)
                check_free_space(work, needed, refuse)
                opened = _unpack(path, zf, work)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
            raise InvalidBundleError(f"{path} is damaged ({exc}); export it again.") from exc
        except OSError as exc:
            full = exc.errno == errno.ENOSPC
            raise (DiskFullError if full else InvalidBundleError)(
                f"{path}: could not unpack it into {work.parent} ({exc.strerror or exc}); "
                + ("free some space or set TMPDIR to a larger folder; " if full else "")
                + "nothing was changed."
            ) from exc
        if _check_database(opened):
            _upgrade_older(opened)
        opened.path = name
    except BaseException:
        remove_private_dir(work, shred=False)
        raise
    return opened


#: bundles unpacked ahead of the one being merged (each is a folder on disk until it merges)
UNPACK_AHEAD = 2


@contextlib.contextmanager
def opened_in_turn(
    paths: list[str | Path],
    ahead: Callable[[OpenedBundle], None] | None = None,
    shown: list[str | Path] | None = None,
) -> Iterator[Iterator[OpenedBundle]]:
    """Open bundles one after another, preparing the next ones while the caller uses this one.

    Two worker threads overlap the merge: one unpacks bundles (sha256, inflate, copy), up to
    ``UNPACK_AHEAD`` ahead of the one in use; the other runs ``ahead(opened)`` on each unpacked
    bundle in turn (SQLite, hashlib and the inflater release the GIL). A refusal is raised when
    its bundle's turn comes, so earlier bundles are used exactly as without prefetching. The
    caller owns (and removes) the folder of every bundle it received; every other unpacked
    folder is removed here.
    """
    unpacker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsbundle-unpack")
    preparer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsbundle-ahead")
    unpacked: list[Future[OpenedBundle]] = []
    prepared: list[Future[OpenedBundle]] = []
    handed: set[int] = set()

    def prepare(future: Future[OpenedBundle]) -> OpenedBundle:
        opened = future.result()  # this bundle's refusal, if any
        if ahead is not None:
            ahead(opened)
        return opened

    def submit_up_to(last: int) -> None:
        while len(unpacked) <= min(last, len(paths) - 1):
            i = len(unpacked)
            future = unpacker.submit(_open_checked, paths[i], shown[i] if shown else None)
            unpacked.append(future)
            prepared.append(preparer.submit(prepare, future))

    def bundles() -> Iterator[OpenedBundle]:
        for i in range(len(paths)):
            submit_up_to(i + UNPACK_AHEAD)
            opened = prepared[i].result()  # raises this bundle's refusal
            handed.add(i)
            yield opened

    try:
        yield bundles()
    finally:
        for future in [*unpacked, *prepared]:
            future.cancel()  # not started yet: never will
        unpacker.shutdown(wait=True)
        preparer.shutdown(wait=True)
        for i, future in enumerate(unpacked):
            if (
                i not in handed
                and future.done()
                and not future.cancelled()
                and future.exception() is None
            ):
                remove_private_dir(future.result().folder, shred=False)


def _unpack(path: Path, zf: zipfile.ZipFile, work: Path) -> OpenedBundle:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise InvalidBundleError(f"{path}: the bundle lists a member twice; refusing it.")
    if MANIFEST not in names:  # told apart before any member name is judged
        raise InvalidBundleError(zip_without_manifest(path, names, MANIFEST))
    for info in infos:
        _check_member_name(path, info)
    minfo = zf.getinfo(MANIFEST)
    if minfo.file_size > _MAX_MANIFEST:
        raise InvalidBundleError(f"{path}: {MANIFEST} is too large; refusing the bundle.")
    with zf.open(minfo) as fh:
        raw = fh.read(_MAX_MANIFEST + 1)
    if len(raw) > _MAX_MANIFEST:
        raise InvalidBundleError(f"{path}: {MANIFEST} is too large; refusing the bundle.")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidBundleError(f"{path}: {MANIFEST} is not valid JSON ({exc}).") from exc
    _check_manifest(path, manifest)
    members: dict[str, Any] = manifest["members"]
    for name in names:
        if name != MANIFEST and name not in members:
            raise InvalidBundleError(f"{path}: member {name!r} is not in the manifest; refusing.")
    if DB_MEMBER not in names:
        raise InvalidBundleError(f"{path}: the bundle has no {DB_MEMBER}.")
    opened = OpenedBundle(path=path, manifest=manifest, folder=work, db_path=work / DB_MEMBER)
    (work / "media").mkdir()
    for name, meta in members.items():
        if name not in names:
            if name == DB_MEMBER:
                raise InvalidBundleError(f"{path}: the bundle has no {DB_MEMBER}.")
            raise InvalidBundleError(f"{path}: {name!r} is in the manifest but missing.")
        info = zf.getinfo(name)
        if info.file_size != meta["size"]:
            raise InvalidBundleError(
                f"{path}: {name!r} is {info.file_size} bytes, the manifest says {meta['size']}; "
                "refusing the bundle."
            )
        target = work / name
        _extract_limited(path, zf, info, target, int(meta["size"]), str(meta["sha256"]))
        if name != DB_MEMBER:
            opened.media[name] = target
    return opened


def _check_member_name(path: Path, info: zipfile.ZipInfo) -> None:
    name = info.filename
    pure = PurePosixPath(name)
    if (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or re.match(r"^[A-Za-z]:", name)
        or pure.is_absolute()
        or any(part in ("..", "") for part in name.split("/"))
    ):
        raise InvalidBundleError(f"{path}: unsafe member name {name!r}; refusing the bundle.")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise InvalidBundleError(f"{path}: member {name!r} is a link; refusing the bundle.")
    if info.is_dir():
        raise InvalidBundleError(f"{path}: unexpected folder entry {name!r}; refusing.")
    if name not in (MANIFEST, DB_MEMBER) and not _MEDIA_NAME.match(name):
        raise InvalidBundleError(f"{path}: unexpected member {name!r}; refusing the bundle.")


def _check_manifest(path: Path, manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise InvalidBundleError(f"{path} is not a FieldScribe bundle (wrong manifest format).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        # every FieldScribe wrote it: a manifest without it is damaged, not from the future
        raise InvalidBundleError(
            f"{path}: the manifest has no bundle format version (damaged?); ask for the bundle "
            "to be exported again. Nothing was changed."
        )
    if version > BUNDLE_FORMAT_VERSION:
        raise InvalidBundleError(
            f"{path} uses bundle format {version!r}, newer than this FieldScribe knows "
            f"({BUNDLE_FORMAT_VERSION}); update FieldScribe to merge it."
        )
    members = manifest.get("members")
    if not isinstance(members, dict):
        raise InvalidBundleError(f"{path}: the manifest lists no members.")
    for name, meta in members.items():
        if (
            not isinstance(meta, dict)
            or not isinstance(meta.get("size"), int)
            or meta["size"] < 0
            or not isinstance(meta.get("sha256"), str)
            or not re.fullmatch(r"[0-9a-f]{64}", meta["sha256"])
        ):
            raise InvalidBundleError(f"{path}: the manifest entry of {name!r} is invalid.")
    for key in ("project_id", "coder"):
        if not isinstance(manifest.get(key), str):
            raise InvalidBundleError(f"{path}: the manifest has no {key}.")
    schema = manifest.get("schema_version")
    if not isinstance(schema, int):
        raise InvalidBundleError(f"{path}: the manifest has no schema version.")
    if schema > SCHEMA_VERSION:  # said by the manifest: refused before anything is unpacked
        raise NewerSchemaError(
            f"{path} was written by a newer FieldScribe (schema {schema}, this version knows "
            f"{SCHEMA_VERSION}); update FieldScribe to merge it. Nothing was changed."
        )


def _member_data_offset(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    """Where a member's (stored or deflated, not encrypted) bytes start in the zip file."""
    if (
        info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        or info.flag_bits & 0x1
        or zf.fp is None
    ):
        return None
    zf.fp.seek(info.header_offset)
    header = zf.fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        return None
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    return info.header_offset + 30 + name_len + extra_len


def _read_member(
    path: Path, info: zipfile.ZipInfo, offset: int, size: int, sink: Callable[[memoryview], None]
) -> int:
    """Read a member straight from the zip file, inflating it if deflated; return its size.

    Stops at ``size`` + 1 bytes of output (a member larger than the manifest says is refused by
    the caller). The manifest's sha256, which the caller checks, is stronger than the zip's
    CRC-32, which is skipped.
    """
    try:
        return _read_member_unchecked(path, info, offset, size, sink)
    except _INFLATE_ERRORS as exc:
        raise InvalidBundleError(
            f"{path}: {info.filename!r} is damaged ({exc}); export it again."
        ) from exc


def _read_member_unchecked(
    path: Path, info: zipfile.ZipInfo, offset: int, size: int, sink: Callable[[memoryview], None]
) -> int:
    written = 0
    left = info.compress_size
    inflater = _inflater.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    with open(path, "rb") as src:
        src.seek(offset)
        while left > 0 and written <= size:
            block = src.read(min(4 << 20, left))
            if not block:
                break
            left -= len(block)
            if inflater is None:
                out: bytes = block
                sink(memoryview(out))
                written += len(out)
                continue
            data = block
            while data and written <= size:
                out = inflater.decompress(data, min(_OUT_BLOCK, size + 1 - written))
                data = inflater.unconsumed_tail
                if out:
                    sink(memoryview(out))
                    written += len(out)
                if inflater.eof:
                    break
            if inflater.eof:
                break
        if inflater is not None and written <= size and not inflater.eof:
            out = inflater.flush()
            if out:
                sink(memoryview(out))
                written += len(out)
            if not inflater.eof:
                raise InvalidBundleError(
                    f"{path}: {info.filename!r} is truncated or damaged; export it again."
                )
    return written


def _extract_limited(
    path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, size: int, sha: str
) -> None:
    digest = hashlib.sha256()
    offset = _member_data_offset(zf, info) if info.file_size == size else None
    with open(target, "wb") as dst:

        def sink(view: memoryview) -> None:
            digest.update(view)
            dst.write(view)

        if offset is not None:
            # read (and inflated) straight from the file in large blocks: zipfile's reader
            # inflates with zlib in small steps and computes the CRC-32 on top
            written = _read_member(path, info, offset, size, sink)
        else:
            written = 0
            with zf.open(info) as src:
                while True:
                    block = src.read(1 << 20)
                    if not block:
                        break
                    written += len(block)
                    if written > size:
                        break
                    sink(memoryview(block))
    if written > size:
        raise InvalidBundleError(
            f"{path}: {info.filename!r} is larger than the manifest says; refusing."
        )
    if written != size:
        raise InvalidBundleError(f"{path}: {info.filename!r} is truncated; export it again.")
    if digest.hexdigest() != sha:
        raise InvalidBundleError(
            f"{path}: checksum mismatch for {info.filename!r}; the bundle was damaged or changed."
        )
    os.chmod(target, 0o400)


def connect_readonly(db_path: Path) -> sqlite3.Connection:
    """Open an unpacked bundle database read-only, distrusting its schema."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def _check_database(opened: OpenedBundle) -> bool:
    """Refuse a database a bundle must not hold; return whether its schema is older than ours."""
    path = opened.path
    with open(opened.db_path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise InvalidBundleError(f"{path}: {DB_MEMBER} is not a SQLite database.")
    conn = connect_readonly(opened.db_path)
    try:
        # pages damaged on the sender's disk (the manifest's checksum is of the damaged file):
        # otherwise a damaged table reads as rows breaking our rules, a damaged index not at all
        (problem,) = conn.execute("PRAGMA quick_check(1)").fetchone()
        if problem != "ok":
            raise sqlite3.DatabaseError(" ".join(str(problem).split())[:200])
        objects = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        for kind, name, sql in objects:
            if kind in ("trigger", "view"):
                raise InvalidBundleError(
                    f"{path}: the bundle's database has a {kind} ({name}); refusing it."
                )
            if kind == "table" and (sql or "").upper().startswith("CREATE VIRTUAL"):
                raise InvalidBundleError(
                    f"{path}: the bundle's database has a virtual table ({name}); refusing it."
                )
        tables = {name for kind, name, _ in objects if kind == "table"}
        if "project_meta" not in tables or "_sqlite_migrations" not in tables:
            raise InvalidBundleError(f"{path}: {DB_MEMBER} is not a FieldScribe project.")
        db = Database(conn)
        check_not_newer(db, str(path))
        row = conn.execute("SELECT value FROM project_meta WHERE key = 'project_id'").fetchone()
        if row is None or row[0] != opened.project_id:
            raise InvalidBundleError(
                f"{path}: the manifest and the database name different projects; refusing it."
            )
        return len(applied_names(db)) < SCHEMA_VERSION
    except sqlite3.DatabaseError as exc:
        raise InvalidBundleError(
            f"{path}: {DB_MEMBER} is damaged ({exc}); ask for the bundle to be exported again "
            "(its sender's project may be damaged too). Nothing was changed."
        ) from exc
    finally:
        conn.close()


def _upgrade_older(opened: OpenedBundle) -> None:
    """Bring the database of a bundle from an older FieldScribe up to this version's schema.

    A coder who has not updated yet sends a bundle without the tables and columns added since
    (the speaker timeline, say). The unpacked copy is ours (the bundle file is not touched):
    this version's migrations add what is missing (empty tables, columns with their defaults),
    and what they create that a bundle never holds (version-history triggers) is dropped again,
    as in an exported bundle. Runs when ``_check_database`` found the schema older, after it
    refused triggers, views, virtual tables and schemas from the future; the rows are validated
    by the merge as usual.
    """
    path = opened.path
    os.chmod(opened.db_path, 0o600)  # unpacked read-only: writable while it is upgraded
    conn = sqlite3.connect(opened.db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        db = Database(conn)
        migrate(db, str(path))
        conn.execute("BEGIN")
        _drop_triggers_and_views(conn)
        conn.execute("COMMIT")
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise InvalidBundleError(
            f"{path}: the bundle comes from an older FieldScribe and its database cannot be "
            f"brought up to date ({str(exc).splitlines()[0][:200]}); ask for a bundle exported "
            "with this version."
        ) from exc
    finally:
        conn.close()
        os.chmod(opened.db_path, 0o400)

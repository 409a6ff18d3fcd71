"""Writing a team bundle (``storage.team.bundle`` describes the format)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from storage.core.atomic import check_output, fsync_folder, staged, staging_name
from storage.core.audio import sha256_of
from storage.core.errors import ReadOnlyError
from storage.core.ids import now_iso
from storage.core.schema import SCHEMA_VERSION
from storage.core.schema_teamwork import TRAVELLING_TABLES
from storage.core.tempdirs import make_private_dir, remove_private_dir
from storage.privacy.audio_swap import refuse_unfinished
from storage.privacy.bundle import (
    export_encrypted,
    log_encryption,
    register_safe_versions,
    sanitize_snapshot,
)
from storage.privacy.models import ExportPrivacy
from storage.team.bundle import (
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_VERSION,
    DB_MEMBER,
    MANIFEST,
    MEDIA_NAME,
    BundleInfo,
    drop_triggers_and_views,
    parse_since,
)


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
    if with_media:
        refuse_unfinished(project.store, "a bundle with the audio")
    # the snapshot (unsanitised until sanitize_snapshot is done) and the redacted audio copies
    # live in a private temporary folder, never next to the user's output
    work = make_private_dir("export")
    part = staging_name(out)  # the finished, sanitised zip, then renamed
    try:
        snapshot = work / DB_MEMBER
        dest = sqlite3.connect(str(snapshot))
        try:
            # a throwaway copy in a private folder: a crash loses nothing worth a sync, and
            # each of the export's commits (the backup, a trigger dropped in its own
            # statement, the VACUUMs) waited for the disk; the finished zip is synced before
            # its rename
            dest.execute("PRAGMA synchronous = OFF")
            with project.store.mutex:
                project.store.conn.backup(dest)
            # _prepare_snapshot's VACUUM rebuilds the file (no freed page keeps an old text)
            safe = sanitize_snapshot(dest, project, privacy, work, vacuum=False)
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
                if not MEDIA_NAME.match(rel) or not src.is_file():
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
        # (staged: the workbench's Cancel keeps the earlier bundle, or none; killed before the
        # rename, the next FieldScribe removes the part)
        with (
            staged(out, fsync=True, chosen=True) as tmp,
            zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        ):
            zf.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
            zf.write(snapshot, DB_MEMBER)
            for rel, src in media_files:
                zf.write(src, rel, compress_type=zipfile.ZIP_STORED)
        fsync_folder(out.parent)
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


def _prepare_snapshot(
    conn: sqlite3.Connection, since: str | None, voice_profiles: bool = True
) -> tuple[dict[str, int], list[str]]:
    """Strip a fresh snapshot down to what travels; return row counts and media paths."""
    conn.isolation_level = None
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("BEGIN")
    drop_triggers_and_views(conn)
    conn.execute("DROP TABLE IF EXISTS segments_fts")
    # decisions travel, and so do the open conflicts' versions (a coder whose version is one
    # of them keeps it until the lead decides: ``merge_rows._Merge._waits_for_the_lead``),
    # without the competing values (texts that may predate pseudonyms and redactions)
    bare = [
        (json.dumps([{**v, "values": {}} for v in json.loads(versions)]), conflict_id)
        for conflict_id, versions in conn.execute("SELECT id, versions FROM conflicts")
    ]
    conn.executemany("UPDATE conflicts SET versions = ? WHERE id = ?", bare)
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
    conn.execute("VACUUM")  # the only one: also what makes the sanitised rows' old pages go
    counts = {
        t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
        for t in (*TRAVELLING_TABLES, "coders", "deletions")
    }
    media = [r[0] for r in conn.execute("SELECT path FROM media ORDER BY path")]
    return counts, media

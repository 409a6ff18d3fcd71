"""Making a bundle's database snapshot safe to share, and encrypted bundles.

``sanitize_snapshot`` runs on the fresh SQLite copy a bundle is made from (never on the project):
the real name -> pseudonym mapping and the audit log are emptied, every text is pseudonymised,
redacted spans are replaced by their placeholders (word timings scrubbed), segments without the
needed consent are left out on request, and audio with something to hide is replaced by a
redacted copy. ``export_encrypted`` / ``decrypted_copy`` wrap any bundle file in the chunked
authenticated encryption of ``storage.privacy.crypto``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from storage.core.errors import ReadOnlyError
from storage.core.link_rows import drop_dangling
from storage.core.schema_teamwork import SAFE_VERSION_SUFFIX
from storage.core.tempdirs import private_dir
from storage.privacy import crypto
from storage.privacy.models import ExportPrivacy
from storage.privacy.redaction import words_json
from storage.privacy.view import PrivateView

#: Tables emptied in every bundle: real names, the lead's own log, the copies of deleted
#: sessions (their text; ``storage.core.schema_deleted_sessions``), and the whole-segment
#: codings a flagged span holds the place of here (``storage.core.held_codings``).
NEVER_TRAVEL = ("pseudonyms", "audit_log", "deleted_sessions", "held_codings")

if TYPE_CHECKING:
    from storage.project import Project


@dataclass
class SanitizedSnapshot:
    """What ``sanitize_snapshot`` changed outside the snapshot's own rows."""

    media: dict[str, Path]
    versions: list[tuple[str, str, str]]


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def sanitize_snapshot(
    conn: sqlite3.Connection,
    project: Project,
    options: ExportPrivacy | None,
    workdir: Path,
    *,
    vacuum: bool = True,
) -> SanitizedSnapshot:
    """Apply the export protections to a bundle's snapshot database, in place.

    Args:
        conn: an open connection to the snapshot (a copy of ``project.db``).
        project: the project the snapshot was copied from (its ``media/`` is read).
        options: the protections (None: the safe default).
        workdir: a private folder for redacted audio copies.
        vacuum: rebuild the file at the end, so that no freed page keeps an old text; False
            only for a caller that VACUUMs the snapshot itself before it leaves the private
            folder (``bundle_export``: one rebuild of the file, not two).

    Returns:
        ``media``: media path -> file to put in the bundle, for media replaced by a redacted
        copy (the snapshot's ``media`` rows already name the new path, size and sha256);
        ``versions``: (table, id, version) of every row made safe, for
        ``register_safe_versions``.
    """
    from storage.core.audio import sha256_of

    options = options or ExportPrivacy()
    old_factory, old_isolation = conn.row_factory, conn.isolation_level
    conn.row_factory = sqlite3.Row
    conn.isolation_level = None
    conn.execute("PRAGMA secure_delete = ON")
    replacements: dict[str, Path] = {}
    try:
        conn.execute("BEGIN")  # one commit, not one per trigger
        for kind, name in conn.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
        ).fetchall():
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
        conn.execute("COMMIT")
        snap = project.reader_on(conn)  # reads the snapshot, writes nothing
        # labels stay labels: a speaker linked to P01 merges back as the lead's own label
        view = PrivateView(snap, options, workdir, linked_pseudonyms=False)
        excluded = view.filter.excluded
        media_rows = [
            (session_id, view.sessions.media_for_session(session_id))
            for (session_id,) in conn.execute("SELECT id FROM sessions").fetchall()
        ]
        conn.execute("BEGIN")
        marks = _rewrite_rows(conn, view, excluded)
        media_fields: list[tuple[str, dict[str, Any]]] = []
        for _session_id, media in media_rows:
            for m in media:
                path = Path(m.path)
                if not path.is_absolute():
                    continue  # nothing to hide in this file
                rel = f"media/{m.id}{path.suffix}"
                fields = {"path": rel, "sha256": sha256_of(path), "size_bytes": path.stat().st_size}
                media_fields.append((m.id, fields))
                replacements[rel] = path
        _update(conn, "media", media_fields, marks)
        for table in NEVER_TRAVEL:
            if _table_exists(conn, table):
                conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM redactions")  # the text already carries the placeholders
        if _table_exists(conn, "links"):  # a link to a participant or memo left out goes too
            drop_dangling(conn)
        _model_folders_by_name(conn)
        conn.execute("COMMIT")
        if vacuum:
            conn.execute("VACUUM")  # no freed page keeps an old text
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.row_factory = old_factory
        conn.isolation_level = old_isolation
    return SanitizedSnapshot(replacements, marks)


def _model_folders_by_name(conn: sqlite3.Connection) -> None:
    """A transcription run with a model given as a folder recorded its path
    (``/home/aigerim/usb/whisper-kk``), which said whose computer it was to everyone the bundle
    went to; in the bundle it is the folder's name, as in every export. (On another computer
    the path names nothing: a resume there starts again with the project's model.)"""
    from storage.core.model_names import shown_model_name

    rows = conn.execute("SELECT session_id, model, options FROM transcription_state").fetchall()
    for session_id, model, raw in rows:
        options = json.loads(raw or "{}")
        details = options.get("model") if isinstance(options, dict) else None
        if isinstance(details, dict) and isinstance(details.get("name"), str):
            details["name"] = shown_model_name(details["name"])
        conn.execute(
            "UPDATE transcription_state SET model = ?, options = ? WHERE session_id = ?",
            (shown_model_name(model or ""), json.dumps(options, sort_keys=True), session_id),
        )


def _update(
    conn: sqlite3.Connection,
    table: str,
    rows: Iterable[tuple[str, dict[str, Any]]],
    marks: list[tuple[str, str, str]],
) -> None:
    """Update snapshot rows (id, new values of some columns); each row that changes gets the
    derived "made safe" version (its ``updated_at`` with ``SAFE_VERSION_SUFFIX``).

    Set-based: one read of the table and one ``executemany`` per set of columns, not a query
    per row (a bundle of a large project rewrites every segment and coding)."""
    todo = list(rows)
    if not todo:
        return
    cols = list(todo[0][1])
    current = {
        r[0]: tuple(r[1:])
        for r in conn.execute(f"SELECT id, {', '.join(cols)}, updated_at FROM {table}")
    }
    changed: list[tuple[Any, ...]] = []
    for row_id, fields in todo:
        row = current.get(row_id)
        values = tuple(fields[c] for c in cols)
        if row is None or row[:-1] == values:
            continue
        version = str(row[-1])
        if not version.endswith(SAFE_VERSION_SUFFIX):
            version += SAFE_VERSION_SUFFIX
        current[row_id] = (*values, version)  # a second update of the row sees this one
        changed.append((*values, version, row_id))
        marks.append((table, row_id, version))
    sets = ", ".join(f"{c} = ?" for c in cols)
    conn.executemany(f"UPDATE {table} SET {sets}, updated_at = ? WHERE id = ?", changed)


def _rewrite_rows(
    conn: sqlite3.Connection, view: PrivateView, excluded: set[str]
) -> list[tuple[str, str, str]]:
    # Read everything through the view first: it reads the snapshot, which is rewritten below.
    sessions = view.sessions.all()
    segments = [g for s in sessions for g in view.transcript.segments(s.id)]
    speakers = [sp for s in sessions for sp in view.sessions.session_speakers(s.id) if sp.id]
    codings, memos, markers = (
        view.codebook.codings(),
        view.codebook.memos(),
        view.sessions.markers(),
    )
    participants, codes, meta = view.sessions.participants(), view.codebook.codes(), view.metadata()
    links = view.links.all() if _table_exists(conn, "links") else []
    turns = _table_exists(conn, "speaker_turns")
    _leave_out_participants(conn, view, {m.id for m in memos})
    if excluded:
        marks_sql = ",".join("?" * len(excluded))
        ids = sorted(excluded)
        # a speaker left out is not listed either (the view does not list them: the row would
        # keep its label un-pseudonymised)
        conn.execute(
            "DELETE FROM session_speakers WHERE (session_id, label) IN (SELECT session_id, "
            f"speaker FROM segments WHERE id IN ({marks_sql}) AND speaker IS NOT NULL)",
            ids,
        )
        if turns:  # the timeline of a speaker left out is left out too
            conn.execute(
                "DELETE FROM speaker_turns WHERE (session_id, speaker) IN (SELECT session_id, "
                f"speaker FROM segments WHERE id IN ({marks_sql}) AND speaker IS NOT NULL)",
                ids,
            )
        conn.execute(f"DELETE FROM codings WHERE segment_id IN ({marks_sql})", ids)
        conn.execute(
            f"DELETE FROM memos WHERE target_type = 'segment' AND target_id IN ({marks_sql})",
            ids,
        )
        conn.execute(f"DELETE FROM redactions WHERE segment_id IN ({marks_sql})", ids)
        conn.execute(f"DELETE FROM segments WHERE id IN ({marks_sql})", ids)
    marks: list[tuple[str, str, str]] = []
    sessions_fields = [
        (s.id, {"title": s.title, "place": s.place, "moderator": s.moderator, "notes": s.notes})
        for s in sessions
    ]
    _update(conn, "sessions", sessions_fields, marks)
    segments_fields = [
        (g.id, {"text": g.text, "speaker": g.speaker, "words": words_json(g.words)})
        for g in segments
    ]
    _update(conn, "segments", segments_fields, marks)
    _update(conn, "session_speakers", [(sp.id, {"label": sp.label}) for sp in speakers], marks)
    if turns:  # timeline labels are speaker labels: pseudonymised alike
        turn_rows = conn.execute("SELECT id, speaker FROM speaker_turns").fetchall()
        turn_fields = [(i, {"speaker": view.filter.label(speaker)}) for i, speaker in turn_rows]
        _update(conn, "speaker_turns", turn_fields, marks)
    codings_fields = [
        (c.id, {"start_cp": c.start_cp, "end_cp": c.end_cp, "memo": c.memo}) for c in codings
    ]
    _update(conn, "codings", codings_fields, marks)
    _update(conn, "memos", [(m.id, {"title": m.title, "text": m.text}) for m in memos], marks)
    markers_fields = [(mk.id, {"label": mk.label, "note": mk.note}) for mk in markers]
    _update(conn, "markers", markers_fields, marks)
    participants_fields = [
        (
            p.id,
            {
                "pseudonym": p.pseudonym,
                "attributes": json.dumps(p.attributes, ensure_ascii=False, sort_keys=True),
            },
        )
        for p in participants
    ]
    _update(conn, "participants", participants_fields, marks)
    codes_fields = [(c.id, {"name": c.name, "description": c.description}) for c in codes]
    _update(conn, "codes", codes_fields, marks)
    # a link's name and memo, as a code's name (the view pseudonymises them)
    _update(conn, "links", [(k.id, {"name": k.name, "memo": k.memo}) for k in links], marks)
    if _table_exists(conn, "speaker_profiles"):  # a voice profile may carry a real name
        profiles = conn.execute("SELECT id, name FROM speaker_profiles").fetchall()
        profile_fields = [(i, {"name": view.filter.label(name)}) for i, name in profiles]
        _update(conn, "speaker_profiles", profile_fields, marks)
    for key, value in meta.items():
        conn.execute("UPDATE project_meta SET value = ? WHERE key = ?", (value, key))
    return marks


def _leave_out_participants(
    conn: sqlite3.Connection, view: PrivateView, memos_kept: set[str]
) -> None:
    """With only consented participants, one left out whole (``participants_left_out``) does
    not travel at all: not their row and attributes, consent records, speaker labels, voice
    profiles, nor memos that name them (a consented-only bundle kept the row of the participant
    who refused, pseudonymised, with their attributes and consent). A lead merging it back gets
    nothing of them (their own copy keeps what it has: a row a bundle lacks is not deleted)."""
    gone = sorted(view.participants_left_out())
    dropped = [
        (memo_id,)
        for (memo_id,) in conn.execute("SELECT id FROM memos").fetchall()
        if memo_id not in memos_kept
    ]
    conn.executemany("DELETE FROM memos WHERE id = ?", dropped)
    ids = [row[0] for row in dropped]
    if gone:
        marks = ",".join("?" * len(gone))
        conn.execute(f"DELETE FROM session_speakers WHERE participant_id IN ({marks})", gone)
        for table in ("speaker_profiles", "consents"):  # rows of their own, versioned
            if _table_exists(conn, table):
                where = f"FROM {table} WHERE participant_id IN ({marks})"
                ids += [r[0] for r in conn.execute(f"SELECT id {where}", gone)]
                conn.execute(f"DELETE {where}", gone)
        conn.execute(f"DELETE FROM participants WHERE id IN ({marks})", gone)
        ids += gone
    if ids and _table_exists(conn, "row_versions"):  # not even their ids and versions
        conn.executemany("DELETE FROM row_versions WHERE row_id = ?", [(i,) for i in ids])


def register_safe_versions(project: Any, marks: Sequence[tuple[str, str, str]]) -> None:
    """Record the "made safe" versions of rows a bundle carried as versions of our own rows.

    Then, when a teammate's bundle brings such a row back unchanged, the merge skips it as an
    older version instead of overwriting the original (pseudonyms, placeholders) or reporting a
    conflict. Needs the teamwork ``row_versions`` table; a no-op for a read-only project.
    """
    if project.readonly or not marks:
        return
    with project.store.tx() as db:
        if not _table_exists(db.conn, "row_versions"):
            return
        db.conn.executemany(
            "INSERT OR IGNORE INTO row_versions (table_name, row_id, version, author) "
            "VALUES (?, ?, ?, ?)",
            [(t, i, v, project.coder) for t, i, v in marks],
        )


# --------------------------------------------------------------------- encrypted bundles
def export_encrypted(
    write_plain: Callable[[Path], Any],
    dest: str | Path,
    *,
    passphrase: str | None = None,
    recipients: Sequence[X25519PublicKey] = (),
    scrypt_n: int = crypto.DEFAULT_SCRYPT_N,
) -> Any:
    """Write a bundle with ``write_plain(tmp)`` and encrypt it into ``dest``.

    The clear bundle lives only in a private temporary folder (``storage.core.tempdirs``: 0700,
    under TMPDIR, never next to ``dest``) and is removed (overwritten first) whatever happens;
    next to ``dest`` only the encrypted ``.NAME.part`` is written, then renamed. Returns what
    ``write_plain`` returned.
    """
    dest = Path(dest).expanduser()
    if not dest.parent.is_dir():
        raise ReadOnlyError(f"{dest.parent}: no such folder; cannot write the bundle there.")
    with private_dir("encrypt") as work:
        plain = work / dest.name  # the name the bundle is logged and merged under
        result = write_plain(plain)
        crypto.encrypt_file(
            plain, dest, passphrase=passphrase, recipients=recipients, scrypt_n=scrypt_n
        )
        return result


def log_encryption(
    project: Any, dest: Path, passphrase: str | None, recipients: Sequence[X25519PublicKey]
) -> None:
    """Record in the audit log that ``dest`` was encrypted, and for whom (key fingerprints)."""
    if project.readonly:
        return
    project.audit.log_event(
        "encrypt",
        None,
        None,
        {
            "file": dest.name,
            "passphrase": passphrase is not None,
            "recipients": [crypto.fingerprint(r) for r in recipients],
        },
    )


@contextlib.contextmanager
def decrypted_copy(
    src: str | Path,
    *,
    passphrase: str | None = None,
    identities: Sequence[X25519PrivateKey] = (),
) -> Iterator[Path]:
    """Yield a decrypted temporary copy of an encrypted bundle (removed afterwards).

    Raises:
        DecryptionError: wrong passphrase or key, tampered or truncated file (nothing is left).
    """
    src = Path(src).expanduser()
    with private_dir("decrypt") as work:  # 0700 under TMPDIR, zeroed and removed afterwards
        out = work / src.name
        crypto.decrypt_file(src, out, passphrase=passphrase, identities=identities)
        yield out

"""Making a bundle's database snapshot safe to share, and encrypted bundles.

``sanitize_snapshot`` runs on the fresh SQLite copy a bundle is made from (never on the project):
the real name -> pseudonym mapping and the audit log are emptied, every text is pseudonymised,
redacted spans are replaced by their placeholders (word timings scrubbed), segments without the
needed consent are left out on request, and audio with something to hide is replaced by a
redacted copy. ``export_encrypted`` / ``decrypted_copy`` wrap any bundle file in the chunked
authenticated encryption of ``storage.crypto``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from . import crypto
from .errors import ReadOnlyError
from .privacy_models import ExportPrivacy
from .privacy_view import PrivateView
from .redaction import words_json

#: Tables emptied in every bundle: real names, and the lead's own log.
NEVER_TRAVEL = ("pseudonyms", "audit_log")


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def sanitize_snapshot(
    conn: sqlite3.Connection,
    folder: Path,
    options: ExportPrivacy | None,
    workdir: Path,
) -> dict[str, Path]:
    """Apply the export protections to a bundle's snapshot database, in place.

    Args:
        conn: an open connection to the snapshot (a copy of ``project.db``).
        folder: the project folder (where ``media/`` lives).
        options: the protections (None: the safe default).
        workdir: a private folder for redacted audio copies.

    Returns:
        ``media path -> file to put in the bundle`` for media replaced by a redacted copy
        (the snapshot's ``media`` rows already name the new path, size and sha256).
    """
    from .project import Project
    from .sessions import sha256_of

    options = options or ExportPrivacy()
    old_factory, old_isolation = conn.row_factory, conn.isolation_level
    conn.row_factory = sqlite3.Row
    conn.isolation_level = None
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    replacements: dict[str, Path] = {}
    try:
        for kind, name in conn.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
        ).fetchall():
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
        snap = Project(folder, conn, None, readonly=True)  # reads the snapshot, writes nothing
        view = PrivateView(snap, options, workdir)
        excluded = view.filter.excluded
        media_rows = [
            (session_id, view.media_for_session(session_id))
            for (session_id,) in conn.execute("SELECT id FROM sessions").fetchall()
        ]
        conn.execute("BEGIN")
        _rewrite_rows(conn, view, excluded)
        for _session_id, media in media_rows:
            for m in media:
                path = Path(m.path)
                if not path.is_absolute():
                    continue  # nothing to hide in this file
                rel = f"media/{m.id}{path.suffix}"
                conn.execute(
                    "UPDATE media SET path = ?, sha256 = ?, size_bytes = ? WHERE id = ?",
                    (rel, sha256_of(path), path.stat().st_size, m.id),
                )
                replacements[rel] = path
        for table in NEVER_TRAVEL:
            if _table_exists(conn, table):
                conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM redactions")  # the text already carries the placeholders
        conn.execute("COMMIT")
        conn.execute("VACUUM")  # no freed page keeps an old text
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.row_factory = old_factory
        conn.isolation_level = old_isolation
    return replacements


def _rewrite_rows(conn: sqlite3.Connection, view: PrivateView, excluded: set[str]) -> None:
    # Read everything through the view first: it reads the snapshot, which is rewritten below.
    sessions = view.sessions()
    segments = [g for s in sessions for g in view.segments(s.id)]
    speakers = [sp for s in sessions for sp in view.session_speakers(s.id) if sp.id]
    codings, memos, markers = view.codings(), view.memos(), view.markers()
    participants, codes, meta = view.participants(), view.codes(), view.metadata()
    if excluded:
        marks = ",".join("?" * len(excluded))
        ids = sorted(excluded)
        conn.execute(f"DELETE FROM codings WHERE segment_id IN ({marks})", ids)
        conn.execute(
            f"DELETE FROM memos WHERE target_type = 'segment' AND target_id IN ({marks})", ids
        )
        conn.execute(f"DELETE FROM redactions WHERE segment_id IN ({marks})", ids)
        conn.execute(f"DELETE FROM segments WHERE id IN ({marks})", ids)
    for s in sessions:
        conn.execute(
            "UPDATE sessions SET title = ?, place = ?, moderator = ?, notes = ? WHERE id = ?",
            (s.title, s.place, s.moderator, s.notes, s.id),
        )
    for g in segments:
        conn.execute(
            "UPDATE segments SET text = ?, speaker = ?, words = ? WHERE id = ?",
            (g.text, g.speaker, words_json(g.words), g.id),
        )
    for sp in speakers:
        conn.execute("UPDATE session_speakers SET label = ? WHERE id = ?", (sp.label, sp.id))
    for c in codings:
        conn.execute(
            "UPDATE codings SET start_cp = ?, end_cp = ?, memo = ? WHERE id = ?",
            (c.start_cp, c.end_cp, c.memo, c.id),
        )
    for m in memos:
        conn.execute("UPDATE memos SET title = ?, text = ? WHERE id = ?", (m.title, m.text, m.id))
    for mk in markers:
        conn.execute(
            "UPDATE markers SET label = ?, note = ? WHERE id = ?", (mk.label, mk.note, mk.id)
        )
    for p in participants:
        conn.execute(
            "UPDATE participants SET pseudonym = ?, attributes = ? WHERE id = ?",
            (p.pseudonym, json.dumps(p.attributes, ensure_ascii=False, sort_keys=True), p.id),
        )
    for code in codes:
        conn.execute(
            "UPDATE codes SET name = ?, description = ? WHERE id = ?",
            (code.name, code.description, code.id),
        )
    for key, value in meta.items():
        conn.execute("UPDATE project_meta SET value = ? WHERE key = ?", (value, key))


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

    The clear bundle lives only in a private temporary folder next to ``dest`` and is removed
    (overwritten first) whatever happens. Returns what ``write_plain`` returned.
    """
    dest = Path(dest).expanduser()
    if not dest.parent.is_dir():
        raise ReadOnlyError(f"{dest.parent}: no such folder; cannot write the bundle there.")
    work = Path(tempfile.mkdtemp(prefix=".fsbundle-enc-", dir=dest.parent))
    plain = work / "bundle.fsbundle"
    try:
        result = write_plain(plain)
        crypto.encrypt_file(
            plain, dest, passphrase=passphrase, recipients=recipients, scrypt_n=scrypt_n
        )
        return result
    finally:
        _shred(plain)
        with contextlib.suppress(OSError):
            for leftover in work.iterdir():
                leftover.unlink()
            work.rmdir()


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
    work = Path(tempfile.mkdtemp(prefix="fsbundle-dec-"))
    out = work / (src.stem + ".fsbundle")
    try:
        crypto.decrypt_file(src, out, passphrase=passphrase, identities=identities)
        yield out
    finally:
        _shred(out)
        with contextlib.suppress(OSError):
            for leftover in work.iterdir():
                leftover.unlink()
            work.rmdir()


def _shred(path: Path) -> None:
    """Overwrite a clear temporary file with zeros, then remove it."""
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            block = b"\x00" * (1 << 20)
            left = size
            while left > 0:
                fh.write(block[: min(left, len(block))])
                left -= len(block)
            fh.flush()
            os.fsync(fh.fileno())
    with contextlib.suppress(OSError):
        path.unlink()

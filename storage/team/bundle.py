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
  rebuilds its index); the ``conflicts`` stay without the competing values (decisions
  travel: see ``storage.team.merge``; an open one keeps a coder's version that is one of its
  versions in her copy until the lead decides);
* ``media/NAME``: the audio files, only with ``--with-media``.

A bundle is untrusted input. Reading one refuses entries with absolute paths, ``..``, links,
names not listed in the manifest, sizes other than the manifest's, checksum mismatches, a schema
from a newer FieldScribe, and databases with triggers, views or virtual tables. The database is
opened read-only with ``trusted_schema=OFF``; rows are copied by explicit columns after their
types are checked, and the project's own constraints (CHECKs, foreign keys, uniqueness) apply.
Every refusal raises ``InvalidBundleError`` (or ``NewerSchemaError``) and changes nothing.

This module holds the format's names and types. ``storage.team.bundle_export`` writes a bundle;
``storage.team.bundle_open`` checks and unpacks one (its members read by
``storage.team.bundle_members``, its database checked by ``storage.team.bundle_database``).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.core.errors import FieldScribeError, InvalidInputError

BUNDLE_FORMAT = "fieldscribe-bundle"
BUNDLE_FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = "project.db"
MEDIA_NAME = re.compile(r"^media/[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?Z?)?$")


class InvalidBundleError(FieldScribeError):
    """A bundle is malformed, tampered with or belongs elsewhere; nothing was changed."""


#: what every refusal of a bundle says after what is wrong
NOTHING_CHANGED = "nothing was changed."


def refusal(what: str, advice: str = "") -> str:
    """The one line a refusal of a bundle says: what is wrong (``what``, the bundle's path
    first), that nothing was changed, then what to do (``advice``, a sentence) where there is
    something: ``PATH: the manifest lists no members; nothing was changed. Ask for...``."""
    line = f"{what.rstrip(' .;')}; {NOTHING_CHANGED}"
    return f"{line} {advice}" if advice else line


def refused(what: str, advice: str = "") -> InvalidBundleError:
    """``InvalidBundleError`` saying ``refusal(what, advice)``."""
    return InvalidBundleError(refusal(what, advice))


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


def drop_triggers_and_views(conn: sqlite3.Connection) -> None:
    """Drop what a bundle's database never holds: the project's triggers and views."""
    for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
    ).fetchall():
        conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')

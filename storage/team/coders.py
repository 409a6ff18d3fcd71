"""``Coders``: who codes in a project (``project.coders``).

A copy of a project codes as its own coder (``own``, set when the copy was made and by
``code_as``); a command or a session may write as another (``use``: the command line's
``--coder``). Deleting a coder takes their codings along only when asked.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from storage.core.errors import InUseError, NotFoundError
from storage.core.ids import now_iso
from storage.core.meta import put_meta
from storage.core.models import Coder, DeletionReport
from storage.core.names import checked_name
from storage.core.words import plural, verb

if TYPE_CHECKING:
    from storage.core.store import Store
    from storage.project import Project


class Coders:
    """The project's coders: whom this copy codes as, registering, listing, deleting."""

    def __init__(self, store: Store, project: Project) -> None:
        self.store = store
        self.project = project

    @property
    def own(self) -> str:
        """Whom this copy of the project codes as when opened without a coder: its own
        identity (``project_meta`` ``owner``; a merge never takes it from a bundle, so each
        copy keeps its own), set when the copy was created and by ``code_as``."""
        return (self.project.get_meta("owner") or "").strip()

    @staticmethod
    def _register(conn: sqlite3.Connection, name: str) -> str:
        name = checked_name("The coder name", name)
        conn.execute(
            "INSERT OR IGNORE INTO coders (name, created_at) VALUES (?, ?)", (name, now_iso())
        )
        return name

    def code_as(self, name: str, *, rename_lead: bool = True) -> Coder:
        """Code this copy as ``name`` from now on: the coder of this session's writes and of
        every later opening without a coder (the command line's ``--coder`` still overrides
        it for one command). In the lead's copy the project's lead is renamed with it, and
        the lead's next bundle renames it in every copy; ``rename_lead=False`` where this copy
        coded as the lead's name but is someone else's (a colleague's copy started from the
        lead's bundle on the lead's laptop): the lead stays."""
        from storage.team.lead import rename_lead as rename_lead_to

        with self.store.tx() as db:
            name = self._register(db.conn, name)
            # the lead's copy renamed: the lead moves along, and the copies follow
            if rename_lead:
                rename_lead_to(db.conn, self.own or self.project.coder, name, now_iso())
            put_meta(db.conn, "owner", name)
        self.project.coder = name
        return self.get(name)

    def use(self, name: str) -> Coder:
        """Register ``name`` (if new) and make it the coder of this session's writes."""
        with self.store.tx() as db:
            name = self._register(db.conn, name)
        self.project.coder = name
        return self.get(name)

    def get(self, name: str) -> Coder:
        """Return one coder or raise ``NotFoundError``."""
        row = self.store.one("SELECT * FROM coders WHERE name = ?", (name,))
        if row is None:
            raise NotFoundError(f"No coder named {name!r} in this project.")
        return Coder(name=row["name"], created_at=row["created_at"])

    def all(self) -> list[Coder]:
        """Every coder, by name."""
        return [
            Coder(name=r["name"], created_at=r["created_at"])
            for r in self.store.rows("SELECT * FROM coders ORDER BY name")
        ]

    def delete(self, name: str, *, force: bool = False) -> DeletionReport:
        """Delete a coder; their codings go too, but only when ``force`` is given.

        Raises:
            InUseError: the coder has codings and ``force`` is False.
        """
        self.get(name)
        count = int(self.store.scalar("SELECT count(*) FROM codings WHERE coder = ?", (name,)))
        if count and not force:
            raise InUseError(
                f"Coder {name!r} has {plural(count, 'coding')}; delete "
                f"{verb(count, 'it', 'them')} too with --force "
                "(or keep the coder)."
            )
        with self.store.tx() as db:
            ids = [r[0] for r in db.conn.execute("SELECT id FROM codings WHERE coder = ?", (name,))]
            for coding_id in ids:
                self.store.tombstone("codings", coding_id)
            db.conn.execute("DELETE FROM codings WHERE coder = ?", (name,))
            db.conn.execute("DELETE FROM coders WHERE name = ?", (name,))
        return DeletionReport(target=f"coder {name!r}", removed={"codings": count})

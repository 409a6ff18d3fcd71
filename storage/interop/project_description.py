"""A REFI-QDA project's ``Description``: a project memo titled ``TITLE`` here.

An import makes the file's ``Description`` a project memo "Project description"; an export
writes that memo (the first, oldest, such memo with text) as the project's ``Description``,
where QDA-XML (Project-mrt2019.xsd) puts it, not as a note. The descriptions imported are
remembered (``exchange.descriptions``: a SHA-256 of each text) so that importing the file again
adds none, also after the researcher edited or deleted the memo. Projects imported before
that record was kept are recognised by their memo's title (``known``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from storage.core.models import DESCRIPTIONS_KEY, Memo

from . import exchange_meta

#: the title of the project memo that is the project's description
TITLE = "Project description"
#: ``project_meta`` key: the SHA-256 of each description imported into the project
DESCRIPTIONS = DESCRIPTIONS_KEY


def _digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def described_by(memos: list[Memo]) -> Memo | None:
    """The memo that is the project's description (exported as its ``Description``); None
    when there is none."""
    found = [
        m
        for m in memos
        if m.target_type == "project" and (m.title or "").strip() == TITLE and m.text.strip()
    ]
    return min(found, key=lambda m: (m.created_at, m.id)) if found else None


def known(project: Any, conn: sqlite3.Connection, text: str) -> bool:
    """Whether ``text`` is a description the project has (``known_how``)."""
    return known_how(project, conn, text) is not None


def known_how(project: Any, conn: sqlite3.Connection, text: str) -> str | None:
    """How ``text`` is a description the project has: "imported" before (whatever became of
    its memo since), "memo" (a project memo's text now), or "title": a project that records
    no description imported (one imported by a FieldScribe before the record, or never
    imported into) has it when it holds a project memo titled ``TITLE``: an older import made
    that memo, and its text may have been edited since (the file's description came in again
    beside it). None when the project does not have it."""
    kept = exchange_meta.read(project, DESCRIPTIONS)
    if _digest(text) in set(kept or []):
        return "imported"
    memos = conn.execute("SELECT title, text FROM memos WHERE target_type = 'project'").fetchall()
    if any((memo_text or "").strip() == text.strip() for _, memo_text in memos):
        return "memo"
    if kept is None and any((title or "").strip() == TITLE for title, _ in memos):
        return "title"
    return None


def remember(project: Any, conn: sqlite3.Connection, text: str) -> None:
    """Keep that ``text`` was imported (``known``), inside the caller's transaction."""
    kept = list(exchange_meta.read(project, DESCRIPTIONS) or [])
    if _digest(text) not in kept:
        exchange_meta.write(conn, DESCRIPTIONS, [*kept, _digest(text)])

"""Who leads a project, as the merge reads it: recorded in ``project_meta`` (``LEAD_KEY``, with
a ``lead:changed`` time), carried by bundles (their ``project.db``, and their manifest).

A project records its lead when it is created (its creator), when a copy is made from a bundle
(the bundle's lead), or when someone sets it (``Team.set_lead``: projects made before it was
recorded have none, and behave as before until it is set). Merging a bundle of the same
project takes the bundle's lead when the bundle comes from the lead this project names (a lead
hands the project over) or, where none is named yet, from the lead the bundle names (a coder
who names herself lead in her copy is believed only where no lead is recorded). A bundle
exported by the recorded lead carries decisions that are final in a coder's copy that merges
it (``lead_decides``): the lead's removals and deletions go through without a conflict the
coder could keep, and only the lead's resolutions are taken. Part of ``storage.team.merge``.
"""

from __future__ import annotations

import sqlite3

from storage.core.meta import put_meta, read_meta
from storage.core.models import CHANGED_SUFFIX, LEAD_KEY

LEAD_CHANGED = f"{LEAD_KEY}{CHANGED_SUFFIX}"
#: the lead's name before the lead's copy was renamed (``Project.coders.code_as``): copies
#: naming that lead take the new name from the renamed lead's bundle
LEAD_PREVIOUS = f"{LEAD_KEY}:previous"
#: the longest lead name a bundle may carry (a coder name; a bundle is untrusted input)
_MOST = 200


def usable_lead(value: object) -> bool:
    """Whether a bundle's lead value is a coder name (untrusted input)."""
    return (
        isinstance(value, str)
        and value == value.strip()
        and 0 < len(value) <= _MOST
        and value.isprintable()
    )


def meta(conn: sqlite3.Connection, schema: str, key: str) -> str | None:
    """One ``project_meta`` value of ``schema`` ("main" or an attached bundle)."""
    return read_meta(conn, schema, key)


def read_lead(conn: sqlite3.Connection, schema: str = "main") -> str | None:
    """The recorded lead of this project (``schema`` "main") or of a bundle; None if none."""
    value = meta(conn, schema, LEAD_KEY)
    return value if value and usable_lead(value) else None


def _set(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM main.project_meta WHERE key = ?", (key,))
        return
    put_meta(conn, key, value)


def take_lead(conn: sqlite3.Connection, schema: str, bundle_coder: str) -> str | None:
    """Take the bundle's lead, when the bundle comes from the lead this project names (and it
    changed there later), or, in a project that names none, from the lead the bundle names;
    return the lead taken, or None."""
    theirs, ours = read_lead(conn, schema), read_lead(conn, "main")
    if theirs is None or theirs == ours:
        return None
    renamed = bundle_coder == theirs and meta(conn, schema, LEAD_PREVIOUS) == ours
    if bundle_coder != (ours or theirs) and not renamed:
        # only the lead hands the project over (or renames herself); a project with none takes
        # it from the lead's own bundle (a coder who named herself lead in her copy is not
        # believed elsewhere)
        return None
    their_time, our_time = meta(conn, schema, LEAD_CHANGED), meta(conn, "main", LEAD_CHANGED)
    if ours is not None and their_time and our_time and their_time <= our_time:
        return None  # an older bundle of the lead, from before a later handover
    _set(conn, LEAD_KEY, theirs)
    _set(conn, LEAD_CHANGED, their_time)
    return theirs


def adopt_lead(conn: sqlite3.Connection, schema: str) -> None:
    """A copy made from a bundle leads as the bundle does: its lead, or none (not its coder)."""
    theirs = read_lead(conn, schema)
    _set(conn, LEAD_KEY, theirs)
    _set(conn, LEAD_CHANGED, meta(conn, schema, LEAD_CHANGED) if theirs else None)


def rename_lead(conn: sqlite3.Connection, old: str, new: str, when: str) -> None:
    """The lead's copy codes as ``new`` now: the lead moves along (``old`` kept as
    ``LEAD_PREVIOUS`` so that the copies naming ``old`` take ``new`` from her next bundle)."""
    if read_lead(conn) != old or old == new:
        return
    _set(conn, LEAD_KEY, new)
    _set(conn, LEAD_CHANGED, when)
    _set(conn, LEAD_PREVIOUS, old)


def lead_decides(conn: sqlite3.Connection, bundle_coder: str) -> bool:
    """Whether the bundle's coder is this project's recorded lead: then its removals and
    deletions are the lead's decisions, final here."""
    lead = read_lead(conn, "main")
    return lead is not None and bundle_coder == lead

"""Where a note of a .qdpx lands besides a memo row: a coding's memo, a marker's note; and a
note an earlier import kept in the journal, because the text of the source it is on could not
be read, moved to its place when the whole file is imported later (one copy, where it belongs).

A note moved so carries what the researcher made of it in the journal meanwhile: its text and
title as they are now, never the file's older text beside them (that would be the duplicate).
A note deleted here meanwhile is not brought back, as a deleted coding is not."""

from __future__ import annotations

from storage.core.ids import new_id

from .context import ImportContext

#: where a note is placed by a memo row of its own (the others: a coding's memo, a marker's note)
_MEMO_TARGETS = ("project", "session", "segment", "code")


def note_as_memo(title: str | None, text: str) -> str:
    """A note as a coding memo holds it: its title first where it has one ("Title: text")."""
    title, text = (title or "").strip(), text.strip()
    if not title or text.startswith(title):
        return text
    return f"{title}: {text}" if text else title


def marker_note_with_note(ctx: ImportContext, marker_id: str, title: str | None, text: str) -> None:
    """Add a note about an uncoded time selection (a marker here) to the marker's note, after
    the selection's ``Description`` where it had one (not twice)."""
    part = note_as_memo(title, text)
    row = ctx.conn.execute("SELECT note FROM markers WHERE id = ?", (marker_id,)).fetchone()
    note = (row[0] if row is not None else None) or ""
    if not part or part in note:
        return
    ctx.conn.execute(
        "UPDATE markers SET note = ? WHERE id = ?",
        (f"{note}\n\n{part}" if note else part, marker_id),
    )


def coding_memo_with_note(ctx: ImportContext, coding_id: str, title: str | None, text: str) -> None:
    """Add a note about a coding (a ``NoteRef`` in its selection or its ``Coding``, as MAXQDA
    and NVivo write a coded segment's memo) to the coding's memo, after the selection's
    ``Description`` where it had one. A memo on a coding kept apart (a ``memos`` row) showed
    nowhere in the workbench nor in the codings export."""
    part = note_as_memo(title, text)
    if not part:
        return
    row = ctx.conn.execute("SELECT memo FROM codings WHERE id = ?", (coding_id,)).fetchone()
    memo = (row[0] if row is not None else None) or ""
    if part in memo:
        return
    ctx.conn.execute(
        "UPDATE codings SET memo = ? WHERE id = ?",
        (f"{memo}\n\n{part}" if memo else part, coding_id),
    )


def from_journal(ctx: ImportContext, guid: str, found: list[tuple[str, str | None]]) -> bool:
    """Move the journal memo ``guid`` (a note imported before) to the places this import
    found for it (``ImportContext.note_targets``: a session, its segments, codings or markers
    made now of a source whose text the earlier import could not read); whether it moved. A
    memo elsewhere than the journal, a note on a case (the journal is its place) or one this
    file places nowhere stays as it is."""
    row = ctx.conn.execute(
        "SELECT target_type, title, text, created_by, created_at, updated_at FROM memos "
        "WHERE id = ?",
        (guid,),
    ).fetchone()
    if row is None or row[0] != "journal" or any(kind == "case" for kind, _id in found):
        return False
    places = [(kind, target) for kind, target in found if kind != "journal"]
    if not places or all(kind == "project" for kind, _id in places):
        return False  # a project note is never put in the journal: nothing to move
    title, text = row[1], row[2]
    rows = [(kind, target) for kind, target in places if kind in _MEMO_TARGETS]
    for kind, target in places:
        if kind == "coding" and target is not None:
            coding_memo_with_note(ctx, target, title, text)
        elif kind == "marker" and target is not None:
            marker_note_with_note(ctx, target, title, text)
    if not rows:  # its place is a coding's memo or a marker's note: no memo row stands for it
        ctx.conn.execute("DELETE FROM memos WHERE id = ?", (guid,))
        ctx.p.store.tombstone("memos", guid)
        return True
    (kind, target), more = rows[0], rows[1:]
    ctx.conn.execute(
        "UPDATE memos SET target_type = ?, target_id = ? WHERE id = ?", (kind, target, guid)
    )
    for kind, target in more:
        ctx.conn.execute(
            "INSERT INTO memos (id, target_type, target_id, title, text, created_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (new_id(), kind, target, title, text, row[3], row[4], row[5]),
        )
        ctx.report.memos += 1
    return True

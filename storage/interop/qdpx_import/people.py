"""Cases (participants, mapped to speakers) and notes (memos on what refers to them)."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from storage.core.ids import now_iso
from storage.core.names import name_key
from storage.core.words import plural, verb

from .. import exchange_meta
from .._common import derived_guid, iso_from_xml
from ..qdpx_parse import QNote
from .context import SPEAKER_LINE, ImportContext
from .note_places import coding_memo_with_note, from_journal, marker_note_with_note, note_as_memo
from .sources import rich_text

if TYPE_CHECKING:
    pass


def source_variable_cases(ctx: ImportContext) -> None:
    """MAXQDA and Quirkos keep a document's variables in a ``Case`` with no name and one
    ``SourceRef``: those values are the source's own (session details or notes), not a
    participant."""
    by_guid = {src.guid: src for src in ctx.qp.sources}
    codes = {c.guid for c in ctx.qp.codes}
    for case in ctx.qp.cases:
        if case.name or case.guid in codes or len(set(case.source_refs)) != 1:
            continue
        src = by_guid.get(case.source_refs[0])
        if src is None:
            continue
        own = {guid for guid, _value in src.variables}  # the source's own values come first
        src.variables.extend((guid, value) for guid, value in case.values if guid not in own)
        if case.description and not src.description:
            src.description = case.description
        src.notes.extend(note for note in case.notes if note not in src.notes)
        ctx.skipped_cases.add(case.guid)


def linked_notes(ctx: ImportContext) -> None:
    """NVivo ties an annotation to its selection with a ``Link`` (a note at one end, the
    selection at the other) instead of a ``NoteRef``, and ATLAS.ti a memo to a code or a
    document: read such a link as one (a note linked to a code used to land in the journal,
    the link reported as not imported). Runs after the codes are imported, before the
    sources. In a file FieldScribe wrote, only its own "Note on case" link (``qdpx_build``)
    is a note's place: any other link of a note is a link a researcher made (``keep_links``;
    a memo linked to a code or a passage came back as that code's or passage's memo and the
    link was lost)."""
    selections = {
        sel.guid: sel
        for src in ctx.qp.sources
        for sel in [*src.selections, *(s for t in src.transcripts for s in t.selections)]
        if sel.guid
    }
    cases = {case.guid: case for case in ctx.qp.cases if case.guid}
    sources = {src.guid: src for src in ctx.qp.sources if src.guid}
    # a note linked to a recording's transcript is about its session, as a NoteRef in the
    # transcript is (it landed in the journal, the link reported as not imported)
    transcripts = {tr.guid: tr for src in ctx.qp.sources for tr in src.transcripts if tr.guid}
    codes = {code.guid for code in ctx.qp.codes if code.guid}
    for link in ctx.qp.link_items:
        origin, target = link.origin, link.target
        for note, other in ((origin, target), (target, origin)):
            if note not in ctx.qp.notes:
                continue
            if ctx.fieldscribe and link.guid != derived_guid(note, "case-link"):
                continue
            about = (
                selections.get(other)
                or cases.get(other)
                or sources.get(other)
                or transcripts.get(other)
            )
            code_id = ctx.code_map.get(other) if other in codes else None
            if about is not None:  # a note about a case is its participant's
                if note not in about.notes:
                    about.notes.append(note)
            elif code_id is not None:  # the codes are in the project already
                targets = ctx.note_targets.setdefault(note, [])
                if ("code", code_id) not in targets:
                    targets.append(("code", code_id))
            else:
                continue
            ctx.note_links += 1
            ctx.note_link_pairs.add((origin, target))
            break


def _derived(guid: str) -> bool:
    """Whether ``guid`` is one FieldScribe derives (``derived_guid``: a UUID of version 5)."""
    try:
        return uuid.UUID(guid).version == 5
    except ValueError:
        return True  # no UUID at all: as before


def import_cases(ctx: ImportContext) -> None:
    code_names = {c.guid: c.name for c in ctx.qp.codes}
    # participants here by name (``name_key``: case and NFC aside): a case of the same name
    # is that person (another tool's export of the same study, or this file imported again
    # after its tool gave new GUIDs), not a second "Ерлан Б."
    by_name = {
        name_key(str(row[1])): (str(row[0]), str(row[1]))
        for row in ctx.conn.execute("SELECT id, pseudonym FROM participants ORDER BY created_at")
    }
    matched: list[str] = []
    unspoken: list[tuple[str, str]] = []  # (case, session) tied by a SourceRef alone
    for n, case in enumerate(ctx.qp.cases, start=1):
        if case.guid in ctx.skipped_cases:
            continue
        name = case.name or code_names.get(case.guid) or f"Case {n}"
        speaker_links: list[tuple[str, str]] = []
        other_desc: list[str] = []
        for line in (case.description or "").splitlines():
            match = SPEAKER_LINE.match(line.strip())
            if match:
                speaker_links.append((match.group(1), match.group(2).lower()))
            elif line.strip():
                other_desc.append(line)
        attributes: dict[str, str] = {}
        for var_guid, value in case.values:
            var_name, kind = ctx.qp.variables.get(var_guid, (var_guid, "Text"))
            if not value and kind != "Text":
                continue  # no number, date or truth value (QualCoder writes an empty FloatValue)
            attributes[var_name or var_guid] = value
        if other_desc:
            attributes["description"] = "\n".join(other_desc)
        if case.extra_refs:
            ctx.report.not_imported.append(
                f"Case {name!r}: {plural(case.extra_refs, 'code/selection reference')} of the case."
            )
        only_speaker = (
            ctx.fieldscribe
            and not attributes
            and speaker_links
            and all(label == name for label, _ in speaker_links)
            # FieldScribe derives an unmapped label's GUID (version 5); a participant's is its
            # row id (version 4 or 7): "Anna" of no attributes, mapped to her label "Anna",
            # was taken for the label alone and lost
            and _derived(case.guid)
        )
        sessions = [ctx.session_map[g] for g in case.source_refs if g in ctx.session_map]
        if only_speaker:
            continue  # an unmapped speaker label written by FieldScribe: nothing to create
        if case.guid and ctx.exists("participants", case.guid):
            ctx.reused_cases += 1  # imported before: the participant is already here
            ctx.case_map[case.guid] = case.guid
            case_notes(ctx, case.notes, case.guid, name)
            continue
        if other_desc and not ctx.fieldscribe:  # (not said of a case imported before)
            ctx.report.notes.append(
                f"Case {name!r}: its description is the participant's attribute 'description'."
            )
        same = by_name.get(name_key(name))
        if same is not None:  # the participant of that name: reused, its attributes kept
            pid = same[0]
            ctx.case_map[case.guid] = pid
            case_notes(ctx, case.notes, pid, same[1])
            matched.append(same[1])
            added_attributes(ctx, pid, attributes)
        else:
            pid = ctx.fresh_id("participants", case.guid)
            ctx.case_map[case.guid] = pid
            case_notes(ctx, case.notes, pid, name)
            stamp = now_iso()
            ctx.conn.execute(
                "INSERT INTO participants (id, pseudonym, attributes, created_by, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    pid,
                    name,
                    json.dumps(attributes, ensure_ascii=False, sort_keys=True),
                    ctx.p.coder,
                    stamp,
                    stamp,
                ),
            )
            ctx.report.participants += 1
            by_name[name_key(name)] = (pid, name)
        links = [(ctx.session_map[g], label) for label, g in speaker_links if g in ctx.session_map]
        if not links:
            for sid in sessions:
                if ctx.conn.execute(
                    "SELECT 1 FROM segments WHERE session_id = ? AND speaker = ? LIMIT 1",
                    (sid, name),
                ).fetchone():
                    links.append((sid, name))
        for sid, label in links:
            ctx.p.sessions.map_speaker(sid, label, pid)
        spoken = {sid for sid, _label in links}
        for sid in dict.fromkeys(s for s in sessions if s not in spoken):
            # a case of a whole document (MAXQDA, NVivo: the interview is the case's), where
            # no speaker bears its name: FieldScribe ties participants to speakers
            if case_line(ctx, sid, name):
                unspoken.append((name, sid))
    if unspoken:
        titles = dict(ctx.conn.execute("SELECT id, title FROM sessions").fetchall())
        shown = [f"{name!r} in {titles.get(sid, sid)!r}" for name, sid in unspoken]
        more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
        ctx.report.notes.append(
            f"{plural(len(unspoken), 'case')} tied to a source where no speaker bears its name "
            f"({', '.join(shown[:5])}{more}): FieldScribe ties participants to speakers; the "
            "notes of each such session say so in a line 'Case: NAME' (exported with its "
            "source's description)."
        )
    if matched:
        n = len(matched)
        more = f" and {n - 5} more" if n > 5 else ""
        ctx.report.notes.append(
            f"{plural(n, 'case')} of the file {verb(n, 'is', 'are')} a participant already here "
            f"by name ({', '.join(repr(m) for m in matched[:5])}{more}): reused, not added "
            "again; the participant's attributes were kept, those it lacked added."
        )


def added_attributes(ctx: ImportContext, pid: str, attributes: dict[str, str]) -> None:
    """Give a participant found by name the file's attributes it lacks (its own are kept)."""
    row = ctx.conn.execute("SELECT attributes FROM participants WHERE id = ?", (pid,)).fetchone()
    have = json.loads(row[0] or "{}") if row else {}
    new = {k: v for k, v in attributes.items() if k not in have}
    if new:
        ctx.conn.execute(
            "UPDATE participants SET attributes = ?, updated_at = ? WHERE id = ?",
            (json.dumps(have | new, ensure_ascii=False, sort_keys=True), now_iso(), pid),
        )


def undeclared_variables(ctx: ImportContext) -> None:
    """Say the values of variables the file does not declare (a ``VariableRef`` to no
    ``Variable``): each is kept under the variable's GUID, which reads as no name."""
    # a nameless case's values are its source's (``source_variable_cases``): counted there
    owners = [c.values for c in ctx.qp.cases if c.guid not in ctx.skipped_cases]
    owners += [src.variables for src in ctx.qp.sources]
    values = [guid for pairs in owners for guid, _value in pairs if guid not in ctx.qp.variables]
    if values:
        guids = sorted(set(values))
        named = ", ".join(guids[:5]) + (f" and {len(guids) - 5} more" if len(guids) > 5 else "")
        ctx.report.notes.append(
            f"{plural(len(values), 'value')} {verb(len(values), 'names', 'name')} "
            f"{plural(len(guids), 'variable')} the file does not declare ({named}): each is "
            "kept under its variable's GUID (a participant's attribute, or a line in a "
            "session's notes); rename them there."
        )


def case_notes(ctx: ImportContext, notes: list[str], pid: str, name: str) -> None:
    """The notes of a case go to its participant (``import_notes`` writes them)."""
    ctx.case_names[pid] = name
    for note in notes:
        ctx.note_targets.setdefault(note, []).append(("case", pid))


def case_line(ctx: ImportContext, session_id: str, name: str) -> bool:
    """Add the line ``Case: NAME`` to a session's notes (not twice); whether it was added."""
    row = ctx.conn.execute("SELECT notes FROM sessions WHERE id = ?", (session_id,)).fetchone()
    notes = (row[0] if row else None) or ""
    line = f"Case: {name}"
    if line in notes.splitlines():
        return False
    ctx.conn.execute(
        "UPDATE sessions SET notes = ? WHERE id = ?",
        (f"{notes}\n{line}" if notes else line, session_id),
    )
    return True


def import_notes(ctx: ImportContext) -> None:
    linked: dict[str, str] = {}  # journal memo id -> the participant its note is about
    said: list[str] = []  # where each of those notes went, for the report
    for ref in ctx.qp.project_notes:
        ctx.note_targets.setdefault(ref, []).append(("project", None))
    on_codings = 0  # notes that became the memos of the codings they are about
    on_markers = 0  # notes on an uncoded moment or range of a recording: its marker's note
    unread = 0  # notes on a source whose text could not be read: in the journal
    about_codings = coded_selection_notes(ctx)
    memos_before: list[str] | None = None
    back = 0  # notes kept in the journal before, as their source's text was not read: moved
    on_links = {guid for link in ctx.qp.link_items for guid in link.notes}
    for guid, note in ctx.qp.notes.items():
        if ctx.exists("memos", guid):  # imported before
            back += from_journal(ctx, guid, ctx.note_targets.get(guid, []))
            continue
        if ctx.deleted("memos", guid):
            continue  # deleted here since, as a coding is (or moved into a coding's memo)
        text = note_text(ctx, note)
        if text is None:
            continue  # its text is missing (said): a later import of the whole file adds it
        found = ctx.note_targets.get(guid, [])
        if guid in on_links and not found:  # a link's memo, nothing else's (``keep_links``)
            ctx.link_notes[guid] = (note.name, text)
            continue
        codings = [target_id for target_type, target_id in found if target_type == "coding"]
        markers = [target_id for target_type, target_id in found if target_type == "marker"]
        if codings:
            on_codings += 1
            for coding_id in codings:
                assert coding_id is not None
                coding_memo_with_note(ctx, coding_id, note.name, text)
        if markers:
            on_markers += 1
            for marker_id in markers:
                assert marker_id is not None
                marker_note_with_note(ctx, marker_id, note.name, text)
        elif guid in about_codings:
            if memos_before is None:  # read once, and only for a file imported before
                memos_before = [
                    str(row[0])
                    for row in ctx.conn.execute(
                        "SELECT memo FROM codings WHERE memo IS NOT NULL AND memo != ''"
                    )
                ]
            if coding_note_before(note.name, text, memos_before):
                continue  # its coding's memo, from an import of this file before
        targets = [t for t in found if t[0] not in ("coding", "marker")] or (
            []
            if codings or markers
            else [("journal" if (note.description or "").strip() != "project" else "project", None)]
        )
        unread += not found and guid in ctx.unread_notes
        for n, (target_type, target_id) in enumerate(targets):
            memo_id = ctx.fresh_id("memos", guid if n == 0 else None)
            created = iso_from_xml(note.created) or now_iso()
            title = note.name
            if target_type == "case" and target_id is not None:
                # FieldScribe keeps no memos on a participant: the journal, under its name,
                # and linked to it for exports
                case = ctx.case_names[target_id]
                title = case_note_title(case, note.name)
                linked[memo_id] = target_id
                target_type, target_id = "journal", None
                said.append(f"note {note.name or guid!r} on case {case!r} as {title!r}")
            ctx.conn.execute(
                "INSERT INTO memos (id, target_type, target_id, title, text, created_by,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    memo_id,
                    target_type,
                    target_id,
                    title,
                    text,
                    ctx.user(note.user),
                    created,
                    now_iso(),
                ),
            )
            ctx.report.memos += 1
    if on_codings:
        ctx.report.notes.append(
            f"{plural(on_codings, 'note')} on coded passages became the memos of their codings "
            "(FieldScribe's place for them: shown on hover, in Code ▸ Coding memo… and in the "
            "codings export)."
        )
    if on_markers:
        ctx.report.notes.append(
            f"{plural(on_markers, 'note')} on a moment or range of a recording "
            f"{verb(on_markers, 'is', 'are')} the note of {verb(on_markers, 'its', 'their')} "
            "marker (FieldScribe keeps no memos on a time of a recording)."
        )
    if unread:
        ctx.report.notes.append(
            f"{plural(unread, 'note')} on a source whose text could not be read "
            f"{verb(unread, 'is', 'are')} in the project journal (moved to the source when the "
            f"whole file is imported later, with any edits made to {verb(unread, 'it', 'them')} "
            "here)."
        )
    if back:
        ctx.report.notes.append(
            f"{plural(back, 'note')} kept in the journal by an earlier import, as the text of "
            f"{verb(back, 'its', 'their')} source could not be read then, "
            f"{verb(back, 'was', 'were')} moved to where the file places "
            f"{verb(back, 'it', 'them')}, with the text {verb(back, 'it has', 'they have')} in "
            "the journal (edits made there are kept)."
        )
    if said:
        more = f" and {len(said) - 5} more" if len(said) > 5 else ""
        ctx.report.notes.append(
            "FieldScribe keeps no notes on a participant: the notes on cases are in the project "
            f"journal, titled after the participant ({'; '.join(said[:5])}{more}); exports "
            "attach each to its case again."
        )
    if linked:
        known = exchange_meta.case_notes(ctx.p)
        exchange_meta.write(ctx.conn, exchange_meta.CASE_NOTES, known | linked)
    coded = [note for note in ctx.qp.notes.values() if note.codings]
    if coded:
        n = sum(note.codings for note in coded)
        names = ", ".join(repr(note.name or note.guid) for note in coded[:5])
        more = f" and {len(coded) - 5} more" if len(coded) > 5 else ""
        ctx.report.not_imported.append(
            f"{plural(n, 'coding')} of the text of {plural(len(coded), 'note')} ({names}{more}): "
            "FieldScribe codes transcripts, not memos (the notes are memos, uncoded)."
        )
    missing = set(ctx.note_targets) - set(ctx.qp.notes)
    if missing:
        ctx.report.not_imported.append(
            f"{plural(len(missing), 'note reference')} "
            f"{verb(len(missing), 'points')} to notes that are not in the file."
        )


def coded_selection_notes(ctx: ImportContext) -> set[str]:
    """The notes the file gives on coded selections (in a ``Coding`` or its selection)."""
    found: set[str] = set()
    for src in ctx.qp.sources:
        selections = [*src.selections, *(s for t in src.transcripts for s in t.selections)]
        for sel in selections:
            if sel.codings:
                found.update(sel.notes)
                found.update(note for coding in sel.codings for note in coding.notes)
    return found


def coding_note_before(title: str | None, text: str, memos: list[str]) -> bool:
    """Whether a note the file gives on coded passages, none of them added now (the file was
    imported before), is already a coding's memo (``coding_memo_with_note``) among ``memos``
    (the project's coding memos, read once for the import)."""
    part = note_as_memo(title, text)
    return bool(part) and any(part in memo for memo in memos)


def case_note_title(case: str, title: str | None) -> str:
    """A case note's title in the journal: the case's name first (once)."""
    title = (title or "").strip()
    if not title or title == case:
        return case
    return title if title.startswith(f"{case}: ") else f"{case}: {title}"


def note_text(ctx: ImportContext, note: QNote) -> str | None:
    """A note's text, after its ``Description`` where it has one (a note is a text source in
    QDA-XML: a description beside its text, or only a description, was lost). FieldScribe's
    own exports mark a journal or project note so ("journal", "project"): no text of it.
    None where the text file it names cannot be read (the report says why) and it has no
    description: no empty memo is made in its place."""
    what = f"Note {note.name!r}"
    if note.text is None and not note.text_path and note.rich_path:
        # a memo written only as a Word document (its text was lost, an empty memo made)
        read, why = rich_text(ctx, what, note.rich_path)
        if read is None:
            ctx.report.not_imported.append(f"{what}: {why}.")
            if not (note.description or "").strip():
                return None
    else:
        read = ctx.read_text(note.text_path, note.text, what)
    text = read or ""
    description = (note.description or "").strip()
    if (
        read is None
        and note.text_path
        and (not description or description in ("journal", "project"))
    ):
        return None
    if not description or description in ("journal", "project") or description in text:
        return text
    return f"{description}\n\n{text}" if text.strip() else description

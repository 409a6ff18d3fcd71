"""Cases (participants, mapped to speakers) and notes (memos on what refers to them)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from storage.core.ids import now_iso
from storage.core.words import plural, verb

from .. import exchange_meta
from .._common import iso_from_xml
from ..qdpx_parse import QNote
from .context import SPEAKER_LINE, ImportContext

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
    selection at the other) instead of a ``NoteRef``: read such a link as one."""
    selections = {
        sel.guid: sel
        for src in ctx.qp.sources
        for sel in [*src.selections, *(s for t in src.transcripts for s in t.selections)]
        if sel.guid
    }
    cases = {case.guid: case for case in ctx.qp.cases if case.guid}
    for origin, target in ctx.qp.links:
        for note, other in ((origin, target), (target, origin)):
            if note not in ctx.qp.notes:
                continue
            sel, case = selections.get(other), cases.get(other)
            if sel is not None and note not in sel.notes:
                sel.notes.append(note)
            elif case is not None and note not in case.notes:
                case.notes.append(note)  # a note about a case (a participant)
            if sel is not None or case is not None:
                ctx.note_links += 1
                break


def import_cases(ctx: ImportContext) -> None:
    code_names = {c.guid: c.name for c in ctx.qp.codes}
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
            var_name = ctx.qp.variables.get(var_guid, (var_guid, "Text"))[0] or var_guid
            attributes[var_name] = value
        if other_desc:
            attributes["description"] = "\n".join(other_desc)
            if not ctx.fieldscribe:
                ctx.report.notes.append(
                    f"Case {name!r}: its description is the participant's attribute 'description'."
                )
        if case.extra_refs:
            ctx.report.not_imported.append(
                f"Case {name!r}: {plural(case.extra_refs, 'code/selection reference')} of the case."
            )
        only_speaker = (
            ctx.fieldscribe
            and not attributes
            and speaker_links
            and all(label == name for label, _ in speaker_links)
        )
        sessions = [ctx.session_map[g] for g in case.source_refs if g in ctx.session_map]
        if only_speaker:
            continue  # an unmapped speaker label written by FieldScribe: nothing to create
        if case.guid and ctx.exists("participants", case.guid):
            ctx.reused_cases += 1  # imported before: the participant is already here
            case_notes(ctx, case.notes, case.guid, name)
            continue
        pid = ctx.fresh_id("participants", case.guid)
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


def case_notes(ctx: ImportContext, notes: list[str], pid: str, name: str) -> None:
    """The notes of a case go to its participant (``import_notes`` writes them)."""
    ctx.case_names[pid] = name
    for note in notes:
        ctx.note_targets.setdefault(note, []).append(("case", pid))


def import_notes(ctx: ImportContext) -> None:
    linked: dict[str, str] = {}  # journal memo id -> the participant its note is about
    said: list[str] = []  # where each of those notes went, for the report
    for ref in ctx.qp.project_notes:
        ctx.note_targets.setdefault(ref, []).append(("project", None))
    for guid, note in ctx.qp.notes.items():
        targets = ctx.note_targets.get(guid) or [
            ("journal" if (note.description or "").strip() != "project" else "project", None)
        ]
        if ctx.exists("memos", guid):
            continue  # imported before
        text = note_text(ctx, note)
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
    missing = set(ctx.note_targets) - set(ctx.qp.notes)
    if missing:
        ctx.report.not_imported.append(
            f"{plural(len(missing), 'note reference')} "
            f"{verb(len(missing), 'points')} to notes that are not in the file."
        )


def case_note_title(case: str, title: str | None) -> str:
    """A case note's title in the journal: the case's name first (once)."""
    title = (title or "").strip()
    if not title or title == case:
        return case
    return title if title.startswith(f"{case}: ") else f"{case}: {title}"


def note_text(ctx: ImportContext, note: QNote) -> str:
    text = ctx.read_text(note.text_path, note.text, f"Note {note.name!r}")
    return text or ""

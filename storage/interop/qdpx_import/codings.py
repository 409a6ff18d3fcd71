"""Codings of the file's selections, on the segments a selection covers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.ids import new_id, now_iso
from storage.core.words import plural, verb

from .._common import iso_from_xml
from ..qdpx_parse import QCoding, QSelection
from ..text_lines import (
    Line,
    map_span,
)
from .context import ImportContext

if TYPE_CHECKING:
    pass


def selection(
    ctx: ImportContext,
    source_name: str,
    sel: QSelection,
    lines: list[Line],
    seg_ids: list[str],
    start: int,
    end: int,
) -> None:
    if sel.unreadable_codings:
        ctx.report.not_imported.append(
            f"{source_name!r}: selection {start}-{end} has "
            f"{plural(sel.unreadable_codings, 'coding')} "
            f"that {verb(sel.unreadable_codings, 'names')} no code (no CodeRef)."
        )
    targets = map_span(lines, start, end)
    if not targets:
        what = ", ".join(ctx.code_label(c.code) for c in sel.codings) or "a note"
        why = (
            "is empty (it starts where it ends): there is no text to code"
            if start == end
            else "covers no transcript text (only a speaker name, a timestamp or blank lines)"
        )
        ctx.report.not_imported.append(f"{source_name!r}: selection {start}-{end} ({what}) {why}.")
        return
    if len(targets) > 1 and sel.codings:
        ctx.report.notes.append(
            f"{source_name!r}: a selection over {len(targets)} lines became "
            f"{plural(len(targets), 'coding')}, one per segment."
        )
    memo = sel.description or None
    coding_ids: list[str] = []
    for coding in sel.codings:
        for n, (index, s_cp, e_cp) in enumerate(targets):
            coding_id = add_coding(ctx, seg_ids[index], coding, sel, s_cp, e_cp, memo, n)
            if coding_id:
                coding_ids.append(coding_id)
                for note in coding.notes:
                    ctx.note_targets.setdefault(note, []).append(("coding", coding_id))
    if not sel.codings and memo:
        # a commented, uncoded passage (MAXQDA writes its comments so): a memo on its lines
        for index, _s, _e in targets:
            add_memo(ctx, "segment", seg_ids[index], sel, memo)
    for note in sel.notes:
        if coding_ids:
            for cid in coding_ids:
                ctx.note_targets.setdefault(note, []).append(("coding", cid))
        else:
            for index, _s, _e in targets:
                ctx.note_targets.setdefault(note, []).append(("segment", seg_ids[index]))


def add_coding(
    ctx: ImportContext,
    segment_id: str,
    coding: QCoding,
    sel: QSelection,
    start_cp: int | None,
    end_cp: int | None,
    memo: str | None,
    n: int,
) -> str | None:
    code_id = ctx.code_map.get(coding.code)
    if code_id is None:
        # counted per code and reported once (a project can hold thousands of such codings)
        ctx.unknown_codes[coding.code] = ctx.unknown_codes.get(coding.code, 0) + 1
        return None
    coder = ctx.coder(coding.user, sel.user)
    ctx.ensure_coder(coder)
    guid = coding.guid if n == 0 else None
    coding_id = ctx.fresh_id("codings", guid)
    created = iso_from_xml(coding.created or sel.created) or now_iso()
    cur = ctx.conn.execute(
        "INSERT OR IGNORE INTO codings (id, segment_id, code_id, coder, start_cp, end_cp,"
        " memo, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            coding_id,
            segment_id,
            code_id,
            coder,
            start_cp,
            end_cp,
            memo,
            coder,
            created,
            now_iso(),
        ),
    )
    if cur.rowcount == 0:
        ctx.report.notes.append(
            f"Coding {coding.guid} duplicates a coding already in the project; kept once."
        )
        return None
    ctx.report.codings += 1
    return coding_id


def add_memo(
    ctx: ImportContext, target_type: str, target_id: str, sel: QSelection, text: str
) -> None:
    """A memo holding a selection's ``Description``."""
    stamp = now_iso()
    ctx.conn.execute(
        "INSERT INTO memos (id, target_type, target_id, title, text, created_by, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new_id(),
            target_type,
            target_id,
            (sel.name or "").strip() or None,
            text,
            ctx.user(sel.user),
            iso_from_xml(sel.created) or stamp,
            stamp,
        ),
    )
    ctx.report.memos += 1

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
        n = sel.unreadable_codings
        ctx.report.item(
            True,
            "no CodeRef",
            f"{source_name!r}",
            f"{source_name!r}: selection {start}-{end} has {plural(n, 'coding')} "
            f"that {verb(n, 'names')} no code (no CodeRef).",
            f"{start}-{end}",
            lambda count, shown: (
                f"{count} selections have codings that name no code (no CodeRef): {shown}."
            ),
        )
    targets = map_span(lines, start, end)
    if not targets:
        what = ", ".join(ctx.code_label(c.code) for c in sel.codings) or "a note"
        if start == end:
            kind, why, why_all = (
                "empty",
                "is empty (it starts where it ends): there is no text to code",
                "are empty (each starts where it ends): there is no text to code",
            )
        else:
            kind, why, why_all = (
                "no text",
                "covers no transcript text (only a speaker name, a timestamp, a line end or "
                "blank lines)",
                "cover no transcript text (only a speaker name, a timestamp, a line end or "
                "blank lines)",
            )
        ctx.report.item(
            True,
            kind,
            f"{source_name!r}",
            f"{source_name!r}: selection {start}-{end} ({what}) {why}.",
            f"{start}-{end} ({what})",
            lambda count, shown: f"{count} selections {why_all}: {shown}.",
        )
        return
    if len(targets) > 1 and sel.codings:
        ctx.report.item(
            False,
            "over lines",
            f"{source_name!r}",
            f"{source_name!r}: a selection over {len(targets)} lines became "
            f"{plural(len(targets), 'coding')}, one per segment.",
            f"{start}-{end} ({len(targets)} lines)",
            lambda count, shown: (
                f"{count} selections over several lines each became one "
                f"coding per segment: {shown}."
            ),
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
        ctx.report.item(
            False,
            "duplicate",
            "",
            f"Coding {coding.guid} duplicates a coding already in the project; kept once.",
            coding.guid,
            lambda count, shown: (
                f"{count} codings duplicate codings already in the project; each was kept "
                f"once: {shown}."
            ),
        )
        return None
    ctx.report.codings += 1
    if sel.guid:
        ctx.selection_codings.setdefault(sel.guid, []).append(coding_id)
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

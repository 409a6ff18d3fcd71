"""Sources imported before (their GUIDs are sessions here): the file's codings the project has
never held are added to their segments. Each coder of a team codes a copy of one project in
another tool and exports it; the lead imports the files one after the other, and agreement
compares them. Codings imported before, or deleted since, are left as they are; where the
segments no longer hold the file's text (edited since), the codings are counted, not placed."""

from __future__ import annotations

from dataclasses import replace

from storage.core.words import plural, verb

from .._common import UNTRANSCRIBED_TEXT
from ..qdpx_parse import QSelection, QSource
from ..text_lines import Line
from .codings import selection
from .context import ImportContext
from .media import time_selection, transcript_lines
from .sources import plain_or_rich, source_text, text_of


def _fresh(ctx: ImportContext, selections: list[QSelection]) -> list[QSelection]:
    """The selections with codings the project never held, holding only those."""
    return [
        replace(sel, codings=new, notes=[], unreadable_codings=0)
        for sel in selections
        if (new := [c for c in sel.codings if not ctx.known_coding(c.guid)])
    ]


def _same_text(ctx: ImportContext, session_id: str, lines: list[Line]) -> list[str] | None:
    """The session's segment ids when they hold the lines' text, else None."""
    segments = ctx.p.transcript.segments(session_id)
    texts = ["" if line.text.strip() == UNTRANSCRIBED_TEXT else line.text for line in lines]
    return [s.id for s in segments] if [s.text for s in segments] == texts else None


def _added(ctx: ImportContext, what: str, fresh: list[QSelection], before: int) -> None:
    coders = sorted({ctx.coder(c.user, s.user, count=False) for s in fresh for c in s.codings})
    added = ctx.report.codings - before
    ctx.report.notes.append(
        f"{what} was imported before: {plural(added, 'coding')} of it "
        f"not in the project yet (by {', '.join(map(repr, coders))}) "
        f"{verb(added, 'was')} added to its segments."
    )


def _not_placed(ctx: ImportContext, what: str, fresh: list[QSelection]) -> None:
    codings = sum(len(s.codings) for s in fresh)
    ctx.report.not_imported.append(
        f"{what} was imported before and its segments no longer hold the file's text (edited "
        f"since?): {plural(codings, 'coding')} of it that "
        f"{verb(codings, 'is')} not in the project "
        f"{verb(codings, 'was')} not imported."
    )


def text_codings_again(ctx: ImportContext, src: QSource, session_id: str) -> None:
    """A text source's (or a PDF's text's) codings the project never held."""
    what = f"Text source {src.name!r}"
    fresh = [s for s in _fresh(ctx, src.selections) if s.start is not None and s.end is not None]
    if not fresh:
        return
    text, _why = text_of(ctx, src)
    read = source_text(ctx, src, text) if text is not None else None
    seg_ids = _same_text(ctx, session_id, read.lines) if read is not None else None
    if read is None or seg_ids is None:
        _not_placed(ctx, what, fresh)
        return
    before = ctx.report.codings
    for sel in fresh:
        start, end = read.reading.to_lf(sel.start or 0), read.reading.to_lf(sel.end or 0)
        selection(ctx, src.name, sel, read.lines, seg_ids, start, end)
    _added(ctx, what, fresh, before)


def av_codings_again(ctx: ImportContext, src: QSource, session_id: str) -> None:
    """A recording's codings the project never held: its first transcript's selections and
    its coded time ranges."""
    what = f"{src.kind} {src.name!r}"
    tr = src.transcripts[0] if src.transcripts else None
    fresh = _fresh(ctx, tr.selections) if tr is not None else []
    timed = _fresh(ctx, src.selections)
    if not (fresh or timed) or not ctx.p.transcript.segments(session_id):
        return  # nothing new, or no segments (``media.transcript_again`` reads them)
    text = (
        plain_or_rich(
            ctx, f"Transcript of {src.name!r}", tr.text_path, tr.text_inline, tr.rich_path
        )[0]
        if tr is not None
        else None
    )
    row = ctx.conn.execute(
        "SELECT duration_ms FROM media WHERE session_id = ? ORDER BY rowid LIMIT 1", (session_id,)
    ).fetchone()
    if tr is None or text is None:
        _not_placed(ctx, what, fresh + timed)
        return
    lines, syncpoints = transcript_lines(ctx, src, tr, text, row[0] if row else None, [])
    seg_ids = _same_text(ctx, session_id, lines)
    if seg_ids is None:
        _not_placed(ctx, what, fresh + timed)
        return
    before = ctx.report.codings
    for sel in fresh:
        frm = syncpoints.get(sel.from_sync or "", (None, None))[0]
        to = syncpoints.get(sel.to_sync or "", (None, None))[0]
        if frm is not None and to is not None:
            selection(ctx, src.name, sel, lines, seg_ids, frm, to)
    for sel in timed:
        time_selection(ctx, src, session_id, sel, lines, seg_ids)
    _added(ctx, what, fresh + timed, before)

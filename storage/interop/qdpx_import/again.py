"""Sources imported before (their GUIDs are sessions here): the file's codings the project has
never held are added to their segments. Each coder of a team codes a copy of one project in
another tool and exports it; the lead imports the files one after the other, and agreement
compares them. Codings imported before, or deleted since, are left as they are; a coding of
words a segment no longer holds (edited since) is counted, not placed; those of segments that
still hold their line's text are placed (a session with one segment per line of the file)."""

from __future__ import annotations

from dataclasses import replace

from storage.core.words import plural, verb

from .._common import UNTRANSCRIBED_TEXT
from ..qdpx_parse import QSelection, QSource
from ..text_lines import Line, map_span
from .codings import selection
from .context import ImportContext
from .media import timed_ranges, transcript_lines, unsynced
from .ranges import coded_ranges, fit_ranges, whole_source
from .sources import plain_or_rich, source_text, text_of, unread_line


def _fresh(ctx: ImportContext, selections: list[QSelection]) -> list[QSelection]:
    """The selections with codings the project never held, holding only those."""
    return [
        replace(sel, codings=new, notes=[], unreadable_codings=0)
        for sel in selections
        if (new := [c for c in sel.codings if not ctx.known_coding(c.guid)])
    ]


def _same_text(
    ctx: ImportContext, session_id: str, lines: list[Line]
) -> tuple[list[str], set[int]] | None:
    """The session's segment ids and the lines whose text their segment still holds (by place),
    when the session has one segment per line; else None."""
    segments = ctx.p.transcript.segments(session_id)
    texts = ["" if line.text.strip() == UNTRANSCRIBED_TEXT else line.text for line in lines]
    if len(segments) != len(texts):
        # segments of speech without transcript the first import made of coded ranges beyond
        # the transcript's lines (``ranges``) are no line's: left aside
        spans = {(int(line.start_ms or 0), int(line.end_ms or 0)) for line in lines}
        segments = [
            s
            for s in segments
            if not (s.untranscribed and not s.text.strip()) or (s.start_ms, s.end_ms) in spans
        ]
    if len(segments) != len(texts):
        return None
    same = {i for i, (s, text) in enumerate(zip(segments, texts, strict=True)) if s.text == text}
    return [s.id for s in segments], same


def _on_same(lines: list[Line], same: set[int], start: int, end: int) -> bool:
    """Whether a span of the file's text lies on lines whose segments still hold them."""
    covered = [i for i, _s, _e in map_span(lines, start, end)]
    return bool(covered) and all(i in same for i in covered)


def _added(ctx: ImportContext, what: str, fresh: list[QSelection], before: int) -> None:
    coders = sorted({ctx.coder(c.user, s.user, count=False) for s in fresh for c in s.codings})
    added = ctx.report.codings - before
    ctx.report.notes.append(
        f"{what} was imported before: {plural(added, 'coding')} of it "
        f"not in the project yet (by {', '.join(map(repr, coders))}) "
        f"{verb(added, 'was')} added to its segments."
    )


def _not_placed(
    ctx: ImportContext, what: str, fresh: list[QSelection], *, some: bool = False
) -> None:
    codings = sum(len(s.codings) for s in fresh)
    ctx.report.not_imported.append(
        f"{what} was imported before and {'some of ' if some else ''}its segments no longer "
        f"hold the file's text (edited since?): {plural(codings, 'coding')} of it that "
        f"{verb(codings, 'is')} not in the project "
        f"{verb(codings, 'was')} not imported."
    )


def text_codings_again(ctx: ImportContext, src: QSource, session_id: str) -> None:
    """A text source's (or a PDF's text's) codings the project never held."""
    what = f"Text source {src.name!r}"
    whole_source(ctx, src, session_id, again=True)  # a code of the whole document
    fresh = [s for s in _fresh(ctx, src.selections) if s.start is not None and s.end is not None]
    if not fresh:
        return
    text, why = text_of(ctx, src)
    if text is None:  # the file lacks its text again: why, once, with what it costs
        ctx.report.not_imported.append(unread_line(what, why, fresh))
        return
    read = source_text(ctx, src, text)
    found = _same_text(ctx, session_id, read.lines)
    if found is None:
        _not_placed(ctx, what, fresh)
        return
    seg_ids, same = found
    before, placed, left = ctx.report.codings, [], []
    for sel in fresh:
        start, end = read.reading.to_lf(sel.start or 0), read.reading.to_lf(sel.end or 0)
        if _on_same(read.lines, same, start, end):
            selection(ctx, src.name, sel, read.lines, seg_ids, start, end)
            placed.append(sel)
        else:
            left.append(sel)
    if placed:
        _added(ctx, what, placed, before)
    if left:
        _not_placed(ctx, what, left, some=bool(same))


def av_codings_again(ctx: ImportContext, src: QSource, session_id: str) -> None:
    """A recording's codings the project never held: its first transcript's selections and
    its coded time ranges."""
    what = f"{src.kind} {src.name!r}"
    tr = src.transcripts[0] if src.transcripts else None
    fresh = _fresh(ctx, tr.selections) if tr is not None else []
    timed = _fresh(ctx, src.selections)
    if tr is None and timed:
        # a recording coded without a transcript: each range on the segments it overlaps
        # (the first import made them), else on a new segment of speech without transcript
        before = ctx.report.codings
        if coded_ranges(ctx, src, session_id, fit_ranges(ctx, src, session_id, timed)):
            _added(ctx, what, timed, before)
    whole_source(ctx, src, session_id, again=True)  # a code of the whole recording
    if tr is None:
        return
    if not (fresh or timed) or not ctx.p.transcript.segments(session_id):
        return  # nothing new, or no segments (``media.transcript_again`` reads them)
    text, why = plain_or_rich(
        ctx, f"Transcript of {src.name!r}", tr.text_path, tr.text_inline, tr.rich_path
    )
    if text is None:  # the file lacks its transcript's text again: why, once
        ctx.report.not_imported.append(
            unread_line(f"Transcript of {src.name!r}", why, fresh + timed)
        )
        return
    row = ctx.conn.execute(
        "SELECT duration_ms FROM media WHERE session_id = ? ORDER BY rowid LIMIT 1", (session_id,)
    ).fetchone()
    lines, syncpoints = transcript_lines(ctx, src, tr, text, row[0] if row else None, [])
    found = _same_text(ctx, session_id, lines)
    if found is None:
        _not_placed(ctx, what, fresh + timed)
        return
    seg_ids, same = found
    before, placed, left = ctx.report.codings, [], []
    for sel in fresh:
        frm = syncpoints.get(sel.from_sync or "", (None, None))[0]
        to = syncpoints.get(sel.to_sync or "", (None, None))[0]
        if frm is None or to is None:
            unsynced(ctx, src, sel)  # (it was left unsaid)
            continue
        if _on_same(lines, same, frm, to):
            selection(ctx, src.name, sel, lines, seg_ids, frm, to)
            placed.append(sel)
        else:
            left.append(sel)
    if len(same) == len(lines):  # coded time ranges: where every segment is as the file has it
        timed_ranges(ctx, src, session_id, lines, seg_ids, timed)
        placed += timed
    else:
        left += timed
    if placed:
        _added(ctx, what, placed, before)
    if left:
        _not_placed(ctx, what, left, some=bool(same))

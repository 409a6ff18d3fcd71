"""Codings of a recording's time ranges where it has no transcript, and codings of a whole
source.

MAXQDA, ATLAS.ti and QualCoder code audio and video directly: an ``AudioSelection`` (or
``VideoSelection``) ``begin``-``end`` in milliseconds holding ``Coding``s, with no
``Transcript`` to place them on. Each coded range becomes a segment of speech without
transcript over exactly that range, the codings on it (coder and time kept), so that the
coder can play it and type what is said; ranges that overlap share one segment over them all,
each coding keeping its own range for exports (``exchange_meta.TIME_RANGES``). A ``Coding`` on
the source itself (the whole document, or the whole recording) is a coding of every segment.
"""

from __future__ import annotations

from dataclasses import replace

from storage.core.words import plural, verb
from storage.transcript.transcript import SegmentDraft

from .._common import hms
from ..qdpx_parse import QCoding, QSelection, QSource
from .codings import add_coding
from .context import ImportContext


def recording_length(ctx: ImportContext, session_id: str) -> int | None:
    """The length of the session's recording in milliseconds (None when it has none)."""
    row = ctx.conn.execute(
        "SELECT duration_ms FROM media WHERE session_id = ? ORDER BY rowid LIMIT 1",
        (session_id,),
    ).fetchone()
    return int(row[0]) if row and row[0] else None


def fit_ranges(
    ctx: ImportContext, src: QSource, session_id: str, selections: list[QSelection]
) -> list[QSelection]:
    """A recording's time selections as they can be: a range that ends before it begins read
    from its end to its begin, one that begins (or ends) before 0 from 0, and one past the
    end of the recording (when its length is known) cut at its end; the report says which
    (they used to make segments past the end of the recording). A selection without a
    readable begin stays as it is (``coded_ranges`` names it)."""
    length = recording_length(ctx, session_id)
    fitted: list[QSelection] = []
    # what was changed, as written in the file: reversed, before 0, past the end, wholly past
    reversed_: list[str] = []
    negative: list[str] = []
    past: list[str] = []
    beyond: list[str] = []
    for sel in selections:
        if sel.start is None:
            fitted.append(sel)
            continue
        begin, end = sel.start, sel.end if sel.end is not None else sel.start
        shown = f"{begin}–{end} ms"
        if end < begin:
            reversed_.append(shown)
            begin, end = end, begin
        if begin < 0:
            negative.append(shown)
            begin, end = 0, max(0, end)
        if length is not None and end > length:
            (beyond if begin >= length else past).append(shown)
            begin, end = min(begin, length), length
        fitted.append(
            sel if (begin, end) == (sel.start, sel.end) else replace(sel, start=begin, end=end)
        )
    said = []
    if reversed_:
        n = len(reversed_)
        said.append(
            f"{plural(n, 'time selection')} ended before {verb(n, 'it', 'they')} began "
            f"({_some(reversed_)}) and {verb(n, 'was', 'were')} read from end to begin"
        )
    if negative:
        said.append(
            f"{plural(len(negative), 'time selection')} began before the recording "
            f"({_some(negative)}) and {verb(len(negative), 'starts', 'start')} at 0"
        )
    if past or beyond:
        assert length is not None
        end_at = hms(length, millis=True)
        if past:
            said.append(
                f"{plural(len(past), 'time selection')} ran past the end of the recording "
                f"({_some(past)}) and {verb(len(past), 'was', 'were')} cut at its "
                f"end, {end_at}"
            )
        if beyond:
            said.append(
                f"{plural(len(beyond), 'time selection')} lay wholly past the end of the "
                f"recording ({_some(beyond)}) and {verb(len(beyond), 'is', 'are')} a "
                f"point at its end, {end_at}, to find {verb(len(beyond), 'it', 'them')} by"
            )
    if said:
        ctx.report.notes.append(f"{src.kind} {src.name!r}: " + "; ".join(said) + ".")
    return fitted


def _some(shown: list[str]) -> str:
    """The first three of ``shown``, and how many more."""
    more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
    return ", ".join(shown[:3]) + more


def _span(sel: QSelection) -> tuple[int, int]:
    """A selection's range in milliseconds, in order, never before 0."""
    begin = max(0, sel.start or 0)
    end = max(0, sel.end if sel.end is not None else begin)
    return (begin, end) if begin <= end else (end, begin)


def _clusters(selections: list[QSelection]) -> list[tuple[int, int, list[QSelection]]]:
    """The ranges grouped where they overlap (one range inside or across another): each
    group's first begin, last end and its selections, in time order. Ranges that only touch
    (one ends where the next begins) stay apart."""
    groups: list[tuple[int, int, list[QSelection]]] = []
    for sel in sorted(selections, key=_span):
        begin, end = _span(sel)
        if groups and (begin < groups[-1][1] or _span(groups[-1][2][0]) == (begin, end)):
            first, last, members = groups[-1]
            groups[-1] = (first, max(last, end), [*members, sel])
        else:
            groups.append((begin, end, [sel]))
    return groups


def _code_on(
    ctx: ImportContext,
    segment: tuple[str, int, int],
    sel: QSelection,
    coding: QCoding,
    n: int,
) -> bool:
    """One coding of a range on a segment; its own range kept where the segment spans more."""
    coding_id = add_coding(ctx, segment[0], coding, sel, None, None, sel.description or None, n)
    if coding_id is None:
        return False
    span = _span(sel)
    if span != (segment[1], segment[2]):
        ctx.time_ranges[coding_id] = list(span)
    for note in [*coding.notes, *sel.notes]:
        ctx.note_targets.setdefault(note, []).append(("coding", coding_id))
    return True


def coded_ranges(
    ctx: ImportContext, src: QSource, session_id: str, selections: list[QSelection]
) -> int:
    """The coded time ranges of a recording without a transcript (or beyond the lines of its
    transcript) as segments of speech without transcript, their codings on them. A range that
    overlaps segments the session has already (a second coder's export of the same project)
    is coded on those. Returns the codings made."""
    coded = [sel for sel in selections if sel.codings and sel.start is not None]
    for sel in selections:
        if sel.codings and sel.start is None:  # "begin" missing or no number: no place
            codes = ", ".join(dict.fromkeys(ctx.code_label(c.code) for c in sel.codings))
            ctx.report.item(
                True,
                "no begin",
                f"{src.kind} {src.name!r}",
                f"{src.kind} {src.name!r}: a coded time range ({codes}) has no readable "
                f"begin (selection {sel.guid}), so its place in the recording is unknown.",
                f"{codes} (selection {sel.guid})",
                lambda count, shown: (
                    f"{count} coded time ranges have no readable "
                    f"begin, so their places in the recording are unknown: {shown}."
                ),
            )
    if not coded:
        return 0
    existing = [(s.id, s.start_ms, s.end_ms) for s in ctx.p.transcript.segments(session_id)]
    before, made, shared, first_made = ctx.report.codings, 0, 0, ""
    for begin, end, members in _clusters(coded):
        on = [s for s in existing if (s[1] < end and s[2] > begin) or (s[1], s[2]) == (begin, end)]
        if not on:
            (segment,) = ctx.p.transcript.add_segments(
                session_id,
                [SegmentDraft(begin, end, "", origin="import", untranscribed=True)],
            )
            on = [(segment.id, segment.start_ms, segment.end_ms)]
            existing.append(on[0])
            ctx.report.segments += 1
            made += 1
            first_made = first_made or segment.id
            shared += len(members) > 1
        for sel in members:
            for coding in sel.codings:
                for n, target in enumerate(on):
                    _code_on(ctx, target, sel, coding, n)
    codings = ctx.report.codings - before
    if made:
        first = next(s for s in existing if s[0] == first_made)
        what = (
            f"{src.kind} {src.name!r}: {plural(len(coded), 'coded time range')} beyond the "
            "lines of its transcript"
            if src.transcripts
            else f"{src.kind} {src.name!r} has no transcript: its "
            f"{plural(len(coded), 'coded time range')}"
        )
        ctx.report.notes.append(
            f"{what} became {plural(made, 'segment')} of "
            f"speech without transcript (the first from {hms(first[1], millis=True)} to "
            f"{hms(first[2], millis=True)}), to play and type, with "
            f"{plural(codings, 'coding')} on {verb(made, 'it', 'them')}"
            + (
                f"; {plural(shared, 'segment')} {verb(shared, 'spans', 'span')} ranges that "
                "overlap, each coding keeping its own range for exports."
                if shared
                else "."
            )
        )
    return codings


def whole_source(
    ctx: ImportContext,
    src: QSource,
    session_id: str,
    duration: int | None = None,
    *,
    again: bool = False,
) -> None:
    """``Coding``s on the source itself (the whole document or recording, no selection):
    a coding of every segment of its session. A recording without segments gets one segment
    of speech without transcript over the whole recording, when its length is known and it
    has no transcript.
    ``again``: the source was imported before; only the codings the project never held."""
    codings = [c for c in src.source_codings if not (again and ctx.known_coding(c.guid))]
    if not codings:
        return
    what = "document" if src.kind in ("TextSource", "PDFSource") else "recording"
    if duration is None and what == "recording":
        duration = recording_length(ctx, session_id)
    segments = [(s.id, s.start_ms, s.end_ms) for s in ctx.p.transcript.segments(session_id)]
    if not segments and what == "recording" and duration and not src.transcripts:
        # (a transcript whose text is missing leaves its session empty for a later import
        # with the media folder to fill: no segment is made in its place)
        (segment,) = ctx.p.transcript.add_segments(
            session_id, [SegmentDraft(0, duration, "", origin="import", untranscribed=True)]
        )
        segments = [(segment.id, 0, duration)]
        ctx.report.segments += 1
    labels = ", ".join(dict.fromkeys(ctx.code_label(c.code) for c in codings))
    if not segments:
        ctx.report.not_imported.append(
            f"{src.kind} {src.name!r}: {plural(len(codings), 'coding')} of the whole "
            f"{what} ({labels}): it has no segments to carry "
            f"{verb(len(codings), 'it', 'them')}"
            + (" (its recording's length is unknown)." if what == "recording" else ".")
        )
        return
    whole = QSelection(src.guid, None, None, None, src.user, src.created, None)
    before = ctx.report.codings
    for coding in codings:
        made: list[str] = []
        for n, (segment_id, _start, _end) in enumerate(segments):
            coding_id = add_coding(ctx, segment_id, coding, whole, None, None, None, n)
            if coding_id:
                made.append(coding_id)
            for note in coding.notes if coding_id else []:
                ctx.note_targets.setdefault(note, []).append(("coding", coding_id))
        if len(made) == len(segments):  # exported as one again (``exchange_meta``)
            ctx.whole_codings.update(dict.fromkeys(made, made[0]))
    n = len(codings)
    ctx.report.notes.append(
        f"{src.kind} {src.name!r}: {plural(n, 'coding')} of the whole {what} ({labels}) "
        f"{verb(n, 'was', 'were')} applied to every one of its "
        f"{plural(len(segments), 'segment')} ({plural(ctx.report.codings - before, 'coding')}; "
        "FieldScribe codes segments; an export gives the source its one coding back while "
        "every segment keeps it)."
    )

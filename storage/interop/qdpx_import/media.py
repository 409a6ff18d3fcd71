"""Audio and video sources: the media inside the archive, the transcript's lines, and time
selections (markers, or codings of the segments they overlap)."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from storage.core.errors import AudioError, InvalidInputError
from storage.core.ids import new_id, now_iso
from storage.core.words import plural, verb

from .._common import hms, iso_from_xml, quoted
from ..cue_lines import cue_lines, span_rows
from ..qdpx_parse import QSelection, QSource, QTranscript
from ..text_lines import (
    Line,
    crlf_only,
    split_lines,
)
from .codings import add_coding, selection
from .context import ImportContext
from .external import find_media
from .positions import best_reading, has_astral, nfc_positions, readings
from .ranges import coded_ranges, fit_ranges, whole_source
from .sources import add_lines, lone_crs, new_session, plain_or_rich, unread_line

if TYPE_CHECKING:
    pass

#: the title of the memo that keeps a transcript's ``Description``
TRANSCRIPT_DESCRIPTION = "Transcript description"
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,5}$")
_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}?$")


def av_source(ctx: ImportContext, src: QSource) -> None:
    session_id = new_session(ctx, src, "interview")
    duration = attach_media(ctx, src, session_id)
    if src.kind == "VideoSource":
        ctx.video_sessions.append(session_id)
        ctx.report.notes.append(
            f"Video source {src.name!r}: imported as a session (audio track and transcript)."
        )
    lines: list[Line] = []
    seg_ids: list[str] = []
    if src.transcripts:
        lines, seg_ids = transcript(ctx, src, src.transcripts[0], session_id, duration)
    for n, extra in enumerate(src.transcripts[1:], start=2):
        # Transana and others keep several transcripts of one recording: each further one is
        # a session of its own (same times, no media), so that its codings are kept
        title = f"{src.name} ({(extra.name or '').strip() or f'transcript {n}'})"
        extra_id = ctx.fresh_id("sessions", extra.guid)
        stamp = now_iso()
        ctx.conn.execute(
            "INSERT INTO sessions (id, title, kind, notes, status, created_by, created_at,"
            " updated_at) VALUES (?, ?, 'interview', ?, 'imported', ?, ?, ?)",
            (
                extra_id,
                title,
                f"Transcript {n} of {src.name!r} (its recording is in that session).",
                ctx.user(src.user),
                iso_from_xml(src.created) or stamp,
                stamp,
            ),
        )
        ctx.report.sessions += 1
        ctx.report.notes.append(
            f"{src.kind} {src.name!r}: its transcript {n} became the session {title!r}."
        )
        transcript(ctx, src, extra, extra_id, duration)
    timed_ranges(ctx, src, session_id, lines, seg_ids)
    whole_source(ctx, src, session_id, duration)


def timed_ranges(
    ctx: ImportContext,
    src: QSource,
    session_id: str,
    lines: list[Line],
    seg_ids: list[str],
    selections: list[QSelection] | None = None,
) -> None:
    """A recording's time selections: markers, codings of the transcript's segments they
    overlap, and, where no segment is (a recording coded without a transcript, as MAXQDA,
    ATLAS.ti and QualCoder code audio, or beyond the lines a partial transcript has),
    segments of speech without transcript over the coded ranges (``ranges``; they were
    dropped, "overlaps no transcript segment"). Not where the transcript's text is missing:
    its session stays empty for an import with the media folder to fill. ``selections``: those
    of the source's to place (all by default)."""
    leftover: list[QSelection] | None = None if session_id in ctx.textless else []
    chosen = src.selections if selections is None else selections
    for sel in fit_ranges(ctx, src, session_id, chosen):
        time_selection(ctx, src, session_id, sel, lines, seg_ids, leftover)
    if leftover:
        coded_ranges(ctx, src, session_id, leftover)


def transcript_lines(
    ctx: ImportContext,
    src: QSource,
    tr: QTranscript,
    text: str,
    duration: int | None,
    notes: list[str],
) -> tuple[list[Line], dict[str, tuple[int | None, int | None]]]:
    """A transcript's text as the lines its segments hold, and its sync points as positions
    in that text (nothing is written; what the report says of it goes to ``notes``)."""
    text = lone_crs(notes, f"Transcript of {src.name!r}", text)
    if "\r\n" in text and crlf_only(text) and ctx.crlf_as_one:
        # ATLAS.ti counts a Windows line end as one character (as in its text sources)
        text = text.replace("\r\n", "\n")
        notes.append(
            f"Transcript of {src.name!r}: its positions count each Windows line end as "
            "one character (as ATLAS.ti does)."
        )
    syncpoints = transcript_syncpoints(src, tr, text, notes)
    text, at = nfc_positions(text)  # composed, as the text sources (``positions.composed``)
    syncpoints = {
        guid: (None if pos is None else at(pos), stamp) for guid, (pos, stamp) in syncpoints.items()
    }
    outside = [
        stamp
        for _pos, stamp in syncpoints.values()
        if stamp is not None and (stamp < 0 or (duration is not None and stamp > duration))
    ]
    if outside:  # the lines are timed within the recording (``split_lines``)
        notes.append(
            f"Transcript of {src.name!r}: {plural(len(outside), 'sync point')} "
            f"{verb(len(outside), 'lies', 'lie')} outside the recording (the first at "
            f"{outside[0]} ms"
            + (f", the recording {hms(duration, millis=True)} long" if duration else "")
            + "); its lines were timed within it."
        )
    points = _times_in_order(src, list(syncpoints.values()), notes)
    cues = cue_lines(text, ctx.known_speakers.get(src.guid))
    if cues is not None:
        # subtitles (an .srt or WebVTT text): cue numbers and time lines are no speech
        notes.append(
            f"Transcript of {src.name!r}: it is subtitles (SRT or WebVTT); each cue's "
            "text is a segment at the cue's times."
        )
    elif (cues := span_rows(text, ctx.known_speakers.get(src.guid))) is not None:
        notes.append(
            f"Transcript of {src.name!r}: its lines are the rows of a transcript table "
            "(a timespan, the speaker and the text, as NVivo keeps them); each row is a "
            "segment at its timespan."
        )
    lines = cues or split_lines(
        text, points, duration_ms=duration, speakers=ctx.known_speakers.get(src.guid)
    )
    back = [line for line in lines if line.went_back_ms is not None]
    if back:
        n = len(back)
        notes.append(
            f"Transcript of {src.name!r}: {plural(n, 'line')} {verb(n, 'is', 'are')} timed "
            f"earlier than the line before (the first: {back[0].text[:30]!r} at "
            f"{hms(back[0].went_back_ms or 0)}); {verb(n, 'it starts', 'they start')} at the "
            "time of the line before, so that the lines keep the text's order."
        )
    return lines, syncpoints


def _times_in_order(
    src: QSource, points: list[tuple[int | None, int | None]], notes: list[str]
) -> list[tuple[int, int | None]]:
    """The sync points (position, time) in text order, without the times later than a time
    further on in the text: QualCoder times the sync point ending a coding by the last
    timestamp before it in the text, and by the recording's end where none comes before it,
    so the lines after it started at the recording's end, shown below lines they come
    before. Such a point keeps its position (its selections keep their words)."""
    ordered = sorted(  # at one position (an empty line's start and end), earlier first
        ((p, t) for p, t in points if p is not None),
        key=lambda pt: (pt[0], pt[1] is not None, pt[1] or 0),
    )
    kept: list[tuple[int, int | None]] = []
    late: list[tuple[int, int]] = []
    lowest: int | None = None  # the earliest time further on in the text
    for p, t in reversed(ordered):
        if t is not None and lowest is not None and t > lowest:
            late.append((p, t))
            t = None
        elif t is not None:
            lowest = t if lowest is None else min(lowest, t)
        kept.append((p, t))
    kept.reverse()
    if late:
        n = len(late)
        p, t = late[-1]
        notes.append(
            f"Transcript of {src.name!r}: {plural(n, 'sync point')} "
            f"{verb(n, 'has a time', 'have times')} later than a sync point further on in "
            f"the text (the first: {hms(t)} at "
            f"character {p}; QualCoder writes the recording's end where a coding ends before "
            f"any timestamp in the text); {verb(n, 'it was', 'they were')} not used to time "
            "the lines, so that they keep the text's order (codings keep their words)."
        )
    return kept


def transcript(
    ctx: ImportContext, src: QSource, tr: QTranscript, session_id: str, duration: int | None
) -> tuple[list[Line], list[str]]:
    """A transcript's lines as the session's segments, its selections as codings."""
    lines: list[Line] = []
    seg_ids: list[str] = []
    what = f"Transcript of {src.name!r}"
    text, why = plain_or_rich(ctx, what, tr.text_path, tr.text_inline, tr.rich_path)
    if text is None:
        ctx.textless.add(session_id)
        ctx.unread([], tr.selections)
        ctx.report.not_imported.append(
            unread_line(what, why, tr.selections, "the session has no segments")
        )
    else:
        lines, syncpoints = transcript_lines(ctx, src, tr, text, duration, ctx.report.notes)
        seg_ids = add_lines(ctx, session_id, lines, src.guid)
        for sel in tr.selections:
            frm = syncpoints.get(sel.from_sync or "")
            to = syncpoints.get(sel.to_sync or "")
            if frm is None or to is None or frm[0] is None or to[0] is None:
                unsynced(ctx, src, sel)
                continue
            selection(ctx, src.name, sel, lines, seg_ids, frm[0], to[0])
    for note in tr.notes:
        ctx.note_targets.setdefault(note, []).append(("session", session_id))
    if tr.description and tr.description.strip():
        # what the transcript itself is about (who typed it, conventions): a memo on its session
        stamp = now_iso()
        ctx.conn.execute(
            "INSERT INTO memos (id, target_type, target_id, title, text, created_by,"
            " created_at, updated_at) VALUES (?, 'session', ?, ?, ?, ?, ?, ?)",
            (
                new_id(),
                session_id,
                TRANSCRIPT_DESCRIPTION,
                tr.description.strip(),
                ctx.user(src.user),
                stamp,
                stamp,
            ),
        )
        ctx.report.memos += 1
        ctx.report.notes.append(
            f"Transcript of {src.name!r}: its description was kept as a memo "
            f"{TRANSCRIPT_DESCRIPTION!r} on its session."
        )
    return lines, seg_ids


def unsynced(ctx: ImportContext, src: QSource, sel: QSelection) -> None:
    """Say why a transcript selection naming sync points the file lacks was left out: by its
    codes and words (its GUID alone told a researcher nothing); many in one line."""
    codes = ", ".join(dict.fromkeys(ctx.code_label(c.code) for c in sel.codings))
    what = f"a coding ({codes})" if codes else "a selection"
    named = f" of {sel.name!r}" if sel.name and sel.name.strip() else ""
    ctx.report.item(
        True,
        "unsynced",
        f"Transcript of {src.name!r}",
        f"Transcript of {src.name!r}: {what}{named} names sync points the file does not have "
        f"(selection {sel.guid}), so its place in the text is unknown and it was not imported.",
        f"{what}{named} (selection {sel.guid})",
        lambda count, shown: (
            f"{count} selections name sync points the file does "
            f"not have, so their places in the text are unknown and they were not imported: "
            f"{shown}."
        ),
    )


def transcript_syncpoints(
    src: QSource, tr: QTranscript, text: str, notes: list[str]
) -> dict[str, tuple[int | None, int | None]]:
    """A transcript's sync points, their positions in code points of ``text``: counted in
    UTF-16 code units (two for an emoji), or counting the CRs of a text written in the XML
    itself that the parser read as LF, where only so do its selections fit the text
    (``positions``); as the file has them otherwise."""
    in_xml = not tr.text_path and tr.text_inline is not None and "\n" in text
    if not has_astral(text) and not in_xml:
        return tr.syncpoints
    spans = []
    for sel in tr.selections:
        frm = tr.syncpoints.get(sel.from_sync or "", (None, None))[0]
        to = tr.syncpoints.get(sel.to_sync or "", (None, None))[0]
        spans.append(replace(sel, start=frm, end=to))
    spans += [
        QSelection(guid, None, pos, pos, None, None, None)
        for guid, (pos, _t) in tr.syncpoints.items()
    ]
    candidates = readings(text, text, None, in_xml=in_xml)
    reading = best_reading(spans, text, candidates, candidates[0])
    if reading is candidates[0]:
        return tr.syncpoints
    if reading.xml_crlf:
        notes.append(
            f"Transcript of {src.name!r}: its text, written in the project file itself, had "
            "Windows line ends (CRLF), which XML reads as LF; its positions count them as two "
            "characters (only so do its selections fit its text) and were read so."
        )
    if reading.utf16:
        notes.append(
            f"Transcript of {src.name!r}: its positions count each character outside the "
            "Basic Multilingual Plane (an emoji...) as two (UTF-16 code units), not as one "
            "character as REFI-QDA says (only so do its selections fit its text); they were "
            "read so."
        )
    return {
        guid: (None if pos is None else reading.to_lf(pos), stamp)
        for guid, (pos, stamp) in tr.syncpoints.items()
    }


def time_selection(
    ctx: ImportContext,
    src: QSource,
    session_id: str,
    sel: QSelection,
    lines: list[Line],
    seg_ids: list[str],
    leftover: list[QSelection] | None = None,
) -> None:
    """A time selection as a marker (no coding) or as codings of the segments it overlaps;
    a coded one that overlaps none goes to ``leftover`` when given (else it is reported)."""
    begin, end = sel.start or 0, sel.end if sel.end is not None else sel.start or 0
    if not sel.codings:
        label = (sel.name or "Marker").removeprefix("Marker: ").strip() or "Marker"
        created = iso_from_xml(sel.created) or now_iso()
        marker_id = ctx.fresh_id("markers", sel.guid)
        for note in sel.notes:  # a note on a moment of the recording: the marker's note
            ctx.note_targets.setdefault(note, []).append(("marker", marker_id))
        ctx.conn.execute(
            "INSERT INTO markers (id, session_id, time_ms, label, note, source, created_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'manual', ?, ?, ?)",
            (
                marker_id,
                session_id,
                max(0, begin),
                label,
                sel.description or None,
                ctx.user(sel.user),
                created,
                now_iso(),
            ),
        )
        ctx.report.markers += 1
        if end > begin:
            ctx.report.item(
                False,
                "marker",
                f"{src.name!r}",
                f"{src.name!r}: the time range {begin}-{end} ms became a marker at {begin} ms.",
                f"{begin}-{end} ms",
                lambda count, shown: (
                    f"{count} time ranges became markers at their beginnings: {shown}."
                ),
            )
        return
    hits = [
        i
        for i, line in enumerate(lines)
        if (line.start_ms or 0) < max(end, begin + 1) and (line.end_ms or 0) > begin
    ]
    if not hits and leftover is not None:
        leftover.append(sel)
        return
    if not hits:
        ctx.report.item(
            True,
            "no segment",
            f"{src.name!r}",
            f"{src.name!r}: a coded time range {begin}-{end} ms overlaps no transcript segment.",
            f"{begin}-{end} ms",
            lambda count, shown: (
                f"{count} coded time ranges overlap no transcript segment: {shown}."
            ),
        )
        return
    # FieldScribe codes segments: the coding goes on each segment the range overlaps, and
    # keeps its own range for exports (``exchange_meta.TIME_RANGES``) where that is not one
    # segment's, so that the other tool gets back the range it coded, not the segments'
    own = [max(0, begin), max(0, end)]
    whole = len(hits) == 1 and tuple(own) == (lines[hits[0]].start_ms, lines[hits[0]].end_ms)
    ctx.report.item(
        False,
        "applied",
        f"{src.name!r}",
        f"{src.name!r}: a coded time range {begin}-{end} ms was applied to the "
        f"{plural(len(hits), 'segment')} it overlaps"
        + ("." if whole else ", keeping its own range for exports."),
        f"{begin}-{end} ms",
        lambda count, shown: (
            f"{count} coded time ranges were applied to the segments they "
            f"overlap (each not one segment's keeps its own range for exports): {shown}."
        ),
    )
    for coding in sel.codings:
        for n, index in enumerate(hits):
            made = add_coding(ctx, seg_ids[index], coding, sel, None, None, sel.description, n)
            if made and not whole:
                ctx.time_ranges[made] = own


def media_again(ctx: ImportContext, src: QSource, session_id: str) -> None:
    """A source imported before whose session still has no recording: look for it again
    (the user has named a media folder this time)."""
    if ctx.conn.execute("SELECT 1 FROM media WHERE session_id = ?", (session_id,)).fetchone():
        return
    if attach_media(ctx, src, session_id) is not None:
        ctx.report.notes.append(
            f"{src.kind} {src.name!r} was imported before without its recording; the "
            "recording is attached to its session now."
        )


def transcript_again(ctx: ImportContext, src: QSource, session_id: str) -> None:
    """A source imported before whose transcript's text was not found (its session has no
    segments): outside the archive, read it from the folder the user names this time; missing
    from an archive that named it as its own (a copy cut short), read it from the whole
    archive now; with its codings. A session that has segments is left as it is (nothing is
    duplicated), and so is one whose text in the archive is empty (read the first time)."""
    if not src.transcripts:
        return
    if ctx.conn.execute("SELECT 1 FROM segments WHERE session_id = ?", (session_id,)).fetchone():
        return
    tr = src.transcripts[0]
    if not tr.text_path:
        return
    if (member := ctx.member(tr.text_path)) is not None:
        data = ctx.read_file(tr.text_path) or b""
        if not data.removeprefix(b"\xef\xbb\xbf").strip():
            return  # an empty text stays empty (its notes and memos are not made twice)
    elif ctx.media_dir is None:
        return
    row = ctx.conn.execute(
        "SELECT duration_ms FROM media WHERE session_id = ? ORDER BY rowid LIMIT 1",
        (session_id,),
    ).fetchone()
    lines, seg_ids = transcript(ctx, src, tr, session_id, row[0] if row else None)
    if not seg_ids:
        return
    timed_ranges(ctx, src, session_id, lines, seg_ids)
    ctx.report.notes.append(
        f"{src.kind} {src.name!r} was imported before without its transcript's text; its "
        f"{plural(len(seg_ids), 'segment')} {verb(len(seg_ids), 'is')} read from the "
        + ("archive" if member is not None else "media folder")
        + " now."
    )


def original_name(source_name: str, file_name: str) -> str:
    """The recording's original file name: ``file_name``, unless the archive (or the folder)
    holds it under a GUID (``<guid>.wav``, as REFI-QDA tools and FieldScribe's export store
    media): then the source's ``name`` with the file's extension (``clip`` -> ``clip.wav``),
    on one line and without folder separators."""
    stem, suffix = Path(file_name).stem, Path(file_name).suffix
    title = " ".join(source_name.split()).replace("/", "_").replace("\\", "_").strip(". ")
    if not _GUID.match(stem) or not title:
        return file_name
    if suffix and not title.lower().endswith(suffix.lower()):
        title += suffix
    return title


def attach_media(ctx: ImportContext, src: QSource, session_id: str) -> int | None:
    """Copy the source's media in (from the archive, else from the folder the user named) and
    record it; its duration, or None when there is none."""
    if not src.path:
        ctx.report.not_imported.append(f"{src.kind} {src.name!r}: it names no media file.")
        return None
    # the file where the source says it is now (``currentPath``), else where it was first
    places = [p for p in (src.current_path, src.path) if p]
    member = next((m for p in places if (m := ctx.member(p)) is not None), None)
    outside: Path | None = None
    if member is None:
        if ctx.media_dir is not None:
            outside = next(
                (f for p in places if (f := find_media(ctx.media_dir, p)) is not None), None
            )
        if outside is None:
            ctx.report.media_missing.append(src.path)
            ctx.report.not_imported.append(
                f"{src.kind} {src.name!r}: its media {quoted(src.path)} is not inside the archive"
                + (
                    f" nor in the media folder {quoted(str(ctx.media_dir))}; the session has no "
                    "audio."
                    if ctx.media_dir is not None
                    else "; the session has no audio (import the file again naming the folder "
                    "that holds the recording, or add it later)."
                )
            )
            return None
    name = Path(member).name if member is not None else outside.name if outside else ""
    suffix = Path(name).suffix.lower()
    if not _SUFFIX.match(suffix):
        suffix = ".audio"
    original = original_name(src.name, name)
    media_id = new_id()
    ctx.p.media_dir.mkdir(exist_ok=True)
    dest = ctx.p.media_dir / f"{media_id}{suffix}"
    if ctx.listed is not None:
        ctx.listed.add(dest)
    ctx.copied.append(dest)
    if member is not None:
        assert ctx.zf is not None
        ctx.zf.extract_to(member, dest)
    else:
        assert outside is not None
        try:
            shutil.copyfile(outside, dest)  # copied, never moved: the user's file stays
        except PermissionError:
            dest.unlink(missing_ok=True)
            ctx.report.media_missing.append(src.path)
            ctx.report.not_imported.append(
                f"{src.kind} {src.name!r}: its media was found as {str(outside)!r} but may "
                "not be read (permissions); the session has no audio."
            )
            return None
        except OSError as exc:
            dest.unlink(missing_ok=True)
            raise InvalidInputError(
                f"{outside}: cannot be copied into the project ({exc.strerror or exc}); "
                "nothing was imported."
            ) from exc
    from storage.core.audio import (
        probe,  # domain-to-domain; no Qt
        sha256_of,
    )

    try:
        info = probe(dest)
    except AudioError as exc:
        dest.unlink(missing_ok=True)
        shown = member if member is not None else str(outside)
        ctx.report.not_imported.append(
            f"{src.kind} {src.name!r}: its media {shown!r} is not decodable audio ({exc}); "
            "the session has no audio."
        )
        if outside is not None:
            ctx.report.media_missing.append(src.path)
        return None
    if outside is not None:
        ctx.report.media_found.append(str(outside))
        ctx.report.notes.append(
            f"{src.kind} {src.name!r}: its media {quoted(src.path)} (outside the archive) was "
            f"found in the media folder as {outside.name!r} and copied in."
        )
    stamp = now_iso()
    ctx.conn.execute(
        "INSERT INTO media (id, session_id, path, original_name, sha256, size_bytes,"
        " duration_ms, sample_rate, channels, codec, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            media_id,
            session_id,
            f"media/{dest.name}",
            original,
            sha256_of(dest),
            dest.stat().st_size,
            info.duration_ms,
            info.sample_rate,
            info.channels,
            info.codec,
            ctx.p.coder,
            stamp,
            stamp,
        ),
    )
    ctx.report.media_files += 1
    return info.duration_ms

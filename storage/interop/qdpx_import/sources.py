"""Sessions made from the file's sources, their segments, and its text sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core.ids import now_iso
from storage.core.words import plural, verb
from storage.transcript.transcript import SegmentDraft

from .._common import (
    LANGUAGES_VARIABLE,
    LINE_LANGUAGES_VARIABLE,
    UNTRANSCRIBED_TEXT,
    expected_languages,
    iso_from_xml,
    line_languages,
    quoted,
)
from ..qdpx_parse import QProject, QSelection, QSource
from ..text_lines import (
    Line,
    LineEnds,
    crlf_only,
    lone_crs_as_lf,
    map_span,
    speaker_prefix,
    split_text_source,
    strip_crlf,
)
from .codings import selection
from .context import ImportContext
from .positions import Reading, best_reading, composed, readings
from .ranges import whole_source

if TYPE_CHECKING:
    pass

_SESSION_VARS = {
    "session kind": "kind",
    "session date": "date",
    "session place": "place",
    "session moderator": "moderator",
}


def _codes(value: str) -> list[str]:
    """The language codes of a "Languages" source variable that Whisper knows, in order."""
    from storage.core.languages import LANGUAGES

    codes = [c.strip().lower() for c in value.replace(";", ",").split(",")]
    return [c for c in codes if c in LANGUAGES]


def project_languages(qp: QProject) -> list[str]:
    """Every language the sources' "Languages" variables name (FieldScribe's exports write
    one per recording), in the order first named: the languages a project made from the file
    expects (a project exported expecting Russian and Kazakh was imported expecting none).
    FieldScribe's exports also list the project's own expected languages, in its order, in
    the variable's Description: those come first (a language no segment is in yet, German
    added for the next recordings, was lost, and the order was the segments')."""
    from storage.core.languages import LANGUAGES

    found: list[str] = []
    for guid, (name, _type) in qp.variables.items():  # FieldScribe's: the project's own list
        if name.strip().lower() == LANGUAGES_VARIABLE.lower():
            said = expected_languages(qp.variable_descriptions.get(guid))
            found += [c for c in said if c in LANGUAGES and c not in found]
    for src in qp.sources:
        for var_guid, value in src.variables:
            name = qp.variables.get(var_guid, (var_guid, "Text"))[0]
            if name.strip().lower() == LANGUAGES_VARIABLE.lower() and value:
                found += [c for c in _codes(value) if c not in found]
    return found


def new_session(ctx: ImportContext, src: QSource, kind: str) -> str:
    fields: dict[str, Any] = {"kind": kind}
    extra: list[str] = []
    for var_guid, value in src.variables:
        name, _type = ctx.qp.variables.get(var_guid, (var_guid, "Text"))
        if name.strip().lower() == LANGUAGES_VARIABLE.lower() and value:
            ctx.languages[src.guid] = _codes(value)
            continue
        if name.strip().lower() == LINE_LANGUAGES_VARIABLE.lower() and value:
            ctx.line_languages[src.guid] = value
            continue
        key = _SESSION_VARS.get(name.strip().lower())
        if key == "kind" and value not in ("focus_group", "interview", "observation"):
            key = None
        if key:
            fields[key] = value or None
        elif value:
            extra.append(f"{name}: {value}")
    notes = src.description or ""
    # the groups of sources it is in (document groups): FieldScribe has none; kept as its
    # variables are ("Set: ICLS 2024"), reported once (``report_sets``)
    groups = [f"Set: {st.name}" for st in ctx.qp.sets if src.guid in st.sources and st.name]
    if extra or groups:
        notes = (notes + "\n" if notes else "") + "\n".join(extra + groups)
    if extra:
        ctx.report.notes.append(
            f"Source {src.name!r}: variables {', '.join(e.split(':')[0] for e in extra)} "
            "were kept in the session notes."
        )
    session_id = ctx.fresh_id("sessions", src.guid)
    created = iso_from_xml(src.created) or now_iso()
    ctx.conn.execute(
        "INSERT INTO sessions (id, title, kind, date, place, moderator, notes, status,"
        " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            src.name or "Imported source",
            fields["kind"],
            fields.get("date"),
            fields.get("place"),
            fields.get("moderator"),
            notes or None,
            "imported",
            ctx.user(src.user),
            created,
            now_iso(),
        ),
    )
    ctx.session_map[src.guid] = session_id
    ctx.report.sessions += 1
    for note in src.notes:
        ctx.note_targets.setdefault(note, []).append(("session", session_id))
    return session_id


def add_lines(ctx: ImportContext, session_id: str, lines: list[Line], guid: str = "") -> list[str]:
    # REFI-QDA has no place for a segment's language: FieldScribe's exports name each line's in
    # the source's "Segment languages" variable where they differ, else the source's languages
    # (another tool's file names none: what a line's letters leave among the project's
    # languages, as a transcript import does)
    from storage.core.languages import guess_language

    codes = ctx.languages.get(guid, [])
    language = codes[0] if len(codes) == 1 else None
    each = _line_languages(ctx, guid, len(lines))
    expected = ctx.p.languages
    drafts = [
        SegmentDraft(
            int(line.start_ms or 0),
            int(line.end_ms or 0),
            "" if untranscribed else line.text,
            speaker=line.speaker,
            origin="import",
            language=(each[i] if each is not None else language)
            or (None if untranscribed else guess_language(line.text, expected)),
            untranscribed=untranscribed,
        )
        for i, line in enumerate(lines)
        for untranscribed in [line.text.strip() == UNTRANSCRIBED_TEXT]
    ]
    segments = ctx.p.transcript.add_segments(session_id, drafts)
    ctx.report.segments += len(segments)
    return [s.id for s in segments]


def _line_languages(ctx: ImportContext, guid: str, count: int) -> list[str | None] | None:
    """Each line's language from the source's "Segment languages" variable (None without one;
    one that does not fit the lines is reported and left out)."""
    from storage.core.languages import LANGUAGES

    value = ctx.line_languages.get(guid)
    if not value:
        return None
    each = line_languages(value, count)
    if each is None or any(code and code not in LANGUAGES for code in each):
        name = next((s.name for s in ctx.qp.sources if s.guid == guid), guid)
        ctx.report.notes.append(
            f"Source {name!r}: its {LINE_LANGUAGES_VARIABLE!r} variable does not fit its "
            f"{plural(count, 'transcript line')} (edited in another tool?); the segments' "
            "languages were not read from it."
        )
        return None
    return each


@dataclass
class SourceText:
    """A text source's text as its segments hold it, and how the file's positions count."""

    text: str  # with LF line breaks
    length: int  # as the file has it, before its line ends are read
    lines: list[Line]
    reading: Reading
    crlf: bool  # written with CRLF line ends counted two (the export writes them again)
    notes: list[str]  # what the report says about it


def source_text(ctx: ImportContext, src: QSource, text: str) -> SourceText:
    """Read a text source's text into lines, as ``text_source`` stores them (nothing is
    written, the report is left alone: its notes are returned)."""
    notes: list[str] = []
    length = len(text)
    ends: LineEnds | None = None
    if "\r" in text and "\n" not in text:
        # classic Mac line ends (CR alone): one character for one, so every position holds
        text = text.replace("\r", "\n")
        notes.append(
            f"Text source {src.name!r}: its lines end in CR alone (classic Mac); they were read "
            "as line breaks and are exported as LF."
        )
    else:
        text = lone_crs(notes, f"Text source {src.name!r}", text)
    raw, mixed = text, "\r\n" in text and not crlf_only(text)
    if "\r\n" in text:  # Windows line ends: segments hold LF, the export writes CRLF again
        # (a text mixing CRLF and LF, edited on two systems, is read the same way: no "\r" is
        # left at the end of a segment, and positions still count it)
        text, ends = strip_crlf(text)
    reading = text_reading(ctx, src, raw, text, ends, notes)
    text, reading = composed(text, reading)
    if ends is not None and not reading.crlf_two:
        notes.append(
            f"Text source {src.name!r}: its positions count each Windows line end as one "
            "character (as ATLAS.ti does); it is exported with LF line ends."
        )
    elif ends is not None and mixed:
        notes.append(
            f"Text source {src.name!r}: its lines end in a mix of Windows (CRLF) and Unix "
            "(LF) line ends; both were read as line breaks and are exported as LF."
        )
    lines, transcript = split_text_source(text, ctx.known_speakers.get(src.guid))
    if not transcript:
        labelled = sum(1 for line in lines if speaker_prefix(line.text)[0])
        if labelled:
            notes.append(
                f"Text source {src.name!r}: {plural(labelled, 'line')} "
                f"{verb(labelled, 'starts')} like 'Word: ...' but not every line "
                "does, so it is not a transcript: the lines stay text, no speakers."
            )
    back = [line for line in lines if line.went_back_ms is not None]
    if back:
        notes.append(
            f"Text source {src.name!r}: {plural(len(back), 'line')} "
            f"{verb(len(back), 'has a timestamp', 'have timestamps')} earlier than the "
            f"line before (the first: {back[0].text[:30]!r}); "
            f"{verb(len(back), 'it starts', 'they start')} at the time of the line before, "
            "so that the lines keep their order (the timestamps stay in the text)."
        )
    crlf = ends is not None and reading.crlf_two and not mixed
    return SourceText(text, length, lines, reading, crlf, notes)


def rich_text(
    ctx: ImportContext, what: str, path: str, plain: str | None = None, *, named_plain: bool = False
) -> tuple[str | None, str]:
    """A source's text derived from its rich text (a Word document), as REFI-QDA says a tool
    derives it and counts its positions in it: its paragraphs joined by line ends (noted, with
    the ``plain`` text file it named but the archive lacks); else None and why not, for the
    caller's report."""
    from ..transcript_docx import docx_paragraphs

    data = ctx.read_file(path)
    if data is None:
        where = (
            ""
            if path.lower().startswith("internal://")  # the archive should hold it
            else f" nor in the media folder {quoted(str(ctx.media_dir))}"
            if ctx.media_dir is not None
            else " (import it again naming the folder that holds it)"
        )
        return None, f"its rich text {quoted(path)} is not inside the archive{where}"
    try:
        paragraphs = docx_paragraphs(data)
    except ValueError as exc:
        return None, f"its rich text {quoted(path)} cannot be read: {exc}"
    lacks = (
        f"its plain text {quoted(plain)} is not inside the archive"
        if plain
        else "it has no plain text"
    )
    read = f"{lacks}; its text was read from its rich text {quoted(path)} (a Word document"
    if named_plain:  # a tool named its Word document as the plain text
        read = f"its plain text {quoted(path)} is a Word document; its text was read from it ("
    ctx.report.notes.append(
        f"{what}: {read}{':' if not named_plain else ''} "
        f"{plural(len(paragraphs), 'paragraph')} joined by line ends, the plain text "
        "REFI-QDA says its positions count in)."
    )
    return "\n".join(paragraphs), ""


def plain_or_rich(
    ctx: ImportContext, what: str, path: str | None, inline: str | None, rich: str | None
) -> tuple[str | None, str]:
    """A source's or transcript's text: its plain text; else (none named, or the file named is
    in neither the archive nor the media folder) the text of its rich text, noted; else None
    and why not, without the source's name: the plain file missing, the rich text's reason
    (``rich_text``) or both; "" where it names neither (``unread_line`` says it has none). A
    plain file missing, or holding binary data, while the text is found elsewhere is said in
    the report's not imported."""
    missing: list[str] = []
    if path and (data := ctx.read_file(path)) is not None and data.startswith(b"PK\x03\x04"):
        # a Word document named as the plain text: its paragraphs (else it is refused as
        # no text, ``read_text``)
        text, _why = rich_text(ctx, what, path, named_plain=True)
        if text is not None:
            return text, ""
    text = ctx.read_text(path, inline, what, missing)
    if text is not None:
        ctx.report.not_imported += [f"{what}: {why}." for why in missing]
        return text, ""
    why = "; ".join(missing)
    # a plain text file that is there but holds binary data (``read_text``), not one missing
    binary = bool(missing) and path is not None and ctx.member(path) is not None
    if rich:
        text, rich_why = rich_text(ctx, what, rich, path if missing and not binary else None)
        if text is not None:
            if binary:
                ctx.report.not_imported += [f"{what}: {why}." for why in missing]
            return text, ""
        why = f"{why or 'it has no plain text'}, and {rich_why}"
    return None, why


def unread_line(what: str, why: str, selections: list[QSelection], then: str = "") -> str:
    """The one report line of a source or transcript whose text could not be read: what, why
    (``plain_or_rich``; "" for none named), ``then`` (what else that means, after a
    semicolon) and how many of its coded selections were not imported."""
    coded = sum(1 for sel in selections if sel.codings)
    lost = f"{plural(coded, 'coded selection')} {verb(coded, 'was')} not imported" if coded else ""
    return (
        f"{what}: {why or 'it has no plain text'}"
        + "".join(f"; {part}" for part in (then, lost) if part)
        + "."
    )


def text_of(ctx: ImportContext, src: QSource) -> tuple[str | None, str]:
    """A text source's text (``plain_or_rich``)."""
    what = f"Text source {src.name!r}"
    return plain_or_rich(ctx, what, src.text_path, src.text_inline, src.rich_path)


def text_source(ctx: ImportContext, src: QSource) -> None:
    text, why = text_of(ctx, src)
    if text is None:
        ctx.unread([*src.notes, *(n for c in src.source_codings for n in c.notes)], src.selections)
        ctx.report.not_imported.append(
            unread_line(f"Text source {src.name!r}", why, src.selections)
        )
        return
    session_id = new_session(ctx, src, "observation")
    read = source_text(ctx, src, text)
    ctx.report.notes += read.notes
    if read.crlf:
        ctx.crlf_sessions.append(session_id)
    lines, reading = read.lines, read.reading
    seg_ids = add_lines(ctx, session_id, lines, src.guid)
    ctx.marked_labels += [i for i, line in zip(seg_ids, lines, strict=True) if line.label_at]
    beyond = [
        sel
        for sel in src.selections
        if reading.to_lf(max(sel.start or 0, sel.end or 0)) > len(read.text)
    ]
    if beyond:
        ctx.report.notes.append(
            f"Text source {src.name!r}: {plural(len(beyond), 'selection')} "
            f"{verb(len(beyond), 'reaches')} past the end of its "
            f"text ({read.length} characters): was it written in another encoding or with other "
            f"line ends? {'It was' if len(beyond) == 1 else 'Each was'} kept up to the end."
        )
    for sel in src.selections:
        if sel.start is None or sel.end is None:
            ctx.report.item(
                True,
                "no positions",
                f"Text source {src.name!r}",
                f"Text source {src.name!r}: selection {sel.guid} has no positions.",
                sel.guid,
                lambda count, shown: f"{count} selections have no positions: {shown}.",
            )
            continue
        start, end = reading.to_lf(sel.start), reading.to_lf(sel.end)
        selection(ctx, src.name, sel, lines, seg_ids, start, end)
    session_target = ("session", session_id)
    for guid in src.notes:
        note = ctx.qp.notes.get(guid)
        if note is None or not note.spans:
            continue
        # an annotation of a passage (QualCoder): a memo on the segments it covers
        segments: list[tuple[str, str | None]] = []
        for start, end in note.spans:
            for index, _s, _e in map_span(lines, reading.to_lf(start), reading.to_lf(end)):
                if ("segment", seg_ids[index]) not in segments:
                    segments.append(("segment", seg_ids[index]))
        targets = ctx.note_targets.get(guid, [])
        if segments and session_target in targets:
            targets.remove(session_target)
            targets.extend(segments)
    whole_source(ctx, src, session_id)


def lone_crs(notes: list[str], what: str, text: str) -> str:
    """A text with LF (or CRLF) line ends and a CR standing alone here and there (a line
    pasted from an old Mac file): each such CR is a line end, one character for one, so that
    no segment keeps a stray CR and every selection stays on its characters."""
    if "\r" not in text:
        return text
    text, count = lone_crs_as_lf(text)
    if count:
        notes.append(
            f"{what}: {plural(count, 'line end')} written as CR alone (classic Mac) among its "
            f"other line ends {verb(count, 'was')} read as line breaks; it is "
            "exported with LF there."
        )
    return text


def text_reading(
    ctx: ImportContext,
    src: QSource,
    raw: str,
    lf_text: str,
    ends: LineEnds | None,
    notes: list[str],
) -> Reading:
    """How the positions of a text source count (``positions``): a Windows line end as two
    code points (what QDA-XML says, and MAXQDA, NVivo, QualCoder write) or as one (ATLAS.ti);
    a character outside the BMP as one (QDA-XML) or as two UTF-16 code units (noted)."""
    in_xml = not src.text_path and src.text_inline is not None
    bom = src.text_path in ctx.bom_paths
    candidates = readings(raw, lf_text, ends, in_xml=in_xml, bom=bom)
    default = candidates[0]  # code points, and (with CRLF) as the origin counts line ends
    if ends is not None:
        default = next(r for r in candidates if not r.utf16 and r.crlf_two != ctx.crlf_as_one)
    reading = best_reading(src.selections, lf_text, candidates, default)
    if reading.bom:
        notes.append(
            f"Text source {src.name!r}: its positions count the byte order mark its file "
            "begins with as a character (its selections' names fit their text only so); they "
            "were read so, the mark left out of the text."
        )
    if reading.xml_crlf:
        notes.append(
            f"Text source {src.name!r}: its text, written in the project file itself, had "
            "Windows line ends (CRLF), which XML reads as LF; its positions count them as two "
            "characters (only so do its selections fit its text) and were read so."
        )
    if reading.utf16:
        notes.append(
            f"Text source {src.name!r}: its positions count each character outside the Basic "
            "Multilingual Plane (an emoji...) as two (UTF-16 code units), not as one character "
            "as REFI-QDA says (only so do its selections fit its text); they were read so."
        )
    return reading

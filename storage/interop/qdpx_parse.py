"""Read a REFI-QDA ``project.qde`` (from any tool) into plain data, writing nothing.

Tag names are matched without their namespace, so QDA-XML 1.0 files from ATLAS.ti, MAXQDA,
NVivo, QualCoder and others all read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from ._common import norm_guid


def local(tag: str) -> str:
    """Return a tag name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def children(el: Element, name: str) -> list[Element]:
    """Return the direct children of ``el`` called ``name``."""
    return [c for c in el if local(c.tag) == name]


def child(el: Element, name: str) -> Element | None:
    """Return the first direct child of ``el`` called ``name``."""
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def child_text(el: Element, name: str) -> str | None:
    """Return the text of the first child called ``name`` (None when absent)."""
    c = child(el, name)
    return None if c is None else (c.text or "")


def note_refs(el: Element) -> list[str]:
    """Return the GUIDs of the notes an element refers to."""
    return [g for c in children(el, "NoteRef") if (g := norm_guid(c.get("targetGUID")))]


@dataclass
class QCode:
    """A code read from a codebook."""

    guid: str
    name: str
    parent: str | None
    colour: str | None
    description: str | None
    codable: bool
    notes: list[str] = field(default_factory=list)


@dataclass
class QCoding:
    """One ``Coding`` element: a code applied by a user."""

    guid: str
    code: str
    user: str | None
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class QSelection:
    """A text span (code points) or a time span with its codings and notes."""

    guid: str
    name: str | None
    start: int | None
    end: int | None
    user: str | None
    created: str | None
    description: str | None
    codings: list[QCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    from_sync: str | None = None
    to_sync: str | None = None
    unreadable_codings: int = 0  # ``Coding`` elements without a code reference


@dataclass
class QTranscript:
    """A transcript of an audio or video source."""

    guid: str
    name: str | None
    text_path: str | None
    text_inline: str | None
    syncpoints: dict[str, tuple[int | None, int | None]]  # guid -> (position, timeStamp)
    selections: list[QSelection]
    notes: list[str]
    description: str | None = None
    rich_path: str | None = None  # a richTextPath (.docx): read where no plain text is named


@dataclass
class QSource:
    """Any source element; ``kind`` is its tag name (TextSource, AudioSource...)."""

    kind: str
    guid: str
    name: str
    path: str | None
    description: str | None
    user: str | None
    created: str | None
    text_path: str | None = None
    text_inline: str | None = None
    rich_text: bool = False  # a richTextPath (.docx): a text source's is read without plain text
    rich_path: str | None = None  # that path
    selections: list[QSelection] = field(default_factory=list)
    transcripts: list[QTranscript] = field(default_factory=list)
    source_codings: list[QCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    variables: list[tuple[str, str]] = field(default_factory=list)  # variable guid, value
    #: where the file is now when it moved from ``path`` (its original place), as QDA-XML's
    #: ``currentPath`` says; None when it names none (or only it, then ``path`` holds it)
    current_path: str | None = None
    #: a PDF's areas of its pages (``PDFSelection``s) where its Representation's text is
    #: ``text_path`` (its ``selections`` are that text's)
    areas: list[QSelection] = field(default_factory=list)


@dataclass
class QCase:
    """A case (a participant, speaker or other unit) with variable values."""

    guid: str
    name: str | None
    description: str | None
    values: list[tuple[str, str]]
    source_refs: list[str]
    extra_refs: int
    # notes about the case: ``NoteRef``s (MAXQDA, QualCoder write them, though QDA-XML 1.0's
    # CaseType has none) and notes ``Link``ed to the case (the schema's way)
    notes: list[str] = field(default_factory=list)


@dataclass
class QNote:
    """A note (memo)."""

    guid: str
    name: str | None
    text: str | None
    text_path: str | None
    description: str | None
    user: str | None
    created: str | None
    # spans of a source's text the note is about (QualCoder writes its annotations so: a note
    # the source refers to, holding a PlainTextSelection with the positions in that source)
    spans: list[tuple[int, int]] = field(default_factory=list)
    #: ``Coding``s of the note's text (on it, or on its selections: NVivo codes memos)
    codings: int = 0
    #: its ``richTextPath`` (a Word document): its text where it names no plain text
    rich_path: str | None = None


@dataclass
class QSet:
    """A ``Set``: a named group of codes, sources and notes (document and code groups)."""

    guid: str
    name: str
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class QLink:
    """A ``Link``: a named relation between two items (codes, sources, selections, notes,
    cases), as ATLAS.ti and NVivo draw them; ``direction`` "Associative", "OneWay" or
    "Bidirectional", ``color`` "#RRGGBB" (None when the file gives none)."""

    guid: str
    origin: str
    target: str
    name: str | None = None
    direction: str | None = None
    color: str | None = None
    notes: list[str] = field(default_factory=list)  # its NoteRefs: the link's memo


@dataclass
class QProject:
    """Everything FieldScribe reads from a ``project.qde``."""

    name: str
    origin: str
    users: dict[str, str]
    codes: list[QCode]
    variables: dict[str, tuple[str, str]]  # guid -> (name, type)
    cases: list[QCase]
    sources: list[QSource]
    notes: dict[str, QNote]
    project_notes: list[str]
    description: str | None
    unsupported: dict[str, int]
    created: str | None = None  # the Project's creationDateTime
    creator: str | None = None  # its creatingUserGUID (normalised)
    links: list[tuple[str, str]] = field(default_factory=list)  # (originGUID, targetGUID)
    folder: str = ""  # the archive's folder holding project.qde (and its sources), if any
    read_notes: list[str] = field(default_factory=list)  # how the file was read (its encoding)
    sets: list[QSet] = field(default_factory=list)
    variable_descriptions: dict[str, str] = field(default_factory=dict)  # guid -> Description
    link_items: list[QLink] = field(default_factory=list)  # the links with both ends


#: positions and times beyond this are not numbers we can use (nor store: SQLite's are 64-bit)
_MAX_INT = 2**53


def _int(value: str | None) -> int | None:
    """An integer attribute; a decimal one is rounded; None when it is no usable number."""
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        try:
            number = round(float(value.strip()))
        except (ValueError, OverflowError):  # "x", "nan", "1e400"
            return None
    return number if abs(number) <= _MAX_INT else None


def _position(value: str | None) -> int | None:
    """A character position (``startPosition``/``endPosition``); a negative one is none (it
    was taken as the text's start, its coding widened to there without a word). A time out of
    the recording, also a negative one, is fitted to it and said (``ranges``)."""
    number = _int(value)
    return None if number is None or number < 0 else number


def _guid(el: Element) -> str:
    return norm_guid(el.get("guid")) or ""


def parse_codes(codes_el: Element | None, parent: str | None = None) -> list[QCode]:
    """Read nested ``Code`` elements (of a ``Codes`` element) depth first."""
    result: list[QCode] = []
    if codes_el is None:
        return result
    for el in children(codes_el, "Code"):
        code = QCode(
            guid=_guid(el),
            name=(el.get("name") or "").strip(),
            parent=parent,
            colour=el.get("color"),
            description=child_text(el, "Description"),
            codable=(el.get("isCodable", "true").strip().lower() in ("true", "1")),
            notes=note_refs(el),
        )
        result.append(code)
        result.extend(parse_codes(el, code.guid))
    return result


def _coding(el: Element) -> QCoding | None:
    ref = child(el, "CodeRef")
    code = norm_guid(ref.get("targetGUID")) if ref is not None else None
    if not code:
        return None
    # a coding names its user as the schema lets every element: creatingUser, else
    # modifyingUser (the REFI-QDA samples write both; one with only modifyingUser was the
    # selection's, whoever coded it)
    return QCoding(
        guid=_guid(el),
        code=code,
        user=norm_guid(el.get("creatingUser") or el.get("modifyingUser")),
        created=el.get("creationDateTime") or el.get("modifiedDateTime"),
        notes=note_refs(el),
    )


def _one_sync(ref: str | None, sync: dict[str, tuple[int | None, int | None]]) -> str | None:
    """A sync point reference as the transcript has it. QualCoder writes the GUIDs of every
    sync point at a selection's start into ``fromSyncPoint``, run together, when two codings
    start at one position (the same words coded twice): they are at one place, the first
    stands for them."""
    if ref is None or ref in sync or len(ref) <= _GUID_LEN or len(ref) % _GUID_LEN:
        return ref
    parts = [ref[i : i + _GUID_LEN] for i in range(0, len(ref), _GUID_LEN)]
    return parts[0] if all(part in sync for part in parts) else ref


def _synced(sel: QSelection, sync: dict[str, tuple[int | None, int | None]]) -> QSelection:
    sel.from_sync = _one_sync(sel.from_sync, sync)
    sel.to_sync = _one_sync(sel.to_sync, sync)
    return sel


def _placed(sel: QSelection, sync: dict[str, tuple[int | None, int | None]]) -> QSelection:
    """A transcript selection that names no sync points but has a text selection's
    ``startPosition``/``endPosition`` (the schema places it by sync points; some exporters
    write positions, as for a text): sync points of its own at those positions, so that it is
    placed like any other (it was dropped, said to name sync points the file lacks)."""
    if sel.from_sync or sel.to_sync or sel.start is None or sel.end is None:
        return sel
    sel.from_sync, sel.to_sync = f"{sel.guid}#start", f"{sel.guid}#end"
    sync[sel.from_sync] = (sel.start, None)
    sync[sel.to_sync] = (sel.end, None)
    return sel


_GUID_LEN = 36  # "8-4-4-4-12" hex digits and hyphens


def _selection(el: Element, start_attr: str, end_attr: str) -> QSelection:
    read = _position if start_attr == "startPosition" else _int
    sel = QSelection(
        guid=_guid(el),
        name=el.get("name"),
        start=read(el.get(start_attr)),
        end=read(el.get(end_attr)),
        user=norm_guid(el.get("creatingUser") or el.get("modifyingUser")),
        created=el.get("creationDateTime") or el.get("modifiedDateTime"),
        description=child_text(el, "Description"),
        notes=note_refs(el),
        from_sync=norm_guid(el.get("fromSyncPoint")),
        to_sync=norm_guid(el.get("toSyncPoint")),
    )
    for c in children(el, "Coding"):
        coding = _coding(c)
        if coding is not None:
            sel.codings.append(coding)
        else:
            sel.unreadable_codings += 1
    return sel


def _variable_values(el: Element) -> list[tuple[str, str]]:
    values = []
    for vv in children(el, "VariableValue"):
        ref = child(vv, "VariableRef")
        guid = norm_guid(ref.get("targetGUID")) if ref is not None else None
        if not guid:
            continue
        for c in vv:
            if local(c.tag).endswith("Value") and local(c.tag) != "VariableRef":
                value = (c.text or "").strip()
                if local(c.tag) == "BooleanValue":  # xsd:boolean's 1 and 0 (NVivo, MAXQDA)
                    value = _BOOLEANS.get(value.lower(), value)
                values.append((guid, value))
                break
    return values


#: a BooleanValue as FieldScribe keeps it: true or false (the export's Boolean, ``variable_type``)
_BOOLEANS = {"1": "true", "true": "true", "0": "false", "false": "false"}


def _source(el: Element) -> QSource:
    kind = local(el.tag)
    src = QSource(
        kind=kind,
        guid=_guid(el),
        name=(el.get("name") or "").strip(),
        path=el.get("path") or el.get("currentPath"),
        current_path=el.get("currentPath") if el.get("path") else None,
        description=child_text(el, "Description"),
        user=norm_guid(el.get("creatingUser") or el.get("modifyingUser")),
        created=el.get("creationDateTime") or el.get("modifiedDateTime"),
        notes=note_refs(el),
        variables=_variable_values(el),
    )
    if kind == "TextSource":
        _text(el, src)
    elif kind in ("AudioSource", "VideoSource"):
        sel_tag = "AudioSelection" if kind == "AudioSource" else "VideoSelection"
        src.selections = [_selection(s, "begin", "end") for s in children(el, sel_tag)]
        for t in children(el, "Transcript"):
            sync: dict[str, tuple[int | None, int | None]] = {}
            for sp in children(t, "SyncPoint"):
                sync[_guid(sp)] = (_int(sp.get("position")), _int(sp.get("timeStamp")))
            src.transcripts.append(
                QTranscript(
                    guid=_guid(t),
                    name=t.get("name"),
                    text_path=t.get("plainTextPath"),
                    text_inline=child_text(t, "PlainTextContent"),
                    rich_path=t.get("richTextPath") or None,
                    syncpoints=sync,
                    selections=[
                        _placed(_synced(_selection(s, "startPosition", "endPosition"), sync), sync)
                        for s in children(t, "TranscriptSelection")
                    ],
                    notes=note_refs(t),
                    description=child_text(t, "Description"),
                )
            )
    elif kind == "PDFSource" and (rep := child(el, "Representation")) is not None:
        # the PDF's plain text (NVivo, MAXQDA, ATLAS.ti write one): its selections are text
        _text(rep, src)
        src.areas = [_selection(s, "firstX", "secondX") for s in children(el, "PDFSelection")]
    elif kind in ("PictureSource", "PDFSource"):
        sel_tag = "PictureSelection" if kind == "PictureSource" else "PDFSelection"
        src.selections = [_selection(s, "firstX", "secondX") for s in children(el, sel_tag)]
    for c in children(el, "Coding"):
        coding = _coding(c)
        if coding is not None:
            src.source_codings.append(coding)
    if not src.name:
        # ATLAS.ti names an audio or video source only in its transcript; else the file's name
        named = [t.name.strip() for t in src.transcripts if t.name and t.name.strip()]
        path = (src.path or src.text_path or "").replace("\\", "/").rstrip("/")
        src.name = named[0] if named else unquote(path.rsplit("/", 1)[-1].split("://")[-1])
    return src


def _text(el: Element, src: QSource) -> None:
    """The text and text selections of a ``TextSource`` (or a PDF's ``Representation``)."""
    src.text_path = el.get("plainTextPath")
    src.text_inline = child_text(el, "PlainTextContent")
    src.rich_path = el.get("richTextPath") or None
    src.rich_text = bool(src.rich_path)
    src.selections = [
        _selection(s, "startPosition", "endPosition") for s in children(el, "PlainTextSelection")
    ]


def parse_project(root: Element) -> QProject:
    """Read a ``Project`` element."""
    users = {}
    users_el = child(root, "Users")
    if users_el is not None:
        for u in children(users_el, "User"):
            guid = _guid(u)
            users[guid] = (u.get("name") or u.get("id") or "").strip() or f"user-{guid[:8]}"
    book = child(root, "CodeBook")
    codes = parse_codes(child(book, "Codes") if book is not None else None)
    variables: dict[str, tuple[str, str]] = {}
    variable_descriptions: dict[str, str] = {}
    vars_el = child(root, "Variables")
    if vars_el is not None:
        for v in children(vars_el, "Variable"):
            variables[_guid(v)] = (
                (v.get("name") or "").strip(),
                v.get("typeOfVariable") or "Text",
            )
            described = child(v, "Description")
            if described is not None and described.text:
                variable_descriptions[_guid(v)] = described.text
    cases = []
    cases_el = child(root, "Cases")
    if cases_el is not None:
        for c in children(cases_el, "Case"):
            cases.append(
                QCase(
                    guid=_guid(c),
                    name=(c.get("name") or "").strip() or None,
                    description=child_text(c, "Description"),
                    values=_variable_values(c),
                    source_refs=[
                        g for s in children(c, "SourceRef") if (g := norm_guid(s.get("targetGUID")))
                    ],
                    extra_refs=len(children(c, "CodeRef")) + len(children(c, "SelectionRef")),
                    notes=note_refs(c),
                )
            )
    sources = []
    sources_el = child(root, "Sources")
    if sources_el is not None:
        sources = [_source(s) for s in sources_el]
    notes: dict[str, QNote] = {}
    notes_el = child(root, "Notes")
    if notes_el is not None:
        for n in children(notes_el, "Note"):
            note = QNote(
                guid=_guid(n),
                name=n.get("name"),
                text=child_text(n, "PlainTextContent"),
                text_path=n.get("plainTextPath"),
                description=child_text(n, "Description"),
                user=norm_guid(n.get("creatingUser") or n.get("modifyingUser")),
                created=n.get("creationDateTime") or n.get("modifiedDateTime"),
                rich_path=n.get("richTextPath") or None,
            )
            note.codings = len(children(n, "Coding"))
            for sel in children(n, "PlainTextSelection"):
                note.codings += len(children(sel, "Coding"))
                start, end = _position(sel.get("startPosition")), _position(sel.get("endPosition"))
                if start is not None and end is not None:
                    note.spans.append((start, end))
            notes[note.guid] = note
    links = []
    link_items = []
    links_el = child(root, "Links")
    if links_el is not None:
        for link in children(links_el, "Link"):
            origin, target = norm_guid(link.get("originGUID")), norm_guid(link.get("targetGUID"))
            if origin and target:
                links.append((origin, target))
                link_items.append(
                    QLink(
                        _guid(link),
                        origin,
                        target,
                        link.get("name"),
                        (link.get("direction") or "").strip() or None,
                        (link.get("color") or "").strip() or None,
                        note_refs(link),
                    )
                )
    unsupported = {}
    for tag, item in (("Links", "Link"), ("Graphs", "Graph")):
        el = child(root, tag)
        if el is not None and len(children(el, item)):
            unsupported[tag.lower()] = len(children(el, item))
    sets = []
    sets_el = child(root, "Sets")
    for set_el in children(sets_el, "Set") if sets_el is not None else []:
        members = {
            tag: [g for m in children(set_el, tag) if (g := norm_guid(m.get("targetGUID")))]
            for tag in ("MemberCode", "MemberSource", "MemberNote")
        }
        sets.append(
            QSet(
                _guid(set_el),
                (set_el.get("name") or "").strip(),
                members["MemberCode"],
                members["MemberSource"],
                members["MemberNote"],
            )
        )
    return QProject(
        name=(root.get("name") or "").strip(),
        origin=(root.get("origin") or "").strip(),
        users=users,
        codes=codes,
        variables=variables,
        cases=cases,
        sources=sources,
        notes=notes,
        project_notes=note_refs(root),
        description=child_text(root, "Description"),
        unsupported=unsupported,
        created=root.get("creationDateTime"),
        creator=norm_guid(root.get("creatingUserGUID")),
        links=links,
        link_items=link_items,
        sets=sets,
        variable_descriptions=variable_descriptions,
    )

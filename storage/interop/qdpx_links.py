"""REFI-QDA ``Link``s: named relations between codes, sources, selections, notes and cases
(ATLAS.ti's code-code and quotation links, NVivo's relationships and see-also links).

An import resolves each end to what it became here (a code, a session, the first coding made
of a selection, a memo made of a note, a participant) and adds the link to the project's
links (``project.links``, schema 0013), with its GUID as id, its name, direction and colour,
and the text of the notes its ``NoteRef``s name (and nothing else places) as its memo; an
export writes a ``Link`` again for each link whose both ends it writes (an end deleted since
took the link with it), its memo a ``Note`` it refers to (the schema's ``Link`` has no
``Description``). Links made here go out the same way. A link between a note
and what it is about was read as that note's place (``qdpx_import.people.linked_notes``) and
is not kept here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from storage.core.words import plural, verb

from ._common import derived_guid
from .qdpx_xml import _g, _q, _sub, _text

if TYPE_CHECKING:
    from .qdpx_import.context import ImportContext

DIRECTIONS = ("Associative", "OneWay", "Bidirectional")
_COLOUR = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")
#: what a link's end is here: the kinds ``end_guid`` knows
KINDS = ("code", "session", "coding", "memo", "participant")


def _end(ctx: ImportContext, guid: str, transcripts: dict[str, str]) -> list[str] | None:
    """``[kind, id]`` of what the file's item ``guid`` became here; None when nothing."""
    if guid in ctx.code_map:
        return ["code", ctx.code_map[guid]]
    session = ctx.session_map.get(guid) or ctx.session_map.get(transcripts.get(guid, ""))
    if session:
        return ["session", session]
    if ctx.selection_codings.get(guid):
        return ["coding", ctx.selection_codings[guid][0]]
    if guid in ctx.case_map:
        return ["participant", ctx.case_map[guid]]
    if guid in ctx.qp.notes and ctx.exists("memos", guid):
        return ["memo", guid]
    return None


def keep_links(ctx: ImportContext) -> None:
    """Add the file's links between items imported here (``project.links``) and say
    what became of each; runs last, when every item has its place."""
    total = ctx.qp.unsupported.get("links", 0)
    transcripts = {tr.guid: src.guid for src in ctx.qp.sources for tr in src.transcripts}
    added, lost = 0, 0
    stamp = ctx.p.store.stamp()
    placed: set[str] = set()  # the link notes (``ctx.link_notes``) a link took, or had before
    for link in ctx.qp.link_items:
        if (link.origin, link.target) in ctx.note_link_pairs:
            continue  # a note's place, read as such
        notes = [guid for guid in link.notes if guid in ctx.link_notes]
        guid = link.guid or derived_guid("link", link.origin, link.target, link.name or "")
        if ctx.exists("links", guid) or ctx.deleted("links", guid):
            placed.update(notes)
            continue  # from an import of this file before (and kept, or removed since)
        origin, target = _end(ctx, link.origin, transcripts), _end(ctx, link.target, transcripts)
        if origin is None or target is None:
            lost += 1
            continue
        placed.update(notes)
        memo = "\n\n".join(ctx.link_notes[note][1] for note in notes).strip()
        ctx.conn.execute(
            "INSERT INTO links (id, origin_kind, origin_id, target_kind, target_id, name, "
            "direction, colour, memo, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guid,
                *origin,
                *target,
                (link.name or "").strip(),
                link.direction if link.direction in DIRECTIONS else None,
                link.color if link.color and _COLOUR.match(link.color) else None,
                memo or None,
                stamp["created_by"],
                stamp["created_at"],
                stamp["updated_at"],
            ),
        )
        added += 1
    # the memo of a link not kept here: in the journal, as a note placed nowhere is
    for note in sorted(set(ctx.link_notes) - placed):
        title, text = ctx.link_notes[note]
        ctx.conn.execute(
            "INSERT INTO memos (id, target_type, target_id, title, text, created_by, "
            "created_at, updated_at) VALUES (?, 'journal', NULL, ?, ?, ?, ?, ?)",
            (
                ctx.fresh_id("memos", note),
                title,
                text,
                stamp["created_by"],
                stamp["created_at"],
                stamp["updated_at"],
            ),
        )
        ctx.report.memos += 1
    if added:
        ctx.report.notes.append(
            f"{plural(added, 'link')} between codes, sources, selections, notes or cases "
            f"{verb(added, 'was', 'were')} kept: `fieldscribe links` lists them, the codebook's "
            "Links tab shows a code's, and a .qdpx export writes each again."
        )
    # links without both ends (none to keep), and those to items not imported here
    lost += total - len(ctx.qp.link_items)
    if lost > 0:
        ctx.report.not_imported.append(
            f"{plural(lost, 'link')} to an item not imported here (a picture, a PDF area, a "
            "graph, a set, or an item the file does not hold): not kept."
        )


def kept_links(project: Any) -> dict[str, dict[str, Any]]:
    """The project's links as an export writes them: ``{id: {"name", "direction", "color",
    "origin": [kind, id], "target": [kind, id], "memo"}}``."""
    return {
        link.id: {
            "name": link.name,
            "direction": link.direction,
            "color": link.colour,
            "origin": [link.origin.kind, link.origin.id],
            "target": [link.target.kind, link.target.id],
            "memo": link.memo,
        }
        for link in project.links.all()
    }


def write_links(links_parent: ET.Element, kept: dict[str, dict[str, Any]]) -> int:
    """Write the links (``kept_links``) whose both ends are in the built ``Project``
    (``links_parent`` is its root; a ``Links`` element is added where needed, after
    ``Notes``); the number written."""
    written = {el.get("guid") for el in links_parent.iter() if el.get("guid")}
    rows: list[tuple[dict[str, str], str | None]] = []
    for guid, link in sorted(kept.items()):
        ends = [end_guid(link.get("origin")), end_guid(link.get("target"))]
        if None in ends or not all(e in written for e in ends):
            continue
        attrs = {
            "guid": _g(guid),
            "name": link.get("name"),
            "direction": link.get("direction") if link.get("direction") in DIRECTIONS else None,
            "color": link.get("color") if _COLOUR.match(str(link.get("color"))) else None,
            "originGUID": ends[0],
            "targetGUID": ends[1],
        }
        memo = link.get("memo")
        rows.append(({k: str(v) for k, v in attrs.items() if v}, memo if memo else None))
    if not rows:
        return 0
    links = links_parent.find(_q("Links"))
    if links is None:
        links = _sub(links_parent, "Links")
    for row, memo in rows:
        el = _sub(links, "Link", **row)
        if memo:
            note = _link_note(links_parent, links, row["guid"], row.get("name"), memo)
            _sub(el, "NoteRef", targetGUID=note)
    return len(rows)


def _link_note(root: ET.Element, links: ET.Element, guid: str, name: str | None, memo: str) -> str:
    """Write a link's memo as a ``Note`` (REFI-QDA's ``Link`` holds ``NoteRef``s only, no
    ``Description``) in the project's ``Notes``, made before ``Links`` where there is none; its
    GUID."""
    notes = root.find(_q("Notes"))
    if notes is None:
        notes = ET.Element(_q("Notes"))
        root.insert(list(root).index(links), notes)
    note_guid = derived_guid(guid, "link-memo")
    el = _sub(notes, "Note", guid=note_guid, name=name)
    _text(el, "PlainTextContent", memo)
    return note_guid


def end_guid(end: Any) -> str | None:
    """The GUID an export gives the item a kept link's end names (``[kind, id]``)."""
    if not (isinstance(end, list) and len(end) == 2 and end[0] in KINDS):
        return None
    kind, row_id = end[0], str(end[1])
    if kind == "coding":  # its selection
        return derived_guid(row_id, "selection")
    return _g(row_id)

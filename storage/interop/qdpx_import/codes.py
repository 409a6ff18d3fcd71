"""The file's codebook (merged by GUID, then by path), and what the tables cannot hold
(``exchange_meta``: users' GUIDs, code order, codes without colour, CRLF sources)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from storage.codebook.codebook import PALETTE
from storage.core.ids import now_iso
from storage.core.names import clean_name

from .. import exchange_meta
from ..colours import Hex8Order, hex8_order, read_colour
from ..qdpx_parse import QCode
from .context import ImportContext

if TYPE_CHECKING:
    pass


def _colour(value: str | None, index: int, hex8: Hex8Order = "rgba") -> str:
    """The code's colour as ``#rrggbb`` (``colours.read_colour``), else a palette colour."""
    return read_colour(value, hex8) or PALETTE[index % len(PALETTE)]


def import_codes(ctx: ImportContext, codes: list[QCode]) -> None:
    existing_count = int(ctx.conn.execute("SELECT count(*) FROM codes").fetchone()[0])
    hex8 = hex8_order(code.colour for code in codes)  # the file's colours read together
    created: set[str] = set()  # the codes this import made
    seen: dict[str, str] = {}  # the file's code GUIDs so far, and their codes' names
    codebook = ctx.p.codebook
    for i, code in enumerate(codes):
        if code.name:  # stored as the codebook stores names (NFC, no surrounding spaces)
            code.name = clean_name(code.name)
        if not code.name or "/" in code.name:
            name = (code.name or f"Code {i + 1}").replace("/", "-")
            ctx.report.item(
                False,
                "renamed",
                "",
                f"Code {code.name!r} renamed to {name!r}.",
                f"{code.name!r} to {name!r}",
                lambda count, shown: (
                    f"{count} codes renamed (a code name holds no '/' and is not empty): {shown}."
                ),
            )
            code.name = name
        parent_id = ctx.code_map.get(code.parent) if code.parent else None
        first = seen.get(code.guid)
        if first is not None:
            # a second code with one GUID (a damaged or hand-made file): a code of its own,
            # and the codings naming the GUID are the first one's
            ctx.report.notes.append(
                f"Code {code.name!r} has the GUID of the code {first!r} before it ({code.guid}); "
                f"it was imported as a code of its own; codings of that GUID go to {first!r}."
            )
            code = replace(code, guid="")
        elif code.guid:
            seen[code.guid] = code.name
        their_colour = read_colour(code.colour, hex8) if code.colour else None
        if code.guid and ctx.exists("codes", code.guid):
            ctx.code_map[code.guid] = code.guid
            here = ctx.conn.execute(
                "SELECT name, colour, description FROM codes WHERE id = ?", (code.guid,)
            ).fetchone()
            apart = exchange_meta.code_names(ctx.p).get(code.guid)
            if here[0] != code.name and apart != (code.name, here[0]):
                # renamed there, or here, since (not one named apart on import, as it was)
                ctx.report.item(
                    False,
                    "named otherwise",
                    "",
                    f"Code {code.name!r} is {here[0]!r} in this project (the same code, by its "
                    f"GUID): its codings are {here[0]!r}'s, and the name here was kept.",
                    f"{code.name!r} is {here[0]!r}",
                    lambda count, shown: (
                        f"{count} codes are named otherwise in this project (the same codes, "
                        f"by their GUIDs): their codings are the codes here, and the names "
                        f"here were kept: {shown}."
                    ),
                )
            ctx.code_order.append(code.guid)
            fill = ctx.report.code_match(
                here[0], here[0], their_colour, here[1], code.description, here[2]
            )
            _fill_description(ctx, code.guid, fill)
            continue
        # the code of that name here, in any letter case ("госуслуги" is "Госуслуги")
        found = codebook.child(parent_id, code.name)
        if found is not None and found.id in created:
            # two codes of this file with one name under one parent (NVivo, ATLAS.ti allow it):
            # they stay two codes, the second one named apart
            name, n = code.name, 2
            while codebook.child(parent_id, name) is not None:
                name, n = f"{code.name} ({n})", n + 1
            named = repr(code.name)
            if found.name != code.name:
                named = f"{found.name!r} and {code.name!r} (letter case aside)"
            ctx.report.notes.append(
                f"Two codes are named {named} under the same parent; the second is named {name!r}."
            )
            renamed, code.name, found = code.name, name, None
        else:
            renamed = None
        if found is not None:
            if code.guid:
                ctx.code_map[code.guid] = found.id
            ctx.code_order.append(found.id)
            fill = ctx.report.code_match(
                code.name, found.name, their_colour, found.colour, code.description,
                found.description,
            )  # fmt: skip
            _fill_description(ctx, found.id, fill)
            continue
        code_id = ctx.fresh_id("codes", code.guid)
        ctx.code_order.append(code_id)
        if renamed is not None:
            ctx.code_names[code_id] = [renamed, code.name]
        if not code.colour:
            ctx.no_colour[code_id] = _colour(None, existing_count + i)
        elif read_colour(code.colour, hex8) is None:
            ctx.report.item(
                False,
                "colour",
                "",
                f"Code {code.name!r}: its colour {code.colour!r} could not be read; it was "
                f"given {_colour(None, existing_count + i)} instead.",
                f"{code.name!r} ({code.colour!r})",
                lambda count, shown: (
                    f"{count} codes have colours that could not be read; each was given one "
                    f"of FieldScribe's instead: {shown}."
                ),
            )
        ctx.conn.execute(
            "INSERT INTO codes (id, parent_id, name, colour, description, created_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                code_id,
                parent_id,
                code.name,
                _colour(code.colour, existing_count + i, hex8),
                code.description or None,
                ctx.p.coder,
                now_iso(),
                now_iso(),
            ),
        )
        if code.guid:
            ctx.code_map[code.guid] = code_id
        created.add(code_id)
        ctx.report.codes += 1
        if not code.codable:
            ctx.report.item(
                False,
                "not codable",
                "",
                f"Code {code.name!r} was not codable there; it is codable in FieldScribe.",
                repr(code.name),
                lambda count, shown: (
                    f"{count} codes were not codable there; they are codable in FieldScribe: "
                    f"{shown}."
                ),
            )
        for note in code.notes:
            ctx.note_targets.setdefault(note, []).append(("code", code_id))
    ctx.report.note_code_matches()


def _fill_description(ctx: ImportContext, code_id: str, description: str | None) -> None:
    """Give a code here that has no description the file's (``ImportReport.code_match``)."""
    if description:
        ctx.conn.execute(
            "UPDATE codes SET description = ?, updated_at = ? WHERE id = ?",
            (description, now_iso(), code_id),
        )


def keep_exchange_meta(ctx: ImportContext, was_empty: bool) -> None:
    """What the tables cannot hold, for a later export (``exchange_meta``)."""
    users = exchange_meta.user_guids(ctx.p)
    for guid, name in sorted(ctx.qp.users.items()):
        users.setdefault(name, guid)
    if users:
        exchange_meta.write(ctx.conn, exchange_meta.USERS, users)
    if was_empty and (ctx.qp.created or ctx.qp.creator):
        creator = ctx.qp.users.get(ctx.qp.creator or "", "")
        origin = {"created": ctx.qp.created or "", "creator": creator}
        exchange_meta.write(ctx.conn, exchange_meta.PROJECT, origin)
    if ctx.code_order:
        known = [c for c in exchange_meta.read(ctx.p, exchange_meta.CODE_ORDER) or []]
        order = known + [c for c in ctx.code_order if c not in set(known)]
        exchange_meta.write(ctx.conn, exchange_meta.CODE_ORDER, order)
    if ctx.no_colour:
        kept = exchange_meta.no_colour(ctx.p) | ctx.no_colour
        exchange_meta.write(ctx.conn, exchange_meta.NO_COLOUR, kept)
    if ctx.code_names:
        apart = {k: list(v) for k, v in exchange_meta.code_names(ctx.p).items()}
        exchange_meta.write(ctx.conn, exchange_meta.CODE_NAMES, apart | ctx.code_names)


def keep_line_ends(ctx: ImportContext) -> None:
    """Remember the text sources with CRLF line ends (``exchange_meta.CRLF``), the
    segments whose label stood after their time mark (``exchange_meta.MARKED_LABELS``) and
    the codings' own time ranges on segments that span more (``exchange_meta.TIME_RANGES``)
    and the codings made of one code of a whole source (``exchange_meta.WHOLE_CODINGS``),
    and the sessions of video sources (``exchange_meta.VIDEO_SESSIONS``)."""
    if ctx.time_ranges:
        kept = {k: list(v) for k, v in exchange_meta.time_ranges(ctx.p).items()}
        exchange_meta.write(ctx.conn, exchange_meta.TIME_RANGES, kept | ctx.time_ranges)
    if ctx.whole_codings:
        groups = exchange_meta.whole_codings(ctx.p) | ctx.whole_codings
        exchange_meta.write(ctx.conn, exchange_meta.WHOLE_CODINGS, groups)
    if ctx.video_sessions:
        known = exchange_meta.video_sessions(ctx.p)
        value = sorted(known | set(ctx.video_sessions))
        exchange_meta.write(ctx.conn, exchange_meta.VIDEO_SESSIONS, value)
    if ctx.crlf_sessions:
        known = exchange_meta.crlf_sessions(ctx.p)
        exchange_meta.write(ctx.conn, exchange_meta.CRLF, sorted(known | set(ctx.crlf_sessions)))
    if ctx.marked_labels:  # (``exchange_meta.MARKED_LABELS``)
        known = exchange_meta.marked_labels(ctx.p)
        exchange_meta.write(
            ctx.conn, exchange_meta.MARKED_LABELS, sorted(known | set(ctx.marked_labels))
        )

"""The codebook (nested codes), codings of segments and spans, and memos."""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

from storage.core.anchors import is_flagged, unflagged
from storage.core.errors import InUseError, InvalidInputError, NotFoundError
from storage.core.ids import new_id, now_iso
from storage.core.link_rows import follow_coding, move_links
from storage.core.models import MEMO_TARGETS, Code, Coding, DeletionReport, Memo
from storage.core.names import clean_name, name_key, spelling_prefixes
from storage.core.store import Store, where_equal
from storage.core.words import plural

if TYPE_CHECKING:
    from storage.project import Project

PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
    "#fabed4", "#469990", "#dcbeff", "#9a6324", "#800000", "#aaffc3", "#808000", "#000075",
)  # fmt: skip
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


# How deep codes may nest. Deeper paths are typos or hostile input (a 1,200-level path took
# minutes); no codebook in use comes near it.
MAX_CODE_DEPTH = 50


def split_code_path(path: str) -> list[str]:
    """Split "Parent/Child" into clean names; ``//`` is not allowed.

    Raises:
        InvalidInputError: an empty name, or more than ``MAX_CODE_DEPTH`` levels.
    """
    names = [clean_name(part) for part in path.split("/")]
    if not path.strip() or any(not n for n in names):
        raise InvalidInputError(f"Invalid code path {path!r}; use names joined by '/'.")
    if len(names) > MAX_CODE_DEPTH:
        raise _too_deep(len(names))
    return names


def autocoded(found: int, added: int, path: str) -> str:
    """What coding the segments a search found said: how many it coded, and how many of those
    found carried the code already (the whole segment, by this coder), so that the count said
    is the count found ("Coded 2 segments" for 4 found read as if the search found 2)."""
    if added == found:
        return f"Coded {plural(added, 'segment')} with {path!r}."
    already = found - added
    found_text = plural(found, "segment")
    return f"Found {found_text}: coded {added} with {path!r}, {already} had it already."


def _too_deep(levels: int) -> InvalidInputError:
    return InvalidInputError(
        f"That code would be {levels} levels deep; codes nest at most {MAX_CODE_DEPTH} levels. "
        "Nothing was changed."
    )


def _taken(name: str, there: str) -> InvalidInputError:
    """A name refused beside a code of the same name (``name_key``: case aside) there."""
    if there == name:
        return InvalidInputError(f"A code named {name!r} already exists there.")
    return InvalidInputError(
        f"A code named {there!r} already exists there; {name!r} is the same name (code names "
        "are matched whatever their letter case). Nothing was changed."
    )


# A code's ancestors, itself first (the depth bound stops a cycle a bad merge could make).
_ANCESTORS = (
    "WITH RECURSIVE up(id, parent_id, name, depth) AS ("
    " SELECT id, parent_id, name, 0 FROM codes WHERE id = ?"
    " UNION ALL SELECT c.id, c.parent_id, c.name, up.depth + 1 FROM codes c"
    " JOIN up ON c.id = up.parent_id WHERE up.depth < 10000)"
    " SELECT name FROM up ORDER BY depth DESC"
)


def _code(row: sqlite3.Row, path: str = "") -> Code:
    return Code(
        id=row["id"],
        parent_id=row["parent_id"],
        name=row["name"],
        colour=row["colour"],
        description=row["description"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        path=path,
    )


def checked_colour(colour: str) -> str:
    """``colour`` (``#RRGGBB``) in lower case.

    Raises:
        InvalidInputError: not ``#RRGGBB``.
    """
    if not _COLOUR.match(colour):
        raise InvalidInputError(f"Invalid colour {colour!r}; use #RRGGBB.")
    return colour.lower()


def memo_label(title: str | None, text: str, width: int = 60) -> str:
    """How a memo is named in lists: its title, else the start of its first line (at most
    ``width`` characters; a longer line is cut at a space if one is near, and ends in "…")."""
    if title:
        return title
    lines = text.splitlines()
    if not lines:
        return "(empty)"
    first = lines[0]
    if len(first) <= width:
        return first
    cut = first[: max(1, width - 1)]
    space = cut.rfind(" ")
    if first[len(cut)] != " " and space > width // 2:  # not mid-word
        cut = cut[:space]
    return cut.rstrip() + "…"


class Codebook:
    """Codes, codings and memos."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    # ----------------------------------------------------------------- codes
    def codes(self) -> list[Code]:
        """Return the whole codebook, each code with its full path, sorted by path."""
        rows = self._store.rows("SELECT * FROM codes")
        by_id = {r["id"]: r for r in rows}

        paths: dict[str, str] = {}

        def path_of(code_id: str) -> str:
            # walk up to the first code whose path is known, then fill in on the way down
            chain: list[str] = []
            seen: set[str] = set()
            current: str | None = code_id
            while (
                current is not None
                and current in by_id
                and current not in paths
                and current not in seen
            ):
                seen.add(current)
                chain.append(current)
                current = by_id[current]["parent_id"]
            prefix = paths.get(current, "") if current is not None else ""
            for cid in reversed(chain):
                name = by_id[cid]["name"]
                prefix = f"{prefix}/{name}" if prefix else name
                paths[cid] = prefix
            return paths.get(code_id, prefix)

        return sorted((_code(r, path_of(r["id"])) for r in rows), key=lambda c: c.path.lower())

    def get_code(self, code_id: str) -> Code:
        """Return one code (with its path) or raise ``NotFoundError``.

        Reads the code and its ancestors only (one query each), not the whole codebook.
        """
        row = self._store.one("SELECT * FROM codes WHERE id = ?", (code_id,))
        if row is None:
            raise NotFoundError(f"No code with id {code_id!r}.")
        return _code(row, "/".join(self._ancestor_names(code_id)))

    def _ancestor_names(self, code_id: str) -> list[str]:
        """The names from the top of the codebook down to the code itself."""
        return [str(r[0]) for r in self._store.rows(_ANCESTORS, (code_id,))]

    def _height(self, code_id: str) -> int:
        """Levels in the subtree under a code, the code included (1 for a leaf)."""
        return int(
            self._store.scalar(
                "WITH RECURSIVE d(id, depth) AS (SELECT ?, 1 UNION ALL SELECT c.id, d.depth + 1"
                " FROM codes c JOIN d ON c.parent_id = d.id WHERE d.depth < 10000)"
                " SELECT max(depth) FROM d",
                (code_id,),
            )
        )

    def _child(self, parent: str | None, name: str) -> sqlite3.Row | None:
        """The code named ``name`` under ``parent`` (the oldest): the same text, else the same
        name in another letter case, Unicode form or with other spaces
        (``storage.core.names.name_key``: "госуслуги" finds "Госуслуги")."""
        row = self._store.one(
            "SELECT * FROM codes WHERE parent_id IS ? AND name = ? ORDER BY created_at LIMIT 1",
            (parent, name),
        )
        if row is not None:
            return row
        # the names starting with a spelling of the name's beginning (``spelling_prefixes``:
        # index ranges; a codebook with thousands of codes at one level is looked up once per
        # new code on import), compared by ``name_key``
        key = name_key(name)
        starts = sorted(spelling_prefixes(name))
        ranges = " OR ".join(["(parent_id IS ? AND name >= ? AND name < ?)"] * len(starts))
        same = [
            r
            for r in self._store.rows(
                f"SELECT * FROM codes WHERE {ranges}",  # one statement (a multi-index OR)
                tuple(v for start in starts for v in (parent, start, start + "\U0010ffff")),
            )
            if name_key(r["name"]) == key
        ]
        return min(same, key=lambda r: (r["created_at"], r["id"]), default=None)

    def child(self, parent_id: str | None, name: str) -> Code | None:
        """The code under ``parent_id`` (None: at the top) that has ``name``, in any letter
        case, Unicode form or with other surrounding spaces (``storage.core.names.name_key``),
        with its spelling here; the oldest if several; None if none."""
        row = self._child(parent_id, clean_name(name))
        if row is None:
            return None
        return _code(row, "/".join(self._ancestor_names(row["id"])))

    def find_code(self, path: str) -> Code | None:
        """Return the code at a "Parent/Child" path, or None."""
        names = split_code_path(path)
        parent: str | None = None
        row: sqlite3.Row | None = None
        here: list[str] = []  # the path as the codebook spells it
        for name in names:
            row = self._child(parent, name)
            if row is None:
                return None
            parent = row["id"]
            here.append(row["name"])
        assert row is not None
        return _code(row, "/".join(here))

    def add_code(
        self,
        name: str,
        *,
        parent_id: str | None = None,
        colour: str | None = None,
        description: str | None = None,
    ) -> Code:
        """Create one code under ``parent_id`` (or at the top).

        Raises:
            InvalidInputError: the name is empty, contains '/', or exists under that parent.
        """
        name = clean_name(name)
        if not name or "/" in name:
            raise InvalidInputError(f"Invalid code name {name!r} (not empty, no '/').")
        if parent_id is not None:
            depth = len(self.get_code(parent_id).path.split("/")) + 1
            if depth > MAX_CODE_DEPTH:
                raise _too_deep(depth)
        return self.get_code(self._insert_code(name, parent_id, colour, description))

    def _insert_code(
        self,
        name: str,
        parent_id: str | None,
        colour: str | None,
        description: str | None,
        *,
        free: bool = False,
    ) -> str:
        """Insert a checked code (its parent exists and is not too deep; ``free``: the caller
        found no code of its name there); return its id."""
        same = None if free else self._child(parent_id, name)
        if same is not None:
            raise _taken(name, same["name"])
        if colour is None:
            count = int(self._store.scalar("SELECT count(*) FROM codes"))
            colour = PALETTE[count % len(PALETTE)]
        row = {
            "id": new_id(),
            "parent_id": parent_id,
            "name": name,
            "colour": checked_colour(colour),
            "description": description,
            **self._store.stamp(),
        }
        with self._store.tx() as db:
            db.table("codes").insert(row)
        return str(row["id"])

    def ensure_code_path(self, path: str, *, colour: str | None = None) -> Code:
        """Return the code at ``path``, creating missing codes along it.

        One walk down the path (one query per level); the codebook is not re-read per level.

        Raises:
            InvalidInputError: a bad name, or deeper than ``MAX_CODE_DEPTH``.
        """
        names = split_code_path(path)
        parent: str | None = None
        row: sqlite3.Row | None = None
        here: list[str] = []  # the path as the codebook spells it ("госуслуги" finds "Госуслуги")
        with self._store.tx():
            for i, name in enumerate(names):
                row = self._child(parent, name)
                if row is None:
                    last = i == len(names) - 1
                    code_id = self._insert_code(
                        name, parent, colour if last else None, None, free=True
                    )
                    row = self._store.one("SELECT * FROM codes WHERE id = ?", (code_id,))
                assert row is not None
                parent = row["id"]
                here.append(row["name"])
        assert row is not None
        return _code(row, "/".join(here))

    def update_code(
        self,
        code_id: str,
        *,
        name: str | None = None,
        colour: str | None = None,
        description: str | None = None,
        parent_id: str | None = None,
        move_to_top: bool = False,
    ) -> Code:
        """Rename, recolour, describe or move (re-parent) a code."""
        code = self.get_code(code_id)
        fields: dict[str, Any] = {}
        if name is not None:
            name = clean_name(name)
            if not name or "/" in name:
                raise InvalidInputError(f"Invalid code name {name!r}.")
            fields["name"] = name
        if colour is not None:
            fields["colour"] = checked_colour(colour)
        if description is not None:
            fields["description"] = description
        if move_to_top:
            fields["parent_id"] = None
        elif parent_id is not None:
            if parent_id == code_id or parent_id in self.descendants(code_id):
                raise InvalidInputError("A code cannot be moved under itself or its sub-codes.")
            depth = len(self.get_code(parent_id).path.split("/")) + self._height(code_id)
            if depth > MAX_CODE_DEPTH:
                raise _too_deep(depth)
            fields["parent_id"] = parent_id
        new_parent = fields.get("parent_id", code.parent_id)
        new_name = fields.get("name", code.name)
        if "name" in fields or "parent_id" in fields:
            taken = next(
                (
                    r["name"]
                    for r in self._store.rows(
                        "SELECT id, name FROM codes WHERE parent_id IS ?", (new_parent,)
                    )
                    if r["id"] != code_id and name_key(r["name"]) == name_key(new_name)
                ),
                None,
            )
            if taken is not None:
                raise _taken(new_name, taken)
        if fields:
            fields["updated_at"] = now_iso()
            with self._store.tx() as db:
                db.table("codes").update(code_id, fields)
        return self.get_code(code_id)

    def descendants(self, code_id: str) -> list[str]:
        """The ids of every sub-code of a code, at any depth."""
        rows = self._store.rows(
            "WITH RECURSIVE d(id) AS (SELECT id FROM codes WHERE parent_id = ? "
            "UNION SELECT c.id FROM codes c JOIN d ON c.parent_id = d.id) SELECT id FROM d",
            (code_id,),
        )
        return [str(r[0]) for r in rows]

    def merge_codes(self, source_id: str, target_id: str) -> DeletionReport:
        """Move every coding and sub-code of ``source`` to ``target``, then delete ``source``."""
        source, target = self.get_code(source_id), self.get_code(target_id)
        if source_id == target_id or target_id in self.descendants(source_id):
            raise InvalidInputError("Cannot merge a code into itself or one of its sub-codes.")
        with self._store.tx() as db:
            conn = db.conn
            moved = 0
            for c in conn.execute(
                "SELECT * FROM codings WHERE code_id = ?", (source_id,)
            ).fetchall():
                cur = conn.execute(
                    "UPDATE OR IGNORE codings SET code_id = ?, updated_at = ? WHERE id = ?",
                    (target_id, now_iso(), c["id"]),
                )
                if cur.rowcount:
                    moved += 1
                else:  # the same coding already exists on the target: it takes the links
                    same = conn.execute(
                        "SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND "
                        "coder = ? AND start_cp IS ? AND end_cp IS ?",
                        (c["segment_id"], target_id, c["coder"], c["start_cp"], c["end_cp"]),
                    ).fetchone()
                    follow_coding(self._store, c["id"], same and same[0])
                    conn.execute("DELETE FROM codings WHERE id = ?", (c["id"],))
                    self._store.tombstone("codings", c["id"])
            children = conn.execute(
                "UPDATE codes SET parent_id = ?, updated_at = ? WHERE parent_id = ?",
                (target_id, now_iso(), source_id),
            ).rowcount
            conn.execute(
                "UPDATE memos SET target_id = ?, updated_at = ? "
                "WHERE target_type = 'code' AND target_id = ?",
                (target_id, now_iso(), source_id),
            )
            # its links go with it; one that would link the target to itself goes
            links = move_links(
                conn,
                "code",
                source_id,
                target_id,
                stamp=lambda _version: now_iso(),
                tombstone=lambda link_id, _version: self._store.tombstone("links", link_id),
            )
            conn.execute("DELETE FROM codes WHERE id = ?", (source_id,))
            self._store.tombstone("codes", source_id)
            # where it went: a merge elsewhere tells the codings dropped above (the same coding
            # was on the target) from a deletion (``storage/team/merge_cascade.py``)
            conn.execute(
                "INSERT OR IGNORE INTO row_versions (table_name, row_id, version, author) "
                "VALUES ('codes', ?, ?, ?)",
                (source_id, "merged-into:" + target_id, self._store.coder),
            )
        return DeletionReport(
            target=f"code {source.path!r}, merged into {target.path!r}",
            removed={"codings moved": moved, "sub-codes moved": children}
            | ({"links moved": links} if links else {}),
        )

    def delete_code(self, code_id: str, *, force: bool = False) -> DeletionReport:
        """Delete a code and its sub-codes; with codings only when ``force`` is given.

        Raises:
            InUseError: the code (or a sub-code) has codings and ``force`` is False.
        """
        code = self.get_code(code_id)
        ids = [code_id, *self.descendants(code_id)]
        marks = ",".join("?" * len(ids))
        n = int(self._store.scalar(f"SELECT count(*) FROM codings WHERE code_id IN ({marks})", ids))
        if n and not force:
            raise InUseError(
                f"Code {code.path!r} has {plural(n, 'coding')} (with its sub-codes); "
                f"delete with --force to remove {'it' if n == 1 else 'them'}, or merge it into "
                "another code."
            )
        links = int(
            self._store.scalar(
                "SELECT count(*) FROM links WHERE (origin_kind = 'code' AND origin_id IN "
                f"({marks})) OR (target_kind = 'code' AND target_id IN ({marks}))",
                ids * 2,
            )
        )
        with self._store.tx() as db:
            conn = db.conn
            for (coding_id,) in conn.execute(
                f"SELECT id FROM codings WHERE code_id IN ({marks})", ids
            ).fetchall():
                self._store.tombstone("codings", coding_id)
            conn.execute(f"DELETE FROM codings WHERE code_id IN ({marks})", ids)
            for cid in reversed(ids):  # children first (foreign keys)
                conn.execute("DELETE FROM codes WHERE id = ?", (cid,))
                self._store.tombstone("codes", cid)
        return DeletionReport(
            target=f"code {code.path!r}",
            removed={"codings": n, "sub-codes": len(ids) - 1} | ({"links": links} if links else {}),
        )

    def code_frequencies(self, *, coder: str | None = None) -> dict[str, int]:
        """Return the number of codings of each code id (own codings, not sub-codes);
        ``coder``: only that coder's (blind coding)."""
        return {
            r[0]: int(r[1])
            for r in self._store.rows(
                "SELECT code_id, count(*) FROM codings WHERE (? IS NULL OR coder = ?) "
                "GROUP BY code_id",
                (coder, coder),
            )
        }

    # ----------------------------------------------------------------- codings
    def apply_code(
        self,
        segment_id: str,
        code_id: str,
        *,
        start_cp: int | None = None,
        end_cp: int | None = None,
        memo: str | None = None,
        coder: str | None = None,
    ) -> Coding:
        """Code a whole segment, or the span ``[start_cp, end_cp)`` of its text.

        Applying the same coding twice returns the existing one.

        Raises:
            NotFoundError: unknown segment or code.
            InvalidInputError: the span is outside the segment's text.
        """
        seg = self._store.one("SELECT text FROM segments WHERE id = ?", (segment_id,))
        if seg is None:
            raise NotFoundError(f"No segment with id {segment_id!r}.")
        if self._store.one("SELECT 1 FROM codes WHERE id = ?", (code_id,)) is None:
            raise NotFoundError(f"No code with id {code_id!r}.")
        if (start_cp is None) != (end_cp is None):
            raise InvalidInputError("Give both the start and the end of a span, or neither.")
        if start_cp is not None and end_cp is not None:
            if not 0 <= start_cp < end_cp <= len(seg["text"]):
                raise InvalidInputError(
                    f"Span {start_cp}:{end_cp} is outside the segment text "
                    f"({len(seg['text'])} characters)."
                )
            if start_cp == 0 and end_cp == len(seg["text"]):
                start_cp = end_cp = None  # the whole text is the whole segment
        who = (coder or self._store.coder).strip()
        if not who:
            raise InvalidInputError("No coder given; pass --coder NAME.")
        existing = self._coding_where(segment_id, code_id, who, start_cp, end_cp)
        if existing is not None and start_cp is None and is_flagged(existing.memo):
            # the span whose words were deleted, now on the whole segment on purpose: no flag
            with self._store.tx() as db:
                stamp = now_iso()
                kept = unflagged(existing.memo) if memo is None else memo
                db.conn.execute(
                    "UPDATE codings SET memo = ?, updated_at = ? WHERE id = ?",
                    (kept, stamp, existing.id),
                )
            existing = self._coding_where(segment_id, code_id, who, start_cp, end_cp)
        if existing is not None:
            return existing
        row = {
            "id": new_id(),
            "segment_id": segment_id,
            "code_id": code_id,
            "coder": who,
            "start_cp": start_cp,
            "end_cp": end_cp,
            "memo": memo,
            **self._store.stamp(),
        }
        row["created_by"] = who
        with self._store.tx() as db:
            db.conn.execute(
                "INSERT OR IGNORE INTO coders (name, created_at) VALUES (?, ?)", (who, now_iso())
            )
            db.table("codings").insert(row)
        return Coding(**row)  # type: ignore[arg-type]

    def _coding_where(
        self, segment_id: str, code_id: str, coder: str, start: int | None, end: int | None
    ) -> Coding | None:
        row = self._store.one(
            "SELECT * FROM codings WHERE segment_id = ? AND code_id = ? AND coder = ? "
            "AND start_cp IS ? AND end_cp IS ?",
            (segment_id, code_id, coder, start, end),
        )
        return None if row is None else Coding(**dict(row))

    def codings(
        self,
        *,
        segment_id: str | None = None,
        code_id: str | None = None,
        coder: str | None = None,
        session_id: str | None = None,
    ) -> list[Coding]:
        """Return codings filtered by segment, code, coder and/or session."""
        where, params = where_equal(
            {
                "c.segment_id": segment_id,
                "c.code_id": code_id,
                "c.coder": coder,
                "g.session_id": session_id,
            }
        )
        sql = "SELECT c.* FROM codings c JOIN segments g ON g.id = c.segment_id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY g.session_id, g.start_ms, c.start_cp"
        return [Coding(**dict(r)) for r in self._store.rows(sql, params)]

    def update_coding(
        self, coding_id: str, *, memo: str | None = None, code_id: str | None = None
    ) -> Coding:
        """Change a coding's memo or re-assign it to another code.

        A coding is its coder's (as in NVivo, ATLAS.ti and MAXQDA): another coder's change of
        its memo or its code, the lead's included, is refused (``coding_refusal``), nothing
        changed.
        """
        row = self._store.one("SELECT * FROM codings WHERE id = ?", (coding_id,))
        if row is None:
            raise NotFoundError(f"No coding with id {coding_id!r}.")
        if memo is not None and memo != (row["memo"] or ""):
            refusal = self.memo_refusal(row["coder"])
            if refusal is not None:
                raise InvalidInputError(refusal)
        if code_id is not None and code_id != row["code_id"]:
            refusal = self.coding_refusal(row["coder"], "re-assign")
            if refusal is not None:
                raise InvalidInputError(refusal)
        fields: dict[str, Any] = {"updated_at": now_iso()}
        if memo is not None:
            fields["memo"] = memo
        if code_id is not None:
            self.get_code(code_id)
            fields["code_id"] = code_id
        with self._store.tx() as db:
            try:
                db.table("codings").update(coding_id, fields)
            except sqlite3.IntegrityError as exc:
                raise InvalidInputError("That coding already exists on the target code.") from exc
        new = self._store.one("SELECT * FROM codings WHERE id = ?", (coding_id,))
        assert new is not None
        return Coding(**dict(new))

    def memo_refusal(self, coder: str) -> str | None:
        """Why this project's coder may not write the memo of ``coder``'s coding, or None
        when they may (their own)."""
        if coder == self._store.coder:
            return None
        return (
            f"The memo of {coder}'s coding is {coder}'s: only {coder} can change it "
            "(write yours as a memo of your own). Nothing was changed."
        )

    def coding_refusal(self, coder: str, change: str) -> str | None:
        """Why this project's coder may not ``change`` ("re-assign" or "remove") a coding of
        ``coder``'s, or None when they may.

        A coding is its coder's: agreement compares what each coder coded, so bob's coding
        re-assigned by ann (or by the lead) would read as bob's choice of the other code. Only
        bob re-assigns it. Removing it is bob's, or the lead's decision (the lead's removals
        are final in every copy, ``storage/team/lead.py``; anyone's while no lead is
        recorded); the lead's own reading of the words is a coding of her own (a consensus
        coding), compared with the coders' like any other.
        """
        if coder == self._store.coder:
            return None
        if change == "remove":
            lead = self._project.team.lead
            if lead is None or lead == self._store.coder:
                return None
            return (
                f"{coder}'s coding is {coder}'s: only {coder} or the lead, {lead}, can remove "
                "it. Nothing was changed."
            )
        return (
            f"{coder}'s coding is {coder}'s: only {coder} can re-assign it (apply the code "
            f"yourself: yours is compared with {coder}'s). Nothing was changed."
        )

    def remove_coding(self, coding_id: str) -> None:
        """Remove one coding: the current coder's own, or any as the lead (``coding_refusal``).

        Raises:
            NotFoundError: no such coding.
            InvalidInputError: another coder's coding and this coder is not the lead; nothing
                is changed.
        """
        row = self._store.one("SELECT coder FROM codings WHERE id = ?", (coding_id,))
        if row is not None:
            refusal = self.coding_refusal(row["coder"], "remove")
            if refusal is not None:
                raise InvalidInputError(refusal)
        with self._store.tx() as db:
            if db.conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,)).rowcount == 0:
                raise NotFoundError(f"No coding with id {coding_id!r}.")
            self._store.tombstone("codings", coding_id)

    def autocode(self, query: str, code_path: str, *, coder: str | None = None) -> list[Coding]:
        """Code every segment matching a full-text query with the code at ``code_path``.

        Returns the codings that were added (segments already coded are not counted twice).
        """
        hits = self._project.transcript.search(query, limit=None)
        with self._store.tx():
            code = self.ensure_code_path(code_path)
            added = []
            for hit in hits:
                who = (coder or self._store.coder).strip()
                before = self._coding_where(hit.segment_id, code.id, who, None, None)
                coding = self.apply_code(hit.segment_id, code.id, coder=coder)
                if before is None:
                    added.append(coding)
        return added

    # ----------------------------------------------------------------- memos
    def add_memo(
        self, target_type: str, target_id: str | None, text: str, *, title: str | None = None
    ) -> Memo:
        """Attach a memo to the project/journal (target_id None), a session, segment, code..."""
        if target_type not in MEMO_TARGETS:
            raise InvalidInputError(
                f"Unknown memo target {target_type!r}; use one of {', '.join(MEMO_TARGETS)}."
            )
        row = {
            "id": new_id(),
            "target_type": target_type,
            "target_id": target_id,
            "title": title,
            "text": text,
            **self._store.stamp(),
        }
        with self._store.tx() as db:
            db.table("memos").insert(row)
        return Memo(**row)  # type: ignore[arg-type]

    def memos(
        self,
        target_type: str | None = None,
        target_id: str | None = None,
        *,
        author: str | None = None,
    ) -> list[Memo]:
        """Return memos, optionally of one target, optionally only those ``author`` wrote
        (blind coding: a coder sees only their own segment memos)."""
        where, params = [], []
        if target_type is not None:
            where.append("target_type = ? AND target_id IS ?")
            params += [target_type, target_id]
        if author is not None:
            where.append("created_by = ?")
            params.append(author)
        sql = "SELECT * FROM memos" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY created_at"
        return [Memo(**dict(r)) for r in self._store.rows(sql, params)]

    def segment_memo_labels(
        self, session_id: str, *, author: str | None = None
    ) -> dict[str, list[str]]:
        """The segments of a session that have memos: segment id -> each memo's title (or
        its first line), oldest first (what the transcript shows beside the segment);
        ``author``: only the memos they wrote (blind coding)."""
        labels: dict[str, list[str]] = {}
        for row in self._store.rows(
            "SELECT m.target_id, m.title, m.text FROM memos m "
            "JOIN segments s ON s.id = m.target_id "
            "WHERE m.target_type = 'segment' AND s.session_id = ? "
            "AND (? IS NULL OR m.created_by = ?) ORDER BY m.created_at",
            (session_id, author, author),
        ):
            labels.setdefault(str(row[0]), []).append(memo_label(row[1], row[2]))
        return labels

    def segment_memo_labels_of(self, segment_id: str, *, author: str | None = None) -> list[str]:
        """The labels of one segment's memos (as ``segment_memo_labels``)."""
        return [
            memo_label(m.title, m.text) for m in self.memos("segment", segment_id, author=author)
        ]

    def update_memo(self, memo_id: str, text: str, *, title: str | None = None) -> Memo:
        """Replace a memo's text (and title)."""
        fields: dict[str, Any] = {"text": text, "updated_at": now_iso()}
        if title is not None:
            fields["title"] = title
        with self._store.tx() as db:
            if not db.conn.execute("SELECT 1 FROM memos WHERE id = ?", (memo_id,)).fetchone():
                raise NotFoundError(f"No memo with id {memo_id!r}.")
            db.table("memos").update(memo_id, fields)
        row = self._store.one("SELECT * FROM memos WHERE id = ?", (memo_id,))
        assert row is not None
        return Memo(**dict(row))

    def delete_memo(self, memo_id: str) -> None:
        """Delete one memo."""
        with self._store.tx() as db:
            if db.conn.execute("DELETE FROM memos WHERE id = ?", (memo_id,)).rowcount == 0:
                raise NotFoundError(f"No memo with id {memo_id!r}.")
            self._store.tombstone("memos", memo_id)

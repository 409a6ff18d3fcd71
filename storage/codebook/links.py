"""Links: named relations between codes, sessions, passages (codings), memos and participants.

What other QDA tools call relationships (NVivo), code-code links ("is cause of",
"contradicts": ATLAS.ti) or links between segments (MAXQDA): a ``Link`` has a name, a
direction (one way, both ways or none), an optional colour and memo, and two ends. Rows of
``links`` (schema 0013, ``storage.core.schema_links``): they travel in bundles and merge by
id, go with either end, and a ``.qdpx`` export writes each as a REFI-QDA ``Link``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.ids import new_id, now_iso
from storage.core.link_rows import end_exists, twin_link
from storage.core.names import clean_name
from storage.core.schema_links import LINK_DIRECTIONS, LINK_KINDS, OLD_KEY, kept_links
from storage.core.store import Store
from storage.core.words import clock

if TYPE_CHECKING:
    from storage.project import Project

#: how the command line and the window name a direction, and REFI-QDA's word for it
DIRECTION_WORDS = {"one-way": "OneWay", "both": "Bidirectional", "none": "Associative"}
#: the arrow drawn between a link's ends, by direction (no direction read as one way)
ARROWS = {"OneWay": "→", "Bidirectional": "↔", "Associative": "—", None: "→"}
_LONGEST_NAME = 200


@dataclass(frozen=True)
class LinkEnd:
    """One end of a link: what it is (``LINK_KINDS``), its id, and words a person knows it by
    (a code's path, a session's title, a passage's session, time and words, a memo's title,
    a participant's pseudonym)."""

    kind: str
    id: str
    label: str


@dataclass(frozen=True)
class Link:
    """A named relation between two ends."""

    id: str
    origin: LinkEnd
    target: LinkEnd
    name: str
    direction: str | None
    colour: str | None
    memo: str | None
    created_by: str
    created_at: str
    updated_at: str

    @property
    def arrow(self) -> str:
        """``→``, ``↔`` or ``—`` by its direction."""
        return ARROWS.get(self.direction, "→")

    def describe(self) -> str:
        """One line: ``code 'A' → is cause of → code 'B'``."""
        return f"{self.origin.label} {self.arrow} {self.name} {self.arrow} {self.target.label}"


def direction_of(word: str) -> str:
    """REFI-QDA's direction for ``one-way``, ``both`` or ``none`` (or a REFI-QDA word).

    Raises:
        InvalidInputError: any other word.
    """
    if word in DIRECTION_WORDS:
        return DIRECTION_WORDS[word]
    if word in LINK_DIRECTIONS:
        return word
    raise InvalidInputError(
        f"Unknown link direction {word!r}; use one of {', '.join(DIRECTION_WORDS)}."
    )


def _words(text: str, width: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1].rstrip() + "…"


class Links:
    """The project's links (``project.links``)."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    # ----------------------------------------------------------------- reading
    def all(self) -> list[Link]:
        """Every link, by its origin's label, name and target's label."""
        return self._links(self._select())

    def of(self, kind: str, row_id: str) -> list[Link]:
        """The links with ``kind`` ``row_id`` at either end."""
        return self._links(
            [
                r
                for r in self._select()
                if (r["origin_kind"], r["origin_id"]) == (kind, row_id)
                or (r["target_kind"], r["target_id"]) == (kind, row_id)
            ]
        )

    def _select(self) -> list[Any]:
        """Every row of ``links``; in a project of an older schema opened read-only (not
        migrated), the links its import kept as JSON (``schema_links.kept_links``)."""
        try:
            return self._store.rows("SELECT * FROM links")
        except sqlite3.OperationalError:
            if self._store.one("SELECT 1 FROM sqlite_master WHERE name = 'links'") is not None:
                raise
            return kept_links(self._project.get_meta(OLD_KEY))

    def get(self, link_id: str) -> Link:
        """One link.

        Raises:
            NotFoundError: no link has that id (nor starts or ends with it, 4 characters or
                more).
            InvalidInputError: several links' ids start (or end) so.
        """
        return self._links([self._row(link_id)])[0]

    def _row(self, ref: str) -> sqlite3.Row:
        """The link ``ref`` names: its id, or the start or the end of its id (4 characters or
        more) when only one link's id starts (or else ends) so (ids made in one minute share
        their start; their last characters are random)."""
        row = self._store.one("SELECT * FROM links WHERE id = ?", (ref,))
        if row is not None:
            return row
        part = ref.strip().lower()
        found: list[sqlite3.Row] = []
        if len(part) >= 4:
            rows = self._store.rows("SELECT * FROM links")
            found = [r for r in rows if str(r["id"]).lower().startswith(part)]
            found = found or [r for r in rows if str(r["id"]).lower().endswith(part)]
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidInputError(
                f"{ref!r} is part of the ids of {len(found)} links; give more of the id."
            )
        raise NotFoundError(f"No link with id {ref!r}; list them with `fieldscribe links DIR`.")

    def _links(self, rows: list[Any]) -> list[Link]:
        labels: dict[tuple[str, str], str] = {}

        def end(kind: str, row_id: str) -> LinkEnd:
            if (kind, row_id) not in labels:
                labels[(kind, row_id)] = self.label(kind, row_id)
            return LinkEnd(kind, row_id, labels[(kind, row_id)])

        links = [
            Link(
                id=r["id"],
                origin=end(r["origin_kind"], r["origin_id"]),
                target=end(r["target_kind"], r["target_id"]),
                name=r["name"],
                direction=r["direction"],
                colour=r["colour"],
                memo=r["memo"],
                created_by=r["created_by"],
                created_at=r["created_at"],
                updated_at=r["updated_at"],
            )
            for r in rows
        ]
        return sorted(
            links,
            key=lambda k: (k.origin.label.casefold(), k.name.casefold(), k.target.label, k.id),
        )

    def label(self, kind: str, row_id: str) -> str:
        """Words a person knows an end by: ``code 'Parent/Child'``, ``session 'Title'``,
        ``passage in 'Title' at 1:05: "the words"``, ``memo 'Title'``, ``participant 'P1'``
        (``(gone)`` after them when the row is not in the project)."""
        one = self._store.one
        if kind == "code":
            try:
                return f"code {self._project.codebook.get_code(row_id).path!r}"
            except NotFoundError:
                return f"code {row_id} (gone)"
        if kind == "session":
            row = one("SELECT title FROM sessions WHERE id = ?", (row_id,))
            return f"session {row[0]!r}" if row else f"session {row_id} (gone)"
        if kind == "memo":
            row = one("SELECT title, text FROM memos WHERE id = ?", (row_id,))
            if row is None:
                return f"memo {row_id} (gone)"
            return f"memo {(row[0] or _words(row[1], 40))!r}"
        if kind == "participant":
            row = one("SELECT pseudonym FROM participants WHERE id = ?", (row_id,))
            return f"participant {row[0]!r}" if row else f"participant {row_id} (gone)"
        row = one(
            "SELECT s.title, g.start_ms, g.text, c.start_cp, c.end_cp FROM codings c "
            "JOIN segments g ON g.id = c.segment_id JOIN sessions s ON s.id = g.session_id "
            "WHERE c.id = ?",
            (row_id,),
        )
        if row is None:
            return f"passage {row_id} (gone)"
        text = row[2] if row[3] is None else row[2][row[3] : row[4]]
        return f'passage in {row[0]!r} at {clock(row[1])}: "{_words(text)}"'

    def exists(self, kind: str, row_id: str) -> bool:
        """Whether the end ``kind`` ``row_id`` is a row of the project."""
        with self._store.mutex:
            return end_exists(self._store.conn, kind, row_id)

    def resolve_end(self, ref: str) -> tuple[str, str]:
        """``(kind, id)`` of an end as a researcher types it: ``code:Parent/Child``,
        ``session:TITLE_OR_ID``, ``participant:PSEUDONYM_OR_ID``, ``memo:ID``, ``coding:ID``.

        Raises:
            InvalidInputError: no ``kind:`` before it, or a kind links do not join.
            NotFoundError: nothing of that kind is named so.
        """
        kind, sep, what = ref.partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in LINK_KINDS or not what.strip():
            raise InvalidInputError(
                f"Cannot read link end {ref!r}; write KIND:WHAT, KIND one of "
                f"{', '.join(LINK_KINDS)} (e.g. code:Access/Transport)."
            )
        if kind == "code":
            code = self._project.codebook.find_code(what)
            if code is None:
                raise NotFoundError(f"No code {what!r}; list them with `fieldscribe codes DIR`.")
            return kind, code.id
        if kind == "session":
            return kind, self._project.sessions.resolve(what)
        if kind == "participant":
            row = self._store.one("SELECT id FROM participants WHERE id = ?", (what,))
            rows = (
                [row]
                if row
                else self._store.rows(
                    "SELECT id FROM participants WHERE pseudonym = ?", (what.strip(),)
                )
            )
            if len(rows) != 1:
                raise NotFoundError(
                    f"No participant with id or pseudonym {what!r}."
                    if not rows
                    else f"Several participants are called {what!r}; give the id."
                )
            return kind, str(rows[0][0])
        if not self.exists(kind, what.strip()):
            raise NotFoundError(f"No {kind} with id {what.strip()!r}.")
        return kind, what.strip()

    # ----------------------------------------------------------------- writing
    def add(
        self,
        origin: tuple[str, str],
        target: tuple[str, str],
        name: str,
        *,
        direction: str = "OneWay",
        memo: str | None = None,
        colour: str | None = None,
        link_id: str | None = None,
    ) -> Link:
        """Link two ends (each ``(kind, id)``) under a name ("is cause of").

        Raises:
            InvalidInputError: no name, a link of an end to itself, the same link again (the
                same name between the same two ends, either way round), a bad direction.
            NotFoundError: an end is not in the project.
        """
        clean = clean_name(name)
        if not clean:
            raise InvalidInputError("A link needs a name (such as 'is cause of').")
        if len(clean) > _LONGEST_NAME:
            raise InvalidInputError(f"A link's name is at most {_LONGEST_NAME} characters.")
        if direction not in LINK_DIRECTIONS:
            raise InvalidInputError(f"Unknown link direction {direction!r}.")
        for kind, row_id in (origin, target):
            if kind not in LINK_KINDS:
                raise InvalidInputError(f"Links join {', '.join(LINK_KINDS)}, not {kind!r}.")
            if not self.exists(kind, row_id):
                raise NotFoundError(f"No {kind} with id {row_id!r}.")
        if origin == target:
            raise InvalidInputError(
                f"A link joins two things; {self.label(*origin)} cannot be linked to itself."
            )
        with self._store.mutex:
            twin = twin_link(self._store.conn, clean, origin, target)
        if twin is not None:
            raise InvalidInputError(
                f"{self.label(*origin)} and {self.label(*target)} are already linked as "
                f"{clean!r} (link {twin})."
            )
        new = link_id or new_id()
        with self._store.tx() as db:
            stamp = self._store.stamp()
            db.conn.execute(
                "INSERT INTO links (id, origin_kind, origin_id, target_kind, target_id, name, "
                "direction, colour, memo, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new,
                    *origin,
                    *target,
                    clean,
                    direction,
                    colour,
                    memo.strip() if memo and memo.strip() else None,
                    stamp["created_by"],
                    stamp["created_at"],
                    stamp["updated_at"],
                ),
            )
        return self.get(new)

    def remove(self, link_id: str) -> Link:
        """Remove one link (by id, or the start or end of its id); the link as it was.

        Raises:
            NotFoundError: no link has that id.
        """
        link = self.get(link_id)
        with self._store.tx() as db:
            db.conn.execute("DELETE FROM links WHERE id = ?", (link.id,))
            self._store.tombstone("links", link.id)
        return link

    def set_memo(self, link_id: str, memo: str | None) -> Link:
        """Write a link's memo (None or blank: none).

        Raises:
            NotFoundError: no link has that id.
        """
        link = self.get(link_id)
        with self._store.tx() as db:
            db.conn.execute(
                "UPDATE links SET memo = ?, updated_at = ? WHERE id = ?",
                (memo.strip() if memo and memo.strip() else None, now_iso(), link.id),
            )
        return self.get(link.id)

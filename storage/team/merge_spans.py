"""The span codings a merge wrote, moved from the bundle's text of their segment into the
text shown here (its own later edit, the other side of a text conflict, or a split made here).
Part of ``storage.team.merge_rows._Merge``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from storage.core.anchors import TextDiff, is_flagged
from storage.core.ids import now_iso
from storage.team.merge_retranscribed import Joined

if TYPE_CHECKING:
    from storage.privacy.privacy import PrivacyFilter
    from storage.privacy.text import RewrittenText
    from storage.project import Project
    from storage.team.merge_rows import _Merge

#: namespace of the ids of whole-segment codings copied to the parts of a segment split here
_SPLIT_COPY_NS = uuid.UUID("3d5e7a52-0c4b-4f8e-9b21-6a0f4c2d8e17")


class ExportViews:
    """The texts a segment of this project has in a copy made from its bundle with pseudonyms
    or redactions on (the default), each way such a bundle may be made: a coder's copy reads
    "Иностранец" for "Скайлс" and "[PLACE]" for a street. The mapping and the redactions are
    read at the first question and kept: ask them afresh after texts (and with them their
    redactions) moved."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._filters: list[PrivacyFilter] | None = None

    def _views(self) -> list[PrivacyFilter]:
        if self._filters is None:
            privacy = self._project.privacy
            self._filters = [
                privacy.privacy_filter(pseudonymise=pseudonymise, redact=redact)
                for pseudonymise, redact in ((True, True), (True, False), (False, True))
            ]
        return self._filters

    def of(self, segment_id: str) -> list[RewrittenText]:
        """The segment's exported texts that differ from its own, with their maps back."""
        segment = self._project.transcript.get_segment(segment_id)
        views = [view.rewritten(segment) for view in self._views()]
        return [rewritten for rewritten in views if rewritten.changed]

    def labels(self, label: str) -> set[str]:
        """The speaker label ``label`` as such a copy reads it ("Айгерим" -> "Сауле"), where
        it differs."""
        return {out for view in self._views() if (out := view.label(label)) and out != label}


class ArrivedSpans:
    """Anchors the span codings one merge wrote (``storage.team.merge_rows._Merge``)."""

    def __init__(self, merge: _Merge) -> None:
        self._m = merge
        # read after the segments merged: their texts, and redactions with them, have moved
        self._exported = ExportViews(merge.project)

    def anchor(self, among: frozenset[str] | None = None) -> None:
        """Move the span codings this merge wrote from the bundle's text of their segment into
        the text this project shows, where the two differ (``among``: only these codings).

        A bundle's span codings are anchored in the bundle's segment text. When the project
        shows another text (its own later edit, or the newer side of a text conflict), a span
        written at the bundle's code points would cover other words: it follows its words
        (``reanchor_spans``), or becomes a flagged whole-segment coding when they are gone.
        Only rows that now hold the bundle's version are moved (new ones and ones taken); the
        project's own rows are anchored in its text already.
        """
        rows = self._m.conn.execute(
            f"SELECT c.segment_id, c.id, r.text, l.text FROM temp.fs_touch_codings t "
            f"CROSS JOIN {self._m.b}.codings bc ON bc.rowid = t.rid "
            "CROSS JOIN main.codings c ON c.id = bc.id "
            f"CROSS JOIN {self._m.b}.segments r ON r.id = c.segment_id "
            "CROSS JOIN main.segments l ON l.id = c.segment_id "
            "WHERE bc.start_cp IS NOT NULL AND c.updated_at = bc.updated_at "
            "AND c.start_cp IS bc.start_cp AND c.end_cp IS bc.end_cp AND r.text <> l.text"
        ).fetchall()
        moving: dict[str, tuple[str, str, set[str]]] = {}
        for segment_id, coding_id, theirs, ours in rows:
            if among is not None and coding_id not in among:
                continue
            moving.setdefault(segment_id, (theirs, ours, set()))[2].add(coding_id)
        for segment_id, (theirs, ours, ids) in moving.items():
            exported = self._as_exported(segment_id, theirs)
            if exported is None:
                ids -= self._follow_split(segment_id, theirs, ours, ids)
            if ids:
                self._m.summary.lost_spans(
                    *self._m.project.transcript.reanchor_spans(
                        segment_id,
                        theirs,
                        ours,
                        only=frozenset(ids),
                        mapper=exported,
                        merged=True,
                        followed=self._m.replaced,
                    )
                )
        if among is None:
            self._whole_into_split_parts()

    def _as_exported(
        self, segment_id: str, theirs: str
    ) -> Callable[[int, int], tuple[int, int] | None] | None:
        """Where the bundle's text is this segment's as this project exports it (a coder's
        copy made from a bundle with pseudonyms or redactions): how its spans map back, a
        span on "Иностранец" onto "Скайлс", one on "[PLACE]" onto the words it hides. The
        diff took the pseudonym for words typed over the name: a span on it became a
        whole-segment coding flagged "coded words deleted", one ending on it lost it."""
        for rewritten in self._exported.of(segment_id):
            if rewritten.text == theirs:
                back: Callable[[int, int], tuple[int, int] | None] = rewritten.original_span
                return back
        return None

    def _split_parts(self, segment_id: str) -> list[tuple[int, int, str, str]]:
        """Our segments split off a bundle's segment here: (start_ms, seq, id, text) of the
        segments of its session inside the bundle's time range of it that the bundle lacks."""
        seg = self._m.conn.execute(
            f"SELECT session_id, start_ms, end_ms FROM {self._m.b}.segments WHERE id = ?",
            (segment_id,),
        ).fetchone()
        return [
            (int(r[0]), int(r[1]), str(r[2]), str(r[3]))
            for r in self._m.conn.execute(
                "SELECT start_ms, seq, id, text FROM main.segments l WHERE l.session_id = ? "
                "AND l.id <> ? AND l.start_ms >= ? AND l.end_ms <= ? "
                f"AND NOT EXISTS (SELECT 1 FROM {self._m.b}.segments r WHERE r.id = l.id)",
                (seg[0], segment_id, seg[1], seg[2]),
            ).fetchall()
        ]

    def _whole_into_split_parts(self) -> None:
        """A whole-segment coding this merge wrote on a segment split here applies to every
        part, as a split here applies it (``Transcript.split_segment``).

        Each copy's id derives from the coding's and the part's (``uuid5``), so merging the
        bundle again, or in another project, makes the same row; a copy deleted here is not
        made again, nor one whose coding the part has already.
        """
        conn = self._m.conn
        rows = conn.execute(
            f"SELECT c.id FROM temp.fs_touch_codings t "
            f"CROSS JOIN {self._m.b}.codings bc ON bc.rowid = t.rid "
            "CROSS JOIN main.codings c ON c.id = bc.id "
            f"CROSS JOIN {self._m.b}.segments r ON r.id = c.segment_id "
            "CROSS JOIN main.segments l ON l.id = c.segment_id "
            "WHERE bc.start_cp IS NULL AND c.start_cp IS NULL "
            "AND c.updated_at = bc.updated_at AND r.text <> l.text"
        ).fetchall()
        if not rows:
            return
        cols = self._m._cols("codings")
        for (coding_id,) in rows:
            row = conn.execute(
                f"SELECT {', '.join(cols)} FROM main.codings WHERE id = ?", (coding_id,)
            ).fetchone()
            coding = dict(zip(cols, tuple(row), strict=True))
            for _, _, part_id, _ in self._split_parts(coding["segment_id"]):
                copy_id = str(uuid.uuid5(_SPLIT_COPY_NS, f"{coding_id}/{part_id}"))
                if conn.execute(
                    "SELECT 1 FROM main.deletions WHERE table_name = 'codings' AND row_id = ?",
                    (copy_id,),
                ).fetchone():
                    continue
                copy = {**coding, "id": copy_id, "segment_id": part_id}
                self._m.summary.table("codings").added += self._m._add_coding(cols, copy)

    def _follow_split(self, segment_id: str, theirs: str, ours: str, ids: set[str]) -> set[str]:
        """Move arrived spans whose words this project split off into another segment; return
        the codings moved.

        A split here keeps the segment's id for the first part and gives the rest a new segment
        within the old one's time range, which the bundle does not have. A span whose words are
        gone from our text of the segment is looked up in our parts (the segment and the
        segments of its session inside the bundle's time range of it, not in the bundle),
        read as one text; a span that lies in one part moves there, with its words.
        """
        conn = self._m.conn
        parts = self._split_parts(segment_id)
        if not parts:
            return set()
        own = conn.execute(
            "SELECT start_ms, seq FROM main.segments WHERE id = ?", (segment_id,)
        ).fetchone()
        pieces = sorted([(int(own[0]), int(own[1]), segment_id, ours), *parts])
        joined = Joined([(part_id, text) for _, _, part_id, text in pieces])
        own_diff, joined_diff = TextDiff(theirs, ours), TextDiff(theirs, joined.text)
        moved: set[str] = set()
        for coding_id, code_id, coder, start, end in conn.execute(
            "SELECT id, code_id, coder, start_cp, end_cp FROM main.codings WHERE id IN "
            f"({','.join('?' * len(ids))}) ORDER BY start_cp, id",
            sorted(ids),
        ).fetchall():
            if own_diff.map_span(start, end) is not None:
                continue  # its words are still here: reanchored in place
            span = joined_diff.map_span(start, end)
            placed = None if span is None else joined.place(*span)
            if placed is None or placed[0] == segment_id:
                continue
            twin = conn.execute(
                "SELECT id FROM main.codings WHERE segment_id = ? AND code_id = ? AND coder = ? "
                "AND start_cp IS ? AND end_cp IS ?",
                (placed[0], code_id, coder, placed[1], placed[2]),
            ).fetchone()
            if twin is not None:
                self._m.drop_twin(coding_id, str(twin[0]))
                conn.execute("DELETE FROM main.codings WHERE id = ?", (coding_id,))
                self._m.project.store.tombstone("codings", coding_id)
            else:
                conn.execute(
                    "UPDATE main.codings SET segment_id = ?, start_cp = ?, end_cp = ?, "
                    "updated_at = ? WHERE id = ?",
                    (*placed, now_iso(), coding_id),
                )
            moved.add(coding_id)
        return moved


def bundle_places(
    merge: _Merge, segment_id: str, shown: str, *, leave: frozenset[str] = frozenset()
) -> dict[str, tuple[int, int]]:
    """Where the bundle's span codings of a segment stand in ``shown`` (the text this project
    shows now, taken from the bundle), for the codings that are whole-segment here (a flagged
    span whose words our text had lost) and not in ``leave`` (codings whose bundle version the
    merge writes anyway): the places ``Transcript.restore_lost_spans`` tries."""
    diffs: dict[str, TextDiff] = {}
    places: dict[str, tuple[int, int]] = {}
    for coding_id, start, end, theirs in merge.conn.execute(
        f"SELECT l.id, r.start_cp, r.end_cp, s.text FROM main.codings l "
        f"CROSS JOIN {merge.b}.codings r ON r.id = l.id "
        f"CROSS JOIN {merge.b}.segments s ON s.id = r.segment_id "
        "WHERE l.segment_id = ? AND l.start_cp IS NULL AND r.start_cp IS NOT NULL "
        "AND r.segment_id = l.segment_id",
        (segment_id,),
    ).fetchall():
        if coding_id in leave:
            continue
        diff = diffs.setdefault(theirs, TextDiff(theirs, shown))
        span = diff.map_span(start, end)
        if span is not None:
            places[str(coding_id)] = span
    return places


class SpansFlaggedThere:
    """Span codings here that a bundle brings flagged ("coded words deleted") because the
    sender's text lacks their words (its side of a text conflict the lead has not decided):
    where our text still holds the words, the span stays (``restore``), as the flag's words
    say. Taken as they came, they were flagged here, on the words the text shows. A span put
    back as it was here keeps its version: a new one reached the sender as an edit of ours,
    which it flagged again, and so on at every exchange (two versions a round, in each copy)."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._spans: dict[str, dict[str, tuple[int, int]]] = {}  # segment -> coding -> span
        #: coding -> our row before the bundle's (start, end, memo, version)
        self._were: dict[str, tuple[int, int, str | None, str]] = {}

    def note(self, coding_id: str, theirs: dict[str, object], ours: dict[str, object]) -> None:
        """Before the bundle's version ``theirs`` of a span coding replaces ``ours``."""
        if theirs.get("start_cp") is not None or not is_flagged(str(theirs.get("memo") or "")):
            return
        if theirs.get("segment_id") != ours["segment_id"]:
            return
        start, end = ours["start_cp"], ours["end_cp"]
        assert isinstance(start, int) and isinstance(end, int)
        self._spans.setdefault(str(ours["segment_id"]), {})[coding_id] = (start, end)
        memo = ours["memo"]
        self._were[coding_id] = (
            start, end, None if memo is None else str(memo), str(ours["updated_at"])
        )  # fmt: skip

    def restore(self) -> None:
        """Give the noted codings their span back where our text holds its words there."""
        spans, self._spans = self._spans, {}
        were, self._were = self._were, {}
        for segment_id, places in spans.items():
            self._project.transcript.restore_lost_spans(segment_id, places=places, were=were)

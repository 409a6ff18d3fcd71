"""Read-only queries the workbench needs: light transcript loading and coded-segment retrieval."""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from storage.core.errors import NotFoundError
from storage.core.models import SEGMENT_ORIGINS, Coding, Segment
from storage.core.store import Store, where_equal

if TYPE_CHECKING:
    from storage.project import Project

#: rows read per query by ``transcript_columns`` (the lock is let go between two chunks)
COLUMN_CHUNK = 4000


@dataclass
class RetrievedCoding:
    """One coding with its segment, session, speaker and participant, for retrieval views."""

    coding_id: str
    code_id: str
    code_path: str
    coder: str
    memo: str | None
    segment_id: str
    session_id: str
    session_title: str
    start_ms: int
    end_ms: int
    speaker: str | None
    participant: str | None
    start_cp: int | None
    end_cp: int | None
    text: str
    language: str | None = None  # the segment's language (a Whisper code), None when unknown
    untranscribed: bool = False  # the segment is speech without transcript

    @property
    def quote(self) -> str:
        """The coded words: the span, or the whole segment text."""
        if self.start_cp is None or self.end_cp is None:
            return self.text
        return self.text[self.start_cp : self.end_cp]


@dataclass
class TranscriptColumns:
    """A session's transcript as columns: one flat list or array per field, row ``i`` across them.

    Made for views of very long sessions. Strings and numbers held in flat lists and arrays are
    not tracked by Python's garbage collector, so 100,000 segments cost a handful of tracked
    objects instead of several hundred thousand: no full collection scans them, neither while
    they are read on a worker thread (a collection there holds the GIL and freezes the GUI
    thread) nor afterwards. Word timings and the row stamps are not read; ``segment(row)``
    builds a light ``Segment`` (``words == []``, empty stamps) for one row.

    Attributes:
        session_id: the session.
        ids: segment ids.
        start_ms: start times (``array('q')``).
        end_ms: end times (``array('q')``).
        speakers: speaker labels (None when unknown).
        texts: segment texts.
        origins: index into ``SEGMENT_ORIGINS`` (``array('b')``).
        confidence: Whisper's confidence (None when unknown).
        edited: 1 where the text was corrected by hand (``array('b')``).
        languages: the language of each segment (a Whisper code; None when unknown).
        untranscribed: 1 where the segment is speech without transcript (``array('b')``).
        models: the model that wrote each segment's text, "typed by hand", or None (not
            recorded; ``storage.core.model_names``).
    """

    session_id: str
    ids: list[str] = field(default_factory=list)
    start_ms: array[int] = field(default_factory=lambda: array("q"))
    end_ms: array[int] = field(default_factory=lambda: array("q"))
    speakers: list[str | None] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    origins: array[int] = field(default_factory=lambda: array("b"))
    confidence: list[float | None] = field(default_factory=list)
    edited: array[int] = field(default_factory=lambda: array("b"))
    languages: list[str | None] = field(default_factory=list)
    untranscribed: array[int] = field(default_factory=lambda: array("b"))
    models: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def segment(self, row: int) -> Segment:
        """Return row ``row`` as a light ``Segment`` (no word timings, empty stamps)."""
        return Segment(
            id=self.ids[row],
            session_id=self.session_id,
            start_ms=self.start_ms[row],
            end_ms=self.end_ms[row],
            speaker=self.speakers[row],
            text=self.texts[row],
            origin=SEGMENT_ORIGINS[self.origins[row]],
            confidence=self.confidence[row],
            words=[],
            edited=bool(self.edited[row]),
            created_by="",
            created_at="",
            updated_at="",
            language=self.languages[row],
            untranscribed=bool(self.untranscribed[row]),
            model=self.models[row],
        )

    def insert(self, row: int, segment: Segment) -> None:
        """Insert a segment's values at ``row``."""
        self.ids.insert(row, segment.id)
        self.start_ms.insert(row, segment.start_ms)
        self.end_ms.insert(row, segment.end_ms)
        self.speakers.insert(row, segment.speaker)
        self.texts.insert(row, segment.text)
        self.origins.insert(row, SEGMENT_ORIGINS.index(segment.origin))
        self.confidence.insert(row, segment.confidence)
        self.edited.insert(row, int(segment.edited))
        self.languages.insert(row, segment.language)
        self.untranscribed.insert(row, int(segment.untranscribed))
        self.models.insert(row, segment.model)

    def set(self, row: int, segment: Segment) -> None:
        """Overwrite row ``row`` with a segment's values."""
        self.ids[row] = segment.id
        self.start_ms[row] = segment.start_ms
        self.end_ms[row] = segment.end_ms
        self.speakers[row] = segment.speaker
        self.texts[row] = segment.text
        self.origins[row] = SEGMENT_ORIGINS.index(segment.origin)
        self.confidence[row] = segment.confidence
        self.edited[row] = int(segment.edited)
        self.languages[row] = segment.language
        self.untranscribed[row] = int(segment.untranscribed)
        self.models[row] = segment.model

    def delete(self, row: int) -> None:
        """Remove row ``row``."""
        for column in (
            self.ids, self.start_ms, self.end_ms, self.speakers, self.texts, self.origins,
            self.confidence, self.edited, self.languages, self.untranscribed, self.models,
        ):  # fmt: skip
            del column[row]


@dataclass
class CodingColumns:
    """Codings as columns, grouped by segment: the codings of a segment are rows
    ``first[segment_id]`` to ``last[segment_id]`` (exclusive). See ``TranscriptColumns``.
    """

    ids: list[str] = field(default_factory=list)
    segment_ids: list[str] = field(default_factory=list)
    code_ids: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    start_cp: list[int | None] = field(default_factory=list)
    end_cp: list[int | None] = field(default_factory=list)
    memos: list[str | None] = field(default_factory=list)
    created_by: list[str] = field(default_factory=list)
    created_at: list[str] = field(default_factory=list)
    updated_at: list[str] = field(default_factory=list)
    first: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_codings(cls, codings: Iterable[Coding]) -> CodingColumns:
        """Build the columns from ``Coding`` objects (any order)."""
        cols = cls()
        ordered = sorted(
            codings, key=lambda c: _sort_key((c.segment_id, c.start_cp, c.end_cp, c.id))
        )
        for i, c in enumerate(ordered):
            cols.ids.append(c.id)
            cols.segment_ids.append(c.segment_id)
            cols.code_ids.append(c.code_id)
            cols.coders.append(c.coder)
            cols.start_cp.append(c.start_cp)
            cols.end_cp.append(c.end_cp)
            cols.memos.append(c.memo)
            cols.created_by.append(c.created_by)
            cols.created_at.append(c.created_at)
            cols.updated_at.append(c.updated_at)
            cols.first.setdefault(c.segment_id, i)
            cols.last[c.segment_id] = i + 1
        return cols

    def coding(self, row: int) -> Coding:
        """Return row ``row`` as a ``Coding``."""
        return Coding(
            id=self.ids[row],
            segment_id=self.segment_ids[row],
            code_id=self.code_ids[row],
            coder=self.coders[row],
            start_cp=self.start_cp[row],
            end_cp=self.end_cp[row],
            memo=self.memos[row],
            created_by=self.created_by[row],
            created_at=self.created_at[row],
            updated_at=self.updated_at[row],
        )

    def of_segment(self, segment_id: str) -> list[Coding]:
        """Return the codings of one segment (whole-segment ones first, then by span start)."""
        first = self.first.get(segment_id)
        if first is None:
            return []
        return [self.coding(i) for i in range(first, self.last[segment_id])]


_CODING_FIELDS = (
    "id", "segment_id", "code_id", "coder", "start_cp", "end_cp", "memo", "created_by",
    "created_at", "updated_at",
)  # fmt: skip


_ORIGIN_CODE = (
    "CASE origin "
    + " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(SEGMENT_ORIGINS))
    + " ELSE 0 END"
)
_COLUMNS_SQL = (
    "SELECT count(*), json_group_array(seq), json_group_array(id), json_group_array(start_ms),"
    " json_group_array(end_ms), json_group_array(speaker), json_group_array(text),"
    " json_group_array(origin), json_group_array(confidence), json_group_array(edited),"
    " json_group_array(language), json_group_array(untranscribed), json_group_array(model)"
    f" FROM (SELECT seq, id, start_ms, end_ms, speaker, text, {_ORIGIN_CODE} AS origin,"
    " confidence, edited, language, untranscribed, model FROM segments"
    " WHERE session_id = ? AND (start_ms, seq) > (?, ?)"
    " ORDER BY start_ms, seq LIMIT ?)"
)


def _sort_key(key: tuple[str, int | None, int | None, str]) -> tuple[str, int, int, str]:
    segment_id, start, end, coding_id = key
    return (segment_id, -1 if start is None else start, -1 if end is None else end, coding_id)


def _light_segment(row: sqlite3.Row) -> Segment:
    return Segment(
        id=row["id"],
        session_id=row["session_id"],
        start_ms=row["start_ms"],
        end_ms=row["end_ms"],
        speaker=row["speaker"],
        text=row["text"],
        origin=row["origin"],
        confidence=row["confidence"],
        words=[],
        edited=bool(row["edited"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        language=row["language"],
        untranscribed=bool(row["untranscribed"]),
        model=row["model"],
    )


class Retrieval:
    """Queries for views: whole transcripts without word timings, and retrieval by code."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    def transcript_segments(self, session_id: str) -> list[Segment]:
        """Return a session's segments in time order *without* word timings (``words == []``).

        This is what a transcript view needs: it skips reading and parsing the word timings
        (most of a Whisper segment's size). Use ``get_segment`` for the words of one segment.

        Raises:
            NotFoundError: no such session.
        """
        if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None:
            raise NotFoundError(f"No session with id {session_id!r}.")
        rows = self._store.rows(
            "SELECT id, session_id, start_ms, end_ms, speaker, text, origin, confidence, edited,"
            " created_by, created_at, updated_at, language, untranscribed, model FROM segments"
            " WHERE session_id = ?"
            " ORDER BY start_ms, seq",
            (session_id,),
        )
        return [_light_segment(r) for r in rows]

    def transcript_columns(
        self, session_id: str, *, cancel: Any = None, chunk: int = COLUMN_CHUNK
    ) -> TranscriptColumns:
        """Return a session's segments in time order as columns (see ``TranscriptColumns``).

        SQLite reads ``chunk`` rows at a time and hands each field of a chunk over as one JSON
        array, so the Python side parses a few strings per chunk (no per-row tuples); the
        project's lock is let go between chunks, so writers are not held up.

        Args:
            session_id: the session.
            cancel: an optional ``threading.Event``; when set, reading stops early and what
                was read so far is returned.
            chunk: rows per query.

        Raises:
            NotFoundError: no such session.
        """
        if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None:
            raise NotFoundError(f"No session with id {session_id!r}.")
        cols = TranscriptColumns(session_id)
        last: tuple[int, int] = (-1, -1)
        while cancel is None or not cancel.is_set():
            with self._store.mutex:
                row = self._store.conn.execute(_COLUMNS_SQL, (session_id, *last, chunk)).fetchone()
            if not row[0]:
                break
            seqs: list[int] = json.loads(row[1])
            starts: list[int] = json.loads(row[3])
            pairs = list(zip(starts, seqs, strict=True))
            order: list[int] | None = None
            if any(a > b for a, b in pairwise(pairs)):  # SQLite kept the order so far
                order = sorted(range(len(pairs)), key=pairs.__getitem__)
            for column, raw in (
                (cols.ids, row[2]), (cols.start_ms, row[3]), (cols.end_ms, row[4]),
                (cols.speakers, row[5]), (cols.texts, row[6]), (cols.origins, row[7]),
                (cols.confidence, row[8]), (cols.edited, row[9]), (cols.languages, row[10]),
                (cols.untranscribed, row[11]), (cols.models, row[12]),
            ):  # fmt: skip
                values = json.loads(raw)
                column.extend(values if order is None else [values[i] for i in order])
            last = max(pairs)
            if row[0] < chunk:
                break
        return cols

    def coding_columns(self, session_id: str, *, coder: str | None = None) -> CodingColumns:
        """Return the codings of a session's segments as columns grouped by segment.

        Args:
            session_id: the session.
            coder: only this coder's codings (blind coding), or everyone's with None.
        """
        aggregates = ", ".join(f"json_group_array({f})" for f in _CODING_FIELDS)
        inner = ", ".join(f"c.{f}" for f in _CODING_FIELDS)
        where = "g.session_id = ?" + ("" if coder is None else " AND c.coder = ?")
        params = (session_id,) if coder is None else (session_id, coder)
        with self._store.mutex:
            row = self._store.conn.execute(
                f"SELECT {aggregates} FROM (SELECT {inner} FROM segments g "
                f"JOIN codings c ON c.segment_id = g.id WHERE {where} "
                "ORDER BY c.segment_id, c.start_cp, c.end_cp, c.id)",
                params,
            ).fetchone()
        cols = CodingColumns()
        names = (
            "ids", "segment_ids", "code_ids", "coders", "start_cp", "end_cp", "memos",
            "created_by", "created_at", "updated_at",
        )  # fmt: skip
        for name, raw in zip(names, row, strict=True):
            getattr(cols, name).extend(json.loads(raw))
        key = list(zip(cols.segment_ids, cols.start_cp, cols.end_cp, cols.ids, strict=True))
        if any(_sort_key(a) > _sort_key(b) for a, b in pairwise(key)):
            order = sorted(range(len(key)), key=lambda i: _sort_key(key[i]))
            for name in names:  # SQLite kept the order so far; this is a safety net
                column = getattr(cols, name)
                column[:] = [column[i] for i in order]
        segment_ids = cols.segment_ids
        for i, segment_id in enumerate(segment_ids):
            if segment_id not in cols.first:
                cols.first[segment_id] = i
            cols.last[segment_id] = i + 1
        return cols

    def codings_of_segments(self, segment_ids: Iterable[str]) -> list[Coding]:
        """Return the codings of the given segments."""
        ids = list(segment_ids)
        result: list[Coding] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._store.rows(f"SELECT * FROM codings WHERE segment_id IN ({marks})", chunk)
            result.extend(Coding(**dict(r)) for r in rows)
        return result

    def retrieve(
        self,
        code_ids: Iterable[str],
        *,
        include_subcodes: bool = True,
        speaker: str | None = None,
        coder: str | None = None,
        attribute: tuple[str, str] | None = None,
        session_id: str | None = None,
        language: str | None = None,
    ) -> list[RetrievedCoding]:
        """Return every coding of the given codes (and sub-codes) across sessions.

        Args:
            code_ids: the codes to retrieve.
            include_subcodes: also return codings of their sub-codes.
            speaker: only segments with this speaker label.
            coder: only codings by this coder.
            attribute: only segments whose speaker is mapped to a participant with this
                (attribute, value).
            session_id: only this session.
            language: only segments in this language (a Whisper code; "" for segments whose
                language is unknown).

        Returns:
            Codings in session and time order.
        """
        ids = list(dict.fromkeys(code_ids))
        if include_subcodes:
            for code_id in list(ids):
                ids.extend(self._project.codebook.descendants(code_id))
            ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        paths = {c.id: c.path for c in self._project.codebook.codes()}
        where, params = where_equal(
            {"g.speaker": speaker, "c.coder": coder, "g.session_id": session_id}
        )
        where.insert(0, f"c.code_id IN ({','.join('?' * len(ids))})")
        params[:0] = ids
        if language is not None:
            if language:
                where.append("g.language = ?")
                params.append(language.strip().lower())
            else:
                where.append("g.language IS NULL")
        if attribute is not None:
            where.append("json_extract(p.attributes, ?) = ?")
            params.extend([f'$."{attribute[0]}"', attribute[1]])
        rows = self._store.rows(
            f"""
            SELECT c.id AS coding_id, c.code_id, c.coder, c.memo, c.start_cp, c.end_cp,
                   g.id AS segment_id, g.session_id, s.title, g.start_ms, g.end_ms, g.speaker,
                   g.text, g.language, g.untranscribed, p.pseudonym
            FROM codings c
            JOIN segments g ON g.id = c.segment_id
            JOIN sessions s ON s.id = g.session_id
            LEFT JOIN session_speakers ss ON ss.session_id = g.session_id AND ss.label = g.speaker
            LEFT JOIN participants p ON p.id = ss.participant_id
            WHERE {" AND ".join(where)}
            ORDER BY coalesce(s.date, s.created_at), s.created_at, g.start_ms, g.seq, c.start_cp
            """,
            params,
        )
        return [
            RetrievedCoding(
                coding_id=r["coding_id"],
                code_id=r["code_id"],
                code_path=paths.get(r["code_id"], ""),
                coder=r["coder"],
                memo=r["memo"],
                segment_id=r["segment_id"],
                session_id=r["session_id"],
                session_title=r["title"],
                start_ms=r["start_ms"],
                end_ms=r["end_ms"],
                speaker=r["speaker"],
                participant=r["pseudonym"],
                start_cp=r["start_cp"],
                end_cp=r["end_cp"],
                text=r["text"],
                language=r["language"],
                untranscribed=bool(r["untranscribed"]),
            )
            for r in rows
        ]

    def languages_present(self, session_id: str | None = None) -> list[str]:
        """Return the languages segments are in (Whisper codes, most segments first), for
        language filters; segments of unknown language are not counted."""
        where, params = ("WHERE session_id = ? AND", (session_id,)) if session_id else ("WHERE", ())
        rows = self._store.rows(
            f"SELECT language, count(*) AS n FROM segments {where} language IS NOT NULL "
            "GROUP BY language ORDER BY n DESC, language",
            params,
        )
        return [str(r[0]) for r in rows]

    def attribute_values(self) -> dict[str, list[str]]:
        """Return every participant attribute name with its distinct values."""
        result: dict[str, set[str]] = {}
        for row in self._store.rows(
            "SELECT j.key, j.value FROM participants p, json_each(p.attributes) j"
        ):
            result.setdefault(str(row[0]), set()).add(str(row[1]))
        return {k: sorted(v) for k, v in sorted(result.items())}

"""Read-only queries the workbench needs: light transcript loading and coded-segment retrieval."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._base import ProjectBase
from .errors import NotFoundError
from .models import Coding, Segment


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

    @property
    def quote(self) -> str:
        """The coded words: the span, or the whole segment text."""
        if self.start_cp is None or self.end_cp is None:
            return self.text
        return self.text[self.start_cp : self.end_cp]


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
    )


class RetrievalMixin(ProjectBase):
    """Queries for views: whole transcripts without word timings, and retrieval by code."""

    def transcript_segments(self, session_id: str) -> list[Segment]:
        """Return a session's segments in time order *without* word timings (``words == []``).

        This is what a transcript view needs: it skips reading and parsing the word timings
        (most of a Whisper segment's size). Use ``get_segment`` for the words of one segment.

        Raises:
            NotFoundError: no such session.
        """
        if self._one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None:
            raise NotFoundError(f"No session with id {session_id!r}.")
        rows = self._rows(
            "SELECT id, session_id, start_ms, end_ms, speaker, text, origin, confidence, edited,"
            " created_by, created_at, updated_at FROM segments WHERE session_id = ?"
            " ORDER BY start_ms, seq",
            (session_id,),
        )
        return [_light_segment(r) for r in rows]

    def codings_of_segments(self, segment_ids: Iterable[str]) -> list[Coding]:
        """Return the codings of the given segments."""
        ids = list(segment_ids)
        result: list[Coding] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._rows(f"SELECT * FROM codings WHERE segment_id IN ({marks})", chunk)
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

        Returns:
            Codings in session and time order.
        """
        ids = list(dict.fromkeys(code_ids))
        if include_subcodes:
            for code_id in list(ids):
                ids.extend(self._descendant_ids(code_id))
            ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        paths = {c.id: c.path for c in self.codes()}  # type: ignore[attr-defined]
        where = [f"c.code_id IN ({','.join('?' * len(ids))})"]
        params: list[Any] = list(ids)
        if speaker is not None:
            where.append("g.speaker = ?")
            params.append(speaker)
        if coder is not None:
            where.append("c.coder = ?")
            params.append(coder)
        if session_id is not None:
            where.append("g.session_id = ?")
            params.append(session_id)
        if attribute is not None:
            where.append("json_extract(p.attributes, ?) = ?")
            params.extend([f'$."{attribute[0]}"', attribute[1]])
        rows = self._rows(
            f"""
            SELECT c.id AS coding_id, c.code_id, c.coder, c.memo, c.start_cp, c.end_cp,
                   g.id AS segment_id, g.session_id, s.title, g.start_ms, g.end_ms, g.speaker,
                   g.text, p.pseudonym
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
            )
            for r in rows
        ]

    def _descendant_ids(self, code_id: str) -> list[str]:
        rows = self._rows(
            "WITH RECURSIVE d(id) AS (SELECT id FROM codes WHERE parent_id = ? "
            "UNION SELECT c.id FROM codes c JOIN d ON c.parent_id = d.id) SELECT id FROM d",
            (code_id,),
        )
        return [str(r[0]) for r in rows]

    def attribute_values(self) -> dict[str, list[str]]:
        """Return every participant attribute name with its distinct values."""
        result: dict[str, set[str]] = {}
        for row in self._rows(
            "SELECT j.key, j.value FROM participants p, json_each(p.attributes) j"
        ):
            result.setdefault(str(row[0]), set()).add(str(row[1]))
        return {k: sorted(v) for k, v in sorted(result.items())}

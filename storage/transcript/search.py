"""Full-text search over the transcript segments (FTS5): every letter without case, ё as е,
word forms on request, the hits marked."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.languages import check_language_code
from storage.core.models import SearchHit
from storage.core.schema_search import fold_search
from storage.core.store import Store

_MARK_OPEN, _MARK_CLOSE = "[", "]"
#: What FTS5's highlight() puts around a hit: private-use code points, never in a transcript,
#: turned into ``_MARK_OPEN``/``_MARK_CLOSE`` over the original text (see ``_marked``).
_HL_OPEN, _HL_CLOSE = "\ue000", "\ue001"
_T = TypeVar("_T")


class TranscriptSearch:
    """Searches of a project's segments (``Transcript.search``, ``Transcript.search_ids``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def search(
        self,
        query: str,
        *,
        limit: int | None = 100,
        session_id: str | None = None,
        language: str | None = None,
        forms: bool = False,
    ) -> list[SearchHit]:
        """Full-text search (FTS5 syntax: words, "phrases", OR, NOT, prefix*), best first.

        Case is ignored for every letter (Cyrillic and Kazakh included) and ё is е; other
        letters stay distinct (й is not и, ә is not а). With ``forms``, each bare word is
        searched as its stem and ``*``, so "коррупция" also finds "коррупции", "коррупцию"
        (``storage.transcript.forms``). Invalid FTS5 syntax falls back to searching the query's
        words. ``marked`` holds the text with matching words in square brackets. ``language``
        keeps only segments in that language (a Whisper code, checked; "" keeps those whose
        language is unknown).

        Raises:
            InvalidInputError: the query has no searchable word.
            NotFoundError: ``session_id`` names no session.
        """
        return self._matching(
            query, session_id, language, forms, lambda q, g: self._ranked(q, limit, session_id, g)
        )

    def search_ids(
        self,
        query: str,
        *,
        session_id: str | None = None,
        language: str | None = None,
        forms: bool = False,
    ) -> list[str]:
        """The ids of every segment ``search`` finds (it lists the best ``limit`` of them), in
        the order of the transcripts: how many a query finds, and what "code every hit" codes.

        Raises:
            InvalidInputError: the query has no searchable word.
            NotFoundError: ``session_id`` names no session.
        """

        def ids(fts: str, lang: str | None) -> list[str]:
            where, params = _filters(session_id, lang)
            rows = self._store.rows(
                "SELECT g.id FROM segments_fts JOIN segments g"
                f" ON g.seq = segments_fts.rowid WHERE segments_fts MATCH ?{where}"
                " ORDER BY g.session_id, g.start_ms",
                [fts, *params],
            )
            return [str(r["id"]) for r in rows]

        return self._matching(query, session_id, language, forms, ids)

    def _matching(
        self,
        query: str,
        session_id: str | None,
        language: str | None,
        forms: bool,
        run: Callable[[str, str | None], _T],
    ) -> _T:
        """``run(fts_query, language)`` for a user's query (checked, folded; its words quoted
        when it is not valid FTS5 syntax)."""
        if not query.strip():
            raise InvalidInputError("The search query is empty.")
        if (
            session_id is not None
            and self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None
        ):
            raise NotFoundError(f"No session with id {session_id!r}; list them with `sessions`.")
        if language:
            language = check_language_code(language)
        folded = fold_search(query)
        if forms:
            from storage.transcript.forms import forms_query

            folded = forms_query(folded)
        try:
            return run(folded, language)
        except sqlite3.OperationalError:
            quoted = _quote_terms(folded)
            if not quoted:
                raise InvalidInputError(f"Nothing to search for in {query!r}.") from None
            try:
                return run(quoted, language)
            except sqlite3.OperationalError as exc:
                raise InvalidInputError(f"Invalid search query {query!r}: {exc}.") from None

    def _ranked(
        self, query: str, limit: int | None, session_id: str | None, language: str | None
    ) -> list[SearchHit]:
        # Step 1: rank and mark on the FTS index alone; SQLite keeps only the best ``limit``.
        mark = f"highlight(segments_fts, 0, '{_HL_OPEN}', '{_HL_CLOSE}')"
        if session_id is None and language is None:
            sql = (
                f"SELECT rowid, rank, {mark} FROM segments_fts "
                "WHERE segments_fts MATCH ? ORDER BY rank"
            )
            params: list[Any] = [query]
        else:
            where, params = _filters(session_id, language)
            params.insert(0, query)
            sql = (
                f"SELECT segments_fts.rowid, rank, {mark} FROM segments_fts "
                "JOIN segments g ON g.seq = segments_fts.rowid "
                f"WHERE segments_fts MATCH ?{where} ORDER BY rank"
            )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        ranked = {r[0]: (float(r[1]), str(r[2])) for r in self._store.rows(sql, params)}
        if not ranked:
            return []
        # Step 2: the segments and session titles of those rows only.
        marks = ",".join("?" * len(ranked))
        rows = self._store.rows(
            "SELECT g.seq, g.id, g.session_id, s.title, g.start_ms, g.end_ms, g.speaker, g.text,"
            " g.language, g.untranscribed FROM segments g JOIN sessions s ON s.id = g.session_id"
            f" WHERE g.seq IN ({marks})",
            list(ranked),
        )
        hits = [
            SearchHit(
                segment_id=r["id"],
                session_id=r["session_id"],
                session_title=r["title"],
                start_ms=r["start_ms"],
                end_ms=r["end_ms"],
                speaker=r["speaker"],
                text=r["text"],
                marked=_marked(r["text"], ranked[r["seq"]][1]),
                rank=ranked[r["seq"]][0],
                language=r["language"],
                untranscribed=bool(r["untranscribed"]),
            )
            for r in rows
        ]
        return sorted(hits, key=lambda h: h.rank)


def _quote_terms(query: str) -> str:
    """Turn free text into an FTS5 query of quoted terms (used when the syntax is invalid)."""
    terms = re.findall(r"\w[\w'-]*", query)
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _filters(session_id: str | None, language: str | None) -> tuple[str, list[Any]]:
    """The search's conditions on the segment ``g`` (its session, its language; "": none
    known) and their parameters."""
    where, params = "", []
    if session_id is not None:
        where += " AND g.session_id = ?"
        params.append(session_id)
    if language:
        where += " AND g.language = ?"
        params.append(language)
    elif language is not None:
        where += " AND g.language IS NULL"
    return where, params


def _marked(text: str, highlighted: str) -> str:
    """``text`` with the hits that ``highlighted`` (the indexed, folded text) marks in brackets.

    The index holds the text with ё as е, one code point for one, so the marks are carried
    over to the original letters.
    """
    out: list[str] = []
    i = 0
    for ch in highlighted:
        if ch == _HL_OPEN:
            out.append(_MARK_OPEN)
        elif ch == _HL_CLOSE:
            out.append(_MARK_CLOSE)
        else:
            out.append(text[i] if i < len(text) else ch)
            i += 1
    return "".join(out)

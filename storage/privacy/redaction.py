"""Redactions: spans hidden from exports, and destroying the original for good."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storage.core.destroy_pending import Swap, record
from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.ids import new_id, now_iso
from storage.core.models import Segment, Word
from storage.core.store import Store
from storage.privacy.audio import REDACT_MODES, merge_spans, redact_audio, writable_suffix
from storage.privacy.audio_swap import finish, silenced_name
from storage.privacy.models import Redaction
from storage.privacy.scrub import destroyed_fixer, scrub_conflicts
from storage.privacy.text import (
    Replacement,
    RewrittenText,
    audio_span,
    rewrite,
    rewrite_typed,
    rewrite_words,
)

if TYPE_CHECKING:
    from storage.project import Project
    from storage.transcript.unsaved import UnsavedText

_CATEGORY = re.compile(r"^[^\W_][\w -]{0,29}$")  # any alphabet: ОРЫН, МЕСТО, PLACE
DEFAULT_CATEGORY = "REDACTED"


def words_json(words: Sequence[Word]) -> str | None:
    """Word timings as stored in ``segments.words``."""
    if not words:
        return None
    return json.dumps(
        [[w.start_ms, w.end_ms, w.text, w.probability] for w in words], ensure_ascii=False
    )


def remap_spans(
    conn: sqlite3.Connection, table: str, segment_id: str, rewritten: RewrittenText
) -> None:
    """Move the code-point spans of ``table`` rows (codings, redactions) after a rewrite."""
    if not rewritten.changed:
        return
    start_col, end_col = "start_cp", "end_cp"
    for row in conn.execute(
        f"SELECT id, {start_col}, {end_col} FROM {table} WHERE segment_id = ? "
        f"AND {start_col} IS NOT NULL",
        (segment_id,),
    ).fetchall():
        start, end = rewritten.map_span(row[1], row[2])
        if (start, end) != (row[1], row[2]):
            conn.execute(
                f"UPDATE {table} SET {start_col} = ?, {end_col} = ?, updated_at = ? WHERE id = ?",
                (start, end, now_iso(), row[0]),
            )


def check_category(category: str | None) -> str:
    """Normalise a redaction category (``PLACE``, ``NAME``...); None gives ``REDACTED``."""
    value = (category or DEFAULT_CATEGORY).strip().upper()
    if not _CATEGORY.match(value):
        raise InvalidInputError(
            f"Invalid redaction category {category!r}; use up to 30 letters, digits, spaces, "
            "- or _ (e.g. PLACE)."
        )
    return value


def _redaction(row: sqlite3.Row) -> Redaction:
    return Redaction(
        id=row["id"],
        segment_id=row["segment_id"],
        start_cp=row["start_cp"],
        end_cp=row["end_cp"],
        category=row["category"],
        destroyed=bool(row["destroyed"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@dataclass
class DestroyReport:
    """What destroying originals changed."""

    redactions: int
    segments: int
    media: list[str] = field(default_factory=list)
    silenced_ms: int = 0
    #: files of typing kept unsaved (``DIR/drafts``) rewritten (or removed: unreadable)
    unsaved_texts: int = 0


class Redactions:
    """Marking spans as redacted, listing them, and destroying the originals."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    def _check_span(self, segment_id: str, start_cp: int, end_cp: int) -> None:
        """Refuse a missing segment, or a span that is empty or outside its text."""
        row = self._store.one("SELECT text FROM segments WHERE id = ?", (segment_id,))
        if row is None:
            raise NotFoundError(f"No segment with id {segment_id!r}.")
        length = len(row["text"])
        if not 0 <= start_cp < end_cp <= length:
            raise InvalidInputError(
                f"Invalid span {start_cp}:{end_cp}; the segment text has {length} code points "
                "(use START:END with 0 <= START < END <= length)."
            )

    def redact(
        self, segment_id: str, start_cp: int, end_cp: int, category: str | None = None
    ) -> Redaction:
        """Hide ``text[start_cp:end_cp]`` of a segment from every export (logged).

        The original text stays in the project until ``destroy_redactions``.

        Raises:
            NotFoundError: no such segment.
            InvalidInputError: the span is empty or outside the text, a bad category, or words
                a redaction already hides (all of them).
        """
        self._check_span(segment_id, start_cp, end_cp)
        category = check_category(category)
        covering = self._store.one(
            "SELECT r.start_cp, r.end_cp, r.category, g.text FROM redactions r JOIN segments g"
            " ON g.id = r.segment_id WHERE r.segment_id = ? AND r.destroyed = 0"
            " AND r.start_cp <= ? AND r.end_cp >= ? ORDER BY r.start_cp LIMIT 1",
            (segment_id, start_cp, end_cp),
        )
        if covering is not None:
            # a second row for the same words: the Redactions tab listed both, and removing
            # one left the words hidden by the other
            words = covering["text"][covering["start_cp"] : covering["end_cp"]]
            raise InvalidInputError(
                f"“{words[:60]}” is already redacted (exports show [{covering['category']}]); "
                "nothing was changed."
            )
        redaction_id = new_id()
        with self._store.tx() as db:
            db.table("redactions").insert(
                {
                    "id": redaction_id,
                    "segment_id": segment_id,
                    "start_cp": start_cp,
                    "end_cp": end_cp,
                    "category": category,
                    "destroyed": 0,
                    **self._store.stamp(),
                }
            )
            self._project.audit.log_event(
                "redact",
                "segment",
                segment_id,
                {"redaction_id": redaction_id, "span": [start_cp, end_cp], "category": category},
            )
        return self.get_redaction(redaction_id)

    def get_redaction(self, redaction_id: str) -> Redaction:
        """Return one redaction or raise ``NotFoundError``."""
        row = self._store.one("SELECT * FROM redactions WHERE id = ?", (redaction_id,))
        if row is None:
            raise NotFoundError(f"No redaction with id {redaction_id!r}; list them with --list.")
        return _redaction(row)

    def all(
        self,
        *,
        segment_id: str | None = None,
        session_id: str | None = None,
        include_destroyed: bool = True,
    ) -> list[Redaction]:
        """Return redactions, filtered by segment or session, in text order."""
        sql = "SELECT r.* FROM redactions r JOIN segments g ON g.id = r.segment_id WHERE 1"
        params: list[str] = []
        if segment_id:
            sql += " AND r.segment_id = ?"
            params.append(segment_id)
        if session_id:
            sql += " AND g.session_id = ?"
            params.append(session_id)
        if not include_destroyed:
            sql += " AND r.destroyed = 0"
        rows = self._store.rows(
            sql + " ORDER BY g.session_id, g.start_ms, g.seq, r.start_cp", params
        )
        return [_redaction(r) for r in rows]

    def remove_redaction(self, redaction_id: str) -> None:
        """Un-redact a span (only while its original still exists; logged).

        Raises:
            InvalidInputError: the original was destroyed.
        """
        redaction = self.get_redaction(redaction_id)
        if redaction.destroyed:
            raise InvalidInputError(
                f"Redaction {redaction_id} was destroyed; the original text no longer exists."
            )
        with self._store.tx() as db:
            db.conn.execute("DELETE FROM redactions WHERE id = ?", (redaction_id,))
            self._store.tombstone("redactions", redaction_id)
            self._project.audit.log_event(
                "unredact", "segment", redaction.segment_id, {"redaction_id": redaction_id}
            )

    def redaction_audio_span(
        self, segment: Segment, redaction: Redaction, *, pad_ms: int = 120
    ) -> tuple[int, int]:
        """The time span (ms) where a redacted span is spoken (word timings, else interpolated)."""
        return audio_span(
            segment.text,
            segment.start_ms,
            segment.end_ms,
            segment.words,
            redaction.start_cp,
            redaction.end_cp,
            pad_ms=pad_ms,
        )

    # ----------------------------------------------------------------- destroy
    def destroy_redactions(
        self,
        ids: Iterable[str] | None = None,
        *,
        session_id: str | None = None,
        mode: str = "silence",
    ) -> DestroyReport:
        """Remove the originals of redactions for good (logged).

        The segment text gets the placeholder (``[PLACE]``) in place of the span, in the table
        and the search index (rebuilt); word timings over the span are scrubbed; the session's
        audio in ``media/`` is rewritten with the span silenced (or beeped), its sha256 updated,
        and old copies removed; freed database pages are overwritten and the WAL truncated.
        Typing kept unsaved over those segments (``DIR/drafts``) is rewritten too, before the
        transaction commits (``_destroy_in_typing``).

        Args:
            ids: redaction ids; None: every redaction not yet destroyed (of ``session_id``).
            session_id: with ``ids`` None, limit to one session.
            mode: ``silence`` or ``beep`` for the audio.

        Raises:
            NotFoundError: an unknown redaction id (nothing changed).
            AudioError: the audio could not be rewritten (nothing changed).
            InUseError: another program holds project.db open (before: nothing changed; after:
                the text is gone from the tables, old pages stay until it closes).
        """
        if mode not in REDACT_MODES:
            raise InvalidInputError(f"Unknown redaction mode {mode!r}; use silence or beep.")
        if ids is None:
            targets = [r for r in self.all(session_id=session_id) if not r.destroyed]
        else:
            targets = [self.get_redaction(i) for i in dict.fromkeys(ids)]
            targets = [r for r in targets if not r.destroyed]
        return self._destroy(targets, session_id=session_id, mode=mode)

    def destroy_span(
        self,
        segment_id: str,
        start_cp: int,
        end_cp: int,
        category: str | None = None,
        *,
        mode: str = "silence",
    ) -> tuple[Redaction, DestroyReport]:
        """Redact a span and destroy its original at once: one transaction (logged).

        If anything fails (the span, the audio, the database), nothing changes: no redaction,
        no tombstone, no audit entry.

        Raises:
            NotFoundError, InvalidInputError: see ``redact``.
            AudioError: the audio could not be rewritten.
        """
        if mode not in REDACT_MODES:
            raise InvalidInputError(f"Unknown redaction mode {mode!r}; use silence or beep.")
        self._check_span(segment_id, start_cp, end_cp)
        stamp = self._store.stamp()
        redaction = Redaction(
            id=new_id(),
            segment_id=segment_id,
            start_cp=start_cp,
            end_cp=end_cp,
            category=check_category(category),
            destroyed=False,
            created_by=stamp["created_by"],
            created_at=stamp["created_at"],
            updated_at=stamp["updated_at"],
        )
        report = self._destroy([redaction], session_id=None, mode=mode, new=True)
        return self.get_redaction(redaction.id), report

    def _destroy(
        self,
        targets: list[Redaction],
        *,
        session_id: str | None,
        mode: str,
        new: bool = False,
    ) -> DestroyReport:
        """Destroy the originals of ``targets`` (``new``: rows to insert first, same tx)."""
        from storage.core.segment_rows import segment_from_row

        self._store.refuse_if_read_elsewhere("destroying the originals")
        by_segment: dict[str, list[Redaction]] = {}
        for r in targets:
            by_segment.setdefault(r.segment_id, []).append(r)
        segments = {
            sid: segment_from_row(self._store.one("SELECT * FROM segments WHERE id = ?", (sid,)))  # type: ignore[arg-type]
            for sid in by_segment
        }
        # Audio first, into temporary files: if it fails nothing has changed.
        drops: dict[str, list[tuple[int, int]]] = {}
        per_session: dict[str, list[tuple[int, int]]] = {}
        for sid, reds in by_segment.items():
            seg = segments[sid]
            spans = [self.redaction_audio_span(seg, r) for r in reds]
            # Timed words are scrubbed over the unpadded span (neighbours keep their text).
            drops[sid] = [self.redaction_audio_span(seg, r, pad_ms=0) for r in reds]
            per_session.setdefault(seg.session_id, []).extend(spans)
        staged: list[tuple[sqlite3.Row, Path, Path]] = []  # media row, temp file, final path
        try:
            for session, spans in per_session.items():
                for media in self._store.rows(
                    "SELECT * FROM media WHERE session_id = ?", (session,)
                ):
                    src = self._store.folder / media["path"]
                    if not src.is_file():
                        continue
                    final = src.with_suffix(writable_suffix(src.suffix))
                    tmp = silenced_name(final)
                    redact_audio(src, tmp, spans, mode)
                    staged.append((media, tmp, final))
            silenced = sum(
                e - s for s, e in merge_spans(x for v in per_session.values() for x in v)
            )
            self._store.secure_delete_on()
            originals = {
                sid: [(segments[sid].text[r.start_cp : r.end_cp], f"[{r.category}]") for r in reds]
                for sid, reds in by_segment.items()
            }
            with self._store.tx() as db:
                for r in targets if new else ():
                    db.table("redactions").insert(
                        {
                            "id": r.id,
                            "segment_id": r.segment_id,
                            "start_cp": r.start_cp,
                            "end_cp": r.end_cp,
                            "category": r.category,
                            "destroyed": 0,
                            "created_by": r.created_by,
                            "created_at": r.created_at,
                            "updated_at": r.updated_at,
                        }
                    )
                    self._project.audit.log_event(
                        "redact",
                        "segment",
                        r.segment_id,
                        {
                            "redaction_id": r.id,
                            "span": [r.start_cp, r.end_cp],
                            "category": r.category,
                        },
                    )
                rewritten: dict[str, tuple[list[Replacement], str]] = {}
                for sid, reds in by_segment.items():
                    reps = [Replacement(r.start_cp, r.end_cp, f"[{r.category}]") for r in reds]
                    new_text = self.rewrite_segment(
                        sid, reps, drop_ms=drops[sid], placeholder=f"[{reds[0].category}]"
                    ).text
                    rewritten[sid] = (reps, new_text)
                    for r in reds:
                        db.conn.execute(
                            "UPDATE redactions SET destroyed = 1, updated_at = ? WHERE id = ?",
                            (now_iso(), r.id),
                        )
                if by_segment:
                    db.conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")
                # the merge conflicts' copies of these segments lose the destroyed words too
                scrub_conflicts(
                    db.conn, destroyed_fixer(originals), table="segments", row_ids=by_segment
                )
                # the rows name the silenced copies, which take the clear files' place only
                # once this commits (``audio_swap``): a kill before leaves it all as it was,
                # one after is finished by the next open for writing
                for media, tmp, final in staged:
                    self._record_media(db.conn, media, tmp, final)
                swaps = [
                    Swap(
                        staged=str(tmp.relative_to(self._store.folder)),
                        final=str(final.relative_to(self._store.folder)),
                        clear=str(media["path"]),
                    )
                    for media, tmp, final in staged
                ]
                if swaps:
                    record(db.conn, swaps)
                # and typing kept unsaved over these segments (DIR/drafts), before the commit:
                # the destroyed words never stand committed with a copy of them on disk
                drafts = self._destroy_in_typing(segments, rewritten, originals)
                self._project.audit.log_event(
                    "destroy",
                    "session" if session_id else "project",
                    session_id,
                    {
                        "redaction_ids": [r.id for r in targets],
                        "segments": sorted(by_segment),
                        "media": [m["id"] for m, _, _ in staged],
                        "mode": mode,
                        "silenced_ms": silenced,
                        **({"unsaved_texts": drafts} if drafts else {}),
                    },
                )
        except BaseException:
            for _, tmp, _ in staged:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            raise
        finish(self._store, swaps)
        self._store.bump_privacy_epoch()
        self._store.wipe_or_fail("destroying the originals")
        return DestroyReport(
            redactions=len(targets),
            segments=len(by_segment),
            media=[m["id"] for m, _, _ in staged],
            silenced_ms=silenced if targets else 0,
            unsaved_texts=drafts,
        )

    def _destroy_in_typing(
        self,
        segments: dict[str, Segment],
        rewritten: dict[str, tuple[list[Replacement], str]],
        originals: dict[str, list[tuple[str, str]]],
    ) -> int:
        """Rewrite the unsaved typing kept for the destroyed segments (``DIR/drafts``) as the
        segments were rewritten: the text it was typed over becomes the new stored text, and
        the typed text gets the placeholders where its words stand over the spans (words typed
        in their place too), then every other occurrence of a destroyed span or of a word of
        it (as in merge conflicts' copies). Returns how many kept texts changed."""
        fixer = destroyed_fixer(originals)

        def fix(kept: UnsavedText) -> tuple[str, str]:
            if kept.segment_id not in segments:  # a file named for it, holding another id
                return fixer("", "", kept.base_text), fixer("", "", kept.text)
            stored = segments[kept.segment_id].text
            reps, new_text = rewritten[kept.segment_id]
            base = new_text if kept.base_text == stored else fixer("", "", kept.base_text)
            text = fixer("", "", rewrite_typed(stored, kept.text, reps))
            return base, text

        report = self._project.unsaved_text.rewrite(fix, segment_ids=list(segments))
        return report.rewritten + report.removed

    def _record_media(
        self, conn: sqlite3.Connection, media: sqlite3.Row, tmp: Path, final: Path
    ) -> None:
        """Point ``media``'s row at ``final`` as the silenced copy ``tmp`` is (not moved yet)."""
        from storage.core.audio import (
            probe,  # domain-to-domain; no Qt
            sha256_of,
        )

        info = probe(tmp)
        conn.execute(
            "UPDATE media SET path = ?, sha256 = ?, size_bytes = ?, sample_rate = ?, "
            "channels = ?, codec = ?, updated_at = ? WHERE id = ?",
            (
                f"media/{final.name}",
                sha256_of(tmp),
                tmp.stat().st_size,
                info.sample_rate,
                info.channels,
                info.codec,
                now_iso(),
                media["id"],
            ),
        )

    def rewrite_segment(
        self,
        segment_id: str,
        reps: Sequence[Replacement],
        *,
        drop_ms: Sequence[tuple[int, int]] = (),
        placeholder: str | None = None,
    ) -> RewrittenText:
        """Rewrite one segment's text, words, FTS entry, span codings and redactions.

        The segment is marked ``edited``: its text is no longer what Whisper wrote but what a
        person decided (names replaced by pseudonyms, originals destroyed), and a new
        transcription of the session must keep it (``Transcription.protected_segments``).
        """
        from storage.core.segment_rows import words_from_json

        conn = self._store.conn
        row = conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
        rewritten = rewrite(row["text"], reps)
        words = rewrite_words(
            row["text"],
            words_from_json(row["words"]),
            rewritten,
            drop_ms=drop_ms,
            placeholder=placeholder,
        )
        self._store.fts_delete(row["seq"], row["text"])
        self._store.fts_insert(row["seq"], rewritten.text)
        conn.execute(
            "UPDATE segments SET text = ?, words = ?, edited = 1, updated_at = ? WHERE id = ?",
            (rewritten.text, words_json(words), now_iso(), segment_id),
        )
        remap_spans(conn, "codings", segment_id, rewritten)
        remap_spans(conn, "redactions", segment_id, rewritten)
        return rewritten

"""Teamwork on one project: merge conflicts, blind coding, and the data agreement is computed on.

The merge itself lives in ``storage/team/merge.py`` and bundles in ``storage/team/bundle*.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from storage.core.anchors import is_flagged
from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.ids import now_iso
from storage.core.meta import put_meta
from storage.core.models import LEAD_KEY, Coding, Memo
from storage.core.names import path_key
from storage.core.schema_teamwork import TRAVELLING_TABLES
from storage.core.stale_words import stale_words_dropped
from storage.core.store import Store
from storage.team.conflicts import (
    Conflict,
    conflict_from_row,
    content_columns,
    mark_resolved,
)
from storage.team.lead import LEAD_CHANGED, LEAD_PREVIOUS, read_lead, usable_lead

if TYPE_CHECKING:
    from storage.privacy.models import ExportPrivacy
    from storage.project import Project
    from storage.team.bundle import BundleInfo
    from storage.team.merge import MergeSummary

BLIND_CODING_KEY = "blind_coding"
#: the memos blind coding hides when another coder wrote them: each is a reading of the
#: material being coded (the project's journal stays shared)
BLINDED_MEMO_TARGETS = frozenset({"session", "segment", "code", "coding"})
#: columns a conflict resolution never writes: a voice profile's embedding is fixed at
#: enrolment (and a conflict's JSON keeps it only as text)
_IMMUTABLE: dict[str, frozenset[str]] = {
    "speaker_profiles": frozenset({"embedding", "dim", "model"}),
}


def _coding_place(current: dict[str, Any], kept: dict[str, Any]) -> frozenset[str]:
    """The fields of a coding a resolution leaves as they are: its place (segment and
    characters), and its memo where only that says its words are gone ("⚑ coded words
    deleted"). A version's place counts in the text of the copy that wrote it (each copy moves
    a span along its own edits: two copies that typed words before it each moved it), so
    written onto this project's text it covered other words or part of one; the place shown
    is where the merge put it in this text, and it follows the text's own resolution."""
    fields = {"segment_id", "start_cp", "end_cp"}
    if is_flagged(current.get("memo")) != is_flagged(kept.get("memo")):
        fields.add("memo")
    return frozenset(fields)


@dataclass
class AgreementData:
    """What inter-coder agreement is computed from; plain lists, no database.

    Attributes:
        coders: the coders compared, sorted.
        segments: ``(segment_id, session_id, text_length, start_ms, end_ms)`` of every segment of
            the sessions in scope, in time order.
        codings: ``(segment_id, code_id, coder, start_cp, end_cp)`` of those coders' codings on
            those segments (span ends None for whole-segment codings).
        codes: ``code_id -> code path`` of the codes in scope.
        texts: ``segment_id -> text`` (for the disagreement view).
        speakers: ``segment_id -> speaker``.
        notes: what the reader must know, e.g. that codes sharing a path were paired by path.
    """

    coders: list[str]
    segments: list[tuple[str, str, int, int, int]]
    codings: list[tuple[str, str, str, int | None, int | None]]
    codes: dict[str, str]
    texts: dict[str, str] = field(default_factory=dict)
    speakers: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class CodeOrigin:
    """Who created a code, and when: the code itself or one merged into it."""

    code_id: str
    created_by: str
    created_at: str
    merged: bool


def _pair_by_path(
    codes: dict[str, str], created: dict[str, tuple[str, str]]
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Codes sharing a path become one: (kept codes, id -> kept id, notes).

    The kept id is the oldest code of the path (by ``created_at``, then id), as a merge keeps.
    """
    by_path: dict[str, list[str]] = {}
    for cid, path in codes.items():  # one path, whatever its case, Unicode form and spaces
        by_path.setdefault(path_key(path), []).append(cid)
    alias: dict[str, str] = {}
    notes: list[str] = []
    kept = dict(codes)
    for _, ids in sorted(by_path.items()):
        if len(ids) < 2:
            continue
        ids.sort(key=lambda c: (created.get(c, ("", ""))[0], c))
        path = codes[ids[0]]  # as the oldest spells it
        for other in ids[1:]:
            alias[other] = ids[0]
            kept.pop(other, None)
        notes.append(
            f"{len(ids)} codes share the path {path!r} (kept apart in the codebook); agreement "
            "pairs them by path, as one code"
        )
    return kept, alias, notes


class Team:
    """Conflicts from merges, blind coding and agreement data."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    # ----------------------------------------------------------------- bundles
    def export_bundle(
        self,
        out: str | Path,
        *,
        with_media: bool = False,
        since: str | None = None,
        privacy: ExportPrivacy | None = None,
        voice_profiles: bool = True,
    ) -> BundleInfo:
        """Write a bundle of this project to ``out``: ``bundle_export.export_bundle``."""
        from storage.team.bundle_export import export_bundle

        return export_bundle(
            self._project,
            out,
            with_media=with_media,
            since=since,
            privacy=privacy,
            voice_profiles=voice_profiles,
        )

    def merge(
        self,
        bundles: Iterable[str | Path],
        *,
        allow_other_project: bool = False,
        merge_same_name: bool | None = None,
    ) -> list[MergeSummary]:
        """Merge team bundles into this project (see ``storage.team.merging.merge_bundles``)."""
        from storage.team.merging import merge_bundles

        summaries: list[MergeSummary] = merge_bundles(
            self._project,
            list(bundles),
            allow_other_project=allow_other_project,
            merge_same_name=merge_same_name,
        )
        return summaries

    def code_origins(self, code_id: str) -> list[CodeOrigin]:
        """Who created a code and when, with every same-path code a merge folded into it.

        Raises:
            NotFoundError: no such code.
        """
        code = self._project.codebook.get_code(code_id)
        result = [CodeOrigin(code.id, code.created_by, code.created_at, False)]
        for version, author in self._store.rows(
            "SELECT version, author FROM row_versions WHERE table_name = 'codes' AND row_id = ? "
            "AND version LIKE 'merged:%' ORDER BY version",
            (code_id,),
        ):
            when, _, merged_id = str(version)[len("merged:") :].rpartition(":")
            result.append(CodeOrigin(merged_id, str(author or ""), when, True))
        return result

    # ----------------------------------------------------------------- conflicts
    def conflicts(self, *, status: str | None = "open") -> list[Conflict]:
        """Return merge conflicts (open ones by default; ``status=None`` for all)."""
        sql, params = "SELECT * FROM conflicts", []
        if status is not None:
            sql += " WHERE status = ?"
            params.append(status)
        sql += " ORDER BY table_name, created_at, row_id"
        result = []
        for row in self._store.rows(sql, params):
            conflict = conflict_from_row(row)
            conflict.current = self._current_values(conflict.table_name, conflict.row_id)
            result.append(conflict)
        return result

    def get_conflict(self, conflict_id: str) -> Conflict:
        """Return one conflict or raise ``NotFoundError``."""
        row = self._store.one("SELECT * FROM conflicts WHERE id = ?", (conflict_id,))
        if row is None:
            raise NotFoundError(f"No conflict with id {conflict_id!r}.")
        conflict = conflict_from_row(row)
        conflict.current = self._current_values(conflict.table_name, conflict.row_id)
        return conflict

    def _current_values(self, table: str, row_id: str) -> dict[str, Any] | None:
        if table not in TRAVELLING_TABLES:
            return None
        row = self._store.one(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
        if row is None:
            return None
        cols = content_columns(self._store.conn, table)
        return {c: row[c] for c in cols}

    def resolve_conflict(
        self,
        conflict_id: str,
        *,
        keep: int | None = None,
        values: dict[str, Any] | None = None,
    ) -> Conflict:
        """Resolve a conflict by keeping one version (by index) or by writing edited values.

        For an edit conflict the chosen (or edited) values become a new version of the row; every
        competing version is remembered, so merging the same bundles again does not reopen it.
        For a deletion conflict, keeping the deletion deletes the row (and, for a code or a
        segment, its codings); keeping the row removes the tombstone.

        Args:
            conflict_id: the conflict.
            keep: index into ``conflict.versions`` of the version to keep.
            values: edited field values (edit conflicts only), e.g. ``{"text": "..."}``.

        Raises:
            NotFoundError: unknown conflict.
            InvalidInputError: neither or both of ``keep``/``values``, a bad index, unknown fields,
                the conflict is already resolved, or this is a coder's copy (a lead is
                recorded and someone else writes): only the lead resolves conflicts.
        """
        self._check_may_resolve()
        conflict = self.get_conflict(conflict_id)
        if conflict.status != "open":
            raise InvalidInputError(f"Conflict {conflict_id} is already resolved.")
        if (keep is None) == (values is None):
            raise InvalidInputError("Resolve a conflict by keeping one version or by editing it.")
        if keep is not None and not 0 <= keep < len(conflict.versions):
            raise InvalidInputError(
                f"No version {keep}; the conflict has {len(conflict.versions)} versions."
            )
        chosen = conflict.versions[keep] if keep is not None else None
        table, row_id = conflict.table_name, conflict.row_id
        with self._store.tx() as db:
            conn = db.conn
            if chosen is not None and chosen.deleted:
                gone_before = self._open_conflicts_on_gone_rows()
                self._delete_for_resolution(table, row_id)
                resolution = f"kept the deletion by {chosen.author}"
                # the conflicts of rows it took with it (a code's sub-codes, a session's
                # segments): left open, they named rows that are gone, and one about an edit
                # could not be resolved at all (its row cannot be kept)
                self._mark_resolved(
                    self._open_conflicts_on_gone_rows() - gone_before - {conflict_id},
                    f"went with the deletion of {table} {row_id} by {chosen.author}",
                )
            else:
                if conflict.current is None:
                    raise InvalidInputError(
                        f"{table} {row_id} no longer exists; the conflict cannot keep it."
                    )
                new_values = dict(chosen.values) if chosen is not None else dict(values or {})
                cols = set(content_columns(conn, table))
                unknown = set(new_values) - cols
                if unknown:
                    raise InvalidInputError(
                        f"Unknown {'field' if len(unknown) == 1 else 'fields'}: "
                        f"{', '.join(sorted(unknown))}."
                    )
                fixed = _IMMUTABLE.get(table, frozenset())
                if table == "codings":
                    fixed = fixed | _coding_place(conflict.current, new_values)
                changed = {
                    k: v
                    for k, v in new_values.items()
                    if k not in fixed and conflict.current.get(k) != v
                }
                self._write_resolution(table, row_id, changed)
                conn.execute(
                    "DELETE FROM deletions WHERE table_name = ? AND row_id = ?", (table, row_id)
                )
                if conflict.kind == "delete":
                    # only a kept deletion keeps the codings: an edit conflict's codings were
                    # never deleted, and marking them kept (dated now) made a coder's removal
                    # of one, made before and sent after, delete nothing here
                    self._keep_codings(table, row_id)
                resolution = (
                    f"kept the version of {chosen.author} ({chosen.version})"
                    if chosen is not None
                    else "edited"
                )
            for v in conflict.versions:
                if not v.deleted:
                    conn.execute(
                        "INSERT OR IGNORE INTO row_versions (table_name, row_id, version, author)"
                        " VALUES (?, ?, ?, ?)",
                        (table, row_id, v.version, v.author),
                    )
            self._mark_resolved({conflict_id}, resolution)
        return self.get_conflict(conflict_id)

    def _open_conflicts_on_gone_rows(self) -> set[str]:
        """The open conflicts whose row is no longer here."""
        return {
            str(r["id"])
            for r in self._store.rows(
                "SELECT id, table_name, row_id FROM conflicts WHERE status = 'open'"
            )
            if r["table_name"] in TRAVELLING_TABLES
            and self._store.one(f"SELECT 1 FROM {r['table_name']} WHERE id = ?", (r["row_id"],))
            is None
        }

    def _mark_resolved(self, conflict_ids: set[str], resolution: str) -> None:
        """Resolve these conflicts as ``resolution``, by this project's coder, now."""
        for conflict_id in sorted(conflict_ids):
            mark_resolved(self._store.conn, resolution, self._store.coder, "id = ?", [conflict_id])

    def _keep_codings(self, table: str, row_id: str) -> None:
        """Keeping a deleted code or segment keeps its codings (keeping a deleted coding keeps
        it): each gets the marker an undo
        leaves (``undeleted:<time>``, see ``storage/history/undo.py``), so the deleter's
        tombstones of them, older than now, delete nothing here in a later merge, and the
        deleter's copy takes them back from our bundle (``storage/team/merge_cascade.py``)."""
        col = {"codes": "code_id", "segments": "segment_id", "codings": "id"}.get(table)
        if col is None:
            return
        self._store.conn.execute(
            "INSERT OR IGNORE INTO row_versions (table_name, row_id, version, author) "
            f"SELECT 'codings', id, ?, ? FROM codings WHERE {col} = ?",
            ("undeleted:" + now_iso(), self._store.coder, row_id),
        )

    def codings_using(self, conflict: Conflict) -> dict[str, int]:
        """Per coder, the codings that keeping the deletion of a ``delete`` conflict's code
        (with its sub-codes), segment, session or coding would delete: what the lead decides
        about."""
        if conflict.table_name == "segments":
            where, params = "segment_id = ?", [conflict.row_id]
        elif conflict.table_name == "sessions":
            where = "segment_id IN (SELECT id FROM segments WHERE session_id = ?)"
            params = [conflict.row_id]
        elif conflict.table_name == "codes":
            ids = [conflict.row_id]
            if self._store.one("SELECT 1 FROM codes WHERE id = ?", (conflict.row_id,)):
                ids += self._project.codebook.descendants(conflict.row_id)
            where, params = f"code_id IN ({','.join('?' * len(ids))})", ids
        elif conflict.table_name == "codings":  # one coding another coder removed
            where, params = "id = ?", [conflict.row_id]
        else:
            return {}
        return {
            str(r[0]): int(r[1])
            for r in self._store.rows(
                f"SELECT coder, count(*) FROM codings WHERE {where} GROUP BY coder ORDER BY coder",
                params,
            )
        }

    def _write_resolution(self, table: str, row_id: str, changed: dict[str, Any]) -> None:
        if table == "segments" and {"text", "speaker"} & changed.keys():
            text = changed.pop("text", None)
            options: dict[str, Any] = {}
            if "speaker" in changed:
                speaker = changed.pop("speaker")
                options = {"speaker": speaker} if speaker is not None else {"clear_speaker": True}
            self._project.transcript.update_segment(row_id, text=text, **options)
            if text is not None:  # the coder's own text kept: spans lost to the other come back
                self._project.transcript.restore_lost_spans(row_id)
        if table == "segments" and changed.get("words"):
            changed["words"] = self._words_said(row_id, changed)
        # always a new version, so the resolution supersedes every competing version
        sets = "".join(f"{k} = ?, " for k in changed)
        self._store.conn.execute(
            f"UPDATE {table} SET {sets}updated_at = ? WHERE id = ?",
            (*changed.values(), now_iso(), row_id),
        )

    def _words_said(self, segment_id: str, changed: dict[str, Any]) -> Any:
        """The kept version's timed words that the segment's text (as resolved) says, when it
        was edited by hand: an older FieldScribe's edit left the words a name was typed out of
        (a conflict recorded before this version holds them)."""
        row = self._store.one("SELECT text, edited FROM segments WHERE id = ?", (segment_id,))
        if row is None:
            return changed["words"]
        # the text as resolved (update_segment wrote it)
        values = {**changed, "text": row["text"], "edited": changed.get("edited", row["edited"])}
        return stale_words_dropped(values)["words"]

    def _delete_for_resolution(self, table: str, row_id: str) -> None:
        if table == "codes":
            if self._store.one("SELECT 1 FROM codes WHERE id = ?", (row_id,)):
                self._project.codebook.delete_code(row_id, force=True)
        elif table == "segments":
            if self._store.one("SELECT 1 FROM segments WHERE id = ?", (row_id,)):
                self._project.transcript.delete_segment(row_id, force=True)
        elif table == "sessions":
            if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (row_id,)):
                self._project.sessions.delete_session(row_id, force=True)
        else:
            if table not in TRAVELLING_TABLES:
                raise InvalidInputError(f"Unknown table {table!r}.")
            self._store.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
            self._store.tombstone(table, row_id)

    # ----------------------------------------------------------------- lead
    @property
    def lead(self) -> str | None:
        """The coder who leads the project (merges bundles, resolves conflicts); None in a
        project made before the lead was recorded (``set_lead``)."""
        return read_lead(self._store.conn)

    @property
    def may_resolve(self) -> bool:
        """Whether the current coder resolves conflicts: the lead, or anyone while the project
        records no lead (as before leads were recorded)."""
        lead = self.lead
        return lead is None or lead == self._store.coder

    def _check_may_resolve(self) -> None:
        lead = self.lead
        if lead is not None and lead != self._store.coder:
            raise InvalidInputError(
                f"Only the project's lead, {lead}, resolves conflicts (you code as "
                f"{self._store.coder}); your next bundle takes this conflict to {lead}, and "
                f"the decision comes back with {lead}'s bundle."
            )

    def set_lead(self, name: str, *, take_over: bool = False) -> None:
        """Record ``name`` as the project's lead (the lead's bundles carry it to every copy).

        Args:
            name: the lead's coder name.
            take_over: set it in a copy whose recorded lead is someone else (a lead who left:
                every copy must then set it, since copies take a new lead only from the
                bundle of the lead they name).

        Raises:
            InvalidInputError: an empty name, or a lead is recorded, the current coder is not
                the lead and ``take_over`` is not given.
        """
        name = name.strip()
        if not usable_lead(name):
            raise InvalidInputError("The lead's name must be a coder name (not empty).")
        lead = self.lead
        if lead is not None and lead != self._store.coder and not take_over and name != lead:
            raise InvalidInputError(
                f"The project's lead is {lead}; only {lead} hands it over (in the lead's "
                "project; the next bundle carries it). To take over from a lead who is gone, "
                "give --take-over, in every copy."
            )
        with self._store.tx() as db:
            db.conn.execute("DELETE FROM project_meta WHERE key = ?", (LEAD_PREVIOUS,))
            put_meta(db.conn, LEAD_KEY, name)
            put_meta(db.conn, LEAD_CHANGED, now_iso())

    # ----------------------------------------------------------------- blind coding
    @property
    def blind_coding(self) -> bool:
        """Whether coders see only their own codings (the lead turns it off to compare)."""
        value = self._store.scalar(
            "SELECT value FROM project_meta WHERE key = ?", (BLIND_CODING_KEY,)
        )
        return bool(value == "1")

    def set_blind_coding(self, on: bool) -> None:
        """Turn blind coding on or off (a project setting that travels in bundles)."""
        with self._store.tx() as db:
            put_meta(db.conn, BLIND_CODING_KEY, "1" if on else "0")

    @property
    def blind_coder(self) -> str | None:
        """The coder whose codings alone are shown while blind coding is on; None when off."""
        return self._store.coder if self.blind_coding else None

    def visible_codings(
        self,
        *,
        segment_id: str | None = None,
        code_id: str | None = None,
        session_id: str | None = None,
    ) -> list[Coding]:
        """Return the codings the current coder may see.

        With blind coding on, only the current coder's own codings; otherwise everyone's.
        """
        coder = self.blind_coder
        result: list[Coding] = self._project.codebook.codings(
            segment_id=segment_id, code_id=code_id, coder=coder, session_id=session_id
        )
        return result

    def visible_memos(
        self, target_type: str | None = None, target_id: str | None = None
    ) -> list[Memo]:
        """Return the memos (of one target, or all) the current coder may see.

        With blind coding on, the memos on sessions, segments, codes and codings that other
        coders wrote are left out (``seen_memos``); the journal's stay.
        """
        return self.seen_memos(self._project.codebook.memos(target_type, target_id))

    def seen_memos(self, memos: Iterable[Memo]) -> list[Memo]:
        """Of ``memos``, those the current coder may see (``visible_memos``)."""
        if not self.blind_coding:
            return list(memos)
        me = self._store.coder
        return [m for m in memos if m.target_type not in BLINDED_MEMO_TARGETS or m.created_by == me]

    # ----------------------------------------------------------------- agreement data
    def coding_coders(self) -> list[str]:
        """Every coder with at least one coding here, sorted (whom agreement can compare)."""
        return sorted(r[0] for r in self._store.rows("SELECT DISTINCT coder FROM codings"))

    def agreement_data(
        self,
        *,
        coders: list[str] | None = None,
        code_ids: list[str] | None = None,
        session_ids: list[str] | None = None,
        with_texts: bool = True,
    ) -> AgreementData:
        """Collect what inter-coder agreement is computed from.

        Two plain table reads (segments, codings) and no join: the codings are matched to their
        segments in memory, far cheaper than one indexed lookup per coding.

        Args:
            coders: the coders to compare (default: every coder with codings).
            code_ids: the codes to compare (default: every code).
            session_ids: the sessions in scope (default: every session with codings by one of
                the coders).
            with_texts: also fill ``texts`` and ``speakers`` (what ``disagreements`` shows;
                the coefficients do not need them).

        Raises:
            NotFoundError: an unknown coder, code or session.
        """
        known_coders = {r[0] for r in self._store.rows("SELECT name FROM coders")}
        if coders:
            missing = [c for c in coders if c not in known_coders]
            if missing:
                raise NotFoundError(f"No coder named {missing[0]!r} in this project.")
            chosen = sorted(set(coders))
        else:
            chosen = self.coding_coders()
        code_rows = self._project.codebook.codes()
        all_codes = {c.id: c.path for c in code_rows}
        created = {c.id: (c.created_at, c.created_by) for c in code_rows}
        if code_ids:
            for cid in code_ids:
                if cid not in all_codes:
                    raise NotFoundError(f"No code with id {cid!r}.")
            codes = {cid: all_codes[cid] for cid in code_ids}
        else:
            codes = all_codes
        if session_ids:
            for sid in session_ids:
                if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (sid,)) is None:
                    raise NotFoundError(f"No session with id {sid!r}.")
        coder_marks = ",".join("?" * len(chosen))
        if session_ids:
            sessions = list(dict.fromkeys(session_ids))
        else:  # the sessions where the chosen coders coded something (stops at the first)
            sessions = [
                r[0]
                for r in self._store.rows(
                    "SELECT s.id FROM sessions s WHERE EXISTS (SELECT 1 FROM segments g "
                    "JOIN codings c ON c.segment_id = g.id WHERE g.session_id = s.id "
                    f"AND c.coder IN ({coder_marks}))",
                    chosen,
                )
            ]
        everything = not session_ids and len(sessions) == self._store.scalar(
            "SELECT count(DISTINCT session_id) FROM segments"
        )
        extra = ", text, speaker" if with_texts else ""
        where = "" if everything else f"WHERE session_id IN ({','.join('?' * len(sessions))}) "
        with self._store.mutex:
            cursor = self._store.conn.cursor()
            cursor.row_factory = None  # plain tuples: about twice as fast as sqlite3.Row
            seg_rows: list[tuple[Any, ...]] = cursor.execute(
                f"SELECT id, session_id, length(text), start_ms, end_ms{extra} FROM segments "
                f"{where}ORDER BY session_id, start_ms, seq",
                [] if everything else sessions,
            ).fetchall()
            # "+coder": scan the table in order rather than hop through the coder index
            which = f"WHERE +coder IN ({coder_marks})" if coders else ""
            coding_rows: list[tuple[str, str, str, int | None, int | None]] = cursor.execute(
                f"SELECT segment_id, code_id, coder, start_cp, end_cp FROM codings {which}",
                chosen if coders else [],
            ).fetchall()
        # without a session filter every coding of these coders lies in a session in scope
        if code_ids or session_ids:
            in_scope = {r[0] for r in seg_rows} if session_ids else None
            coding_rows = [
                r for r in coding_rows if r[1] in codes and (in_scope is None or r[0] in in_scope)
            ]
        codes, alias, notes = _pair_by_path(codes, created)
        if alias:
            coding_rows = [
                (r[0], alias.get(r[1], r[1]), r[2], r[3], r[4]) if r[1] in alias else r
                for r in coding_rows
            ]
        return AgreementData(
            notes=notes,
            coders=chosen,
            segments=cast(
                list[tuple[str, str, int, int, int]],
                [r[:5] for r in seg_rows] if with_texts else seg_rows,
            ),
            codings=coding_rows,
            codes=codes,
            texts={r[0]: r[5] for r in seg_rows} if with_texts else {},
            speakers={r[0]: r[6] for r in seg_rows} if with_texts else {},
        )

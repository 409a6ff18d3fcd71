"""One bundle merged into a project, row by row (``_Merge``): new rows, rows edited on one side
or both (conflicts), in the order of the travelling tables, with the parts a merge delegates
(deletions, span codings, same-path codes, decisions, settings: see ``storage.team.merge``).
``storage.team.merge.MergeSession`` runs one for each bundle, in a savepoint.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.anchors import LOST_FLAG
from storage.core.held_codings import HELD_COLUMNS, drop_settled
from storage.core.link_rows import drop_dangling, follow_twins, merge_twins, move_links
from storage.core.schema_search import fold_search_sql
from storage.core.schema_teamwork import SAFE_VERSION_SUFFIX, TRAVELLING_TABLES
from storage.core.stale_words import REPAIRED_SUFFIX, drop_stale_words, stale_words_dropped
from storage.team.bundle import OpenedBundle, refused
from storage.team.conflicts import ConflictVersion, content_columns
from storage.team.conflicts import version_key as _version_key
from storage.team.lead import lead_decides, take_lead
from storage.team.merge_deletions import FK_PARENTS, Deletions
from storage.team.merge_resolutions import BundleResolutions, conflict_id
from storage.team.merge_same_name import SameNameCodes, _next_version
from storage.team.merge_settings import ProjectSettings
from storage.team.merge_spans import (
    ArrivedSpans,
    ExportViews,
    SpansFlaggedThere,
    bundle_places,
)
from storage.team.merge_summary import MergeSummary, TableSummary

if TYPE_CHECKING:
    from storage.team.merge import _Bulk


def _undeleted(table: str, tomb: str, schema: str = "b") -> str:
    """SQL: the bundle brought back the row of tombstone ``tomb`` after that deletion.

    An undo that restores a deleted row leaves ``undeleted:<deleted_at>`` in ``row_versions``
    (``storage/history/undo.py``); a later tombstone of the same row is not covered by it.
    """
    return (
        f"EXISTS (SELECT 1 FROM {schema}.row_versions u WHERE u.table_name = '{table}' "
        f"AND u.row_id = {tomb}.row_id AND u.version LIKE 'undeleted:%' "
        f"AND substr(u.version, 11) >= {tomb}.deleted_at)"
    )


class _Merge:
    def __init__(
        self,
        project: Any,
        conn: sqlite3.Connection,
        opened: OpenedBundle,
        summary: MergeSummary,
        merge_same_name: bool,
        schema: str,
    ) -> None:
        self.b = schema
        self.project = project
        self.conn = conn
        self.opened = opened
        self.summary = summary
        self.merge_same_name = merge_same_name
        self.owner = project.get_meta("owner") or project.coder
        self.new_media: list[tuple[str, str]] = []
        self.bulk: _Bulk | None = None  # set by the session: it may drop the code index
        self.dropped: dict[str, tuple[str, str | None]] = {}
        self.from_lead = False  # set by ``run``: a coder's copy merging the lead's bundle
        self._exported = ExportViews(project)  # ``_real_names_kept``
        self._spans_flagged_there = SpansFlaggedThere(project)
        #: coding id -> the coding the merge kept in its place (a twin): the bundle's links to
        #: it, arriving after the codings, go there (``follow_twins``)
        self.replaced: dict[str, str] = {}
        #: (table, row id) -> the versions of the bundle's open edit conflicts on it
        self._open_at_lead: dict[tuple[str, str], set[str]] | None = None

    # ------------------------------------------------------------- driver
    def run(self) -> None:
        conn = self.conn
        n = conn.execute(
            "INSERT OR IGNORE INTO main.coders (name, created_at) "
            f"SELECT name, created_at FROM {self.b}.coders"
        ).rowcount
        total = conn.execute(f"SELECT count(*) FROM {self.b}.coders").fetchone()[0]
        self.summary.table("coders").added = n
        self.summary.table("coders").skipped = total - n
        if self.opened.project_id == self.project.id:  # first: the lead's bundle decides now
            lead = take_lead(conn, self.b, self.opened.coder)
            if lead is not None:
                self.summary.settings["lead"] = lead
        # a coder's copy merging the lead's bundle: the lead's decisions are final here
        self.from_lead = lead_decides(conn, self.opened.coder) and (
            self.opened.coder != self.project.coder
        )
        BundleResolutions(self).take()
        for table in TRAVELLING_TABLES:
            if table == "codings":
                Deletions(self).restore_used("segments")
                Deletions(self).restore_used("codes")
            self._merge_rows(table)
            if table == "codings":
                ArrivedSpans(self).anchor()
                self._spans_flagged_there.restore()
        Deletions(self).apply()
        self._wholes_in_place_of_deleted_twins()
        self._spans_in_place_of_deleted_wholes()
        self._wholes_held_by_flagged_twins()
        conn.execute(
            "INSERT INTO main.row_versions (table_name, row_id, version, author) "
            f"SELECT table_name, row_id, version, author FROM {self.b}.row_versions WHERE true "
            "ON CONFLICT DO UPDATE SET author = excluded.author "
            "WHERE row_versions.author IS NULL AND excluded.author IS NOT NULL"
        )
        # a bundle from an older FieldScribe may carry words its hand-edited texts no longer say
        drop_stale_words(
            conn,
            among=f"SELECT r.id FROM {self.b}.segments r "
            "JOIN temp.fs_touch_segments t ON t.rid = r.rowid",
        )
        SameNameCodes(self).run()
        # a link to a coding dropped as a twin of another (here or in an earlier merge, or
        # skipped as one we have) goes to the one kept; one to what is not here (a code
        # deleted here) goes with it
        follow_twins(conn, self.replaced, self.b, stamp=_next_version, tombstone=self._link_gone)
        drop_dangling(conn)
        # two coders' copies of one link (same name, direction and ends): one, memos joined
        merge_twins(
            conn,
            stamp=_next_version,
            tombstone=self._link_gone,
        )
        ProjectSettings(self).take_case_notes()
        ProjectSettings(self).take_exchange_lists()
        ProjectSettings(self).take_coding_maps()
        ProjectSettings(self).take_descriptions()
        ProjectSettings(self).take_code_names()
        if self.opened.project_id == self.project.id:
            ProjectSettings(self).take()

    def adopt(self) -> None:
        """Take the bundle's identity, team settings and lead (``new --from-bundle``:
        ``merge_settings.ProjectSettings.adopt``)."""
        ProjectSettings(self).adopt()

    # ------------------------------------------------------------- helpers
    def _cols(self, table: str) -> list[str]:
        return [
            r[1] for r in self.conn.execute(f"PRAGMA main.table_info({table})") if r[1] != "seq"
        ]

    def _author(self, schema: str, table: str, row_id: str, version: str, fallback: str) -> str:
        row = self.conn.execute(
            f"SELECT author FROM {schema}.row_versions WHERE table_name = ? AND row_id = ? "
            "AND version = ?",
            (table, row_id, version),
        ).fetchone()
        if row is not None and row[0]:
            return str(row[0])
        created = self.conn.execute(
            f"SELECT created_by, created_at FROM {schema}.{table} WHERE id = ?", (row_id,)
        ).fetchone()
        if created is not None and created[1] == version:
            return str(created[0])
        return fallback

    def _record_version(self, table: str, row_id: str, version: str, author: str | None) -> None:
        self.conn.execute(
            "INSERT INTO main.row_versions (table_name, row_id, version, author) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO UPDATE SET author = coalesce(row_versions.author, excluded.author)",
            (table, row_id, version, author),
        )

    def _write_row(self, table: str, row_id: str, values: dict[str, Any], version: str) -> None:
        conn = self.conn
        places: dict[str, tuple[int, int]] | None = None
        if table == "segments" and values.get("speaker"):
            values = self._real_label_kept(row_id, values)
        if table == "segments" and "text" in values:
            seq, text = conn.execute(
                "SELECT seq, text FROM main.segments WHERE id = ?", (row_id,)
            ).fetchone()
            if text != values["text"]:
                values = {**values, "text": self._real_names_kept(row_id, values["text"])}
            if text != values["text"]:
                self.project.store.fts_delete(seq, text)
                self.project.store.fts_insert(seq, values["text"])
                # this project's span codings and redactions follow their words into the new
                # text, except the codings whose version from the bundle will be taken: those
                # are anchored in the new text already
                arriving = self._codings_arriving(row_id)
                self.summary.lost_spans(
                    *self.project.transcript.reanchor_spans(
                        row_id,
                        text,
                        values["text"],
                        leave=arriving,
                        merged=True,
                        followed=self.replaced,
                    )
                )
                # and the spans flagged here whose words the new text holds again (the text
                # of a copy that kept them) get them back, as a conflict resolved does
                places = bundle_places(self, row_id, values["text"], leave=arriving)
        if table == "codings" and not self._twin_gives_way(row_id, values):
            return
        sets = "".join(f"{k} = ?, " for k in values)
        conn.execute(
            f"UPDATE main.{table} SET {sets}updated_at = ? WHERE id = ?",
            (*values.values(), version, row_id),
        )
        if places is not None:
            self.project.transcript.restore_lost_spans(row_id, places=places)

    def _twin_gives_way(self, coding_id: str, values: dict[str, Any]) -> bool:
        """Before a coding takes the bundle's version: where another coding here holds what it
        becomes (segment, code, coder, words), of the two the one created first stays, the
        other goes with a tombstone dated from its version (``merge_same_name``'s rule). False
        when the coding itself went.

        A project that held "Trust" and "trust" under one parent (before names were compared
        without case) and merged them moved one of a coder's two codings of a segment onto the
        other's code and deleted the other; that coder's copy then refused every bundle of the
        lead ("UNIQUE constraint failed: index 'codings_unique'"), its own twin still there
        when the moved coding came in."""
        conn = self.conn
        row = conn.execute(
            "SELECT segment_id, code_id, coder, start_cp, end_cp, created_at "
            "FROM main.codings WHERE id = ?",
            (coding_id,),
        ).fetchone()
        if row is None:
            return True
        after = {
            k: values.get(k, row[i])
            for i, k in enumerate(("segment_id", "code_id", "coder", "start_cp", "end_cp"))
        }
        twin = conn.execute(
            "SELECT id, created_at, updated_at FROM main.codings WHERE segment_id = ? "
            "AND code_id = ? AND coder = ? AND coalesce(start_cp, -1) = coalesce(?, -1) "
            "AND coalesce(end_cp, -1) = coalesce(?, -1) AND id <> ?",
            (*after.values(), coding_id),
        ).fetchone()
        if twin is None:
            return True
        created = values.get("created_at", row[5])
        by = self.project.coder
        if (twin[1], twin[0]) < (created, coding_id):
            version = conn.execute(
                "SELECT updated_at FROM main.codings WHERE id = ?", (coding_id,)
            ).fetchone()[0]
            self.drop_twin(coding_id, twin[0])
            conn.execute("DELETE FROM main.codings WHERE id = ?", (coding_id,))
            self._union_tombstone(("codings", coding_id, by, _next_version(version)))
            return False
        self.drop_twin(twin[0], coding_id)
        conn.execute("DELETE FROM main.codings WHERE id = ?", (twin[0],))
        self._union_tombstone(("codings", twin[0], by, _next_version(twin[2])))
        return True

    def drop_twin(self, gone: str, kept: str) -> None:
        """Before coding ``gone`` is deleted because ``kept`` stands for it (one coding per
        segment, code, coder and words): its links here go to ``kept`` (``move_links``), and
        so do the bundle's, when they arrive (``replaced``, ``follow_twins``)."""
        self.replaced[gone] = kept
        move_links(
            self.conn,
            "coding",
            gone,
            kept,
            stamp=_next_version,
            tombstone=self._link_gone,
            twins=False,  # copies: ``merge_twins``
        )

    def _link_gone(self, link_id: str, version: str) -> None:
        """Tombstone of a link removed as a copy of another (``merge_twins``, ``move_links``)."""
        self._union_tombstone(("links", link_id, self.project.coder, _next_version(version)))

    def _real_label_kept(self, segment_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """The bundle's values of a segment with this project's speaker label where the
        bundle's is a label of its session as a copy made with pseudonyms reads it ("Сауле"
        for "Айгерим"): the coder kept the speaker, or gave the segment to another speaker
        of the session, whom the copy showed by pseudonym; taking the pseudonym would untie
        the segment from the participant its label is mapped to."""
        theirs = values["speaker"]
        row = self.conn.execute(
            "SELECT speaker, session_id FROM main.segments WHERE id = ?", (segment_id,)
        ).fetchone()
        if row is None or theirs == row[0]:
            return values
        ours, session = row
        labels = [ours] if ours else []
        labels += [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT speaker FROM main.segments WHERE session_id = ? "
                "AND speaker IS NOT NULL UNION SELECT label FROM main.session_speakers "
                "WHERE session_id = ?",
                (session, session),
            )
            if r[0] != ours
        ]
        if theirs in labels:
            return values  # a label of ours as it is
        for label in labels:
            if theirs in self._exported.labels(label):
                return {**values, "speaker": label}
        return values

    def _real_names_kept(self, segment_id: str, theirs: str) -> str:
        """The bundle's text of a segment, with the names and hidden words of this project's
        text where the bundle's reads its pseudonyms and ``[PLACE]`` (a coder's copy made from
        a bundle with pseudonyms or redactions on, the default, in which the coder corrected
        other words): the corrections are taken, the real name is not replaced by the
        pseudonym. The export view nearest the bundle's text is the one its copy was made with;
        where the coder's edit touches a pseudonym itself, the bundle's text as it is."""
        views = self._exported.of(segment_id)
        if not views:
            return theirs
        nearest = max(
            views,
            key=lambda v: difflib.SequenceMatcher(None, v.text, theirs, autojunk=False).ratio(),
        )
        if nearest.text == theirs:
            return theirs  # nothing corrected: what the copy was given
        return nearest.carry_edits(theirs) or theirs

    def _add_coding(self, cols: list[str], coding: dict[str, Any]) -> int:
        """Write a coding made by the merge unless its id is here already; 1 if written."""
        return self.conn.execute(
            f"INSERT OR IGNORE INTO main.codings ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' * len(cols))})",
            tuple(coding[c] for c in cols),
        ).rowcount

    def _codings_arriving(self, segment_id: str) -> frozenset[str]:
        """The codings of a segment whose version in the bundle the merge will write here
        (``_outcome``: made from ours, or the newer side of a conflict)."""
        arriving = set()
        for coding_id, rv, lv in self.conn.execute(
            f"SELECT l.id, r.updated_at, l.updated_at FROM {self.b}.codings r "
            "JOIN main.codings l ON l.id = r.id WHERE l.segment_id = ? "
            "AND r.updated_at IS NOT l.updated_at",
            (segment_id,),
        ).fetchall():
            outcome = self._outcome("codings", str(coding_id), rv, lv)
            # a conflict shows the newer side, except in a coder's copy taking the lead's
            # bundle: ours stays there (it waits for the lead), so it follows our new text
            newer = outcome == "conflict" and str(rv) > str(lv) and not self.from_lead
            if outcome == "theirs" or newer:
                arriving.add(str(coding_id))
        return frozenset(arriving)

    def _outcome(self, table: str, row_id: str, rv: str, lv: str) -> str:
        """What merging the bundle's version ``rv`` of a row over ours (``lv``, other content)
        does: "ours" stays (``rv`` is an older version of ours), "theirs" is taken (made from
        ours), or "conflict"."""
        if (
            self.from_lead
            and rv.endswith(SAFE_VERSION_SUFFIX)
            and rv in (lv, lv + SAFE_VERSION_SUFFIX)
        ):
            # the lead's row as its bundle makes it safe, made safe otherwise since (a name
            # mapped to a pseudonym later, a redaction, a form found since): this copy holds
            # the lead's row unedited, so it takes the new text. Before, the copy kept the
            # real name: a conflict between two texts of one version, or old news ("V~safe"
            # was in its history since the first bundle)
            return "theirs"
        if self.from_lead and self._waits_for_the_lead(table, row_id, lv):
            return "conflict"
        known_local = {lv} | {
            r[0]
            for r in self.conn.execute(
                "SELECT version FROM main.row_versions WHERE table_name = ? AND row_id = ?",
                (table, row_id),
            )
        }
        if rv in known_local and rv != lv:
            return "ours"
        if rv.endswith(SAFE_VERSION_SUFFIX + REPAIRED_SUFFIX) and rv[: -len(REPAIRED_SUFFIX)] in (
            known_local
        ):
            # our row as our bundle made it safe, its words repaired in the copy when it opened
            # (a FieldScribe that dropped a redacted word's stand-in "[…]"): nothing of the
            # coder's; taken as their edit, it put "[PLACE]" in place of our clear text
            return "ours"
        history = {
            r[0]
            for r in self.conn.execute(
                f"SELECT version FROM {self.b}.row_versions WHERE table_name = ? AND row_id = ?",
                (table, row_id),
            )
        }
        # a copy made from our bundle with pseudonyms or redactions holds our version made
        # safe (``lv~safe``, recorded here when we exported it): edited from ours all the same
        safe = lv if lv.endswith(SAFE_VERSION_SUFFIX) else lv + SAFE_VERSION_SUFFIX
        made_from_ours = lv in history or (safe in history and safe in known_local)
        return "theirs" if made_from_ours and rv != lv else "conflict"

    def _wholes_in_place_of_deleted_twins(self) -> None:
        """The bundle's new whole-segment codings that a coding here held the place of (one per
        segment, code and coder: a flagged span of that code, so not added) when the bundle's
        deletions took that coding: added now. Before, ann's whole-segment coding was missing
        at the lead when the same bundle removed her flagged span, until her next bundle."""
        cols = self._cols("codings")
        rcols = ", ".join(f"r.{c}" for c in cols)
        self.summary.table("codings").added += self.conn.execute(
            f"INSERT OR IGNORE INTO main.codings ({', '.join(cols)}) SELECT {rcols} "
            f"FROM temp.fs_touch_codings t CROSS JOIN {self.b}.codings r ON r.rowid = t.rid "
            "WHERE NOT t.known AND r.start_cp IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM main.codings l WHERE l.id = r.id) "
            "AND NOT EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = 'codings' "
            "AND d.row_id = r.id) "
            "AND EXISTS (SELECT 1 FROM main.segments s WHERE s.id = r.segment_id) "
            "AND EXISTS (SELECT 1 FROM main.codes c WHERE c.id = r.code_id) "
            "AND EXISTS (SELECT 1 FROM main.coders k WHERE k.name = r.coder)"
        ).rowcount

    def _wholes_held_by_flagged_twins(self) -> None:
        """The bundle's whole-segment codings missing here because a flagged span of the same
        segment, code and coder holds their place (its words lost in our text; one coding per
        segment, code and coder): kept in ``held_codings`` until that span gets its words back
        (``storage.core.held_codings``). Before, they came only with the coder's next bundle,
        and agreement in between counted the span, not the whole segment."""
        cols = ", ".join(HELD_COLUMNS)
        rcols = ", ".join(f"r.{c}" for c in HELD_COLUMNS)
        held = self.conn.execute(
            f"INSERT OR REPLACE INTO main.held_codings (held_by, {cols}, updated_at) "
            f"SELECT w.id, {rcols}, r.updated_at FROM temp.fs_touch_codings t "
            f"CROSS JOIN {self.b}.codings r ON r.rowid = t.rid "
            "CROSS JOIN main.codings w ON w.segment_id = r.segment_id "
            "AND w.code_id = r.code_id AND w.coder = r.coder AND w.start_cp IS NULL "
            "WHERE NOT t.known AND r.start_cp IS NULL AND w.id <> r.id "
            "AND substr(w.memo, 1, ?) = ? "
            "AND NOT EXISTS (SELECT 1 FROM main.codings l WHERE l.id = r.id) "
            "AND NOT EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = 'codings' "
            "AND d.row_id = r.id)",
            (len(LOST_FLAG), LOST_FLAG),
        ).rowcount
        self.summary.held_wholes += held
        self.summary.table("codings").skipped -= held  # counted there as rows we have
        drop_settled(self.conn)

    def _spans_in_place_of_deleted_wholes(self) -> None:
        """The bundle's span codings missing here whose coder has no whole-segment coding of
        their code on their segment any more (the bundle's deletions took it): added now,
        moved into our text, flagged where it lacks their words. Our text had lost a span's
        words when it came, and its coder's whole-segment coding of that code held its place
        (one per segment, code and coder: the span was dropped here, without a tombstone);
        when the same bundle removed that coding, the span, live in its coder's copy, was
        missing here for good (every later bundle brought it, and dropped it again)."""
        conn = self.conn
        ids = [
            str(r[0])
            for r in conn.execute(
                f"SELECT r.id FROM temp.fs_touch_codings t "
                f"CROSS JOIN {self.b}.codings r ON r.rowid = t.rid "
                "WHERE NOT t.known AND r.start_cp IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM main.codings l WHERE l.id = r.id) "
                "AND NOT EXISTS (SELECT 1 FROM main.codings w WHERE w.start_cp IS NULL "
                "AND w.segment_id = r.segment_id AND w.code_id = r.code_id "
                "AND w.coder = r.coder) "
                "AND NOT EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = 'codings' "
                "AND d.row_id = r.id) "
                "AND EXISTS (SELECT 1 FROM main.segments s WHERE s.id = r.segment_id) "
                "AND EXISTS (SELECT 1 FROM main.codes c WHERE c.id = r.code_id) "
                "AND EXISTS (SELECT 1 FROM main.coders k WHERE k.name = r.coder)"
            ).fetchall()
        ]
        if not ids:
            return
        cols = self._cols("codings")
        rcols = ", ".join(f"r.{c}" for c in cols)
        marks = ", ".join("?" * len(ids))
        conn.execute(
            f"INSERT OR IGNORE INTO main.codings ({', '.join(cols)}) SELECT {rcols} "
            f"FROM {self.b}.codings r WHERE r.id IN ({marks})",
            ids,
        )
        # (counted added already: the rows pass wrote them before their anchoring dropped them)
        ArrivedSpans(self).anchor(among=frozenset(ids))

    def _waits_for_the_lead(self, table: str, row_id: str, lv: str) -> bool:
        """Whether our version ``lv`` of a row is one of the versions of a conflict the lead's
        bundle holds open: the lead shows one version meanwhile (the newest), and its history
        of the row holds ours, so its row read as edited after ours; taking it replaced a
        coder's wording with another coder's before the lead decided. It waits here as the
        conflict it is (``_merge_one``), our row as it was, until the lead's decision comes."""
        if self._open_at_lead is None:
            self._open_at_lead = {}
            if self.conn.execute(
                f"SELECT 1 FROM {self.b}.sqlite_master WHERE type = 'table' AND name = 'conflicts'"
            ).fetchone():
                for t, r, raw in self.conn.execute(
                    f"SELECT table_name, row_id, versions FROM {self.b}.conflicts "
                    "WHERE status = 'open' AND kind = 'edit'"
                ).fetchall():
                    try:
                        versions = {str(v["version"]) for v in json.loads(raw) if not v["deleted"]}
                    except (ValueError, TypeError, KeyError):
                        continue  # a bundle is untrusted: a damaged entry waits for nothing
                    self._open_at_lead[(str(t), str(r))] = versions
        return lv in self._open_at_lead.get((table, row_id), set())

    # ------------------------------------------------------------- rows
    def _merge_rows(self, table: str) -> None:
        conn = self.conn
        stats = self.summary.table(table)
        cols = self._cols(table)
        content = content_columns(conn, table)
        collist = ", ".join(cols)
        rcols = ", ".join(f"r.{c}" for c in cols)
        where = [
            f"r.rowid IN (SELECT rid FROM temp.fs_touch_{table} WHERE NOT known)",
            f"NOT EXISTS (SELECT 1 FROM main.{table} l WHERE l.id = r.id)",
            f"NOT EXISTS (SELECT 1 FROM main.deletions d WHERE d.table_name = '{table}' "
            f"AND d.row_id = r.id AND NOT {_undeleted(table, 'd', self.b)})",
        ]
        for col, parent in FK_PARENTS.get(table, []):
            if parent == "coders":
                continue
            where.append(
                f"(r.{col} IS NULL OR NOT EXISTS (SELECT 1 FROM main.deletions d2 WHERE "
                f"d2.table_name = '{parent}' AND d2.row_id = r.{col}) "
                f"OR EXISTS (SELECT 1 FROM main.{parent} p WHERE p.id = r.{col}))"
            )
        verb = "INSERT"
        if table == "codings":
            # The same coding under another id is skipped (the rule), and so is a row whose id
            # arrived since the touch table was made (none can: nothing else adds codings). The
            # insert looks both up anyway (its unique indexes), so OR IGNORE spares two index
            # searches per row; it ignores nothing else: NOT NULL and CHECK were validated for
            # these rows, and foreign-key errors are not ignored.
            del where[1]
            verb = "INSERT OR IGNORE"
        sql_where = " AND ".join(where)
        if table == "media":
            self.new_media = [
                (r[0], r[1])
                for r in conn.execute(
                    f"SELECT r.path, r.sha256 FROM {self.b}.media r WHERE {sql_where}"
                )
            ]
        lcols = ", ".join(f"l.{c}" for c in cols)
        changed = conn.execute(
            f"SELECT {rcols}, {lcols} FROM temp.fs_touch_{table} t "
            f"CROSS JOIN {self.b}.{table} r ON r.rowid = t.rid "
            f"CROSS JOIN main.{table} l ON l.id = r.id WHERE t.known"
        ).fetchall()
        max_seq = 0
        if table == "segments":
            max_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM main.segments").fetchone()[0]
        if table == "codings" and self.bulk is not None:
            adding = conn.execute(
                "SELECT count(*) FROM temp.fs_touch_codings WHERE NOT known"
            ).fetchone()[0]
            self.dropped.update(self.bulk.drop_index(conn, int(adding)))
        order = ""
        if table == "codings" and table not in self.opened.in_order:
            # in the order of the table's widest index: its pages fill in order, not at random
            # (codings stored in that order already go in as stored: see ``_stored_in_order``)
            order = " ORDER BY r.segment_id, r.code_id, r.coder"
        stats.added = conn.execute(
            f"{verb} INTO main.{table} ({collist}) SELECT {rcols} FROM {self.b}.{table} r "
            f"WHERE {sql_where}{order}"
        ).rowcount
        if table == "segments" and stats.added:
            conn.execute(
                "INSERT INTO main.segments_fts (rowid, text) "
                f"SELECT seq, {fold_search_sql('text')} FROM main.segments WHERE seq > ?",
                (max_seq,),
            )
        if stats.added:  # rows the sender deleted and brought back: their tombstones go
            conn.execute(
                f"DELETE FROM main.deletions AS d WHERE d.table_name = '{table}' "
                f"AND EXISTS (SELECT 1 FROM main.{table} x WHERE x.id = d.row_id) "
                f"AND {_undeleted(table, 'd', self.b)}"
            )
        total = conn.execute(f"SELECT count(*) FROM {self.b}.{table}").fetchone()[0]
        n = len(cols)
        for row in changed:
            remote = dict(zip(cols, tuple(row)[:n], strict=True))
            local = dict(zip(cols, tuple(row)[n:], strict=True))
            self._merge_one(table, content, remote, local, stats)
        stats.skipped = total - stats.added - stats.updated - stats.conflicts

    def _merge_one(
        self,
        table: str,
        content: list[str],
        remote: dict[str, Any],
        local: dict[str, Any],
        stats: TableSummary,
    ) -> None:
        row_id = remote["id"]
        rv, lv = remote["updated_at"], local["updated_at"]
        rvals = {c: remote[c] for c in content}
        lvals = {c: local[c] for c in content}
        if rvals == lvals:
            return
        outcome = self._outcome(table, row_id, rv, lv)
        if outcome == "ours":
            return  # an older version of ours
        remote_author = self._author(self.b, table, row_id, rv, self.opened.coder)
        if outcome == "theirs":
            if table == "codings" and local["start_cp"] is not None:
                self._spans_flagged_there.note(row_id, rvals, local)
            self._write_row(table, row_id, rvals, rv)
            self._record_version(table, row_id, rv, remote_author)
            stats.updated += 1
            return
        if table == "segments":  # an older FieldScribe's edit left words a name was typed out of
            rvals = stale_words_dropped(rvals)
            # the version as the lead would take it: real names and label, not the copy's
            # pseudonyms (keeping it wrote "Болаттың" and speaker "Сауле" into the transcript)
            if rvals.get("speaker"):
                rvals = self._real_label_kept(row_id, rvals)
            if rvals.get("text") and rvals["text"] != lvals.get("text"):
                rvals = {**rvals, "text": self._real_names_kept(row_id, rvals["text"])}
        versions = [
            ConflictVersion(lv, self._author("main", table, row_id, lv, self.owner), lvals),
            ConflictVersion(rv, remote_author, rvals),
        ]
        # in a coder's copy the conflict with the lead's version waits for the lead: our row and
        # history stay as they were, so our next bundle takes the conflict to the lead (shown
        # the newest version, with both in its history, it took ours as old news)
        if self._record_conflict(
            table, row_id, versions, current=None if self.from_lead else lvals
        ):
            stats.conflicts += 1

    def _record_conflict(
        self,
        table: str,
        row_id: str,
        new_versions: list[ConflictVersion],
        *,
        current: dict[str, Any] | None,
    ) -> bool:
        """Add versions to the row's conflict; show the newest version. True if it changed."""
        conn = self.conn
        existing = conn.execute(
            "SELECT status, versions FROM main.conflicts WHERE table_name = ? AND row_id = ?",
            (table, row_id),
        ).fetchone()
        versions: dict[tuple[str, bool, str], ConflictVersion] = {}
        if existing is not None:
            for v in json.loads(existing[1]):
                cv = ConflictVersion(
                    str(v["version"]), str(v["author"]), dict(v["values"]), bool(v["deleted"])
                )
                versions[_version_key(cv)] = cv
        known = set(versions)
        for v in new_versions:
            versions.setdefault(_version_key(v), v)
        if existing is not None and set(versions) == known:
            return False
        ordered = sorted(versions.values(), key=lambda v: (*_version_key(v), v.author))
        kind = "delete" if any(v.deleted for v in ordered) else "edit"
        created = max(v.version for v in ordered)
        conn.execute(
            "INSERT INTO main.conflicts (id, table_name, row_id, kind, versions, status,"
            " created_at) VALUES (?, ?, ?, ?, ?, 'open', ?) "
            "ON CONFLICT(table_name, row_id) DO UPDATE SET kind = excluded.kind,"
            " versions = excluded.versions, status = 'open', resolution = NULL,"
            " resolved_by = NULL, resolved_at = NULL, created_at = excluded.created_at",
            (
                conflict_id(table, row_id),
                table,
                row_id,
                kind,
                json.dumps([v.as_json() for v in ordered], ensure_ascii=False, default=str),
                created,
            ),
        )
        rows = [v for v in ordered if not v.deleted]
        if kind == "edit" and rows and current is not None:
            winner = max(rows, key=_version_key)
            for v in rows:
                self._record_version(table, row_id, v.version, v.author)
            if winner.values != current:
                self._write_row(table, row_id, winner.values, winner.version)
        return True

    # ------------------------------------------------------------- deletions
    def _union_tombstone(self, tomb: tuple[str, str, str, str]) -> None:
        self.conn.execute(
            "INSERT INTO main.deletions (table_name, row_id, deleted_by, deleted_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(table_name, row_id) DO UPDATE SET "
            "deleted_by = excluded.deleted_by, deleted_at = excluded.deleted_at "
            "WHERE (excluded.deleted_at, excluded.deleted_by) < (deleted_at, deleted_by)",
            tuple(tomb),
        )

    # ------------------------------------------------------------- media
    def copy_media(self, copied: list[Path]) -> None:
        """Copy the audio of newly added media rows (when the bundle has it), each under its
        temporary name (``copied``): ``MergeSession.commit`` gives it its own name just before
        the commit, so a merge killed meanwhile leaves no copy the project does not know."""
        from storage.core.atomic import copy_to_staging, staging_name
        from storage.core.audio import sha256_of

        media_dir = self.project.media_dir
        for rel, sha in self.new_media:
            src = self.opened.media.get(rel)
            if src is None:
                self.summary.media_missing += 1
                continue
            if sha256_of(src) != sha:
                raise refused(
                    f"{self.opened.path}: {rel} does not match its checksum in the database"
                )
            dest = self.project.folder / rel
            if dest.exists() or staging_name(dest).exists():  # (an earlier bundle's, staged)
                continue
            media_dir.mkdir(exist_ok=True)
            copied.append(copy_to_staging(src, dest))
            self.summary.media_copied += 1

"""Import a REFI-QDA project (``.qdpx``) into a FieldScribe project.

Written by FieldScribe, ATLAS.ti, MAXQDA, NVivo or QualCoder.

What maps, and how:

- ``Users`` -> coders (by name); ``CodeBook`` -> codes (merged by GUID, then by path);
- ``AudioSource``/``VideoSource`` -> a session with its media (when the archive holds it) and
  one segment per transcript line (speaker ``NAME:`` prefixes, sync points and in-text
  timestamps give the times); ``TranscriptSelection``s -> codings on the segments they cover;
  ``AudioSelection``s without codings -> markers, with codings -> codings of the overlapping
  segments;
- ``TextSource`` -> an "observation" session without media, one segment per non-empty line;
  ``PlainTextSelection``s -> codings (code-point spans);
- ``Cases`` with ``Variables`` -> participants with attributes; speakers are mapped to them;
- ``Notes`` -> memos on whatever refers to them (project, session, code, coding, segment), and
  journal entries when nothing does.

Anything that cannot be represented (pictures, PDFs, sets, links, graphs, media outside the
archive...) is listed in the report. All checks run before anything is written; the writes run in
one transaction; a new project folder is removed again when the import fails.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.codebook.codebook import PALETTE
from storage.core.errors import AudioError, FieldScribeError, InvalidInputError
from storage.core.ids import new_id, now_iso
from storage.transcript.transcript import SegmentDraft

from . import exchange_meta
from ._common import LANGUAGES_VARIABLE, ORIGIN, UNTRANSCRIBED_TEXT, iso_from_xml
from .qdpx_parse import QCode, QCoding, QNote, QProject, QSelection, QSource, local, parse_project
from .safe_zip import SafeZip, ZipLimits, parse_xml
from .text_lines import (
    Line,
    LineEnds,
    crlf_only,
    map_span,
    speaker_prefix,
    split_lines,
    split_text_source,
)

if TYPE_CHECKING:
    from storage.project import Project

_SESSION_VARS = {
    "session kind": "kind",
    "session date": "date",
    "session place": "place",
    "session moderator": "moderator",
}
_SPEAKER_LINE = re.compile(r"^speaker (.+) in session \{?([0-9a-fA-F-]{36})\}?\s*$")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,5}$")
_MAX_TEXT_BYTES = 64 * 1024**2


@dataclass
class ImportReport:
    """What an import did, and everything it could not represent."""

    source: str
    project: str
    sessions: int = 0
    segments: int = 0
    codes: int = 0
    codes_reused: int = 0
    codings: int = 0
    participants: int = 0
    memos: int = 0
    markers: int = 0
    media_files: int = 0
    not_imported: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return dict(self.__dict__)

    def describe(self) -> str:
        """Return a human summary, one fact per line."""
        lines = [
            f"Imported {self.source} into {self.project}: {self.sessions} session(s), "
            f"{self.segments} segment(s), {self.codes} new code(s) ({self.codes_reused} reused), "
            f"{self.codings} coding(s), {self.participants} participant(s), {self.memos} memo(s), "
            f"{self.markers} marker(s), {self.media_files} media file(s)."
        ]
        lines += [f"  note: {n}" for n in self.notes]
        if self.not_imported:
            lines.append("Not represented in FieldScribe:")
            lines += [f"  - {n}" for n in self.not_imported]
        return "\n".join(lines)


def _codes(value: str) -> list[str]:
    """The language codes of a "Languages" source variable that Whisper knows, in order."""
    from storage.core.languages import LANGUAGES

    codes = [c.strip().lower() for c in value.replace(";", ",").split(",")]
    return [c for c in codes if c in LANGUAGES]


def _colour(value: str | None, index: int) -> str:
    if value:
        v = value.strip().lstrip("#")
        if re.fullmatch(r"[0-9a-fA-F]{3}", v):
            v = "".join(ch * 2 for ch in v)
        if re.fullmatch(r"[0-9a-fA-F]{6}", v):
            return f"#{v.lower()}"
    return PALETTE[index % len(PALETTE)]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class _Importer:
    def __init__(self, project: Project, qp: QProject, zf: SafeZip | None, label: str) -> None:
        self.p = project
        self.qp = qp
        self.zf = zf
        self.label = label
        self.report = ImportReport(source=label, project=str(project.folder))
        self.languages: dict[str, list[str]] = {}  # source GUID -> its languages, if said
        self.conn: sqlite3.Connection = project.store.conn
        self.code_map: dict[str, str] = {}
        self.session_map: dict[str, str] = {}
        self.reused_sources: list[str] = []  # sources imported before (same GUID), kept
        self.reused_cases = 0
        self.code_order: list[str] = []  # code ids in the file's order (exchange_meta)
        self.no_colour: dict[str, str] = {}  # codes the file gave no colour: the one given
        self.crlf_sessions: list[str] = []  # text sources written with CRLF line ends
        self.coding_ids: dict[str, list[str]] = {}
        self.note_targets: dict[str, list[tuple[str, str | None]]] = {}
        self.copied: list[Path] = []
        self.fieldscribe = qp.origin.startswith(ORIGIN)
        # FieldScribe writes a case line "speaker LABEL in session GUID" for every label.
        self.known_speakers: dict[str, set[str]] = {}
        if self.fieldscribe:
            for src in qp.sources:
                self.known_speakers[src.guid] = set()
            for case in qp.cases:
                for line in (case.description or "").splitlines():
                    match = _SPEAKER_LINE.match(line.strip())
                    if match:
                        label, guid = match.group(1), match.group(2).lower()
                        self.known_speakers.setdefault(guid, set()).add(label)

    # ----------------------------------------------------------------- helpers
    def user(self, guid: str | None, *fallbacks: str | None) -> str:
        for g in (guid, *fallbacks):
            if g and g in self.qp.users:
                return self.qp.users[g]
        return self.p.coder

    def exists(self, table: str, row_id: str) -> bool:
        return (
            self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone()
            is not None
        )

    def fresh_id(self, table: str, guid: str | None) -> str:
        if guid and not self.exists(table, guid):
            return guid
        return new_id()

    def ensure_coder(self, name: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO coders (name, created_at) VALUES (?, ?)", (name, now_iso())
        )

    def read_text(self, path: str | None, inline: str | None, what: str) -> str | None:
        if inline is not None and not path:
            return inline
        if not path:
            return inline
        member = self.member(path)
        if member is None:
            self.report.not_imported.append(
                f"{what}: its text {path!r} is not inside the archive (only internal:// files "
                "are read)."
            )
            return inline
        assert self.zf is not None
        return _decode(self.zf.read(member, _MAX_TEXT_BYTES))

    def member(self, path: str) -> str | None:
        if self.zf is None or not path.lower().startswith("internal://"):
            return None
        name = path[len("internal://") :]
        for candidate in (f"sources/{name}", f"Sources/{name}", name):
            found = self.zf.find(candidate)
            if found is not None:
                return found
        return None

    # ----------------------------------------------------------------- codes
    def import_codes(self, codes: list[QCode]) -> None:
        existing_count = int(self.conn.execute("SELECT count(*) FROM codes").fetchone()[0])
        for i, code in enumerate(codes):
            if not code.name or "/" in code.name:
                name = (code.name or f"Code {i + 1}").replace("/", "-")
                self.report.notes.append(f"Code {code.name!r} renamed to {name!r}.")
                code.name = name
            parent_id = self.code_map.get(code.parent) if code.parent else None
            if code.guid and self.exists("codes", code.guid):
                self.code_map[code.guid] = code.guid
                self.code_order.append(code.guid)
                self.report.codes_reused += 1
                continue
            row = self.conn.execute(
                "SELECT id FROM codes WHERE parent_id IS ? AND name = ?", (parent_id, code.name)
            ).fetchone()
            if row is not None:
                self.code_map[code.guid] = row[0]
                self.code_order.append(row[0])
                self.report.codes_reused += 1
                continue
            code_id = self.fresh_id("codes", code.guid)
            self.code_order.append(code_id)
            if not code.colour:
                self.no_colour[code_id] = _colour(None, existing_count + i)
            self.conn.execute(
                "INSERT INTO codes (id, parent_id, name, colour, description, created_by,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    code_id,
                    parent_id,
                    code.name,
                    _colour(code.colour, existing_count + i),
                    code.description or None,
                    self.p.coder,
                    now_iso(),
                    now_iso(),
                ),
            )
            self.code_map[code.guid] = code_id
            self.report.codes += 1
            if not code.codable:
                self.report.notes.append(
                    f"Code {code.name!r} was not codable there; it is codable in FieldScribe."
                )
            for note in code.notes:
                self.note_targets.setdefault(note, []).append(("code", code_id))

    def keep_exchange_meta(self, was_empty: bool) -> None:
        """What the tables cannot hold, for a later export (``exchange_meta``)."""
        users = exchange_meta.user_guids(self.p)
        for guid, name in sorted(self.qp.users.items()):
            users.setdefault(name, guid)
        if users:
            exchange_meta.write(self.conn, exchange_meta.USERS, users)
        if was_empty and (self.qp.created or self.qp.creator):
            creator = self.qp.users.get(self.qp.creator or "", "")
            origin = {"created": self.qp.created or "", "creator": creator}
            exchange_meta.write(self.conn, exchange_meta.PROJECT, origin)
        if self.code_order:
            known = [c for c in exchange_meta.read(self.p, exchange_meta.CODE_ORDER) or []]
            order = known + [c for c in self.code_order if c not in set(known)]
            exchange_meta.write(self.conn, exchange_meta.CODE_ORDER, order)
        if self.no_colour:
            kept = exchange_meta.no_colour(self.p) | self.no_colour
            exchange_meta.write(self.conn, exchange_meta.NO_COLOUR, kept)

    def keep_line_ends(self) -> None:
        """Remember the text sources with CRLF line ends (``exchange_meta.CRLF``)."""
        if self.crlf_sessions:
            known = exchange_meta.crlf_sessions(self.p)
            exchange_meta.write(
                self.conn, exchange_meta.CRLF, sorted(known | set(self.crlf_sessions))
            )

    # ----------------------------------------------------------------- sources
    def import_sources(self) -> None:
        for src in self.qp.sources:
            if src.guid and self.exists("sessions", src.guid):
                # imported before (a second import of the same project): reuse, never duplicate
                self.session_map[src.guid] = src.guid
                self.reused_sources.append(src.name or src.guid)
                continue
            if src.kind == "TextSource":
                self.text_source(src)
            elif src.kind in ("AudioSource", "VideoSource"):
                self.av_source(src)
            else:
                kind = src.kind.replace("Source", "").lower() or "unknown"
                n_sel = len(src.selections) + len(src.source_codings)
                self.report.not_imported.append(
                    f"{src.kind} {src.name!r}: {kind} sources are not supported "
                    f"({n_sel} coded selection(s) not imported)."
                )

    def new_session(self, src: QSource, kind: str) -> str:
        fields: dict[str, Any] = {"kind": kind}
        extra: list[str] = []
        for var_guid, value in src.variables:
            name, _type = self.qp.variables.get(var_guid, (var_guid, "Text"))
            if name.strip().lower() == LANGUAGES_VARIABLE.lower() and value:
                self.languages[src.guid] = _codes(value)
                continue
            key = _SESSION_VARS.get(name.strip().lower())
            if key == "kind" and value not in ("focus_group", "interview", "observation"):
                key = None
            if key:
                fields[key] = value or None
            elif value:
                extra.append(f"{name}: {value}")
        notes = src.description or ""
        if extra:
            notes = (notes + "\n" if notes else "") + "\n".join(extra)
            self.report.notes.append(
                f"Source {src.name!r}: variables {', '.join(e.split(':')[0] for e in extra)} "
                "were kept in the session notes."
            )
        session_id = self.fresh_id("sessions", src.guid)
        created = iso_from_xml(src.created) or now_iso()
        self.conn.execute(
            "INSERT INTO sessions (id, title, kind, date, place, moderator, notes, status,"
            " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                src.name or "Imported source",
                fields["kind"],
                fields.get("date"),
                fields.get("place"),
                fields.get("moderator"),
                notes or None,
                "imported",
                self.user(src.user),
                created,
                now_iso(),
            ),
        )
        self.session_map[src.guid] = session_id
        self.report.sessions += 1
        for note in src.notes:
            self.note_targets.setdefault(note, []).append(("session", session_id))
        return session_id

    def add_lines(self, session_id: str, lines: list[Line], guid: str = "") -> list[str]:
        # one language for the whole source: every segment is in it (REFI-QDA has no place
        # for a segment's language; FieldScribe's exports name the source's languages)
        codes = self.languages.get(guid, [])
        language = codes[0] if len(codes) == 1 else None
        drafts = [
            SegmentDraft(
                int(line.start_ms or 0),
                int(line.end_ms or 0),
                "" if line.text.strip() == UNTRANSCRIBED_TEXT else line.text,
                speaker=line.speaker,
                origin="import",
                language=language,
                untranscribed=line.text.strip() == UNTRANSCRIBED_TEXT,
            )
            for line in lines
        ]
        segments = self.p.transcript.add_segments(session_id, drafts)
        self.report.segments += len(segments)
        return [s.id for s in segments]

    def text_source(self, src: QSource) -> None:
        text = self.read_text(src.text_path, src.text_inline, f"Text source {src.name!r}")
        if text is None:
            self.report.not_imported.append(f"Text source {src.name!r}: it has no text.")
            return
        session_id = self.new_session(src, "observation")
        ends: LineEnds | None = None
        if crlf_only(text):  # Windows line ends: segments hold LF, the export writes CRLF again
            text = text.replace("\r\n", "\n")
            ends = LineEnds(text)
            self.crlf_sessions.append(session_id)
        lines, transcript = split_text_source(text, self.known_speakers.get(src.guid))
        if not transcript:
            labelled = sum(1 for line in lines if speaker_prefix(line.text)[0])
            if labelled:
                self.report.notes.append(
                    f"Text source {src.name!r}: {labelled} line(s) start like 'Word: ...' but "
                    "not every line does, so it is not a transcript: they stay text, no speakers."
                )
        seg_ids = self.add_lines(session_id, lines)
        for sel in src.selections:
            if sel.start is None or sel.end is None:
                self.report.not_imported.append(
                    f"Text source {src.name!r}: selection {sel.guid} has no positions."
                )
                continue
            start, end = sel.start, sel.end
            if ends is not None:
                start, end = ends.to_lf(start), ends.to_lf(end)
            self.selection(src.name, sel, lines, seg_ids, start, end)
        for coding in src.source_codings:
            self.report.not_imported.append(
                f"Text source {src.name!r}: a coding of the whole document (code "
                f"{self.code_label(coding.code)}) has no segment to attach to."
            )

    def code_label(self, guid: str) -> str:
        for code in self.qp.codes:
            if code.guid == guid:
                return repr(code.name)
        return guid

    def selection(
        self,
        source_name: str,
        sel: QSelection,
        lines: list[Line],
        seg_ids: list[str],
        start: int,
        end: int,
    ) -> None:
        targets = map_span(lines, start, end)
        if not targets:
            what = ", ".join(self.code_label(c.code) for c in sel.codings) or "a note"
            self.report.not_imported.append(
                f"{source_name!r}: selection {start}-{end} ({what}) covers no transcript text "
                "(only a speaker name, a timestamp or blank lines)."
            )
            return
        if len(targets) > 1 and sel.codings:
            self.report.notes.append(
                f"{source_name!r}: a selection over {len(targets)} lines became "
                f"{len(targets)} codings, one per segment."
            )
        memo = sel.description or None
        coding_ids: list[str] = []
        for coding in sel.codings:
            for n, (index, s_cp, e_cp) in enumerate(targets):
                coding_id = self.coding(seg_ids[index], coding, sel, s_cp, e_cp, memo, n)
                if coding_id:
                    coding_ids.append(coding_id)
                    for note in coding.notes:
                        self.note_targets.setdefault(note, []).append(("coding", coding_id))
        for note in sel.notes:
            if coding_ids:
                for cid in coding_ids:
                    self.note_targets.setdefault(note, []).append(("coding", cid))
            else:
                for index, _s, _e in targets:
                    self.note_targets.setdefault(note, []).append(("segment", seg_ids[index]))

    def coding(
        self,
        segment_id: str,
        coding: QCoding,
        sel: QSelection,
        start_cp: int | None,
        end_cp: int | None,
        memo: str | None,
        n: int,
    ) -> str | None:
        code_id = self.code_map.get(coding.code)
        if code_id is None:
            self.report.not_imported.append(
                f"Coding {coding.guid}: it refers to code {coding.code}, which is not in the "
                "codebook."
            )
            return None
        coder = self.user(coding.user, sel.user)
        self.ensure_coder(coder)
        guid = coding.guid if n == 0 else None
        coding_id = self.fresh_id("codings", guid)
        created = iso_from_xml(coding.created or sel.created) or now_iso()
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO codings (id, segment_id, code_id, coder, start_cp, end_cp,"
            " memo, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                coding_id,
                segment_id,
                code_id,
                coder,
                start_cp,
                end_cp,
                memo,
                coder,
                created,
                now_iso(),
            ),
        )
        if cur.rowcount == 0:
            self.report.notes.append(
                f"Coding {coding.guid} duplicates a coding already in the project; kept once."
            )
            return None
        self.report.codings += 1
        return coding_id

    def av_source(self, src: QSource) -> None:
        session_id = self.new_session(src, "interview")
        duration = self.attach_media(src, session_id)
        if src.kind == "VideoSource":
            self.report.notes.append(
                f"Video source {src.name!r}: imported as a session (audio track and transcript)."
            )
        transcripts = src.transcripts
        if len(transcripts) > 1:
            self.report.not_imported.append(
                f"{src.kind} {src.name!r}: {len(transcripts) - 1} extra transcript(s); only the "
                "first was imported."
            )
        lines: list[Line] = []
        seg_ids: list[str] = []
        if transcripts:
            tr = transcripts[0]
            text = self.read_text(tr.text_path, tr.text_inline, f"Transcript of {src.name!r}")
            if text is not None:
                points = list(tr.syncpoints.values())
                lines = split_lines(
                    text,
                    [(p, t) for p, t in points if p is not None],
                    duration_ms=duration,
                    speakers=self.known_speakers.get(src.guid),
                )
                seg_ids = self.add_lines(session_id, lines, src.guid)
                for sel in tr.selections:
                    frm = tr.syncpoints.get(sel.from_sync or "")
                    to = tr.syncpoints.get(sel.to_sync or "")
                    if frm is None or to is None or frm[0] is None or to[0] is None:
                        self.report.not_imported.append(
                            f"Transcript of {src.name!r}: selection {sel.guid} refers to "
                            "missing sync points."
                        )
                        continue
                    self.selection(src.name, sel, lines, seg_ids, frm[0], to[0])
            for note in tr.notes:
                self.note_targets.setdefault(note, []).append(("session", session_id))
        for sel in src.selections:
            self.time_selection(src, session_id, sel, lines, seg_ids)
        for coding in src.source_codings:
            self.report.not_imported.append(
                f"{src.kind} {src.name!r}: a coding of the whole recording (code "
                f"{self.code_label(coding.code)}) has no segment to attach to."
            )

    def time_selection(
        self, src: QSource, session_id: str, sel: QSelection, lines: list[Line], seg_ids: list[str]
    ) -> None:
        begin, end = sel.start or 0, sel.end if sel.end is not None else sel.start or 0
        if not sel.codings:
            label = (sel.name or "Marker").removeprefix("Marker: ").strip() or "Marker"
            created = iso_from_xml(sel.created) or now_iso()
            self.conn.execute(
                "INSERT INTO markers (id, session_id, time_ms, label, note, source, created_by,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'manual', ?, ?, ?)",
                (
                    self.fresh_id("markers", sel.guid),
                    session_id,
                    max(0, begin),
                    label,
                    sel.description or None,
                    self.user(sel.user),
                    created,
                    now_iso(),
                ),
            )
            self.report.markers += 1
            if end > begin:
                self.report.notes.append(
                    f"{src.name!r}: the time range {begin}-{end} ms became a marker at {begin} ms."
                )
            return
        hits = [
            i
            for i, line in enumerate(lines)
            if (line.start_ms or 0) < max(end, begin + 1) and (line.end_ms or 0) > begin
        ]
        if not hits:
            self.report.not_imported.append(
                f"{src.name!r}: a coded time range {begin}-{end} ms overlaps no transcript segment."
            )
            return
        self.report.notes.append(
            f"{src.name!r}: a coded time range {begin}-{end} ms was applied to the "
            f"{len(hits)} segment(s) it overlaps."
        )
        for coding in sel.codings:
            for n, index in enumerate(hits):
                self.coding(seg_ids[index], coding, sel, None, None, sel.description, n)

    def attach_media(self, src: QSource, session_id: str) -> int | None:
        if not src.path:
            self.report.not_imported.append(f"{src.kind} {src.name!r}: it names no media file.")
            return None
        member = self.member(src.path)
        if member is None:
            self.report.not_imported.append(
                f"{src.kind} {src.name!r}: its media {src.path!r} is not inside the archive; the "
                "session has no audio (add it later)."
            )
            return None
        assert self.zf is not None
        suffix = Path(member).suffix.lower()
        if not _SUFFIX.match(suffix):
            suffix = ".audio"
        media_id = new_id()
        self.p.media_dir.mkdir(exist_ok=True)
        dest = self.p.media_dir / f"{media_id}{suffix}"
        self.copied.append(dest)
        self.zf.extract_to(member, dest)
        from storage.core.audio import (
            probe,  # domain-to-domain; no Qt
            sha256_of,
        )

        try:
            info = probe(dest)
        except AudioError as exc:
            dest.unlink(missing_ok=True)
            self.report.not_imported.append(
                f"{src.kind} {src.name!r}: its media {member!r} is not decodable audio ({exc}); "
                "the session has no audio."
            )
            return None
        stamp = now_iso()
        self.conn.execute(
            "INSERT INTO media (id, session_id, path, original_name, sha256, size_bytes,"
            " duration_ms, sample_rate, channels, codec, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                media_id,
                session_id,
                f"media/{dest.name}",
                Path(member).name,
                sha256_of(dest),
                dest.stat().st_size,
                info.duration_ms,
                info.sample_rate,
                info.channels,
                info.codec,
                self.p.coder,
                stamp,
                stamp,
            ),
        )
        self.report.media_files += 1
        return info.duration_ms

    # ----------------------------------------------------------------- cases
    def import_cases(self) -> None:
        code_names = {c.guid: c.name for c in self.qp.codes}
        for n, case in enumerate(self.qp.cases, start=1):
            name = case.name or code_names.get(case.guid) or f"Case {n}"
            speaker_links: list[tuple[str, str]] = []
            other_desc: list[str] = []
            for line in (case.description or "").splitlines():
                match = _SPEAKER_LINE.match(line.strip())
                if match:
                    speaker_links.append((match.group(1), match.group(2).lower()))
                elif line.strip():
                    other_desc.append(line)
            attributes: dict[str, str] = {}
            for var_guid, value in case.values:
                var_name = self.qp.variables.get(var_guid, (var_guid, "Text"))[0] or var_guid
                attributes[var_name] = value
            if other_desc:
                attributes["description"] = "\n".join(other_desc)
            if case.extra_refs:
                self.report.not_imported.append(
                    f"Case {name!r}: {case.extra_refs} code/selection reference(s) of the case."
                )
            only_speaker = (
                self.fieldscribe
                and not attributes
                and speaker_links
                and all(label == name for label, _ in speaker_links)
            )
            sessions = [self.session_map[g] for g in case.source_refs if g in self.session_map]
            if only_speaker:
                continue  # an unmapped speaker label written by FieldScribe: nothing to create
            if case.guid and self.exists("participants", case.guid):
                self.reused_cases += 1  # imported before: the participant is already here
                continue
            pid = self.fresh_id("participants", case.guid)
            stamp = now_iso()
            self.conn.execute(
                "INSERT INTO participants (id, pseudonym, attributes, created_by, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    pid,
                    name,
                    json.dumps(attributes, ensure_ascii=False, sort_keys=True),
                    self.p.coder,
                    stamp,
                    stamp,
                ),
            )
            self.report.participants += 1
            links = [
                (self.session_map[g], label) for label, g in speaker_links if g in self.session_map
            ]
            if not links:
                for sid in sessions:
                    if self.conn.execute(
                        "SELECT 1 FROM segments WHERE session_id = ? AND speaker = ? LIMIT 1",
                        (sid, name),
                    ).fetchone():
                        links.append((sid, name))
            for sid, label in links:
                self.p.sessions.map_speaker(sid, label, pid)

    # ----------------------------------------------------------------- notes
    def import_notes(self) -> None:
        for ref in self.qp.project_notes:
            self.note_targets.setdefault(ref, []).append(("project", None))
        for guid, note in self.qp.notes.items():
            targets = self.note_targets.get(guid) or [
                ("journal" if (note.description or "").strip() != "project" else "project", None)
            ]
            if self.exists("memos", guid):
                continue  # imported before
            text = self.note_text(note)
            for n, (target_type, target_id) in enumerate(targets):
                memo_id = self.fresh_id("memos", guid if n == 0 else None)
                created = iso_from_xml(note.created) or now_iso()
                self.conn.execute(
                    "INSERT INTO memos (id, target_type, target_id, title, text, created_by,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        memo_id,
                        target_type,
                        target_id,
                        note.name,
                        text,
                        self.user(note.user),
                        created,
                        now_iso(),
                    ),
                )
                self.report.memos += 1
        missing = set(self.note_targets) - set(self.qp.notes)
        if missing:
            self.report.not_imported.append(
                f"{len(missing)} note reference(s) point to notes that are not in the file."
            )

    def note_text(self, note: QNote) -> str:
        text = self.read_text(note.text_path, note.text, f"Note {note.name!r}")
        return text or ""

    # ----------------------------------------------------------------- run
    def run(self) -> ImportReport:
        was_empty = not self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM sessions) OR EXISTS (SELECT 1 FROM codes)"
        ).fetchone()[0]
        for name in sorted(set(self.qp.users.values())):
            self.ensure_coder(name)
        self.import_codes(self.qp.codes)
        self.keep_exchange_meta(was_empty)
        self.import_sources()
        self.keep_line_ends()
        self.import_cases()
        self.import_notes()
        for what, count in self.qp.unsupported.items():
            self.report.not_imported.append(f"{count} {what} (not supported by FieldScribe).")
        if self.reused_sources:
            every = len(self.reused_sources) == len(self.qp.sources)
            names = ", ".join(repr(n) for n in self.reused_sources[:5])
            more = (
                f" and {len(self.reused_sources) - 5} more" if len(self.reused_sources) > 5 else ""
            )
            self.report.notes.insert(
                0,
                (
                    "This project was imported before (its sources' GUIDs are here): "
                    if every
                    else f"{len(self.reused_sources)} source(s) were imported before (same GUID): "
                )
                + f"{names}{more} kept as they are, with their codings, not imported again"
                + (f"; {self.reused_cases} case(s) reused." if self.reused_cases else "."),
            )
        if self.qp.description and not (
            self.reused_sources and len(self.reused_sources) == len(self.qp.sources)
        ):
            self.conn.execute(
                "INSERT INTO memos (id, target_type, target_id, title, text, created_by,"
                " created_at, updated_at) VALUES (?, 'project', NULL, ?, ?, ?, ?, ?)",
                (
                    new_id(),
                    "Project description",
                    self.qp.description,
                    self.p.coder,
                    now_iso(),
                    now_iso(),
                ),
            )
            self.report.memos += 1
        return self.report


def read_qde(archive: Path, limits: ZipLimits | None = None) -> tuple[SafeZip, QProject]:
    """Open and check an archive and parse its ``project.qde`` (nothing is written).

    The caller closes the returned ``SafeZip``.
    """
    zf = SafeZip(archive, limits)
    try:
        qde = zf.find("project.qde")
        if qde is None:
            candidates = [n for n in zf.names() if n.lower().endswith(".qde") and "/" not in n]
            qde = candidates[0] if len(candidates) == 1 else None
        if qde is None:
            raise InvalidInputError(
                f"{archive} has no project.qde; is it a REFI-QDA project (.qdpx)?"
            )
        root = parse_xml(zf.read(qde), f"{archive}: {qde}")
        if local(root.tag) != "Project" or not root.tag.startswith("{urn:QDA-XML:project"):
            raise InvalidInputError(
                f"{archive}: {qde} is not a QDA-XML project (root element {local(root.tag)!r})."
            )
        _check_schema_version(root.tag, archive)
        qp = parse_project(root)
        _check_project(qp, archive)
        return zf, qp
    except BaseException:
        zf.close()
        raise


def _check_project(qp: QProject, archive: Path) -> None:
    for code in qp.codes:
        if not code.guid:
            raise InvalidInputError(f"{archive}: a code ({code.name!r}) has no guid; refused.")
    for src in qp.sources:
        if not src.guid:
            raise InvalidInputError(f"{archive}: a source ({src.name!r}) has no guid; refused.")


def _check_schema_version(tag: str, archive: Path) -> None:
    """Refuse a project of a newer QDA-XML schema than 1.x (never read it half-understood)."""
    namespace = tag[1:].split("}", 1)[0]
    version = namespace.rsplit(":", 1)[-1]
    major = version.split(".", 1)[0]
    if major.isdigit() and int(major) > 1:
        raise InvalidInputError(
            f"{archive} was written in a newer REFI-QDA format (QDA-XML {version}); this "
            "FieldScribe reads QDA-XML 1.0. Nothing was imported; export it from the other "
            "tool as REFI-QDA 1.0 (QDA-XML 1.0), or update FieldScribe."
        )


def import_qdpx_into(
    project: Project, archive: str | Path, *, limits: ZipLimits | None = None
) -> ImportReport:
    """Import a ``.qdpx`` into an open project, in one transaction.

    Raises:
        InvalidInputError: the archive or its XML is unsafe or malformed (nothing is written).
    """
    archive = Path(archive).expanduser()
    zf, qp = read_qde(archive, limits)
    importer = _Importer(project, qp, zf, str(archive))
    try:
        with project.transaction():
            report = importer.run()
    except BaseException:
        for path in importer.copied:
            path.unlink(missing_ok=True)
        raise
    finally:
        zf.close()
    return report


def import_qdpx(
    archive: str | Path,
    folder: str | Path,
    *,
    coder: str,
    limits: ZipLimits | None = None,
) -> ImportReport:
    """Import a ``.qdpx`` into a project folder: a new one (created) or an existing project.

    The archive is checked and parsed before anything is written. A new folder is removed again
    when the import fails; an existing project is changed in one transaction or not at all.

    Args:
        archive: the ``.qdpx`` file.
        folder: a new (absent or empty) folder, or an existing FieldScribe project.
        coder: the importing coder (owner of a new project).
        limits: limits on the archive (defaults are generous).

    Raises:
        InvalidInputError: the archive is unsafe or not a REFI-QDA project.
    """
    from storage.project import DB_NAME, Project

    archive = Path(archive).expanduser()
    folder = Path(folder).expanduser()
    if not archive.is_file():
        raise InvalidInputError(f"{archive}: no such file.")
    zf, qp = read_qde(archive, limits)  # refuse bad archives before creating anything
    zf.close()
    existing = (folder / DB_NAME).is_file()
    if existing:
        with Project.open(folder, coder=coder) as project:
            return import_qdpx_into(project, archive, limits=limits)
    created = not folder.exists()
    project = Project.create(folder, name=qp.name or archive.stem, coder=coder)
    try:
        with project:
            return import_qdpx_into(project, archive, limits=limits)
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for child in list(folder.iterdir()):
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        child.unlink()
        raise


__all__ = ["FieldScribeError", "ImportReport", "import_qdpx", "import_qdpx_into", "read_qde"]

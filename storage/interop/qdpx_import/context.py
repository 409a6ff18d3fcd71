"""What every part of a REFI-QDA import shares: the project, the parsed file, the report,
the maps from the file's GUIDs to the rows made, and small helpers."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from storage.core.atomic import RenameList
from storage.core.ids import new_id, now_iso
from storage.core.names import clean_name
from storage.core.words import plural, verb

from .._common import ORIGIN, decode_text, quoted
from ..qdpx_parse import QProject, QSelection
from ..safe_zip import SafeZip
from .item_lines import ItemLines, Say

if TYPE_CHECKING:
    from storage.project import Project

#: the case line FieldScribe writes for every speaker label: "speaker LABEL in session GUID"
SPEAKER_LINE = re.compile(r"^speaker (.+) in session \{?([0-9a-fA-F-]{36})\}?\s*$")
_MAX_TEXT_BYTES = 64 * 1024**2
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # UTF-8, UTF-16 LE and BE
#: why a text the archive names as its own (``internal://``) is missing, and what to do
INCOMPLETE = (
    "a copy cut short, or an export that failed: the rest was imported; import the file again "
    "into this project once it is whole, and what is missing is added, nothing doubled"
)
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")  # C:\data\a.txt: a path on the exporter's disk


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
    #: media named outside the archive: found in the media folder (the copied file), and
    #: still missing (the path the file gives), so that a caller can offer to look for them
    media_found: list[str] = field(default_factory=list)
    media_missing: list[str] = field(default_factory=list)
    not_imported: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the file's codes that are codes here by a name differing only in letter case
    #: ("госуслуги" for "Госуслуги"): the project's spelling was kept
    codes_matched_by_case: int = 0
    #: the file's codes that are codes here whose colour the file gives otherwise: the
    #: project's colour was kept (every codebook format alike)
    colours_kept: int = 0
    #: the file's codes that are codes here with a description of their own that the file
    #: gives otherwise: the project's description was kept (every codebook format alike)
    descriptions_kept: int = 0
    #: codes here without a description that took the file's
    descriptions_filled: int = 0
    #: every line said of one item (a selection, a coding, a code) in full, in order: the
    #: report groups many items of one kind and source into one line (``item``)
    item_lines: list[str] = field(default_factory=list)
    _items: ItemLines = field(default_factory=ItemLines, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.item_lines = self._items.every

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def item(
        self,
        not_imported: bool,
        kind: str,
        where: str,
        line: str,
        example: str,
        say: Say,
    ) -> None:
        """Say ``line`` of one item (in ``not_imported``, else in ``notes``), grouped with the
        others of its ``kind`` in source ``where`` ("'Interview 1'", "" for none) into one
        line ``say(count, examples)`` (``item_lines.ItemLines.add``)."""
        lines = self.not_imported if not_imported else self.notes
        self._items.add(lines, kind, where, line, example, say)

    def code_match(
        self,
        theirs: str,
        ours: str,
        their_colour: str | None,
        colour: str,
        their_description: str | None = None,
        description: str | None = None,
    ) -> str | None:
        """Count a code of the file found here (named ``theirs`` there, ``ours`` here; its
        colour ``their_colour`` there as ``#rrggbb``, or None, and ``colour`` here; its
        description ``their_description`` there and ``description`` here).

        Returns the file's description when the code here has none (the caller stores it),
        else None: a description the project has is kept, in every codebook format."""
        self.codes_reused += 1
        if clean_name(theirs) != clean_name(ours):
            self.codes_matched_by_case += 1
        if their_colour and their_colour.lower() != colour.lower():
            self.colours_kept += 1
        given = (their_description or "").strip()
        if not given:
            return None
        ours = (description or "").strip()
        if not ours:
            self.descriptions_filled += 1
            return their_description
        if given != ours:
            self.descriptions_kept += 1
        return None

    def note_code_matches(self) -> None:
        """Say how many codes were found by a name in another letter case, and how many kept
        the project's colour (``code_match`` counted them)."""
        if self.codes_matched_by_case:
            n = self.codes_matched_by_case
            self.notes.append(
                f"{plural(n, 'code')} of the file {verb(n, 'matches', 'match')} a code here "
                "named the same in another letter case (code names are matched whatever "
                "their case); the codebook's spelling was kept."
            )
        if self.colours_kept:
            n = self.colours_kept
            self.notes.append(
                f"{plural(n, 'code')} already here {verb(n, 'has', 'have')} another colour in "
                "the file; the codebook's colour was kept (Colour… in the codebook changes it)."
            )
        if self.descriptions_kept:
            n = self.descriptions_kept
            self.notes.append(
                f"{plural(n, 'code')} already here {verb(n, 'has', 'have')} another description "
                "in the file; the codebook's description was kept (Edit… in the codebook "
                "changes it)."
            )
        if self.descriptions_filled:
            n = self.descriptions_filled
            self.notes.append(
                f"{plural(n, 'code')} already here without a description took the file's."
            )

    def describe(self) -> str:
        """Return a human summary, one fact per line."""
        lines = [
            f"Imported {self.source} into {self.project}: {plural(self.sessions, 'session')}, "
            f"{plural(self.segments, 'segment')}, {plural(self.codes, 'new code')} "
            f"({self.codes_reused} reused), {plural(self.codings, 'coding')}, "
            f"{plural(self.participants, 'participant')}, {plural(self.memos, 'memo')}, "
            f"{plural(self.markers, 'marker')}, {plural(self.media_files, 'media file')}."
        ]
        lines += [f"  note: {n}" for n in self.notes]
        if self.not_imported:
            lines.append("Not imported (FieldScribe has no place for it, or it could not be read):")
            lines += [f"  - {n}" for n in self.not_imported]
        return "\n".join(lines)


class ImportContext:
    """One import's state, handed to each of its parts (codes, sources, media, people)."""

    def __init__(
        self,
        project: Project,
        qp: QProject,
        zf: SafeZip | None,
        label: str,
        media_dir: Path | None = None,
    ) -> None:
        self.p = project
        self.media_dir = media_dir  # the folder the user named for media outside the archive
        self.qp = qp
        self.zf = zf
        self.label = label
        self.report = ImportReport(source=label, project=str(project.folder))
        self.report.notes += qp.read_notes
        self.languages: dict[str, list[str]] = {}  # source GUID -> its languages, if said
        self.line_languages: dict[str, str] = {}  # source GUID -> "Segment languages" value
        self.conn: sqlite3.Connection = project.store.conn
        self.code_map: dict[str, str] = {}
        self.session_map: dict[str, str] = {}
        self.reused_sources: list[str] = []  # sources imported before (same GUID), kept
        self.reused_cases = 0
        self.code_order: list[str] = []  # code ids in the file's order (exchange_meta)
        self.no_colour: dict[str, str] = {}  # codes the file gave no colour: the one given
        #: codes named apart here (``exchange_meta.CODE_NAMES``): [file's name, name given]
        self.code_names: dict[str, list[str]] = {}
        self.crlf_sessions: list[str] = []  # text sources written with CRLF line ends
        self.marked_labels: list[str] = []  # segments: "#00:00:01-0# NAME: text" lines
        self.video_sessions: list[str] = []  # sessions of a VideoSource
        self.coding_ids: dict[str, list[str]] = {}
        #: sessions whose transcript's text is missing (no segments made in its place)
        self.textless: set[str] = set()
        #: coding id -> its own time range where its segment spans more (``ranges``)
        self.time_ranges: dict[str, list[int]] = {}
        #: coding id -> the first coding made of the same code of a whole source (``ranges``)
        self.whole_codings: dict[str, str] = {}
        self.note_targets: dict[str, list[tuple[str, str | None]]] = {}
        #: the notes on a source, or on its selections and codings, whose text could not be
        #: read (``unread_notes``): journal memos where nothing else refers to them
        self.unread_notes: set[str] = set()
        self.copied: list[Path] = []
        #: where each copy is listed before it is written (``atomic.renaming``): a kill
        #: before the commit leaves nothing the next open cannot tell from a user's file
        self.listed: RenameList | None = None
        #: text paths whose file began with a byte order mark (``positions.readings``)
        self.bom_paths: set[str] = set()
        self.skipped_cases: set[str] = set()  # cases that only carry a source's variables
        self.note_links = 0  # Links between a note and a selection or case, read as NoteRefs
        self.note_link_pairs: set[tuple[str, str]] = set()  # (origin, target) of those
        #: notes a ``Link``'s ``NoteRef`` names and nothing else places: the link's memo
        #: (``qdpx_links.keep_links``), read by ``people.import_notes``: {guid: (name, text)}
        self.link_notes: dict[str, tuple[str | None, str]] = {}
        self.case_map: dict[str, str] = {}  # case GUID -> its participant's id
        #: selection GUID -> the codings made of it (``links``: a link's end)
        self.selection_codings: dict[str, list[str]] = {}
        self.case_names: dict[str, str] = {}  # participant id -> its case's name
        self.unknown_codes: dict[str, int] = {}  # code GUIDs codings name that are no code
        self.fieldscribe = qp.origin.startswith(ORIGIN)
        self._name_users()
        #: codings whose coding, selection and user list name no user: how many, given to whom
        self.no_user_codings = 0
        #: the user GUIDs codings name in a file without a user list -> their coders' names
        self.unlisted_users: dict[str, str] = {}
        self.unlisted_codings = 0
        #: the exporter counts a Windows line end as one character (ATLAS.ti), not two
        self.crlf_as_one = "ATLAS" in qp.origin.upper()
        # FieldScribe writes a case line "speaker LABEL in session GUID" for every label.
        self.known_speakers: dict[str, set[str]] = {}
        if self.fieldscribe:
            for src in qp.sources:
                self.known_speakers[src.guid] = set()
            for case in qp.cases:
                for line in (case.description or "").splitlines():
                    match = SPEAKER_LINE.match(line.strip())
                    if match:
                        label, guid = match.group(1), match.group(2).lower()
                        self.known_speakers.setdefault(guid, set()).add(label)

    def _name_users(self) -> None:
        """One coder per user GUID: a user named like one before it (two "Administrator"s
        of two computers, as NVivo and ATLAS.ti keep them apart by GUID) is "NAME (2)", so that
        their codings stay two coders' (agreement needs them apart)."""
        taken: dict[str, int] = {}
        for guid, name in list(self.qp.users.items()):
            taken[name] = taken.get(name, 0) + 1
            if taken[name] > 1:
                n = taken[name]
                while f"{name} ({n})" in self.qp.users.values():
                    n += 1
                self.qp.users[guid] = f"{name} ({n})"
                self.report.notes.append(
                    f"Two users of the file are named {name!r} (GUIDs {guid} and one before); "
                    f"this one's work is the coder {self.qp.users[guid]!r}."
                )

    def user(self, guid: str | None, *fallbacks: str | None) -> str:
        for g in (guid, *fallbacks):
            if g and g in self.qp.users:
                return self.qp.users[g]
        return self.p.coder

    def coder(self, guid: str | None, *fallbacks: str | None, count: bool = True) -> str:
        """The coder of a coding: its user, else its selection's; where neither names a user
        of the file (QualCoder writes none on a transcript's codings), the file's only user,
        else the importing coder (counted for the report, unless ``count`` is False)."""
        if any(g and g in self.qp.users for g in (guid, *fallbacks)):
            return self.user(guid, *fallbacks)
        named = next((g for g in (guid, *fallbacks) if g), None)
        if named and not self.qp.users:
            # a file without a user list whose codings name their users (GUIDs): a coder of
            # each, so that two coders stay two (all went to the importing coder, as if they
            # had coded them, and agreement had one coder)
            name = self.unlisted_users.setdefault(named, f"user {named[:8]}")
            self.ensure_coder(name)
            self.unlisted_codings += count
            return name
        self.no_user_codings += count
        if len(set(self.qp.users.values())) == 1:
            return next(iter(self.qp.users.values()))
        return self.p.coder

    def known_coding(self, guid: str) -> bool:
        """Whether the project holds a coding of this GUID, or held one and it was deleted."""
        return bool(guid) and (self.exists("codings", guid) or self.deleted("codings", guid))

    def deleted(self, table: str, row_id: str) -> bool:
        """Whether a row of this id was deleted from the project (its tombstone)."""
        return (
            self.conn.execute(
                "SELECT 1 FROM deletions WHERE table_name = ? AND row_id = ?", (table, row_id)
            ).fetchone()
            is not None
        )

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

    def read_text(
        self, path: str | None, inline: str | None, what: str, missing: list[str] | None = None
    ) -> str | None:
        """The text at ``path`` (else ``inline``); a file in neither the archive nor the media
        folder, or one holding binary data, is said in ``missing`` where given, why without the
        source's name (the caller may read its rich text instead, or say it with what that
        costs), else in the report's not imported."""
        if not path:
            return inline
        member = self.member(path)
        if member is None:
            found = self._outside_text(path, what)
            if found is not None:
                return found
            why = (
                f"its text {quoted(path)} is missing from the archive, which names it as its "
                f"own ({INCOMPLETE})"
                if path.lower().startswith("internal://")
                else f"its text {quoted(path)} is not inside the archive"
                + (
                    f" nor in the media folder {quoted(str(self.media_dir))}"
                    if self.media_dir is not None
                    else " (only files inside it are read, never a path on another computer; "
                    "import it again naming the folder that holds the file)"
                )
            )
            if missing is None:
                self.report.not_imported.append(f"{what}: {why}.")
            else:
                missing.append(why)
            return inline
        assert self.zf is not None
        data = self.zf.read(member, _MAX_TEXT_BYTES)
        if data.startswith(_BOMS):
            self.bom_paths.add(path)
        text = decode_text(data)
        if "\x00" in text:
            # binary data (text never holds a NUL; a zip, audio, a PDF do): its bytes as letters
            # would be the source's text, its codings placed on them
            why = (
                f"its text {quoted(path)} holds no text ({_binary_kind(data)}), so it could not be "
                "read; export it again from the program that made it"
            )
            if missing is None:
                self.report.not_imported.append(f"{what}: {why}.")
            else:  # the caller says it once, with what it costs (``sources.unread_line``)
                missing.append(why)
            return None
        return text

    def unread(self, notes: list[str], selections: list[QSelection]) -> None:
        """The notes of a source or transcript whose text could not be read: on it, on its
        selections and on their codings (the journal keeps them, the report says so)."""
        self.unread_notes.update(notes)
        for sel in selections:
            self.unread_notes.update(sel.notes)
            for coding in sel.codings:
                self.unread_notes.update(coding.notes)

    def read_file(self, path: str) -> bytes | None:
        """The bytes of a file a source names (a rich text ``.docx``): inside the archive, else
        in the media folder the user named; None where it is in neither or is too large."""
        member = self.member(path)
        if member is not None:
            assert self.zf is not None
            return self.zf.read(member, _MAX_TEXT_BYTES)
        from .external import find_media

        found = find_media(self.media_dir, path) if self.media_dir is not None else None
        try:
            if found is None or found.stat().st_size > _MAX_TEXT_BYTES:
                return None
            return found.read_bytes()
        except OSError:
            return None

    def _outside_text(self, path: str, what: str) -> str | None:
        """A text file the source names outside the archive, looked for by its name in the
        folder the user named (as recordings are: ``external.find_media``); None if not there."""
        from .external import find_media

        found = find_media(self.media_dir, path) if self.media_dir is not None else None
        if found is None:
            return None
        try:
            if found.stat().st_size > _MAX_TEXT_BYTES:
                self.report.not_imported.append(f"{what}: its text {str(found)!r} is too large.")
                return None
            data = found.read_bytes()
        except OSError as exc:
            self.report.not_imported.append(
                f"{what}: its text was found as {str(found)!r} but cannot be read "
                f"({exc.strerror or exc})."
            )
            return None
        self.report.notes.append(
            f"{what}: its text {quoted(path)} (outside the archive) was read from the media folder "
            f"as {found.name!r}."
        )
        return decode_text(data)

    def member(self, path: str) -> str | None:
        """The archive member a source path names (``archive_member``)."""
        return archive_member(self.zf, self.qp.folder, path)

    def code_label(self, guid: str) -> str:
        for code in self.qp.codes:
            if code.guid == guid:
                return repr(code.name)
        return guid


def archive_member(zf: SafeZip | None, folder: str, path: str) -> str | None:
    """The archive member a source path names: ``internal://NAME`` (in ``sources/``), or a bare
    ``NAME`` (no scheme: cproctor's qc writes so), below the folder of the archive's
    ``project.qde`` (``folder``); None for anything outside."""
    scheme, sep, rest = path.partition("://")
    if zf is None or (sep and scheme.lower() != "internal") or _DRIVE.match(path):
        return None
    # tools write the name as is, URI-escaped (%20, %D0%98...), with Windows separators,
    # or after a third slash ("internal:///name")
    raw = (rest if sep else path).replace("\\", "/").lstrip("/")
    prefix = f"{folder}/" if folder else ""
    for name in dict.fromkeys((raw, unquote(raw))):
        for candidate in (f"sources/{name}", f"Sources/{name}", name):
            found = zf.find(prefix + candidate)
            if found is not None:
                return found
    return None


def _binary_kind(data: bytes) -> str:
    """What binary data named as a text file seems to be, as ``"a zip archive"``."""
    for magic, kind in (
        (b"PK\x03\x04", "a zip archive"),
        (b"%PDF", "a PDF"),
        (b"RIFF", "audio or video"),
        (b"\xd0\xcf\x11\xe0", "an old Office document"),
    ):
        if data.startswith(magic):
            return kind
    return "binary data"

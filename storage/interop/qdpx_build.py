"""A project as REFI-QDA's ``project.qde`` (the XML of a ``.qdpx``; ``qdpx_export`` writes the
archive).

Mapping (QDA-XML 1.0, ``Project-mrt2019.xsd``):

- coders -> ``Users`` (GUIDs derived from the project id and the coder name);
- the codebook -> nested ``Code`` elements with colours, descriptions and ``NoteRef`` to memos;
- a session with audio -> ``AudioSource`` (``VideoSource`` for video files) whose media is
  copied into ``sources/``, with one ``Transcript`` (a plain-text file, one line per segment,
  ``SPEAKER: text``) carrying ``SyncPoint``s at each segment's text start and end and one
  ``TranscriptSelection`` per coding (whole segment or code-point span); markers become
  ``AudioSelection``s without codings; a coding of a segment of speech without transcript (no
  text typed) an ``AudioSelection`` (``VideoSelection``) with the coding over the time range
  it codes (its own, ``exchange_meta.TIME_RANGES``, where overlapping ranges share the segment),
  and so is a coding of a range another tool coded on a transcript while it still fits
  (``own_ranges``);
- a session without audio -> ``TextSource`` with ``PlainTextSelection``s (one with speech
  without transcript: an ``AudioSource`` without a ``path``, so that its times stay, a
  ``VideoSource`` where it came from one, ``exchange_meta.VIDEO_SESSIONS``);
- participants and unmapped speaker labels -> ``Cases`` with ``VariableValue``s and
  ``SourceRef``s; session kind/date/place/moderator -> source ``VariableValue``s;
- memos -> ``Notes`` referenced from the project, sources, codes, codings or segments.
- which model wrote a session's transcript -> a line in its source's ``Description`` after
  the session's notes (``transcript_models.model_line``).

QDA-XML has no place for a language (no ``xml:lang`` or language attribute on sources,
transcripts or selections): a source's languages go in its "Languages" variable and, where its
segments are not all in one language, each segment's in its "Segment languages" variable (the
transcript's line numbers and their codes, ``_common.line_languages_value``), Text variables
that other tools show as the source's attributes; speech without transcript is the line
``[speech without transcript]`` (``UNTRANSCRIBED_TEXT``), read back as such on import.

Every GUID is stable: our row ids are UUIDs already, and elements without a row (sync points,
transcripts, users, variables) get uuid5 GUIDs derived from the ids they belong to.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from storage.core.models import Code, Coding, Memo, Segment, Session
from storage.core.words import plural

from . import exchange_meta, qdpx_links
from ._common import (
    LANGUAGES_VARIABLE,
    LINE_LANGUAGES_DESCRIPTION,
    LINE_LANGUAGES_VARIABLE,
    ORIGIN,
    UNTRANSCRIBED_TEXT,
    as_guid,
    derived_guid,
    languages_description,
    line_languages_value,
    segment_line,
    xml_datetime,
)
from .project_description import described_by
from .qdpx_xml import (
    SESSION_VARIABLES,
    VIDEO_SUFFIXES,
    _clean,
    _g,
    _q,
    _sub,
    _text,
    span_time,
)
from .text_lines import LineEnds, text_source_line
from .transcript_models import model_line

if TYPE_CHECKING:
    from storage.project import Project


def _overlaps(span: tuple[int, int], seg: Segment) -> bool:
    """Whether a time range overlaps a segment (a point range: lies within it)."""
    begin, end = span
    return seg.start_ms < max(end, begin + 1) and seg.end_ms > begin


def session_languages(segments: list[Segment]) -> str:
    """The languages of a session's segments, most spoken first ("ru, kk, en")."""
    spoken: dict[str, int] = {}
    for seg in segments:
        if seg.language:
            spoken[seg.language] = spoken.get(seg.language, 0) + seg.end_ms - seg.start_ms + 1
    return ", ".join(sorted(spoken, key=lambda code: -spoken[code]))


_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,17})\.[0-9]{1,12}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?"
)


def _is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    """Whether a value is an xsd:dateTime as ``datetime.isoformat`` writes one (a date, "T",
    the time to the second or finer, and an offset of at most 14 hours or "Z" where it has
    one)."""
    if not _DATETIME.fullmatch(value):
        return False
    try:
        offset = datetime.fromisoformat(value).utcoffset()
    except ValueError:
        return False
    return offset is None or abs(offset) <= timedelta(hours=14)


def variable_type(values: list[str]) -> tuple[str, str]:
    """A participant attribute's QDA-XML type and value element: Integer, Float, Boolean,
    Date or DateTime where every value is written so, to the character (an import of another
    tool's Integer "Age" exported it again as Text); else Text. A value that would read
    differently as a number ("007", "1e3") keeps the whole attribute Text. An empty value is
    none (``cases`` writes no value of a typed variable for it)."""
    values = [v for v in values if v != ""]
    if values:
        for kind, fits in (
            ("Integer", _INTEGER.fullmatch),
            ("Float", _DECIMAL.fullmatch),
            ("Boolean", lambda v: v in ("true", "false")),
            ("Date", _is_date),
            ("DateTime", _is_datetime),
        ):
            if all(fits(v) for v in values):
                return kind, f"{kind}Value"
    return "Text", "TextValue"


class QdeBuilder:
    """Builds ``project.qde`` for a project; ``files`` then holds what goes in ``sources/``."""

    def __init__(self, project: Project, with_media: bool) -> None:
        self.p = project
        self.with_media = with_media
        self.relative_media = False  # a source points at relative:// (then basePath is set)
        self.user_guids = exchange_meta.user_guids(project)  # users' GUIDs an import kept
        self.code_rank = exchange_meta.code_rank(project)
        self.no_colour = exchange_meta.no_colour(project)
        self.code_names = exchange_meta.code_names(project)  # codes named apart on import
        self.crlf = exchange_meta.crlf_sessions(project)
        self.videos = exchange_meta.video_sessions(project)  # imported from a VideoSource
        self.marked = exchange_meta.marked_labels(project)  # "#00:00:01-0# NAME: text" lines
        self.labels_in: dict[str, tuple[int, int]] = {}  # segment -> its label (at, length)
        self.case_notes = exchange_meta.case_notes(project)  # journal memo -> its participant
        self.time_ranges = exchange_meta.time_ranges(project)  # coding -> its own time range
        self.whole_codings = exchange_meta.whole_codings(project)  # coding -> its group
        self.as_whole: set[str] = set()  # this source's codings written as one on the source
        self.pid = project.id or derived_guid("project", str(project.folder))
        self.files: list[tuple[str, bytes | Path]] = []
        self.summary_notes: list[str] = []
        # blind coding: other coders' codings and their memos on the material stay out of
        # a blind coder's export, as they stay out of the workbench
        self.blind = project.team.blind_coding
        everyone = project.codebook.memos()
        self.memos = project.team.seen_memos(everyone)
        hidden = len(everyone) - len(self.memos)
        # the project's description: its ``Description``, no note (``project_description``)
        self.description = described_by(self.memos)
        self.memos = [m for m in self.memos if m is not self.description]
        if self.blind:
            self.summary_notes.append(
                "Blind coding is on: only your own codings and memos were exported"
                + (f" ({plural(hidden, 'memo')} of other coders left out)." if hidden else ".")
            )
        self.memos_by_target: dict[tuple[str, str | None], list[Memo]] = defaultdict(list)
        for memo in self.memos:
            self.memos_by_target[(memo.target_type, memo.target_id)].append(memo)
        self.codes = project.codebook.codes()
        self.code_ids = {c.id for c in self.codes}
        self.counts: dict[str, int] = defaultdict(int)
        # a user's GUID derived once (it was for every coding: a second of a focus-group
        # series' 3.5 s export)
        self._derived_users: dict[str, str] = {}

    def user(self, name: str | None) -> str | None:
        if not name:
            return None
        guid = self.user_guids.get(name) or self._derived_users.get(name)
        if guid is None:
            guid = self._derived_users[name] = derived_guid(self.pid, "user", name)
        return guid

    def variable_guid(self, scope: str, name: str) -> str:
        return derived_guid(self.pid, "variable", scope, name)

    # ------------------------------------------------------------------ parts
    def build(self) -> ET.Element:
        p = self.p
        meta = p.metadata()
        origin = exchange_meta.project_origin(p)  # the imported project's own date and creator
        owner = origin.get("creator") or meta.get("owner") or meta.get("created_by") or p.coder
        root = ET.Element(
            _q("Project"),
            {
                k: v
                for k, v in {
                    "name": p.name,
                    "origin": f"{ORIGIN} {p.schema_version}",
                    "creatingUserGUID": self.user(owner),
                    "creationDateTime": origin.get("created")
                    or xml_datetime(meta.get("created_at")),
                }.items()
                if v
            },
        )
        self.sessions = p.sessions.all()
        self.participants = p.sessions.participants()
        coder_names = {c.name for c in p.coders.all()}
        self.codings_by_segment: dict[str, list[Coding]] = defaultdict(list)
        for coding in p.codebook.codings(coder=p.team.blind_coder):
            self.codings_by_segment[coding.segment_id].append(coding)
            coder_names.add(coding.coder)
        coder_names.update(m.created_by for m in self.memos if m.created_by)
        if owner:
            coder_names.add(owner)
        users = _sub(root, "Users")
        for name in sorted(coder_names):
            _sub(users, "User", guid=self.user(name), name=name)
        if self.codes:
            self.codebook(_sub(root, "CodeBook"))
        self.variables(root)
        self.cases(root)
        if self.sessions:
            sources = _sub(root, "Sources")
            for session in self.sessions:
                self.source(sources, session)
        if self.memos:
            notes = _sub(root, "Notes")
            for memo in self.memos:
                self.note(notes, memo)
        self.links(root)
        self.counts["links"] += qdpx_links.write_links(root, qdpx_links.kept_links(p))
        if self.description is not None:
            _text(root, "Description", self.description.text)
        for memo in self.memos_by_target.get(("project", None), []):
            _sub(root, "NoteRef", targetGUID=_g(memo.id))
        if self.relative_media:  # relative:// paths resolve against the project's media folder
            root.set("basePath", str((Path(self.p.folder) / "media").resolve()))
        return root

    def codebook(self, book: ET.Element) -> None:
        children: dict[str | None, list[Code]] = defaultdict(list)
        for code in self.codes:
            parent = code.parent_id if code.parent_id in self.code_ids else None
            children[parent].append(code)

        def order(codes: list[Code]) -> list[Code]:
            # the imported file's order first (sibling order survives), then by name
            end = len(self.code_rank)
            return sorted(codes, key=lambda c: (self.code_rank.get(c.id, end), c.name.lower()))

        def add(parent_el: ET.Element, code: Code) -> None:
            name = code.name
            theirs, given = self.code_names.get(code.id, (None, None))
            if theirs is not None and given == code.name:  # named apart on import: as it was
                name = theirs
            attrs = {"guid": _g(code.id), "name": name, "isCodable": "true"}
            if self.no_colour.get(code.id) != code.colour:  # it had none: still none
                attrs["color"] = code.colour.upper()
            el = _sub(parent_el, "Code", **attrs)
            if code.description:
                _text(el, "Description", code.description)
            for memo in self.memos_by_target.get(("code", code.id), []):
                _sub(el, "NoteRef", targetGUID=_g(memo.id))
            for child in order(children.get(code.id, [])):
                add(el, child)
            self.counts["codes"] += 1

        codes_el = _sub(book, "Codes")
        for top in order(children.get(None, [])):
            add(codes_el, top)

    def variables(self, root: ET.Element) -> None:
        self.attr_names = sorted({k for part in self.participants for k in part.attributes})
        self.session_vars = [
            (key, label)
            for key, label in SESSION_VARIABLES
            if any(getattr(s, key) for s in self.sessions)
        ]
        self.languages: dict[str, str] = {}
        self.line_languages: dict[str, str] = {}
        for session in self.sessions:  # each session's segments read once for both
            segments = self.p.transcript.segments(session.id)
            self.languages[session.id] = session_languages(segments)
            spoken = [seg.language for seg in segments]
            if len(set(spoken)) > 1 and any(spoken):  # not one language for every segment
                self.line_languages[session.id] = line_languages_value(spoken)
        if any(self.languages.values()) or self.p.languages:
            self.session_vars.append(("", LANGUAGES_VARIABLE))
        if self.line_languages:
            self.session_vars.append(("", LINE_LANGUAGES_VARIABLE))
        if not self.attr_names and not self.session_vars:
            return
        el = _sub(root, "Variables")
        self.attr_types = {
            name: variable_type(
                [str(p.attributes[name]) for p in self.participants if name in p.attributes]
            )
            for name in self.attr_names
        }
        for name in self.attr_names:
            _sub(
                el,
                "Variable",
                guid=self.variable_guid("case", name),
                name=name,
                typeOfVariable=self.attr_types[name][0],
            )
        for _key, label in self.session_vars:
            variable = _sub(
                el,
                "Variable",
                guid=self.variable_guid("source", label),
                name=label,
                typeOfVariable="Text",
            )
            if label == LINE_LANGUAGES_VARIABLE:
                _text(variable, "Description", LINE_LANGUAGES_DESCRIPTION)
            elif label == LANGUAGES_VARIABLE:
                _text(variable, "Description", languages_description(list(self.p.languages)))

    def cases(self, root: ET.Element) -> None:
        # participant id -> [(session id, label)], and unmapped labels per session
        mapped: dict[str, list[tuple[str, str]]] = defaultdict(list)
        unmapped: list[tuple[str, str]] = []
        for session in self.sessions:
            for speaker in self.p.sessions.session_speakers(session.id):
                if speaker.participant_id:
                    mapped[speaker.participant_id].append((session.id, speaker.label))
                else:
                    unmapped.append((session.id, speaker.label))
        if not self.participants and not unmapped:
            return
        cases_el = _sub(root, "Cases")
        for part in self.participants:
            case = _sub(cases_el, "Case", guid=_g(part.id), name=part.pseudonym)
            links = mapped.get(part.id, [])
            if links:
                _text(
                    case,
                    "Description",
                    "\n".join(f"speaker {label} in session {_g(sid)}" for sid, label in links),
                )
            for name, value in sorted(part.attributes.items()):
                if str(value) == "" and self.attr_types[name][0] != "Text":
                    continue  # no value: an empty one is no number, date or truth value
                vv = _sub(case, "VariableValue")
                _sub(vv, "VariableRef", targetGUID=self.variable_guid("case", name))
                _text(vv, self.attr_types[name][1], str(value))
            for sid in sorted({sid for sid, _ in links}):
                _sub(case, "SourceRef", targetGUID=_g(sid))
            self.counts["cases"] += 1
        for sid, label in unmapped:
            case = _sub(
                cases_el, "Case", guid=derived_guid(self.pid, "speaker", sid, label), name=label
            )
            _text(case, "Description", f"speaker {label} in session {_g(sid)}")
            _sub(case, "SourceRef", targetGUID=_g(sid))
            self.counts["cases"] += 1

    def note(self, notes: ET.Element, memo: Memo) -> None:
        el = _sub(
            notes,
            "Note",
            guid=_g(memo.id),
            name=memo.title,
            creatingUser=self.user(memo.created_by),
            creationDateTime=xml_datetime(memo.created_at),
            modifiedDateTime=xml_datetime(memo.updated_at),
        )
        if memo.target_type == "journal" and memo.id not in self.case_notes:
            _text(el, "Description", "journal")
        _text(el, "PlainTextContent", memo.text)
        self.counts["notes"] += 1

    def links(self, root: ET.Element) -> None:
        """A note an import found on a case: a ``Link`` between the note and the case (the
        schema's ``Case`` holds no ``NoteRef``)."""
        participants = {part.id for part in self.participants}
        journal = {m.id for m in self.memos if m.target_type == "journal"}
        pairs = sorted(
            (memo_id, pid)
            for memo_id, pid in self.case_notes.items()
            if memo_id in journal and pid in participants
        )
        if not pairs:
            return
        links = _sub(root, "Links")
        for memo_id, pid in pairs:
            _sub(
                links,
                "Link",
                guid=derived_guid(memo_id, "case-link"),
                name="Note on case",
                direction="OneWay",
                originGUID=_g(memo_id),
                targetGUID=_g(pid),
            )

    # ------------------------------------------------------------------ sources
    def source(self, sources: ET.Element, session: Session) -> None:
        segments = self.p.transcript.segments(session.id)
        media = self.p.sessions.media_for_session(session.id)
        # speech without transcript is a recording's, also where the project lacks the file (a
        # video QualCoder kept outside its archive): a text source would drop its time ranges
        # and so are the codings of a recording's time ranges (``own_ranges``)
        timed = (
            bool(media)
            or any(s.untranscribed and not s.text.strip() for s in segments)
            or any(
                c.id in self.time_ranges
                for s in segments
                for c in self.codings_by_segment.get(s.id, ())
            )
        )
        lines: list[str] = []
        offsets: list[tuple[int, int]] = []  # text start, text end in the whole transcript
        pos = 0
        for seg in segments:
            if timed:
                shown = UNTRANSCRIBED_TEXT if seg.untranscribed and not seg.text else seg.text
                line, text_at = segment_line(seg.speaker, shown)
            else:  # a text source: its text as it is, line breaks and all (see split_text_source)
                line, text_at, label_at = text_source_line(
                    seg.speaker, seg.text, seg.id in self.marked
                )
                if label_at is not None and seg.speaker:
                    self.labels_in[seg.id] = (label_at, len(seg.speaker) + 2)
            start = pos + text_at
            offsets.append((start, pos + len(line)))
            lines.append(line)
            pos += len(line) + 1
        transcript = "\n".join(lines)
        self.counts["segments"] += len(segments)
        whole = self.whole(segments)
        self.as_whole = {coding.id for group in whole for coding in group}
        if timed:
            el = self.audio_source(sources, session, segments, offsets, transcript, media)
        else:
            el = self.text_source(sources, session, segments, offsets, transcript)
        self.whole_source_codings(el, whole)
        self._source_tail(el, session)
        self.counts["sources"] += 1

    def whole(self, segments: list[Segment]) -> list[list[Coding]]:
        """The codings an import made of one code of the whole source (``Coding`` on the
        source itself; ``exchange_meta.WHOLE_CODINGS``) that still code every segment of it,
        alike (one code and coder, no span, no memo), the first made first: each such group
        goes out as that one ``Coding`` again. A group that no longer covers the source (a
        segment added, a coding removed or given a memo) goes out per segment."""
        by_group: dict[str, list[Coding]] = defaultdict(list)
        for seg in segments:
            for coding in self.codings_by_segment.get(seg.id, []):
                group = self.whole_codings.get(coding.id)
                if group is not None:
                    by_group[group].append(coding)
        every = {seg.id for seg in segments}
        whole: list[list[Coding]] = []
        for group, codings in by_group.items():
            first = next((c for c in codings if c.id == group), None)
            if (
                first is not None
                and len(codings) == len(every)
                and {c.segment_id for c in codings} == every
                and all(
                    (c.code_id, c.coder, c.start_cp, c.end_cp, c.memo or None)
                    == (first.code_id, first.coder, None, None, None)
                    for c in codings
                )
            ):
                whole.append([first, *(c for c in codings if c is not first)])
        return whole

    def whole_source_codings(self, el: ET.Element, whole: list[list[Coding]]) -> None:
        """Each group of ``whole`` as one ``Coding`` on the source (after its selections,
        as the schema orders them), with the notes of any of its codings."""
        for group in whole:
            self._coding_element(el, group)

    def _description(self, el: ET.Element, session: Session, segments: list[Segment]) -> None:
        """A source's Description: the session's notes, and which model wrote its transcript
        (``model_line``; not again when the notes already say it, as after an import of this
        project's own export)."""
        said = model_line(self.p, session.id, segments)
        if said and said in (session.notes or ""):
            said = None
        text = "\n\n".join(t for t in (session.notes, said) if t)
        if text:
            _text(el, "Description", text)

    def _source_tail(self, el: ET.Element, session: Session) -> None:
        for memo in self.memos_by_target.get(("session", session.id), []):
            _sub(el, "NoteRef", targetGUID=_g(memo.id))
        for key, label in self.session_vars:
            if key:
                value = getattr(session, key)
            elif label == LINE_LANGUAGES_VARIABLE:
                value = self.line_languages.get(session.id)
            else:
                value = self.languages.get(session.id)
            if value:
                vv = _sub(el, "VariableValue")
                _sub(vv, "VariableRef", targetGUID=self.variable_guid("source", label))
                _text(vv, "TextValue", str(value))

    def _stamp(self, created_by: str | None, created_at: str, updated_at: str) -> dict[str, Any]:
        return {
            "creatingUser": self.user(created_by),
            "creationDateTime": xml_datetime(created_at),
            "modifiedDateTime": xml_datetime(updated_at),
        }

    def audio_source(
        self,
        sources: ET.Element,
        session: Session,
        segments: list[Segment],
        offsets: list[tuple[int, int]],
        transcript: str,
        media: list[Any],
    ) -> ET.Element:
        first = media[0] if media else None
        suffix = Path(first.path).suffix.lower() if first is not None else ""
        # a video the project lacks (QualCoder's, kept outside its archive) is still a video
        video = suffix in VIDEO_SUFFIXES if first is not None else session.id in self.videos
        tag = "VideoSource" if video else "AudioSource"
        media_file = self.p.folder / first.path if first is not None else None
        member = f"{as_guid(first.id, 'media')}{suffix}" if first is not None else ""
        path: str | None
        if first is None or media_file is None:
            path = None  # no recording in the project: a source without a file (schema: optional)
            self.summary_notes.append(
                f"Session {session.title!r} has no recording; it was exported as "
                f"{'a VideoSource' if video else 'an AudioSource'} without a file, so that its "
                "timed speech without transcript and "
                "its codings keep their times."
            )
        elif self.with_media and media_file.is_file():
            self.files.append((f"sources/{member}", media_file))
            path = f"internal://{member}"
            self.counts["media_files"] += 1
        else:
            # resolved against the Project's basePath (the project's media folder, set in build)
            path = f"relative://{Path(first.path).name}"
            self.relative_media = True
            if self.with_media:
                self.summary_notes.append(
                    f"Session {session.title!r}: its audio file is missing from the project; "
                    "exported without media."
                )
        if len(media) > 1:
            self.summary_notes.append(
                f"Session {session.title!r} has {len(media)} media files; only the first is "
                "exported (REFI-QDA has one file per source)."
            )
        el = _sub(
            sources,
            tag,
            guid=_g(session.id),
            name=session.title,
            path=path,
            **self._stamp(session.created_by, session.created_at, session.updated_at),
        )
        self._description(el, session, segments)
        t_guid = derived_guid(session.id, "transcript")
        t_file = f"{t_guid}.txt"
        self.files.append((f"sources/{t_file}", transcript.encode("utf-8")))
        tr = _sub(
            el,
            "Transcript",
            guid=t_guid,
            name=f"{session.title}.txt",
            plainTextPath=f"internal://{t_file}",
            **self._stamp(session.created_by, session.created_at, session.updated_at),
        )
        sync: dict[str, tuple[int, int]] = {}  # guid -> (position, time)
        selections: list[tuple[int, ET.Element]] = []
        ranges: list[tuple[int, ET.Element]] = []  # codings of time ranges
        own = self.own_ranges(segments)
        for seg, (t_start, t_end) in zip(segments, offsets, strict=True):
            for coding in self._coded(seg.id):
                if own.get(coding.id):  # the first of its group: the range it came with
                    ranges.append(self.range_selection(tag, seg, coding, own[coding.id]))
            g_start = derived_guid(seg.id, "sync-start")
            g_end = derived_guid(seg.id, "sync-end")
            sync[g_start] = (t_start, seg.start_ms)
            sync[g_end] = (t_end, seg.end_ms)
            if seg.untranscribed and not seg.text.strip():
                # a coding of speech nobody has typed codes a time range of the recording
                # (as MAXQDA, ATLAS.ti and QualCoder code audio): an Audio/VideoSelection over
                # it, the coding's own range where it shares its segment (``ranges``)
                for coding in self._coded(seg.id):
                    if coding.id not in own:
                        ranges.append(self.range_selection(tag, seg, coding))
                coded: list[Coding] = []
            else:
                coded = [c for c in self._coded(seg.id) if c.id not in own]
            for coding in coded:
                if coding.start_cp is None or coding.end_cp is None:
                    frm, to = g_start, g_end
                else:
                    frm = derived_guid(coding.id, "sync-from")
                    to = derived_guid(coding.id, "sync-to")
                    sync[frm] = (t_start + coding.start_cp, span_time(seg, coding.start_cp))
                    sync[to] = (t_start + coding.end_cp, span_time(seg, coding.end_cp))
                sel = ET.Element(
                    _q("TranscriptSelection"),
                    _clean(
                        guid=derived_guid(coding.id, "selection"),
                        name=self.code_name(coding.code_id),
                        fromSyncPoint=frm,
                        toSyncPoint=to,
                        **self._stamp(coding.coder, coding.created_at, coding.updated_at),
                    ),
                )
                self.coding(sel, coding)
                selections.append((sync[frm][0], sel))
            for memo in self.memos_by_target.get(("segment", seg.id), []):
                sel = ET.Element(
                    _q("TranscriptSelection"),
                    _clean(
                        guid=derived_guid(memo.id, "selection"),
                        name=memo.title,
                        fromSyncPoint=g_start,
                        toSyncPoint=g_end,
                        **self._stamp(memo.created_by, memo.created_at, memo.updated_at),
                    ),
                )
                _sub(sel, "NoteRef", targetGUID=_g(memo.id))
                selections.append((t_start, sel))
        for guid, (position, time) in sorted(sync.items(), key=lambda kv: (kv[1][0], kv[0])):
            _sub(tr, "SyncPoint", guid=guid, timeStamp=str(time), position=str(position))
        for _pos, sel in sorted(selections, key=lambda item: item[0]):
            tr.append(sel)
        for _begin, sel in sorted(ranges, key=lambda item: item[0]):
            el.append(sel)
        for marker in self.p.sessions.markers(session.id):
            msel = _sub(
                el,
                tag.replace("Source", "Selection"),
                guid=_g(marker.id),
                name=f"Marker: {marker.label}",
                begin=str(marker.time_ms),
                end=str(marker.time_ms),
                **self._stamp(marker.created_by, marker.created_at, marker.updated_at),
            )
            if marker.note:
                # Description must come first in AudioSelectionType
                desc = ET.Element(_q("Description"))
                desc.text = marker.note
                msel.insert(0, desc)
        return el

    def text_source(
        self,
        sources: ET.Element,
        session: Session,
        segments: list[Segment],
        offsets: list[tuple[int, int]],
        transcript: str,
    ) -> ET.Element:
        t_file = f"{derived_guid(session.id, 'text')}.txt"
        at: Callable[[int], int] = int  # a position in ``transcript`` -> in the written text
        if session.id in self.crlf:  # imported with CRLF line ends: written back with them
            ends = LineEnds(transcript)
            transcript, at = transcript.replace("\n", "\r\n"), ends.to_crlf
        self.files.append((f"sources/{t_file}", transcript.encode("utf-8")))
        el = _sub(
            sources,
            "TextSource",
            guid=_g(session.id),
            name=session.title,
            plainTextPath=f"internal://{t_file}",
            **self._stamp(session.created_by, session.created_at, session.updated_at),
        )
        self._description(el, session, segments)
        for seg, (t_start, t_end) in zip(segments, offsets, strict=True):
            for coding in self._coded(seg.id):
                if coding.start_cp is None or coding.end_cp is None:
                    start, end = t_start, t_end
                else:
                    # past a label after the time mark (its start at the label: after it)
                    label, length = self.labels_in.get(seg.id, (t_end, 0))
                    start = t_start + coding.start_cp + (length if coding.start_cp >= label else 0)
                    end = t_start + coding.end_cp + (length if coding.end_cp > label else 0)
                sel = _sub(
                    el,
                    "PlainTextSelection",
                    guid=derived_guid(coding.id, "selection"),
                    name=self.code_name(coding.code_id),
                    startPosition=str(at(start)),
                    endPosition=str(at(end)),
                    **self._stamp(coding.coder, coding.created_at, coding.updated_at),
                )
                self.coding(sel, coding)
            for memo in self.memos_by_target.get(("segment", seg.id), []):
                sel = _sub(
                    el,
                    "PlainTextSelection",
                    guid=derived_guid(memo.id, "selection"),
                    name=memo.title,
                    startPosition=str(at(t_start)),
                    endPosition=str(at(t_end)),
                    **self._stamp(memo.created_by, memo.created_at, memo.updated_at),
                )
                _sub(sel, "NoteRef", targetGUID=_g(memo.id))
        return el

    def own_ranges(self, segments: list[Segment]) -> dict[str, tuple[int, int] | None]:
        """The codings of a session that go out as the time range they came with from another
        tool (``exchange_meta.TIME_RANGES``), one ``AudioSelection`` a range: ``{coding id:
        its range}`` for the first coding of each, None for the others made of it (one per
        segment the range overlaps, written with the first).

        A range still fits while its codings, of one code by one coder, code whole segments
        (no span of words chosen since) and code every segment the range overlaps now, each
        one it overlaps: a segment retimed, split or merged so that it no longer does, a
        coding removed from one of them or one narrowed to words, and they go out as
        FieldScribe holds them, each over its segment."""
        groups: dict[tuple[str, str, int, int], list[str]] = defaultdict(list)
        for seg in segments:
            for coding in self._coded(seg.id):
                span = self.time_ranges.get(coding.id)
                if span is not None and coding.start_cp is None:
                    groups[(coding.code_id, coding.coder, *span)].append(seg.id)
        own: dict[str, tuple[int, int] | None] = {}
        for (code_id, coder, begin, end), held in groups.items():
            over = [s.id for s in segments if _overlaps((begin, end), s)]
            if over != held:
                continue
            for n, seg_id in enumerate(held):
                for coding in self._coded(seg_id):
                    if (coding.code_id, coding.coder) == (code_id, coder):
                        own[coding.id] = (begin, end) if n == 0 else None
        return own

    def range_selection(
        self, tag: str, seg: Segment, coding: Coding, span: tuple[int, int] | None = None
    ) -> tuple[int, ET.Element]:
        """A coding as the time range it codes (its begin, the ``AudioSelection`` or
        ``VideoSelection``): ``span`` (``own_ranges``), else for a segment of speech without
        transcript the range the coding had in the file it came from while that lies within
        the segment, else the segment's."""
        begin, end = span or self.time_ranges.get(coding.id, (seg.start_ms, seg.end_ms))
        if span is None and not seg.start_ms <= begin <= end <= seg.end_ms:
            begin, end = seg.start_ms, seg.end_ms
        sel = ET.Element(
            _q(tag.replace("Source", "Selection")),
            _clean(
                guid=derived_guid(coding.id, "selection"),
                name=self.code_name(coding.code_id),
                begin=str(begin),
                end=str(end),
                **self._stamp(coding.coder, coding.created_at, coding.updated_at),
            ),
        )
        self.coding(sel, coding)
        return begin, sel

    def _coded(self, segment_id: str) -> list[Coding]:
        """A segment's codings, less those written as one on its source (``as_whole``)."""
        codings = self.codings_by_segment.get(segment_id, [])
        return [c for c in codings if c.id not in self.as_whole] if self.as_whole else codings

    def code_name(self, code_id: str) -> str | None:
        for code in self.codes:
            if code.id == code_id:
                return code.path
        return None

    def coding(self, sel: ET.Element, coding: Coding) -> None:
        if coding.memo:
            _text(sel, "Description", coding.memo)
        self._coding_element(sel, [coding])

    def _coding_element(self, parent: ET.Element, group: list[Coding]) -> None:
        """A ``Coding`` under ``parent`` for the first of ``group`` (its id, coder, time and
        code), with the notes of any coding of the group."""
        first = group[0]
        cel = _sub(
            parent,
            "Coding",
            guid=_g(first.id),
            creatingUser=self.user(first.coder),
            creationDateTime=xml_datetime(first.created_at),
        )
        _sub(cel, "CodeRef", targetGUID=_g(first.code_id))
        memos = [m for c in group for m in self.memos_by_target.get(("coding", c.id), [])]
        for memo_id in dict.fromkeys(m.id for m in memos):
            _sub(cel, "NoteRef", targetGUID=_g(memo_id))
        self.counts["codings"] += 1

"""A read-only, privacy-filtered view of a project that exporters read instead of the project.

``private_view(project, options)`` yields an object with the project's reading API (sessions,
segments, codings, memos, markers, speakers, participants, codes, media...) whose every string
is pseudonymised, whose segment texts hide redacted spans (code-point spans of codings move with
the text), which leaves out segments without the needed consent, and whose media paths point to
temporary copies with the matching audio silenced (or beeped). The exporters need no privacy
logic of their own: they read the view as they would read the project.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from storage.core.models import (
    Code,
    Coding,
    Marker,
    MediaFile,
    Memo,
    Participant,
    Segment,
    Session,
    SessionSpeaker,
)
from storage.core.segment_rows import REDACTED_WORD, words_kept_by
from storage.core.tempdirs import private_dir
from storage.privacy.audio import redact_audio, writable_suffix
from storage.privacy.models import PURPOSE_NEEDS, ExportPrivacy
from storage.privacy.names import contains_name
from storage.privacy.privacy import PrivacyFilter
from storage.privacy.text import Replacement, find_names, rewrite, rewrite_words

if TYPE_CHECKING:
    from storage.project import Project


_WRITES = ("add_", "update_", "delete_", "set_", "apply_", "import_")


def _read_only(target: Any, name: str) -> Any:
    if name.startswith(_WRITES):
        raise AttributeError(f"the export view is read-only (no {name})")
    return getattr(target, name)


class _FilteredFeature:
    """One feature object of the project as the view shows it: its filtered methods replaced."""

    def __init__(self, feature: Any, **filtered: Any) -> None:
        self._feature = feature
        self.__dict__.update(filtered)

    def __getattr__(self, name: str) -> Any:
        return _read_only(self._feature, name)


class PrivateView:
    """The project as an export may show it (see the module docstring)."""

    def __init__(
        self,
        project: Project,
        options: ExportPrivacy,
        workdir: Path,
        *,
        linked_pseudonyms: bool = True,
    ) -> None:
        self._project = project
        self.options = options
        # a team bundle keeps the labels (merged back, they must match the lead's own)
        self._linked_pseudonyms = linked_pseudonyms and options.pseudonymise
        self.filter: PrivacyFilter = project.privacy.privacy_filter(
            pseudonymise=options.pseudonymise,
            redact=options.redact,
            consented_only=options.consented_only,
        )
        self._workdir = workdir
        self._segments: dict[str, Segment] = {}
        self._linked: dict[str, dict[str, str]] = {}
        self._hidden: dict[str, set[str | None]] = {}
        self._media: dict[str, list[MediaFile]] = {}
        self._gone: set[str] | None = None
        self._gone_names: list[str] | None = None
        # The features exporters read, each with its filtered methods (the rest read-only).
        self.sessions = _FilteredFeature(
            project.sessions,
            all=self.all_sessions,
            get_session=self.get_session,
            session_speakers=self.session_speakers,
            participants=self.participants,
            markers=self.markers,
            media_for_session=self.media_for_session,
            media_path=self.media_path,
        )
        self.transcript = _FilteredFeature(
            project.transcript,
            segments=self.segments,
            get_segment=self.get_segment,
            get_segments=self.get_segments,
            segment_count=self.segment_count,
        )
        self.codebook = _FilteredFeature(
            project.codebook,
            codings=self.codings,
            memos=self.memos,
            codes=self.codes,
            get_code=self.get_code,
        )
        self.speakers = _FilteredFeature(project.speakers, speaker_turns=self.speaker_turns)
        self.links = _FilteredFeature(project.links, all=self.links_all)

    def __getattr__(self, name: str) -> Any:
        # Everything not filtered here (ids, folder, coders, schema_version...) is the project's.
        return _read_only(self._project, name)

    # ----------------------------------------------------------------- strings
    def _s(self, text: str | None) -> str | None:
        return self.filter.label(text)

    def _str(self, text: str) -> str:
        return self.filter.label(text) or ""

    def speaker_label(self, session_id: str, label: str | None) -> str | None:
        """A speaker label as exported: with pseudonyms on, a label linked to a participant is
        the participant's pseudonym (a speaker renamed to the name heard and linked to P01 went
        out under that name); any other label goes through the real-name mapping."""
        if label is None:
            return None
        if not self._linked_pseudonyms:
            return self._s(label)
        linked = self._linked.get(session_id)
        if linked is None:
            names = {p.id: p.pseudonym for p in self._project.sessions.participants()}
            linked = {
                sp.label: names[sp.participant_id]
                for sp in self._project.sessions.session_speakers(session_id)
                if sp.participant_id in names
            }
            self._linked[session_id] = linked
        return self._s(linked.get(label, label))

    @property
    def name(self) -> str:
        """The project's name, pseudonymised."""
        return self._str(self._project.name)

    def metadata(self) -> dict[str, Any]:
        """Project metadata with pseudonymised values."""
        return {
            k: self._s(v) if isinstance(v, str) else v for k, v in self._project.metadata().items()
        }

    # ----------------------------------------------------------------- sessions
    def _counts(self, session_id: str) -> dict[str, Any]:
        """A session's counts over the segments an export keeps (the JSON transcript of an
        interview left out whole said "segment_count": 2 beside "segments": [])."""
        if not self.filter.excluded:
            return {}
        kept = [g for g in self._project.transcript.segments(session_id) if self.filter.include(g)]
        ids = {g.id for g in kept}
        coded = {c.segment_id for c in self._project.codebook.codings(session_id=session_id)}
        by_language: dict[str, int] = {}
        for g in kept:
            if g.language is not None:
                by_language[g.language] = by_language.get(g.language, 0) + 1
        return {
            "segment_count": len(kept),
            "coded_segment_count": len(coded & ids),
            "untranscribed_count": sum(g.untranscribed for g in kept),
            "languages": sorted(by_language, key=lambda x: (-by_language[x], x)),
        }

    def _session(self, s: Session) -> Session:
        return dataclasses.replace(
            s,
            **self._counts(s.id),
            title=self._str(s.title),
            place=self._s(s.place),
            moderator=self._s(s.moderator),
            notes=self._s(s.notes),
            speakers=list(
                dict.fromkeys(
                    self.speaker_label(s.id, x) or ""
                    for x in s.speakers
                    if x not in self._hidden_speakers(s.id)
                )
            ),
        )

    def all_sessions(self) -> list[Session]:
        """Every session, with pseudonymised titles, places, moderators and notes."""
        return [self._session(s) for s in self._project.sessions.all()]

    def get_session(self, session_id: str) -> Session:
        """One session (pseudonymised)."""
        return self._session(self._project.sessions.get_session(session_id))

    def session_speakers(self, session_id: str) -> list[SessionSpeaker]:
        """Speaker labels (pseudonymised); speakers whose segments are left out (consent) are
        left out too (a consented-only JSON transcript listed them, label and participant)."""
        hidden = self._hidden_speakers(session_id)
        return [
            dataclasses.replace(s, label=self.speaker_label(session_id, s.label) or "")
            for s in self._project.sessions.session_speakers(session_id)
            if s.label not in hidden
        ]

    def _hidden_speakers(self, session_id: str) -> set[str | None]:
        """The labels of a session whose segments consent leaves out (None: its segments
        without a speaker are left out, so are their turns on a timeline made of segments)."""
        if not self.filter.excluded:
            return set()
        hidden = self._hidden.get(session_id)
        if hidden is None:  # read once a session: a session's listing asked it per speaker
            hidden = {
                seg.speaker
                for seg in self._project.transcript.segments(session_id)
                if seg.id in self.filter.excluded
            }
            self._hidden[session_id] = hidden
        return hidden

    def speaker_turns(self, session_id: str) -> list[tuple[int, int, str | None]]:
        """The speaker timeline, pseudonymised; speakers whose segments are left out (consent)
        are left out of it too."""
        hidden = self._hidden_speakers(session_id)
        return [
            (start, end, self.speaker_label(session_id, speaker))
            for start, end, speaker in self._project.speakers.speaker_turns(session_id)
            if speaker not in hidden
        ]

    def participants(self) -> list[Participant]:
        """Participants with pseudonymised attribute values; one whose every linked speaker
        consent leaves out is left out too (a consented-only .qdpx held a Case for the
        participant who refused, with their attributes)."""
        gone = self.participants_left_out()
        return [
            dataclasses.replace(
                p,
                pseudonym=self._str(p.pseudonym),
                attributes={k: self._str(v) for k, v in p.attributes.items()},
            )
            for p in self._project.sessions.participants()
            if p.id not in gone
        ]

    def participants_left_out(self) -> set[str]:
        """Participants an export of only consented participants leaves out whole: those with
        nothing kept and something left out (linked to speakers whose segments consent leaves
        out, or in a session by a consent record alone, an interview without speakers, without
        the consent needed), and those with nothing in any session (linked to no speaker that
        has segments, no consent record of a session) unless their consent for every session
        says yes to the purpose (a participant who refused, not yet linked to a speaker, went
        out with their attributes and consent record)."""
        if not self.filter.consented_only:
            return set()
        if self._gone is None:  # read once per export, like the segments
            self._gone = self._left_out_whole(self.filter.consented_only)
        return self._gone

    def _left_out_whole(self, purpose: str) -> set[str]:
        consent = self._project.consent
        shown: set[str] = set()
        hidden: set[str] = set()
        for session in self._project.sessions.all():
            said = {seg.speaker for seg in self._project.transcript.segments(session.id)}
            gone = self._hidden_speakers(session.id)
            for speaker in self._project.sessions.session_speakers(session.id):
                if speaker.participant_id and speaker.label in said:
                    side = hidden if speaker.label in gone else shown
                    side.add(speaker.participant_id)
            unlabelled_kept = consent.unlabelled_consented(session.id, purpose)
            for label, pid in consent.session_participants(session.id):
                if label is not None or pid is None:
                    continue
                if unlabelled_kept:
                    shown.add(pid)
                elif not consent.covers(pid, session.id, purpose):
                    hidden.add(pid)
        needs = PURPOSE_NEEDS[purpose]
        everywhere = {
            c.participant_id
            for c in consent.consents()
            if c.session_id is None and all(getattr(c, kind) is True for kind in needs)
        }
        untouched = {p.id for p in self._project.sessions.participants()} - shown - hidden
        return (hidden - shown) | (untouched - everywhere)

    def names_left_out(self, *texts: str | None) -> bool:
        """Whether any of ``texts`` names a participant left out whole (``participants_left_out``):
        by their pseudonym, or a real name mapped to them or its pseudonym, in any form. A memo
        that names them is left out with them (a consented-only .qdpx or team bundle carried
        "P02 (Ғалым) refused" in the project's memo)."""
        if self._gone_names is None:
            gone = self.participants_left_out()
            names = {p.pseudonym for p in self._project.sessions.participants() if p.id in gone}
            if gone:
                for e in self._project.privacy.pseudonyms():
                    if e.participant_id in gone:
                        names |= {e.real_name, e.pseudonym}
            self._gone_names = sorted(n for n in names if n.split())
        listed = self._gone_names
        return any(contains_name(n, t) for n in listed for t in texts if t)

    def markers(self, session_id: str | None = None) -> list[Marker]:
        """Markers with pseudonymised labels and notes."""
        return [
            dataclasses.replace(m, label=self._str(m.label), note=self._s(m.note))
            for m in self._project.sessions.markers(session_id)
        ]

    # ----------------------------------------------------------------- segments
    def _segment(self, seg: Segment) -> Segment:
        cached = self._segments.get(seg.id)
        if cached is not None:
            return cached
        rewritten = self.filter.rewritten(seg)
        drops = [
            self._project.redactions.redaction_audio_span(seg, r, pad_ms=0)
            for r in self.filter._redactions.get(seg.id, [])
        ]
        # a segment edited by hand before word timings followed edits (aa16333) may still hold
        # the words its text no longer says (a name typed out): they never leave the project
        said = words_kept_by(seg.text, seg.words) if seg.edited else seg.words
        words = rewrite_words(seg.text, said, rewritten, drop_ms=drops, placeholder=REDACTED_WORD)
        mapping = self.filter._mapping
        if mapping:  # words not placed in the text: pseudonymise them one by one
            words = [
                dataclasses.replace(
                    w,
                    text=rewrite(
                        w.text,
                        [
                            Replacement(m.start, m.end, m.replacement)
                            for m in find_names(w.text, mapping)
                        ],
                    ).text,
                )
                for w in words
            ]
        result = dataclasses.replace(
            seg,
            text=rewritten.text,
            speaker=self.speaker_label(seg.session_id, seg.speaker),
            words=words,
        )
        self._segments[seg.id] = result
        return result

    def segments(self, session_id: str) -> list[Segment]:
        """A session's exportable segments (consent-filtered, pseudonymised, redacted)."""
        return [
            self._segment(s)
            for s in self._project.transcript.segments(session_id)
            if self.filter.include(s)
        ]

    def get_segment(self, segment_id: str) -> Segment:
        """One segment as exported (even when consent would leave it out)."""
        return self._segment(self._project.transcript.get_segment(segment_id))

    def get_segments(self, segment_ids: Iterable[str]) -> dict[str, Segment]:
        """Segments as exported, by id, fetched in a few queries (even when consent would
        leave them out; ids not found are left out)."""
        wanted = set(segment_ids)
        missing = wanted - self._segments.keys()
        fetched = self._project.transcript.get_segments(missing) if missing else {}
        return {
            sid: self._segment(fetched[sid]) if sid in fetched else self._segments[sid]
            for sid in wanted
            if sid in fetched or sid in self._segments
        }

    def segment_count(self, session_id: str | None = None) -> int:
        """How many segments an export of the session (or project) holds."""
        if session_id is None:
            return sum(len(self.segments(s.id)) for s in self._project.sessions.all())
        return len(self.segments(session_id))

    def codings(self, **filters: Any) -> list[Coding]:
        """Codings of exportable segments, spans moved with the rewritten text."""
        result = []
        include = self.filter.include
        codings = [c for c in self._project.codebook.codings(**filters) if include(c.segment_id)]
        originals = self._project.transcript.get_segments(
            c.segment_id for c in codings if c.start_cp is not None
        )
        for c in codings:
            memo = self._s(c.memo)
            if self.names_left_out(c.memo, memo):
                memo = None  # a coding memo that names a participant left out whole
            if c.start_cp is not None and c.end_cp is not None:
                original = originals[c.segment_id]
                start, end = self.filter.rewritten(original).map_span(c.start_cp, c.end_cp)
                c = dataclasses.replace(c, start_cp=start, end_cp=end)
            result.append(dataclasses.replace(c, memo=memo))
        return result

    def memos(self, target_type: str | None = None, target_id: str | None = None) -> list[Memo]:
        """Memos (pseudonymised), without those on segments an export leaves out, nor those
        that name a participant left out whole (``names_left_out``)."""
        result = []
        for m in self._project.codebook.memos(target_type, target_id):
            if m.target_type == "segment" and m.target_id and not self.filter.include(m.target_id):
                continue
            shown = dataclasses.replace(m, title=self._s(m.title), text=self._str(m.text))
            if not self.names_left_out(m.title, m.text, shown.title, shown.text):
                result.append(shown)
        return result

    # ----------------------------------------------------------------- codes
    def _code(self, c: Code) -> Code:
        return dataclasses.replace(
            c,
            name=self._str(c.name),
            description=self._s(c.description),
            path="/".join(self._str(part) for part in c.path.split("/")) if c.path else c.path,
        )

    def links_all(self) -> list[Any]:
        """The links (``project.links.all``), their names and memos pseudonymised as code
        names are; an export writes those whose both ends it writes."""
        return [
            dataclasses.replace(k, name=self._str(k.name), memo=self._s(k.memo))
            for k in self._project.links.all()
        ]

    def codes(self) -> list[Code]:
        """The codebook (names and descriptions pseudonymised)."""
        return [self._code(c) for c in self._project.codebook.codes()]

    def get_code(self, code_id: str) -> Code:
        """One code (pseudonymised)."""
        return self._code(self._project.codebook.get_code(code_id))

    # ----------------------------------------------------------------- media
    def media_for_session(self, session_id: str) -> list[MediaFile]:
        """Media files; where something is hidden: a redacted temporary copy (absolute path)."""
        if session_id in self._media:
            return self._media[session_id]
        media = self._project.sessions.media_for_session(session_id)
        spans = self.filter.audio_spans(session_id)
        result = []
        for m in media:
            src = self._project.folder / m.path
            if not spans or not src.is_file():
                result.append(m)
                continue
            dest = self._workdir / f"{m.id}{writable_suffix(src.suffix)}"
            redact_audio(src, dest, spans, self.options.audio_mode)
            result.append(
                dataclasses.replace(m, path=str(dest), size_bytes=dest.stat().st_size, sha256="")
            )
        self._media[session_id] = result
        return result

    def media_path(self, session_id: str) -> Path:
        """The (first) media file an export may copy."""
        media = self.media_for_session(session_id)
        if not media:
            return self._project.sessions.media_path(session_id)
        return self._project.folder / media[0].path

    def redacted_media_count(self) -> int:
        """How many redacted audio copies were made."""
        return sum(1 for ms in self._media.values() for m in ms if Path(m.path).is_absolute())


@contextlib.contextmanager
def private_view(project: Project, options: ExportPrivacy | None = None) -> Iterator[Project]:
    """Yield the privacy-filtered view of ``project`` for one export (typed as a Project).

    ``options`` None means the safe default: pseudonyms and redactions applied, every segment
    kept. Temporary redacted audio copies are removed on exit.
    """
    options = options or ExportPrivacy()
    with private_dir("view", shred=False) as workdir:  # redacted audio: nothing to hide
        yield cast("Project", PrivateView(project, options, workdir))


def log_export(
    project: Project,
    what: str,
    dest: Path,
    options: ExportPrivacy | None,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Record an export in the audit log (skipped for a project opened read-only)."""
    if project.readonly:
        return
    options = options or ExportPrivacy()
    project.audit.log_event(
        "export",
        target_type,
        target_id,
        {
            "what": what,
            "file": dest.name,
            "pseudonymised": options.pseudonymise,
            "redacted": options.redact,
            "consented_only": options.consented_only,
            **(extra or {}),
        },
    )

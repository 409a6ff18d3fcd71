"""Export one session's transcript as txt, srt, vtt, docx or json.

Each format carries speakers and timestamps; txt, docx and json also carry markers. With
``line_numbers`` txt lines are numbered and docx turns on Word's own line numbering (as
transcripts for qualitative analysis are usually cited by line).

Languages: json gives each segment its ``language`` (a Whisper code, ISO 639-1 where one
exists, or null) and ``untranscribed``; docx marks each segment's text with its language
(``w:lang``, so Word spell-checks Russian as Russian); vtt wraps cue text in ``<lang xx>``;
srt and txt have no place for it. Speech without transcript shows as
"[speech without transcript]" (italic in docx).

Which model wrote the text (``transcript_models``): a line under the heading of txt and docx
(and docx's document properties' comments), a NOTE block at the top of vtt, each segment's
``model`` and the run's ``transcription`` in json; srt has no place for it. Never a path.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.errors import InvalidInputError
from storage.core.model_names import shown_model_name
from storage.core.models import KIND_LABELS, Marker, Segment
from storage.privacy.models import ExportPrivacy
from storage.privacy.view import log_export, private_view

from ._common import hms, xml_safe
from ._files import write_atomic
from .transcript_models import model_line, run_model, segment_model

if TYPE_CHECKING:
    from storage.project import Project

TRANSCRIPT_FORMATS = ("txt", "srt", "vtt", "docx", "json")

#: what an export shows for a segment of speech without transcript
PLACEHOLDER = "[speech without transcript]"

# Word's language tags (w:lang) for the codes whose usual locale is not simply "xx-XX".
_WORD_LOCALES = {
    "en": "en-US", "ru": "ru-RU", "kk": "kk-KZ", "uk": "uk-UA", "uz": "uz-Latn-UZ",
    "ky": "ky-KG", "tg": "tg-Cyrl-TJ", "tt": "tt-RU", "be": "be-BY", "de": "de-DE",
    "fr": "fr-FR", "es": "es-ES", "tr": "tr-TR", "zh": "zh-CN", "ja": "ja-JP", "ko": "ko-KR",
    "ar": "ar-SA", "fa": "fa-IR", "he": "he-IL", "hi": "hi-IN", "az": "az-Latn-AZ",
    "mn": "mn-MN", "ka": "ka-GE", "hy": "hy-AM", "pt": "pt-PT", "it": "it-IT", "pl": "pl-PL",
}  # fmt: skip
_RTL = frozenset({"ar", "fa", "he", "ur", "yi", "ps", "sd"})
_EAST_ASIAN = frozenset({"zh", "ja", "ko", "yue"})


def word_locale(code: str) -> str:
    """The language tag Word uses for a Whisper code (ru -> ru-RU; unknown: the code)."""
    return _WORD_LOCALES.get(code, code)


def _shown_text(seg: Segment) -> str:
    """A segment's text, or the placeholder for speech without transcript."""
    if seg.untranscribed and not seg.text.strip():
        return PLACEHOLDER
    return seg.text


def _items(segments: list[Segment], markers: list[Marker]) -> list[Segment | Marker]:
    items: list[tuple[int, int, Segment | Marker]] = [(s.start_ms, 1, s) for s in segments]
    items += [(m.time_ms, 0, m) for m in markers]
    return [item for _t, _k, item in sorted(items, key=lambda x: (x[0], x[1]))]


def _marker_text(m: Marker) -> str:
    return f"Marker: {m.label}" + (f" ({m.note})" if m.note else "")


def _txt(project: Project, session_id: str, line_numbers: bool) -> str:
    session = project.sessions.get_session(session_id)
    lines = [session.title]
    meta = _session_meta(session)
    lines.append(" | ".join(meta))
    segments = project.transcript.segments(session_id)
    if said := model_line(project, session_id, segments):
        lines.append(said)
    lines.append("")
    for item in _items(segments, project.sessions.markers(session_id)):
        if isinstance(item, Marker):
            lines.append(f"[{hms(item.time_ms)}] --- {_marker_text(item)} ---")
        else:
            speaker = f"{item.speaker}: " if item.speaker else ""
            text = _shown_text(item).replace("\n", " ")
            lines.append(f"[{hms(item.start_ms)}] {speaker}{text}")
    if line_numbers:
        width = len(str(len(lines)))
        lines = [f"{i:>{width}}  {line}" for i, line in enumerate(lines, start=1)]
    return "\n".join(lines) + "\n"


def _srt(project: Project, session_id: str) -> str:
    blocks = []
    for i, seg in enumerate(project.transcript.segments(session_id), start=1):
        speaker = f"{seg.speaker}: " if seg.speaker else ""
        end = max(seg.end_ms, seg.start_ms)
        blocks.append(
            f"{i}\n{hms(seg.start_ms, millis=True, sep=',')} --> {hms(end, millis=True, sep=',')}"
            f"\n{speaker}{_shown_text(seg).strip() or '...'}\n"
        )
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _vtt(project: Project, session_id: str) -> str:
    session = project.sessions.get_session(session_id)
    out = [f"WEBVTT - {session.title}".replace("\n", " "), ""]
    segments = project.transcript.segments(session_id)
    if said := model_line(project, session_id, segments):  # a NOTE may not hold "-->"
        out += [f"NOTE {said}".replace("-->", "->"), ""]
    for item in _items(segments, project.sessions.markers(session_id)):
        if isinstance(item, Marker):
            out += [f"NOTE {hms(item.time_ms, millis=True)} {_marker_text(item)}"
                    .replace("-->", "->"), ""]  # fmt: skip
            continue
        text = _vtt_escape(_shown_text(item).strip().replace("\n", " ")) or "..."
        if item.language and not item.untranscribed:
            text = f"<lang {item.language}>{text}</lang>"
        if item.speaker:
            text = f"<v {_vtt_escape(item.speaker)}>{text}"
        end = max(item.end_ms, item.start_ms)
        out += [
            f"{hms(item.start_ms, millis=True)} --> {hms(end, millis=True)}",
            text,
            "",
        ]
    return "\n".join(out)


def _transcription(project: Project, session_id: str) -> dict[str, Any] | None:
    """Which model transcribed the session and how far (None: never transcribed here): the
    model's name, and what identifies it (``transcribe.model_identity``: where it came from,
    its repository and commit, the sha256 of its weights) as recorded when it ran."""
    state = project.transcription.transcription_state(session_id)
    if state is None:
        return None
    options = state.options
    details = options.get("model")
    if isinstance(details, dict):
        details = {**details, "name": _model_name(details.get("name"))}
    return {
        "model": _model_name(state.model),  # the run's; each segment says its own
        "model_details": details if isinstance(details, dict) else None,
        "language_asked": state.language,  # None: each stretch's identified
        "status": state.status,
        "done_ms": state.done_ms,
        "total_ms": state.total_ms,
        "beam_size": options.get("beam_size"),
        "updated_at": state.updated_at,
    }


def _model_name(name: object) -> object:
    """A model given as a folder goes out as the folder's name (``shown_model_name``)."""
    return shown_model_name(name) if isinstance(name, str) else name


def _json(project: Project, session_id: str) -> str:
    session = project.sessions.get_session(session_id)
    speakers = project.sessions.session_speakers(session_id)
    by_run = run_model(project, session_id)[0]
    data: dict[str, Any] = {
        "languages": project.languages,
        "session": asdict(session),
        "transcription": _transcription(project, session_id),
        "speakers": [{"label": s.label, "participant_id": s.participant_id} for s in speakers],
        "segments": [
            {
                "id": s.id,
                "start_ms": s.start_ms,
                "end_ms": s.end_ms,
                "speaker": s.speaker,
                "text": s.text,
                "origin": s.origin,
                "confidence": s.confidence,
                "edited": s.edited,
                "language": s.language,
                "untranscribed": s.untranscribed,
                # the model that wrote its text, "typed by hand", or null (imported from a
                # file); written before FieldScribe recorded it per segment: the run's model
                "model": segment_model(s, by_run),
                # the view leaves out the words a segment's text no longer says
                "words": [asdict(w) for w in s.words],
            }
            for s in project.transcript.segments(session_id)
        ],
        "markers": [asdict(m) for m in project.sessions.markers(session_id)],
        # who spoke when: speaker detection's own timeline (speech outside segments included),
        # else one turn per labelled segment
        "speaker_turns": [
            {"start_ms": a, "end_ms": b, "speaker": speaker}
            for a, b, speaker in project.speakers.speaker_turns(session_id)
            if speaker is not None
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_transcript(
    project: Project,
    session_id: str,
    fmt: str,
    *,
    line_numbers: bool = False,
    privacy: ExportPrivacy | None = None,
) -> str:
    """Return a session's transcript as text in ``fmt`` (txt, srt, vtt or json).

    ``privacy`` (default: pseudonyms and redactions applied) says how people are protected.

    Raises:
        InvalidInputError: unknown format (docx is written by ``export_transcript``).
        NotFoundError: unknown session.
    """
    with private_view(project, privacy) as view:
        return _render(view, session_id, fmt, line_numbers)


def _render(project: Project, session_id: str, fmt: str, line_numbers: bool) -> str:
    project.sessions.get_session(session_id)
    if fmt == "txt":
        return _txt(project, session_id, line_numbers)
    if fmt == "srt":
        return _srt(project, session_id)
    if fmt == "vtt":
        return _vtt(project, session_id)
    if fmt == "json":
        return _json(project, session_id)
    raise InvalidInputError(
        f"Unknown transcript format {fmt!r}; use one of {', '.join(TRANSCRIPT_FORMATS)}."
    )


def _set_docx_language(element: Any, code: str) -> None:
    """Give a run (``w:r``) or a paragraph's mark (``w:pPr``) the language ``code``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if hasattr(element, "get_or_add_rPr"):
        r_pr = element.get_or_add_rPr()
    else:  # w:pPr: its w:rPr (the paragraph mark's) is the last child python-docx writes
        r_pr = element.find(qn("w:rPr"))
        if r_pr is None:
            r_pr = OxmlElement("w:rPr")
            element.append(r_pr)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        # CT_RPr is a sequence: w:lang comes after everything but eastAsianLayout, specVanish
        # and oMath; python-docx's rPr here holds only earlier elements (b, i, color, sz...).
        tail = [r_pr.find(qn(t)) for t in ("w:eastAsianLayout", "w:specVanish", "w:oMath")]
        anchor = next((t for t in tail if t is not None), None)
        if anchor is not None:
            anchor.addprevious(lang)
        else:
            r_pr.append(lang)
    tag = word_locale(code)
    lang.set(qn("w:val"), tag)
    if code in _RTL:
        lang.set(qn("w:bidi"), tag)
    if code in _EAST_ASIAN:
        lang.set(qn("w:eastAsia"), tag)


def _docx(project: Project, session_id: str, path: Path, line_numbers: bool) -> None:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    session = project.sessions.get_session(session_id)
    doc = Document()
    doc.add_heading(xml_safe(session.title), level=1)
    meta = _session_meta(session)
    if session.moderator:
        meta.append(f"moderator: {session.moderator}")
    if meta:
        doc.add_paragraph(xml_safe(" | ".join(meta)))
    segments = project.transcript.segments(session_id)
    if said := model_line(project, session_id, segments):
        doc.add_paragraph(said)
        doc.core_properties.comments = said
    for item in _items(segments, project.sessions.markers(session_id)):
        para = doc.add_paragraph()
        if isinstance(item, Marker):
            run = para.add_run(xml_safe(f"[{hms(item.time_ms)}] {_marker_text(item)}"))
            run.italic = True
            run.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
            continue
        stamp = para.add_run(f"[{hms(item.start_ms)}] ")
        stamp.font.color.rgb = RGBColor(0x78, 0x90, 0x9C)
        stamp.font.size = Pt(9)
        if item.speaker:
            para.add_run(xml_safe(f"{item.speaker}: ")).bold = True
        if item.untranscribed and not item.text.strip():
            run = para.add_run(PLACEHOLDER)
            run.italic = True
            run.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
            continue
        # a PDF's page end (form feed) or Word's line break (vertical tab): a line break
        run = para.add_run(xml_safe(item.text))
        if item.language:
            _set_docx_language(run._r, item.language)
            _set_docx_language(para._p.get_or_add_pPr(), item.language)
    if line_numbers:
        sect_pr = doc.sections[0]._sectPr
        ln = OxmlElement("w:lnNumType")
        ln.set(qn("w:countBy"), "1")
        ln.set(qn("w:restart"), "continuous")
        # CT_SectPr is a sequence: lnNumType goes right after pgSz/pgMar/paperSrc/pgBorders.
        anchor = None
        for tag in ("w:pgBorders", "w:paperSrc", "w:pgMar", "w:pgSz"):
            found = sect_pr.find(qn(tag))
            if found is not None:
                anchor = found
                break
        if anchor is not None:
            anchor.addnext(ln)
        else:
            sect_pr.insert(0, ln)
    doc.save(str(path))


def export_transcript(
    project: Project,
    session_id: str,
    fmt: str,
    dest: str | Path,
    *,
    line_numbers: bool = False,
    privacy: ExportPrivacy | None = None,
) -> Path:
    """Write a session's transcript to ``dest`` in ``fmt`` (txt, srt, vtt, docx or json).

    By default real names are replaced by their pseudonyms and redacted spans by
    ``[REDACTED]``; ``privacy`` can also leave out segments without consent, or (for the
    project lead's own use) turn the protections off. The export is logged in the audit log.

    Raises:
        InvalidInputError: unknown format or ``dest`` is a folder.
        NotFoundError: unknown session.
        ReadOnlyError: the file cannot be written.
    """
    fmt = fmt.lower()
    if fmt not in TRANSCRIPT_FORMATS:
        raise InvalidInputError(
            f"Unknown transcript format {fmt!r}; use one of {', '.join(TRANSCRIPT_FORMATS)}."
        )
    project.sessions.get_session(session_id)
    dest = Path(dest).expanduser()
    with private_view(project, privacy) as view:
        if fmt == "docx":
            write_atomic(dest, lambda tmp: _docx(view, session_id, tmp, line_numbers))
        else:
            text = _render(view, session_id, fmt, line_numbers)
            encoding = "utf-8-sig" if fmt == "txt" else "utf-8"

            def write(tmp: Path) -> None:
                tmp.write_text(text, encoding=encoding)

            write_atomic(dest, write)
        n = len(view.transcript.segments(session_id))
    log_export(
        project,
        f"transcript {fmt}",
        dest,
        privacy,
        target_type="session",
        target_id=session_id,
        extra={"segments": n},
    )
    return dest


def _session_meta(session: Any) -> list[str]:
    """What a transcript's heading says of its session: date, place, kind ("Focus group")."""
    kind = KIND_LABELS.get(session.kind, session.kind)
    return [v for v in (session.date, session.place, kind) if v]

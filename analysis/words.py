"""Word frequencies and keywords in context, for a code's coded text or a session's transcript.

The text is what an export would show (``project.privacy.privacy_filter``): real names replaced
by pseudonyms and redacted spans hidden, always, also in the workbench; with
``consented_only`` segments without that consent are left out. For a code, the coded text is
the union of the spans coded with it or its sub-codes (a whole-segment coding: the whole text);
otherwise whole segments. Words are runs of letters (hyphens and apostrophes inside a word
kept), lower-cased; words shorter than ``min_length`` and stop-words of the chosen languages
(``analysis.stopwords``) are not counted.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

from .filters import Filters, empty_note, rows
from .matrix import coded_sql
from .stopwords import stopwords

if TYPE_CHECKING:
    from storage.core.models import Segment
    from storage.privacy.models import ExportPrivacy
    from storage.project import Project

WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
DEFAULT_LANGUAGES = ("ru", "kk", "en")


@dataclass
class _Seg:
    id: str
    text: str


@dataclass
class Passage:
    """A stretch of exportable text: a segment's (or the coded part of it)."""

    segment_id: str
    session_id: str
    start_ms: int
    speaker: str | None
    text: str


@dataclass
class WordCounts:
    """The most frequent words, and how much text they come from."""

    words: list[tuple[str, int]]
    passages: int
    tokens: int
    note: str = ""
    spec: dict[str, Any] = field(default_factory=dict)
    #: the sessions the words were said in (whose consent an export of them asks about)
    session_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        data = asdict(self)
        del data["session_ids"]
        data["words"] = [{"word": w, "count": n} for w, n in self.words]
        return data


@dataclass
class Concordance:
    """One keyword in context: the text before, the word as written, the text after."""

    segment_id: str
    session_id: str
    start_ms: int
    speaker: str | None
    left: str
    keyword: str
    right: str
    session_title: str = ""  # as exports name it (pseudonymised like every label)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def passages(
    project: Project,
    *,
    code_id: str | None = None,
    session_id: str | None = None,
    filters: Filters | None = None,
    privacy: ExportPrivacy | None = None,
) -> list[Passage]:
    """The exportable text a word count reads (see the module notes), in session/time order."""
    from storage.privacy.models import ExportPrivacy

    filters = filters or Filters()
    privacy = privacy or ExportPrivacy()
    pf = project.privacy.privacy_filter(
        pseudonymise=privacy.pseudonymise,
        redact=privacy.redact,
        consented_only=privacy.consented_only,
    )
    if session_id is not None:
        filters = Filters(**{**filters.__dict__, "sessions": (session_id,)})
    if code_id is not None:
        with_codes, params = coded_sql(project, filters, rollup=True)
        found = rows(
            project,
            f"{with_codes} SELECT b.segment_id, b.session_id, b.start_ms, b.speaker, g.text,"
            " b.start_cp, b.end_cp FROM b JOIN segments g ON g.id = b.segment_id"
            " WHERE b.code = ? ORDER BY b.session_id, b.start_ms, g.seq",
            [*params, code_id],
        )
    else:
        where, params = ["1"], []
        if filters.sessions:
            where.append("session_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(filters.sessions)))
        if filters.speakers:
            where.append("speaker IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(filters.speakers)))
        found = rows(
            project,
            "SELECT id, session_id, start_ms, speaker, text, NULL, NULL FROM segments"
            f" WHERE {' AND '.join(where)} ORDER BY session_id, start_ms, seq",
            params,
        )
    spans: dict[str, list[tuple[int, int]]] = {}
    info: dict[str, Any] = {}
    for seg_id, sess, start, speaker, text, s0, e0 in found:
        if seg_id in filters.exclude_segments or not pf.include(seg_id):
            continue
        text = text or ""
        info.setdefault(seg_id, (sess, int(start), speaker, text))
        spans.setdefault(seg_id, []).append(
            (0, len(text)) if s0 is None or e0 is None else (int(s0), int(e0))
        )
    result = []
    # a few speakers, each pseudonymised once; one linked to a participant is written as the
    # participant's pseudonym, as the transcript exports write it
    labels: dict[tuple[str, str | None], str | None] = {}
    names = (
        {p.id: p.pseudonym for p in project.sessions.participants()} if privacy.pseudonymise else {}
    )
    linked: dict[str, dict[str, str]] = {}
    for seg_id, (sess, start, speaker, text) in info.items():
        rewritten = pf.rewritten(cast("Segment", _Seg(seg_id, text)))
        if (sess, speaker) not in labels:
            if names and sess not in linked:
                linked[sess] = {
                    sp.label: names[sp.participant_id]
                    for sp in project.sessions.session_speakers(sess)
                    if sp.participant_id in names
                }
            shown = linked.get(sess, {}).get(speaker, speaker) if speaker else speaker
            labels[(sess, speaker)] = pf.label(shown)
        for s0, e0 in _merge(spans[seg_id]):
            a, b = rewritten.map_span(s0, e0) if (s0, e0) != (0, len(text)) else (0, None)
            part = rewritten.text[a:b]
            if part.strip():
                result.append(Passage(seg_id, sess, start, labels[(sess, speaker)], part))
    return result


def word_frequencies(
    project: Project,
    *,
    code_id: str | None = None,
    session_id: str | None = None,
    filters: Filters | None = None,
    languages: tuple[str, ...] = DEFAULT_LANGUAGES,
    top: int = 100,
    min_length: int = 2,
    privacy: ExportPrivacy | None = None,
) -> WordCounts:
    """The ``top`` most frequent words (ties by word) of a code's coded text or a session."""
    filters = filters or Filters()
    spec = {
        "kind": "words",
        "code_id": code_id,
        "session_id": session_id,
        "languages": list(languages),
        "filters": filters.describe(),
    }
    texts = passages(
        project, code_id=code_id, session_id=session_id, filters=filters, privacy=privacy
    )
    if not texts:
        if code_id is not None:
            note = empty_note(project, filters, "coded text")
            if not rows(project, "SELECT 1 FROM codings WHERE code_id = ? LIMIT 1", (code_id,)):
                note = "Nothing is coded with this code yet."
        elif session_id is not None:
            note = "This session has no transcript text (or none the filters keep)."
        else:
            note = "The project has no transcript text yet."
        return WordCounts([], 0, 0, note, spec)
    stop = stopwords(languages)
    hidden = _placeholders(project)
    every: Counter[str] = Counter()
    for passage in texts:
        said = hidden.sub(" ", passage.text) if hidden else passage.text
        every.update(WORD.findall(said.lower()))
    tokens = sum(every.values())
    counts = {w: n for w, n in every.items() if len(w) >= min_length and w not in stop}
    words = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: max(top, 0)]
    note = "" if words else "Every word is a stop-word or too short."
    said_in = sorted({passage.session_id for passage in texts})
    return WordCounts(words, len(texts), tokens, note, spec, said_in)


def _placeholders(project: Project) -> re.Pattern[str] | None:
    """The placeholders the text shows for its redacted spans (``[PLACE]``, ``[REDACTED]``):
    no words said, not counted."""
    shown = {r.placeholder for r in project.redactions.all()}
    return re.compile("|".join(map(re.escape, sorted(shown)))) if shown else None


def kwic_not_found(word: str) -> str:
    """Why keywords in context found no line; a whole word found nowhere suggests its start
    (Russian and Kazakh inflect: "ЦОН" is not in "ЦОНа", "ЦОН-ға")."""
    if word.strip().endswith("*"):
        return f"No word in that text starts with {word.strip().rstrip('*')!r}."
    return (
        f"{word!r} does not occur as a whole word in that text; "
        f"{word.strip()}* finds the words that start with it."
    )


def keywords_in_context(
    project: Project,
    word: str,
    *,
    code_id: str | None = None,
    session_id: str | None = None,
    filters: Filters | None = None,
    width: int = 40,
    limit: int = 500,
    privacy: ExportPrivacy | None = None,
) -> list[Concordance]:
    """Every occurrence of ``word`` (case-insensitive, whole word; ``word*``: every word that
    starts so, as Russian and Kazakh inflect: ``ЦОН*`` finds ЦОНа, ЦОНу, ЦОН-ға) with ``width``
    characters of context each side, in session/time order (at most ``limit``)."""
    target = word.strip().lower()
    prefix = target.endswith("*")
    target = target.rstrip("*").strip()
    if not target:
        return []
    found: list[Concordance] = []
    texts = passages(
        project, code_id=code_id, session_id=session_id, filters=filters, privacy=privacy
    )
    for passage in texts:
        for match in WORD.finditer(passage.text):
            said = match.group().lower()
            if not (said.startswith(target) if prefix else said == target):
                continue
            left = passage.text[max(0, match.start() - width) : match.start()]
            right = passage.text[match.end() : match.end() + width]
            found.append(
                Concordance(
                    passage.segment_id,
                    passage.session_id,
                    passage.start_ms,
                    passage.speaker,
                    left,
                    match.group(),
                    right,
                )
            )
            if len(found) >= limit:
                return _titled(project, found, privacy)
    return _titled(project, found, privacy)


def _titled(
    project: Project, found: list[Concordance], privacy: ExportPrivacy | None
) -> list[Concordance]:
    """The lines with their sessions' titles, labelled as an export labels them."""
    from .exports import export_scope

    if not found:
        return found
    _, label = export_scope(project, Filters(), privacy)
    titles = {s.id: label(s.title) for s in project.sessions.all()}
    return [replace(k, session_title=titles.get(k.session_id, "")) for k in found]

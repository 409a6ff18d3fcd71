"""A session drawn over time: speakers' turns and the codes as bars on their lanes.

Speaker lanes come from the session's speaker timeline (``project.speakers.speaker_turns``: the
stored turns of speaker detection, else one turn per segment); code lanes hold one bar per
coded segment (its time span), with the segment id so a click can play it. Several sessions
share one time scale (``timelines``): each starts at 0 ms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .filters import Filters, empty_note, rows
from .matrix import code_headers
from .pairs import fetch_rows, pairs_for, segment_ids

if TYPE_CHECKING:
    from storage.project import Project


@dataclass(slots=True)
class Bar:
    """One stretch of a lane: ``[start_ms, end_ms)``, the segment behind it (code lanes)."""

    start_ms: int
    end_ms: int
    segment_id: str | None = None


@dataclass
class Lane:
    """One row of the timeline: a speaker's turns or a code's coded segments."""

    kind: str  # "speaker" | "code"
    key: str  # speaker label or code id
    label: str
    colour: str = ""
    bars: list[Bar] = field(default_factory=list)

    @property
    def total_ms(self) -> int:
        """The time the lane's bars cover (overlaps counted once)."""
        total, reach = 0, -1
        for bar in sorted(self.bars, key=lambda b: b.start_ms):
            start = max(bar.start_ms, reach)
            if bar.end_ms > start:
                total += bar.end_ms - start
            reach = max(reach, bar.end_ms)
        return total


@dataclass
class Timeline:
    """One session's lanes over ``[0, duration_ms]``; ``note`` says why it is empty."""

    session_id: str
    title: str
    duration_ms: int
    lanes: list[Lane]
    note: str = ""

    @property
    def empty(self) -> bool:
        """True when nothing is drawn."""
        return not self.lanes

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        data = asdict(self)
        for lane, src in zip(data["lanes"], self.lanes, strict=True):
            lane["total_ms"] = src.total_ms
        return data

    def relabelled(self, label: Any) -> Timeline:
        """A copy with lane labels and the title passed through ``label`` (pseudonyms)."""
        speaker = getattr(label, "speaker", label)  # a linked speaker as their pseudonym
        lanes = [
            Lane(
                x.kind,
                x.key,
                (speaker if x.kind == "speaker" else label)(x.label),
                x.colour,
                x.bars,
            )
            for x in self.lanes
        ]
        return Timeline(self.session_id, label(self.title), self.duration_ms, lanes, self.note)


def _hidden_speakers(project: Project, session_id: str, filters: Filters) -> set[str]:
    """Speakers whose segments the filters leave out (no consent): their turns are hidden."""
    if not filters.exclude_segments:
        return set()
    import json

    return {
        str(r[0])
        for r in rows(
            project,
            "SELECT DISTINCT speaker FROM segments WHERE session_id = ? AND speaker IS NOT NULL"
            " AND id IN (SELECT value FROM json_each(?))",
            (session_id, json.dumps(sorted(filters.exclude_segments))),
        )
    }


def _turns(project: Project, session_id: str) -> list[tuple[int, int, str | None]]:
    """``project.speakers.speaker_turns``: the stored timeline of speaker detection, else one
    turn per segment (read here as plain tuples: the same rows, a third of the time)."""
    if project.speakers.turns.has_timeline(session_id):
        return project.speakers.speaker_turns(session_id)
    return fetch_rows(
        project,
        "SELECT start_ms, end_ms, speaker FROM segments WHERE session_id = ?"
        " ORDER BY start_ms, seq",
        [session_id],
    )


def session_timeline(
    project: Project,
    session_id: str,
    *,
    filters: Filters | None = None,
    speakers: bool = True,
    rollup: bool = False,
) -> Timeline:
    """The timeline of one session; an unknown session gives an empty one with a note."""
    filters = filters or Filters()
    found = rows(project, "SELECT title FROM sessions WHERE id = ?", (session_id,))
    if not found:
        return Timeline(session_id, session_id, 0, [], f"No session with id {session_id!r}.")
    title = str(found[0][0])
    filters = replace(
        filters, exclude_segments=_of_session(project, session_id, filters.exclude_segments)
    )
    duration = int(
        rows(
            project,
            "SELECT max(coalesce((SELECT max(duration_ms) FROM media WHERE session_id = ?), 0),"
            " coalesce((SELECT max(end_ms) FROM segments WHERE session_id = ?), 0))",
            (session_id, session_id),
        )[0][0]
        or 0
    )
    lanes: list[Lane] = []
    if speakers:
        by_speaker: dict[str, Lane] = {}
        hidden = _hidden_speakers(project, session_id, filters)
        turns = _turns(project, session_id)
        wanted = set(filters.speakers)
        for start, end, speaker in turns:
            if speaker is None or speaker in hidden or (wanted and speaker not in wanted):
                continue
            lane = by_speaker.get(speaker)
            if lane is None:
                lane = by_speaker[speaker] = Lane("speaker", speaker, speaker)
            lane.bars.append(Bar(start, end))
        duration = max(duration, max((t[1] for t in turns), default=0))
        lanes += sorted(by_speaker.values(), key=lambda x: (x.bars[0].start_ms, x.label))
    scoped = Filters(
        coders=filters.coders,
        sessions=(session_id,),
        speakers=filters.speakers,
        attributes=filters.attributes,
        date_from=filters.date_from,
        date_to=filters.date_to,
        codes=filters.codes,
        exclude_segments=filters.exclude_segments,
    )
    pairs = pairs_for(project, scoped, "all", rollup)
    bars: dict[str, list[Bar]] = {}
    order = np.lexsort((pairs.seq, pairs.start, pairs.code))
    ids = segment_ids(project, pairs.seq)
    for i in order.tolist():
        bars.setdefault(pairs.codes[pairs.code[i]], []).append(
            Bar(int(pairs.start[i]), int(pairs.end[i]), ids[int(pairs.seq[i])])
        )
    for header in code_headers(project, filters.codes):
        if header.key in bars:
            lanes.append(Lane("code", header.key, header.label, header.colour, bars[header.key]))
    note = ""
    if not lanes:
        note = "This session has no speaker turns and no codings"
        note += f" matching the filters ({filters.describe()})." if filters.active else "."
    elif not bars:
        note = empty_note(project, scoped)
    elif duration == 0:
        # a text (a REFI-QDA text source, a document): its bars all stood at 0:00, an empty
        # picture of "0:00.000" lanes with nothing said
        note = (
            "This session has no times (a text: every line at 0:00), so there is nothing to draw "
            "on a time axis; the matrix and co-occurrence by segment count its codings."
        )
        lanes = []
    return Timeline(session_id, title, duration, lanes, note)


def _of_session(project: Project, session_id: str, segment_ids: Iterable[str]) -> frozenset[str]:
    """Those of ``segment_ids`` in the session: a note's "N without consent left out" counted
    the whole project's ("5 segments without consent left out" under a 2-segment session)."""
    ids = set(segment_ids)
    if not ids:
        return frozenset()
    found = rows(project, "SELECT id FROM segments WHERE session_id = ?", (session_id,))
    return frozenset(str(r[0]) for r in found if str(r[0]) in ids)


def timelines(
    project: Project, session_ids: list[str], *, filters: Filters | None = None
) -> list[Timeline]:
    """Several sessions' timelines on one time scale (each from 0 ms)."""
    return [session_timeline(project, sid, filters=filters) for sid in session_ids]


def segment_at(project: Project, session_id: str, ms: int) -> str | None:
    """The segment of a session playing at ``ms`` (else the nearest one), or None."""
    found = rows(
        project,
        "SELECT id FROM segments WHERE session_id = ? ORDER BY"
        " CASE WHEN start_ms <= ? AND end_ms > ? THEN 0 ELSE 1 END,"
        " min(abs(start_ms - ?), abs(end_ms - ?)) LIMIT 1",
        (session_id, ms, ms, ms, ms),
    )
    return str(found[0][0]) if found else None

"""A generated project with known structure, and brute-force counts over it for the analysis tests.

The brute-force counts read the project only through its public Python API (sessions,
segments, codings, codes, participants) and count with plain loops, independently of the SQL in
``analysis/``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from storage import Project
from storage.transcript.transcript import SegmentDraft

WORDS = [
    "clinic", "far", "bus", "doctor", "queue", "online", "портал", "очередь", "врач", "далеко",
    "емхана", "кезек", "дәрігер", "алыс", "the", "and", "и", "в", "мен", "және",
]  # fmt: skip


def build_project(folder: Path, seed: int, *, sessions: int = 3, segments: int = 30) -> Project:
    """A project: sessions of several kinds and dates, speakers mapped to participants with an
    ``age`` attribute (one speaker unmapped, some segments without speaker), a two-level
    codebook plus an unused code, codings by two coders on whole segments and on spans."""
    rng = random.Random(seed)
    project = Project.create(folder, coder="lead")
    kinds = ["focus_group", "interview", "observation"]
    ages = ["18-30", "31-50", "51+"]
    parts = [
        project.sessions.add_participant(f"P{i}", {"age": ages[i % 3]} if i != 3 else {})
        for i in range(5)
    ]
    codes = [project.codebook.ensure_code_path(f"Access/{n}").id for n in ("Distance", "Cost")]
    codes += [project.codebook.ensure_code_path(f"Trust/{n}").id for n in ("Doctors", "State")]
    codes.append(project.codebook.ensure_code_path("Access").id)
    project.codebook.ensure_code_path("Unused/Never")
    for s in range(sessions):
        sess = project.sessions.add_session(
            f"Group {s}", kinds[s % 3], date=f"2026-0{1 + s % 9}-1{s % 10}", place=f"Town {s % 2}"
        )
        labels = ["Speaker 1", "Speaker 2", "Speaker 3", None]
        for i, label in enumerate(labels[:3]):
            if i < 2 or s % 2 == 0:  # Speaker 3 unmapped in odd sessions
                project.sessions.map_speaker(sess.id, label, parts[(s + i) % 5].id)
        t = 0
        drafts = []
        for _ in range(segments):
            start = t + rng.choice([0, 200, 1500, 6000])
            end = start + rng.randint(500, 9000)
            overlap = rng.random() < 0.15  # overlapping speech: next starts before this ends
            t = start + (end - start) // 2 if overlap else end
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 9)))
            drafts.append(SegmentDraft(start, end, text, speaker=rng.choice(labels)))
        segs = project.transcript.add_segments(sess.id, drafts)
        for seg in segs:
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                code = rng.choice(codes)
                coder = rng.choice(["ann", "bob"])
                if seg.text and rng.random() < 0.4 and len(seg.text) > 2:
                    a = rng.randrange(len(seg.text) - 1)
                    b = rng.randint(a + 1, len(seg.text))
                    project.codebook.apply_code(seg.id, code, start_cp=a, end_cp=b, coder=coder)
                else:
                    project.codebook.apply_code(seg.id, code, coder=coder)
    return project


class Truth:
    """Everything the brute-force counts need, read through the public API."""

    def __init__(self, project: Project) -> None:
        self.sessions = {s.id: s for s in project.sessions.all()}
        self.segs = {g.id: g for sid in self.sessions for g in project.transcript.segments(sid)}
        self.codings = project.codebook.codings()
        self.codes = {c.id: c for c in project.codebook.codes()}
        self.mapping = {
            (sid, sp.label): sp.participant_id
            for sid in self.sessions
            for sp in project.sessions.session_speakers(sid)
        }
        self.parts = {p.id: p for p in project.sessions.participants()}

    def ancestors(self, code_id: str) -> list[str]:
        out, cur = [], code_id
        while cur is not None:
            out.append(cur)
            cur = self.codes[cur].parent_id
        return out

    def column(self, seg: Any, columns: str) -> str:
        pid = self.mapping.get((seg.session_id, seg.speaker)) if seg.speaker else None
        if columns == "session":
            return str(seg.session_id)
        if columns == "speaker":
            return seg.speaker or ""
        if columns == "participant":
            return pid or ""
        if columns.startswith("participant."):
            return self.parts[pid].attributes.get(columns.split(".", 1)[1], "") if pid else ""
        if columns.startswith("session."):
            return getattr(self.sessions[seg.session_id], columns.split(".", 1)[1]) or ""
        return ""

    def keep(self, coding: Any, flt: dict[str, Any]) -> bool:
        seg = self.segs[coding.segment_id]
        if flt.get("coders") and coding.coder not in flt["coders"]:
            return False
        if flt.get("sessions") and seg.session_id not in flt["sessions"]:
            return False
        if flt.get("speakers") and seg.speaker not in flt["speakers"]:
            return False
        if flt.get("age"):
            pid = self.mapping.get((seg.session_id, seg.speaker)) if seg.speaker else None
            if not pid or self.parts[pid].attributes.get("age") != flt["age"]:
                return False
        return True

    def matrix(
        self, columns: str, measure: str, rollup: bool, flt: dict[str, Any]
    ) -> dict[tuple[str, str], int]:
        segsets: dict[tuple[str, str], set[str]] = defaultdict(set)
        n: dict[tuple[str, str], int] = defaultdict(int)
        for c in self.codings:
            if not self.keep(c, flt):
                continue
            seg = self.segs[c.segment_id]
            for code in self.ancestors(c.code_id) if rollup else [c.code_id]:
                key = (code, self.column(seg, columns))
                segsets[key].add(seg.id)
                n[key] += 1
        if measure == "codings":
            return dict(n)
        if measure == "segments":
            return {k: len(v) for k, v in segsets.items()}
        return {
            k: sum(self.segs[s].end_ms - self.segs[s].start_ms for s in v)
            for k, v in segsets.items()
        }

    def cooccurrence(
        self, mode: str, seconds: float, flt: dict[str, Any], rollup: bool = False
    ) -> dict[Any, int]:
        import dataclasses

        kept = [
            dataclasses.replace(c, code_id=a)
            for c in self.codings
            if self.keep(c, flt)
            for a in (self.ancestors(c.code_id) if rollup else [c.code_id])
        ]
        out: dict[tuple[str, str], int] = defaultdict(int)
        if mode == "segment":
            by_seg: dict[str, set[str]] = defaultdict(set)
            for c in kept:
                by_seg[c.segment_id].add(c.code_id)
            for codes in by_seg.values():
                for a in codes:
                    for b in codes:
                        out[(a, b)] += 1
        elif mode == "overlap":
            found: set[tuple[str, str, str]] = set()
            for x in kept:
                for y in kept:
                    if x.segment_id != y.segment_id:
                        continue
                    n = len(self.segs[x.segment_id].text)
                    xs, xe = (x.start_cp, x.end_cp) if x.start_cp is not None else (0, n)
                    ys, ye = (y.start_cp, y.end_cp) if y.start_cp is not None else (0, n)
                    if (xs < ye and ys < xe) or (xs == xe and ys == ye):
                        found.add((x.code_id, y.code_id, x.segment_id))
            for a, b, _ in found:
                out[(a, b)] += 1
        else:
            w = round(seconds * 1000)
            occ = {(c.code_id, c.segment_id) for c in kept}
            for a, sa in occ:
                ga = self.segs[sa]
                for b in {code for code, _ in occ}:
                    if any(
                        code == b
                        and self.segs[sb].session_id == ga.session_id
                        and self.segs[sb].start_ms <= ga.end_ms + w
                        and self.segs[sb].end_ms >= ga.start_ms - w
                        for code, sb in occ
                    ):
                        out[(a, b)] += 1
        return {k: v for k, v in out.items() if v}

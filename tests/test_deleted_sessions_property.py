"""Property: whatever sequence of creating sessions, adding segments, coding, deleting codes,
deleting and restoring sessions, a restore brings back exactly what its deletion removed (less
the codings of codes deleted meanwhile) and leaves every other session as it was. Checked
against an independent model (plain dicts) after every step."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft

TITLES = ("Interview", "interview ")
CODES = ("Trust", "Health")


@dataclass
class Kept:
    """The model of one session: its title, segments (id -> text) and codings
    (id -> (segment id, code id))."""

    title: str
    segments: dict[str, str] = field(default_factory=dict)
    codings: dict[str, tuple[str, str]] = field(default_factory=dict)


ops = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, len(TITLES) - 1)),
        st.tuples(st.just("segments"), st.integers(0, 9), st.integers(1, 3)),
        st.tuples(st.just("code"), st.integers(0, 99), st.integers(0, len(CODES) - 1)),
        st.tuples(st.just("delete"), st.integers(0, 9)),
        st.tuples(st.just("restore"), st.integers(0, 9)),
        st.tuples(st.just("delete_code"), st.integers(0, len(CODES) - 1)),
    ),
    min_size=4,
    max_size=16,
)


def _pick(items: list[str], i: int) -> str | None:
    return items[i % len(items)] if items else None


def _check(p: Project, live: dict[str, Kept], deleted: dict[str, Kept]) -> None:
    assert {s.id: s.title for s in p.sessions.all()} == {k: v.title for k, v in live.items()}
    assert {d.session_id for d in p.sessions.deleted_sessions()} == set(deleted)
    codings = {c.id: (c.segment_id, c.code_id) for c in p.codebook.codings()}
    assert codings == {cid: v for k in live.values() for cid, v in k.codings.items()}
    for sid, kept in live.items():
        assert {g.id: g.text for g in p.transcript.segments(sid)} == kept.segments
    # the search index holds exactly the live segments
    hits = {h.segment_id for h in p.transcript.search("word")}
    assert hits == {g for k in live.values() for g in k.segments}


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops)
# a title taken meanwhile, and a code deleted meanwhile (made again under its path)
@example([("create", 0), ("delete", 0), ("create", 1), ("restore", 0)])
@example(
    [
        ("create", 0),
        ("segments", 0, 2),
        ("code", 0, 0),
        ("code", 1, 1),
        ("delete", 0),
        ("delete_code", 0),
        ("code", 0, 0),
        ("restore", 0),
    ]
)
def test_restore_brings_back_exactly_what_was_deleted(steps: list[tuple[int | str, ...]]) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        Project.create(Path(tmp) / "P.fieldscribe", coder="ann") as p,
    ):
        live: dict[str, Kept] = {}
        deleted: dict[str, Kept] = {}
        n = 0
        for step in steps:
            kind = step[0]
            if kind == "create":
                title = TITLES[int(step[1])]
                s = p.sessions.add_session(title)
                live[s.id] = Kept(s.title)
            elif kind == "segments":
                sid = _pick(sorted(live), int(step[1]))
                if sid is None:
                    continue
                drafts = []
                for _ in range(int(step[2])):
                    n += 1
                    drafts.append(SegmentDraft(n * 1000, n * 1000 + 900, f"word number {n}"))
                for g in p.transcript.add_segments(sid, drafts):
                    live[sid].segments[g.id] = g.text
            elif kind == "code":
                segs = sorted((g, sid) for sid, k in live.items() for g in k.segments)
                if not segs:
                    continue
                seg, sid = segs[int(step[1]) % len(segs)]
                code = p.codebook.ensure_code_path(CODES[int(step[2])])
                if (seg, code.id) in live[sid].codings.values():
                    continue
                c = p.codebook.apply_code(seg, code.id)
                live[sid].codings[c.id] = (seg, code.id)
            elif kind == "delete":
                sid = _pick(sorted(live), int(step[1]))
                if sid is None:
                    continue
                p.sessions.delete_session(sid, force=True)
                deleted[sid] = live.pop(sid)
            elif kind == "restore":
                sid = _pick(sorted(deleted), int(step[1]))
                if sid is None:
                    continue
                kept = deleted.pop(sid)
                titles = {k.title.strip().casefold() for k in live.values()}
                if kept.title.strip().casefold() in titles:
                    base, kept.title, i = kept.title, f"{kept.title} (restored)", 1
                    while kept.title.strip().casefold() in titles:
                        i += 1
                        kept.title = f"{base} (restored {i})"
                # a code deleted meanwhile and made again under its path is another code
                codes = {c.id for c in p.codebook.codes()}
                lost = {cid for cid, (_, code_id) in kept.codings.items() if code_id not in codes}
                kept.codings = {c: v for c, v in kept.codings.items() if c not in lost}
                report = p.sessions.restore_session(sid)
                assert report.left_out["codings of deleted codes"] == len(lost)
                live[sid] = kept
            elif kind == "delete_code":
                path = CODES[int(step[1])]
                code = p.codebook.find_code(path)
                if code is None:
                    continue
                p.codebook.delete_code(code.id, force=True)
                for k in live.values():
                    k.codings = {c: v for c, v in k.codings.items() if v[1] != code.id}
            _check(p, live, deleted)

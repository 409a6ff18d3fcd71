"""Links through bundle merges against an independent model: three copies of a project (ann
works in two, bob in one) code passages (the same words with the same code in both of ann's
copies: twin codings, one kept at the lead), each makes its own code "Corruption" (one path:
``--merge-same-name`` makes them one) and its own memo, and links codes, passages, memos, the
participant and the session either way round. Merged at the lead in any order, every link's
ends are the model's (a passage: its segment, code path, coder and words), no link is lost
or doubled (one per name, direction and ends: in order when one-way, either way round
otherwise) and the memos of the copies of one link are joined."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.errors import InvalidInputError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

COPIES = (("ann", "ann-a"), ("ann", "ann-b"), ("bob", "bob"))
PATHS = ("Trust", "Queues", "Corruption")  # "Corruption": each copy's own code of the path
SPANS = (None, (0, 7))
NAMES = ("shows", "is about")
DIRECTIONS = ("OneWay", "Associative", "Bidirectional")
MEMOS = (None, "Бір.", "Екі.")

CODINGS = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 2), st.integers(0, 1)), max_size=3)
LINKS = st.lists(
    st.tuples(
        st.integers(0, 20),
        st.integers(0, 20),
        st.integers(0, len(NAMES) - 1),
        st.integers(0, len(DIRECTIONS) - 1),
        st.integers(0, len(MEMOS) - 1),
    ),
    max_size=4,
)
COPY = st.tuples(CODINGS, LINKS)

End = tuple[Any, ...]


def _key(name: str, direction: str, one: End, other: End) -> tuple[Any, ...]:
    """What makes two links the same: name, direction, ends (in order when one-way)."""
    ends = (one, other) if direction == "OneWay" else tuple(sorted((one, other), key=repr))
    return (name, direction, ends)


def _ends(p: Project, segs: list[str]) -> dict[tuple[str, str], End]:
    """(kind, id) -> the model's name of that end, for every end of ``p``."""
    paths = {c.id: c.path for c in p.codebook.codes()}
    found: dict[tuple[str, str], End] = {("code", i): ("code", path) for i, path in paths.items()}
    for c in p.codebook.codings():
        span = None if c.start_cp is None else (c.start_cp, c.end_cp)
        found[("coding", c.id)] = (
            "coding",
            segs.index(c.segment_id),
            paths[c.code_id],
            c.coder,
            span,
        )
    for m in p.codebook.memos():
        found[("memo", m.id)] = ("memo", m.title)
    for person in p.sessions.participants():
        found[("participant", person.id)] = ("participant", person.pseudonym)
    for s in p.sessions.all():
        found[("session", s.id)] = ("session", s.title)
    return found


def _seen(p: Project, segs: list[str]) -> list[tuple[Any, ...]]:
    """The links of ``p`` as the model writes them, each with its memos."""
    ends = _ends(p, segs)
    seen = [
        (
            _key(
                k.name,
                k.direction or "OneWay",
                ends[(k.origin.kind, k.origin.id)],
                ends[(k.target.kind, k.target.id)],
            ),
            frozenset(k.memo.split("\n\n")) if k.memo else frozenset(),
        )
        for k in p.links.all()
    ]
    return sorted(seen, key=repr)


def _work(
    p: Project, copy: str, segs: list[str], codings: list[Any], links: list[Any]
) -> dict[Any, set[str]]:
    """Code and link in one copy; the model's links it made (each with its memos)."""
    for path in PATHS:
        p.codebook.ensure_code_path(path)
    p.codebook.add_memo("project", None, "Өз ойым.", title=f"memo of {copy}")
    for seg, path, span in codings:
        code = p.codebook.find_code(PATHS[path])
        assert code is not None
        start, end = SPANS[span] or (None, None)
        p.codebook.apply_code(segs[seg], code.id, start_cp=start, end_cp=end)
    ends = sorted(_ends(p, segs).items(), key=repr)
    made: dict[Any, set[str]] = {}
    for a, b, name, direction, memo in links:
        (one, one_is), (other, other_is) = ends[a % len(ends)], ends[b % len(ends)]
        try:
            p.links.add(one, other, NAMES[name], direction=DIRECTIONS[direction], memo=MEMOS[memo])
        except InvalidInputError:
            continue  # an end linked to itself, the same link again
        key = _key(NAMES[name], DIRECTIONS[direction], one_is, other_is)
        made.setdefault(key, set()).update([MEMOS[memo]] if MEMOS[memo] else [])
    return made


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(copies=st.tuples(COPY, COPY, COPY), order=st.permutations(range(3)))
@example(
    copies=(
        ([(0, 0, 1)], [(5, 0, 0, 0, 1)]),
        ([(0, 0, 1)], [(0, 5, 0, 1, 2)]),
        ([], []),
    ),
    order=[0, 1, 2],
)
def test_links_through_merges_of_twin_codings_match_the_model(
    copies: tuple[Any, ...], order: list[int]
) -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        lead, segs, _ = team(tmp)
        lead.sessions.add_participant("P3")
        lead.codebook.add_memo("project", None, "Бәріне.", title="memo of lead")
        export_bundle(lead, tmp / "lead2.fsbundle")
        model: dict[Any, set[str]] = {}
        bundles = []
        for (coder, copy), (codings, links) in zip(COPIES, copies, strict=True):
            with Project.from_bundle(tmp / "lead2.fsbundle", tmp / copy, coder=coder) as p:
                for key, memos in _work(p, copy, segs, codings, links).items():
                    model.setdefault(key, set()).update(memos)
                export_bundle(p, tmp / f"{copy}.fsbundle")
            bundles.append(tmp / f"{copy}.fsbundle")
        expected = sorted(
            (
                (key, frozenset(memos))
                for key, memos in model.items()
                if key[2][0] != key[2][1]  # twins made one: a link of a passage to itself
            ),
            key=repr,
        )
        merge_bundles(lead, [bundles[i] for i in order], merge_same_name=True)
        assert _seen(lead, segs) == expected
        before = sorted((k.id, k.memo) for k in lead.links.all())
        merge_bundles(lead, bundles, merge_same_name=True)  # again: nothing changes
        assert sorted((k.id, k.memo) for k in lead.links.all()) == before
        lead.close()

"""Links travel in bundles and merge like other codebook rows: every coder's new links are
kept, a link a coder removed goes at the lead (the removal wins, as for codes), a link whose
end a coder deleted goes with it, two codes of one path merged into one keep one copy of a
link both coders made, and the order of bundles does not matter. A link between two memos
kept through a coder's copy (a merge once dropped it: the end check read ``memos.target_id``
for the link's target)."""

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


def _seen(p: Project) -> set[tuple[str, str, str]]:
    return {(k.origin.label, k.name, k.target.label) for k in p.links.all()}


def _setup(tmp: Path) -> tuple[Project, dict[str, Project]]:
    lead, _segs, _ = team(tmp)
    health = lead.codebook.find_code("Services/Health")
    assert health is not None
    queues = lead.codebook.ensure_code_path("Очереди")
    trust = lead.codebook.ensure_code_path("Trust")
    note1 = lead.codebook.add_memo("project", None, "Шулы бөлме.", title="Бірінші")
    note2 = lead.codebook.add_memo("project", None, "Қайта сұрау.", title="Екінші")
    lead.links.add(("code", queues.id), ("code", health.id), "is cause of")
    lead.links.add(("code", trust.id), ("code", health.id), "contradicts")
    lead.links.add(("memo", note1.id), ("memo", note2.id), "see also")
    export_bundle(lead, tmp / "lead2.fsbundle")
    coders = {
        name: Project.from_bundle(tmp / "lead2.fsbundle", tmp / f"{name}2", coder=name)
        for name in ("ann", "bob")
    }
    return lead, coders


def test_adds_are_kept_removals_win_and_a_deleted_end_takes_its_links(tmp_path: Path) -> None:
    lead, coders = _setup(tmp_path)
    ann, bob = coders["ann"], coders["bob"]
    assert _seen(ann) == _seen(lead)  # the memo-to-memo link arrived too
    code = {c.path: c.id for c in ann.codebook.codes()}
    ann.links.add(("code", code["Trust"]), ("code", code["Очереди"]), "reduces")
    (cause,) = [k for k in ann.links.all() if k.name == "is cause of"]
    ann.links.remove(cause.id)
    bob.links.add(("code", code["Services/Health"]), ("code", code["Очереди"]), "needs")
    bob.links.add(("code", code["Trust"]), ("code", code["Services"]), "about")
    bob_code = bob.codebook.ensure_code_path("Corruption")
    bob.links.add(("code", bob_code.id), ("code", code["Trust"]), "undermines")
    ann.codebook.delete_code(code["Services"])  # with Health: their links go everywhere
    bundles = []
    for name, p in coders.items():
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        bundles.append(tmp_path / f"{name}.fsbundle")
    expected = {
        ("code 'Trust'", "reduces", "code 'Очереди'"),
        ("memo 'Бірінші'", "see also", "memo 'Екінші'"),
        ("code 'Corruption'", "undermines", "code 'Trust'"),
    }
    merge_bundles(lead, bundles)
    assert _seen(lead) == expected
    other = Project.from_bundle(tmp_path / "lead2.fsbundle", tmp_path / "again", coder="lead")
    merge_bundles(other, list(reversed(bundles)))
    assert _seen(other) == expected
    assert {k.id for k in other.links.all()} == {k.id for k in lead.links.all()}
    merge_bundles(lead, bundles)  # again: nothing changes
    assert _seen(lead) == expected


def test_codes_of_one_path_merged_keep_one_copy_of_a_link(tmp_path: Path) -> None:
    lead, coders = _setup(tmp_path)
    for name, p in coders.items():
        mine = p.codebook.ensure_code_path("Corruption")  # each coder's own code of one path
        trust = p.codebook.find_code("Trust")
        assert trust is not None
        p.links.add(("code", mine.id), ("code", trust.id), "undermines")
        p.links.add(("code", trust.id), ("code", mine.id), f"worries {name}")
        export_bundle(p, tmp_path / f"{name}.fsbundle")
    merge_bundles(lead, [tmp_path / "ann.fsbundle", tmp_path / "bob.fsbundle"])
    (corruption,) = [c for c in lead.codebook.codes() if c.name == "Corruption"]
    mine = [k for k in lead.links.all() if corruption.id in (k.origin.id, k.target.id)]
    assert sorted(k.name for k in mine) == ["undermines", "worries ann", "worries bob"]


def test_a_consented_only_bundle_leaves_out_the_links_of_whom_it_leaves_out(
    tmp_path: Path,
) -> None:
    """A link to a participant left out of a consented-only bundle (or to a memo naming
    them) stayed in the bundle with its name and the participant's id; a link's name kept
    the real names the bundle's pseudonyms replace everywhere else."""
    from storage.privacy.models import ExportPrivacy
    from tests.test_bundle_consented_only import _focus_group

    ids = _focus_group(tmp_path / "fg")
    with Project.open(tmp_path / "fg") as p:
        code = p.codebook.ensure_code_path("Су")
        p.links.add(("participant", ids["no"]), ("code", code.id), "Ғалым complains of")
        p.links.add(("participant", ids["yes"]), ("code", code.id), "speaks of Ғалым")
        export_bundle(p, tmp_path / "only.fsbundle", privacy=ExportPrivacy(consented_only="export"))
    with Project.from_bundle(tmp_path / "only.fsbundle", tmp_path / "copy", coder="ann") as c:
        assert [k.name for k in c.links.all()] == ["speaks of Болат"]
    import sqlite3
    import zipfile

    with zipfile.ZipFile(tmp_path / "only.fsbundle") as zf:
        zf.extract("project.db", tmp_path / "x")
    conn = sqlite3.connect(tmp_path / "x" / "project.db")
    assert [r[0] for r in conn.execute("SELECT name FROM links")] == ["speaks of Болат"]
    conn.close()


TWIN_CODES = ("Trust", "Очереди", "Services/Health")
TWIN_NAMES = ("is cause of", "себебі")
DIRECTIONS = ("OneWay", "Bidirectional", "Associative")
MEMOS = (None, "Ann thinks so.", "Бөлек ой.")
ADDS = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(0, 2),
        st.integers(0, 1),
        st.integers(0, 2),
        st.integers(0, 2),
    ),
    max_size=5,
)


def _key(origin: tuple[str, str], target: tuple[str, str], name: str, direction: str) -> Any:
    """What makes two links the same: their name, direction and ends (in order when one-way)."""
    ends = (origin, target) if direction == "OneWay" else tuple(sorted((origin, target)))
    return (name, direction, ends)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ann_adds=ADDS, bob_adds=ADDS)
@example(ann_adds=[(0, 1, 0, 0, 1)], bob_adds=[(0, 1, 0, 0, 2), (2, 0, 1, 1, 0)])
def test_the_same_link_made_by_two_coders_is_one_after_a_merge(
    ann_adds: list[tuple[int, ...]], bob_adds: list[tuple[int, ...]]
) -> None:
    """Against a model: after merging both coders' bundles (either order) there is one link
    per name, direction and ends, its memo every coder's memo for it (each once)."""
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        lead, coders = _setup(tmp)
        codes = {c.path: c.id for c in lead.codebook.codes()}
        model: dict[Any, set[str]] = {
            _key(
                (k.origin.kind, k.origin.id),
                (k.target.kind, k.target.id),
                k.name,
                k.direction or "OneWay",
            ): set()
            for k in lead.links.all()
        }
        for (name, p), adds in (
            (("ann", coders["ann"]), ann_adds),
            (("bob", coders["bob"]), bob_adds),
        ):
            for a, b, n, d, m in adds:
                ends = (("code", codes[TWIN_CODES[a]]), ("code", codes[TWIN_CODES[b]]))
                try:
                    p.links.add(*ends, TWIN_NAMES[n], direction=DIRECTIONS[d], memo=MEMOS[m])
                except InvalidInputError:
                    continue  # a link of a code to itself, or the same link twice
                memos = model.setdefault(_key(*ends, TWIN_NAMES[n], DIRECTIONS[d]), set())
                memos.update([MEMOS[m]] if MEMOS[m] else [])
            export_bundle(p, tmp / f"{name}.fsbundle")
        bundles = [tmp / "ann.fsbundle", tmp / "bob.fsbundle"]
        merge_bundles(lead, bundles)
        seen = [
            (
                _key(
                    (k.origin.kind, k.origin.id),
                    (k.target.kind, k.target.id),
                    k.name,
                    k.direction or "OneWay",
                ),
                set(k.memo.split("\n\n")) if k.memo else set(),
            )
            for k in lead.links.all()
        ]
        assert sorted(seen, key=repr) == sorted(model.items(), key=repr)
        other = Project.from_bundle(tmp / "lead2.fsbundle", tmp / "again", coder="lead")
        merge_bundles(other, list(reversed(bundles)))
        assert {(k.id, k.memo) for k in other.links.all()} == {
            (k.id, k.memo) for k in lead.links.all()
        }
        before = {(k.id, k.memo) for k in lead.links.all()}
        merge_bundles(lead, bundles)  # again: nothing changes
        assert {(k.id, k.memo) for k in lead.links.all()} == before
        for project in (lead, other, *coders.values()):
            project.close()


def test_a_twin_coding_of_codes_of_one_path_hands_its_links_to_the_one_kept(
    tmp_path: Path,
) -> None:
    """Ann made "Corruption" in two copies of the project and coded the same words with each;
    merged by path, one coding stays: the other's link goes to it (it went with the coding)."""
    lead, coders = _setup(tmp_path)
    ann = coders["ann"]
    seg = ann.transcript.segments(ann.sessions.all()[0].id)[0]
    theirs = ann.codebook.ensure_code_path("Corruption")
    ann.codebook.apply_code(seg.id, theirs.id, start_cp=0, end_cp=7)
    export_bundle(ann, tmp_path / "ann.fsbundle")
    other = Project.from_bundle(tmp_path / "lead2.fsbundle", tmp_path / "ann-b", coder="ann")
    mine = other.codebook.ensure_code_path("Corruption")
    coding = other.codebook.apply_code(seg.id, mine.id, start_cp=0, end_cp=7)
    trust = other.codebook.find_code("Trust")
    assert trust is not None
    other.links.add(("coding", coding.id), ("code", trust.id), "shows", memo="Пара.")
    export_bundle(other, tmp_path / "ann-b.fsbundle")
    merge_bundles(
        lead, [tmp_path / "ann.fsbundle", tmp_path / "ann-b.fsbundle"], merge_same_name=True
    )
    (corruption,) = [c for c in lead.codebook.codes() if c.name == "Corruption"]
    (kept,) = lead.codebook.codings(code_id=corruption.id)
    assert [(k.origin.id, k.name, k.memo) for k in lead.links.all() if k.name == "shows"] == [
        (kept.id, "shows", "Пара.")
    ]
    for p in (other, *coders.values()):
        p.close()

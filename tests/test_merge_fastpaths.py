"""The merge's fast paths give the same results as the plain rules (and clean up after them)."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest

from storage import Project
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.merge import MERGE_CACHE_KIB
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, make_lead, rebuild, team


def _seqs(folder: Path) -> dict[str, int]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return dict(conn.execute("SELECT id, seq FROM segments").fetchall())
    finally:
        conn.close()


def test_segments_at_other_seqs_merge_by_id(tmp_path: Path) -> None:
    # the lead deleted a segment before the coder started: every seq differs by one between them,
    # so each seq of the bundle points at another segment here; rows must still match by id
    lead, segs = make_lead(tmp_path, n_segments=8)
    lead.transcript.delete_segment(segs[0])
    export_bundle(lead, tmp_path / "lead.fsbundle")
    alice = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="a")
    alice.transcript.update_segment(segs[3], text="alice rewrote this about buses")
    export_bundle(alice, tmp_path / "a.fsbundle")
    lead_seqs, alice_seqs = _seqs(lead.folder), _seqs(alice.folder)
    assert set(lead_seqs) == set(alice_seqs)
    assert all(lead_seqs[s] != alice_seqs[s] for s in lead_seqs)
    by_seq = {seq: sid for sid, seq in lead_seqs.items()}
    assert any(by_seq.get(alice_seqs[s]) not in (None, s) for s in alice_seqs)

    (summary,) = merge_bundles(lead, [tmp_path / "a.fsbundle"])
    stats = summary.tables["segments"]
    assert (stats.added, stats.updated, stats.conflicts, stats.skipped) == (0, 1, 0, 6)
    assert lead.transcript.get_segment(segs[3]).text == "alice rewrote this about buses"
    assert [h.segment_id for h in lead.transcript.search("buses")] == [segs[3]]
    assert lead.transcript.search("clinics") and segs[3] not in {
        h.segment_id for h in lead.transcript.search("clinics")
    }
    # and the other way round: the lead's edit reaches alice, whose seqs are shifted
    lead.transcript.update_segment(segs[5], speaker="Moderator")
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    (back,) = merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    assert back.tables["segments"].updated == 1 and back.conflicts == 0
    assert alice.transcript.get_segment(segs[5]).speaker == "Moderator"
    before = dump(alice.folder)
    alice.close()
    lead.close()
    with Project.open(alice.folder) as again:
        (twice,) = merge_bundles(again, [tmp_path / "lead2.fsbundle"])
        assert twice.tables["segments"].updated == 0
    assert dump(alice.folder) == before


def test_same_seq_and_id_with_other_content_is_not_taken_as_identical(tmp_path: Path) -> None:
    lead, segs = make_lead(tmp_path)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    alice = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="a")
    assert _seqs(alice.folder) == _seqs(lead.folder)
    alice.transcript.update_segment(
        segs[2], speaker="S9"
    )  # only the speaker (and the version) change
    export_bundle(alice, tmp_path / "a.fsbundle")
    alice.close()
    (summary,) = merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert summary.tables["segments"].updated == 1
    assert lead.transcript.get_segment(segs[2]).speaker == "S9"
    lead.close()


def test_new_row_at_the_seq_of_an_identical_row_of_ours_is_added(tmp_path: Path) -> None:
    lead, segs = make_lead(tmp_path)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    first = min(_seqs(lead.folder).values())
    bundle = rebuild(
        tmp_path / "lead.fsbundle",
        tmp_path / "twin.fsbundle",
        db_change=lambda c: c.execute(
            "UPDATE segments SET id = 'twin-of-the-first' WHERE seq = ?", (first,)
        ),
    )
    (summary,) = merge_bundles(lead, [bundle])
    assert summary.tables["segments"].added == 1
    twin = lead.transcript.get_segment("twin-of-the-first")
    assert twin.text == lead.transcript.get_segment(segs[0]).text
    assert len(lead.transcript.search("clinics")) == len(segs) + 1
    lead.close()


def test_merge_gives_the_page_cache_back(tmp_path: Path) -> None:
    lead, segs = make_lead(tmp_path)
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    export_bundle(lead, tmp_path / "lead.fsbundle")
    alice = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="a")
    alice.codebook.apply_code(segs[0], code.id)
    export_bundle(alice, tmp_path / "a.fsbundle")
    alice.close()
    before = lead.db.conn.execute("PRAGMA main.cache_size").fetchone()[0]
    assert before != -MERGE_CACHE_KIB
    (summary,) = merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert summary.tables["codings"].added == 1
    assert lead.db.conn.execute("PRAGMA main.cache_size").fetchone()[0] == before
    # bulk copies of new and identical rows leave no version history behind
    assert lead.db.conn.execute("SELECT count(*) FROM row_versions").fetchone()[0] == 0
    assert [r[1] for r in lead.db.conn.execute("PRAGMA database_list")] == ["main", "temp"]
    lead.close()


def test_bundles_unpacked_ahead_stop_at_the_refused_one_and_leave_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    lead, segs = make_lead(tmp_path)
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    export_bundle(lead, tmp_path / "lead.fsbundle")
    bundles = []
    for name, seg in (("a", segs[0]), ("b", segs[1]), ("c", segs[2])):
        p = Project.from_bundle(
            tmp_path / "lead.fsbundle", tmp_path / f"{name}.fieldscribe", coder=name
        )
        p.codebook.apply_code(seg, code.id)
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
        bundles.append(tmp_path / f"{name}.fsbundle")
    bad = rebuild(
        bundles[1],
        tmp_path / "bad.fsbundle",
        db_change=lambda c: c.execute("CREATE VIEW v AS SELECT 1"),
    )
    assert not list(scratch.iterdir())
    with pytest.raises(InvalidBundleError, match="has a view"):
        merge_bundles(lead, [bundles[0], bad, bundles[2]])
    # the first bundle was merged (its own transaction), the third never was
    assert {c.coder for c in lead.codebook.codings()} == {"a"}
    assert not list(scratch.iterdir())
    # a refusal of the first bundle while the second is being unpacked: nothing merged, no files
    with pytest.raises(InvalidBundleError, match="has a view"):
        merge_bundles(lead, [bad, bundles[2]])
    assert {c.coder for c in lead.codebook.codings()} == {"a"}
    assert not list(scratch.iterdir())
    summaries = merge_bundles(lead, [bundles[1], bundles[2]])
    assert [s.coder for s in summaries] == ["b", "c"]
    assert {c.coder for c in lead.codebook.codings()} == {"a", "b", "c"}
    assert not list(scratch.iterdir())
    lead.close()


def _without_seq(conn: sqlite3.Connection) -> None:
    cols = [r[1] for r in conn.execute("PRAGMA table_info(segments)") if r[1] != "seq"]
    conn.execute(f"CREATE TABLE plain AS SELECT {', '.join(cols)} FROM segments")
    conn.execute("DROP TABLE segments")
    conn.execute("ALTER TABLE plain RENAME TO segments")


def test_bundle_without_seq_merges_by_id(tmp_path: Path) -> None:
    lead, segs = make_lead(tmp_path)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    alice = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="a")
    alice.transcript.update_segment(segs[1], text="alice again")
    export_bundle(alice, tmp_path / "a.fsbundle")
    alice.close()
    bundle = rebuild(
        tmp_path / "a.fsbundle",
        tmp_path / "noseq.fsbundle",
        db_change=_without_seq,
    )
    (summary,) = merge_bundles(lead, [bundle])
    assert summary.tables["segments"].updated == 1
    assert lead.transcript.get_segment(segs[1]).text == "alice again"
    lead.close()


def test_find_differing_finds_what_the_plain_comparison_finds(tmp_path: Path) -> None:
    # seqs shifted by a deletion (every row falls back to its id), one row edited, one added
    from storage.team.bundle_open import open_bundle
    from storage.team.merge import find_differing
    from storage.team.merge_validation import _not_identical

    lead, segs = make_lead(tmp_path, n_segments=8)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    alice = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="a")
    lead.transcript.delete_segment(segs[0])
    lead.transcript.update_segment(segs[6], text="the lead rewrote this")
    alice.transcript.update_segment(segs[3], text="alice rewrote this about buses")
    alice.transcript.split_segment(segs[4], 5)
    export_bundle(alice, tmp_path / "a.fsbundle")
    alice.close()
    lead.close()
    db = lead.folder / "project.db"
    with open_bundle(tmp_path / "a.fsbundle") as opened:
        find_differing(db, opened)
        conn = sqlite3.connect(db)
        conn.execute("ATTACH DATABASE ? AS b", (str(opened.db_path),))
        plain = [
            r[0]
            for r in conn.execute(f"SELECT r.rowid FROM {_not_identical(conn, 'segments', 'b')}")
        ]
        ids = dict(conn.execute("SELECT rowid, id FROM b.segments").fetchall())
        conn.close()
    assert sorted(opened.differing["segments"]) == sorted(plain)
    found = {ids[r] for r in plain}
    assert {segs[0], segs[3], segs[4], segs[6]} <= found  # deleted here, edited, split, edited
    assert len(found) == 5  # and the new half of the split
    assert opened.checked == {"segments", "codings"}


def test_codings_stored_in_segment_order_merge_as_stored_with_the_same_result(
    tmp_path: Path,
) -> None:
    import shutil

    from storage.team.bundle_open import open_bundle
    from storage.team.merge import find_differing, merge_bundle

    lead, segs = make_lead(tmp_path, n_segments=8)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    alice = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="a")
    code = alice.codebook.ensure_code_path("Services/Health")
    for seg in segs:  # through the transcript: ids and segments in one order
        alice.codebook.apply_code(seg, code.id)
        if seg == segs[2]:
            alice.codebook.apply_code(seg, code.id, start_cp=0, end_cp=7)
    export_bundle(alice, tmp_path / "a.fsbundle")
    bob = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "b.fieldscribe", coder="b")
    code = bob.codebook.ensure_code_path("Services/Health")
    for seg in reversed(segs):  # backwards: sorted before the insert
        bob.codebook.apply_code(seg, code.id)
    export_bundle(bob, tmp_path / "b.fsbundle")
    alice.close()
    bob.close()
    lead.close()
    copy = tmp_path / "copy.fieldscribe"
    shutil.copytree(lead.folder, copy)
    for name, in_order in (("a", True), ("b", False)):
        with open_bundle(tmp_path / f"{name}.fsbundle") as opened:
            find_differing(lead.folder / "project.db", opened)
            assert ("codings" in opened.in_order) is in_order
    with Project.open(lead.folder) as p:  # through the unpacking thread: a as stored
        merge_bundles(p, [tmp_path / "a.fsbundle", tmp_path / "b.fsbundle"])
    with Project.open(copy) as p:  # one at a time, nothing ahead: both sorted
        for name in ("a", "b"):
            with open_bundle(tmp_path / f"{name}.fsbundle") as opened:
                assert not opened.in_order
                merge_bundle(p, opened)
    assert dump(lead.folder) == dump(copy)


def test_a_transcript_stored_alike_is_compared_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # alice and bob only code: their bundles store the transcript byte for byte alike, so the
    # second one's segments are known from the first one's comparison; carol edited a segment
    # (other bytes): compared again. The project comes out as merging each on its own does.
    import shutil

    import storage.team.merge_ahead
    from storage.team.bundle_open import open_bundle
    from storage.team.merge import merge_bundle

    lead, segs, coders = team(tmp_path, "alice", "bob", "carol")
    for name, p in coders.items():
        code = p.codebook.ensure_code_path("Services/Health")
        for seg in segs[: 2 + len(name) % 3]:
            p.codebook.apply_code(seg, code.id)
    coders["carol"].transcript.update_segment(segs[1], text="carol heard something else")
    for name, p in coders.items():
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    lead.close()
    copy = tmp_path / "copy.fieldscribe"
    shutil.copytree(lead.folder, copy)
    calls: list[str] = []
    real = storage.team.merge_ahead._differing_sql

    def spy(conn: sqlite3.Connection, table: str, b: str) -> str:
        calls.append(table)
        return real(conn, table, b)

    monkeypatch.setattr(storage.team.merge_ahead, "_differing_sql", spy)
    bundles = [tmp_path / f"{n}.fsbundle" for n in ("alice", "bob", "carol")]
    with Project.open(lead.folder) as p:
        summaries = merge_bundles(p, bundles)
    assert calls == ["segments", "segments"]  # alice, then carol; bob's known from alice's
    assert [s.tables["segments"].updated for s in summaries] == [0, 0, 1]
    assert [s.tables["codings"].added for s in summaries] == [4, 2, 4]
    with Project.open(copy) as p:  # each bundle compared by the merge itself
        for bundle in bundles:
            with open_bundle(bundle) as opened:
                merge_bundle(p, opened)
    assert dump(lead.folder) == dump(copy)


def _schema(folder: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def _stats(folder: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return conn.execute("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx").fetchall()
    finally:
        conn.close()


def _coders_bundles(tmp_path: Path, n: int) -> tuple[Path, list[Path]]:
    tmp_path.mkdir(exist_ok=True)
    lead, segs, coders = team(tmp_path, *(f"c{i}" for i in range(n)))
    for name, p in coders.items():
        code = p.codebook.ensure_code_path(f"Topic/{name}")
        for seg in segs:
            p.codebook.apply_code(seg, code.id)
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    lead.codebook.apply_code(segs[0], lead.codebook.ensure_code_path("Services/Health").id)
    lead.db.conn.execute("ANALYZE")  # planner figures, which the session must keep
    lead.close()
    return lead.folder, [tmp_path / f"c{i}.fsbundle" for i in range(n)]


def _dangling(bundle: Path, out: Path) -> Path:
    """The bundle with its last coding pointing at a segment nobody has (refused at the insert)."""
    return rebuild(
        bundle,
        out,
        db_change=lambda c: c.execute(
            "UPDATE codings SET segment_id = 'nowhere' WHERE rowid = (SELECT max(rowid) "
            "FROM codings)"
        ),
    )


def test_a_large_merge_builds_the_code_index_again_before_it_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import storage.team.merge

    folder, bundles = _coders_bundles(tmp_path, 3)
    copy = tmp_path / "copy.fieldscribe"
    shutil.copytree(folder, copy)
    schema = _schema(folder)
    assert any(r[1] == "codings_code" for r in _stats(folder))
    dropped: list[str] = []
    real = storage.team.merge._drop_index

    def spy(conn: sqlite3.Connection, name: str) -> tuple[str, str | None] | None:
        dropped.append(name)
        return real(conn, name)

    monkeypatch.setattr(storage.team.merge, "_drop_index", spy)
    monkeypatch.setattr(storage.team.merge, "BULK_CODINGS", 3)  # six codings per bundle
    with Project.open(folder) as p:
        merge_bundles(p, bundles)
    assert dropped == ["codings_code"]  # once, for the whole session
    monkeypatch.setattr(storage.team.merge, "BULK_CODINGS", 10**9)
    with Project.open(copy) as p:
        merge_bundles(p, bundles)
    assert dropped == ["codings_code"]
    assert _schema(folder) == schema == _schema(copy)
    assert dump(folder) == dump(copy)
    # the planner has figures for every index again (PRAGMA optimize at close may refresh some)
    assert [r[:2] for r in _stats(folder)] == [r[:2] for r in _stats(copy)]


def test_a_refusal_after_the_code_index_was_dropped_leaves_it_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.team.merge

    monkeypatch.setattr(storage.team.merge, "BULK_CODINGS", 3)
    # the first bundle merges (and drops the index), the second is refused at its insert:
    # its savepoint goes back, the session builds the index again and commits the first
    folder, bundles = _coders_bundles(tmp_path / "two", 2)
    schema = _schema(folder)
    bad = _dangling(bundles[1], tmp_path / "bad.fsbundle")
    with Project.open(folder) as p:
        with pytest.raises(InvalidBundleError, match="exist neither in the bundle nor"):
            merge_bundles(p, [bundles[0], bad])
    assert _schema(folder) == schema
    with Project.open(folder) as p:
        assert len(p.codebook.codings(coder="c0")) == 6
        assert not p.codebook.codings(coder="c1")
    # refused in the very bundle that dropped the index: nothing changes at all
    folder, bundles = _coders_bundles(tmp_path / "one", 1)
    before = dump(folder)
    with Project.open(folder) as p, pytest.raises(InvalidBundleError):
        merge_bundles(p, [_dangling(bundles[0], tmp_path / "bad-first.fsbundle")])
    assert dump(folder) == before and _schema(folder) == schema

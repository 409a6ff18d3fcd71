"""``bundle merge`` of several bundles whose one commit fails (the disk filled while the merge
rebuilt the indexes it had dropped, just before its COMMIT; ``_Bulk.restore`` raises SQLite's own
"database or disk is full" here): the transaction is rolled back, nothing of those bundles is
kept. The command printed each bundle's "Merged ... (coder ...)" table of codings added before
its error line, as if those were kept; now it says that nothing was kept from them, and the
project is exactly as it was (its database dump).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.team.bundle_export import export_bundle
from storage.team.merge import _Bulk
from tests.hardening_support import one_line_error, run_cli
from tests.teamwork_helpers import dump, team


def _bundles(tmp_path: Path) -> tuple[Path, list[Path]]:
    lead, segs, coders = team(tmp_path, "alice", "bob")
    bundles = []
    for name, coder in coders.items():
        code = coder.codebook.ensure_code_path(f"Services/{name}")
        for seg in segs:
            coder.codebook.apply_code(seg, code.id)
        export_bundle(coder, tmp_path / f"{name}.fsbundle")
        bundles.append(tmp_path / f"{name}.fsbundle")
        coder.close()
    lead.close()
    return lead.folder, bundles


@pytest.mark.parametrize("json_out", [False, True])
def test_a_merge_whose_commit_fails_says_nothing_was_kept(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    json_out: bool,
) -> None:
    folder, bundles = _bundles(tmp_path)
    before = dump(folder)

    def disk_full(*_a: Any, **_k: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(_Bulk, "restore", disk_full)
    extra = ["--json"] if json_out else []
    code, out, err = run_cli(capsys, "bundle", "merge", folder, *bundles, *extra)
    line = one_line_error(err)
    assert code == 1 and "disk is full" in line, err
    assert dump(folder) == before  # nothing of either bundle
    assert "Merged" not in out and "ADDED" not in out, out  # no table of what was not kept
    if not json_out:  # said instead: which bundles were merged, then not kept
        (said,) = out.splitlines()
        assert said.startswith("Nothing was kept from ") and "could not be saved" in said, out
        assert all(str(bundle) in said for bundle in bundles), out

    monkeypatch.undo()  # space again: the same command merges both
    code, out, err = run_cli(capsys, "bundle", "merge", folder, *bundles)
    assert code == 0, err
    assert out.count("Merged ") == 2 and dump(folder) != before


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    where = tmp_path_factory.mktemp("three")
    lead, segs, coders = team(where, "alice", "bob", "chen")
    bundles = []
    for name, coder in coders.items():
        code = coder.codebook.ensure_code_path(f"Services/{name}")
        coder.codebook.apply_code(segs[0], code.id)
        export_bundle(coder, where / f"{name}.fsbundle")
        bundles.append(where / f"{name}.fsbundle")
        coder.close()
    lead.close()
    return lead.folder, bundles


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.integers(1, 3), failing=st.integers(1, 3))
def test_the_tables_printed_are_the_bundles_kept(
    three: tuple[Path, list[Path]],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    batch: int,
    failing: int,
) -> None:
    """Bundles merged ``batch`` to a commit (one commit per batch), the ``failing``-th commit
    failing: the bundles of the batches committed before it are kept and printed as merged,
    those of the failing batch are said to be not kept, and the project holds exactly the
    first (an independent model: bundle i is in batch i // batch)."""
    import storage.team.merge as merge_module

    folder = tmp_path_factory.mktemp("merge") / "lead.fieldscribe"
    shutil.copytree(three[0], folder)
    bundles = three[1]
    batches = [bundles[i : i + batch] for i in range(0, len(bundles), batch)]
    kept = [b for group in batches[: failing - 1] for b in group]
    lost = batches[failing - 1] if failing <= len(batches) else []
    commits = [0]
    real = _Bulk.restore

    def restore(self: _Bulk, conn: sqlite3.Connection) -> None:
        commits[0] += 1
        if commits[0] == failing:
            raise sqlite3.OperationalError("database or disk is full")
        real(self, conn)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge_module, "MERGE_BATCH", batch)
        patch.setattr(_Bulk, "restore", restore)
        code, out, err = run_cli(capsys, "bundle", "merge", folder, *bundles)
    printed = [line.split()[1] for line in out.splitlines() if line.startswith("Merged ")]
    assert printed == [str(b) for b in kept], out
    conn = sqlite3.connect(folder / "project.db")
    coders = {r[0] for r in conn.execute("SELECT DISTINCT coder FROM codings")}
    conn.close()
    assert coders & {"alice", "bob", "chen"} == {b.stem for b in kept}
    if lost:
        line = one_line_error(err)
        assert code == 1 and "disk is full" in line
        # with bundles kept, the line said "nothing was changed"
        assert ("nothing was changed" in line) == (not kept), line
        if kept:
            assert f"after {len(kept)} bundle" in line and "(kept)" in line, line
        said = [line for line in out.splitlines() if line.startswith("Nothing was kept from ")]
        assert len(said) == 1 and all(str(b) in said[0] for b in lost), out
        assert not any(str(b) in said[0] for b in kept)
    else:  # fewer commits than that: all merged
        assert code == 0 and kept == bundles, err

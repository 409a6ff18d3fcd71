"""``bundle merge`` of several bundles whose one commit fails (the disk filled while the merge
rebuilt the indexes it had dropped, just before its COMMIT; ``_Bulk.restore`` raises SQLite's own
"database or disk is full" here): the transaction is rolled back, nothing of those bundles is
kept. The command printed each bundle's "Merged ... (coder ...)" table of codings added before
its error line, as if those were kept; now it says that nothing was kept from them, and the
project is exactly as it was (its database dump).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

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

"""`fieldscribe analyze DIR agreement` is the agreement command's view. The analyze views are
where a new user looked for agreement beside the matrix and co-occurrence (the Analysis window
and Team ▸ Inter-coder agreement sit side by side), and got "invalid choice: 'agreement'"
without a word about `fieldscribe agreement`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.hardening_support import run_cli
from tests.teamwork_helpers import team


def test_analyze_agreement_says_what_agreement_says(tmp_path: Path, capsys: Any) -> None:
    lead, segs, coders = team(tmp_path, "aigerim", "bolat")
    for name, p in coders.items():
        code = p.codebook.ensure_code_path("Денсаулық")
        for seg in segs[:2] if name == "aigerim" else segs[1:3]:
            p.codebook.apply_code(seg, code.id)
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    merge_bundles(lead, [tmp_path / "aigerim.fsbundle", tmp_path / "bolat.fsbundle"])
    folder = lead.folder
    lead.close()
    for extra in ([], ["--disagreements"], ["--json"]):
        code, expected, _ = run_cli(capsys, "agreement", folder, *extra)
        assert code == 0
        code, out, err = run_cli(capsys, "analyze", folder, "agreement", *extra)
        assert code == 0, err
        assert out == expected
    # 6 segments, aigerim 0-1, bolat 1-2: 4 of 6 agree, kappa (4/6 - 5/9) / (4/9) = 0.25
    (row,) = [c for c in json.loads(out)["codes"] if c["code_path"] == "Денсаулық"]
    assert row["units"] == 6 and abs(row["kappa"]["value"] - 0.25) < 1e-9
